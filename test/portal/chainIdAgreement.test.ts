/**
 * The verify page asks every configured RPC for the chain id (createCheckedRpc's `chainId`, used by
 * runVerification before any read): one RPC naming another chain, listed first or second, is "RPCs disagree",
 * which verifyPayload reports as "cannot confirm" (`cannotConfirm: "rpc-disagree"`), never as wrong-chain.
 */
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createCheckedRpc, RpcError } from "../../portal/src/scripts/rpc.js";
import { verifyPayload } from "../../lib/verify/verifyPayload.js";
import { makeBatch } from "../verify/batch.js";

const servers: Server[] = [];
async function node(chainId: string): Promise<string> {
  const server = createServer(async (req, res) => {
    let body = "";
    for await (const c of req) body += String(c);
    const m = JSON.parse(body) as { id: number; method: string };
    const answer = m.method === "eth_chainId" ? { result: chainId } : { error: { code: -32601, message: "no" } };
    res
      .writeHead(200, { "content-type": "application/json" })
      .end(JSON.stringify({ jsonrpc: "2.0", id: m.id, ...answer }));
  });
  await new Promise<void>((ok) => server.listen(0, "127.0.0.1", ok));
  servers.push(server);
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}
let honest: string;
let liar: string;
beforeAll(async () => {
  honest = await node("0x7a69");
  liar = await node("0x1");
});
afterAll(async () => {
  await Promise.all(servers.map((s) => new Promise<void>((ok) => s.close(() => ok()))));
});

describe("the chain id of every configured RPC (verify page)", () => {
  it("agreeing RPCs give the chain id; one naming another chain, first or second, is 'RPCs disagree'", async () => {
    expect(await createCheckedRpc([honest, honest]).chainId()).toBe(31337);
    const b = makeBatch({
      supplier: "0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266",
      ledger: "0x5FbDB2315678afecb367f032d93F642f64180aa3",
      chainId: 31337,
      label: "chain id",
      count: 4,
      shardSize: 4,
    });
    for (const urls of [
      [liar, honest],
      [honest, liar],
    ]) {
      const checked = createCheckedRpc(urls);
      const e = await checked.chainId().catch((x: unknown) => x);
      expect(e).toBeInstanceOf(RpcError);
      expect((e as RpcError).message).toMatch(/RPCs disagree on eth_chainId: 2 different answers — cannot confirm/);
      // What runVerification does: the chain id is read before the status; its error becomes the verdict.
      const r = await verifyPayload(b.full(1), {
        expectedChainId: 31337,
        fetchStatus: async () => {
          await checked.chainId();
          return b.status();
        },
      });
      expect(r).toMatchObject({ verdict: "unreachable", cannotConfirm: "rpc-disagree" });
    }
  });
});
