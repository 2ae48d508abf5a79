// Offline drift check: "which SQL would turn the database that prisma/migrations produces into what
// prisma/schema.prisma describes?" Empty answer = in sync. `prisma migrate diff` would answer this,
// but it needs the schema-engine binary; we drive the same engine compiled to WebAssembly instead.
//
// How: create a throwaway database, apply the migrations with our own migrate() (the code that
// production runs, so its output is what gets checked), then ask the engine for the diff from that
// live database (introspected through a driver adapter) to the schema file. We deliberately do not
// use the engine's `migrations` source with a shadow database: the engine would then apply the
// scripts through adapter-pg's executeScript, which splits on every ";" (comments and string
// literals included), i.e. a different and more fragile apply path than ours.
// Blind spot: Prisma's differ ignores CHECK constraints, so hand-written ones in the migrations are
// neither reported nor checked here (lib/db/migrate.int.test.ts asserts they exist).
import { PrismaPg } from '@prisma/adapter-pg';
import {
  bindMigrationAwareSqlAdapterFactory,
  ColumnTypeEnum,
  type SqlDriverAdapter,
  type SqlMigrationAwareDriverAdapterFactory,
  type SqlQueryable,
} from '@prisma/driver-adapter-utils';
import type * as Engine from '@prisma/schema-engine-wasm/schema_engine_bg';
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import path from 'node:path';
import pg from 'pg';
import { migrate } from './migrate';

export type SchemaDriftOptions = {
  /** Any database on the target server; its role must be allowed to CREATE/DROP DATABASE. */
  databaseUrl: string;
  schemaPath?: string;
  migrationsDir?: string;
};

// The wasm engine's JS API is internal to Prisma and changes between builds without notice, so we
// refuse to run against any build but the one this code was written and tested against.
const PINNED_SCHEMA_ENGINE_WASM = '7.10.0-4.0edf323efd1d98336f3f0a68684b56f689b900d3';

const EMPTY_MIGRATION = '-- This is an empty migration.';
const CHAR_OID = 18;
const TEXT_OID = 25;
const charColumns = Symbol('charColumns');

let engineClass: Promise<typeof Engine.SchemaEngine> | undefined;

// wasm-bindgen glue is a module singleton bound to one instance, so instantiate once per process.
// We load the package's own .wasm next to its glue: prisma/build/schema_engine_bg.wasm is a
// different engine build whose imports do not match this glue.
function loadEngine(): Promise<typeof Engine.SchemaEngine> {
  engineClass ??= (async () => {
    const gluePath = createRequire(import.meta.url).resolve('@prisma/schema-engine-wasm/schema_engine_bg');
    const dir = path.dirname(gluePath);
    const { version } = JSON.parse(readFileSync(path.join(dir, 'package.json'), 'utf8')) as { version: string };
    if (version !== PINNED_SCHEMA_ENGINE_WASM) {
      throw new Error(
        `@prisma/schema-engine-wasm ${version} is installed; schema-drift.ts is pinned to ${PINNED_SCHEMA_ENGINE_WASM}. Re-pin it and re-check the engine API.`,
      );
    }
    const glue = await import('@prisma/schema-engine-wasm/schema_engine_bg');
    const wasmModule = new WebAssembly.Module(readFileSync(path.join(dir, 'schema_engine_bg.wasm')));
    const instance = new WebAssembly.Instance(wasmModule, {
      './schema_engine_bg.js': glue as unknown as WebAssembly.ModuleImports,
    });
    glue.__wbg_set_wasm(instance.exports);
    (instance.exports.__wbindgen_start as () => void)();
    // The glue reports Rust panics through this global before throwing `unreachable`.
    // eslint-disable-next-line no-restricted-syntax -- the name and place are the WASM glue's own (a library's global, not ours).
    const g = globalThis as { PRISMA_WASM_PANIC_REGISTRY?: { set_message(message: string): void } };
    g.PRISMA_WASM_PANIC_REGISTRY ??= { set_message: (message) => console.error(`schema engine panic: ${message}`) };
    return glue.SchemaEngine;
  })();
  return engineClass;
}

