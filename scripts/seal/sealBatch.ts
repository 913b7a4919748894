import { randomBytes } from "node:crypto";
import { constants as fsConstants } from "node:fs";
import { access, mkdir, open, readdir, rename, rm, stat, writeFile } from "node:fs/promises";
import { availableParallelism } from "node:os";
import { basename, dirname, join, resolve } from "node:path";
import { bytesToHex, getAddress, hexToBytes, isAddress, keccak256 } from "viem";
import { computeBatchId } from "../../lib/commit/computeBatchId.js";
import { createKeccakKernelSync } from "../../lib/hash/createKeccakKernelSync.js";
import { buildProofShard } from "../../lib/merkle/buildProofShard.js";
import { buildTree } from "../../lib/merkle/buildTree.js";
import { encodeProofShard } from "../../lib/merkle/encodeProofShard.js";
import { layerSizes } from "../../lib/merkle/layerSizes.js";
import { encodePayload } from "../../lib/payload/encodePayload.js";
import type { PayloadFields } from "../../lib/schemas/payload.js";
import { SealError, WeakKeysError } from "./errors.js";
import { createSealPool } from "./createSealPool.js";
import type { SealContext } from "./hashChunk.js";
import { readKeyFile } from "./readKeyFile.js";
import { sealInputOf } from "./sealInputOf.js";
import type { BatchManifest } from "../../lib/formats/manifest.js";
import type { SealParameters, SealResult } from "./types.js";

/** Key files up to this size are sealed in the calling thread (starting workers costs more than it saves). */
const INLINE_MAX_BYTES = 512 * 1024;
/** Keys per range handed to a thread: a power of two (ranges are subtrees of the Merkle tree). */
const CHUNK = 16_384;

function shared(bytes: number): Uint8Array {
  return new Uint8Array(new SharedArrayBuffer(Math.max(bytes, 32)) as unknown as ArrayBuffer, 0, bytes);
}

function fail(what: string, value: unknown, expected: string): never {
  throw new SealError(
    `Invalid seal parameter ${what} ${JSON.stringify(value, (_, v) => (typeof v === "bigint" ? v.toString() : v))}: expected ${expected}.`,
  );
}

