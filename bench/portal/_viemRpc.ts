/**
 * Anchor for the portal's JavaScript size: portal/src/scripts/rpc.ts with its transport, its
 * ledger version probe (used by the first verdict) and its v1 key-status read (rpcReads.ts in the
 * page) done by viem's public client (createPublicClient + http + readContract from
 * viem/actions and the generated ABI) instead of the hand-written eth_call. The module's other
 * reads (v2 status, sale log, receipt) are re-exported as they are, so both bundles carry them.
 * Only bundled by the benchmark, never run.
 */
import { createPublicClient, fallback, http } from "viem";
import { getChainId, readContract } from "viem/actions";
import { keyLedgerAbi } from "../../lib/abi/keyLedgerAbi.js";
import { keyLedgerV2Abi } from "../../lib/abi/keyLedgerV2Abi.js";
import type { KeyStatus } from "../../lib/schemas/keyStatus.js";
import { REVOCATION_REASONS } from "../../lib/verify/revocationReasons.js";

// everything this file does not replace (local exports take precedence over this star export)
export * from "../../portal/src/scripts/rpc.js";

export const KEY_STATUS_SELECTOR = "0x3a8c73ec";

export class RpcError extends Error {
  constructor(
    message: string,
    readonly unreachable: boolean,
  ) {
    super(message);
  }
}

export type Rpc = { client: ReturnType<typeof createPublicClient>; chainId: () => Promise<number> };

export function createRpc(urls: readonly string[]): Rpc {
  const client = createPublicClient({ transport: fallback(urls.map((u) => http(u))) });
  return { client, chainId: () => getChainId(client) };
}

export async function readKeyStatusRaw(
  rpc: Rpc,
  q: { ledger: string; batchId: string; index: number | bigint; hint?: number | bigint },
): Promise<KeyStatus> {
  const s = await readContract(rpc.client, {
    address: q.ledger as `0x${string}`,
    abi: keyLedgerAbi,
    functionName: "keyStatus",
    args: [q.batchId as `0x${string}`, BigInt(q.index), BigInt(q.hint ?? 0)],
  });
  return {
    root: s.root,
    supplier: s.supplier.toLowerCase() as `0x${string}`,
    count: Number(s.count),
    expiresAt: Number(s.expiresAt),
    restricted: s.restricted,
    holder: s.holder.toLowerCase() as `0x${string}`,
    segmentStart: Number(s.segmentStart),
    segmentEnd: Number(s.segmentEnd),
    frozenReason: REVOCATION_REASONS[s.frozenReason] ?? "other",
    redeemed: s.redeemed,
  };
}

/** The ledger version probe (`SALES()`) with viem's client: what the first verdict imports statically. */
export async function probeLedgerVersion(rpc: Rpc, ledger: string): Promise<1 | 2> {
  try {
    const sales = await readContract(rpc.client, {
      address: ledger as `0x${string}`,
      abi: keyLedgerV2Abi,
      functionName: "SALES",
    });
    return /^0x0{40}$/i.test(sales) ? 1 : 2;
  } catch {
    return 1;
  }
}
