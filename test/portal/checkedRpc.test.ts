/**
 * The verify page's cross-checking JSON-RPC caller (createCheckedRpc): every configured endpoint is
 * asked; equal answers are believed, different answers are "cannot confirm", endpoints that do not
 * answer are left out, a revert agreed by all is passed on, and a pinned block replaces "latest".
 */
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createCheckedRpc, RpcError } from "../../portal/src/scripts/rpc.js";

type Answer = (method: string, params: unknown[]) => { result?: unknown; error?: { message: string; data?: string } };
const servers: Server[] = [];
const seen: unknown[][] = [];

async function node(answer: Answer): Promise<string> {
  const server = createServer(async (req, res) => {
    let body = "";
    for await (const c of req) body += String(c);
    const m = JSON.parse(body) as { id: number; method: string; params: unknown[] };
    seen.push(m.params);
    res
      .writeHead(200, { "content-type": "application/json" })
      .end(JSON.stringify({ jsonrpc: "2.0", id: m.id, ...answer(m.method, m.params) }));
  });
  await new Promise<void>((ok) => server.listen(0, "127.0.0.1", ok));
  servers.push(server);
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

let honest: string;
let twin: string;
let liar: string;
let reverter: string;
let reverter2: string;
const down = "http://127.0.0.1:9/";

beforeAll(async () => {
  const truth: Answer = () => ({ result: "0x01" });
  honest = await node(truth);
  twin = await node(truth);
  liar = await node(() => ({ result: "0x00" }));
  const revert: Answer = () => ({ error: { message: "execution reverted", data: "0xbce899d1" } });
  reverter = await node(revert);
  reverter2 = await node(revert);
});
afterAll(async () => {
  await Promise.all(servers.map((s) => new Promise<void>((ok) => s.close(() => ok()))));
});

describe("createCheckedRpc", () => {
  it("believes answers every answering endpoint agrees on, leaving out one that does not answer", async () => {
    expect(await createCheckedRpc([honest, twin]).request("eth_call", [{}, "latest"])).toBe("0x01");
    expect(await createCheckedRpc([down, honest], 2000).request("eth_call", [{}, "latest"])).toBe("0x01");
  });

  it("two different answers are 'cannot confirm' (unreachable), whichever is listed first", async () => {
    for (const urls of [
      [liar, honest],
      [honest, liar],
    ]) {
      const e = await createCheckedRpc(urls)
        .request("eth_call", [{}, "latest"])
        .catch((x: unknown) => x);
      expect(e).toBeInstanceOf(RpcError);
      expect((e as RpcError).unreachable).toBe(true);
      expect((e as RpcError).message).toMatch(/RPCs disagree on eth_call: 2 different answers — cannot confirm/);
    }
    const mixed = await createCheckedRpc([reverter, honest])
      .request("eth_call", [{}, "latest"])
      .catch((x: unknown) => x);
    expect((mixed as RpcError).message).toMatch(/RPCs disagree/);
  });

  it("a revert all agree on is passed on with its data; none answering is unreachable", async () => {
    const e = await createCheckedRpc([reverter, reverter2])
      .request("eth_call", [{}, "latest"])
      .catch((x: unknown) => x);
    expect(e).toMatchObject({ unreachable: false, revertData: "0xbce899d1" });
    const none = await createCheckedRpc([down], 2000)
      .request("eth_chainId", [])
      .catch((x: unknown) => x);
    expect(none).toMatchObject({ unreachable: true });
    expect((none as RpcError).message).toMatch(/no RPC endpoint answered eth_chainId/);
  });

  it("a pinned block replaces 'latest' in eth_call; unpinned, 'latest' is sent", async () => {
    const rpc = createCheckedRpc([honest]);
    rpc.pin(0x2an);
    await rpc.request("eth_call", [{ to: "0x" }, "latest"]);
    expect(seen.at(-1)).toEqual([{ to: "0x" }, "0x2a"]);
    rpc.pin(undefined);
    await rpc.request("eth_call", [{ to: "0x" }, "latest"]);
    expect(seen.at(-1)).toEqual([{ to: "0x" }, "latest"]);
  });
});
