/**
 * A short form's proof data is someone else's (portal, CDN, export, folder): broken or missing proof data gives
 * "cannot confirm" naming its source, never a verdict against the key; the chain is read anyway, so an index
 * beyond the batch or an unknown batch is still "not-in-batch" (docs/FORMATS.md §8, docs/MERKLE.md "Judging a shard").
 */
import { describe, expect, it } from "vitest";
import type { Address, Hex } from "viem";
import { encodePayload } from "../../lib/payload/encodePayload.js";
import { decodeProofShard } from "../../lib/merkle/decodeProofShard.js";
import { encodeProofShard } from "../../lib/merkle/encodeProofShard.js";
import { verifyPayload } from "../../lib/verify/verifyPayload.js";
import type { VerifyOptions, VerifyResult } from "../../lib/verify/types.js";
import { TrustError } from "../../lib/verify/readProvenStatus.js";
import { makeBatch } from "./batch.js";

const SUPPLIER: Address = "0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266";
const LEDGER: Address = "0x5FbDB2315678afecb367f032d93F642f64180aa3";
const b = makeBatch({
  supplier: SUPPLIER,
  ledger: LEDGER,
  chainId: 31337,
  label: "proof data tests",
  count: 100,
  shardSize: 32,
});
const other = makeBatch({
  supplier: SUPPLIER,
  ledger: LEDGER,
  chainId: 31337,
  label: "another batch",
  count: 100,
  shardSize: 32,
});

const where = (id: Hex, s: number) => `https://shop.example/export/proofs/${id}/${s}.bin`;
const serving = (patch: (s: number, bytes: Uint8Array) => Uint8Array | undefined): VerifyOptions => ({
  expectedChainId: 31337,
  shardSize: 32,
  fetchStatus: async () => b.status(),
  fetchShard: async (id, s) => {
    const bytes = await b.fetchShard(id, s);
    const out = patch(s, bytes.slice());
    if (!out) throw new Error(`GET ${where(id, s)}: HTTP 404`);
    return out;
  },
  describeShard: where,
});
const flip = (bytes: Uint8Array, at: number) => ((bytes[at] = bytes[at]! ^ 1), bytes);
const cannot = (r: VerifyResult) => (r.verdict === "unreachable" ? r.cannotConfirm : undefined);
/** A short-form payload for any index (keys beyond the batch have no salt of their own: key 0's is used). */
const shortAt = (index: number, batchId: Hex = b.batchId) =>
  encodePayload({ form: "short", chainId: 31337, ledger: LEDGER, batchId, index, salt: b.salts[0]!, keyCase: "exact" });

