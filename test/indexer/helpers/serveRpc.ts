import { createServer } from "node:http";
import type { IncomingMessage, Server, ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { prng } from "../../../scripts/util/prng.js";

export { prng };

/** Fault rates (0..1) of {@link serveRpc}; each request draws from a seeded PRNG. */
export type Faults = {
  drop?: number;
  delay?: number;
  status429?: number;
  status500?: number;
  truncate?: number;
  delayMs?: number;
};

type Forward = (body: string) => Promise<string>;

/**
 * A JSON-RPC HTTP server on 127.0.0.1 (free port) that forwards each body to `forward` — an
 * in-process EIP-1193 provider or an upstream URL — and injects seeded faults: dropped
 * connections, delays, 429, 500 and truncated bodies.
 */
export async function serveRpc(parameters: { forward: Forward; faults?: Faults; seed?: number }): Promise<{
  url: string;
  server: Server;
  counts: Record<string, number>;
  setFaults(f: Faults): void;
  close(): Promise<void>;
}> {
  let faults = parameters.faults ?? {};
  const rand = prng(parameters.seed ?? 1);
  const counts: Record<string, number> = { requests: 0, drop: 0, delay: 0, status429: 0, status500: 0, truncate: 0 };
  const handler = async (req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    counts.requests!++;
    const r = rand();
    let acc = 0;
    const pick = (k: keyof Faults) => {
      acc += (faults[k] as number | undefined) ?? 0;
      return r < acc;
    };
    if (pick("drop")) {
      counts.drop!++;
      req.socket.destroy();
      return;
    }
    if (pick("status429")) {
      counts.status429!++;
      res.writeHead(429, { "content-type": "text/plain" }).end("Too Many Requests");
      return;
    }
    if (pick("status500")) {
      counts.status500!++;
      res.writeHead(500, { "content-type": "text/plain" }).end("Internal Server Error");
      return;
    }
    const truncate = pick("truncate");
    if (pick("delay")) {
      counts.delay!++;
      await new Promise((resolve) => setTimeout(resolve, faults.delayMs ?? 200));
    }
    const out = await parameters.forward(Buffer.concat(chunks).toString("utf8"));
    if (truncate && out.length > 2) {
      counts.truncate!++;
      res.writeHead(200, { "content-type": "application/json" }).end(out.slice(0, Math.floor(out.length / 2)));
      return;
    }
    res.writeHead(200, { "content-type": "application/json" }).end(out);
  };
  const server = createServer((req, res) => {
    handler(req, res).catch(() => res.destroy());
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}`,
    server,
    counts,
    setFaults(f) {
      faults = f;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** Forwards JSON-RPC bodies (single or batch) to an EIP-1193 provider. */
export function forwardToProvider(provider: {
  request(a: { method: string; params?: unknown[] }): Promise<unknown>;
}): Forward {
  const one = async (m: { id: unknown; method: string; params?: unknown[] }) => {
    try {
      const result = await provider.request({ method: m.method, params: m.params ?? [] });
      return { jsonrpc: "2.0", id: m.id, result: result ?? null };
    } catch (e) {
      const err = e as { code?: number; message?: string; data?: unknown };
      return {
        jsonrpc: "2.0",
        id: m.id,
        error: { code: typeof err.code === "number" ? err.code : -32603, message: err.message ?? String(e) },
      };
    }
  };
  return async (body: string) => {
    const msg = JSON.parse(body) as unknown;
    const out = Array.isArray(msg) ? await Promise.all(msg.map(one)) : await one(msg as never);
    return JSON.stringify(out, (_k, v: unknown) => (typeof v === "bigint" ? `0x${v.toString(16)}` : v));
  };
}

/** Forwards JSON-RPC bodies to an upstream HTTP URL. */
export function forwardToUrl(url: string): Forward {
  return async (body: string) => {
    const r = await fetch(url, { method: "POST", headers: { "content-type": "application/json" }, body });
    return await r.text();
  };
}
