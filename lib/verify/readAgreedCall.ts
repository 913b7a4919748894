import type { Hex } from "viem";
import { agreeOnBlock } from "../proof/agreeOnBlock.js";
import type { RpcFailure } from "../proof/agreeOnBlock.js";
import type { RpcRequest } from "../proof/rpcRequest.js";
import { requireAgreement, TrustError } from "./readProvenStatus.js";

/**
 * How far an `eth_call` read can be trusted: every counted RPC answered the same at one block they
 * agree on. An `eth_call` is not a storage proof: k RPCs that agree could still all be wrong.
 */
export type CallTrust = {
  method: "call";
  /** Why the status is read by `eth_call` (e.g. "a v1 ledger (its layout is not proven)"). */
  reason: string;
  /** The block every counted RPC was asked at (the lowest head they agree on, `agreeOnBlock`). */
  block: bigint;
  blockHash: Hex;
  /** RPCs that agreed on the block and gave the same answer at it (1 = "one RPC"). */
  agreeing: string[];
  asked: number;
  /** RPCs not counted, and why (unreachable, wrong chain, a header that does not hash, no answer to the call). */
  failures: RpcFailure[];
};

/** A value as text for comparing answers (bigints included). */
const keyOf = (v: unknown) => JSON.stringify(v, (_k, x: unknown) => (typeof x === "bigint" ? `${x}n` : x));
const reasonOf = (e: unknown) => (e instanceof Error ? e.message : String(e));

/**
 * Reads one `eth_call` answer so that no single RPC decides it: a block several RPCs agree on
 * ({@link agreeOnBlock}: same chain id, same hash for the lowest head, headers that hash, heads at most
 * `MAX_HEAD_LAG` blocks apart), then
 * `read(url, block)` on every agreeing RPC at that block number, and the answer only when every one
 * of them that answered gave the same. Two different answers throw {@link TrustError} ("RPCs
 * disagree … cannot confirm"), never an answer; an RPC whose read fails (unreachable, an unexpected
 * error) is not counted and is listed in `failures`, so one honest RPC's answer still stands as
 * "one RPC" while a liar's answer next to it never does.
 *
 * @param parameters.urls - the configured RPC URLs.
 * @param parameters.chainId - the chain the verifier trusts.
 * @param parameters.request - JSON-RPC requester for the block agreement (createRpcRequest).
 * @param parameters.read - the read on one RPC at one block number (e.g. keyStatus by eth_call).
 * @param parameters.what - what is read, for messages ("keyStatus").
 * @param parameters.reason - why the read is an `eth_call` (kept in the trust tier).
 * @returns the agreed answer and the trust tier.
 * @throws TrustError when the RPCs disagree on the block or on the answer, or none could be counted.
 * @example
 * const { value, trust } = await readAgreedCall({ urls, chainId, request, what: "keyStatus",
 *   reason: "a v1 ledger", read: (url, block) => readKeyStatus(clientOf(url), { ledger, batchId, index, blockNumber: block }) });
 */
export async function readAgreedCall<T>(parameters: {
  urls: readonly string[];
  chainId: number;
  request: RpcRequest;
  read: (url: string, block: bigint) => Promise<T>;
  what: string;
  reason: string;
}): Promise<{ value: T; trust: CallTrust }> {
  const { urls, chainId, request, read, what } = parameters;
  const agreement = requireAgreement(await agreeOnBlock({ urls, chainId, request }));
  const { block } = agreement;
  const failures = [...agreement.failures];
  const answers = (
    await Promise.all(
      agreement.agreeing.map(async (url) => {
        try {
          const value = await read(url, block.number);
          return { url, value, key: keyOf(value) };
        } catch (e) {
          failures.push({ url, reason: `${what} at block ${block.number}: ${reasonOf(e)}` });
          return null;
        }
      }),
    )
  ).filter((a): a is { url: string; value: Awaited<T>; key: string } => a !== null);
  const [first] = answers;
  if (!first) {
    throw new TrustError(
      `No RPC answered ${what} at block ${block.number}: ${failures.map((f) => f.reason).join("; ")}`,
      {
        retryable: true,
      },
    );
  }
  const distinct = new Set(answers.map((a) => a.key));
  if (distinct.size > 1) {
    const e = new TrustError(
      `RPCs disagree on ${what} at block ${block.number} (eth_call): ${answers.length} answers, ${distinct.size} different — cannot confirm.`,
    );
    e.block = block.number;
    throw e;
  }
  return {
    value: first.value,
    trust: {
      method: "call",
      reason: parameters.reason,
      block: block.number,
      blockHash: block.hash,
      agreeing: answers.map((a) => a.url),
      asked: agreement.asked,
      failures,
    },
  };
}
