import type { Address, Hex } from "viem";
import type { PayloadError, PayloadErrorCode } from "../payload/errors.js";
import type { DecodedPayload } from "../schemas/payload.js";
import type { KeyStatus, RevocationReason } from "../schemas/keyStatus.js";
import type { CardKey } from "../keys/normaliseKey.js";

/** Which key a status or proof lookup is about. */
export type KeyQuery = { chainId: number; ledger: Address; batchId: Hex; index: number; hint?: number };

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
  /** Reads the key's status (root, holder, frozen reason, redeemed), e.g. with `readKeyStatus`. */
  fetchStatus?: (q: KeyQuery) => Promise<KeyStatus>;
  /** The key typed by the consumer: normalised and committed locally, never sent anywhere. */
  key?: CardKey;
  /** A seller named by the consumer (overrides the payload's seller). */
  seller?: Address;
  /** Now, in Unix seconds (for expiry); default the clock. */
  now?: number;
};

/** Names of the checks a verification runs. */
export type VerifyCheckName = "decode" | "chain" | "shard" | "key" | "proof" | "root" | "status" | "seller";

/** One check, whether it passed (`null`: not run), and whether it needed the network. */
export type VerifyCheck = {
  name: VerifyCheckName;
  label: string;
  ok: boolean | null;
  online: boolean;
  detail?: string;
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
  status?: KeyStatus;
  supplier?: Address;
  holder?: Address;
  seller?: Address;
  /** Result of the typed-key check. */
  keyCheck: "match" | "mismatch" | "not-checked";
  /** The batch's expiry has passed (from the status). */
  expired?: boolean;
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
  | (VerifyFacts & { verdict: "holder-mismatch"; seller: Address; holder: Address })
  | (VerifyFacts & { verdict: "malformed"; code: PayloadErrorCode; error: PayloadError })
  | (VerifyFacts & {
      verdict: "wrong-chain";
      payloadChainId: number;
      expectedChainId: number | undefined;
      payloadLedger: Address;
      expectedLedger: Address | undefined;
    })
  | (VerifyFacts & { verdict: "unreachable"; error: unknown; offline: string[] });

/** A verdict name. */
export type Verdict = VerifyResult["verdict"];
