'use client';

import { use, useActionState, useRef, useState, useSyncExternalStore } from 'react';
import type { FormResult } from '@/lib/accounts/form-schemas';
import type { AccountUpdate } from '@/lib/accounts/history-update';
import { PageRendersContext, type ActionAnswer } from './page-renders';

const noSubscribe = () => () => {};

/** False during server rendering and hydration, true once React owns the page. */
export function useHydrated(): boolean {
  return useSyncExternalStore(
    noSubscribe,
    () => true,
    () => false,
  );
}

const UNREACHABLE: FormResult = {
  status: 'busy',
  message:
    'Could not reach the server, so we do not know yet whether this went through. Submit again: it is safe and will not be applied twice.',
};

/**
 * `highlight`: the version of the page the command wrote, for forms on a versioned page; `update`:
 * what it changed there, when the answer carries that instead of the page (lib/accounts/history-update.ts).
 */
type FormState = {
  result: FormResult | null;
  commandId: string;
  highlight?: number | null;
  update?: AccountUpdate | null;
};
type Action<State> = (previous: unknown, form: FormData) => Promise<State>;

/**
 * One command form, with or without JavaScript. Without it the browser posts the form, with the key
 * the server rendered into it, to `action`, and React renders the answer (`formAction` goes on the
 * <form>). With it, `send` posts the same fields to the same action: one request at a time (a
 * double-click sends once), the previous message cleared first, and an unreachable server answered
 * as "submit again" with the key kept. The server says which key comes next. None of this is needed
 * for correctness: the server alone guarantees exactly-once.
 */
export function useCommandForm<State extends FormState>(action: Action<State>, initial: State) {
  const [posted, formAction] = useActionState<State, FormData>(action, initial as Awaited<State>);
  const [answer, setAnswer] = useState<State | null>(null);
  const [pending, setPending] = useState(false);
  const inFlight = useRef(false);
  const renders = use(PageRendersContext);
  const state = answer ?? posted;

  const send = async (form: HTMLFormElement, submitter?: HTMLElement | null): Promise<State | null> => {
    if (inFlight.current) return null;
    inFlight.current = true;
    setPending(true);
    setAnswer({ ...state, result: null });
    const data = new FormData(form, submitter);
    // React's fields for posting without JavaScript; this call names its action itself.
    for (const name of [...data.keys()]) if (name.startsWith('$ACTION')) data.delete(name);
    data.set('enhanced', '1');
    if (renders.takesUpdates) data.set('takesUpdate', '1');
    const ended = renders.actionStarted();
    let brought: ActionAnswer = { brings: null, update: null };
    try {
      const next = await action(null, data);
      brought = { brings: next.highlight ?? null, update: next.update ?? null };
      setAnswer(next);
      return next;
    } catch {
      setAnswer({ ...state, result: UNREACHABLE });
      return null;
    } finally {
      inFlight.current = false;
      setPending(false);
      ended(brought);
    }
  };

  /** A new submission that the browser already refused: the old message goes. */
  const clear = () => setAnswer({ ...state, result: null });

  return { state, formAction, send, pending, clear };
}

export type CommandForm<State extends FormState> = ReturnType<typeof useCommandForm<State>>;
