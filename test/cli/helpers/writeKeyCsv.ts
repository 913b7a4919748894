import { writeFileSync } from "node:fs";

/**
 * Writes a key file like a supplier's export: header 卡号,卡密, 16-digit card numbers, 16-character
 * PINs from A-Z and 0-9 (deterministic from the seed, all distinct).
 *
 * @param path - the CSV to write.
 * @param count - number of keys.
 * @param seed - varies the keys between files.
 * @returns the keys, in file order.
 * @example
 * const keys = writeKeyCsv("keys.csv", 3000, 1);
 */
export function writeKeyCsv(path: string, count: number, seed: number): { serial: string; pin: string }[] {
  const alphabet = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789";
  let x = (seed * 2654435761) >>> 0 || 1;
  const next = () => {
    x ^= x << 13;
    x >>>= 0;
    x ^= x >>> 17;
    x ^= x << 5;
    x >>>= 0;
    return x;
  };
  const keys: { serial: string; pin: string }[] = [];
  const lines = ["卡号,卡密"];
  for (let i = 0; i < count; i++) {
    const serial = String(6200000000000000 + seed * 10_000_000 + i);
    let pin = "";
    for (let j = 0; j < 16; j++) pin += alphabet[next() % alphabet.length];
    keys.push({ serial, pin });
    lines.push(`${serial},${pin}`);
  }
  writeFileSync(path, lines.join("\r\n") + "\r\n");
  return keys;
}
