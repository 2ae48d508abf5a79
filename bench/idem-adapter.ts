// The one place the benchmarks import Idem's production command path from. The engine is moving
// (lib/account-commands.ts → lib/accounts/, handleCommand → lib/event-store/handler.ts); when a path
// changes, this file is the only one to edit.
export { ACCOUNT_SNAPSHOT_SCHEMA, handleAccountCommand, snapshotEvery } from '../lib/account-commands';
export { createPrismaClient, type Db } from '../lib/db/prisma';
