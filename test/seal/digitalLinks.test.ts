import { createRequire } from "node:module";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { deriveSalt } from "../../lib/commit/deriveSalt.js";
import { decodePayload } from "../../lib/payload/decodePayload.js";
import { digitalLinkSerial } from "../../lib/payload/digitalLinkSerial.js";
import { parsePayloadInput } from "../../lib/payload/parsePayloadInput.js";
import { generateKeyFile } from "../../scripts/seal/generateKeyFile.js";
import { sealBatch } from "../../scripts/seal/sealBatch.js";
import { sealParams, tempDir } from "./helpers.js";

const require = createRequire(import.meta.url);
const { DigitalLink } = require("digital-link.js") as { DigitalLink: (url: string) => { isValid(): boolean } };

describe("urls.csv of a batch with a GTIN", () => {
  it("holds GS1 Digital Links written by the worker threads; every one validates and agrees with its payload", async () => {
    const dir = tempDir("seal-dl");
    const input = join(dir, "keys.csv");
    await generateKeyFile({ path: input, count: 40_000 });
    const out = join(dir, "batch");
    const r = await sealBatch(
      sealParams(input, out, { gtin: "6901234567892", workers: 2, portalBase: "https://v.example/kt" }),
    );
    const secret = JSON.parse(readFileSync(join(out, "batch-secret.json"), "utf8")).secret as `0x${string}`;
    const lines = readFileSync(join(out, "urls.csv"), "utf8").trimEnd().split("\n").slice(1);
    expect(lines).toHaveLength(40_000);
    let validated = 0;
    const bad: number[] = [];
    lines.forEach((line, i) => {
      const url = line.split(",").slice(2).join(",");
      const serial = digitalLinkSerial(r.batchId, i);
      if (!url.startsWith(`https://v.example/kt/01/06901234567892/21/${serial}#`)) bad.push(i);
      if (i % 64 !== 0 && i !== lines.length - 1) return;
      const parsed = parsePayloadInput(url);
      expect(parsed.digitalLink).toEqual({ gtin: "06901234567892", serial });
      expect(parsed.portalBase).toBe("https://v.example/kt");
      const p = decodePayload(parsed.payload);
      expect(p).toMatchObject({ index: i, gs1: { gtin: "06901234567892", serial } });
      expect(p.salt).toBe(deriveSalt(secret, r.batchId, i));
      expect(DigitalLink(url.split("#")[0]!).isValid()).toBe(true);
      validated++;
    });
    expect(bad).toEqual([]);
    expect(validated).toBe(626);
  });

  it("--links plain keeps /v/ links; a Digital Link without a GTIN is refused", async () => {
    const dir = tempDir("seal-plain");
    const input = join(dir, "keys.csv");
    await generateKeyFile({ path: input, count: 10 });
    await sealBatch(sealParams(input, join(dir, "a"), { gtin: "6901234567892", links: "plain", workers: 0 }));
    const line = readFileSync(join(dir, "a", "urls.csv"), "utf8").split("\n")[1]!;
    expect(line).toContain(",https://verify.example/v/#");
    await expect(sealBatch(sealParams(input, join(dir, "b"), { links: "digital-link", workers: 0 }))).rejects.toThrow(
      /links "digital-link": expected "plain" for a batch without a GTIN/,
    );
  });
});
