import { describe, expect, it } from "vitest";
import { ENTROPY_STRONG_WARN_BITS, ENTROPY_WARN_BITS, estimateEntropy } from "../../lib/keys/estimateEntropy.js";
import { assessBatchEntropy } from "../../lib/keys/assessBatchEntropy.js";
import { parseKeyFile } from "../../lib/keys/parseKeyFile.js";

describe("entropy estimate", () => {
  it.each([
    ["6-digit PIN", "123456", false, 19.93, "strong-warn", "digits"],
    ["12-digit PIN", "123456789012", false, 39.86, "strong-warn", "digits"],
    ["16-digit game card", "8750047439575513", false, 53.15, "warn", "digits"],
    ["18-digit telecom PIN", "318609139099603082", false, 59.79, "warn", "digits"],
    ["20-digit PIN", "31860913909960308212", false, 66.44, "ok", "digits"],
    ["12 chars A-Z0-9 (membership)", "FY6SPSC3LKR2", true, 62.04, "warn", "0-9 A-Z (case-insensitive)"],
    ["15 chars A-Z0-9 (product key)", "J4H9DU7794G9DPM", false, 77.55, "ok", "0-9 A-Z"],
    ["mixed case counts 62 symbols", "aB3dE6gH9jK2", false, 71.45, "ok", "0-9 A-Z a-z"],
  ])("%s", (_n, pin, ci, bits, level, alphabet) => {
    const e = estimateEntropy(pin, { caseInsensitive: ci });
    expect(e.bits).toBeCloseTo(bits, 1);
    expect(e.level).toBe(level);
    expect(e.alphabet).toBe(alphabet);
    if (level !== "ok") expect(e.message).toMatch(/brute-force|trying every value/);
  });

  it("thresholds are 64 and 40 bits", () => {
    expect([ENTROPY_WARN_BITS, ENTROPY_STRONG_WARN_BITS]).toEqual([64, 40]);
  });

  it("batch: the shortest PIN and the alphabet seen across the batch", () => {
    const b = assessBatchEntropy(["123456789012345678", "1234567890123456", "AB"]);
    expect(b).toMatchObject({ length: 2, maxLength: 18, count: 3, level: "strong-warn" });
    expect(b.alphabetSize).toBe(36);
  });

  it("batch of 1,000+ keys: distinct characters seen bound the alphabet (look-alike letters left out)", () => {
    const alphabet = "BCDFGHJKMPQRTVWXY2346789"; // 24 symbols, as console codes
    let x = 1;
    const pins = Array.from({ length: 2000 }, () =>
      Array.from({ length: 25 }, () => {
        x = (x * 1103515245 + 12345) >>> 0;
        return alphabet[(x >>> 8) % 24];
      }).join(""),
    );
    const b = assessBatchEntropy(pins);
    expect(b.alphabetSize).toBe(24);
    expect(b.bits).toBeCloseTo(25 * Math.log2(24), 5);
    expect(b.level).toBe("ok");
    expect(b.alphabet).toMatch(/24 distinct characters seen/);
  });

  it("the key-file report carries the batch estimate", () => {
    const { report } = parseKeyFile("card,pin\n1,123456\n2,654321\n");
    expect(report.entropy).toMatchObject({ level: "strong-warn", length: 6, alphabet: "digits", count: 2 });
  });
});
