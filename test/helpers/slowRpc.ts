import { createServer } from "node:http";
import type { AddressInfo } from "node:net";

/**
 * A JSON-RPC proxy on 127.0.0.1 that answers every request `delayMs` late, as a distant RPC does, and
 * records when each request arrived: {@link countRounds} turns those times into the number of round
 * trips a client waited for.
 *
 * @param parameters.upstream - the node's URL.
 * @param parameters.delayMs - added to every answer.
 * @returns the proxy's URL, the arrival times (ms, `performance.now()`), each request's method(s) in
 *   arrival order (for a failure message) and a close function.
 * @example
 * const slow = await startSlowRpc({ upstream: node.url, delayMs: 150 });
 */
export async function startSlowRpc(parameters: { upstream: string; delayMs: number }) {
  const arrivals: number[] = [];
  const methods: string[] = [];
  const server = createServer(async (req, res) => {
    arrivals.push(performance.now());
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    methods.push(methodsOf(Buffer.concat(chunks).toString()));
    const upstream = await fetch(parameters.upstream, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: Buffer.concat(chunks),
    });
    const text = await upstream.text();
    await new Promise((r) => setTimeout(r, parameters.delayMs));
    res.writeHead(upstream.status, { "content-type": "application/json" });
    res.end(text);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    arrivals,
    methods,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/** The JSON-RPC method of a request body, or its batch's methods joined by `+`. */
function methodsOf(body: string): string {
  try {
    const parsed = JSON.parse(body) as { method?: unknown } | { method?: unknown }[];
    return (Array.isArray(parsed) ? parsed : [parsed]).map((r) => String(r.method)).join("+");
  } catch {
    return "(not JSON)";
  }
}

/**
 * Round trips in a list of request arrival times: a request that arrives more than `gapMs` after the
 * first request of the current round starts a new one (choose `gapMs` below the proxy's delay).
 */
export function countRounds(arrivals: readonly number[], gapMs: number): number {
  let rounds = 0;
  let start = -Infinity;
  for (const t of [...arrivals].sort((a, b) => a - b)) {
    if (t - start > gapMs) {
      rounds++;
      start = t;
    }
  }
  return rounds;
}
