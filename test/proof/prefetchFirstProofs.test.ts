import { keccak256, toHex, type Address, type Hex } from "viem";
import { describe, expect, it } from "vitest";
import type { AgreedBlock } from "../../lib/proof/agreeOnBlock.js";
import { firstProofSlots, prefetchFirstProofs } from "../../lib/proof/prefetchFirstProofs.js";
import { readProvenKeyStatus } from "../../lib/proof/readProvenKeyStatus.js";
import { rememberRequests, type RpcRequest } from "../../lib/proof/rpcRequest.js";

const ledger = "0x5FbDB2315678afecb367f032d93F642f64180aa3" as Address;
const batchId = keccak256(toHex("batch"));

/** A requester that records what is sent and answers from a table (heads per URL; the rest echoed). */
function recorder(heads: Record<string, string | Error>) {
  const sent: { url: string; method: string; params: unknown[] }[] = [];
  const request: RpcRequest = async (url, method, params) => {
    sent.push({ url, method, params });
    if (method === "eth_blockNumber") {
      const h = heads[url];
      if (h instanceof Error || h === undefined) throw h ?? new Error(`no head for ${url}`);
      return h;
    }
    return { url, method, params };
  };
  return { sent, request };
}

describe("rememberRequests: one send per distinct request, for one read", () => {
  it("hands later callers the first answer, sends different parameters separately", async () => {
    const { sent, request } = recorder({ a: "0x10" });
    const remembered = rememberRequests(request);
    const [x, y] = await Promise.all([remembered("a", "eth_blockNumber", []), remembered("a", "eth_blockNumber", [])]);
    expect([x, y]).toEqual(["0x10", "0x10"]);
    await remembered("a", "eth_getProof", [ledger, ["0x01"], "0x10"]);
    await remembered("a", "eth_getProof", [ledger, ["0x02"], "0x10"]);
    await remembered("a", "eth_getProof", [ledger, ["0x01"], "0x10"]);
    expect(sent.map((s) => s.method)).toEqual(["eth_blockNumber", "eth_getProof", "eth_getProof"]);
  });

  it("hands later callers the same failure, without sending again", async () => {
    const { sent, request } = recorder({ a: new Error("RPC a: eth_blockNumber failed") });
    const remembered = rememberRequests(request);
    await expect(remembered("a", "eth_blockNumber", [])).rejects.toThrow(/RPC a/);
    await expect(remembered("a", "eth_blockNumber", [])).rejects.toThrow(/RPC a/);
    expect(sent).toHaveLength(1);
  });
});

describe("prefetchFirstProofs: the first proof round, sent once the heads are known", () => {
  it("asks exactly the slots and block the proven read asks first, so the read finds the answer", async () => {
    const index = 1_234_567n;
    let asked: { slots: Hex[]; block: bigint } | undefined;
    const block: AgreedBlock = {
      number: 0x2an,
      hash: `0x${"11".repeat(32)}`,
      stateRoot: `0x${"22".repeat(32)}`,
      timestamp: 0n,
    };
    // The proven read's first round, recorded; then it is stopped (the proofs themselves are tested elsewhere).
    await expect(
      readProvenKeyStatus({
        ledger,
        batchId,
        index,
        block,
        fetchProof: (slots, n) => {
          asked = { slots, block: n };
          throw new Error("recorded");
        },
      }),
    ).rejects.toThrow("recorded");
    const { sent, request } = recorder({ a: "0x2b", b: "0x2a", c: new Error("dead") });
    await prefetchFirstProofs({ request, urls: ["a", "b", "c"], ledger, batchId, index });
    const proofs = sent.filter((s) => s.method === "eth_getProof");
    // of the first RPC, at the lowest head any RPC reported (the block the agreement picks); a dead RPC is skipped
    expect(proofs).toEqual([{ url: "a", method: "eth_getProof", params: [ledger, asked!.slots, "0x2a"] }]);
    expect(asked!.block).toBe(0x2an);
    expect(firstProofSlots(batchId, Number(index))).toEqual(asked!.slots);
  });

  it("asks nothing when no RPC reports a head", async () => {
    const { sent, request } = recorder({ a: new Error("dead") });
    await prefetchFirstProofs({ request, urls: ["a"], ledger, batchId, index: 7n });
    expect(sent.map((s) => s.method)).toEqual(["eth_blockNumber"]);
  });
});
