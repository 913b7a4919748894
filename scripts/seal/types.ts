import type { Address, Hex } from "viem";
import type { BatchManifest } from "../../lib/formats/manifest.js";
import type { BatchEntropy } from "../../lib/keys/assessBatchEntropy.js";
import type { KeyShapeEstimate } from "../../lib/keys/createKeyShapeTracker.js";
import type { ColumnRef, KeyFileParserOptions } from "../../lib/keys/createKeyFileParser.js";

/** Keys read from a key file, already normalised and encoded (`encodeKeyBytes`), packed for hashing. */
export type PackedKeys = {
  /** Number of keys. */
  count: number;
  /** Key bytes of every key back to back (on a SharedArrayBuffer, so workers read them without copies). */
  data: Uint8Array;
  /** `count + 1` offsets into `data`: key i is `data[offsets[i], offsets[i+1])`. */
  offsets: Uint32Array;
  /** What was read and inferred, for people to check. */
  info: KeyFileInfo;
};

/** What the reader found and inferred. */
export type KeyFileInfo = {
  file: string;
  /** "fast": plain ASCII CSV/TSV read by the byte reader; "general": lib/keys' streaming parser. */
  reader: "fast" | "general";
  /** SHA-256 of the key file's bytes, as read. */
  sha256: Hex;
  format: "csv" | "tsv" | "jsonl";
  encoding: string;
  header: string[] | null;
  columns: { serial: ColumnRef | null; pin: ColumnRef };
  columnsReason: string;
  /** Entropy of the weakest PIN, with a warning message when low. */
  entropy: BatchEntropy;
  /** Per-position estimate by PIN length (what the weak-key refusal reads): the weakest shape and its bits. */
  shapes: KeyShapeEstimate;
  warnings: string[];
};

/** Options of `readKeyFile` (those of lib/keys' parser, less the duplicate mode, which is always both fields). */
export type ReadKeyFileOptions = Pick<
  KeyFileParserOptions,
  "encoding" | "format" | "header" | "columns" | "caseInsensitive" | "serialLength" | "pinLength"
> & {
  /** Name used in messages (default: the file's base name). */
  file?: string;
};

/** Parameters of `sealBatch`. */
export type SealParameters = {
  /** The key file (CSV, TSV or JSONL; UTF-8 or GBK/GB18030). */
  input: string;
  /** The batch folder to create. It must not hold a complete seal already. */
  outDir: string;
  /** Supplier-chosen batch label; batchId = keccak256(abi.encode(supplier, label)). */
  label: string;
  supplier: Address;
  chainId: number;
  ledger: Address;
  /** Product id (GTIN or SKU) as anchored. */
  productId: string;
  /** GTIN-14 digits, when the product has one (carried in payloads as GS1 AI 01). */
  gtin?: string | undefined;
  /** Face value in minor units (fen, cents). */
  faceValue: bigint | number | string;
  /** ISO 4217 code, e.g. CNY. */
  currency: string;
  /** Unix seconds; 0 = no expiry. */
  expiresAt: number;
  /** Keys may only move to distributors the supplier authorised. */
  restricted: boolean;
  /** Base URL of the verification portal, e.g. https://verify.example. */
  portalBase: string;
  /** Keys per proof shard, a power of two (default 1024). */
  shardSize?: number | undefined;
  /** Worker threads (default: available cores). */
  workers?: number | undefined;
  /** Key file reading options (columns, encoding, case rule, declared lengths). */
  read?: Omit<ReadKeyFileOptions, "file"> | undefined;
  /** Called as keys are hashed: (keys done, total). */
  onProgress?: ((done: number, total: number) => void) | undefined;
  /**
   * Form of the links in urls.csv: "digital-link" (`<portal>/01/<gtin>/21/<serial>#<payload>`, the default when the
   * batch has a GTIN) or "plain" (`<portal>/v/#<payload>`, the default without one).
   */
  links?: "digital-link" | "plain" | undefined;
  /**
   * Seal keys whose estimated entropy is under 64 bits (default false: refused with a `WeakKeysError` naming the file,
   * the weakest key shape and its bits).
   */
  allowWeakKeys?: boolean | undefined;
  /** Write urls.csv (default true). */
  urls?: boolean | undefined;
  /** Seal even when `expiresAt` is already past (default false: refused, such keys would verify as genuine). */
  allowExpired?: boolean | undefined;
};

/**
 * What a seal was made from (`seal-input.json` in the batch folder, mode 0600): the key file's hash and the
 * reading options that decide which keys are sealed. A re-run compares `inputHash`.
 */
export type SealInput = {
  batchId: Hex;
  /** The key file's base name. */
  keyFile: string;
  /** SHA-256 of the key file's bytes. */
  keyFileSha256: Hex;
  /** The reading options, every default spelt out (see `sealInputOf`). */
  read: SealReadOptions;
  /** SHA-256 of the text "keytrail-seal-input-v1", LF, the JSON of `read`, LF, `keyFileSha256` (0x…, lower case). */
  inputHash: Hex;
};

/** The reading options of a seal with every default spelt out (what `inputHash` covers besides the bytes). */
export type SealReadOptions = {
  encoding: string;
  format: string;
  header: "auto" | boolean;
  columns: { serial: ColumnRef | null; pin: ColumnRef } | null;
  caseInsensitive: boolean;
  serialLength: number | null;
  pinLength: number | null;
};

/** What `sealBatch` produced. */
export type SealResult = {
  outDir: string;
  batchId: Hex;
  root: Hex;
  count: number;
  shardCount: number;
  manifest: BatchManifest;
  /** keccak256 of the bytes of manifest.json: the manifestHash to anchor. */
  manifestHash: Hex;
  keyFile: KeyFileInfo;
  /** What the seal was made from (also in seal-input.json). */
  input: SealInput;
  /** Milliseconds per stage (reading and hashing overlap). */
  timings: { readAndHash: number; tree: number; write: number; total: number };
};
