import { createRequire } from "node:module";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import QRCode from "qrcode";
import { describe, expect, it } from "vitest";
import { decodePayload } from "../../lib/payload/decodePayload.js";
import { parsePayloadInput } from "../../lib/payload/parsePayloadInput.js";
import { labelUrl } from "../../scripts/cli/batch/labelUrl.js";
import { renderLabelSheetPdf } from "../../scripts/cli/batch/renderLabelSheetPdf.js";
import { sealBatch } from "../../scripts/seal/sealBatch.js";
import { sealParams } from "../seal/helpers.js";
import { runCli } from "./helpers/runCli.js";

const require = createRequire(import.meta.url);
const jsQR = require("jsqr") as (data: Uint8ClampedArray, width: number, height: number) => { data: string } | null;
const { DigitalLink } = require("digital-link.js") as { DigitalLink: (url: string) => { isValid(): boolean } };

/** The text a PDF content stream shows: Helvetica literals as they are, STSong-Light hex strings as UCS-2. */
function shownText(pdf: string): { font: string; text: string }[] {
  const out: { font: string; text: string }[] = [];
  for (const m of pdf.matchAll(
    /BT \/(F\d) [\d.]+ Tf [\d.-]+ [\d.-]+ Td (?:\(((?:\\.|[^\\)])*)\)|<([0-9A-F]*)>) Tj ET/g,
  )) {
    if (m[2] !== undefined) out.push({ font: m[1]!, text: m[2].replace(/\\(.)/g, "$1") });
    else {
      const hex = m[3]!;
      let text = "";
      for (let i = 0; i < hex.length; i += 4) text += String.fromCharCode(parseInt(hex.slice(i, i + 4), 16));
      out.push({ font: m[1]!, text });
    }
  }
  return out;
}

/** Rebuilds each label's QR code from its vector rectangles and reads it with jsQR. */
function labelQrTexts(pdf: string): string[] {
  const texts: string[] = [];
  for (const block of pdf.matchAll(/0 g\n([\s\S]*?)\nf\n/g)) {
    const rects = [...block[1]!.matchAll(/([\d.]+) ([\d.]+) ([\d.]+) ([\d.]+) re/g)].map((m) =>
      m.slice(1, 5).map(Number),
    );
    const m = Math.min(...rects.map((r) => r[3]!));
    const x0 = Math.min(...rects.map((r) => r[0]!));
    const yTop = Math.max(...rects.map((r) => r[1]! + r[3]!));
    const n = Math.round((Math.max(...rects.map((r) => r[0]! + r[2]!)) - x0) / m);
    const scale = 4;
    const quiet = 4;
    const side = (n + 2 * quiet) * scale;
    const px = new Uint8ClampedArray(side * side * 4).fill(255);
    for (const [x, y, w, h] of rects) {
      const c0 = Math.round((x! - x0) / m);
      const c1 = c0 + Math.round(w! / m);
      const row = Math.round((yTop - (y! + h!)) / m);
      for (let c = c0; c < c1; c++)
        for (let dy = 0; dy < scale; dy++)
          for (let dx = 0; dx < scale; dx++) {
            const i = (((quiet + row) * scale + dy) * side + (quiet + c) * scale + dx) * 4;
            px[i] = px[i + 1] = px[i + 2] = 0;
          }
    }
    const read = jsQR(px, side, side);
    if (read) texts.push(read.data);
  }
  return texts;
}

const ALNUM = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";

