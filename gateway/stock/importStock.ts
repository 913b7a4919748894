import { readFile } from "node:fs/promises";
import { basename, join } from "node:path";
import { getAddress, hexToBytes, type Address, type Hex, type PublicClient } from "viem";
import { keyLedgerV2Abi } from "../../lib/abi/keyLedgerV2Abi.js";
import { computeCommitment } from "../../lib/commit/computeCommitment.js";
import { deriveSalt } from "../../lib/commit/deriveSalt.js";
import { createKeccakKernelSync } from "../../lib/hash/createKeccakKernelSync.js";
import { encodeKeyBytes } from "../../lib/keys/encodeKeyBytes.js";
import { parseKeyFile } from "../../lib/keys/parseKeyFile.js";
import type { KeyFileParserOptions } from "../../lib/keys/createKeyFileParser.js";
import { buildTree } from "../../lib/merkle/buildTree.js";
import type { Store } from "../../indexer/store/types.js";
import { createSecretBox } from "../createSecretBox.js";
import { StockImportError } from "./errors.js";
import { sealCard } from "./sealCard.js";
import { STOCK_SCHEMA } from "./schema.js";

/** Parameters of {@link importStock}. */
export type ImportStockParameters = {
  /** The gateway's store (openGatewayStore). */
  store: Store;
  publicClient: PublicClient;
  /** The KeyLedger v2 the batch is anchored on. */
  ledger: Address;
  /** The signing account whose stock this is (the gateway's account). */
  account: Address;
  /** The sealed batch folder (manifest.json, batch-secret.json, commitments.bin, seal-input.json). */
  batchDir: string;
  /** The key file the batch was sealed from (or a part of it: see `firstIndex`). */
  keyFile: string;
  /** Index of the key file's first key (default 0: the whole file as sealed). */
  firstIndex?: number | undefined;
  /** 32-byte key (64 hex digits) sealing the cards (KEYTRAIL_GATEWAY_SECRETS_KEY). Required. */
  secretsKey: string | undefined;
};

/** What an import did (counts only: no secret). */
export type ImportStockResult = {
  batchId: Hex;
  /** Rows read from the key file, all checked against the chain. */
  rows: number;
  /** Indices covered: [first, last]. */
  first: number;
  last: number;
  /** Rows stored now. */
  stored: number;
  /** Rows already in stock (a repeated import). */
  already: number;
  /** Rows not stocked because their key was already allocated to an order (delivered by index only). */
  allocated: number;
};

type SealInputFile = { batchId?: string; read?: Partial<KeyFileParserOptions> & { columns?: unknown } };

async function readJson<T>(dir: string, name: string, optional = false): Promise<T | null> {
  let text: string;
  try {
    text = await readFile(join(dir, name), "utf8");
  } catch (e) {
    if (optional) return null;
    throw new StockImportError(`Batch folder ${dir} has no readable ${name}: is it a sealed batch folder?`, {
      cause: e,
    });
  }
  try {
    return JSON.parse(text) as T;
  } catch (e) {
    throw new StockImportError(`${name} of batch folder ${dir} is not JSON.`, { cause: e });
  }
}

/**
 * Imports the card secrets of a sealed batch into the gateway's stock, **checked against the chain
 * first**: the batch's on-chain root and count must be those the folder's commitments.bin folds to,
 * and every row's commitment, recomputed from the key file with the batch's salt scheme
 * (`deriveSalt(batchSecret, batchId, index)`, docs/FORMATS.md §2–§5), must be the sealed commitment of
 * its index. One refused row refuses the whole import (naming file, line and index); nothing is
 * kept. Rows are stored sealed (AES-256-GCM, bound to account, batch and index), in one database
 * transaction. Keys already allocated to an order are not stocked (that order was answered with
 * indices only). A repeated import stores nothing new.
 *
 * @param parameters - see {@link ImportStockParameters}.
 * @returns counts (never a secret).
 * @throws {StockImportError} naming the input at fault.
 * @example
 * await importStock({ store, publicClient, ledger, account, batchDir: "batches/b1", keyFile: "keys.csv", secretsKey });
 */
