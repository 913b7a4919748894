/**
 * Runs lib/verify's `verifyPayload` with the portal's chain access and proof-shard fetching (the
 * same-origin static export only). On a v2 ledger the key's status is read with storage proofs at a
 * block every configured RPC is asked about (lib/verify's `readProvenStatus`); the ledger version,
 * the key's KeysSold log and verifyReceipt are `eth_call`s asked of every RPC, believed only when
 * all that answer agree. A node without `eth_getProof` falls back to keyStatus by `eth_call`. A v1
 * ledger (no storage proofs) is read with keyStatus by `eth_call` on every RPC at a block they agree on
 * (lib/verify's `readAgreedCall`), believed only when every RPC that answers gives the same.
 */
import { publicConfig as cfg } from "../config/publicConfig.ts";
import type { Address } from "viem";
import { decodePayload } from "../../../lib/payload/decodePayload.js";
import { parsePayloadInput } from "../../../lib/payload/parsePayloadInput.js";
import type { KeyQuery, VerifyOptions, VerifyResult } from "../../../lib/verify/types.js";
import type { CardKey } from "../../../lib/keys/normaliseKey.js";
import { verifyPayload } from "../../../lib/verify/verifyPayload.js";
import { agreeOnBlock } from "../../../lib/proof/agreeOnBlock.js";
import type { RpcBlockHeader } from "../../../lib/proof/computeBlockHash.js";
import { firstProofSlots, prefetchFirstProofs } from "../../../lib/proof/prefetchFirstProofs.js";
import type { GetProofResponse } from "../../../lib/proof/readProvenKeyStatus.js";
import type { RpcRequest } from "../../../lib/proof/rpcRequest.js";
import { verifyAccountProof } from "../../../lib/proof/verifyAccountProof.js";
import { readProvenStatus, TrustError } from "../../../lib/verify/readProvenStatus.js";
import { createCheckedRpc, KEY_STATUS_SELECTOR, probeLedgerVersion, RpcError } from "./rpc.ts";
import type { EarlyCall } from "./rpcReads.ts";
import type { KeyStatus } from "../../../lib/schemas/keyStatus.js";

/** The reads a first verdict on a v2 ledger does not need (v1, no eth_getProof, a sale), loaded on demand. */
const reads = () => import("./rpcReads.ts");

const checked = createCheckedRpc(cfg.rpcUrls);
const versions = new Map<string, Promise<1 | 2>>();
let knownVersion: 1 | 2 | undefined;

/**
 * The version the build configuration gives for `ledger` (`ledgerVersion`, for the configured ledger
 * only), or undefined. Only a guess of what to ask in the first round: the chain's answer to `SALES()`,
 * asked in the same round, decides which read is made and believed.
 */
const configuredVersion = (ledger: string): 1 | 2 | undefined =>
  ledger.toLowerCase() === cfg.ledger.toLowerCase() ? cfg.ledgerVersion : undefined;

/** The v1 ledger's `keyStatus(bytes32,uint64,uint64)` call data for a key, as rpcReads.ts encodes it (no hint). */
const keyStatusV1Data = (q: KeyQuery) =>
  KEY_STATUS_SELECTOR +
  q.batchId.slice(2).toLowerCase() +
  BigInt(q.index).toString(16).padStart(64, "0") +
  "0".repeat(64);

/** The ledger's version, asked of every RPC (a liar cannot turn a v2 ledger into an unproven v1 read). */
function ledgerVersion(ledger: string): Promise<1 | 2> {
  const key = ledger.toLowerCase();
  let p = versions.get(key);
  if (!p) {
    p = checked.agree((r) => probeLedgerVersion(r, ledger), "the ledger version");
    versions.set(key, p);
    p.then((v) => (knownVersion = v)).catch(() => versions.delete(key));
  }
  return p;
}

/**
 * A requester for lib/proof that also starts the first round's speculative reads, and hands out an RPC's
 * v1 `keyStatus` call of that round with the head and latest header around it (rpcReads.ts's
 * `rpcAtBlock` uses it only when both are of the block asked).
 */
type AgreementRequest = {
  request: RpcRequest;
  speculate: (q: KeyQuery, version: 1 | 2 | undefined) => void;
  early: (url: string) => EarlyCall | undefined;
};

/** The first proof round's slots for a key, as lib/proof asks them. */
const firstSlots = (q: KeyQuery) => firstProofSlots(q.batchId, q.index);

