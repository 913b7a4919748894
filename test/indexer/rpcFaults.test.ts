import { spawn } from "node:child_process";
import type { ChildProcess } from "node:child_process";
import { createServer } from "node:net";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { HttpRequestError, ResponseBodyTooLargeError, TimeoutError } from "viem";
import { classifyRpcError } from "../../indexer/chain/classifyRpcError.js";
import { createIndexer } from "../../indexer/createIndexer.js";
import type { IndexerEvent } from "../../indexer/createIndexer.js";
import { IndexerRangeTooLargeError, IndexerRpcError } from "../../indexer/errors.js";
import { getStateDigest } from "../../indexer/query/getStateDigest.js";
import { deployLedgerChain, httpProvider, replayDigest, runScenario } from "./helpers/ledgerChain.js";
import type { LedgerChain } from "./helpers/ledgerChain.js";
import { forwardToUrl, serveRpc } from "./helpers/serveRpc.js";
import { STORE_KINDS, openTestStore, startPostgres } from "./helpers/stores.js";
import type { TestPostgres } from "./helpers/stores.js";

let pg: TestPostgres | null = null;
let node: ChildProcess;
let nodeUrl: string;
let chain: LedgerChain;
let canonical: { digest: string; events: number; block: number };

async function freePort(): Promise<number> {
  return await new Promise((resolve) => {
    const s = createServer();
    s.listen(0, "127.0.0.1", () => {
      const port = (s.address() as AddressInfo).port;
      s.close(() => resolve(port));
    });
  });
}

beforeAll(async () => {
  pg = await startPostgres();
  const port = await freePort();
  nodeUrl = `http://127.0.0.1:${port}`;
  node = spawn("node_modules/.bin/hardhat", ["node", "--port", String(port), "--hostname", "127.0.0.1"], {
    stdio: ["ignore", "pipe", "pipe"],
  });
  await new Promise<void>((resolve, reject) => {
    let out = "";
    node.stdout!.on("data", (d: Buffer) => {
      out += d.toString();
      if (/Started HTTP/i.test(out)) resolve();
    });
    node.once("exit", (code) => reject(new Error(`hardhat node exited (${code}): ${out}`)));
  });
  node.stdout!.resume();
  node.stderr!.resume();
  chain = await deployLedgerChain(httpProvider(nodeUrl));
  await runScenario(chain, { seed: 71, steps: 50, itemsPerTx: 20, batchCount: 2, keysPerBatch: 8_192 });
  canonical = await replayDigest(chain);
});
afterAll(async () => {
  node?.kill("SIGTERM");
  await pg?.stop();
});

describe("RPC error classification", () => {
  it("types errors as range-too-large, retryable or not", () => {
    const c = (error: unknown, method = "eth_getLogs") =>
      classifyRpcError({ error, method, url: "http://127.0.0.1:1" });
    expect(c(new ResponseBodyTooLargeError({ maxSize: 10_485_760, size: 20_000_000 }))).toBeInstanceOf(
      IndexerRangeTooLargeError,
    );
    expect(c({ code: -32005, message: "query returned more than 10000 results" })).toBeInstanceOf(
      IndexerRangeTooLargeError,
    );
    expect(c({ code: -32005, message: "limit exceeded" }, "eth_blockNumber")).toMatchObject({ retryable: true });
    expect(c(new TimeoutError({ body: {}, url: "x" }))).toMatchObject({ retryable: true });
    expect(c(new HttpRequestError({ url: "x", status: 429 }))).toMatchObject({ retryable: true });
    expect(c(new HttpRequestError({ url: "x", status: 503 }))).toMatchObject({ retryable: true });
    expect(c(new HttpRequestError({ url: "x", status: 401 }))).toMatchObject({ retryable: false });
    expect(c(new HttpRequestError({ url: "x", cause: new SyntaxError("Unexpected end of JSON input") }))).toMatchObject(
      { retryable: true },
    );
    expect(c({ code: -32601, message: "method not found" }, "eth_foo")).toMatchObject({ retryable: false });
    expect(c({ code: -32601, message: "method not found" }, "eth_foo")).toBeInstanceOf(IndexerRpcError);
  });
});

