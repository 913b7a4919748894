import { BaseError as ViemBaseError, ContractFunctionRevertedError } from "viem";
import type { Address, Hex, PublicClient } from "viem";
import { keyLedgerAbi } from "../abi/keyLedgerAbi.js";
import { keyLedgerV2Abi } from "../abi/keyLedgerV2Abi.js";
import { REVOCATION_REASONS } from "./revocationReasons.js";
import { detectLedgerVersion } from "./detectLedgerVersion.js";
import type { LedgerVersion } from "./detectLedgerVersion.js";
import type { KeyStatus } from "../schemas/keyStatus.js";

/** Parameters of {@link readKeyStatus}. */
export type ReadKeyStatusParameters = {
  ledger: Address;
  batchId: Hex;
  index: number | bigint;
  hint?: number | bigint | undefined;
  /** The ledger's version when known; otherwise it is detected (`detectLedgerVersion`, cached). */
  ledgerVersion?: LedgerVersion | undefined;
  /** Read at this block (every `eth_call` of the read); default the latest. */
  blockNumber?: bigint | undefined;
};

const ZERO_ADDRESS: Address = "0x0000000000000000000000000000000000000000";
const ZERO_ROOT: Hex = `0x${"0".repeat(64)}`;

/** The custom error name of a `keyStatus` revert, if that is what `e` is. */
function revertName(e: unknown): string | undefined {
  if (!(e instanceof ViemBaseError)) return undefined;
  const r = e.walk((x) => x instanceof ContractFunctionRevertedError);
  return r instanceof ContractFunctionRevertedError ? r.data?.errorName : undefined;
}

/**
 * Reads everything a verifier needs about one key with one `keyStatus` view call: the batch
 * root, supplier, count and expiry, the current holder and its segment, the frozen reason and
 * whether the key was redeemed. The view reverts for an unknown batch or an index beyond the
 * count; those come back as data, not errors: an unknown batch as a zero root, an index beyond
 * the count as the batch's record (read with `batchOf`) with a zero holder, so that
 * `verifyPayload` can say "not in batch".
 *
 * A v2 ledger (detected once per ledger, see `detectLedgerVersion`) is read with its
 * `keyStatus(batchId, index)` (no hint); the status then carries `ledgerVersion: 2` and the v2 fields
 * (saleRequired, issuerSuspended, frozenByRegulator, supplierReason, saleNo, sold, refunded). A v1
 * ledger is read as before, with the hint.
 *
 * @param client A viem public client on the ledger's chain.
 * @param parameters Ledger address, batch id, key index, a segment hint for v1 (0 always works), and
 *   optionally the ledger version and the block to read at.
 * @returns The status, integers as numbers and the reason as a name.
 * @throws viem's errors when the RPC fails (the caller decides: `verifyPayload` reports "unreachable").
 *
 * @example
 * const s = await readKeyStatus(client, { ledger, batchId, index: 7 });
 * if (s.frozenReason !== "none") console.log("revoked:", s.frozenReason);
 */
export async function readKeyStatus(client: PublicClient, parameters: ReadKeyStatusParameters): Promise<KeyStatus> {
  const { ledger, batchId, index, hint } = parameters;
  const version = parameters.ledgerVersion ?? (await detectLedgerVersion(client, { ledger }));
  const at = parameters.blockNumber === undefined ? {} : { blockNumber: parameters.blockNumber };
  if (version === 2) return readKeyStatusV2(client, ledger, batchId, BigInt(index), at);
  try {
    const r = await client.readContract({
      address: ledger,
      abi: keyLedgerAbi,
      functionName: "keyStatus",
      args: [batchId, BigInt(index), BigInt(hint ?? 0)],
      ...at,
    });
    return {
      root: r.root,
      supplier: r.supplier,
      count: Number(r.count),
      expiresAt: Number(r.expiresAt),
      restricted: r.restricted,
      holder: r.holder,
      segmentStart: Number(r.segmentStart),
      segmentEnd: Number(r.segmentEnd),
      frozenReason: REVOCATION_REASONS[r.frozenReason] ?? "other",
      redeemed: r.redeemed,
    };
  } catch (e) {
    const name = revertName(e);
    const none = {
      holder: ZERO_ADDRESS,
      segmentStart: 0,
      segmentEnd: 0,
      frozenReason: "none",
      redeemed: false,
    } as const;
    if (name === "KeyLedgerBatchNotFound")
      return { root: ZERO_ROOT, supplier: ZERO_ADDRESS, count: 0, expiresAt: 0, restricted: false, ...none };
    if (name === "KeyLedgerInvalidRange") {
      const [root, supplier, count, expiresAt, restricted] = await client.readContract({
        address: ledger,
        abi: keyLedgerAbi,
        functionName: "batchOf",
        args: [batchId],
        ...at,
      });
      return { root, supplier, count: Number(count), expiresAt: Number(expiresAt), restricted, ...none };
    }
    throw e;
  }
}

async function readKeyStatusV2(
  client: PublicClient,
  ledger: Address,
  batchId: Hex,
  index: bigint,
  at: { blockNumber?: bigint },
): Promise<KeyStatus> {
  const reason = (code: number) => REVOCATION_REASONS[code] ?? "other";
  try {
    const r = await client.readContract({
      address: ledger,
      abi: keyLedgerV2Abi,
      functionName: "keyStatus",
      args: [batchId, index],
      ...at,
    });
    return {
      root: r.root,
      supplier: r.supplier,
      count: Number(r.count),
      expiresAt: Number(r.expiresAt),
      restricted: r.restricted,
      holder: r.holder,
      segmentStart: Number(r.segmentStart),
      segmentEnd: Number(r.segmentEnd),
      frozenReason: reason(r.frozenReason),
      redeemed: r.redeemed,
      ledgerVersion: 2,
      saleRequired: r.saleRequired,
      issuerSuspended: r.issuerSuspended,
      frozenByRegulator: r.frozenByRegulator,
      supplierReason: reason(r.supplierReason),
      saleNo: r.saleNo,
      sold: r.sold,
      refunded: r.refunded,
    };
  } catch (e) {
    const name = revertName(e);
    const none = {
      holder: ZERO_ADDRESS,
      segmentStart: 0,
      segmentEnd: 0,
      frozenReason: "none",
      redeemed: false,
      ledgerVersion: 2,
      issuerSuspended: false,
      frozenByRegulator: false,
      supplierReason: "none",
      saleNo: 0,
      sold: false,
      refunded: false,
    } as const;
    if (name === "KeyLedgerBatchNotFound")
      return {
        root: ZERO_ROOT,
        supplier: ZERO_ADDRESS,
        count: 0,
        expiresAt: 0,
        restricted: false,
        saleRequired: false,
        ...none,
      };
    if (name === "KeyLedgerInvalidRange") {
      const [root, supplier, count, expiresAt, restricted, saleRequired] = await client.readContract({
        address: ledger,
        abi: keyLedgerV2Abi,
        functionName: "batchOf",
        args: [batchId],
        ...at,
      });
      return { root, supplier, count: Number(count), expiresAt: Number(expiresAt), restricted, saleRequired, ...none };
    }
    throw e;
  }
}