/**
 * A requester for lib/proof over the configured RPCs, one per verification: the block-agreement
 * calls are remembered so that they can start early (next to the chain id and version checks) and
 * be reused when the status is read.
 *
 * `speculate` asks, in the first round next to the chain id, head and version, each RPC's latest
 * header and the reads of the version expected (known from an earlier verdict on this page, or given
 * by the build configuration): for v2, of the first RPC the key's first-round storage proofs at
 * "latest"; for v1, of every RPC the `keyStatus` `eth_call` at "latest", placed in the batch between
 * `eth_blockNumber` and the latest header. Nothing in them is believed here: a header is handed to the
 * block agreement only when asked for its own number (the agreement re-hashes it and compares it with
 * the other RPCs'); the proofs only when asked at that header's number and their account proof checks
 * against that header's state root (so they were taken at that block), and lib/proof then checks every
 * proof against the agreed block's state root as always; the v1 call only when the same RPC's head
 * before it and latest header after it are both of the block agreed on (`early`, used by rpcReads.ts's
 * `rpcAtBlock`), and then it goes through the same cross-RPC comparison as a call made at that block.
 * Anything else (a head that moved, another block agreed, another version on chain) is asked again at
 * the block, or not used.
 */
function agreementRequest(): AgreementRequest {
  const cache = new Map<string, Promise<unknown>>();
  const latest = new Map<string, Promise<unknown>>();
  const spec = new Map<string, { slots: string; proof: Promise<unknown>; at?: string }>();
  const calls = new Map<string, { to: string; data: string; answer: Promise<unknown> }>();
  const remembered = (url: string, method: string, params: unknown[]) => {
    const key = `${url} ${method} ${JSON.stringify(params)}`;
    let p = cache.get(key);
    if (!p) cache.set(key, (p = checked.requestOne(url, method, params)));
    return p;
  };
  const quiet = <T>(p: Promise<T> | undefined) => (p ?? Promise.resolve(undefined)).catch(() => undefined);
  const request: RpcRequest = async (url, method, params) => {
    if (!/^eth_(chainId|blockNumber|getBlockByNumber|getProof)$/.test(method))
      return checked.requestOne(url, method, params);
    const number = method === "eth_getProof" ? params[2] : method === "eth_getBlockByNumber" ? params[0] : undefined;
    if (typeof number === "string" && /^0x[0-9a-f]+$/i.test(number)) {
      const h = (await quiet(latest.get(url))) as RpcBlockHeader | undefined;
      const same = !!h && typeof h === "object" && typeof h.number === "string" && BigInt(h.number) === BigInt(number);
      if (same && method === "eth_getBlockByNumber") return h;
      const s = spec.get(url);
      if (same && method === "eth_getProof" && s?.slots === JSON.stringify(params[1])) {
        const p = (await quiet(s.proof)) as GetProofResponse | undefined;
        // (checked once per block: the prefetch and the proven read both ask for it)
        if (p && s.at === number) return p;
        try {
          if (p && verifyAccountProof({ stateRoot: h.stateRoot, address: params[0] as Address, proof: p.accountProof }))
            return ((s.at = number), p);
        } catch {
          // taken at another block (or a lie): asked again at the block below
        }
      }
    }
    return remembered(url, method, params);
  };
  const speculate = (q: KeyQuery, version: 1 | 2 | undefined) => {
    for (const u of cfg.rpcUrls) {
      void quiet(remembered(u, "eth_chainId", []));
      void quiet(remembered(u, "eth_blockNumber", []));
      if (version === 1) {
        // Between the head and the latest header of the same batch: both name the block it was answered at.
        const call = { to: q.ledger, data: keyStatusV1Data(q) };
        const answer = checked.requestOne(u, "eth_call", [call, "latest"]);
        void answer.catch(() => undefined);
        calls.set(u, { ...call, answer });
      }
      const h = checked.requestOne(u, "eth_getBlockByNumber", ["latest", false]);
      latest.set(u, h);
      void quiet(h);
    }
    // The proofs only when the ledger is expected to be v2 (an earlier verdict on this page, or the build
    // configuration): a ledger expected to be v1 is never sent eth_getProof.
    const [first] = cfg.rpcUrls;
    if (!first || version !== 2) return;
    const slots = firstSlots(q);
    const proof = checked.requestOne(first, "eth_getProof", [q.ledger, slots, "latest"]);
    spec.set(first, { slots: JSON.stringify(slots), proof });
    void quiet(proof);
  };
  const early = (url: string): EarlyCall | undefined => {
    const c = calls.get(url);
    return c && { ...c, head: quiet(remembered(url, "eth_blockNumber", [])), header: quiet(latest.get(url)) };
  };
  return { request, speculate, early };
}

/**
 * How the status behind a verdict was read (the tier the card shows): storage proofs at a block k of
 * n RPCs agree on; `eth_call` (a v1 ledger: on every RPC at block `block`, k of n giving the same
 * answer; a node without `eth_getProof`: one RPC); or RPCs that disagree at block B (the verdict is
 * "cannot confirm").
 */