export async function importStock(parameters: ImportStockParameters): Promise<ImportStockResult> {
  const { store, publicClient, batchDir, keyFile } = parameters;
  const ledger = getAddress(parameters.ledger);
  const signer = parameters.account.toLowerCase();
  const firstIndex = parameters.firstIndex ?? 0;
  if (!Number.isSafeInteger(firstIndex) || firstIndex < 0)
    throw new StockImportError(`First index ${firstIndex} is not a whole number >= 0.`);
  const box = createSecretBox(parameters.secretsKey);
  if (!box.encrypted)
    throw new StockImportError(
      "Stock is stored encrypted only: set KEYTRAIL_GATEWAY_SECRETS_KEY (64 hex digits) before importing card secrets.",
    );

  // ------------------------------------------------ the batch folder
  const manifest = (await readJson<{ batchId?: string; count?: number; keyCase?: string }>(batchDir, "manifest.json"))!;
  const secretFile = (await readJson<{ batchId?: string; secret?: string }>(batchDir, "batch-secret.json"))!;
  const sealInput = await readJson<SealInputFile>(batchDir, "seal-input.json", true);
  const batchId = String(manifest.batchId ?? "").toLowerCase() as Hex;
  if (!/^0x[0-9a-f]{64}$/.test(batchId))
    throw new StockImportError(
      `manifest.json of ${batchDir}: batchId ${JSON.stringify(manifest.batchId)} is not 32 bytes of hex.`,
    );
  if (String(secretFile.batchId ?? "").toLowerCase() !== batchId)
    throw new StockImportError(
      `batch-secret.json of ${batchDir} is for batch ${String(secretFile.batchId)}, not the manifest's ${batchId}.`,
    );
  const batchSecret = String(secretFile.secret ?? "") as Hex;
  if (!/^0x[0-9a-fA-F]{64}$/.test(batchSecret))
    throw new StockImportError(`batch-secret.json of ${batchDir}: the secret is not 32 bytes of hex (not shown).`);

  // ------------------------------------------------ the chain
  const [root, , count] = await publicClient.readContract({
    address: ledger,
    abi: keyLedgerV2Abi,
    functionName: "batchOf",
    args: [batchId],
  });
  if (count === 0n) throw new StockImportError(`Batch ${batchId} (${batchDir}) is not anchored on ledger ${ledger}.`);
  const n = Number(count);
  let commitments: Uint8Array;
  try {
    commitments = new Uint8Array(await readFile(join(batchDir, "commitments.bin")));
  } catch (e) {
    throw new StockImportError(`Batch folder ${batchDir} has no readable commitments.bin.`, { cause: e });
  }
  if (commitments.length !== n * 32)
    throw new StockImportError(
      `commitments.bin of ${batchDir} holds ${commitments.length / 32} commitment(s); batch ${batchId} has ${n} on chain.`,
    );
  const kernel = createKeccakKernelSync();
  const tree = buildTree(kernel, { leaves: kernel.leaves(hexToBytes(batchId), 0, commitments, n) });
  if (tree.root.toLowerCase() !== root.toLowerCase())
    throw new StockImportError(
      `commitments.bin of ${batchDir} folds to root ${tree.root}; batch ${batchId} is anchored with root ${root} on ` +
        `ledger ${ledger}: this is not the sealed batch.`,
    );

  // ------------------------------------------------ the rows
  const read = sealInput?.read ?? {};
  const file = basename(keyFile);
  let bytes: Uint8Array;
  try {
    bytes = new Uint8Array(await readFile(keyFile));
  } catch (e) {
    throw new StockImportError(`Key file ${keyFile} is not readable.`, { cause: e });
  }
  const { keys } = parseKeyFile(bytes, {
    file,
    encoding: read.encoding,
    format: read.format,
    header: read.header,
    ...(read.columns ? { columns: read.columns as KeyFileParserOptions["columns"] } : {}),
    caseInsensitive: read.caseInsensitive ?? manifest.keyCase === "upper",
    ...(typeof read.serialLength === "number" ? { serialLength: read.serialLength } : {}),
    ...(typeof read.pinLength === "number" ? { pinLength: read.pinLength } : {}),
  });
  if (keys.length === 0) throw new StockImportError(`Key file ${file} holds no key.`);
  if (firstIndex + keys.length > n)
    throw new StockImportError(
      `Key file ${file} has ${keys.length} key(s) from index ${firstIndex}; batch ${batchId} has ${n} (indices 0 to ${n - 1}).`,
    );
  const mismatches: string[] = [];
  const cards = keys.map((k, i) => {
    const index = firstIndex + i;
    const salt = deriveSalt(batchSecret, batchId, index);
    const commitment = computeCommitment(salt, encodeKeyBytes(k));
    const sealed = `0x${Buffer.from(commitments.subarray(index * 32, index * 32 + 32)).toString("hex")}`;
    if (commitment !== sealed) mismatches.push(`${file} line ${k.line} (index ${index})`);
    return { index, line: k.line, commitment, serial: k.serial ?? null, pin: k.pin, salt };
  });
  if (mismatches.length > 0)
    throw new StockImportError(
      `${mismatches.length} row(s) of ${file} do not match sealed batch ${batchId}: ${mismatches.slice(0, 10).join(", ")}` +
        `${mismatches.length > 10 ? ", …" : ""}. Nothing was imported.`,
      {
        details:
          "Each row's commitment is recomputed with the batch's salt (batch-secret.json) and compared with the sealed " +
          "commitment of its index, which folds to the root on chain: a row that differs is not the key sealed at that index " +
          "(a wrong file, a row edited, moved or missing above it, or --first-index).",
      },
    );

  // ------------------------------------------------ the store (one transaction: all rows or none)
  await store.exec(STOCK_SCHEMA);
  const now = Date.now();
  return store.transaction(async (tx) => {
    const taken = await tx.query<{ idx: number }>(
      "SELECT idx FROM gw_allocations WHERE signer = $1 AND batch_id = $2 AND idx BETWEEN $3 AND $4",
      [signer, batchId, firstIndex, firstIndex + cards.length - 1],
    );
    const allocated = new Set(taken.map((t) => Number(t.idx)));
    const todo = cards.filter((c) => !allocated.has(c.index));
    let stored = 0;
    for (let at = 0; at < todo.length; at += 1_000) {
      const chunk = todo.slice(at, at + 1_000);
      const got = await tx.query(
        `INSERT INTO gw_stock (signer, batch_id, idx, card, commitment, source, imported_ms)
         SELECT $1, $2, x.i, x.c, x.m, x.s, $3 FROM unnest($4::bigint[], $5::text[], $6::text[], $7::text[]) AS x(i, c, m, s)
         ON CONFLICT (signer, batch_id, idx) DO NOTHING RETURNING idx`,
        [
          signer,
          batchId,
          now,
          chunk.map((c) => c.index),
          chunk.map((c) =>
            sealCard(box, signer, { batchId, index: c.index, serial: c.serial, pin: c.pin, salt: c.salt }),
          ),
          chunk.map((c) => c.commitment),
          chunk.map((c) => `${file}:${c.line}`),
        ],
      );
      stored += got.length;
    }
    return {
      batchId,
      rows: cards.length,
      first: firstIndex,
      last: firstIndex + cards.length - 1,
      stored,
      already: todo.length - stored,
      allocated: allocated.size,
    };
  });
}
