import type { Address, Hex } from "viem";
import { agreeOnBlock } from "../proof/agreeOnBlock.js";
import type { AgreedBlock, BlockAgreement, RpcFailure } from "../proof/agreeOnBlock.js";
import { ProofError } from "../proof/errors.js";
import { readProvenKeyStatus } from "../proof/readProvenKeyStatus.js";
import type { GetProofResponse } from "../proof/readProvenKeyStatus.js";
import type { RpcRequest } from "../proof/rpcRequest.js";
import type { KeyStatus } from "../schemas/keyStatus.js";
import { REVOCATION_REASONS } from "./revocationReasons.js";

/** How far a status read can be trusted: the tier a verdict shows next to itself. */
export type TrustTier = {
  /** "proof": storage proofs checked against a block's state root, the block's hash from the RPCs that agree. */
  method: "proof";
  block: bigint;
  blockHash: Hex;
  /** RPCs that returned the same block (1 = "one RPC"). */
  agreeing: string[];
  asked: number;
  /** RPCs not counted, and why (unreachable, wrong chain, a header that does not hash). */
  failures: RpcFailure[];
  /** Proof rounds and slots used. */
  rounds: number;
  slots: number;
};

/** The RPCs do not agree on a block, or none could be counted: the verdict must say "cannot confirm". */
export class TrustError extends ProofError {
  override name = "TrustError";
  /** The block the RPCs disagree about, when that is why (the verdict shows it). */
  block?: bigint;
}

const reason = (code: number) => REVOCATION_REASONS[code] ?? "other";

/** How many blocks the lowest head may lag the highest before the RPCs count as disagreeing. */
export const MAX_HEAD_LAG = 16n;

/**
 * The agreement of {@link agreeOnBlock} when it can be built on, or a TrustError: RPCs that disagree on
 * a block (the error carries it), no RPC that could be counted (retryable), or an agreed block far
 * below another RPC's head. An RPC that reports an old head (a stale node, or a liar) would otherwise
 * have the key read at a block where its batch, or the ledger, did not exist yet, and a genuine key
 * called "not in batch": such heads are a disagreement, cannot confirm.
 *
 * @param agreement - a result of agreeOnBlock.
 * @returns the same result, known to be "agreed".
 * @throws TrustError as above; a stale head when the highest head is more than {@link MAX_HEAD_LAG}
 *   blocks above the agreed block.
 */
export function requireAgreement(agreement: BlockAgreement): Extract<BlockAgreement, { status: "agreed" }> {
  if (agreement.status === "disagree") {
    const e = new TrustError(
      `RPCs disagree on block ${agreement.number}: ${agreement.hashes.map((h) => `${h.url} says ${h.hash}`).join(", ")} — cannot confirm.`,
    );
    e.block = agreement.number;
    throw e;
  }
  if (agreement.status === "unreachable") {
    throw new TrustError(`No RPC could be counted: ${agreement.failures.map((f) => f.reason).join("; ")}`, {
      retryable: true,
    });
  }
  if (agreement.highest - agreement.block.number <= MAX_HEAD_LAG) return agreement;
  const e = new TrustError(
    `RPCs disagree on the head: ${agreement.highestUrl} is at block ${agreement.highest}, another RPC only at ` +
      `${agreement.block.number} (more than ${MAX_HEAD_LAG} blocks behind) — cannot confirm.`,
  );
  e.block = agreement.block.number;
  throw e;
}

/**
 * A KeyLedger v2 key's status read without trusting any single RPC: a block several RPCs agree on
 * ({@link agreeOnBlock}), then the key's storage words proven against that block's state root
 * ({@link readProvenKeyStatus}), proofs taken from the agreeing RPCs in turn (any of them may lie: a
 * lie fails the proof, it cannot change the answer). The result has the same shape as
 * `readKeyStatus` gives for a v2 ledger, plus the trust tier.
 *
 * Throws {@link TrustError} when the RPCs disagree on the block (or their heads lie more than
 * {@link MAX_HEAD_LAG} blocks apart) or none answers usefully, and
 * {@link ProofError} when no agreeing RPC returns a proof that checks.
 *
 * @param parameters.urls - the configured RPC URLs.
 * @param parameters.chainId - the chain the verifier trusts.
 * @param parameters.ledger - a KeyLedger v2.
 * @param parameters.batchId - the batch.
 * @param parameters.index - the key.
 * @param parameters.request - JSON-RPC requester (time-outs and byte caps: createRpcRequest).
 * @returns the status and the trust tier reached.
 * @example
 * const { status, trust } = await readProvenStatus({ urls, chainId, ledger, batchId, index, request: createRpcRequest() });
 */
export async function readProvenStatus(parameters: {
  urls: readonly string[];
  chainId: number;
  ledger: Address;
  batchId: Hex;
  index: number | bigint;
  request: RpcRequest;
}): Promise<{ status: KeyStatus; trust: TrustTier }> {
  const { urls, chainId, ledger, batchId, request } = parameters;
  const agreement = requireAgreement(await agreeOnBlock({ urls, chainId, request }));
  const block: AgreedBlock = agreement.block;
  let lastError: unknown;
  for (const url of agreement.agreeing) {
    try {
      const proven = await readProvenKeyStatus({
        ledger,
        batchId,
        index: BigInt(parameters.index),
        block,
        fetchProof: async (slots, n) =>
          (await request(url, "eth_getProof", [ledger, slots, `0x${n.toString(16)}`])) as GetProofResponse,
      });
      const zero = "0x0000000000000000000000000000000000000000" as Address;
      const status: KeyStatus = {
        root: proven.exists ? proven.root : (`0x${"0".repeat(64)}` as Hex),
        supplier: proven.exists ? proven.supplier : zero,
        count: Number(proven.count),
        expiresAt: Number(proven.expiresAt),
        restricted: proven.restricted,
        holder: proven.exists && !proven.outOfRange ? proven.holder : zero,
        segmentStart: Number(proven.segmentStart),
        segmentEnd: Number(proven.segmentEnd),
        frozenReason: reason(proven.regulatorReason !== 0 ? proven.regulatorReason : proven.supplierReason),
        redeemed: proven.redeemed,
        ledgerVersion: 2,
        saleRequired: proven.saleRequired,
        issuerSuspended: proven.issuerSuspended,
        frozenByRegulator: proven.regulatorReason !== 0,
        supplierReason: reason(proven.supplierReason),
        saleNo: proven.saleNo,
        sold: proven.sold,
        refunded: proven.refunded,
        // the live sale's root, proven with the rest: the link's receipt is checked against it locally
        ...(proven.sold && proven.sale ? { saleRoot: proven.sale.root } : {}),
      };
      return {
        status,
        trust: {
          method: "proof",
          block: block.number,
          blockHash: block.hash,
          agreeing: agreement.agreeing,
          asked: agreement.asked,
          failures: agreement.failures,
          rounds: proven.rounds,
          slots: proven.slots,
        },
      };
    } catch (e) {
      lastError = e;
    }
  }
  throw lastError instanceof Error
    ? lastError
    : new ProofError(`No agreeing RPC returned a proof that checks against block ${block.number}.`);
}
