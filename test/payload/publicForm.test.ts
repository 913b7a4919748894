import { describe, expect, it } from "vitest";
import type { Address } from "viem";
import vectors from "../fixtures/vectors.json" with { type: "json" };
import { decodePayload } from "../../lib/payload/decodePayload.js";
import { encodePayload } from "../../lib/payload/encodePayload.js";
import { toPublicPayload } from "../../lib/payload/toPublicPayload.js";
import { decodedPayloadSchema, type PayloadFields } from "../../lib/schemas/payload.js";
import { verifyPayload, type VerifyOptions } from "../../lib/verify/verifyPayload.js";
import { makeBatch } from "../verify/batch.js";
import { hexBytes, unb64u } from "./helpers.js";

const SUPPLIER: Address = "0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266";
const LEDGER: Address = "0x5FbDB2315678afecb367f032d93F642f64180aa3";
const byName = (name: string) => vectors.payloads.find((v) => v.name === name)!;

describe("public form (payload version 3, no salt)", () => {
  it("vectors: version 3, flag PUBLIC, the version 1 layout without the salt", () => {
    const pub = byName("short public (version 3)");
    const priv = byName("short");
    const b = unb64u(pub.payload);
    expect(b.length).toBe(58);
    expect([b[0], b[1]]).toEqual([3, 0x50]); // KEY_UPPER | PUBLIC
    // everything up to the index is the private form's; the 32 salt bytes are gone and nothing follows
    expect([...b.slice(2)]).toEqual(hexBytes(priv.bytes).slice(2, 58));
    const d = decodePayload(pub.payload);
    expect(d.salt).toBeUndefined();
    expect(d.version).toBe(3);
    expect(decodedPayloadSchema.parse(d)).toEqual(d);
    const full = decodePayload(byName("full public (version 3)").payload);
    expect(full).toMatchObject({ version: 3, form: "full", commitment: byName("full").fields.commitment });
    expect(full.proof).toEqual(byName("full").fields.proof);
  });

  it("toPublicPayload drops the salt and a receipt secret, and keeps everything else", () => {
    expect(toPublicPayload(byName("short").payload)).toBe(byName("short public (version 3)").payload);
    expect(toPublicPayload(byName("full").payload)).toBe(byName("full public (version 3)").payload);
    const fromReceipt = decodePayload(toPublicPayload(byName("short with seller and receipt (version 2)").payload));
    expect(fromReceipt.receiptSecret).toBeUndefined();
    expect(fromReceipt.seller).toBe(byName("short with seller and receipt (version 2)").fields.seller!.toLowerCase());
    const pub = vectors.digitalLinks.find((v) => v.name.startsWith("public"))!;
    expect(toPublicPayload(vectors.digitalLinks[0]!.payload)).toBe(pub.payload);
  });

  it("encode asks for the public form explicitly and never mixes it with a salt or a receipt", () => {
    const { salt: _salt, ...noSalt } = byName("short").fields;
    const field = expect.objectContaining({ code: "FIELD" });
    expect(() => encodePayload(noSalt as PayloadFields)).toThrow(field);
    expect(() => encodePayload(noSalt as PayloadFields)).toThrow(/version: 3 for the public form/);
    expect(() => encodePayload({ ...byName("short").fields, version: 3 } as PayloadFields)).toThrow(
      /no salt in the public form/,
    );
    const receipt = byName("short with seller and receipt (version 2)").fields;
    const { salt: _s2, ...receiptNoSalt } = receipt;
    expect(() => encodePayload({ ...receiptNoSalt, version: 3 } as PayloadFields)).toThrow(
      /no receipt secret in the public form/,
    );
  });

  describe("verification", () => {
    const b = makeBatch({
      supplier: SUPPLIER,
      ledger: LEDGER,
      chainId: 31337,
      label: "public form",
      count: 20,
      shardSize: 8,
    });
    const online: VerifyOptions = {
      expectedChainId: 31337,
      fetchStatus: async () => b.status(),
      fetchShard: b.fetchShard,
    };

    it("a genuine public code proves membership and status, and says a typed key cannot be checked", async () => {
      const r = await verifyPayload(`https://verify.example/v/#${toPublicPayload(b.short(3))}`, {
        ...online,
        key: b.keys[3]!,
      });
      expect(r.verdict).toBe("genuine");
      expect(r.publicForm).toBe(true);
      expect(r.keyCheck).toBe("not-checked");
      expect(r.message).toMatch(/^The code is genuine: .*; a typed key cannot be checked with this form\.$/);
      expect(r.checks.find((c) => c.name === "key")).toMatchObject({
        ok: null,
        detail: expect.stringMatching(/no salt/),
      });
      expect(r.checks.find((c) => c.name === "proof")?.ok).toBe(true);
      // a wrong key is not "not-in-batch" either: nothing was checked
      const wrong = await verifyPayload(toPublicPayload(b.full(3)), { ...online, key: { pin: "WRONG" } });
      expect(wrong.verdict).toBe("genuine");
    });

    it("a public code is still refused when its proof, its batch or its status say so", async () => {
      const forged = decodePayload(toPublicPayload(b.full(3)));
      const tampered = encodePayload({ ...forged, index: 4 });
      expect((await verifyPayload(tampered, online)).verdict).toBe("not-in-batch");
      const revoked = await verifyPayload(toPublicPayload(b.short(3)), {
        ...online,
        fetchStatus: async () => b.status({ frozenReason: "stolen" }),
      });
      expect(revoked.verdict).toBe("revoked");
      expect(revoked.message).not.toMatch(/genuine/);
      const redeemed = await verifyPayload(toPublicPayload(b.short(3)), {
        ...online,
        fetchStatus: async () => b.status({ redeemed: true }),
      });
      expect(redeemed.verdict).toBe("redeemed");
    });

    it("the private form of the same key still checks a typed key", async () => {
      const r = await verifyPayload(b.short(3), { ...online, key: b.keys[3]! });
      expect(r).toMatchObject({ verdict: "genuine", keyCheck: "match" });
      expect(r.publicForm).toBeUndefined();
    });
  });
});
