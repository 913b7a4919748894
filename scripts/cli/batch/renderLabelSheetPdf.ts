import type { create } from "qrcode";
import type { LabelForm } from "./labelUrl.js";
import type { UrlRow } from "./readUrlRange.js";

const PAGE_W = 595.28;
const PAGE_H = 841.89;
const COLS = 3;
const ROWS = 7;
const MARGIN = 24;
/** The caption under each QR code: what the code shows and where it may be printed. */
const FORM_LINES: Record<LabelForm, string[]> = {
  public: ["扫码验真 Scan to verify", "公开码 public code"],
  private: ["扫码验证 Scan to verify", "私密码：请遮盖 keep covered"],
};

/** Line-break and other control characters are shown as spaces. */
function printable(s: string): string {
  return s.replace(/[\u0000-\u001f\u007f-\u009f]/g, " ");
}

/**
 * A text-showing operator for `s` at (x, y): printable ASCII in Helvetica (/F1, a PDF base font); anything else in
 * the predefined CJK font STSong-Light (/F2, encoding UniGB-UCS2-H: UCS-2 big-endian code units as a hex string),
 * which viewers and printers supply without embedding. Characters outside the Basic Multilingual Plane (UCS-2 has
 * none) are shown as "?".
 */
function textOp(s: string, size: number, x: number, y: number): string {
  const text = printable(s);
  const at = `${x.toFixed(2)} ${y.toFixed(2)} Td`;
  if (/^[\x20-\x7e]*$/.test(text)) return `BT /F1 ${size} Tf ${at} (${text.replace(/([\\()])/g, "\\$1")}) Tj ET`;
  let hex = "";
  for (const ch of text) {
    const c = ch.codePointAt(0)!;
    hex += (c > 0xffff ? 0x3f : c).toString(16).toUpperCase().padStart(4, "0");
  }
  return `BT /F2 ${size} Tf ${at} <${hex}> Tj ET`;
}

function qrOps(qr: typeof create, url: string, x: number, y: number, side: number): string {
  const { modules } = qr(url, { errorCorrectionLevel: "M" });
  const n = modules.size;
  const quiet = 4;
  const m = side / (n + 2 * quiet);
  const ops: string[] = [];
  for (let r = 0; r < n; r++) {
    let c = 0;
    while (c < n) {
      if (!modules.data[r * n + c]) {
        c++;
        continue;
      }
      const c0 = c;
      while (c < n && modules.data[r * n + c]) c++;
      const px = x + (quiet + c0) * m;
      const py = y + side - (quiet + r + 1) * m;
      ops.push(`${px.toFixed(3)} ${py.toFixed(3)} ${((c - c0) * m).toFixed(3)} ${m.toFixed(3)} re`);
    }
  }
  ops.push("f");
  return ops.join("\n");
}

/**
 * Renders a printable A4 label sheet (PDF 1.4, 21 labels per page): each label carries the QR code of `row.url`
 * (vector, error correction M), the key's index and serial, and what the code is (public: shows the card is genuine;
 * private: keep covered). No fonts are embedded: ASCII text is set in Helvetica, Chinese and other text in the
 * predefined CJK font STSong-Light (UniGB-UCS2-H), which PDF viewers and printers supply (docs/CLI.md).
 *
 * @param rows - the keys to print (from urls.csv, their url already in the form to print, see `labelUrl`).
 * @param title - a line printed at the top of each page (e.g. the batch label).
 * @param qr - QR encoder (`create` of the qrcode package, passed in so it loads only when used).
 * @param form - which form the links are, for the label's caption (default "private", the urls.csv form).
 * @returns the PDF bytes.
 * @example
 * writeFileSync("labels.pdf", renderLabelSheetPdf(rows, "2026-11-A", QRCode.create));
 */
