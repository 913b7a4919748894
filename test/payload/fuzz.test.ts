import { describe, expect, it } from "vitest";
import fc from "fast-check";
import vectors from "../fixtures/vectors.json" with { type: "json" };
import { decodePayload } from "../../lib/payload/decodePayload.js";
import { encodePayload } from "../../lib/payload/encodePayload.js";
import { PayloadError } from "../../lib/payload/errors.js";
import { decodedPayloadSchema } from "../../lib/schemas/payload.js";
import type { PayloadFields } from "../../lib/schemas/payload.js";
import { b64u, hexBytes } from "./helpers.js";

/** Runs per property; 5 garbage properties below at 10,000 runs each, and a round-trip one. */
export const FUZZ_RUNS = 10_000;

/** The property: either a valid decode that re-encodes to the same string and fits the schema, or a PayloadError. */
function decodesCanonicallyOrRefuses(s: string): boolean {
  let d;
  try {
    d = decodePayload(s);
  } catch (e) {
    if (!(e instanceof PayloadError)) throw e;
    return typeof e.code === "string" && e.code.length > 0;
  }
  expect(decodedPayloadSchema.safeParse(d).success).toBe(true);
  expect(encodePayload(d)).toBe(s);
  return true;
}

const seeds = vectors.payloads.map((v) => hexBytes(v.bytes));
const B64URL = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

describe(`payload fuzz (fast-check, ${FUZZ_RUNS.toLocaleString("en-US")} runs per property)`, () => {
  it("arbitrary strings (any Unicode)", () => {
    fc.assert(fc.property(fc.string({ unit: "binary", maxLength: 300 }), decodesCanonicallyOrRefuses), {
      numRuns: FUZZ_RUNS,
    });
  });

  it("arbitrary base64url strings", () => {
    fc.assert(
      fc.property(fc.string({ unit: fc.constantFrom(...B64URL), maxLength: 1400 }), decodesCanonicallyOrRefuses),
      { numRuns: FUZZ_RUNS },
    );
  });

  it("arbitrary bytes after a valid version byte (1 or 2)", () => {
    fc.assert(
      fc.property(fc.constantFrom(1, 2), fc.uint8Array({ maxLength: 900 }), (version, bytes) =>
        decodesCanonicallyOrRefuses(b64u([version, ...bytes])),
      ),
      { numRuns: FUZZ_RUNS },
    );
  });

  it("arbitrary bytes after a version 2 header with the receipt flag", () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 0x1f }), fc.uint8Array({ maxLength: 900 }), (flags, bytes) =>
        decodesCanonicallyOrRefuses(b64u([2, flags | 0x20, ...bytes])),
      ),
      { numRuns: FUZZ_RUNS },
    );
  });

  it("mutated valid payloads (byte flips, cuts, insertions)", () => {
    const mutation = fc.record({
      seed: fc.nat(seeds.length - 1),
      flips: fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { maxLength: 4 }),
      cut: fc.option(fc.nat(), { nil: undefined }),
      insert: fc.option(fc.tuple(fc.nat(), fc.uint8Array({ minLength: 1, maxLength: 40 })), { nil: undefined }),
    });
    fc.assert(
      fc.property(mutation, ({ seed, flips, cut, insert }) => {
        let b = [...seeds[seed]!];
        for (const [pos, v] of flips) b[pos % b.length] = v;
        if (cut !== undefined) b = b.slice(0, cut % (b.length + 1));
        if (insert) {
          const at = insert[0] % (b.length + 1);
          b = [...b.slice(0, at), ...insert[1], ...b.slice(at)];
        }
        return decodesCanonicallyOrRefuses(b64u(b));
      }),
      { numRuns: FUZZ_RUNS },
    );
  });

  it("valid fields round-trip exactly (2,000 runs)", () => {
    const hex = (n: number) =>
      fc.uint8Array({ minLength: n, maxLength: n }).map((b) => `0x${Buffer.from(b).toString("hex")}` as `0x${string}`);
    const fields = fc
      .record({
        full: fc.boolean(),
        chainId: fc.integer({ min: 1, max: Number.MAX_SAFE_INTEGER }),
        ledger: hex(20),
        batchId: hex(32),
        index: fc.integer({ min: 0, max: 2 ** 48 - 1 }),
        salt: hex(32),
        commitment: fc.option(hex(32), { nil: undefined }),
        proof: fc.array(hex(32), { maxLength: 48 }),
        seller: fc.option(hex(20), { nil: undefined }),
        receiptSecret: fc.option(hex(16), { nil: undefined }),
        keyCase: fc.constantFrom("exact" as const, "upper" as const),
      })
      .map(({ full, commitment, proof, ...rest }): PayloadFields =>
        full
          ? { ...rest, form: "full", commitment: commitment ?? rest.salt, proof }
          : { ...rest, form: "short", ...(commitment ? { commitment } : {}) },
      );
    fc.assert(
      fc.property(fields, (f) => {
        const s = encodePayload(f);
        const d = decodePayload(s);
        const clean = Object.fromEntries(Object.entries(f).filter(([, v]) => v !== undefined));
        expect(d).toEqual({ version: f.receiptSecret === undefined ? 1 : 2, ...clean });
        expect(encodePayload(d)).toBe(s);
      }),
      { numRuns: 2_000 },
    );
  });
});
