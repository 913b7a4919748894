import * as esbuild from "esbuild";
import type { Browser } from "playwright-core";
import { bytesToHex, hexToBytes, keccak256 } from "viem";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createKeccakKernelSync } from "../../lib/hash/createKeccakKernelSync.js";
import { buildProofShard } from "../../lib/merkle/buildProofShard.js";
import { buildTree } from "../../lib/merkle/buildTree.js";
import { encodeProofShard } from "../../lib/merkle/encodeProofShard.js";
import { getProof } from "../../lib/merkle/getProof.js";
import { leafHash } from "../../lib/merkle/leafHash.js";
import { launchChromium } from "../../scripts/browser/launchChromium.js";
import { packHex, referenceBatch, seededBytes } from "./helpers.js";

/** lib/hash and lib/merkle as a browser script (what the portal bundles), exposing a few functions on `window.kt`. */
async function browserBundle(): Promise<string> {
  const root = new URL("../../", import.meta.url).pathname;
  const result = await esbuild.build({
    stdin: {
      contents: `
        import { createKeccakKernel } from "./lib/hash/createKeccakKernel.ts";
        import { decodeProofShard } from "./lib/merkle/decodeProofShard.ts";
        import { proofFromShard } from "./lib/merkle/proofFromShard.ts";
        import { verifyProof } from "./lib/merkle/verifyProof.ts";
        import { leafHash } from "./lib/merkle/leafHash.ts";
        globalThis.kt = { createKeccakKernel, decodeProofShard, proofFromShard, verifyProof, leafHash };`,
      resolveDir: root,
      loader: "ts",
    },
    bundle: true,
    format: "iife",
    platform: "browser",
    target: "es2022",
    write: false,
    logLevel: "silent",
  });
  return result.outputFiles[0]!.text;
}

describe("the keccak kernel and proof checks run in a real browser (headless Chromium)", () => {
  let browser: Browser;
  let script: string;
  beforeAll(async () => {
    script = await browserBundle();
    browser = await launchChromium();
  });
  afterAll(async () => {
    await browser?.close();
  });

  it("gives the same digests, leaves, layers, shard proofs and verdicts as Node", async () => {
    const n = 37;
    const { batchId, commitments } = referenceBatch(n, 2024);
    const packed = packHex(commitments);
    const kernel = createKeccakKernelSync();
    const tree = buildTree(kernel, { leaves: kernel.leaves(hexToBytes(batchId), 0, packed, n) });
    const shard = encodeProofShard(buildProofShard(tree, packed, 2, 16));
    const inputs = [0, 1, 64, 135, 136, 300].map((len) => bytesToHex(seededBytes(len + 7, len)));
    const page = await browser.newPage();
    try {
      await page.setContent("<!doctype html><title>kernel</title>");
      await page.addScriptTag({ content: script });
      const got = await page.evaluate(
        async ({ inputs, batchId, packed, n, shard, root, proof }) => {
          const hex = (b: Uint8Array) => `0x${Array.from(b, (x) => x.toString(16).padStart(2, "0")).join("")}`;
          const bytes = (h: string) => Uint8Array.from(h.slice(2).match(/../g) ?? [], (x) => parseInt(x, 16));
          // eslint-disable-next-line @typescript-eslint/no-explicit-any
          const kt = (globalThis as any).kt;
          const k = await kt.createKeccakKernel();
          const digests = inputs.map((i: string) => hex(k.keccak256(bytes(i))));
          let layer = k.leaves(bytes(batchId), 0, bytes(packed), n);
          let size = n;
          while (size > 1) {
            layer = k.hashPairs(layer, size);
            size = Math.ceil(size / 2);
          }
          const decoded = kt.decodeProofShard(bytes(shard));
          const fromShard = kt.proofFromShard(decoded, 35, batchId);
          const leaf = kt.leafHash(batchId, 35, fromShard.commitment);
          return {
            digests,
            root: hex(layer.subarray(0, 32)),
            proof: fromShard.proof,
            ok: kt.verifyProof(root, leaf, fromShard.proof),
            okDirect: kt.verifyProof(root, leaf, proof),
            bad: kt.verifyProof(root, leaf, fromShard.proof.slice(1)),
          };
        },
        {
          inputs,
          batchId,
          packed: bytesToHex(packed),
          n,
          shard: bytesToHex(shard),
          root: tree.root,
          proof: getProof(tree, 35),
        },
      );
      expect(got.digests).toEqual(inputs.map((i) => keccak256(i)));
      expect(got.root).toBe(tree.root);
      expect(got.proof).toEqual(getProof(tree, 35));
      expect(got.ok).toBe(true);
      expect(got.okDirect).toBe(true);
      expect(got.bad).toBe(false);
      expect(leafHash(batchId, 35, commitments[35]!)).toBe(bytesToHex(tree.layers[0]!.subarray(35 * 32, 36 * 32)));
    } finally {
      await page.close();
    }
  });
});