describe("proof data that does not match the chain never frames a key", () => {
  it("one flipped bit in a commitment of shard 0: keys 0-31 cannot be confirmed (source named), keys 32-99 genuine", async () => {
    // Byte 24 is the first byte of key 0's commitment: the whole shard's subtree root changes.
    const options = serving((s, bytes) => (s === 0 ? flip(bytes, 24 + 5) : bytes));
    for (let i = 0; i < 100; i++) {
      const r = await verifyPayload(b.short(i), options);
      if (i < 32) {
        expect(r.verdict, `key ${i}`).toBe("unreachable");
        expect(cannot(r), `key ${i}`).toBe("proof-data-mismatch");
        expect(r.message).toContain("the published proof data does not match the chain");
        expect(r.message).toContain(where(b.batchId, 0));
        expect(r.message).toContain("says nothing against the key or its seller");
        expect(r.proofDataSource).toBe(where(b.batchId, 0));
        expect(r.root).toBe(b.root);
      } else expect(r.verdict, `key ${i}`).toBe("genuine");
    }
  });

  it("one flipped bit in the shard path, or another batch's shard: cannot confirm, never not-in-batch", async () => {
    const pathFlip = serving((s, bytes) => (s === 1 ? flip(bytes, bytes.length - 1) : bytes));
    const r = await verifyPayload(b.short(40), pathFlip);
    expect(r).toMatchObject({ verdict: "unreachable", cannotConfirm: "proof-data-mismatch" });
    const foreign = await verifyPayload(b.short(40), {
      ...serving((_, bytes) => bytes),
      fetchShard: async (_id, s) => other.fetchShard(other.batchId, s),
    });
    expect(foreign).toMatchObject({ verdict: "unreachable", cannotConfirm: "proof-data-mismatch" });
  });

  it("a typed key is not judged against unconfirmed proof data (the shard's commitment may be the forged part)", async () => {
    const options = serving((s, bytes) => (s === 0 ? flip(bytes, 24 + 32 * 3) : bytes));
    const k = b.keys[3]!;
    const r = await verifyPayload(b.short(3), { ...options, key: k });
    expect(r).toMatchObject({ verdict: "unreachable", cannotConfirm: "proof-data-mismatch", keyCheck: "not-checked" });
    const chainDown = await verifyPayload(b.short(3), {
      ...options,
      key: { serial: "S999999", pin: "WRONG" },
      fetchStatus: async () => Promise.reject(new Error("connect ECONNREFUSED 127.0.0.1:8545")),
    });
    expect(chainDown).toMatchObject({ verdict: "unreachable", cannotConfirm: "chain-unreachable" });
    // With consistent proof data the typed key is judged: the right one is genuine, a wrong one not-in-batch.
    const good = serving((_, bytes) => bytes);
    expect(await verifyPayload(b.short(3), { ...good, key: k })).toMatchObject({
      verdict: "genuine",
      keyCheck: "match",
    });
    expect(await verifyPayload(b.short(3), { ...good, key: { serial: "S000003", pin: "NOPE" } })).toMatchObject({
      verdict: "not-in-batch",
      cause: "key",
    });
  });

  it("not-in-batch only when the proof data is consistent with the chain: a payload commitment that differs", async () => {
    const r = await verifyPayload(
      b.short(7, { commitment: b.commitments[8]! }),
      serving((_, bytes) => bytes),
    );
    expect(r).toMatchObject({ verdict: "not-in-batch", cause: "commitment" });
    const broken = serving((s, bytes) => (s === 0 ? flip(bytes, 24 + 32 * 9) : bytes));
    const q = await verifyPayload(b.short(7, { commitment: b.commitments[8]! }), broken);
    expect(q).toMatchObject({ verdict: "unreachable", cannotConfirm: "proof-data-mismatch" });
  });

  it("a shard naming another key count than the chain: cannot confirm", async () => {
    const r = await verifyPayload(b.short(5), {
      ...serving((_, bytes) => bytes),
      fetchStatus: async () => b.status({ count: 101 }),
    });
    // index 5 < 101, and the shard says 100 keys: the data and the chain disagree.
    expect(r).toMatchObject({ verdict: "unreachable", cannotConfirm: "proof-data-mismatch" });
    expect(r.message).toMatch(/says the batch holds 100 keys; the chain says 101/);
  });

  it("a shard that is not the one asked for (shard 1 served for shard 0): cannot confirm", async () => {
    const r = await verifyPayload(b.short(5), {
      ...serving((_, bytes) => bytes),
      fetchShard: async (id) => b.fetchShard(id, 1),
    });
    expect(r).toMatchObject({ verdict: "unreachable", cannotConfirm: "proof-data-mismatch" });
    expect(r.message).toMatch(/is shard 1 of 32 keys, not shard 0 of 32 keys/);
  });
});

