import type { Address, Hex } from "viem";
import type { PayloadError, PayloadErrorCode } from "../payload/errors.js";
import type { DecodedPayload } from "../schemas/payload.js";
import type { KeyStatus, RevocationReason } from "../schemas/keyStatus.js";
import type { CardKey } from "../keys/normaliseKey.js";
import type { CheckDetailCode, CheckDetailParams } from "./checkDetails.js";

/** Which key a status or proof lookup is about. */
export type KeyQuery = { chainId: number; ledger: Address; batchId: Hex; index: number; hint?: number };

/** Which sale a `fetchSale` lookup is about: sale `saleNo` of the key's batch (v2 ledgers). */
export type SaleQuery = KeyQuery & { saleNo: number };

/** What `confirmReceipt` asks the ledger (`verifyReceipt`): is this the key's live sale's receipt? */
export type ReceiptQuery = KeyQuery & { commitment: Hex; orderRef: Hex; proof: Hex[] };

/**
 * One sale as its `KeysSold` log records it (v2 ledgers): the group of one batch sold in one `sell`
 * call, items in call order. Commitments and order-reference hashes are public chain data; the receipt
 * secret that opens them is only in the buyer's link.
 */
export type SaleRecord = {
  batchId: Hex;
  saleNo: number;
  /** The seller's account at the time of the sale (the log's topic). */
  seller: Address;
  root: Hex;
  /** Unix seconds. */
  soldAt: number;
  /** Free-form shop / till identifiers (bytes32), as the seller recorded them. */
  store: Hex;
  terminal: Hex;
  /** The price in the currency's minor units, as a decimal string (uint128). */
  amount: string;
  /** ISO 4217 code (from bytes3). */
  currency: string;
  indices: number[];
  commitments: Hex[];
  orderRefs: Hex[];
  /** Transaction of the `sell` call. */
  tx: Hex;
  blockNumber: number;
};

/** The facts of a key's live sale that a verdict shows (from a `KeysSold` log confirmed on chain). */
export type SaleFacts = {
  saleNo: number;
  seller: Address;
  soldAt: number;
  store: Hex;
  terminal: Hex;
  amount: string;
  currency: string;
  tx: Hex;
  /** When the buyer typed an order reference: whether it is the one recorded for this key. */
  orderRefMatches?: boolean;
};

/** Options of `verifyPayload`. Every source is optional: what is missing is reported, not guessed. */
export type VerifyOptions = {
  /** The chain the verifier trusts (the portal's, the CLI's network); another payload chain gives "wrong-chain". */
  expectedChainId?: number;
  /** The ledger the verifier trusts; another ledger gives "wrong-chain" too (the payload names a ledger this verifier does not read). */
  expectedLedger?: Address;
  /** A root known out of band (offline verification); the chain's root wins when a status is read. */
  root?: Hex;
  /** Reads a batch root (when no `fetchStatus`); resolve `null` when the batch does not exist. */
  fetchRoot?: (q: KeyQuery) => Promise<Hex | null>;
  /**
   * Reads proof shard `shard` of a batch (bytes of `shards/<shard>.bin`). Needed for short-form
   * payloads. The first shard asked for uses `shardSize`; the shard's own header corrects it.
   */
  fetchShard?: (batchId: Hex, shard: number) => Promise<Uint8Array>;
  /** Keys per shard to try first (default 1,024). */
  shardSize?: number;
  /**
   * Where `fetchShard` reads shard `shard` of a batch (a URL or a path), named in the verdict when that proof
   * data is missing or does not match the chain. Default: "proof shard <s> of batch <id>".
   */
  describeShard?: (batchId: Hex, shard: number) => string;
  /**
   * Reads the key's status (root, holder, frozen reason, redeemed), e.g. with `readKeyStatus`. A status
   * with `saleRoot` must have proven it (`readProvenStatus`): the link's receipt is then checked against
   * that root and `confirmReceipt` is not asked.
   */
  fetchStatus?: (q: KeyQuery) => Promise<KeyStatus>;
  /** The key typed by the consumer: normalised and committed locally, never sent anywhere. */
  key?: CardKey;
  /** A seller named by the consumer (overrides the payload's seller). */
  seller?: Address;
  /**
   * Reads the `KeysSold` log of sale `saleNo` of a batch (v2 ledgers), e.g. with `readSaleLog`. Needed
   * to check a link's receipt; without it a sold key with a receipt in its link is "unreachable".
   */
  fetchSale?: (q: SaleQuery) => Promise<SaleRecord>;
  /**
   * Asks the ledger whether (commitment, orderRef, proof) is the receipt of the key's live sale
   * (`verifyReceipt`), e.g. with `readReceiptValid`. The chain's stored sale root decides, so a log that
   * lies is caught. Needed with `fetchSale` unless the status carries a proven `saleRoot`.
   */
  confirmReceipt?: (q: ReceiptQuery) => Promise<boolean>;
  /** An order reference typed by the buyer (checked against the sale when the receipt matches; never sent). */
  orderReference?: string;
  /** Now, in Unix seconds (for expiry); default the clock. */
  now?: number;
};

