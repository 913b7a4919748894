/**
 * Runs lib/verify's `verifyPayload` with the portal's chain access (hand-written keyStatus
 * eth_call on the configured RPCs, after an eth_chainId check; on a v2 ledger keyStatus without a
 * hint, the key's KeysSold log and verifyReceipt) and proof-shard fetching (the same-origin static
 * export only).
 */
import { publicConfig as cfg } from "../config/publicConfig.ts";
import type { Address } from "viem";
import { decodePayload } from "../../../lib/payload/decodePayload.js";
import { parsePayloadInput } from "../../../lib/payload/parsePayloadInput.js";
import type { VerifyOptions, VerifyResult } from "../../../lib/verify/types.js";
import { verifyPayload } from "../../../lib/verify/verifyPayload.js";
import {
  createRpc,
  ledgerVersionRaw,
  readKeyStatusRaw,
  readKeyStatusV2Raw,
  readReceiptValidRaw,
  readSaleLogRaw,
  RpcError,
} from "./rpc.ts";

const rpc = createRpc(cfg.rpcUrls);
const base = import.meta.env.BASE_URL.endsWith("/") ? import.meta.env.BASE_URL : `${import.meta.env.BASE_URL}/`;

type ProofIndexEntry = { batchId: string; shardSize: number | null; path: string | null; manifestURI: string };
let proofIndex: Promise<ProofIndexEntry[]> | undefined;

/** Fetches a same-origin export file (never anything else: CSP would refuse it anyway). */
export async function fetchExport(path: string): Promise<Response> {
  const res = await fetch(`${base}${path}`, { credentials: "omit", referrerPolicy: "no-referrer" });
  if (!res.ok) throw new Error(`${path}: HTTP ${res.status}`);
  return res;
}

function loadProofIndex(): Promise<ProofIndexEntry[]> {
  proofIndex ??= fetchExport("export/proofs/index.json")
    .then((r) => r.json() as Promise<{ shards?: ProofIndexEntry[] }>)
    .then((j) => (Array.isArray(j.shards) ? j.shards : []));
  proofIndex.catch(() => (proofIndex = undefined));
  return proofIndex;
}

async function shardUrl(batchId: string, shard: number): Promise<string> {
  const entry = (await loadProofIndex()).find((e) => e.batchId === batchId.toLowerCase());
  if (entry?.path && /^[\w./-]+$/.test(entry.path) && !entry.path.includes(".."))
    return `export/${entry.path.replace(/\/?$/, "/")}${shard}.bin`;
  if (entry?.manifestURI.startsWith(`${cfg.portalBase}/`)) {
    const folder = entry.manifestURI.slice(cfg.portalBase.length + 1).replace(/[^/]*$/, "");
    return `${folder}shards/${shard}.bin`;
  }
  throw new Error(`no proof shards published here for batch ${batchId}`);
}

/** Fetches proof shard `shard` of a batch from the static export. */
export async function fetchShardBytes(batchId: string, shard: number): Promise<Uint8Array> {
  const res = await fetchExport(await shardUrl(batchId, shard));
  return new Uint8Array(await res.arrayBuffer());
}

async function shardSizeOf(batchId: string): Promise<number | undefined> {
  try {
    const entry = (await loadProofIndex()).find((e) => e.batchId === batchId.toLowerCase());
    return entry?.shardSize && Number.isInteger(entry.shardSize) && entry.shardSize > 0 ? entry.shardSize : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Verifies what was scanned, uploaded or pasted, with lib/verify's `verifyPayload`.
 *
 * @param input - a link or a payload string
 * @param options - a seller address and an order reference the buyer typed (optional; the order
 *   reference is hashed on this device with the link's receipt secret, never sent)
 * @returns the verification result (never throws for bad input)
 * @example
 * const r = await runVerification(location.hash.slice(1), {});
 */
export async function runVerification(
  input: string,
  options: { seller?: Address; orderReference?: string },
): Promise<VerifyResult> {
  let shardSize: number | undefined;
  try {
    const p = decodePayload(parsePayloadInput(input).payload);
    if (p.form === "short") shardSize = await shardSizeOf(p.batchId);
  } catch {
    // verifyPayload reports the decoding problem itself.
  }
  const onChain = async () => {
    const chainId = await rpc.chainId();
    if (chainId !== cfg.chainId)
      throw new RpcError(`the RPC endpoint serves chain ${chainId}, not ${cfg.chainId}`, true);
  };
  const verifyOptions: VerifyOptions = {
    expectedChainId: cfg.chainId,
    expectedLedger: cfg.ledger,
    fetchStatus: async (q) => {
      await onChain();
      return (await ledgerVersionRaw(rpc, q.ledger)) === 2 ? readKeyStatusV2Raw(rpc, q) : readKeyStatusRaw(rpc, q);
    },
    fetchSale: async (q) => {
      await onChain();
      return readSaleLogRaw(rpc, q);
    },
    confirmReceipt: async (q) => {
      await onChain();
      return readReceiptValidRaw(rpc, q);
    },
    fetchShard: (batchId, shard) => fetchShardBytes(batchId, shard),
  };
  if (shardSize !== undefined) verifyOptions.shardSize = shardSize;
  if (options.seller) verifyOptions.seller = options.seller;
  if (options.orderReference) verifyOptions.orderReference = options.orderReference;
  return verifyPayload(input, verifyOptions);
}