function validate(p: SealParameters) {
  if (typeof p.input !== "string" || p.input === "") fail("input", p.input, "a key file path");
  if (typeof p.outDir !== "string" || p.outDir === "") fail("outDir", p.outDir, "a folder path");
  if (typeof p.label !== "string" || p.label === "") fail("label", p.label, "a non-empty label");
  if (!isAddress(p.supplier, { strict: false })) fail("supplier", p.supplier, "an address (0x + 40 hex digits)");
  if (!isAddress(p.ledger, { strict: false })) fail("ledger", p.ledger, "an address (0x + 40 hex digits)");
  if (!Number.isSafeInteger(p.chainId) || p.chainId < 1) fail("chainId", p.chainId, "a positive integer");
  if (typeof p.productId !== "string" || p.productId === "")
    fail("productId", p.productId, "a product id (GTIN or SKU)");
  let face: bigint;
  try {
    face = BigInt(p.faceValue);
  } catch {
    fail("faceValue", p.faceValue, "a whole number of minor units");
  }
  if (face < 0n) fail("faceValue", p.faceValue, "a non-negative number of minor units");
  if (typeof p.currency !== "string" || !/^[A-Z]{3}$/.test(p.currency))
    fail("currency", p.currency, "an ISO 4217 code such as CNY");
  if (!Number.isSafeInteger(p.expiresAt) || p.expiresAt < 0)
    fail("expiresAt", p.expiresAt, "Unix seconds (0 = no expiry)");
  const now = Math.floor(Date.now() / 1000);
  if (p.expiresAt > 0 && p.expiresAt <= now && p.allowExpired !== true) {
    throw new SealError(
      `Invalid seal parameter expiresAt ${p.expiresAt}: the expiry ${isoSeconds(p.expiresAt)} is already past (now ${isoSeconds(now)}).`,
      {
        details:
          "Keys sealed past their expiry would be anchored and still verify as genuine. Pass allowExpired: true to seal them anyway.",
      },
    );
  }
  if (typeof p.restricted !== "boolean") fail("restricted", p.restricted, "true or false");
  if (typeof p.portalBase !== "string" || !/^https?:\/\/[^\s#]+$/.test(p.portalBase))
    fail("portalBase", p.portalBase, "an http(s) URL without a fragment");
  const shardSize = p.shardSize ?? 1024;
  if (!Number.isInteger(shardSize) || shardSize < 1 || shardSize > 1 << 24 || (shardSize & (shardSize - 1)) !== 0)
    fail("shardSize", shardSize, "a power of two from 1 to 16,777,216");
  const workers = p.workers ?? availableParallelism();
  if (!Number.isInteger(workers) || workers < 0 || workers > 256)
    fail("workers", p.workers, "a whole number of threads (0 = none)");
  const gtin = p.gtin === undefined || p.gtin === "" ? undefined : p.gtin.padStart(14, "0");
  if (gtin !== undefined && !/^\d{14}$/.test(gtin)) fail("gtin", p.gtin, "8 to 14 digits");
  const links = p.links ?? (gtin !== undefined ? "digital-link" : "plain");
  if (links !== "digital-link" && links !== "plain") fail("links", p.links, `"digital-link" or "plain"`);
  if (links === "digital-link" && gtin === undefined)
    fail("links", p.links, `"plain" for a batch without a GTIN (a GS1 Digital Link needs one)`);
  return { shardSize, workers, gtin, links, faceValue: face.toString() };
}

/** Unix seconds as an ISO 8601 UTC time without milliseconds. */
function isoSeconds(seconds: number): string {
  return new Date(seconds * 1000).toISOString().replace(".000Z", "Z");
}

/** YYMMDD (UTC) of Unix seconds, for GS1 AI (17). */
function gs1Date(seconds: number): string {
  const d = new Date(seconds * 1000);
  const two = (n: number) => String(n).padStart(2, "0");
  return `${two(d.getUTCFullYear() % 100)}${two(d.getUTCMonth() + 1)}${two(d.getUTCDate())}`;
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === "EPERM";
  }
}

/** Removes partial folders of interrupted seals of the same outDir (their process is gone). */
async function removeStalePartials(outDir: string): Promise<void> {
  const parent = dirname(outDir);
  const prefix = `${basename(outDir)}.partial-`;
  let names: string[];
  try {
    names = await readdir(parent);
  } catch {
    return;
  }
  for (const name of names) {
    if (!name.startsWith(prefix)) continue;
    const pid = Number(name.slice(prefix.length).split("-")[0]);
    if (Number.isInteger(pid) && pid !== process.pid && !alive(pid))
      await rm(join(parent, name), { recursive: true, force: true });
  }
}

async function exists(path: string): Promise<boolean> {
  try {
    await access(path, fsConstants.F_OK);
    return true;
  } catch {
    return false;
  }
}

/**
 * Seals a key file into a batch folder (docs/MERKLE.md): reads and normalises the keys, draws a fresh 32-byte
 * batch secret, derives salts, commitments and standard leaves, builds the Merkle tree on all cores, and writes
 * manifest.json (public), batch-secret.json (mode 0600), seal-input.json (mode 0600: the key file's hash and reading
 * options, see `sealInputOf`), commitments.bin, shards/<s>.bin, urls.csv and, last,
 * `.complete`. Everything is written into `<outDir>.partial-<pid>-<random>` and renamed into place, so a killed
 * seal never leaves a folder that looks complete; partial folders of dead seals are removed on the next run.
 *
 * @param params - see {@link SealParameters}.
 * @returns the batch id, root, counts, the manifest and its hash (to anchor), what the key file held, timings.
 * @throws {KeyFileError} naming the file and lines refused (damaged rows, duplicates with both lines).
 * @throws {SealError} for bad parameters (an expiry already past unless `allowExpired`) or an outDir that already
 *   holds a complete seal.
 * @example
 * const r = await sealBatch({ input: "keys.csv", outDir: "out/2026-11-A", label: "2026-11-A", supplier, chainId: 31337,
 *   ledger, productId: "SKU-1", faceValue: 5000n, currency: "CNY", expiresAt: 0, restricted: false,
 *   portalBase: "https://verify.example" });
 */
export async function sealBatch(params: SealParameters): Promise<SealResult> {
  const t0 = performance.now();
  const v = validate(params);
  const outDir = resolve(params.outDir);
  if (await exists(join(outDir, ".complete")))
    throw new SealError(
      `Output folder ${params.outDir} already holds a complete seal; it is never overwritten (a new seal draws a new secret).`,
      { details: "Choose another outDir, or anchor the existing batch." },
    );
  const supplier = getAddress(params.supplier);
  const ledger = getAddress(params.ledger);
  const batchId = computeBatchId(supplier, params.label);
  const caseInsensitive = params.read?.caseInsensitive === true;
  const urlFields: Omit<PayloadFields, "index" | "salt"> = {
    form: "short",
    chainId: params.chainId,
    ledger,
    batchId,
    ...(v.gtin
      ? { gs1: { gtin: v.gtin, ...(params.expiresAt > 0 ? { expiry: gs1Date(params.expiresAt) } : {}) } }
      : {}),
    ...(caseInsensitive ? { keyCase: "upper" as const } : {}),
  };
  const writeUrls = params.urls !== false;
  // fail fast on payload fields (GTIN check digit, …) before any hashing
  if (writeUrls) encodePayload({ ...urlFields, index: 0, salt: `0x${"00".repeat(32)}` } as PayloadFields);

  await mkdir(dirname(outDir), { recursive: true });
  await removeStalePartials(outDir);
  const tmp = `${outDir}.partial-${process.pid}-${randomBytes(4).toString("hex")}`;
  await mkdir(join(tmp, "shards"), { recursive: true });
  const secretBytes = new Uint8Array(randomBytes(32));
  // threads start while the file is read; small files are sealed inline
  const size = (await stat(params.input).catch(() => undefined))?.size ?? 0;
  const pool = await createSealPool(size > INLINE_MAX_BYTES ? v.workers : 0);
  try {
    const urlsFile = writeUrls ? await open(join(tmp, "urls.csv"), "wx", 0o600) : undefined;
    await urlsFile?.write("index,serial,url\n");
    let ctx: SealContext | undefined;
    let dispatched = 0;
    let tasks: Promise<unknown>[] = [];
    let written = Promise.resolve();
    let done = 0;
    let total = 0;
    const dispatch = (end: number) => {
      const start = dispatched;
      dispatched = end;
      const task = pool.run(start, end);
      tasks.push(task.then(() => undefined));
      // urls lines go to the file in key order, as soon as their range is done
      written = written.then(async () => {
        const urls = await task;
        if (urls && urlsFile) await urlsFile.write(urls);
        done += end - start;
        params.onProgress?.(done, Math.max(total, done));
      });
      written.catch(() => undefined);
    };
    let keys;
    try {
      keys = await readKeyFile(params.input, params.read ?? {}, {
        every: CHUNK,
        onBuffers({ data, offsets, upperBound }) {
          const sizes = layerSizes(Math.max(upperBound, 1));
          ctx = {
            chunkSize: CHUNK,
            secret: secretBytes,
            batchId: hexToBytes(batchId),
            keyData: data,
            keyOffsets: offsets,
            salts: shared(upperBound * 32),
            commitments: shared(upperBound * 32),
            layers: sizes.slice(0, Math.min(Math.log2(CHUNK), sizes.length - 1) + 1).map((n) => shared(n * 32)),
            urls: writeUrls ? { portalBase: params.portalBase, fields: urlFields, links: v.links } : undefined,
          };
          total = upperBound;
          pool.init(ctx);
        },
        onKeys(ready) {
          while (dispatched + CHUNK <= ready) dispatch(dispatched + CHUNK);
          if (ready > dispatched && ready % CHUNK !== 0) dispatch(ready);
        },
        async onRestart() {
          await Promise.allSettled(tasks);
          await written.catch(() => undefined);
          await urlsFile?.truncate(0);
          await urlsFile?.write("index,serial,url\n", 0);
          tasks = [];
          written = Promise.resolve();
          dispatched = 0;
          done = 0;
        },
      });
      total = keys.count;
      await Promise.all(tasks);
      await written;
    } finally {
      await urlsFile?.close();
    }
    if (keys.count === 0) throw new SealError(`Key file ${keys.info.file} holds no keys.`);
    const weakest = keys.info.shapes.weakest;
    if (keys.info.shapes.weak && weakest && params.allowWeakKeys !== true)
      throw new WeakKeysError({ file: keys.info.file, ...weakest, total: keys.count });
    const t1 = performance.now();
    const count = keys.count;
    const sizes = layerSizes(count);
    const c = ctx!;
    const lowerLayers = c.layers
      .slice(0, Math.min(c.layers.length, sizes.length))
      .map((layer, h) => layer.subarray(0, sizes[h]! * 32));
    const commitments = c.commitments.subarray(0, count * 32);
    const tree = buildTree(createKeccakKernelSync(), { lowerLayers });
    const t3 = performance.now();

    const shardCount = Math.ceil(count / v.shardSize);
    for (let s = 0; s < shardCount; s += 64) {
      const batch: Promise<void>[] = [];
      for (let k = s; k < Math.min(s + 64, shardCount); k++) {
        batch.push(
          writeFile(
            join(tmp, "shards", `${k}.bin`),
            encodeProofShard(buildProofShard(tree, commitments, k, v.shardSize)),
          ),
        );
      }
      await Promise.all(batch);
    }
    await writeFile(join(tmp, "commitments.bin"), commitments);
    const manifest: BatchManifest = {
      formatVersion: 1,
      chainId: params.chainId,
      ledger,
      supplier,
      label: params.label,
      batchId,
      root: tree.root,
      count,
      productId: params.productId,
      ...(v.gtin ? { gtin: v.gtin } : {}),
      faceValue: v.faceValue,
      currency: params.currency,
      expiresAt: params.expiresAt,
      restricted: params.restricted,
      shardSize: v.shardSize,
      shardCount,
      keyCase: caseInsensitive ? "upper" : "exact",
      leafEncoding:
        "keccak256(bytes.concat(keccak256(abi.encode(bytes32 batchId, uint256 index, bytes32 commitment))))",
      treeLayout: "sorted-pairs, leaves in index order, odd node promoted",
      createdAt: new Date().toISOString(),
    };
    const manifestBytes = new TextEncoder().encode(`${JSON.stringify(manifest, null, 2)}\n`);
    const manifestHash = keccak256(manifestBytes);
    await writeFile(join(tmp, "manifest.json"), manifestBytes);
    const input = sealInputOf(batchId, keys.info.file, keys.info.sha256, params.read ?? {});
    await writeFile(join(tmp, "seal-input.json"), `${JSON.stringify(input, null, 2)}\n`, { mode: 0o600, flag: "wx" });
    await writeFile(
      join(tmp, "batch-secret.json"),
      `${JSON.stringify({ batchId, secret: bytesToHex(secretBytes) }, null, 2)}\n`,
      { mode: 0o600, flag: "wx" },
    );
    secretBytes.fill(0);
    await writeFile(join(tmp, ".complete"), `${JSON.stringify({ batchId, root: tree.root, count, manifestHash })}\n`);
    // an interrupted earlier seal may have left an incomplete outDir (no .complete): it is redone
    if (await exists(outDir)) {
      if (await exists(join(outDir, ".complete")))
        throw new SealError(
          `Output folder ${params.outDir} was completed by another seal meanwhile; it is never overwritten.`,
        );
      await rm(outDir, { recursive: true, force: true });
    }
    await rename(tmp, outDir);
    const t4 = performance.now();
    return {
      outDir,
      batchId,
      root: tree.root,
      count,
      shardCount,
      manifest,
      manifestHash,
      keyFile: keys.info,
      input,
      timings: { readAndHash: t1 - t0, tree: t3 - t1, write: t4 - t3, total: t4 - t0 },
    };
  } catch (e) {
    await rm(tmp, { recursive: true, force: true });
    throw e;
  } finally {
    secretBytes.fill(0);
    await pool.close();
  }
}