/**
 * Why an `unreachable` verdict could not confirm the key (machine-readable; the message says it in words):
 * - `chain-unreachable`: no chain source answered (or none is configured, or the verifier is offline);
 * - `rpc-disagree`: the configured RPCs disagree (on a block, an `eth_call` or the chain id);
 * - `chain-proof-invalid`: the chain's answer came with storage proofs that do not check;
 * - `proof-data-unavailable`: the short form's proof shard could not be fetched (named in `proofDataSource`);
 * - `proof-data-invalid`: the fetched bytes are not a proof shard file;
 * - `proof-data-mismatch`: the proof shard does not fold to the root read from the chain (or names another
 *   key count, or another shard);
 * - `sale-unreadable`: the key is sold and its sale record could not be read or confirmed.
 * None of them says anything against the key or its seller.
 */
export type CannotConfirm =
  | "chain-unreachable"
  | "rpc-disagree"
  | "chain-proof-invalid"
  | "proof-data-unavailable"
  | "proof-data-invalid"
  | "proof-data-mismatch"
  | "sale-unreadable";

/** Names of the checks a verification runs. */
export type VerifyCheckName =
  "decode" | "chain" | "shard" | "key" | "proof" | "root" | "status" | "sale" | "receipt" | "orderRef" | "seller";

/** One check, whether it passed (`null`: not run), and whether it needed the network. */
export type VerifyCheck = {
  name: VerifyCheckName;
  label: string;
  ok: boolean | null;
  online: boolean;
  /** The detail in English (lib/verify/checkDetails.ts renders it from `detailCode` and `detailParams`; the portal's page, in its language). */
  detail?: string;
  /** The detail as a stable code, for rendering it in another language (see lib/verify/checkDetails.ts). */
  detailCode?: CheckDetailCode;
  /** The detail code's parameters. */
  detailParams?: CheckDetailParams;
};

/** Facts every result carries (as far as they are known). */
export type VerifyFacts = {
  /** One sentence in plain English saying what the verdict means. */
  message: string;
  checks: VerifyCheck[];
  payload?: DecodedPayload;
  chainId?: number;
  ledger?: Address;
  batchId?: Hex;
  index?: number;
  commitment?: Hex;
  proof?: Hex[];
  /** The root the proof folds to (computed offline). */
  computedRoot?: Hex;
  /** The root read from the chain (or given). */
  root?: Hex;
  /** A short form's proof data: where its shard was looked for (`describeShard`, or the shard and batch). */
  proofDataSource?: string;
  status?: KeyStatus;
  supplier?: Address;
  holder?: Address;
  seller?: Address;
  /**
   * The payload is the public form (version 3, no salt): it proves the code's batch membership and status, and a
   * typed key cannot be checked with it (`keyCheck` stays "not-checked").
   */
  publicForm?: boolean;
  /** Result of the typed-key check. */
  keyCheck: "match" | "mismatch" | "not-checked";
  /**
   * What the verdict is about: "code" (the QR code, its proof and the key's status; no key was typed, or
   * the typed key did not match) or "key" (in addition, a key the consumer typed matches the code's
   * commitment). The verdict strings stay the same; a "genuine" with `checked: "code"` says the code is
   * genuine, not that the key in hand is.
   */
  checked: "code" | "key";
  /** The batch's expiry has passed (from the status). */
  expired?: boolean;
  /** The ledger's version (1 or 2), once the status was read. */
  ledgerVersion?: 1 | 2;
  /** v2: the batch's supplier is suspended on the ledger (shown with any verdict). */
  issuerSuspended?: boolean;
  /** v2: the key is frozen by a regulator (only a regulator lifts it). */
  frozenByRegulator?: boolean;
  /** v2: the batch requires a sale before redemption. */
  saleRequired?: boolean;
  /** v2: the key's live sale, when its `KeysSold` log was read and confirmed. */
  sale?: SaleFacts;
  /**
   * v2: the link's receipt against the key's sale: "match" (the live sale's receipt), "mismatch" (another
   * receipt is the live one), "no-live-sale" (a receipt in the link, the key not sold now: refunded, or
   * never sold), "none" (no receipt in the link), "not-checked".
   */
  receiptCheck?: "match" | "mismatch" | "no-live-sale" | "none" | "not-checked";
};

/** Result of `verifyPayload`: a tagged union on `verdict`, with the facts behind it. */
export type VerifyResult =
  | (VerifyFacts & { verdict: "genuine" })
  | (VerifyFacts & {
      verdict: "not-in-batch";
      cause: "proof" | "key" | "commitment" | "batch-unknown" | "index-out-of-range";
    })
  | (VerifyFacts & { verdict: "revoked"; reason: RevocationReason })
  | (VerifyFacts & { verdict: "redeemed" })
  | (VerifyFacts & { verdict: "sold-to-another"; receipt: "mismatch" | "none" })
  | (VerifyFacts & { verdict: "sold-to-you"; sale: SaleFacts })
  | (VerifyFacts & { verdict: "not-yet-sold" })
  | (VerifyFacts & { verdict: "holder-mismatch"; seller: Address; holder: Address })
  | (VerifyFacts & { verdict: "malformed"; code: PayloadErrorCode; error: PayloadError })
  | (VerifyFacts & {
      verdict: "wrong-chain";
      payloadChainId: number;
      expectedChainId: number | undefined;
      payloadLedger: Address;
      expectedLedger: Address | undefined;
    })
  | (VerifyFacts & { verdict: "unreachable"; cannotConfirm: CannotConfirm; error: unknown; offline: string[] });

/** A verdict name. */
export type Verdict = VerifyResult["verdict"];