// The engine's introspection reads catalog columns of type "char" (OID 18, e.g. pg_constraint.contype)
// and wants them as Character values; adapter-pg 7.10.1 rejects that OID outright. So the pg client
// relabels those columns as text (their text value already is the one character) and tags the rows
// array, which adapter-pg passes through as is, and queryRaw then reports them as Character again.
class CharAsTextClient extends pg.Client {
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- one signature standing in for all of pg's query() overloads
  override query(...args: unknown[]): any {
    const relabel = (result: unknown) => {
      for (const r of Array.isArray(result) ? result : [result]) {
        const res = r as pg.QueryResult | undefined;
        const indexes = (res?.fields ?? []).flatMap((f, i) => (f.dataTypeID === CHAR_OID ? [i] : []));
        for (const i of indexes) res!.fields[i]!.dataTypeID = TEXT_OID;
        if (indexes.length > 0) Object.defineProperty(res!.rows, charColumns, { value: indexes });
      }
      return result;
    };
    const query = super.query as (...a: unknown[]) => unknown;
    const callback = args.at(-1);
    if (typeof callback === 'function') {
      args[args.length - 1] = (err: Error | null, res: unknown) => callback(err, err ? res : relabel(res));
      return query.apply(this, args);
    }
    const ret = query.apply(this, args);
    return ret instanceof Promise ? ret.then(relabel) : ret;
  }
}

function restoreCharColumns<T extends SqlQueryable>(queryable: T): T {
  const queryRaw = queryable.queryRaw.bind(queryable);
  queryable.queryRaw = async (query) => {
    const result = await queryRaw(query);
    const indexes = (result.rows as { [charColumns]?: number[] })[charColumns] ?? [];
    for (const i of indexes) result.columnTypes[i] = ColumnTypeEnum.Character;
    return result;
  };
  return queryable;
}

function adapterFactory(url: string, pools: pg.Pool[]): SqlMigrationAwareDriverAdapterFactory {
  return {
    provider: 'postgres',
    adapterName: '@prisma/adapter-pg',
    async connect(): Promise<SqlDriverAdapter> {
      const pool = new pg.Pool({ connectionString: url, Client: CharAsTextClient });
      pools.push(pool);
      const adapter = restoreCharColumns(await new PrismaPg(pool).connect());
      const startTransaction = adapter.startTransaction.bind(adapter);
      adapter.startTransaction = async (isolation) => restoreCharColumns(await startTransaction(isolation));
      return adapter;
    },
    // Only a diff whose source is a migrations directory needs one; ours diffs a live database.
    // (adapter-pg's own version would also point at the main database: a connection string wins
    // over its `database` override.)
    connectToShadowDb: () => Promise.reject(new Error('schema-drift: no shadow database is used')),
  };
}

function databaseUrlFor(serverUrl: string, database: string): string {
  const url = new URL(serverUrl);
  url.pathname = `/${database}`;
  return url.toString();
}

/** SQL that would bring the migrated database to schema.prisma; '' when they are in sync. */
export async function diffMigrationsToSchema(options: SchemaDriftOptions): Promise<string> {
  const schemaPath = path.resolve(options.schemaPath ?? 'prisma/schema.prisma');
  const files = [{ path: schemaPath, content: await readFile(schemaPath, 'utf8') }];
  const SchemaEngine = await loadEngine();

  const database = `idem_drift_${randomBytes(6).toString('hex')}`;
  const admin = new pg.Client({ connectionString: databaseUrlFor(options.databaseUrl, 'postgres') });
  await admin.connect();
  const pools: pg.Pool[] = [];
  try {
    await admin.query(`CREATE DATABASE "${database}"`);
    const url = databaseUrlFor(options.databaseUrl, database);
    await migrate(url, { migrationsDir: options.migrationsDir });
    const bound = bindMigrationAwareSqlAdapterFactory(adapterFactory(url, pools));
    const engine = await SchemaEngine.new({ datamodels: files.map((f) => [f.path, f.content]) }, () => {}, bound);
    try {
      const result = await engine.diff({
        from: { tag: 'schemaDatasource', files, configDir: path.dirname(schemaPath) },
        to: { tag: 'schemaDatamodel', files },
        script: true,
        exitCode: null,
        filters: { externalTables: [], externalEnums: [] },
      });
      const sql = (result.stdout ?? '').trim();
      return sql === EMPTY_MIGRATION ? '' : sql;
    } finally {
      engine.free();
    }
  } finally {
    await Promise.all(pools.map((p) => p.end().catch(() => {})));
    await admin.query(`DROP DATABASE IF EXISTS "${database}" WITH (FORCE)`).catch(() => {});
    await admin.end();
  }
}