export type TrustShown =
  | { method: "proof"; block: bigint; agreeing: number; asked: number }
  | { method: "call"; reason: "v1" | "no-get-proof"; block?: bigint; agreeing?: number; asked?: number }
  | { method: "disagree"; block: bigint };

const base = import.meta.env.BASE_URL.endsWith("/") ? import.meta.env.BASE_URL : `${import.meta.env.BASE_URL}/`;

type ProofIndexEntry = { batchId: string; shardSize: number | null; path: string | null; manifestURI: string };
let proofIndex: Promise<ProofIndexEntry[]> | undefined;
/** The proof index once loaded (for naming a shard's location in a verdict without another request). */
let proofIndexLoaded: ProofIndexEntry[] | undefined;

/** Fetches a same-origin export file (never anything else: CSP would refuse it anyway). */
export async function fetchExport(path: string): Promise<Response> {
  const res = await fetch(`${base}${path}`, { credentials: "omit", referrerPolicy: "no-referrer" });
  if (!res.ok) throw new Error(`${path}: HTTP ${res.status}`);
  return res;
}

function loadProofIndex(): Promise<ProofIndexEntry[]> {
  proofIndex ??= fetchExport("export/proofs/index.json")
    .then((r) => r.json() as Promise<{ shards?: ProofIndexEntry[] }>)
    .then((j) => (proofIndexLoaded = Array.isArray(j.shards) ? j.shards : []));
  proofIndex.catch(() => (proofIndex = undefined));
  return proofIndex;
}

async function shardUrl(batchId: string, shard: number): Promise<string> {
  const where = shardPathIn(await loadProofIndex(), batchId, shard);
  if (where === undefined) throw new Error(`no proof shards published here for batch ${batchId}`);
  return where;
}

/** Where the export publishes shard `shard` of a batch (export/proofs/index.json), or undefined. */
function shardPathIn(entries: ProofIndexEntry[], batchId: string, shard: number): string | undefined {
  const entry = entries.find((e) => e.batchId === batchId.toLowerCase());
  if (entry?.path && /^[\w./-]+$/.test(entry.path) && !entry.path.includes(".."))
    return `export/${entry.path.replace(/\/?$/, "/")}${shard}.bin`;
  if (entry?.manifestURI.startsWith(`${cfg.portalBase}/`)) {
    const folder = entry.manifestURI.slice(cfg.portalBase.length + 1).replace(/[^/]*$/, "");
    return `${folder}shards/${shard}.bin`;
  }
  return undefined;
}

