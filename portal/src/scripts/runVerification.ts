/**
 * Runs lib/verify's `verifyPayload` with the portal's chain access (hand-written keyStatus
 * eth_call on the configured RPCs) and proof-shard fetching (same-origin static export), and
 * turns its result into what the page shows.
 */
import { publicConfig as cfg } from "../config/publicConfig.ts";
import type { Verdict } from "../i18n/verdictStrings.ts";
import type { DecodedPayload } from "../../../lib/schemas/payload.js";
import { verifyPayload } from "../../../lib/verify/verifyPayload.js";
import { createRpc, readKeyStatusRaw, RpcError } from "./rpc.ts";

/** One check shown under the verdict. */
export type Check = { name: string; label: string; ok: boolean | null; online: boolean };

/** What the page shows for one payload. */
export type Outcome = {
  verdict: Verdict;
  note?: string;
  supplier?: string;
  holder?: string;
  reason?: string;
  seller?: string;
  commitment?: string;
  proof?: readonly string[];
  root?: string;
  problem?: string;
  checks: Check[];
};

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

async function shardUrl(batchId: string, shard: number): Promise<string> {
  proofIndex ??= fetchExport("export/proofs/index.json")
    .then((r) => r.json() as Promise<{ shards?: ProofIndexEntry[] }>)
    .then((j) => (Array.isArray(j.shards) ? j.shards : []));
  proofIndex.catch(() => (proofIndex = undefined));
  const entry = (await proofIndex).find((e) => e.batchId === batchId.toLowerCase());
  if (entry?.path && /^[\w./-]+$/.test(entry.path) && !entry.path.includes("..")) return `export/${entry.path.replace(/\/?$/, "/")}${shard}.bin`;
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

/**
 * Verifies one decoded payload.
 *
 * @param payload - decoded payload
 * @param options - a seller address the user named (optional)
 * @returns what to show
 * @example
 * const o = await runVerification(decodePayload(location.hash.slice(1)), {});
 */
export async function runVerification(payload: DecodedPayload, options: { seller?: string }): Promise<Outcome> {
  const result = (await verifyPayload(payload, {
    expectedChainId: cfg.chainId,
    fetchStatus: async (q: { ledger: string; batchId: string; index: number | bigint; hint?: number | bigint }) => {
      const chainId = await rpc.chainId();
      if (chainId !== cfg.chainId) throw new RpcError(`the RPC serves chain ${chainId}, not ${cfg.chainId}`, true);
      return readKeyStatusRaw(rpc, q);
    },
    fetchShard: (batchId: string, shard: number) => fetchShardBytes(batchId, shard),
  } as never)) as unknown as Record<string, unknown>;
  return toOutcome(payload, result, options.seller);
}

function toOutcome(payload: DecodedPayload, r: Record<string, unknown>, seller: string | undefined): Outcome {
  const s = (k: string) => (typeof r[k] === "string" ? (r[k] as string) : undefined);
  let verdict = (s("verdict") ?? "malformed") as Verdict;
  const out: Outcome = { verdict, checks: [], supplier: s("supplier"), holder: s("holder"), reason: s("reason") ?? s("frozenReason"), commitment: s("commitment") ?? payload.commitment, root: s("root") };
  if (Array.isArray(r.proof)) out.proof = r.proof as string[];
  else if (payload.proof) out.proof = payload.proof;
  if (verdict === "genuine" && seller && out.holder && seller.toLowerCase() !== out.holder.toLowerCase()) {
    verdict = "holder-mismatch";
    out.seller = seller.toLowerCase();
  }
  if (verdict === "holder-mismatch" && !out.seller) out.seller = s("seller") ?? payload.seller;
  out.verdict = verdict;
  if (payload.ledger.toLowerCase() !== cfg.ledger.toLowerCase() && verdict === "not-in-batch") out.problem = `ledger ${payload.ledger} ≠ ${cfg.ledger}`;
  const err = r.error ?? r.cause;
  if (typeof r.message === "string") out.problem = r.message;
  else if (err instanceof Error) out.problem = (err as { shortMessage?: string }).shortMessage ?? err.message;
  const checks = r.checks;
  if (Array.isArray(checks)) {
    for (const c of checks as Record<string, unknown>[]) {
      out.checks.push({ name: String(c.name ?? c.id ?? ""), label: String(c.label ?? c.name ?? ""), ok: typeof c.ok === "boolean" ? c.ok : typeof c.passed === "boolean" ? c.passed : null, online: c.online === true || c.where === "online" });
    }
  }
  return out;
}
