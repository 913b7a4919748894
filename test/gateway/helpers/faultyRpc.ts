import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { keccak256, type Hex } from "viem";

/** How often each fault strikes (0 to 1, per request), and how. */
export type Faults = {
  /** The connection is cut before an answer (the request is not forwarded). */
  drop?: number;
  /** HTTP 429 Too Many Requests (not forwarded). */
  tooMany?: number;
  /** HTTP 500 (not forwarded). */
  serverError?: number;
  /** Forwarded, but the answer is held back `hangMs` and the connection then cut (a client time-out). */
  timeout?: number;
  /** eth_sendRawTransaction answered with the transaction's hash and never forwarded: never mined. */
  swallowTx?: number;
  /** Only requests calling one of these JSON-RPC methods are struck (default: every request). */
  methods?: readonly string[];
};

/** The kinds of fault of {@link Faults}. */
export type FaultKind = Exclude<keyof Faults, "methods">;

/** A JSON-RPC proxy in front of a node, failing requests at seeded random. */
export type FaultyRpc = {
  url: string;
  /** Replaces the faults (all zero = a faithful proxy). */
  set(faults: Faults): void;
  /** How many requests each fault struck, and how many were forwarded. */
  counts: Record<FaultKind | "forwarded", number>;
  close(): Promise<void>;
};

/** mulberry32: a seeded run can be replayed. */
function prng(seed: number): () => number {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * Starts a proxy in front of `target` that drops connections, answers 429/500, times out, and
 * swallows sent transactions at the rates of {@link Faults} (seeded).
 *
 * @param target - the node's URL.
 * @param options.seed - random seed; options.hangMs - how long a timed-out answer is held (default 3 s).
 * @returns the proxy.
 * @example
 * const rpc = await startFaultyRpc(anvil.url, { seed: 7 }); rpc.set({ drop: 0.1, swallowTx: 0.3 });
 */
export async function startFaultyRpc(
  target: string,
  options: { seed?: number; hangMs?: number } = {},
): Promise<FaultyRpc> {
  const random = prng(options.seed ?? 1);
  const hangMs = options.hangMs ?? 3_000;
  let faults: Faults = {};
  const counts = { drop: 0, tooMany: 0, serverError: 0, timeout: 0, swallowTx: 0, forwarded: 0 };
  const strikes = (k: FaultKind, method: string | undefined) =>
    (faults[k] ?? 0) > 0 &&
    (faults.methods === undefined || (method !== undefined && faults.methods.includes(method))) &&
    random() < faults[k]!;
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      void (async () => {
        const body = Buffer.concat(chunks).toString();
        const call = JSON.parse(body) as { id: number; method: string; params: unknown[] } | unknown[];
        const method = Array.isArray(call) ? undefined : call.method;
        if (strikes("drop", method)) {
          counts.drop++;
          return req.socket.destroy();
        }
        if (strikes("tooMany", method)) {
          counts.tooMany++;
          res.writeHead(429, { "content-type": "text/plain" }).end("Too Many Requests");
          return;
        }
        if (strikes("serverError", method)) {
          counts.serverError++;
          res.writeHead(500, { "content-type": "text/plain" }).end("Internal Server Error");
          return;
        }
        if (!Array.isArray(call) && call.method === "eth_sendRawTransaction" && strikes("swallowTx", method)) {
          counts.swallowTx++;
          const hash = keccak256(call.params[0] as Hex);
          res.writeHead(200, { "content-type": "application/json" });
          res.end(JSON.stringify({ jsonrpc: "2.0", id: call.id, result: hash }));
          return;
        }
        const hang = strikes("timeout", method);
        counts.forwarded++;
        let answer: string;
        try {
          const r = await fetch(target, { method: "POST", headers: { "content-type": "application/json" }, body });
          answer = await r.text();
        } catch {
          return req.socket.destroy();
        }
        if (hang) {
          counts.timeout++;
          setTimeout(() => req.socket.destroy(), hangMs);
          return;
        }
        res.writeHead(200, { "content-type": "application/json" }).end(answer);
      })();
    });
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}`,
    set: (f) => void (faults = { ...f }),
    counts,
    close: () =>
      new Promise<void>((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  };
}
