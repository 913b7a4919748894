/**
 * Anchor for the portal's JavaScript size: portal/src/scripts/rpc.ts and rpcReads.ts with their
 * transport and key-status read done by viem's public client (createPublicClient + http + readContract from
 * viem/actions and the generated ABI) instead of the hand-written eth_call. The module's other
 * reads (v2 status, sale log, receipt) are re-exported as they are, so both bundles carry them.
 * Only bundled by the benchmark, never run.
 */
import { createPublicClient, fallback, http } from "viem";
import { getChainId, readContract } from "viem/actions";
import { keyLedgerAbi } from "../../lib/abi/keyLedgerAbi.js";
import type { KeyStatus } from "../../lib/schemas/keyStatus.js";
import { REVOCATION_REASONS } from "../../lib/verify/revocationReasons.js";

// everything this file does not replace (local exports take precedence over this star export)
export * from "../../portal/src/scripts/rpc.js";
export * from "../../portal/src/scripts/rpcReads.js";

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
