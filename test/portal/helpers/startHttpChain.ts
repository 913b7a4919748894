import { createServer, type IncomingMessage, type Server } from "node:http";
import hre from "hardhat";

/** An in-process Hardhat chain exposed over HTTP JSON-RPC on 127.0.0.1 (CORS open, like `hardhat node`). */
export type HttpChain = {
  url: string;
  viem: Awaited<ReturnType<typeof hre.network.connect>>["viem"];
  /** Stops answering: closes the listener and every open connection (the RPC goes away mid-session). */
  switchOff: () => Promise<void>;
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
 * Starts the chain and its HTTP endpoint on a free port.
 *
 * @returns the endpoint URL, the viem helpers of the connection, and switches
 * @example
 * const chain = await startHttpChain();
 */
export async function startHttpChain(): Promise<HttpChain> {
  const conn = await hre.network.connect();
  const provider = conn.provider;
  const handle = async (msg: { id?: unknown; method?: unknown; params?: unknown }) => {
    try {
      const result = await provider.request({ method: String(msg.method), params: (msg.params as unknown[]) ?? [] });
      return { jsonrpc: "2.0", id: msg.id ?? null, result };
    } catch (error) {
      const e = error as { code?: number; message?: string; data?: unknown };
      return {
        jsonrpc: "2.0",
        id: msg.id ?? null,
        error: { code: typeof e.code === "number" ? e.code : -32000, message: e.message ?? "error", data: e.data },
      };
    }
  };
  const server: Server = createServer(async (req, res) => {
    res.setHeader("access-control-allow-origin", "*");
    res.setHeader("access-control-allow-headers", "content-type");
    res.setHeader("access-control-allow-methods", "POST, OPTIONS");
    if (req.method === "OPTIONS") return res.writeHead(204).end();
    if (req.method !== "POST") return res.writeHead(405).end();
    let parsed: unknown;
    try {
      parsed = JSON.parse(await body(req));
    } catch {
      return res
        .writeHead(400, { "content-type": "application/json" })
        .end(JSON.stringify({ jsonrpc: "2.0", id: null, error: { code: -32700, message: "parse error" } }));
    }
    const answer = Array.isArray(parsed)
      ? await Promise.all(parsed.map((m) => handle(m as never)))
      : await handle(parsed as never);
    res
      .writeHead(200, { "content-type": "application/json" })
      .end(JSON.stringify(answer, (_, v) => (typeof v === "bigint" ? `0x${v.toString(16)}` : v)));
  });
  await new Promise<void>((ok) => server.listen(0, "127.0.0.1", ok));
  const port = (server.address() as { port: number }).port;
  let closed = false;
  const switchOff = async () => {
    if (closed) return;
    closed = true;
    await new Promise<void>((ok) => {
      server.close(() => ok());
      server.closeAllConnections();
    });
  };
  return {
    url: `http://127.0.0.1:${port}`,
    viem: conn.viem,
    switchOff,
    close: async () => {
      await switchOff();
      await conn.close?.();
    },
  };
}