describe("missing proof data is not an unreachable chain", () => {
  const missing = serving(() => undefined);

  it("an index beyond the batch (100, 2^40, 2^48 - 1): not-in-batch from the chain, though no shard exists", async () => {
    for (const index of [100, 2 ** 40, 2 ** 48 - 1]) {
      const r = await verifyPayload(shortAt(index), missing);
      expect(r, `index ${index}`).toMatchObject({ verdict: "not-in-batch", cause: "index-out-of-range" });
      expect(r.message).toContain("it holds 100 keys");
    }
  });

  it("an unknown batch id: not-in-batch (batch-unknown) from the chain", async () => {
    const unknown = `0x${"42".repeat(32)}` as Hex;
    const r = await verifyPayload(shortAt(3, unknown), {
      ...missing,
      fetchStatus: async () => b.status({ root: `0x${"0".repeat(64)}` as Hex }),
    });
    expect(r).toMatchObject({ verdict: "not-in-batch", cause: "batch-unknown" });
  });

  it("a valid index whose shard is missing: cannot confirm, proof data unavailable, naming where it looked", async () => {
    const r = await verifyPayload(b.short(64), missing);
    expect(r).toMatchObject({ verdict: "unreachable", cannotConfirm: "proof-data-unavailable", root: b.root });
    expect(r.message).toContain("proof data unavailable");
    expect(r.message).toContain(where(b.batchId, 2));
    expect(r.message).toContain("holds 100 keys, key 64 among them");
    expect(r.checks.find((c) => c.name === "status")?.ok).toBe(true);
  });

  it("a source naming the shard by a relative path is named once, by its full location", async () => {
    const r = await verifyPayload(b.short(64), {
      ...missing,
      fetchShard: async (id, s) => Promise.reject(new Error(`export/proofs/${id}/${s}.bin: HTTP 404`)),
    });
    const full = where(b.batchId, 2);
    expect(r.message).toContain(`${full}: HTTP 404`);
    expect(r.message.split(`/${2}.bin`).length).toBe(2);
  });

  it("bytes that are not a proof shard: cannot confirm, proof-data-invalid, with the shard decoder's rule", async () => {
    const r = await verifyPayload(
      b.short(64),
      serving(() => new TextEncoder().encode("<html><body>page not found</body></html>")),
    );
    expect(r).toMatchObject({ verdict: "unreachable", cannotConfirm: "proof-data-invalid" });
    expect(r.message).toMatch(/not a valid proof shard .*starts with 0x3c68746d/);
  });

  it("a last, partial shard that claims the key is beyond the batch: not-in-batch only once it folds to the root", async () => {
    // Index 100 asked of shard 3 (keys 96-99): the real shard folds, so the chain-confirmed count decides.
    const shard3 = await b.fetchShard(b.batchId, 3);
    expect(decodeProofShard(shard3).batchCount).toBe(100);
    const rootOnly: VerifyOptions = {
      fetchShard: async () => shard3,
      shardSize: 32,
      fetchRoot: async () => b.root,
      describeShard: where,
    };
    expect(await verifyPayload(shortAt(100), rootOnly)).toMatchObject({
      verdict: "not-in-batch",
      cause: "index-out-of-range",
    });
    const forged = decodeProofShard(shard3);
    forged.commitments[0] = forged.commitments[0]! ^ 1;
    const r = await verifyPayload(shortAt(100), { ...rootOnly, fetchShard: async () => encodeProofShard(forged) });
    expect(r).toMatchObject({ verdict: "unreachable", cannotConfirm: "proof-data-mismatch" });
  });
});

describe("cannotConfirm names why the chain could not confirm", () => {
  it("rpc-disagree, chain-proof-invalid, chain-unreachable", async () => {
    const base = serving((_, bytes) => bytes);
    const disagree = await verifyPayload(b.full(3), {
      ...base,
      fetchStatus: async () =>
        Promise.reject(new TrustError("RPCs disagree on block 12: a says 0x1, b says 0x2 — cannot confirm.")),
    });
    expect(cannot(disagree)).toBe("rpc-disagree");
    const proofErr = Object.assign(new Error("storage proof of slot 0x01 does not check"), { name: "ProofError" });
    expect(cannot(await verifyPayload(b.full(3), { ...base, fetchStatus: async () => Promise.reject(proofErr) }))).toBe(
      "chain-proof-invalid",
    );
    expect(cannot(await verifyPayload(b.full(3), {}))).toBe("chain-unreachable");
    expect(cannot(await verifyPayload(b.short(3), {}))).toBe("chain-unreachable");
  });
});
