// The one place the benchmarks import Idem's production command path from: when a path moves, this
// file is the only one to edit.
export { handleAccountCommand } from '../lib/accounts/account-commands';
export { newAccountId } from '../lib/accounts/ids';
export { ACCOUNT_SNAPSHOT_SCHEMA } from '../lib/accounts/stream';
export { createPrismaClient, type Db } from '../lib/db/prisma';
export { snapshotEvery } from '../lib/event-store';
