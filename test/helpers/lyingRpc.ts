import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { keccak_256 } from "@noble/hashes/sha3.js";
import { bytesToHex, hexToBytes, type Hex } from "viem";
import { rlpEncode } from "../../lib/proof/rlp.js";
import { computeBlockHash, type RpcBlockHeader } from "../../lib/proof/computeBlockHash.js";

/**
 * Ways a JSON-RPC node can lie, each applied to every matching answer:
 * - `chain-id`: claims chain 1.
 * - `header-state-root`: blocks carry another stateRoot (their hash field unchanged, so they do not hash).
 * - `header-forged`: blocks carry another stateRoot and a hash recomputed to match (a consistent fake).
 * - `stale-head`: eth_blockNumber answers 1 (an old head).
 * - `call-result`: eth_call results have their last byte flipped.
 * - `proof-flip` / `proof-truncate` / `proof-extra`: eth_getProof's accountProof nodes altered, cut, or padded.
 * - `proof-value`: eth_getProof claims storage value 0x1 for every slot.
 * - `ledger-version`: the version probe `SALES()` answers the other version: a v1 ledger's revert
 *   becomes a non-zero module address (v2), a v2 ledger's address becomes a revert (v1).
 */
export type Lie =
  | "chain-id"
  | "header-state-root"
  | "header-forged"
  | "stale-head"
  | "call-result"
  | "proof-flip"
  | "proof-truncate"
  | "proof-extra"
  | "proof-value"
  | "ledger-version";

/** The selector of `SALES()`, the v2-only view the ledger's version is read from. */
const SALES_SELECTOR = "0x" + bytesToHex(keccak_256(new TextEncoder().encode("SALES()"))).slice(2, 10);

/** Every lie of {@link Lie}. */
export const LIES: readonly Lie[] = [
  "chain-id",
  "header-state-root",
  "header-forged",
  "stale-head",
  "call-result",
  "proof-flip",
  "proof-truncate",
  "proof-extra",
  "proof-value",
  "ledger-version",
];

const flipLast = (h: string): Hex => {
  const b = hexToBytes(h as Hex);
  if (b.length) b[b.length - 1] = b[b.length - 1]! ^ 1;
  return bytesToHex(b);
};
const otherRoot = (root: string): Hex => bytesToHex(keccak_256(hexToBytes(root as Hex)));

type Proof = { accountProof: Hex[]; storageProof: { key: Hex; value: Hex; proof: Hex[] }[] };

function lie(kind: Lie, method: string, result: unknown): unknown {
  if (result === null || result === undefined) return result;
  switch (kind) {
    case "chain-id":
      return method === "eth_chainId" ? "0x1" : result;
    case "stale-head":
      return method === "eth_blockNumber" ? "0x1" : result;
    case "header-state-root":
    case "header-forged": {
      if (method !== "eth_getBlockByNumber" && method !== "eth_getBlockByHash") return result;
      const h = { ...(result as RpcBlockHeader) };
      h.stateRoot = otherRoot(h.stateRoot);
      if (kind === "header-forged") h.hash = computeBlockHash(h);
      return h;
    }
    case "call-result":
      return method === "eth_call" ? flipLast(result as string) : result;
    case "ledger-version":
      return result; // told before the answer is read (startLyingRpc): it turns errors into results
    case "proof-flip":
    case "proof-truncate":
    case "proof-extra":
    case "proof-value": {
      if (method !== "eth_getProof") return result;
      const p = structuredClone(result) as Proof;
      if (kind === "proof-flip") p.accountProof[0] = flipLast(p.accountProof[0]!);
      if (kind === "proof-truncate") p.accountProof = p.accountProof.slice(0, -1);
      if (kind === "proof-extra") p.accountProof.push(bytesToHex(rlpEncode([new Uint8Array(1), new Uint8Array(1)])));
      if (kind === "proof-value") for (const s of p.storageProof) s.value = "0x1";
      return p;
    }
  }
}

/**
 * A JSON-RPC proxy on 127.0.0.1 that forwards to an honest `upstream` and lies in the ways given.
 * Used to show that with one honest and one lying RPC, no verdict rests on the lie.
 *
 * @param parameters.upstream - the honest node's URL.
 * @param parameters.lies - the lies to tell (all at once).
 * @returns the proxy's URL and a close function.
 * @example
 * const liar = await startLyingRpc({ upstream: node.url, lies: ["header-forged"] });
 */
export async function startLyingRpc(parameters: {
  upstream: string;
  lies: readonly Lie[];
  /**
   * Not a lie but a race: `eth_getBlockByNumber("latest")` answers the block below the head that
   * `eth_blockNumber` reports (as a node behind a load balancer can), and `eth_getProof` at "latest"
   * stays at the head, so the verifier's early reads at "latest" are of another block.
   */
  latestBehind?: boolean;
}) {
  const server = createServer(async (req, res) => {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    let body = Buffer.concat(chunks).toString("utf8");
    if (parameters.latestBehind && body.includes('"latest"')) {
      type Msg = { method?: string; params?: unknown[] };
      const parsed = JSON.parse(body) as Msg | Msg[];
      const head = (await (
        await fetch(parameters.upstream, {
          method: "POST",
          headers: { "content-type": "application/json" },
          body: JSON.stringify({ jsonrpc: "2.0", id: 1, method: "eth_blockNumber", params: [] }),
        })
      ).json()) as { result: string };
      const below = `0x${(BigInt(head.result) - 1n).toString(16)}`;
      for (const m of Array.isArray(parsed) ? parsed : [parsed])
        if (m.method === "eth_getBlockByNumber" && m.params?.[0] === "latest") m.params[0] = below;
      body = JSON.stringify(parsed);
    }
    const upstream = await fetch(parameters.upstream, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body,
    });
    const text = await upstream.text();
    let out = text;
    try {
      const request = JSON.parse(body) as { method: string } | { method: string }[];
      const answer = JSON.parse(text) as { result?: unknown } | { result?: unknown }[];
      const apply = (rq: { method: string; params?: unknown[] }, an: { result?: unknown; error?: unknown }) => {
        if (parameters.lies.includes("ledger-version") && rq.method === "eth_call") {
          const data = String((rq.params?.[0] as { data?: string; input?: string } | undefined)?.data ?? "");
          if (data.toLowerCase().startsWith(SALES_SELECTOR)) {
            if ("error" in an) return { ...an, error: undefined, result: `0x${"0".repeat(24)}${"5a".repeat(20)}` };
            return { ...an, result: undefined, error: { code: 3, message: "execution reverted", data: "0x" } };
          }
        }
        if ("result" in an) for (const l of parameters.lies) an.result = lie(l, rq.method, an.result);
        return an;
      };
      if (Array.isArray(request) && Array.isArray(answer))
        out = JSON.stringify(answer.map((a, i) => apply(request[i]!, a)));
      else if (!Array.isArray(request) && !Array.isArray(answer)) out = JSON.stringify(apply(request, answer));
    } catch {
      out = text;
    }
    res.writeHead(upstream.status, { "content-type": "application/json" }).end(out);
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    close: () => new Promise<void>((r) => server.close(() => r())),
  };
}
