import type { create } from "qrcode";
import type { UrlRow } from "./readUrlRange.js";

const PAGE_W = 595.28;
const PAGE_H = 841.89;
const COLS = 3;
const ROWS = 7;
const MARGIN = 24;

function pdfText(s: string): string {
  // Helvetica (a PDF base font) covers ASCII only: other characters are shown as "?".
  return s.replace(/[^\x20-\x7e]/g, "?").replace(/([\\()])/g, "\\$1");
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
 * Renders a printable A4 label sheet (PDF 1.4, 21 labels per page): each label carries the key's
 * QR code (vector, error correction M), its index and serial. No fonts are embedded (Helvetica,
 * ASCII only; other characters print as "?").
 *
 * @param rows - the keys to print (from urls.csv).
 * @param title - a line printed at the top of each page (e.g. the batch label).
 * @param qr - QR encoder (`create` of the qrcode package, passed in so it loads only when used).
 * @returns the PDF bytes.
 * @example
 * writeFileSync("labels.pdf", renderLabelSheetPdf(rows, "2026-11-A", QRCode.create));
 */
export function renderLabelSheetPdf(rows: readonly UrlRow[], title: string, qr: typeof create): Uint8Array {
  const perPage = COLS * ROWS;
  const cellW = (PAGE_W - 2 * MARGIN) / COLS;
  const cellH = (PAGE_H - 2 * MARGIN - 20) / ROWS;
  const pages: string[] = [];
  for (let p = 0; p * perPage < rows.length; p++) {
    const ops: string[] = [
      `BT /F1 9 Tf ${MARGIN} ${PAGE_H - MARGIN - 9} Td (${pdfText(`${title} - page ${p + 1}`)}) Tj ET`,
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
        `BT /F1 10 Tf ${tx.toFixed(2)} ${(y + cellH - 24).toFixed(2)} Td (${pdfText(`#${row.index}`)}) Tj ET`,
        `BT /F1 7 Tf ${tx.toFixed(2)} ${(y + cellH - 38).toFixed(2)} Td (${pdfText(row.serial || "")}) Tj ET`,
        `BT /F1 7 Tf ${tx.toFixed(2)} ${(y + 14).toFixed(2)} Td (Scan to verify) Tj ET`,
        "0.8 G",
      );
    });
    pages.push(ops.join("\n"));
  }
  const objects: string[] = [];
  const pageIds: number[] = [];
  objects[1] = "<< /Type /Catalog /Pages 2 0 R >>";
  objects[3] = "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>";
  let next = 4;
  for (const content of pages) {
    const pageId = next++;
    const contentId = next++;
    pageIds.push(pageId);
    objects[pageId] =
      `<< /Type /Page /Parent 2 0 R /MediaBox [0 0 ${PAGE_W} ${PAGE_H}] /Resources << /Font << /F1 3 0 R >> >> /Contents ${contentId} 0 R >>`;
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
