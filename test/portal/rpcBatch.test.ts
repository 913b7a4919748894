/**
 * The verify page's JSON-RPC transport (createRpc / createCheckedRpc): requests made to one endpoint
 * in the same task go out as one JSON-RPC batch; answers are matched by id (an endpoint may reorder
 * them); an endpoint that does not answer batches (an HTTP error, a single object) gets each request
 * on its own; an entry left out of a batch answer is asked again alone; the chain id is asked once per
 * endpoint.
 */
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeEach, describe, expect, it } from "vitest";
import { createCheckedRpc, createRpc, RpcError } from "../../portal/src/scripts/rpc.js";

type Msg = { id: number; method: string; params: unknown[] };
type Mode = "batch" | "reverse" | "http-400" | "single-object" | "drop-last" | "revert-call";
const servers: Server[] = [];
/** Every HTTP request a node received: the methods of its body (one entry per POST). */
let posts: { node: string; methods: string[] }[] = [];

const answerOf = (m: Msg, mode: Mode) =>
  mode === "revert-call" && m.method === "eth_call"
    ? { jsonrpc: "2.0", id: m.id, error: { message: "execution reverted", data: "0xbce899d1" } }
    : {
        jsonrpc: "2.0",
        id: m.id,
        result: m.method === "eth_chainId" ? "0x7a69" : `${m.method}:${JSON.stringify(m.params)}`,
      };

