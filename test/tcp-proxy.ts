// A TCP proxy between the app and PostgreSQL that understands just enough of the frontend/backend
// protocol to produce an AMBIGUOUS COMMIT: the write reaches PostgreSQL and commits, but the app's
// connection is cut before the reply arrives, so the app cannot know whether it happened.
//
// Frontend messages are a 1-byte type + int32 length (which counts itself), except the first
// message of a connection (the startup packet: int32 length + int32 code, no type byte). An
// SSLRequest / GSSENCRequest is answered 'N' here (no encryption through the proxy), after which
// the client sends the real startup packet. Backend messages all have the type byte; the proxy reads
// ReadyForQuery ('Z') to know whether the connection is inside a transaction block.
//
// A matching statement run in autocommit (the app's usual write: ONE statement through the extended
// protocol, Parse/Bind/Execute/Sync, see lib/unit-of-work.ts) commits when PostgreSQL processes the
// Sync, so the cut comes right after forwarding that Sync. A matching statement inside a transaction
// block (the command handler's queued retry runs BEGIN … INSERT … COMMIT) is cut right after the
// COMMIT that follows it is forwarded (simple 'Q' or extended); a ROLLBACK gives the arm back.
// Cutting = stop forwarding the server's replies, close the app's side at once, and half-close ours
// so PostgreSQL still reads the Sync / COMMIT (and commits) before it sees the end of the stream.
import net from 'node:net';

/** `inTransaction`: the statement runs inside BEGIN … (its commit is a later COMMIT), not in autocommit. */
export type StatementPredicate = (sql: string, context: { inTransaction: boolean }) => boolean;

export type CutRecord = {
  /** The matching statement whose commit's reply the app never saw. */
  sql: string;
  /** Protocol of the message after which the cut happened (the Sync, or the COMMIT). */
  protocol: 'extended' | 'simple';
  /** The statement ran inside BEGIN … COMMIT (the cut followed the COMMIT), not in autocommit. */
  inTransaction: boolean;
  connection: number;
  /**
   * What PostgreSQL answered, seen by the proxy only: 'committed' (CommandComplete of the autocommit
   * statement, or of a COMMIT), 'rolled-back' (COMMIT of a failed transaction answers ROLLBACK),
   * 'error' (ErrorResponse), or 'none' (closed first).
   */
  serverReply: 'committed' | 'rolled-back' | 'error' | 'none';
  /** When the app's side was closed (Date.now() of this process): inside the span of the HTTP attempt it cut. */
  at: number;
  /** The CommandComplete tag or the SQLSTATE of the error. */
  detail?: string;
  /** The matching statement's Bind message as text (its parameters: e.g. the command ids it wrote); extended protocol only. */
  parameters?: string;
};

type Arm = {
  predicate: StatementPredicate;
  count: number;
  remaining: number;
  cuts: CutRecord[];
  /** Cuts made whose connection has not closed yet (PostgreSQL's verdict still to come). */
  cutting: number;
  done: (cuts: CutRecord[]) => void;
  /** Called when `cutting` drops to 0. */
  settled?: () => void;
};

const SSL_REQUEST = 80877103;
const GSSENC_REQUEST = 80877104;
const CANCEL_REQUEST = 80877102;

export type ProxyStats = { connections: number; open: number; statements: number; cuts: number };

export class PgProxy {
  readonly stats: ProxyStats = { connections: 0, open: 0, statements: 0, cuts: 0 };
  private readonly sockets = new Set<net.Socket>();
  private arms: Arm[] = [];

  private constructor(
    private readonly server: net.Server,
    readonly port: number,
    readonly target: { host: string; port: number },
  ) {}

