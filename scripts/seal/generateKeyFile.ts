import { randomBytes } from "node:crypto";
import { open } from "node:fs/promises";

/** Parameters of {@link generateKeyFile}. */
export type GenerateKeyFileParameters = {
  /** Where to write the CSV. */
  path: string;
  /** Rows of keys. */
  count: number;
  /** Header line (default `卡号,卡密`); `null` for none. */
  header?: string | null;
  /** Digits of the card number (default 16; 0 for no serial column). */
  serialDigits?: number;
  /** Characters of the PIN (default 16, from A-Z and 0-9). */
  pinLength?: number;
  /** Line ending (default "\n"). */
  eol?: "\n" | "\r\n";
};

const ALNUM = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";

/**
 * Writes a realistic key file for tests and benchmarks: unique sequential-looking card numbers and random
 * alphanumeric PINs (game point cards: 16 digits + 16 characters), as the market's CSV exports look.
 *
 * @param parameters - path, count and shape.
 * @returns the number of bytes written.
 * @example
 * await generateKeyFile({ path: "keys.csv", count: 1_000_000 });
 */
export async function generateKeyFile(parameters: GenerateKeyFileParameters): Promise<number> {
  const { path, count } = parameters;
  const serialDigits = parameters.serialDigits ?? 16;
  const pinLength = parameters.pinLength ?? 16;
  const eol = parameters.eol ?? "\n";
  const header = parameters.header === undefined ? (serialDigits > 0 ? "卡号,卡密" : "卡密") : parameters.header;
  const file = await open(path, "w");
  let written = 0;
  try {
    const base = 10 ** Math.max(0, serialDigits - 7);
    const prefix =
      serialDigits > 0 ? 10 ** (serialDigits - 1) + Number(randomBytes(4).readUInt32BE() % 1000) * base : 0;
    let text = header === null ? "" : header + eol;
    const rows = 65536;
    for (let start = 0; start < count; start += rows) {
      const n = Math.min(rows, count - start);
      const rnd = randomBytes(n * pinLength);
      const lines: string[] = [];
      for (let i = 0; i < n; i++) {
        let pin = "";
        for (let k = 0; k < pinLength; k++) pin += ALNUM[rnd[i * pinLength + k]! % 36];
        lines.push(serialDigits > 0 ? `${String(prefix + start + i).slice(0, serialDigits)},${pin}` : pin);
      }
      text += lines.join(eol) + eol;
      const buf = Buffer.from(text);
      await file.write(buf);
      written += buf.length;
      text = "";
    }
  } finally {
    await file.close();
  }
  return written;
}
