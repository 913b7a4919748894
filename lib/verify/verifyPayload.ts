import type { Address, Hex } from "viem";
import { decodePayload } from "../payload/decodePayload.js";
import { parsePayloadInput } from "../payload/parsePayloadInput.js";
import { PayloadError } from "../payload/errors.js";
import type { DecodedPayload } from "../schemas/payload.js";
import type { KeyStatus } from "../schemas/keyStatus.js";
import { checkKeyStatus } from "./checkKeyStatus.js";
import { leafHash } from "../merkle/leafHash.js";
import { verifyProof } from "../merkle/verifyProof.js";
import { hashPair } from "../merkle/hashPair.js";
import type * as Receipt from "./internal/receipt.js";
import type { ProofShard } from "../merkle/types.js";
import { cannotConfirmCause, fetchShardFor, judgeShard, type ProofDataProblem } from "./internal/proofData.js";
import { readHex, writeHex } from "../payload/internal/hex.js";
import { checkDetailText, type CheckDetailCode, type CheckDetailParams } from "./checkDetails.js";
import type {
  KeyQuery,
  SaleFacts,
  SaleRecord,
  VerifyCheck,
  VerifyCheckName,
  VerifyFacts,
  VerifyOptions,
  VerifyResult,
} from "./types.js";

export type { KeyQuery, VerifyCheck, VerifyOptions, VerifyResult } from "./types.js";

const ZERO32 = `0x${"0".repeat(64)}`;

const LABELS: Record<VerifyCheckName, string> = {
  decode: "payload decodes (format version 1 or 2)",
  chain: "payload names this chain and ledger",
  shard: "proof shard fetched and read",
  key: "typed key matches the commitment",
  proof: "Merkle proof leads to the batch root",
  root: "batch root read from the chain",
  status: "key status read from the chain",
  sale: "the key's sale log read and confirmed by the ledger",
  receipt: "the link's receipt is the key's live sale receipt",
  orderRef: "the typed order reference is the one recorded for this key",
  seller: "seller is the key's current holder",
};

const errorText = (e: unknown) =>
  e instanceof Error ? ((e as { shortMessage?: string }).shortMessage ?? e.message) : String(e);

const saleFactsOf = (r: SaleRecord): SaleFacts => ({
  saleNo: r.saleNo,
  seller: r.seller,
  soldAt: r.soldAt,
  store: r.store,
  terminal: r.terminal,
  amount: r.amount,
  currency: r.currency,
  tx: r.tx,
});

/** The root a proof folds to (sorted pairs), or undefined for malformed hex. */
function foldRoot(leaf: Hex, proof: readonly Hex[]): Hex | undefined {
  let node = new Uint8Array(32);
  const sib = new Uint8Array(32);
  if (!writeHex(leaf, 32, node, 0)) return undefined;
  for (const p of proof) {
    if (!writeHex(p, 32, sib, 0)) return undefined;
    node = hashPair(node, sib).slice();
  }
  return readHex(node, 0, 32);
}

const same = (a: string | undefined, b: string | undefined) =>
  a !== undefined && b !== undefined && a.toLowerCase() === b.toLowerCase();
const short = (h: string) => `${h.slice(0, 10)}…${h.slice(-8)}`;

/**
 * Verifies a key's QR payload: the one verification used by the CLI and the portal alike.
 * Offline it checks the format, the chain, the typed key (if any) and the Merkle proof; online
 * it reads the batch root and the key's status (holder, frozen reason, redeemed) from the chain
 * and, for a short form, the proof shard. Never throws for bad input: every outcome is a verdict.
 *
 * @param input A link, a payload string, or a decoded payload.
 * @param options Chain expectations and data sources (see {@link VerifyOptions}); `key` never leaves this function.
 * @returns genuine / not-in-batch / revoked / redeemed / sold-to-another / sold-to-you / not-yet-sold /
 *   holder-mismatch / malformed / wrong-chain / unreachable, with the facts and the checks run. A v2 link's receipt
 *   is checked against the key's live sale (`fetchSale` + `confirmReceipt`); see docs/FORMATS.md §8.1.
 *
 * @example
 * const r = await verifyPayload(url, {
 *   expectedChainId: 31337,
 *   fetchStatus: (q) => readKeyStatus(client, q),
 *   fetchShard: (batchId, s) => fetch(`/batches/${batchId}/shards/${s}.bin`).then(async (x) => new Uint8Array(await x.arrayBuffer())),
 * });
 * if (r.verdict === "holder-mismatch") console.log(`sold by ${r.seller}, held by ${r.holder}`);
 */