  /** Listens on 127.0.0.1:`port` (default a free port) and forwards to `target`. */
  static async start(target: { host?: string; port: number }, port = 0): Promise<PgProxy> {
    const to = { host: target.host ?? '127.0.0.1', port: target.port };
    let proxy: PgProxy | null = null;
    const server = net.createServer((client) => proxy?.accept(client));
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, '127.0.0.1', () => resolve());
    });
    const address = server.address();
    proxy = new PgProxy(server, typeof address === 'object' && address ? address.port : port, to);
    return proxy;
  }

  /** `databaseUrl` with host and port replaced by the proxy's. */
  url(databaseUrl: string): string {
    const url = new URL(databaseUrl);
    url.hostname = '127.0.0.1';
    url.port = String(this.port);
    return url.toString();
  }

  /**
   * The next `count` statements matching `predicate` are committed by PostgreSQL but their replies
   * never reach the client: its connection is cut right after the Sync (or Query) is forwarded.
   * Resolves with the cuts once all `count` happened.
   */
  armCutAfter(predicate: StatementPredicate, count = 1): Promise<CutRecord[]> {
    return new Promise((resolve) => {
      this.arms.push({ predicate, count, remaining: count, cuts: [], cutting: 0, done: resolve });
    });
  }

  /**
   * Stops cutting: pending arms resolve with the cuts they made (fewer than asked, maybe none), once
   * every cut already made has PostgreSQL's verdict recorded.
   */
  async disarm(): Promise<void> {
    const arms = this.arms;
    this.arms = [];
    await Promise.all(
      arms.map(async (arm) => {
        arm.remaining = 0;
        if (arm.cutting > 0) await new Promise<void>((resolve) => (arm.settled = resolve));
        arm.done(arm.cuts);
      }),
    );
  }

  /** Drops every open connection (both sides), like a network blip. */
  dropAll(): void {
    for (const socket of this.sockets) socket.destroy();
  }

  async close(): Promise<void> {
    this.dropAll();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private claim(sql: string, inTransaction: boolean): Arm | null {
    const arm = this.arms.find((a) => a.remaining > 0 && a.predicate(sql, { inTransaction }));
    if (!arm) return null;
    arm.remaining -= 1;
    return arm;
  }

  private accept(client: net.Socket) {
    const id = ++this.stats.connections;
    this.stats.open += 1;
    const upstream = net.connect(this.target.port, this.target.host);
    this.sockets.add(client);
    this.sockets.add(upstream);
    client.setNoDelay(true);
    upstream.setNoDelay(true);

    let startup = true;
    let pending: Buffer = Buffer.alloc(0);
    let serverPending: Buffer = Buffer.alloc(0);
    const statements = new Map<string, string>(); // prepared statement name → SQL ('' = unnamed)
    const portals = new Map<string, { sql: string; parameters: string }>(); // portal name → SQL and its Bind message
    let transaction: 'I' | 'T' | 'E' = 'I'; // from the last ReadyForQuery
    let executed: { arm: Arm; sql: string; parameters?: string } | null = null; // matching Execute, waiting for its Sync
    let awaitingCommit: { arm: Arm; sql: string; parameters?: string } | null = null; // matching statement inside BEGIN … COMMIT
    let commitExecuted = false; // an extended-protocol COMMIT of that transaction, waiting for its Sync
    let cut: { arm: Arm; record: CutRecord } | null = null;

    let clientClosed = false;
    let upstreamClosed = false;
    const closed = () => {
      if (!clientClosed || !upstreamClosed) return;
      this.stats.open -= 1;
      this.sockets.delete(client);
      this.sockets.delete(upstream);
      if (awaitingCommit && !cut) awaitingCommit.arm.remaining += 1; // never committed through us
    };
    client.on('close', () => {
      clientClosed = true;
      // After a cut, PostgreSQL's side is left to finish reading the Sync / COMMIT; otherwise both go.
      if (!cut) upstream.destroy();
      closed();
    });
    upstream.on('close', () => {
      upstreamClosed = true;
      client.destroy();
      if (cut) this.recordCut(cut.arm, cut.record);
      closed();
    });
    client.on('error', () => client.destroy());
    upstream.on('error', () => upstream.destroy());

    upstream.on('data', (chunk: Buffer) => {
      if (!cut) client.write(chunk);
      serverPending = serverPending.length ? Buffer.concat([serverPending, chunk]) : chunk;
      while (serverPending.length >= 5) {
        const length = serverPending.readInt32BE(1);
        if (serverPending.length < 1 + length) break;
        const type = String.fromCharCode(serverPending[0]!);
        const body = serverPending.subarray(5, 1 + length);
        serverPending = serverPending.subarray(1 + length);
        if (type === 'Z') transaction = String.fromCharCode(body[0]!) as 'I' | 'T' | 'E';
        // After a cut the app hears nothing; we still note PostgreSQL's verdict.
        if (!cut || cut.record.serverReply !== 'none') continue;
        if (type === 'C') {
          const tag = cstrings(body, 1)[0]!;
          cut.record.serverReply = tag === 'ROLLBACK' ? 'rolled-back' : 'committed';
          cut.record.detail = tag;
        } else if (type === 'E') {
          cut.record.serverReply = 'error';
          cut.record.detail = errorField(body, 'C');
        }
      }
    });

    client.on('data', (chunk: Buffer) => {
      if (cut) return;
      pending = pending.length ? Buffer.concat([pending, chunk]) : chunk;
      const out: Buffer[] = [];
      let cutNow: (Omit<CutRecord, 'connection' | 'serverReply' | 'at'> & { arm: Arm }) | null = null;
      while (!cutNow) {
        if (startup) {
          if (pending.length < 8) break;
          const length = pending.readInt32BE(0);
          if (pending.length < length) break;
          const code = pending.readInt32BE(4);
          const message = pending.subarray(0, length);
          pending = pending.subarray(length);
          if (code === SSL_REQUEST || code === GSSENC_REQUEST) {
            client.write('N'); // no encryption; the client goes on with a plain startup packet
            continue;
          }
          out.push(message);
          if (code !== CANCEL_REQUEST) startup = false;
          continue;
        }
        if (pending.length < 5) break;
        const length = pending.readInt32BE(1);
        if (pending.length < 1 + length) break;
        const type = String.fromCharCode(pending[0]!);
        const body = pending.subarray(5, 1 + length);
        out.push(pending.subarray(0, 1 + length));
        pending = pending.subarray(1 + length);
        switch (type) {
          case 'P': {
            const [name, sql] = cstrings(body, 2);
            statements.set(name!, sql!);
            this.stats.statements += 1;
            break;
          }
          case 'B': {
            const [portal, statement] = cstrings(body, 2);
            portals.set(portal!, { sql: statements.get(statement!) ?? '', parameters: body.toString('utf8') });
            break;
          }
          case 'E': {
            const { sql, parameters } = portals.get(cstrings(body, 1)[0]!) ?? { sql: '', parameters: '' };
            if (awaitingCommit) {
              if (COMMIT.test(sql)) commitExecuted = true;
              else if (ROLLBACK.test(sql)) awaitingCommit = release(awaitingCommit);
            } else if (!executed) {
              const arm = this.claim(sql, transaction !== 'I');
              if (arm) executed = { arm, sql, parameters };
            }
            break;
          }
          case 'S':
            if (awaitingCommit && commitExecuted)
              cutNow = { ...awaitingCommit, protocol: 'extended', inTransaction: true };
            else if (executed && transaction === 'I')
              cutNow = { ...executed, protocol: 'extended', inTransaction: false };
            else if (executed) awaitingCommit = executed;
            executed = null;
            break;
          case 'Q': {
            const [sql] = cstrings(body, 1);
            this.stats.statements += 1;
            if (awaitingCommit) {
              if (COMMIT.test(sql!)) cutNow = { ...awaitingCommit, protocol: 'simple', inTransaction: true };
              else if (ROLLBACK.test(sql!)) awaitingCommit = release(awaitingCommit);
            } else {
              const arm = this.claim(sql!, transaction !== 'I');
              if (arm && transaction === 'I') cutNow = { arm, sql: sql!, protocol: 'simple', inTransaction: false };
              else if (arm) awaitingCommit = { arm, sql: sql! };
            }
            break;
          }
        }
      }
      const bytes = Buffer.concat(out);
      if (!cutNow) {
        if (bytes.length > 0) upstream.write(bytes);
        return;
      }
      const { arm, ...rest } = cutNow;
      cut = { arm, record: { ...rest, connection: id, serverReply: 'none', at: Date.now() } };
      arm.cutting += 1;
      awaitingCommit = null;
      pending = Buffer.alloc(0);
      upstream.write(bytes, () => {
        client.destroy(); // the app's query fails: "Connection terminated unexpectedly"
        upstream.end(); // FIN after the Sync / COMMIT: PostgreSQL commits, answers (to us), then sees EOF
      });
    });
  }

  private recordCut(arm: Arm, record: CutRecord) {
    this.stats.cuts += 1;
    arm.cuts.push(record);
    arm.cutting -= 1;
    if (arm.cutting === 0) arm.settled?.();
    if (arm.cuts.length === arm.count) {
      this.arms = this.arms.filter((a) => a !== arm);
      arm.done(arm.cuts);
    }
  }
}

const COMMIT = /^\s*(COMMIT|END)\b/i;
const ROLLBACK = /^\s*(ROLLBACK|ABORT)\b/i;

/** A transaction rolled back instead of committing: its arm may cut another one. */
function release(claimed: { arm: Arm }): null {
  claimed.arm.remaining += 1;
  return null;
}

/** The first `n` NUL-terminated strings of a message body. */
function cstrings(body: Buffer, n: number): string[] {
  const result: string[] = [];
  let offset = 0;
  for (let i = 0; i < n; i++) {
    const end = body.indexOf(0, offset);
    if (end < 0) break;
    result.push(body.toString('utf8', offset, end));
    offset = end + 1;
  }
  while (result.length < n) result.push('');
  return result;
}

/** A field of an ErrorResponse body (e.g. 'C' = SQLSTATE). */
function errorField(body: Buffer, field: string): string | undefined {
  let offset = 0;
  while (offset < body.length && body[offset] !== 0) {
    const code = String.fromCharCode(body[offset]!);
    const end = body.indexOf(0, offset + 1);
    if (end < 0) return undefined;
    if (code === field) return body.toString('utf8', offset + 1, end);
    offset = end + 1;
  }
  return undefined;
}
