import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";

type Provider = { request(a: { method: string; params?: unknown[] }): Promise<unknown> };

/** Serves an in-process EIP-1193 provider as JSON-RPC over HTTP on 127.0.0.1 (free port). */
export async function serveProvider(provider: Provider): Promise<{ url: string; close(): Promise<void> }> {
  const one = async (m: { id?: unknown; method: string; params?: unknown[] }) => {
    try {
      return {
        jsonrpc: "2.0",
        id: m.id ?? null,
        result: await provider.request({ method: m.method, params: m.params ?? [] }),
      };
    } catch (e) {
      return { jsonrpc: "2.0", id: m.id ?? null, error: { code: -32000, message: (e as Error).message } };
    }
  };
  const server: Server = createServer(async (req, res) => {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const body = JSON.parse(Buffer.concat(chunks).toString("utf8")) as unknown;
    const out = Array.isArray(body) ? await Promise.all(body.map(one)) : await one(body as { method: string });
    res
      .writeHead(200, { "content-type": "application/json" })
      .end(JSON.stringify(out, (_k, v) => (typeof v === "bigint" ? `0x${v.toString(16)}` : v)));
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  const { port } = server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}`, close: () => new Promise<void>((r) => server.close(() => r())) };
}
