import fs from "node:fs";
import path from "node:path";
import type { PgDatabase, PgQueryResultHKT } from "drizzle-orm/pg-core";
import * as schema from "./schema";

export type Schema = typeof schema;
/** Either driver's database (or a transaction on it): query code is written once against this. */
export type Db = PgDatabase<PgQueryResultHKT, Schema>;

export type Database = {
  db: Db;
  kind: "pglite" | "postgres";
  close: () => Promise<void>;
};

const embeddedDbs = new WeakSet<object>();

/**
 * Is this the embedded database (PGlite: one connection in this process, whose statements
 * run on the event loop)? Long statements there hold up every other request, so heavy
 * maintenance is done in smaller steps.
 */
export function isEmbedded(db: Db): boolean {
  return embeddedDbs.has(db);
}

export class DatabaseLockedError extends Error {
  override name = "DatabaseLockedError";
}

/**
 * PGlite is a single-process database: two processes on one data directory corrupt it.
 * A lock file (created with O_EXCL) holds the owner's pid; a second live process fails
 * fast with a clear message, a stale lock (dead pid) is taken over.
 */
function acquireDataDirLock(dir: string): () => void {
  secureDataDir(dir);
  const lockFile = path.join(dir, "pglite.lock");
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      const fd = fs.openSync(lockFile, "wx");
      fs.writeSync(fd, JSON.stringify({ pid: process.pid, startedAt: new Date().toISOString() }));
      fs.closeSync(fd);
      const release = () => {
        try {
          const owner = JSON.parse(fs.readFileSync(lockFile, "utf8")) as { pid: number };
          if (owner.pid === process.pid) fs.unlinkSync(lockFile);
        } catch {
          /* already gone */
        }
      };
      process.once("exit", release);
      return release;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== "EEXIST") throw e;
      let pid = 0;
      try {
        pid = (JSON.parse(fs.readFileSync(lockFile, "utf8")) as { pid: number }).pid;
      } catch {
        /* unreadable lock: treat as stale */
      }
      if (pid && pid !== process.pid && isAlive(pid)) {
        throw new DatabaseLockedError(
          `The embedded database in ${dir} is already in use by another Ledgerlink process (pid ${pid}). ` +
            `Stop that process first, or set DATABASE_URL to use a shared PostgreSQL server.`,
        );
      }
      fs.rmSync(lockFile, { force: true });
    }
  }
  throw new DatabaseLockedError(`Could not lock ${lockFile}`);
}

/**
 * The embedded database holds every user's data: its folder is 0700 and its files 0600.
 * An existing folder with looser modes (older versions created it 0777/0666) is fixed
 * at start, with one log line. PGlite creates its files 0666 whatever the umask, so they are
 * made private again once it is open and when it closes (the 0700 folder already keeps
 * other users out of everything inside it).
 */
export function secureDataDir(dir: string, { quiet = false } = {}): void {
  process.umask(0o077);
  fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
  let fixed = 0;
  const walk = (p: string, isDir: boolean) => {
    const want = isDir ? 0o700 : 0o600;
    const mode = fs.statSync(p).mode & 0o777;
    if (mode & 0o077) {
      fs.chmodSync(p, want);
      fixed++;
    }
    if (isDir) for (const e of fs.readdirSync(p, { withFileTypes: true })) if (e.isDirectory() || e.isFile()) walk(path.join(p, e.name), e.isDirectory());
  };
  walk(dir, true);
  if (fixed && !quiet) console.warn(`[ledgerlink] Made ${fixed} file(s) in the data folder ${dir} private (folders 0700, files 0600).`);
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === "EPERM";
  }
}

/**
 * Open a database. `url` → PostgreSQL via postgres.js; otherwise PGlite, persisted in
 * `dataDir` (locked to this process) or in memory when `dataDir` is "memory://".
 */
export async function openDatabase(opts: { url?: string; dataDir?: string }): Promise<Database> {
  if (opts.url) {
    const { default: postgres } = await import("postgres");
    const { drizzle } = await import("drizzle-orm/postgres-js");
    const client = postgres(opts.url, { max: 10, onnotice: () => {} });
    const db = drizzle(client, { schema }) as unknown as Db;
    return { db, kind: "postgres", close: () => client.end({ timeout: 5 }) };
  }
  const { PGlite } = await import("@electric-sql/pglite");
  const { drizzle } = await import("drizzle-orm/pglite");
  const dir = opts.dataDir ?? "memory://";
  const release = dir.startsWith("memory://") ? () => {} : acquireDataDirLock(dir);
  let client: InstanceType<typeof PGlite>;
  try {
    client = dir.startsWith("memory://") ? new PGlite() : new PGlite(path.join(dir, "pgdata"));
    await client.waitReady;
    if (!dir.startsWith("memory://")) secureDataDir(dir, { quiet: true });
  } catch (e) {
    release();
    throw e;
  }
  const db = drizzle(client, { schema }) as unknown as Db;
  embeddedDbs.add(db);
  return {
    db,
    kind: "pglite",
    close: async () => {
      await client.close();
      if (!dir.startsWith("memory://")) secureDataDir(dir, { quiet: true });
      release();
    },
  };
}