describe.each(STORE_KINDS)("RPC faults on %s (proxy in front of `hardhat node`)", (kind) => {
  it("drops, delays, 429s, 500s and truncated bodies (seeded): bounded retries converge to the replay's state", async () => {
    const proxy = await serveRpc({
      forward: forwardToUrl(nodeUrl),
      seed: kind === "pglite" ? 4242 : 4343,
      faults: { drop: 0.07, status429: 0.07, status500: 0.07, truncate: 0.07, delay: 0.05, delayMs: 400 },
    });
    const store = await openTestStore(kind, pg);
    const events: IndexerEvent[] = [];
    try {
      const indexer = createIndexer({
        store,
        rpcUrls: [proxy.url],
        ledger: chain.ledger,
        startBlock: chain.deployBlock,
        chunk: { initialBlocks: 2, maxBlocks: 3 },
        retry: { maxAttempts: 20, baseDelayMs: 2, maxDelayMs: 20, timeoutMs: 300 },
        onEvent: (e) => events.push(e),
      });
      await indexer.run({ untilBlock: canonical.block });
      expect((await getStateDigest(store))!).toEqual({ block: canonical.block, digest: canonical.digest });
      for (const f of ["drop", "status429", "status500", "truncate", "delay"])
        expect(proxy.counts[f], f).toBeGreaterThan(0);
      const retries = events.filter((e) => e.type === "retry");
      expect(retries.length).toBeGreaterThan(5);
      expect(retries.some((e) => e.type === "retry" && /timed out/.test(e.info.error.shortMessage))).toBe(true);
    } finally {
      await store.close();
      await proxy.close();
    }
  });

  it("falls back to the next RPC URL when the first is down, and shrinks ranges on 'too many results'", async () => {
    const dead = `http://127.0.0.1:${await freePort()}`;
    const upstream = forwardToUrl(nodeUrl);
    let refused = 0;
    const picky = await serveRpc({
      forward: async (body) => {
        const m = JSON.parse(body) as { id: number; method: string; params: { fromBlock: string; toBlock: string }[] };
        if (
          !Array.isArray(m) &&
          m.method === "eth_getLogs" &&
          Number(m.params[0]!.toBlock) - Number(m.params[0]!.fromBlock) >= 4
        ) {
          refused++;
          return JSON.stringify({
            jsonrpc: "2.0",
            id: m.id,
            error: { code: -32005, message: "query returned more than 10000 results" },
          });
        }
        return await upstream(body);
      },
    });
    const store = await openTestStore(kind, pg);
    const events: IndexerEvent[] = [];
    try {
      await createIndexer({
        store,
        rpcUrls: [dead, picky.url],
        ledger: chain.ledger,
        startBlock: chain.deployBlock,
        chunk: { initialBlocks: 256 },
        retry: { baseDelayMs: 1, maxDelayMs: 5 },
        onEvent: (e) => events.push(e),
      }).run({ untilBlock: canonical.block });
      expect((await getStateDigest(store))!.digest).toBe(canonical.digest);
      expect(refused).toBeGreaterThan(0);
      expect(events.some((e) => e.type === "chunk" && e.reason === "too-large")).toBe(true);
      expect(events.some((e) => e.type === "retry" && e.info.url === dead)).toBe(true);
    } finally {
      await store.close();
      await picky.close();
    }
  });

  it("gives up after bounded retries with a non-retryable error naming the method", async () => {
    const down = await serveRpc({ forward: forwardToUrl(nodeUrl), faults: { status500: 1 } });
    const store = await openTestStore(kind, pg);
    try {
      const err = await createIndexer({
        store,
        rpcUrls: [down.url],
        ledger: chain.ledger,
        startBlock: chain.deployBlock,
        retry: { maxAttempts: 4, baseDelayMs: 1, maxDelayMs: 2 },
      })
        .run()
        .catch((e: unknown) => e);
      expect(err).toBeInstanceOf(IndexerRpcError);
      expect((err as IndexerRpcError).message).toMatch(/eth_chainId: gave up after 4 attempts/);
      expect(down.counts.requests).toBe(4);
    } finally {
      await store.close();
      await down.close();
    }
  });
});
