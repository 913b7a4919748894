import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import vectors from "../fixtures/vectors.json" with { type: "json" };
import { MAX_PAYLOAD_BYTES, MAX_PAYLOAD_CHARS } from "../../lib/payload/constants.js";

const doc = readFileSync(new URL("../../docs/FORMATS.md", import.meta.url), "utf8");

describe("docs/FORMATS.md quotes the vectors file", () => {
  it("batchId, salts, normalisation key bytes", () => {
    expect(doc).toContain(vectors.batchId[0]!.batchId);
    for (const s of vectors.salt.filter((x) => x.index !== "1")) expect(doc).toContain(s.salt);
    for (const i of [1, 3, 4, 7]) expect(doc).toContain(vectors.normalisation[i]!.keyBytes);
  });

  it("key 2 of the five-key batch: salt, key bytes, commitment, leaf, proof, root", () => {
    const e = vectors.batch.entries[2]!;
    for (const v of [e.salt, e.keyBytes, e.commitment, e.leaf, ...e.proof, vectors.batch.root])
      expect(doc).toContain(v);
  });

  it("payload strings of the short and full form, and the limits", () => {
    expect(doc).toContain(vectors.payloads[0]!.payload);
    expect(doc).toContain(vectors.payloads[1]!.payload);
    expect(doc).toContain(
      `${MAX_PAYLOAD_BYTES.toLocaleString("en-US")} bytes = ${MAX_PAYLOAD_CHARS.toLocaleString("en-US")} characters`,
    );
    const shortBytes = vectors.payloads[1]!.bytes.slice(2);
    const quoted = /0x01 10 e9f401[\s\S]*?```/.exec(doc)![0].split("\n").slice(0, 3).join("").replace(/0x|\s/g, "");
    expect(quoted).toBe(shortBytes);
  });

  it("version 2: the short form with a receipt secret and the receipt vector", () => {
    expect(vectors.payloads[4]!.name).toMatch(/receipt/);
    expect(doc).toContain(vectors.payloads[4]!.payload);
    for (const v of [vectors.receipt.secret, vectors.receipt.commitment, vectors.receipt.orderRef])
      expect(doc).toContain(v);
  });
});