export function renderLabelSheetPdf(
  rows: readonly UrlRow[],
  title: string,
  qr: typeof create,
  form: LabelForm = "private",
): Uint8Array {
  const perPage = COLS * ROWS;
  const cellW = (PAGE_W - 2 * MARGIN) / COLS;
  const cellH = (PAGE_H - 2 * MARGIN - 20) / ROWS;
  const pages: string[] = [];
  for (let p = 0; p * perPage < rows.length; p++) {
    const ops: string[] = [
      textOp(`${title} - 第 ${p + 1} 页 page ${p + 1}`, 9, MARGIN, PAGE_H - MARGIN - 9),
      "0.8 G 0.5 w",
    ];
    rows.slice(p * perPage, (p + 1) * perPage).forEach((row, i) => {
      const col = i % COLS;
      const line = Math.floor(i / COLS);
      const x = MARGIN + col * cellW;
      const y = PAGE_H - MARGIN - 20 - (line + 1) * cellH;
      ops.push(`${x.toFixed(2)} ${y.toFixed(2)} ${cellW.toFixed(2)} ${cellH.toFixed(2)} re S`);
      const side = Math.min(cellH - 8, cellW * 0.55);
      ops.push("0 g", qrOps(qr, row.url, x + 4, y + (cellH - side) / 2, side));
      const tx = x + side + 10;
      ops.push(
        textOp(`#${row.index}`, 10, tx, y + cellH - 24),
        textOp(row.serial || "", 7, tx, y + cellH - 38),
        ...FORM_LINES[form].map((line, k) => textOp(line, 7, tx, y + 24 - 10 * k)),
        "0.8 G",
      );
    });
    pages.push(ops.join("\n"));
  }
  const objects: string[] = [];
  const pageIds: number[] = [];
  objects[1] = "<< /Type /Catalog /Pages 2 0 R >>";
  objects[3] = "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>";
  // STSong-Light, one of the predefined Adobe-GB1 CID fonts: not embedded, the viewer or printer supplies a Song face.
  objects[4] =
    "<< /Type /Font /Subtype /Type0 /BaseFont /STSong-Light /Encoding /UniGB-UCS2-H /DescendantFonts [5 0 R] >>";
  objects[5] =
    "<< /Type /Font /Subtype /CIDFontType0 /BaseFont /STSong-Light " +
    "/CIDSystemInfo << /Registry (Adobe) /Ordering (GB1) /Supplement 4 >> /FontDescriptor 6 0 R /DW 1000 /W [1 95 500] >>";
  objects[6] =
    "<< /Type /FontDescriptor /FontName /STSong-Light /Flags 6 /FontBBox [-25 -254 1000 880] /ItalicAngle 0 " +
    "/Ascent 880 /Descent -120 /CapHeight 880 /StemV 93 >>";
  let next = 7;
  for (const content of pages) {
    const pageId = next++;
    const contentId = next++;
    pageIds.push(pageId);
    objects[pageId] =
      `<< /Type /Page /Parent 2 0 R /MediaBox [0 0 ${PAGE_W} ${PAGE_H}] /Resources << /Font << /F1 3 0 R /F2 4 0 R >> >> /Contents ${contentId} 0 R >>`;
    objects[contentId] = `<< /Length ${content.length} >>\nstream\n${content}\nendstream`;
  }
  objects[2] = `<< /Type /Pages /Kids [${pageIds.map((id) => `${id} 0 R`).join(" ")}] /Count ${pageIds.length} >>`;
  let pdf = "%PDF-1.4\n%\xE2\xE3\xCF\xD3\n";
  const offsets: number[] = [];
  for (let id = 1; id < objects.length; id++) {
    offsets[id] = pdf.length;
    pdf += `${id} 0 obj\n${objects[id]}\nendobj\n`;
  }
  const xref = pdf.length;
  pdf += `xref\n0 ${objects.length}\n0000000000 65535 f \n`;
  for (let id = 1; id < objects.length; id++) pdf += `${String(offsets[id]).padStart(10, "0")} 00000 n \n`;
  pdf += `trailer\n<< /Size ${objects.length} /Root 1 0 R >>\nstartxref\n${xref}\n%%EOF\n`;
  // Every character is below 0x100, so latin1 keeps byte offsets equal to string offsets.
  const bytes = new Uint8Array(pdf.length);
  for (let i = 0; i < pdf.length; i++) bytes[i] = pdf.charCodeAt(i);
  return bytes;
}
