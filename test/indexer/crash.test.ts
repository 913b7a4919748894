import { spawn } from "node:child_process";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createIndexer } from "../../indexer/createIndexer.js";
import { getStateDigest } from "../../indexer/query/getStateDigest.js";
import { openStore } from "../../indexer/store/openStore.js";
import { deployLedgerChain, readLedgerEvents, replayDigest, runScenario } from "./helpers/ledgerChain.js";
import type { LedgerChain } from "./helpers/ledgerChain.js";
import { forwardToProvider, prng, serveRpc } from "./helpers/serveRpc.js";
import { STORE_KINDS, freshPgliteDir, openTestStore, startPostgres } from "./helpers/stores.js";
import type { TestPostgres } from "./helpers/stores.js";

let pg: TestPostgres | null = null;
let chain: LedgerChain;
let rpc: Awaited<ReturnType<typeof serveRpc>>;
let canonical: { digest: string; events: number; block: number };
let transferEvents = 0;

beforeAll(async () => {
  pg = await startPostgres();
  chain = await deployLedgerChain();
  await runScenario(chain, { seed: 61, steps: 220, itemsPerTx: 40, batchCount: 3, keysPerBatch: 50_000 });
  rpc = await serveRpc({ forward: forwardToProvider(chain.provider) });
  canonical = await replayDigest(chain);
  transferEvents = (await readLedgerEvents(chain)).filter((e) => e.eventName === "CustodyTransferred").length;
});
afterAll(async () => {
  await rpc?.close();
  await pg?.stop();
});

/** Runs the child indexer; kills it with SIGKILL after `killAfter` committed ranges plus a random few ms (or lets it finish). */
function runChild(
  env: Record<string, string>,
  killAfter: number | null,
  delayMs: number,
): Promise<{ killed: boolean; ranges: number }> {
  return new Promise((resolve, reject) => {
    const child = spawn(
      process.execPath,
      ["--import", "tsx", "test/indexer/helpers/indexChild.ts", rpc.url, chain.ledger, String(chain.deployBlock)],
      {
        env: { ...process.env, ...env },
        stdio: ["ignore", "pipe", "pipe"],
      },
    );
    let ranges = 0;
    let killed = false;
    let err = "";
    let buf = "";
    child.stdout.on("data", (d: Buffer) => {
      buf += d.toString();
      const lines = buf.split("\n");
      buf = lines.pop()!;
      for (const l of lines) {
        if (!l.startsWith("range ")) continue;
        ranges++;
        if (killAfter !== null && ranges === killAfter && !killed) {
          killed = true;
          setTimeout(() => child.kill("SIGKILL"), delayMs);
        }
      }
    });
    child.stderr.on("data", (d: Buffer) => (err += d.toString()));
    child.on("close", (code, signal) => {
      if (signal === "SIGKILL" || code === 0) resolve({ killed: signal === "SIGKILL", ranges });
      else reject(new Error(`child exited with ${code}: ${err}`));
    });
  });
}

describe.each(STORE_KINDS)("crash safety on %s", (kind) => {
  // Four child processes (a tsx start-up each) backfill thousands of events: correctness, not speed, is
  // asserted, so the time bound (below) is generous enough for a loaded machine.
  it("kill -9 at random points during a backfill, restart: same digest as a clean run, no duplicate or lost rows", async () => {
    expect(canonical.events).toBeGreaterThan(2_000);
    let env: Record<string, string>;
    let reopen: () => ReturnType<typeof openStore>;
    if (kind === "postgres") {
      const url = await pg!.createDatabase(`crash_${Date.now()}`);
      env = { DATABASE_URL: url };
      reopen = () => openStore({ databaseUrl: url });
    } else {
      const dir = await freshPgliteDir();
      env = { KEYTRAIL_TEST_DB: dir, DATABASE_URL: "" };
      reopen = () => openStore({ dataDir: dir });
    }
    const rand = prng(kind === "postgres" ? 1001 : 2002);
    let kills = 0;
    for (let round = 0; round < 3; round++) {
      const r = await runChild(env, 2 + Math.floor(rand() * 12), Math.floor(rand() * 25));
      if (r.killed) kills++;
    }
    const final = await runChild(env, null, 0);
    expect(final.killed).toBe(false);
    expect(kills).toBeGreaterThanOrEqual(2);

    const store = await reopen();
    const clean = await openTestStore(kind, pg);
    try {
      await createIndexer({
        store: clean,
        rpcUrls: [rpc.url],
        ledger: chain.ledger,
        startBlock: chain.deployBlock,
      }).run({ untilBlock: canonical.block });
      const crashed = (await getStateDigest(store))!;
      expect(crashed.block).toBe(canonical.block);
      expect(crashed.digest).toBe(canonical.digest);
      expect(crashed).toEqual(await getStateDigest(clean));
      const count = async (s: typeof store, t: string) =>
        (await s.query<{ n: number }>(`SELECT count(*)::int8 AS n FROM ${t}`))[0]!.n;
      expect(await count(store, "kt_transfers")).toBe(transferEvents);
      for (const t of [
        "kt_transfers",
        "kt_batches",
        "kt_parties",
        "kt_segments",
        "kt_redemption_words",
        "kt_revocations",
        "kt_redemptions",
        "kt_authorizations",
        "kt_sales",
        "kt_sale_ranges",
        "kt_sale_items",
        "kt_refunds",
        "kt_rekeys",
        "kt_rekey_proposals",
      ]) {
        expect(await count(store, t), t).toBe(await count(clean, t));
      }
      // The same rows: compare full content of the custody history.
      const q =
        "SELECT block, log_index, batch_no, from_addr, to_addr, seg_start, seg_end, authorized FROM kt_transfers ORDER BY block, log_index";
      expect(await store.query(q)).toEqual(await clean.query(q));
    } finally {
      await store.close();
      await clean.close();
    }
  }, 360_000);
});
