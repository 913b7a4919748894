import { createHash } from "node:crypto";
import { existsSync, readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { StandardMerkleTree } from "@openzeppelin/merkle-tree";
import { MerkleTree as MerkleTreeJs } from "merkletreejs";
import { bytesToHex, hexToBytes, keccak256 } from "viem";
import type { Hex } from "viem";
import { beforeAll, describe, expect, it } from "vitest";
import { createKeccakKernelSync } from "../../lib/hash/createKeccakKernelSync.js";
import { computeBatchId } from "../../lib/commit/computeBatchId.js";
import { computeCommitment } from "../../lib/commit/computeCommitment.js";
import { deriveSalt } from "../../lib/commit/deriveSalt.js";
import { encodeKeyBytes } from "../../lib/keys/encodeKeyBytes.js";
import { KeyFileError } from "../../lib/keys/errors.js";
import { parseKeyFile } from "../../lib/keys/parseKeyFile.js";
import { decodeProofShard } from "../../lib/merkle/decodeProofShard.js";
import { leafHash } from "../../lib/merkle/leafHash.js";
import { proofFromShard } from "../../lib/merkle/proofFromShard.js";
import { verifyProof } from "../../lib/merkle/verifyProof.js";
import { decodePayload } from "../../lib/payload/decodePayload.js";
import { SealError } from "../../scripts/seal/errors.js";
import { generateKeyFile } from "../../scripts/seal/generateKeyFile.js";
import { sealBatch } from "../../scripts/seal/sealBatch.js";
import { sealInputOf } from "../../scripts/seal/sealInputOf.js";
import type { SealParameters, SealResult } from "../../scripts/seal/types.js";
import { keccakBuffer } from "../merkle/helpers.js";
import { LEDGER, SAMPLE, SUPPLIER, sealParams, tempDir } from "./helpers.js";

const TYPES = ["bytes32", "uint256", "bytes32"];
const kernel = createKeccakKernelSync();

/** Checks a batch folder against lib/commit, lib/keys and merkletreejs: the whole seal, recomputed independently. */
function checkFolder(
  dir: string,
  keyFile: string | Uint8Array,
  result: SealResult,
  options: { sampleEvery?: number; caseInsensitive?: boolean } = {},
) {
  const manifestBytes = readFileSync(join(dir, "manifest.json"));
  const manifest = JSON.parse(manifestBytes.toString("utf8"));
  expect(manifest.root).toBe(result.root);
  expect(keccak256(manifestBytes)).toBe(result.manifestHash);
  expect(manifest.batchId).toBe(computeBatchId(SUPPLIER, manifest.label));
  const secretFile = join(dir, "batch-secret.json");
  expect(statSync(secretFile).mode & 0o777).toBe(0o600);
  const { secret, batchId } = JSON.parse(readFileSync(secretFile, "utf8")) as { secret: Hex; batchId: Hex };
  expect(batchId).toBe(manifest.batchId);
  expect(existsSync(join(dir, ".complete"))).toBe(true);
  // no public file carries the secret
  const secretBytes = Buffer.from(hexToBytes(secret));
  for (const f of [
    "manifest.json",
    "commitments.bin",
    "urls.csv",
    ...readdirSync(join(dir, "shards")).map((s) => `shards/${s}`),
  ]) {
    const bytes = readFileSync(join(dir, f));
    expect(bytes.includes(secretBytes), f).toBe(false);
    expect(bytes.toString("latin1").toLowerCase().includes(secret.slice(2)), f).toBe(false);
  }
  const keys = parseKeyFile(keyFile, { caseInsensitive: options.caseInsensitive }).keys;
  const commitments = readFileSync(join(dir, "commitments.bin"));
  expect(commitments.length).toBe(keys.length * 32);
  expect(manifest.count).toBe(keys.length);
  const every = options.sampleEvery ?? 1;
  for (let i = 0; i < keys.length; i += every) {
    const salt = deriveSalt(secret, batchId, i);
    expect(bytesToHex(commitments.subarray(i * 32, i * 32 + 32)), `key ${i}`).toBe(
      computeCommitment(salt, encodeKeyBytes(keys[i]!)),
    );
  }
  // the root, by merkletreejs over leaves from lib/merkle's leafHash
  const leaves = Array.from({ length: keys.length }, (_, i) =>
    Buffer.from(hexToBytes(leafHash(batchId, i, bytesToHex(commitments.subarray(i * 32, i * 32 + 32))))),
  );
  expect(new MerkleTreeJs(leaves, keccakBuffer, { sortPairs: true }).getHexRoot()).toBe(result.root);
  // urls.csv: one line per key, short-form payloads with the right salt
  const lines = readFileSync(join(dir, "urls.csv"), "utf8").trimEnd().split("\n");
  expect(lines[0]).toBe("index,serial,url");
  expect(lines.length).toBe(keys.length + 1);
  for (let i = 0; i < keys.length; i += every) {
    const [index, serial, url] = lines[i + 1]!.split(",");
    expect(Number(index)).toBe(i);
    expect(serial).toBe(keys[i]!.serial ?? "");
    const p = decodePayload(url!.slice(url!.indexOf("#") + 1));
    // a batch with a GTIN gets GS1 Digital Links (serial = batch id prefix . index), one without plain /v/ links
    if (manifest.gtin !== undefined) {
      const serial = `${batchId.slice(2, 10)}.${i}`;
      expect(url!.startsWith(`https://verify.example/01/${manifest.gtin}/21/${serial}#`)).toBe(true);
      expect(p.gs1?.serial).toBe(serial);
    } else expect(url!.startsWith("https://verify.example/v/#")).toBe(true);
    expect(p.form).toBe("short");
    expect(p.index).toBe(i);
    expect(p.batchId).toBe(batchId);
    expect(p.salt).toBe(deriveSalt(secret, batchId, i));
    expect(p.ledger.toLowerCase()).toBe(LEDGER.toLowerCase());
    // the short form's proof comes from the shard
    if ((i / every) % 4 !== 0) continue;
    const shard = decodeProofShard(readFileSync(join(dir, "shards", `${Math.floor(i / manifest.shardSize)}.bin`)));
    const { commitment, proof } = proofFromShard(shard, i, batchId, { kernel });
    expect(verifyProof(result.root, leafHash(batchId, i, commitment), proof)).toBe(true);
    if (i % (every * 16) === 0)
      expect(StandardMerkleTree.verify(result.root, TYPES, [batchId, i, commitment], proof)).toBe(true);
  }
  return { secret, batchId, manifest };
}

/**
 * Seal parameters for the sample key file: it holds real telecom and game-card formats (18 and 16 digits, under 64
 * bits), which the seal refuses unless told `allowWeakKeys` (test/seal/weakKeys.test.ts tests the refusal).
 */
const sampleParams = (outDir: string, extra: Partial<SealParameters> = {}): SealParameters =>
  sealParams(SAMPLE, outDir, { allowWeakKeys: true, ...extra });

describe("sealBatch", () => {
  it("seals the sample key file: every output recomputes independently", async () => {
    const out = join(tempDir("seal"), "batch");
    const progress: number[] = [];
    const r = await sealBatch(
      sampleParams(out, { gtin: "6901234567892", shardSize: 8, onProgress: (d) => progress.push(d) }),
    );
    expect(r.count).toBe(24);
    expect(r.shardCount).toBe(3);
    expect(progress.at(-1)).toBe(24);
    expect(r.keyFile.entropy.level).toBe("warn");
    const { manifest } = checkFolder(out, readFileSync(SAMPLE), r);
    expect(manifest).toMatchObject({
      formatVersion: 1,
      chainId: 31337,
      supplier: SUPPLIER,
      ledger: LEDGER,
      count: 24,
      gtin: "06901234567892",
      faceValue: "5000",
      currency: "CNY",
      shardSize: 8,
      keyCase: "exact",
    });
    expect(JSON.stringify(manifest)).not.toMatch(/secret/i);
    expect(readdirSync(join(out, ".."))).toEqual(["batch"]);
    // GS1 identifiers travel in the payload
    const url = readFileSync(join(out, "urls.csv"), "utf8").split("\n")[1]!.split(",")[2]!;
    expect(decodePayload(url.slice(url.indexOf("#") + 1)).gs1).toMatchObject({
      gtin: "06901234567892",
      expiry: "351231",
    });
  });

  it("seals 50,000 keys on worker threads (partial last range, case-insensitive) and everything recomputes", async () => {
    const dir = tempDir("seal50k");
    const input = join(dir, "keys.csv");
    await generateKeyFile({ path: input, count: 50_000, eol: "\r\n" });
    const out = join(dir, "batch");
    const r = await sealBatch(sealParams(input, out, { workers: 2, read: { caseInsensitive: true } }));
    expect(r.count).toBe(50_000);
    expect(r.shardCount).toBe(49);
    expect(r.keyFile.reader).toBe("fast");
    checkFolder(out, readFileSync(input), r, { sampleEvery: 97, caseInsensitive: true });
    expect(r.manifest.keyCase).toBe("upper");
  });

  it("seals inline (workers: 0) without urls.csv: a PIN-only file without header; commitments and root recompute", async () => {
    const dir = tempDir("sealinline");
    const input = join(dir, "keys.csv");
    await generateKeyFile({ path: input, count: 40_000, header: null, serialDigits: 0, pinLength: 20 });
    const a = await sealBatch(sealParams(input, join(dir, "a"), { workers: 0, urls: false }));
    expect(existsSync(join(dir, "a", "urls.csv"))).toBe(false);
    checkFolderNoUrls(join(dir, "a"), readFileSync(input), a);
  });

  it("seals a file that needs lib/keys' general parser (quoted cells, full-width digits) on worker threads", async () => {
    const dir = tempDir("sealgeneral");
    const input = join(dir, "keys.csv");
    await generateKeyFile({ path: input, count: 30_000 });
    const lines = readFileSync(input, "utf8").trimEnd().split("\n");
    // quote every PIN and write one serial in full-width digits: the fast reader leaves such files to lib/keys
    const quoted = lines.map((l, i) => (i === 0 ? l : `${l.split(",")[0]},"${l.split(",")[1]}"`));
    quoted[5] = quoted[5]!.replace(/^\d/, (d) => String.fromCharCode(0xff10 + Number(d)));
    writeFileSync(input, `${quoted.join("\r\n")}\r\n`);
    const r = await sealBatch(sealParams(input, join(dir, "batch"), { workers: 2, urls: false }));
    expect(r.keyFile.reader).toBe("general");
    expect(r.count).toBe(30_000);
    checkFolderNoUrls(join(dir, "batch"), readFileSync(input), r);
  });

  it("workers also run from the TypeScript source through tsx when no bundle is used", async () => {
    const dir = tempDir("sealtsx");
    const input = join(dir, "keys.csv");
    await generateKeyFile({ path: input, count: 40_000, serialDigits: 0 });
    process.env.KEYTRAIL_SEAL_NO_BUNDLE = "1";
    try {
      const r = await sealBatch(sealParams(input, join(dir, "batch"), { workers: 2, urls: false }));
      checkFolderNoUrls(join(dir, "batch"), readFileSync(input), r);
    } finally {
      delete process.env.KEYTRAIL_SEAL_NO_BUNDLE;
    }
  });

  it("refuses a file with duplicates (both line numbers) after hashing has started, and leaves nothing behind", async () => {
    const dir = tempDir("sealdup");
    const input = join(dir, "keys.csv");
    await generateKeyFile({ path: input, count: 40_000 });
    const lines = readFileSync(input, "utf8").split("\n");
    lines[39_000] = `9${lines[39_000]!.slice(1, 16)},${lines[20]!.split(",")[1]}`;
    writeFileSync(input, lines.join("\n"));
    const out = join(dir, "batch");
    const run = sealBatch(sealParams(input, out, { workers: 2 }));
    await expect(run).rejects.toThrow(KeyFileError);
    await expect(sealBatch(sealParams(input, out, { workers: 2 }))).rejects.toThrow(
      /keys\.csv line 39,001: duplicate PIN \(first seen on line 21\)/,
    );
    expect(readdirSync(dir)).toEqual(["keys.csv"]);
  });

  it("names the file and line of a damaged row (scientific notation) and creates no folder", async () => {
    const dir = tempDir("sealsci");
    const input = join(dir, "export.csv");
    writeFileSync(input, "卡号,卡密\n5260181590830166,318609139099603082\n5.26018E+16,909378657975432319\n");
    await expect(sealBatch(sealParams(input, join(dir, "batch")))).rejects.toThrow(
      /export\.csv line 3: serial "5\.26018E\+16" is in scientific notation/,
    );
    expect(readdirSync(dir)).toEqual(["export.csv"]);
  });

  it("refuses bad parameters by name", async () => {
    const out = join(tempDir("sealparams"), "b");
    await expect(sealBatch(sampleParams(out, { shardSize: 1000 }))).rejects.toThrow(
      /shardSize 1000: expected a power of two/,
    );
    await expect(sealBatch(sampleParams(out, { supplier: "0x12" as Hex }))).rejects.toThrow(/supplier "0x12"/);
    await expect(sealBatch(sampleParams(out, { portalBase: "verify.example" }))).rejects.toThrow(/portalBase/);
    await expect(sealBatch(sampleParams(out, { gtin: "06901234567891" }))).rejects.toThrow(/gtin/i);
    await expect(sealBatch(sampleParams(out, { faceValue: "5.5" }))).rejects.toThrow(SealError);
    expect(existsSync(out)).toBe(false);
  });

  it("refuses an expiry already past unless allowExpired, naming the date and now", async () => {
    const dir = tempDir("sealexpired");
    const out = join(dir, "b");
    await expect(sealBatch(sampleParams(out, { expiresAt: 1_577_923_199 }))).rejects.toThrow(
      /Invalid seal parameter expiresAt 1577923199: the expiry 2020-01-01T23:59:59Z is already past \(now 20\d\d-\d\d-\d\dT\d\d:\d\d:\d\dZ\)/,
    );
    expect(existsSync(out)).toBe(false);
    const r = await sealBatch(sampleParams(out, { expiresAt: 1_577_923_199, allowExpired: true, workers: 0 }));
    expect(r.manifest.expiresAt).toBe(1_577_923_199);
    // no expiry (0) is sealed as before
    await sealBatch(sampleParams(join(dir, "never"), { expiresAt: 0, workers: 0 }));
  });

  it("records what it sealed from: the key file's SHA-256 and the reading options (seal-input.json, mode 0600)", async () => {
    const dir = tempDir("sealinput");
    const r = await sealBatch(sampleParams(join(dir, "b"), { workers: 0, read: { caseInsensitive: true } }));
    const path = join(dir, "b", "seal-input.json");
    expect(statSync(path).mode & 0o777).toBe(0o600);
    const sha256 = `0x${createHash("sha256").update(readFileSync(SAMPLE)).digest("hex")}` as Hex;
    const recorded = JSON.parse(readFileSync(path, "utf8"));
    expect(recorded).toEqual(r.input);
    expect(recorded).toEqual(sealInputOf(r.batchId, "sample-keys.csv", sha256, { caseInsensitive: true }));
    expect(recorded.read).toEqual({
      encoding: "auto",
      format: "auto",
      header: "auto",
      columns: null,
      caseInsensitive: true,
      serialLength: null,
      pinLength: null,
    });
    expect(r.keyFile.sha256).toBe(sha256);
    // defaults spelt out or left out hash the same; another option or other bytes do not
    expect(sealInputOf(r.batchId, "x", sha256, { caseInsensitive: true, encoding: "auto" }).inputHash).toBe(
      recorded.inputHash,
    );
    expect(sealInputOf(r.batchId, "x", sha256, {}).inputHash).not.toBe(recorded.inputHash);
    expect(sealInputOf(r.batchId, "x", `0x${"00".repeat(32)}`, { caseInsensitive: true }).inputHash).not.toBe(
      recorded.inputHash,
    );
  });

  describe("interrupted seals", () => {
    let dir: string;
    beforeAll(() => {
      dir = tempDir("sealkill");
    });

    it("never overwrites a complete seal", async () => {
      const out = join(dir, "done");
      await sealBatch(sampleParams(out));
      const before = readFileSync(join(out, "batch-secret.json"), "utf8");
      await expect(sealBatch(sampleParams(out))).rejects.toThrow(/already holds a complete seal/);
      expect(readFileSync(join(out, "batch-secret.json"), "utf8")).toBe(before);
    });

    it("redoes an incomplete folder (no .complete) and removes partial folders of dead seals", async () => {
      const out = join(dir, "redo");
      // an interrupted seal of an older kind: the folder exists, .complete does not
      const { mkdirSync } = await import("node:fs");
      mkdirSync(join(out, "shards"), { recursive: true });
      writeFileSync(join(out, "manifest.json"), "{}");
      // a partial folder of a seal whose process is gone (pid 2^22 - 1 is above the default pid_max)
      const stale = `${out}.partial-4194303-deadbeef`;
      mkdirSync(stale);
      writeFileSync(join(stale, "batch-secret.json"), "{}");
      const r = await sealBatch(sampleParams(out));
      expect(existsSync(stale)).toBe(false);
      checkFolder(out, readFileSync(SAMPLE), r);
    });

    it("a seal killed mid-way leaves no folder that looks complete; the next run completes", async () => {
      const input = join(dir, "big.csv");
      await generateKeyFile({ path: input, count: 400_000 });
      const out = join(dir, "killed");
      const { spawn } = await import("node:child_process");
      const script = new URL("./sealChild.ts", import.meta.url).pathname;
      const child = spawn(process.execPath, ["--import", import.meta.resolve("tsx"), script, input, out], {
        stdio: ["ignore", "pipe", "inherit"],
      });
      // kill -9 as soon as the child reports that hashing has started
      await new Promise<void>((resolve, reject) => {
        child.stdout.on("data", (d: Buffer) => {
          if (d.toString().includes("progress")) {
            child.kill("SIGKILL");
            resolve();
          }
        });
        child.on("exit", (code) =>
          code === 0 ? reject(new Error("the child finished before it was killed")) : resolve(),
        );
      });
      await new Promise((r) => child.once("exit", r).once("close", r));
      expect(existsSync(join(out, ".complete"))).toBe(false);
      const partials = readdirSync(dir).filter((n) => n.startsWith("killed.partial-"));
      expect(partials.length).toBe(1);
      const r = await sealBatch(sealParams(input, out, { urls: false }));
      expect(r.count).toBe(400_000);
      expect(existsSync(join(out, ".complete"))).toBe(true);
      expect(readdirSync(dir).filter((n) => n.startsWith("killed.partial-"))).toEqual([]);
    });
  });
});

function checkFolderNoUrls(dir: string, keyFile: Uint8Array, result: SealResult) {
  const { secret, batchId } = JSON.parse(readFileSync(join(dir, "batch-secret.json"), "utf8")) as {
    secret: Hex;
    batchId: Hex;
  };
  const keys = parseKeyFile(keyFile).keys;
  const commitments = readFileSync(join(dir, "commitments.bin"));
  for (let i = 0; i < keys.length; i += 101) {
    expect(bytesToHex(commitments.subarray(i * 32, i * 32 + 32))).toBe(
      computeCommitment(deriveSalt(secret, batchId, i), encodeKeyBytes(keys[i]!)),
    );
  }
  const leaves = Array.from({ length: keys.length }, (_, i) =>
    Buffer.from(hexToBytes(leafHash(batchId, i, bytesToHex(commitments.subarray(i * 32, i * 32 + 32))))),
  );
  expect(new MerkleTreeJs(leaves, keccakBuffer, { sortPairs: true }).getHexRoot()).toBe(result.root);
}