/** Names shard `shard` of a batch in a verdict: its URL on this site, or the proof index that lacks it. */
function describeShard(batchId: string, shard: number): string {
  const path = proofIndexLoaded ? shardPathIn(proofIndexLoaded, batchId, shard) : undefined;
  return path !== undefined
    ? `${cfg.portalBase}/${path}`
    : `proof shard ${shard} of batch ${batchId} (not listed in ${cfg.portalBase}/export/proofs/index.json)`;
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
 * @param options - a seller address, an order reference and a key the buyer typed (optional; the order
 *   reference is hashed on this device with the link's receipt secret, the key with the payload's salt;
 *   neither is sent)
 * @returns the verification result (never throws for bad input)
 * @example
 * const r = await runVerification(location.hash.slice(1), {});
 */
export async function runVerification(
  input: string,
  options: { seller?: Address; orderReference?: string; key?: CardKey },
): Promise<VerifyResult & { trust?: TrustShown }> {
  let trust: TrustShown | undefined;
  let shardSize: number | undefined;
  // Every configured RPC is asked for the chain id: two different answers are "RPCs disagree" (cannot confirm).
  const onChain = async () => {
    const chainId = await checked.chainId();
    if (chainId !== cfg.chainId)
      throw new RpcError(`the RPC endpoints serve chain ${chainId}, not ${cfg.chainId}`, true);
  };
  const readStatus = async (q: KeyQuery): Promise<KeyStatus> => {
    performance.mark("keytrail:status-asked");
    checked.pin(undefined);
    const { request, speculate, early } = agreementRequest();
    // The version the first round is asked for: known from an earlier verdict on this page, or given by
    // the build configuration. The chain's answer to SALES() rides in the same round and decides.
    const expected = knownVersion ?? configuredVersion(q.ledger);
    const versionRead = ledgerVersion(q.ledger);
    // v1's reads are in chunks loaded on demand: when v1 is expected they load during the first round.
    const v1Modules = () => Promise.all([reads(), import("../../../lib/verify/readAgreedCall.js")] as const);
    const v1Loading = expected === 1 ? v1Modules() : undefined;
    void v1Loading?.catch(() => undefined);
    // One round with the version check: heads, latest headers and the expected version's reads; once the
    // version is known, whatever the speculation did not cover.
    speculate(q, expected);
    void versionRead
      .then((v) => {
        if (v !== 2) return;
        void agreeOnBlock({ urls: cfg.rpcUrls, chainId: cfg.chainId, request }).catch(() => undefined);
        // the first proof round with the headers, at the block the agreement will pick (see lib/proof)
        void prefetchFirstProofs({ ...q, request, urls: cfg.rpcUrls }).catch(() => undefined);
      })
      .catch(() => undefined);
    const [, version] = await Promise.all([onChain(), versionRead]);
    performance.mark("keytrail:chain-and-version");
    if (version === 1) {
      trust = { method: "call", reason: "v1" };
      try {
        // Loaded on demand: only a v1 ledger takes this path (keeps the initial JS within its budget).
        const [{ readKeyStatusRaw, rpcAtBlock }, { readAgreedCall }] = await (v1Loading ?? v1Modules());
        const r = await readAgreedCall({
          urls: cfg.rpcUrls,
          chainId: cfg.chainId,
          request,
          what: "keyStatus",
          reason: "a v1 ledger (its layout is not proven)",
          read: (url, block) => readKeyStatusRaw(rpcAtBlock(checked, url, block, early(url)), q),
        });
        trust = {
          method: "call",
          reason: "v1",
          block: r.trust.block,
          agreeing: r.trust.agreeing.length,
          asked: r.trust.asked,
        };
        checked.pin(r.trust.block);
        return r.value;
      } catch (e) {
        if (e instanceof TrustError && e.block !== undefined) trust = { method: "disagree", block: e.block };
        throw e;
      }
    }
    try {
      const r = await readProvenStatus({
        urls: cfg.rpcUrls,
        chainId: cfg.chainId,
        ledger: q.ledger,
        batchId: q.batchId,
        index: q.index,
        request,
      });
      performance.mark("keytrail:status-proven");
      trust = { method: "proof", block: r.trust.block, agreeing: r.trust.agreeing.length, asked: r.trust.asked };
      checked.pin(r.trust.block);
      return r.status;
    } catch (e) {
      if (e instanceof TrustError && e.block !== undefined) trust = { method: "disagree", block: e.block };
      if (e instanceof TrustError) throw e;
      // (whether the node lacks eth_getProof is judged by the on-demand chunk: a failure path)
      const { lacksGetProof, readKeyStatusV2Raw } = await reads();
      if (!lacksGetProof(e)) throw e;
      trust = { method: "call", reason: "no-get-proof" };
      return readKeyStatusV2Raw(checked, q);
    }
  };
  // The status read starts as soon as the payload decodes, for the configured chain and ledger: a
  // short-form code's proof index and shard are then fetched from the portal while the RPCs answer.
  let early: { key: string; status: Promise<KeyStatus> } | undefined;
  let used = false;
  const keyOf = (q: KeyQuery) => `${q.chainId} ${q.ledger.toLowerCase()} ${q.batchId.toLowerCase()} ${q.index}`;
  try {
    const p = decodePayload(parsePayloadInput(input).payload);
    if (p.chainId === cfg.chainId && p.ledger.toLowerCase() === cfg.ledger.toLowerCase()) {
      const q: KeyQuery = { chainId: p.chainId, ledger: p.ledger, batchId: p.batchId, index: p.index };
      early = { key: keyOf(q), status: readStatus(q) };
      early.status.catch(() => undefined);
      // Round 1 leaves now, not after this task (the browser may first lay out and paint the page).
      checked.flush?.();
    }
    if (p.form === "short") shardSize = await shardSizeOf(p.batchId);
  } catch {
    // verifyPayload reports the decoding problem itself.
  }
  const verifyOptions: VerifyOptions = {
    expectedChainId: cfg.chainId,
    expectedLedger: cfg.ledger,
    fetchStatus: (q) => ((used = true), early?.key === keyOf(q) ? early.status : readStatus(q)),
    fetchSale: async (q) => {
      const [{ readSaleLogRaw }] = await Promise.all([reads(), onChain()]);
      return readSaleLogRaw(checked, q);
    },
    confirmReceipt: async (q) => {
      const [{ readReceiptValidRaw }] = await Promise.all([reads(), onChain()]);
      return readReceiptValidRaw(checked, q);
    },
    fetchShard: (batchId, shard) => fetchShardBytes(batchId, shard),
    describeShard,
  };
  if (shardSize !== undefined) verifyOptions.shardSize = shardSize;
  if (options.seller) verifyOptions.seller = options.seller;
  if (options.orderReference) verifyOptions.orderReference = options.orderReference;
  if (options.key) verifyOptions.key = options.key;
  const result = await verifyPayload(input, verifyOptions);
  performance.mark("keytrail:verified");
  // The tier only of a status the verdict used (a code refused before the chain is read shows none, even
  // when the early read has finished).
  return trust && used ? { ...result, trust } : result;
}
