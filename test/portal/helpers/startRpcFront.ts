import { createServer, type IncomingMessage } from "node:http";
import type { AddressInfo } from "node:net";

/** How a front answers: forward to its target, or answer `eth_getProof` like a node that lacks it. */
export type FrontMode = "forward" | "no-get-proof";

/** A switchable JSON-RPC front (CORS open, like `hardhat node`), so one portal build can face several RPCs. */
export type RpcFront = {
  url: string;
  /** Where requests go from now on (an honest node or a lying proxy). */
  target: string;
  mode: FrontMode;
  close: () => Promise<void>;
};

function body(req: IncomingMessage): Promise<string> {
  return new Promise((ok, fail) => {
    let s = "";
    req.setEncoding("utf8");
    req.on("data", (c: string) => (s += c));
    req.on("end", () => ok(s));
    req.on("error", fail);
  });
}

/**
 * Starts a JSON-RPC front on 127.0.0.1 that forwards POSTs to a target that can be changed between
 * page loads. In mode `no-get-proof` it answers `eth_getProof` with JSON-RPC error -32601, as a node
 * without the method does.
 *
 * @param target - the first target URL
 * @returns the front (its URL, the mutable target and mode, close)
 * @example
 * const front = await startRpcFront(chain.url);
 * front.target = liar.url;
 */
export async function startRpcFront(target: string): Promise<RpcFront> {
  const front = { target, mode: "forward" as FrontMode };
  const server = createServer(async (req, res) => {
    res.setHeader("access-control-allow-origin", "*");
    res.setHeader("access-control-allow-headers", "content-type");
    res.setHeader("access-control-allow-methods", "POST, OPTIONS");
    if (req.method === "OPTIONS") return res.writeHead(204).end();
    if (req.method !== "POST") return res.writeHead(405).end();
    const text = await body(req);
    if (front.mode === "no-get-proof") {
      // A node without the method answers it with -32601, alone or inside a batch.
      type Msg = { id?: unknown; method?: unknown };
      const parsed = JSON.parse(text) as Msg | Msg[];
      const lacking = (msg: Msg) => ({
        jsonrpc: "2.0",
        id: msg.id ?? null,
        error: { code: -32601, message: "the method eth_getProof does not exist/is not available" },
      });
      const msgs = Array.isArray(parsed) ? parsed : [parsed];
      if (msgs.some((m) => m.method === "eth_getProof")) {
        const rest = msgs.filter((m) => m.method !== "eth_getProof");
        const answered = new Map<unknown, unknown>();
        if (rest.length > 0) {
          const upstream = await fetch(front.target, {
            method: "POST",
            headers: { "content-type": "application/json" },
            body: JSON.stringify(rest),
          }).catch(() => undefined);
          const got = upstream?.ok ? ((await upstream.json()) as { id?: unknown }[]) : [];
          for (const a of Array.isArray(got) ? got : []) answered.set(a.id, a);
        }
        const out = msgs.map((m) => (m.method === "eth_getProof" ? lacking(m) : (answered.get(m.id) ?? lacking(m))));
        return res
          .writeHead(200, { "content-type": "application/json" })
          .end(JSON.stringify(Array.isArray(parsed) ? out : out[0]));
      }
    }
    try {
      const upstream = await fetch(front.target, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: text,
      });
      res.writeHead(upstream.status, { "content-type": "application/json" }).end(await upstream.text());
    } catch {
      res.writeHead(502).end();
    }
  });
  await new Promise<void>((ok) => server.listen(0, "127.0.0.1", ok));
  const { port } = server.address() as AddressInfo;
  return Object.assign(front, {
    url: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((ok) => {
        server.close(() => ok());
        server.closeAllConnections();
      }),
  });
}
