import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { agreeOnBlock } from "../../lib/proof/agreeOnBlock.js";
import { createRpcRequest } from "../../lib/proof/rpcRequest.js";
import { startAnvil } from "../../scripts/chain/startAnvil.js";
import type { LocalNode } from "../../scripts/chain/startLocalNode.js";
import { startLyingRpc, type Lie } from "../helpers/lyingRpc.js";

describe("agreeOnBlock: a block several RPCs agree on (anvil, interval mining)", () => {
  let node: LocalNode;
  const request = createRpcRequest({ timeoutMs: 5_000 });
  const closers: (() => Promise<void>)[] = [];
  const liar = async (lies: Lie[]) => {
    const l = await startLyingRpc({ upstream: node.url, lies });
    closers.push(l.close);
    return l.url;
  };
  beforeAll(async () => {
    node = await startAnvil({ blockTime: 1 });
    // Let a few blocks be mined.
    await new Promise((r) => setTimeout(r, 2_500));
  }, 60_000);
  afterAll(async () => {
    for (const c of closers) await c();
    await node?.stop();
  });

  it("two honest RPCs agree: 2 of 2 on one block whose hash was recomputed", async () => {
    const a = await agreeOnBlock({ urls: [node.url, node.url], chainId: 31337, request });
    expect(a.status).toBe("agreed");
    if (a.status !== "agreed") return;
    expect(a.agreeing).toHaveLength(2);
    expect(a.asked).toBe(2);
    expect(a.block.number).toBeGreaterThan(0n);
  });

  it("one RPC is the weakest tier, said as such (1 of 1)", async () => {
    const a = await agreeOnBlock({ urls: [node.url], chainId: 31337, request });
    expect(a.status === "agreed" && a.agreeing.length === 1 && a.asked === 1).toBe(true);
  });

  /** The lie matrix for block agreement: what each lie yields next to one honest RPC. */
  const MATRIX: [Lie, "agreed-1-of-2" | "disagree" | "agreed-2-of-2"][] = [
    ["chain-id", "agreed-1-of-2"],
    ["header-state-root", "agreed-1-of-2"],
    ["header-forged", "disagree"],
    ["stale-head", "agreed-2-of-2"],
    ["call-result", "agreed-2-of-2"],
  ];
  it.each(MATRIX)("honest + a liar telling %s: %s, never a block from the lie", async (lie, outcome) => {
    const url = await liar([lie]);
    const a = await agreeOnBlock({ urls: [node.url, url], chainId: 31337, request });
    if (outcome === "disagree") {
      expect(a.status).toBe("disagree");
      return;
    }
    expect(a.status).toBe("agreed");
    if (a.status !== "agreed") return;
    expect(a.agreeing.length).toBe(outcome === "agreed-1-of-2" ? 1 : 2);
    if (outcome === "agreed-1-of-2") {
      expect(a.agreeing).toEqual([node.url]);
      expect(a.failures.map((f) => f.url)).toEqual([url]);
    }
    // The agreed block is the honest node's.
    const honest = (await request(node.url, "eth_getBlockByNumber", [`0x${a.block.number.toString(16)}`, false])) as {
      hash: string;
      stateRoot: string;
    };
    expect(a.block.hash).toBe(honest.hash);
    expect(a.block.stateRoot).toBe(honest.stateRoot);
  });

  it("a dead RPC is a failure named by its URL, not a disagreement", async () => {
    const a = await agreeOnBlock({ urls: [node.url, "http://127.0.0.1:9"], chainId: 31337, request });
    expect(a.status).toBe("agreed");
    expect(a.failures[0]?.url).toBe("http://127.0.0.1:9");
  });

  it("nobody reachable is 'unreachable'", async () => {
    const a = await agreeOnBlock({ urls: ["http://127.0.0.1:9"], chainId: 31337, request });
    expect(a.status).toBe("unreachable");
  });
});