export async function verifyPayload(
  input: string | DecodedPayload,
  options: VerifyOptions = {},
): Promise<VerifyResult> {
  const checks: VerifyCheck[] = [];
  const check = (
    name: VerifyCheckName,
    ok: boolean | null,
    online: boolean,
    detailCode: CheckDetailCode,
    detailParams: CheckDetailParams = {},
  ) => {
    checks.push({
      name,
      label: LABELS[name],
      ok,
      online,
      detail: checkDetailText(detailCode, detailParams),
      detailCode,
      detailParams,
    });
  };

  // 1. decode
  let p: DecodedPayload;
  // The encoder is loaded only for a decoded payload given as an object (a browser verifying a scanned link never
  // needs it, so it stays out of the verify page's first script).
  const encodePayload =
    typeof input === "string" ? undefined : (await import("../payload/encodePayload.js")).encodePayload;
  try {
    p =
      typeof input === "string"
        ? decodePayload(parsePayloadInput(input).payload)
        : decodePayload(encodePayload!(input));
  } catch (e) {
    const error =
      e instanceof PayloadError
        ? e
        : new PayloadError("FIELD", e instanceof Error ? e.message : String(e), { cause: e });
    check("decode", false, false, "decode-failed", { error: error.shortMessage, code: error.code });
    return {
      verdict: "malformed",
      code: error.code,
      error,
      message: `This is not a valid KeyTrail code: ${error.shortMessage}`,
      checks,
      keyCheck: "not-checked",
      checked: "code",
    };
  }
  check("decode", true, false, p.receiptSecret !== undefined ? "decode-form-receipt" : "decode-form", { form: p.form });
  const seller = options.seller ?? p.seller;
  const facts: VerifyFacts = {
    message: "",
    checks,
    payload: p,
    chainId: p.chainId,
    ledger: p.ledger,
    batchId: p.batchId,
    index: p.index,
    keyCheck: "not-checked",
    checked: "code",
  };
  if (seller !== undefined) facts.seller = seller;
  const publicForm = p.salt === undefined;
  if (publicForm) facts.publicForm = true;
  if (p.commitment !== undefined) facts.commitment = p.commitment;
  if (p.proof !== undefined) facts.proof = p.proof;

  // 2. chain and ledger
  const chainOk = options.expectedChainId === undefined || options.expectedChainId === p.chainId;
  const ledgerOk = options.expectedLedger === undefined || same(options.expectedLedger, p.ledger);
  if (!chainOk || !ledgerOk) {
    if (!chainOk)
      check("chain", false, false, "chain-other", { chainId: p.chainId, expected: String(options.expectedChainId) });
    else check("chain", false, false, "ledger-other", { ledger: p.ledger, expected: String(options.expectedLedger) });
    return {
      ...facts,
      verdict: "wrong-chain",
      payloadChainId: p.chainId,
      expectedChainId: options.expectedChainId,
      payloadLedger: p.ledger,
      expectedLedger: options.expectedLedger,
      message: !chainOk
        ? `This code is for chain ${p.chainId}, not chain ${options.expectedChainId}: verify it on a portal for chain ${p.chainId}.`
        : `This code names ledger ${p.ledger}, not the ledger ${options.expectedLedger} this verifier reads.`,
    };
  }
  check(
    "chain",
    options.expectedChainId === undefined && options.expectedLedger === undefined ? null : true,
    false,
    "chain-ok",
    { chainId: p.chainId, ledger: p.ledger },
  );

  const query: KeyQuery = { chainId: p.chainId, ledger: p.ledger, batchId: p.batchId, index: p.index };
  const offline: string[] = ["the payload decodes"];

  // 3. typed key, if the payload already carries the commitment
  const salt = p.salt;
  if (options.key && salt === undefined) check("key", null, false, "key-public-form");
  // Key normalisation and hashing are loaded only when a key was typed.
  const keyCommitment = await (async () => {
    if (!options.key || salt === undefined) return undefined;
    const { commitTypedKey } = await import("../commit/commitTypedKey.js");
    try {
      return commitTypedKey(salt, options.key, p.keyCase === "upper");
    } catch {
      return null; // an empty or unusable key never matches
    }
  })();
  const keyCheck = (commitment: Hex): boolean | undefined => {
    if (keyCommitment === undefined) return undefined;
    const ok = keyCommitment !== null && same(keyCommitment, commitment);
    facts.keyCheck = ok ? "match" : "mismatch";
    facts.checked = ok ? "key" : "code";
    check("key", ok, false, ok ? "key-match" : "key-mismatch");
    if (ok) offline.push("the typed key matches the commitment");
    return ok;
  };

  // 4. commitment and proof. A full form carries its proof. A short form's proof comes from a shard, which is
  // someone else's data: it is fetched here but judged only after the chain is read (a shard that does not fold
  // to the chain's root is "cannot confirm", never a verdict about the key).
  let commitment = p.commitment;
  let proof = p.proof;
  const wrongKey = (): VerifyResult => ({
    ...facts,
    verdict: "not-in-batch",
    cause: "key",
    message: "The key you typed is not the key this code was issued for.",
  });
  if (commitment !== undefined && keyCheck(commitment) === false) return wrongKey();
  let shard: ProofShard | undefined;
  let shardProblem: { cause: ProofDataProblem; error: unknown } | undefined;
  let shardWhere = "";
  if (proof === undefined) {
    const located = await fetchShardFor(p, options);
    shardWhere = located.where;
    if (located.where !== "") facts.proofDataSource = located.where;
    if ("shard" in located) {
      shard = located.shard;
      check("shard", true, true, "shard-read", { where: located.where, shardSize: shard.shardSize });
    } else {
      shardProblem = { cause: located.cause, error: located.error };
      check(
        "shard",
        located.cause === "proof-data-unavailable" && !options.fetchShard ? null : false,
        true,
        "shard-failed",
        { error: errorText(located.error) },
      );
    }
  }

  // 5. root and status from the chain (or given)
  let status: KeyStatus | undefined;
  let root: Hex | undefined = options.root;
  let rootSource: "chain" | "given" | undefined = root !== undefined ? "given" : undefined;
  let onlineError: unknown;
  if (options.fetchStatus) {
    try {
      const raw = await options.fetchStatus(query);
      const problems = checkKeyStatus(raw);
      if (problems.length > 0) throw new Error(`the status source returned malformed data: ${problems.join("; ")}`);
      status = raw;
      facts.status = status;
      facts.ledgerVersion = status.ledgerVersion ?? 1;
      if (status.issuerSuspended !== undefined) facts.issuerSuspended = status.issuerSuspended;
      if (status.saleRequired !== undefined) facts.saleRequired = status.saleRequired;
      check("status", true, true, "status-read", { holder: status.holder });
      if (status.root === ZERO32) {
        check("root", false, true, "root-unknown");
        return {
          ...facts,
          verdict: "not-in-batch",
          cause: "batch-unknown",
          message: `No batch ${short(p.batchId)} was ever anchored on this ledger: this code was not issued by anyone here.`,
        };
      }
      root = status.root;
      rootSource = "chain";
      facts.supplier = status.supplier;
      facts.holder = status.holder;
      if (p.index >= status.count) {
        check("root", true, true, "root-read", { root: short(root) });
        return {
          ...facts,
          root,
          verdict: "not-in-batch",
          cause: "index-out-of-range",
          message: `Key ${p.index} is not in this batch: it holds ${status.count} keys.`,
        };
      }
    } catch (e) {
      onlineError = e;
      check("status", false, true, "status-failed", { error: errorText(e) });
    }
  } else if (options.fetchRoot) {
    try {
      const r = await options.fetchRoot(query);
      if (r === null || r === ZERO32) {
        check("root", false, true, "root-unknown");
        return {
          ...facts,
          verdict: "not-in-batch",
          cause: "batch-unknown",
          message: `No batch ${short(p.batchId)} was ever anchored on this ledger: this code was not issued by anyone here.`,
        };
      }
      root = r;
      rootSource = "chain";
    } catch (e) {
      onlineError = e;
      check("root", false, true, "root-failed", { error: errorText(e) });
    }
  }
  const chainRead = root !== undefined && (onlineError === undefined || rootSource === "given");

  // 5b. the short form's proof data, judged against the chain's root
  if (proof === undefined && shardProblem === undefined && shard !== undefined) {
    const judged = judgeShard(shard, p, chainRead ? root : undefined, status?.count, shardWhere);
    if ("problem" in judged) shardProblem = { cause: "proof-data-mismatch", error: judged.problem };
    else if (judged.outOfRange) {
      return {
        ...facts,
        ...(root !== undefined ? { root } : {}),
        verdict: "not-in-batch",
        cause: "index-out-of-range",
        message: `Key ${p.index} is not in this batch: it holds ${shard.batchCount} keys.`,
      };
    } else {
      if (judged.confirmed) check("proof", true, false, "proof-shard-folds", { where: shardWhere });
      if (p.commitment !== undefined && !same(p.commitment, judged.commitment)) {
        if (!judged.confirmed) {
          shardProblem = {
            cause: "proof-data-mismatch",
            error: new Error(`${shardWhere} gives another commitment than this code, and the chain was not read`),
          };
        } else {
          check("proof", false, true, "proof-commitment-differs");
          return {
            ...facts,
            root: root!,
            verdict: "not-in-batch",
            cause: "commitment",
            message: "This code's commitment is not the one the supplier anchored for this key.",
          };
        }
      }
      if (shardProblem === undefined) {
        commitment = judged.commitment;
        proof = judged.proof;
        facts.commitment = commitment;
        facts.proof = proof;
      }
    }
  }
  if (shardProblem !== undefined) {
    if (shardProblem.cause === "proof-data-mismatch")
      check("proof", null, true, "proof-data-mismatch", { error: errorText(shardProblem.error) });
    const chainSays =
      chainRead && status !== undefined
        ? ` The chain answers: batch ${short(p.batchId)} holds ${status.count} keys, key ${p.index} among them.`
        : chainRead
          ? ` The chain answers: batch ${short(p.batchId)} is anchored.`
          : ` The chain could not be read either (${errorText(onlineError ?? new Error("no chain access configured"))}).`;
    const what =
      shardProblem.cause === "proof-data-unavailable"
        ? `Cannot confirm this key: proof data unavailable (${errorText(shardProblem.error).replace(/\.$/, "")}).`
        : shardProblem.cause === "proof-data-invalid"
          ? `Cannot confirm this key: the published proof data is not a valid proof shard (${errorText(shardProblem.error).replace(/\.$/, "")}).`
          : `Cannot confirm this key: the published proof data does not match the chain (${errorText(shardProblem.error).replace(/\.$/, "")}).`;
    if (commitment !== undefined) offline.push("this code's commitment is known, its proof is not");
    return {
      ...facts,
      ...(chainRead && root !== undefined ? { root } : {}),
      verdict: "unreachable",
      cannotConfirm: chainRead ? shardProblem.cause : cannotConfirmCause(onlineError),
      error: shardProblem.error,
      offline,
      message: `${what}${chainSays} This says nothing against the key or its seller. Checked offline: ${offline.join("; ")}.`,
    };
  }
  const c = commitment!;
  const leaf = leafHash(p.batchId, p.index, c);
  // A commitment taken from proof data is compared with a typed key only once that data is confirmed by the chain.
  if (p.commitment === undefined && chainRead && keyCheck(c) === false) return wrongKey();

  // 6. the proof
  if (!chainRead) {
    const computed = foldRoot(leaf, proof!);
    if (computed !== undefined) facts.computedRoot = computed;
    check("proof", null, false, "proof-unconfirmed", { computed: computed ?? "?" });
    offline.push(`the Merkle proof is consistent with root ${computed}, which could not be confirmed on chain`);
    return {
      ...facts,
      verdict: "unreachable",
      cannotConfirm: cannotConfirmCause(onlineError),
      error: onlineError ?? new Error("no chain access configured (no root, fetchStatus or fetchRoot)"),
      offline,
      message: `${cannotConfirm(onlineError) ?? "The chain could not be read, so this key is not confirmed."} Checked offline: ${offline.join("; ")}.`,
    };
  }
  facts.root = root!;
  if (rootSource === "chain" && !checks.some((x) => x.name === "root"))
    check("root", true, true, "root-read", { root: short(root!) });
  if (shard === undefined) {
    const valid = verifyProof(root!, leaf, proof!);
    check("proof", valid, false, rootSource === "given" ? "proof-checked-given" : "proof-checked", {
      nodes: proof!.length,
      root: short(root!),
    });
    if (!valid) {
      const computed = foldRoot(leaf, proof!);
      if (computed !== undefined) facts.computedRoot = computed;
      return {
        ...facts,
        verdict: "not-in-batch",
        cause: "proof",
        message:
          "This key is not in the batch it names: its proof does not lead to the batch's root (a forged or altered code).",
      };
    }
  }
  facts.computedRoot = root!;
  offline.push("the Merkle proof leads to the batch root");
  if (onlineError !== undefined || status === undefined) {
    if (onlineError !== undefined)
      return {
        ...facts,
        verdict: "unreachable",
        cannotConfirm: cannotConfirmCause(onlineError),
        error: onlineError,
        offline,
        message: `${cannotConfirm(onlineError) ?? "The key's status could not be read from the chain."} Checked offline: ${offline.join("; ")} (root given, not read).`,
      };
    // A given root and no status source: membership only.
    check("status", null, true, "status-none");
    return {
      ...facts,
      verdict: "genuine",
      message:
        "This key is in the batch (proof checked against the given root); its holder, revocation and redemption were not read.",
    };
  }

  // 7. status verdicts. Precedence (docs/FORMATS.md §8.1): revoked > redeemed > sold-to-another >
  // sold-to-you > not-yet-sold > holder-mismatch > genuine.
  if (status.expiresAt !== 0) facts.expired = (options.now ?? Math.floor(Date.now() / 1000)) > status.expiresAt;
  const v2 = status.ledgerVersion === 2;
  const notes: string[] = [];
  if (status.issuerSuspended === true) notes.push("The issuer of this key is suspended on the ledger.");
  const say = (m: string) => (notes.length > 0 ? `${m} ${notes.join(" ")}` : m);
  if (status.frozenReason !== "none") {
    const byRegulator = status.frozenByRegulator === true;
    if (v2) facts.frozenByRegulator = byRegulator;
    const who = byRegulator ? "a regulator" : v2 ? "its supplier" : "its supplier or a regulator";
    return {
      ...facts,
      verdict: "revoked",
      reason: status.frozenReason,
      message: say(
        status.frozenReason === "refunded"
          ? "This key's sale was refunded, so the key is frozen until its supplier reinstates it; do not accept it."
          : `This key was revoked by ${who} (reason: ${status.frozenReason}); do not accept it.`,
      ),
    };
  }
  if (status.redeemed)
    return { ...facts, verdict: "redeemed", message: say("This key is genuine but was already redeemed.") };

  const secret = p.receiptSecret;
  if (!v2) {
    if (secret !== undefined) {
      facts.receiptCheck = "not-checked";
      check("receipt", null, true, "receipt-v1");
    }
  } else if (status.sold === true) {
    const saleNo = status.saleNo ?? 0;
    let saleError: unknown;
    // The receipt hashing is loaded only for a sold key (a browser shows most codes without it); a load failure
    // reads as "the sale could not be read", like a failed sale read.
    const receiptCode = import("./internal/receipt.js");
    receiptCode.catch(() => undefined);
    /** The key's item of its live sale, from the log and confirmed by the proven root or the ledger's verifyReceipt. */
    const confirmed = await (async (): Promise<
      { rec: SaleRecord; pos: number; receipt: typeof Receipt } | undefined
    > => {
      // A proven status carries the live sale's root: the log's items are checked against it here, and the
      // ledger's verifyReceipt (an eth_call, one more round) is asked only of a status read by eth_call.
      const provenRoot = status.saleRoot;
      if (!options.fetchSale || (!options.confirmReceipt && provenRoot === undefined)) {
        saleError = new Error("no sale source configured (fetchSale and confirmReceipt)");
        check("sale", null, true, "sale-none");
        return undefined;
      }
      try {
        const rec = await options.fetchSale({ ...query, saleNo });
        const pos = rec.indices.indexOf(p.index);
        if (
          rec.saleNo !== saleNo ||
          !same(rec.batchId, p.batchId) ||
          pos < 0 ||
          rec.commitments.length !== rec.indices.length ||
          rec.orderRefs.length !== rec.indices.length
        )
          throw new Error(`the KeysSold log of sale ${saleNo} does not list key ${p.index} of this batch`);
        const items = rec.indices.map((index, k) => ({
          index,
          commitment: rec.commitments[k]!,
          orderRef: rec.orderRefs[k]!,
        }));
        const receipt = await receiptCode;
        const { proof: saleProof, root: saleRoot } = receipt.saleProofOf(p.batchId, items, pos);
        if (!same(saleRoot, rec.root))
          throw new Error(`the KeysSold log of sale ${saleNo} is inconsistent with its root`);
        const ok =
          provenRoot !== undefined
            ? same(saleRoot.slice(0, 50), provenRoot) // the ledger stores the root's first 24 bytes
            : await options.confirmReceipt!({
                ...query,
                commitment: items[pos]!.commitment,
                orderRef: items[pos]!.orderRef,
                proof: saleProof,
              });
        if (!ok)
          throw new Error(
            `the ledger does not confirm the logged receipt of key ${p.index} (sale ${saleNo}): ` +
              "the log does not match the chain's sale record",
          );
        check("sale", true, true, "sale-confirmed", { saleNo, seller: rec.seller });
        facts.sale = saleFactsOf(rec);
        return { rec, pos, receipt };
      } catch (e) {
        saleError = e;
        check("sale", false, true, "sale-failed", { error: errorText(e) });
        return undefined;
      }
    })();
    const another = (receipt: "mismatch" | "none"): VerifyResult => {
      const by = facts.sale ? ` (sale ${saleNo} by ${facts.sale.seller})` : ` (sale ${saleNo})`;
      return {
        ...facts,
        verdict: "sold-to-another",
        receipt,
        message: say(
          `This key was sold to someone else${by}: ${receipt === "none" ? "this link carries no receipt" : "this link's receipt is not the recorded one"}. ` +
            "Treat it as sold twice: do not redeem it, and contact the seller.",
        ),
      };
    };
    if (secret === undefined) {
      facts.receiptCheck = "none";
      check("receipt", false, false, "receipt-none");
      return another("none");
    }
    if (!confirmed) {
      facts.receiptCheck = "not-checked";
      check("receipt", null, true, "receipt-unchecked");
      offline.push(`the key is sold on chain (sale ${saleNo}); this link's receipt could not be checked`);
      return {
        ...facts,
        verdict: "unreachable",
        cannotConfirm: "sale-unreadable",
        error: saleError,
        offline,
        message: say(
          `This key is sold (sale ${saleNo}) but its sale record could not be read, so your receipt was not checked. Checked: ${offline.join("; ")}.`,
        ),
      };
    }
    const { rec, pos, receipt } = confirmed;
    if (!same(receipt.receiptCommitment(p.batchId, p.index, secret), rec.commitments[pos])) {
      facts.receiptCheck = "mismatch";
      check("receipt", false, true, "receipt-another", { saleNo });
      return another("mismatch");
    }
    facts.receiptCheck = "match";
    check("receipt", true, true, "receipt-match", { saleNo });
    const sale: SaleFacts = saleFactsOf(rec);
    let orderNote = "";
    if (options.orderReference !== undefined) {
      const h = receipt.orderRefHash(options.orderReference, secret);
      sale.orderRefMatches = h !== undefined && same(h, rec.orderRefs[pos]);
      check(
        "orderRef",
        sale.orderRefMatches,
        false,
        h === undefined ? "order-ref-invalid" : sale.orderRefMatches ? "order-ref-match" : "order-ref-mismatch",
      );
      orderNote = sale.orderRefMatches
        ? " Your order reference matches."
        : " The order reference you typed is not the one recorded for this sale.";
    }
    facts.sale = sale;
    return {
      ...facts,
      verdict: "sold-to-you",
      sale,
      message: say(
        `This key is genuine and its sale to you is recorded: sale ${saleNo} by ${rec.seller} at ${new Date(rec.soldAt * 1000).toISOString()}.${orderNote}`,
      ),
    };
  } else {
    facts.receiptCheck = secret !== undefined ? "no-live-sale" : "none";
    if (secret !== undefined)
      check("receipt", false, true, status.refunded === true ? "receipt-refunded" : "receipt-no-live-sale");
    if (status.saleRequired === true)
      return {
        ...facts,
        verdict: "not-yet-sold",
        message: say(
          "This key is genuine but no sale of it is recorded, and its batch must be sold before it can be redeemed. " +
            "If you bought it, ask the seller to record the sale.",
        ),
      };
  }
  if (seller !== undefined) {
    const ok = same(seller, status.holder);
    check("seller", ok, true, ok ? "seller-holds" : "seller-not-holder", { seller, holder: status.holder });
    if (!ok)
      return {
        ...facts,
        verdict: "holder-mismatch",
        seller,
        holder: status.holder as Address,
        message: say(`The seller ${seller} does not hold this key on the ledger; ${status.holder} does.`),
      };
  }
  const expiredNote = facts.expired ? " (but the batch has expired)" : "";
  return {
    ...facts,
    verdict: "genuine",
    message: say(
      publicForm
        ? `The code is genuine: issued by ${status.supplier}, held by ${status.holder}, not revoked, not redeemed${expiredNote}; a typed key cannot be checked with this form.`
        : `This key is genuine: issued by ${status.supplier}, held by ${status.holder}, not revoked, not redeemed${expiredNote}.`,
    ),
  };
}

/** The verdict's words when the status source refused to trust the chain it saw (RPCs disagree, no proof checks). */
function cannotConfirm(e: unknown): string | undefined {
  if (!(e instanceof Error)) return undefined;
  const short = (e as { shortMessage?: string }).shortMessage ?? e.message;
  if (e.name === "TrustError") return `Cannot confirm this key: ${short}`;
  if (e.name === "ProofError") return `Cannot confirm this key: the chain's answer did not check out (${short}).`;
  return undefined;
}
