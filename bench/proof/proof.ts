/**
 * Proof benchmarks: KeyTrail's Merkle-Patricia proof verifier (lib/proof) against @ethereumjs/mpt's
 * `verifyMerkleProof`, on the same proofs in the same run: bundle size (minified, gzip, for the
 * verify page) and proofs verified per second.
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { gzipSync } from "node:zlib";
import { build } from "esbuild";
import { createMerkleProof, createMPT, verifyMerkleProof as theirVerify } from "@ethereumjs/mpt";
import { keccak_256 } from "@noble/hashes/sha3.js";
import { rlpEncode } from "../../lib/proof/rlp.js";
import { verifyMerkleProof } from "../../lib/proof/verifyMerkleProof.js";
import type { BenchOptions, BenchResult } from "../types.js";

const ROOT = resolve(import.meta.dirname, "../..");

async function bundleGzip(source: string): Promise<number> {
  const dir = mkdtempSync(join(tmpdir(), "keytrail-proof-bundle-"));
  try {
    const entry = join(dir, "entry.ts");
    writeFileSync(entry, source);
    const out = await build({
      entryPoints: [entry],
      bundle: true,
      minify: true,
      format: "esm",
      platform: "browser",
      write: false,
      absWorkingDir: ROOT,
      nodePaths: [join(ROOT, "node_modules")],
      logLevel: "silent",
    });
    return gzipSync(out.outputFiles[0]!.contents, { level: 9 }).length;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

export async function run(opts: BenchOptions): Promise<BenchResult[]> {
  const ours = await bundleGzip(
    `import { verifyAccountProof, verifyStorageProof } from ${JSON.stringify(join(ROOT, "lib/proof/verifyAccountProof.ts"))};\n` +
      `import { computeBlockHash } from ${JSON.stringify(join(ROOT, "lib/proof/computeBlockHash.ts"))};\n` +
      "globalThis.k = [verifyAccountProof, verifyStorageProof, computeBlockHash];\n",
  );
  const theirs = await bundleGzip(
    'import { verifyMerkleProof } from "@ethereumjs/mpt";\nglobalThis.k = [verifyMerkleProof];\n',
  );

  // A secure trie (keys hashed) of storage-like entries; proofs of present keys.
  const entries = opts.quick ? 2_000 : 20_000;
  const trie = await createMPT({ useKeyHashing: false });
  const keys: Uint8Array[] = [];
  for (let i = 0; i < entries; i++) {
    const slot = new Uint8Array(32);
    new DataView(slot.buffer).setUint32(28, i);
    const key = keccak_256(slot);
    keys.push(key);
    await trie.put(key, rlpEncode(Uint8Array.of(1 + (i % 200), i & 255)));
  }
  const root = trie.root();
  const sample = keys.slice(0, opts.quick ? 300 : 2_000);
  const proofs = await Promise.all(sample.map((k) => createMerkleProof(trie, k)));
  const time = async (fn: (i: number) => unknown | Promise<unknown>) => {
    for (let i = 0; i < 50; i++) await fn(i);
    const t = performance.now();
    for (let i = 0; i < sample.length; i++) await fn(i);
    return sample.length / ((performance.now() - t) / 1000);
  };
  const oursRate = await time((i) => verifyMerkleProof({ root, key: sample[i]!, proof: proofs[i]! }));
  const theirRate = await time((i) => theirVerify(sample[i]!, proofs[i]!, { useKeyHashing: false }));
  const depth = proofs.reduce((n, p) => n + p.length, 0) / proofs.length;
  return [
    {
      name: "proof verifier bundle: account + storage proofs + header hash (min+gzip)",
      unit: "bytes",
      value: ours,
      anchor: { name: "@ethereumjs/mpt verifyMerkleProof (min+gzip)", value: theirs },
      ratio: ours / theirs,
      notes: "lower is better; budget <= 1/3 of the anchor (ratio <= 0.33)",
    },
    {
      name: `MPT proofs verified (${entries.toLocaleString("en-US")}-entry trie, ${depth.toFixed(1)} nodes/proof)`,
      unit: "proofs/s",
      value: oursRate,
      anchor: { name: "@ethereumjs/mpt verifyMerkleProof", value: theirRate },
      ratio: oursRate / theirRate,
      notes: "higher is better",
    },
  ];
}