async function node(name: string, mode: Mode): Promise<string> {
  const server = createServer(async (req, res) => {
    let body = "";
    for await (const c of req) body += String(c);
    const parsed = JSON.parse(body) as Msg | Msg[];
    const msgs = Array.isArray(parsed) ? parsed : [parsed];
    posts.push({ node: name, methods: msgs.map((m) => m.method) });
    const send = (status: number, value: unknown) =>
      res.writeHead(status, { "content-type": "application/json" }).end(JSON.stringify(value));
    if (!Array.isArray(parsed)) return send(200, answerOf(parsed, mode));
    if (mode === "http-400") return send(400, { error: "batches are not supported" });
    if (mode === "single-object")
      return send(200, { jsonrpc: "2.0", id: null, error: { code: -32600, message: "batch not supported" } });
    const answers = parsed.map((m) => answerOf(m, mode));
    if (mode === "reverse") answers.reverse();
    if (mode === "drop-last") answers.pop();
    send(200, answers);
  });
  await new Promise<void>((ok) => server.listen(0, "127.0.0.1", ok));
  servers.push(server);
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

beforeEach(() => {
  posts = [];
});
afterAll(async () => {
  await Promise.all(servers.map((s) => new Promise<void>((ok) => s.close(() => ok()))));
});

const three = (rpc: ReturnType<typeof createRpc>) =>
  Promise.all([
    rpc.request("eth_blockNumber", []),
    rpc.request("eth_call", [{ to: "0x01" }, "latest"]),
    rpc.request("eth_getProof", ["0x01", ["0x02"], "0x5"]),
  ]);
const expected = ["eth_blockNumber:[]", 'eth_call:[{"to":"0x01"},"latest"]', 'eth_getProof:["0x01",["0x02"],"0x5"]'];

describe("JSON-RPC batches on the verify page", () => {
  it("requests of one task go out as one batch, answers matched by id even when reordered", async () => {
    for (const mode of ["batch", "reverse"] as const) {
      posts = [];
      const url = await node(mode, mode);
      expect(await three(createRpc([url]))).toEqual(expected);
      expect(posts).toEqual([{ node: mode, methods: ["eth_blockNumber", "eth_call", "eth_getProof"] }]);
    }
  });

  it("flush() sends what was gathered at once, as one batch per endpoint; later requests form the next batch", async () => {
    const a = await node("fa", "batch");
    const b = await node("fb", "batch");
    const checked = createCheckedRpc([a, b]);
    const first = Promise.all([checked.requestOne(a, "eth_blockNumber", []), checked.requestOne(b, "eth_call", [{}])]);
    checked.flush?.();
    // Sent before this task ends: both POSTs are on their way without waiting for a timer.
    const second = checked.requestOne(a, "eth_getProof", ["0x01", [], "latest"]);
    expect(await first).toEqual(["eth_blockNumber:[]", "eth_call:[{}]"]);
    expect(await second).toBe('eth_getProof:["0x01",[],"latest"]');
    expect(posts.map((p) => `${p.node} ${p.methods.join("+")}`).sort()).toEqual([
      "fa eth_blockNumber",
      "fa eth_getProof",
      "fb eth_call",
    ]);
    // The timer of the flushed batch finds nothing to send (no empty batch is posted).
    await new Promise((ok) => setTimeout(ok, 20));
    expect(posts).toHaveLength(3);
  });

  it("an endpoint that refuses batches gets each request alone, then only single requests", async () => {
    for (const mode of ["http-400", "single-object"] as const) {
      posts = [];
      const url = await node(mode, mode);
      const rpc = createRpc([url]);
      expect(await three(rpc)).toEqual(expected);
      expect(posts.map((p) => p.methods.length)).toEqual([3, 1, 1, 1]);
      posts = [];
      expect(await three(rpc)).toEqual(expected);
      expect(posts.map((p) => p.methods.length)).toEqual([1, 1, 1]);
    }
  });

  it("an entry missing from a batch answer is asked again alone, never answered with another's result", async () => {
    const url = await node("drop-last", "drop-last");
    expect(await three(createRpc([url]))).toEqual(expected);
    expect(posts.map((p) => p.methods)).toEqual([["eth_blockNumber", "eth_call", "eth_getProof"], ["eth_getProof"]]);
  });

  it("a revert inside a batch stays that request's revert (with its data); the others answer", async () => {
    const url = await node("revert-call", "revert-call");
    const rpc = createRpc([url]);
    const [head, call] = await Promise.allSettled([
      rpc.request("eth_blockNumber", []),
      rpc.request("eth_call", [{}, "latest"]),
    ]);
    expect(posts).toHaveLength(1);
    expect(head).toEqual({ status: "fulfilled", value: "eth_blockNumber:[]" });
    expect(call.status).toBe("rejected");
    const e = (call as PromiseRejectedResult).reason as RpcError;
    expect(e).toBeInstanceOf(RpcError);
    expect(e.unreachable).toBe(false);
    expect(e.revertData).toBe("0xbce899d1");
  });

  it("an unreachable endpoint fails every request of the batch at once (no second wait)", async () => {
    const rpc = createRpc(["http://127.0.0.1:9/"], 2000);
    const settled = await Promise.allSettled([rpc.request("eth_blockNumber", []), rpc.request("eth_chainId", [])]);
    for (const s of settled) {
      expect(s.status).toBe("rejected");
      expect(((s as PromiseRejectedResult).reason as RpcError).unreachable).toBe(true);
    }
  });

  it("the checked caller asks each endpoint's chain id once, shared by the chain-id check and requestOne", async () => {
    const a = await node("a", "batch");
    const b = await node("b", "batch");
    const checked = createCheckedRpc([a, b]);
    const [id, one, two] = await Promise.all([
      checked.chainId(),
      checked.requestOne(a, "eth_chainId", []),
      checked.requestOne(b, "eth_chainId", []),
      checked.request("eth_blockNumber", []),
    ]);
    expect([id, one, two]).toEqual([31337, "0x7a69", "0x7a69"]);
    expect(await checked.requestOne(a, "eth_chainId", [])).toBe("0x7a69");
    const chainIdAsks = posts.flatMap((p) => p.methods.filter((m) => m === "eth_chainId").map(() => p.node));
    expect(chainIdAsks.sort()).toEqual(["a", "b"]);
    // One HTTP request per endpoint for the whole round.
    expect(posts.map((p) => p.node).sort()).toEqual(["a", "b"]);
  });
});
