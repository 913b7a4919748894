import { randomBytes } from "node:crypto";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { generateKeyFile } from "../seal/generateKeyFile.js";

/** The key files of the demo, as suppliers' exports look. */
export type DemoKeyFiles = { game: string; telecom: string; membership: string };

/** GBK bytes of the header `卡号,卡密` as a Chinese spreadsheet export writes it. */
const GBK_HEADER = Uint8Array.from([0xbf, 0xa8, 0xba, 0xc5, 0x2c, 0xbf, 0xa8, 0xc3, 0xdc, 0x0d, 0x0a]);

function digits(n: number, rnd: Buffer, at: number): string {
  let s = "";
  for (let i = 0; i < n; i++) s += String(rnd[at + i]! % 10);
  return s;
}

/**
 * Writes the demo's key files into `dir`:
 * - a game publisher's point cards (16-digit card number + 16-character PIN, UTF-8), `gameCount` rows;
 * - a telecom operator's top-up cards (17-digit card number + 18-digit PIN, UTF-8 with BOM, CRLF);
 * - a membership platform's codes exported from a spreadsheet in GBK (header 卡号,卡密).
 *
 * @param dir - output folder.
 * @param gameCount - rows of the large batch (1,000,000 in the demo).
 * @returns the three paths.
 * @example
 * const files = await writeDemoKeyFiles(".keytrail/demo", 1_000_000);
 */
export async function writeDemoKeyFiles(dir: string, gameCount: number): Promise<DemoKeyFiles> {
  const game = join(dir, "galaxy-points.csv");
  await generateKeyFile({ path: game, count: gameCount, serialDigits: 16, pinLength: 16 });

  const telecom = join(dir, "huatong-topup.csv");
  const rows = 20_000;
  const rnd = randomBytes(rows * 18);
  const lines = ["\ufeff序列号,密码"];
  const base = 10_000_000_000_000_000n + BigInt(rnd.readUInt32BE(0)) * 1000n;
  for (let i = 0; i < rows; i++) lines.push(`${base + BigInt(i)},${digits(18, rnd, i * 18)}`);
  writeFileSync(telecom, lines.join("\r\n") + "\r\n");

  const membership = join(dir, "membership-gbk.csv");
  const n = 2_000;
  const r2 = randomBytes(n * 12);
  const alnum = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789";
  const body: string[] = [];
  for (let i = 0; i < n; i++) {
    let code = "";
    for (let k = 0; k < 12; k++) code += alnum[r2[i * 12 + k]! % alnum.length];
    body.push(`VIP${String(100000 + i)},${code.slice(0, 4)}-${code.slice(4, 8)}-${code.slice(8)}`);
  }
  const ascii = new TextEncoder().encode(body.join("\r\n") + "\r\n");
  const bytes = new Uint8Array(GBK_HEADER.length + ascii.length);
  bytes.set(GBK_HEADER, 0);
  bytes.set(ascii, GBK_HEADER.length);
  writeFileSync(membership, bytes);
  return { game, telecom, membership };
}