describe("label sheets", () => {
  it("print Chinese text in STSong-Light (UniGB-UCS2-H) as UCS-2, ASCII in Helvetica, never '?'", () => {
    const rows = [
      { index: 0, serial: "卡001", url: "https://verify.example/v/#AQ" },
      { index: 1, serial: "SN-0002", url: "https://verify.example/v/#AQ" },
      { index: 2, serial: "游戏点卡（第3批）", url: "https://verify.example/v/#AQ" },
    ];
    const pdf = Buffer.from(renderLabelSheetPdf(rows, "KeyTrail 批次 2026年11月", QRCode.create, "public")).toString(
      "latin1",
    );
    expect(pdf).toContain("/BaseFont /STSong-Light /Encoding /UniGB-UCS2-H");
    expect(pdf).toContain("/Registry (Adobe) /Ordering (GB1)");
    expect(pdf).toMatch(/\/Font << \/F1 3 0 R \/F2 4 0 R >>/);
    const shown = shownText(pdf);
    const texts = shown.map((s) => s.text);
    expect(texts).toContain("卡001");
    expect(texts).toContain("游戏点卡（第3批）");
    expect(texts).toContain("KeyTrail 批次 2026年11月 - 第 1 页 page 1");
    expect(texts).toContain("公开码 public code");
    expect(shown.find((s) => s.text === "SN-0002")?.font).toBe("F1");
    expect(shown.find((s) => s.text === "卡001")?.font).toBe("F2");
    expect(texts.join("")).not.toContain("?");
    // the xref still points at every object (all bytes are ASCII)
    const xref = Number(/startxref\n(\d+)/.exec(pdf)![1]);
    const offsets = [...pdf.slice(xref).matchAll(/^(\d{10}) 00000 n $/gm)].map((m) => Number(m[1]));
    expect(offsets.length).toBe(8);
    offsets.forEach((o, i) => expect(pdf.slice(o, o + `${i + 1} 0 obj`.length)).toBe(`${i + 1} 0 obj`));
  });

  it("`batch labels` prints the public form by default and the private form on request; every QR is a valid Digital Link", async () => {
    const dir = mkdtempSync(join(tmpdir(), "keytrail-labels-"));
    const lines = ["卡号,卡密"];
    for (let i = 0; i < 30; i++)
      lines.push(
        `卡-${String(i).padStart(3, "0")},${Array.from({ length: 20 }, (_, k) => ALNUM[(i * 131 + k * 977 + i * k * 7) % 36]).join("")}`,
      );
    writeFileSync(join(dir, "keys.csv"), `${lines.join("\n")}\n`);
    const out = join(dir, "batch");
    await sealBatch(
      sealParams(join(dir, "keys.csv"), out, { gtin: "6901234567892", workers: 0, allowWeakKeys: false }),
    );
    const urls = readFileSync(join(out, "urls.csv"), "utf8").trimEnd().split("\n").slice(1);
    const privateUrl = (i: number) => urls[i]!.split(",").slice(2).join(",");

    const pub = await runCli(
      ["batch", "labels", "--batch-dir", out, "--range", "0-20", "--out", join(dir, "pub.pdf")],
      {
        cwd: dir,
      },
    );
    expect(pub.code, pub.stderr).toBe(0);
    expect(pub.stdout).toContain("wrote 21 public labels on 1 page(s)");
    const pubPdf = readFileSync(join(dir, "pub.pdf"), "latin1");
    const pubLinks = labelQrTexts(pubPdf);
    expect(pubLinks).toHaveLength(21);
    pubLinks.forEach((link, i) => {
      expect(link).toBe(labelUrl(privateUrl(i), "public"));
      expect(link).toMatch(/^https:\/\/verify\.example\/01\/06901234567892\/21\/[0-9a-f]{8}\.\d+#/);
      expect(DigitalLink(link.split("#")[0]!).isValid()).toBe(true);
      const p = decodePayload(parsePayloadInput(link).payload);
      expect(p).toMatchObject({ version: 3, index: i });
      expect(p.salt).toBeUndefined();
    });
    expect(shownText(pubPdf).map((s) => s.text)).toContain("卡001");

    const priv = await runCli(
      ["batch", "labels", "--batch-dir", out, "--range", "0-2", "--form", "private", "--out", join(dir, "priv.pdf")],
      { cwd: dir },
    );
    expect(priv.code, priv.stderr).toBe(0);
    expect(priv.stdout).toContain("private form: print only where the key is hidden until sale");
    expect(labelQrTexts(readFileSync(join(dir, "priv.pdf"), "latin1"))).toEqual([0, 1, 2].map(privateUrl));

    const bad = await runCli(
      ["batch", "labels", "--batch-dir", out, "--range", "0-2", "--form", "both", "--out", "x.pdf"],
      {
        cwd: dir,
      },
    );
    expect(bad.code).not.toBe(0);
    expect(bad.stderr).toContain('--form "both" is not a label form: expected public or private.');
  });
});
