import type { Hex } from "viem";
import { computeBlockHash } from "./computeBlockHash.js";
import type { RpcBlockHeader } from "./computeBlockHash.js";
import { ProofError } from "./errors.js";
import type { RpcRequest } from "./rpcRequest.js";

/** A block every agreeing RPC returned, with the fields a proof is checked against. */
export type AgreedBlock = { number: bigint; hash: Hex; stateRoot: Hex; timestamp: bigint };

/** One RPC that could not be counted, and why (unreachable, wrong chain, a header that does not hash). */
export type RpcFailure = { url: string; reason: string };

/** Result of {@link agreeOnBlock}: the trust tier reached. */
export type BlockAgreement =
  | {
      status: "agreed";
      block: AgreedBlock;
      /** RPCs that returned this block (1 = "one RPC", the weakest tier). */
      agreeing: string[];
      /** RPCs asked. */
      asked: number;
      failures: RpcFailure[];
      /** The highest head any counted-for-chain RPC reported (the block is the lowest): how far apart the heads are. */
      highest: bigint;
      /** The RPC that reported `highest`. */
      highestUrl: string;
    }
  | {
      status: "disagree";
      /** Block number compared, and what each RPC said its hash is. */
      number: bigint;
      hashes: { url: string; hash: Hex }[];
      failures: RpcFailure[];
    }
  | { status: "unreachable"; failures: RpcFailure[] };

const reasonOf = (e: unknown) => (e instanceof Error ? e.message : String(e));

/**
 * Picks a block several RPCs agree on. Each RPC is asked for its chain id and head; the block
 * compared is the lowest head (every RPC has it), minus `confirmations`. Each RPC's header of that
 * block is re-hashed from its fields (a header whose fields do not hash to its claimed hash is a lie
 * and that RPC is not counted), then the hashes are compared: all equal gives "agreed" with k of n,
 * any two different gives "disagree" (never a verdict). RPCs on another chain id are not counted.
 *
 * @param parameters.urls - the configured RPCs (at least one).
 * @param parameters.chainId - the chain the verifier trusts.
 * @param parameters.request - JSON-RPC requester (see createRpcRequest).
 * @param parameters.confirmations - blocks below the lowest head (default 0).
 * @returns the agreement.
 * @example
 * const a = await agreeOnBlock({ urls, chainId: 8453, request: createRpcRequest() });
 * if (a.status === "agreed") console.log(`${a.agreeing.length} of ${a.asked} RPCs agree on block ${a.block.number}`);
 */
export async function agreeOnBlock(parameters: {
  urls: readonly string[];
  chainId: number;
  request: RpcRequest;
  confirmations?: number;
}): Promise<BlockAgreement> {
  const { urls, chainId, request } = parameters;
  const failures: RpcFailure[] = [];
  const heads = await Promise.all(
    urls.map(async (url) => {
      try {
        const [id, head] = await Promise.all([request(url, "eth_chainId", []), request(url, "eth_blockNumber", [])]);
        if (typeof id !== "string" || Number(BigInt(id)) !== chainId) {
          throw new ProofError(`RPC ${url} serves chain ${String(id)}, not ${chainId}.`);
        }
        if (typeof head !== "string") throw new ProofError(`RPC ${url}: eth_blockNumber answered ${String(head)}.`);
        return { url, head: BigInt(head) };
      } catch (e) {
        failures.push({ url, reason: reasonOf(e) });
        return null;
      }
    }),
  );
  const live = heads.filter((h): h is { url: string; head: bigint } => h !== null);
  if (live.length === 0) return { status: "unreachable", failures };
  const lowest = live.reduce((m, h) => (h.head < m ? h.head : m), live[0]!.head);
  const top = live.reduce((m, h) => (h.head > m.head ? h : m), live[0]!);
  const number = lowest - BigInt(parameters.confirmations ?? 0);
  const target = number < 0n ? 0n : number;
  const headers = await Promise.all(
    live.map(async ({ url }) => {
      try {
        const h = (await request(url, "eth_getBlockByNumber", [`0x${target.toString(16)}`, false])) as RpcBlockHeader;
        if (!h || typeof h !== "object") throw new ProofError(`RPC ${url} has no block ${target}.`);
        if (h.number === undefined || BigInt(h.number) !== target) {
          throw new ProofError(`RPC ${url} answered block ${String(h.number)} for block ${target}.`);
        }
        const computed = computeBlockHash(h);
        if (computed !== h.hash?.toLowerCase()) {
          throw new ProofError(`RPC ${url}: block ${target}'s header fields hash to ${computed}, not to ${h.hash}.`);
        }
        return { url, header: h };
      } catch (e) {
        failures.push({ url, reason: reasonOf(e) });
        return null;
      }
    }),
  );
  const answered = headers.filter((h): h is { url: string; header: RpcBlockHeader } => h !== null);
  if (answered.length === 0) return { status: "unreachable", failures };
  const first = answered[0]!.header.hash.toLowerCase() as Hex;
  if (answered.some((a) => a.header.hash.toLowerCase() !== first)) {
    return {
      status: "disagree",
      number: target,
      hashes: answered.map((a) => ({ url: a.url, hash: a.header.hash.toLowerCase() as Hex })),
      failures,
    };
  }
  const h = answered[0]!.header;
  return {
    status: "agreed",
    block: { number: target, hash: first, stateRoot: h.stateRoot.toLowerCase() as Hex, timestamp: BigInt(h.timestamp) },
    agreeing: answered.map((a) => a.url),
    asked: urls.length,
    failures,
    highest: top.head,
    highestUrl: top.url,
  };
}
