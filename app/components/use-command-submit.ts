'use client';

import { useCallback, useRef, useState, useSyncExternalStore } from 'react';
import type { FormResult } from '@/lib/accounts/form-schemas';

/** A v4 UUID; crypto.randomUUID only exists in secure contexts (https, localhost). */
export function newCommandId(): string {
  if (typeof crypto.randomUUID === 'function') return crypto.randomUUID();
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  bytes[6] = (bytes[6]! & 0x0f) | 0x40;
  bytes[8] = (bytes[8]! & 0x3f) | 0x80;
  const hex = Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

const noSubscribe = () => () => {};

/** False during server rendering and hydration, true once React owns the page. */
export function useHydrated(): boolean {
  return useSyncExternalStore(noSubscribe, () => true, () => false);
}

/** Outcomes after which the key is spent: a new request needs a new key. */
const isConfirmed = (result: FormResult) => result.status === 'success' || result.status === 'rejected' || result.status === 'key-reused';

export const UNREACHABLE: FormResult = {
  status: 'busy',
  message: 'Could not reach the server, so we do not know yet whether this went through. Submit again: it is safe and will not be applied twice.',
};

/**
 * Sends a form's values with one command id per form instance. The id survives failures and
 * resubmits (so a retry is recognised as the same request) and is replaced only after a confirmed
 * outcome. A second submit while one is in flight is ignored. This is courtesy, not correctness:
 * the server alone guarantees exactly-once.
 */
export function useCommandSubmit<Values>(action: (input: Values & { commandId: string }) => Promise<FormResult>) {
  const commandId = useRef<string | null>(null);
  const inFlight = useRef(false);
  const [result, setResult] = useState<FormResult | null>(null);

  const submit = useCallback(
    async (values: Values): Promise<FormResult | null> => {
      if (inFlight.current) return null;
      inFlight.current = true;
      commandId.current ??= newCommandId();
      try {
        const outcome = await action({ ...values, commandId: commandId.current });
        if (isConfirmed(outcome)) commandId.current = null;
        setResult(outcome);
        return outcome;
      } catch {
        setResult(UNREACHABLE);
        return UNREACHABLE;
      } finally {
        inFlight.current = false;
      }
    },
    [action],
  );

  return { submit, result };
}
