import { existsSync, readdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { createKeyShapeTracker } from "../../lib/keys/createKeyShapeTracker.js";
import { WeakKeysError } from "../../scripts/seal/errors.js";
import { sealBatch } from "../../scripts/seal/sealBatch.js";
import { sealParams, tempDir } from "./helpers.js";

/** Deterministic pseudo-random digits/characters (xorshift), so files are the same on every run. */
function rng(seed: number) {
  let x = seed >>> 0 || 1;
  return (n: number) => {
    x ^= x << 13;
    x >>>= 0;
    x ^= x >>> 17;
    x ^= x << 5;
    x >>>= 0;
    return x % n;
  };
}
const pick = (r: (n: number) => number, alphabet: string, length: number) =>
  Array.from({ length }, () => alphabet[r(alphabet.length)]).join("");
const DIGITS = "0123456789";
const ALNUM = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";

describe("key shape estimate (per length, per position)", () => {
  it("8 random digits: [0-9]{8}, about 26.6 bits", () => {
    const t = createKeyShapeTracker();
    const r = rng(1);
    for (let i = 0; i < 2000; i++) t.add(pick(r, DIGITS, 8));
    const e = t.result();
    expect(e.weak).toBe(true);
    expect(e.weakest).toMatchObject({ length: 8, count: 2000, shape: "[0-9]{8}" });
    expect(e.weakest!.bits).toBeCloseTo(8 * Math.log2(10), 6);
  });

  it("per position: two letters then digits count 2 x log2(26) + 10 x log2(10), not 12 x log2(36)", () => {
    const t = createKeyShapeTracker();
    const r = rng(2);
    for (let i = 0; i < 500; i++) t.add(pick(r, "ABCDEFGHIJKLMNOPQRSTUVWXYZ", 2) + pick(r, DIGITS, 10));
    const w = t.result().weakest!;
    expect(w.shape).toBe("[A-Z]{2}[0-9]{10}");
    expect(w.bits).toBeCloseTo(2 * Math.log2(26) + 10 * Math.log2(10), 6);
    expect(w.bits).toBeLessThan(12 * Math.log2(36));
  });

  it("a fixed prefix adds no bits once 1,000 keys show it never changes", () => {
    const t = createKeyShapeTracker();
    const r = rng(3);
    for (let i = 0; i < 1500; i++) t.add(`GC${pick(r, DIGITS, 16)}`);
    const w = t.result().weakest!;
    expect(w.shape).toBe("(fixed){2}[0-9]{16}");
    expect(w.bits).toBeCloseTo(16 * Math.log2(10), 6);
  });

  it("the weakest length wins; a few keys of a length take the classes of all their positions", () => {
    const t = createKeyShapeTracker();
    const r = rng(4);
    for (let i = 0; i < 300; i++) t.add(pick(r, ALNUM, 25));
    for (let i = 0; i < 3; i++) t.add(pick(r, DIGITS, 4) + pick(r, ALNUM, 10)); // 14 characters, 3 keys
    const e = t.result();
    expect(e.shapes.map((s) => s.length)).toEqual([14, 25]);
    expect(e.weakest!.shape).toMatch(/^\[A-Z0-9\]\{14\}$/);
    expect(e.weakest!.bits).toBeCloseTo(14 * Math.log2(36), 6);
    expect(e.weak).toBe(false);
  });

  it("strong keys pass: 25 characters of a 24-character alphabet, case-insensitive letters count once", () => {
    const t = createKeyShapeTracker({ caseInsensitive: true });
    const r = rng(5);
    for (let i = 0; i < 1200; i++) t.add(pick(r, "BCDFGHJKMPQRTVWXY2346789", 25));
    const e = t.result();
    expect(e.weak).toBe(false);
    expect(e.weakest!.bits).toBeCloseTo(25 * Math.log2(24), 6);
  });

  it("addBytes (the fast reader) and add give the same estimate", () => {
    const a = createKeyShapeTracker();
    const b = createKeyShapeTracker();
    const r = rng(6);
    const enc = new TextEncoder();
    for (let i = 0; i < 1100; i++) {
      const pin = pick(r, ALNUM, 6) + pick(r, DIGITS, 6);
      a.add(pin);
      const bytes = enc.encode(`xx${pin}`);
      b.addBytes(bytes, 2, bytes.length);
    }
    expect(b.result()).toEqual(a.result());
  });
});

describe("sealBatch refuses weak keys", () => {
  const writeKeys = (path: string, count: number, pin: (i: number, r: (n: number) => number) => string) => {
    const r = rng(count);
    const lines = ["卡号,卡密"];
    for (let i = 0; i < count; i++) lines.push(`${6200000000000000 + i},${pin(i, r)}`);
    writeFileSync(path, `${lines.join("\n")}\n`);
  };

  it("8-digit PINs: WeakKeysError naming the file, the shape, the bits and the risk; nothing is written", async () => {
    const dir = tempDir("weak");
    const input = join(dir, "pins-8.csv");
    writeKeys(input, 3000, (_i, r) => pick(r, DIGITS, 8));
    const out = join(dir, "batch");
    let error: unknown;
    try {
      await sealBatch(sealParams(input, out, { workers: 0 }));
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(WeakKeysError);
    const e = error as WeakKeysError;
    expect(e.shortMessage).toBe(
      "Key file pins-8.csv holds weak keys: 3,000 of 3,000 keys have the shape [0-9]{8} (8 characters), about 26 bits, under the 64 bits a sealed key needs.",
    );
    expect(e.details).toMatch(
      /private QR codes \(salt \+ commitment\) can find the key offline by trying 2\^26 values/,
    );
    expect(e.details).toMatch(/--allow-weak-keys/);
    expect(e.details).toMatch(/public form/);
    expect(e).toMatchObject({ file: "pins-8.csv", shape: "[0-9]{8}" });
    // no folder, no partial folder, no secret left behind
    expect(existsSync(out)).toBe(false);
    expect(readdirSync(dir).sort()).toEqual(["pins-8.csv"]);
  });

  it("18-digit telecom PINs (59.8 bits) are refused too; allowWeakKeys seals them and reports the shape", async () => {
    const dir = tempDir("weak18");
    const input = join(dir, "telecom.csv");
    writeKeys(input, 200, (_i, r) => pick(r, DIGITS, 18));
    await expect(sealBatch(sealParams(input, join(dir, "a"), { workers: 0 }))).rejects.toThrow(
      /shape \[0-9\]\{18\} \(18 characters\), about 59 bits/,
    );
    const r = await sealBatch(sealParams(input, join(dir, "b"), { workers: 0, allowWeakKeys: true }));
    expect(r.count).toBe(200);
    expect(r.keyFile.shapes).toMatchObject({ weak: true, weakest: { shape: "[0-9]{18}", count: 200 } });
  });

  it("random 16-character A-Z0-9 keys (82 bits) seal without the flag", async () => {
    const dir = tempDir("strong");
    const input = join(dir, "keys.csv");
    writeKeys(input, 500, (_i, r) => pick(r, ALNUM, 16));
    const r = await sealBatch(sealParams(input, join(dir, "b"), { workers: 0 }));
    expect(r.keyFile.shapes.weak).toBe(false);
    expect(r.keyFile.shapes.weakest!.bits).toBeGreaterThan(80);
  });
});
