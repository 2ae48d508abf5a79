// Event schema evolution. Stored events are never rewritten; readers upcast old versions to the
// current shape, one version step at a time. A version newer than the code is refused, not guessed.
import { CURRENCY, type AccountEvent } from './account';
import { legacyAccountNumber } from './account-number';

type EventType = AccountEvent['type'];

/** The schema version this code writes for each event type. */
export const EVENT_SCHEMA_VERSIONS: Record<EventType, number> = {
  AccountOpened: 2,
  MoneyDeposited: 2,
  MoneyWithdrawn: 2,
  MoneyTransferredOut: 1,
  MoneyTransferredIn: 1,
};

type Upcaster = (data: Record<string, unknown>) => Record<string, unknown>;

/** upcasters[type][v] turns version v into version v + 1. */
const upcasters: Partial<Record<EventType, Record<number, Upcaster>>> = {
  // v1 → v2: amounts were always US cents; v2 says so explicitly.
  // v1 → v2: accounts opened before customers belong to nobody (admins see them; no one moves their
  // money) and get a number derived from their id.
  AccountOpened: {
    1: (data) => ({ ...data, customerId: null, accountNumber: legacyAccountNumber(String(data.accountId)) }),
  },
  MoneyDeposited: { 1: (data) => ({ ...data, currency: CURRENCY }) },
  MoneyWithdrawn: { 1: (data) => ({ ...data, currency: CURRENCY }) },
};

export type StoredEvent = { type: string; data: unknown; schemaVersion?: number };

function isAccountEventType(type: string): type is EventType {
  return Object.hasOwn(EVENT_SCHEMA_VERSIONS, type);
}

export function upcast(stored: StoredEvent): AccountEvent {
  const { type } = stored;
  if (!isAccountEventType(type)) throw new Error(`Unknown event type "${type}"`);
  const current = EVENT_SCHEMA_VERSIONS[type];
  let version = stored.schemaVersion ?? 1;
  if (!Number.isInteger(version) || version < 1)
    throw new Error(`${type} has an invalid schema version ${String(version)}`);
  if (version > current)
    throw new Error(
      `${type} v${version} is newer than this code understands (v${current}); deploy the newer code first`,
    );
  let data = stored.data as Record<string, unknown>;
  while (version < current) {
    const step = upcasters[type]?.[version];
    if (!step) throw new Error(`No upcaster for ${type} v${version} → v${version + 1}`);
    data = step(data);
    version += 1;
  }
  return { type, data } as AccountEvent;
}
