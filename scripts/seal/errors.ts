import { BaseError } from "../../lib/errors/BaseError.js";

/** A seal could not run: bad parameters, an output folder that holds a complete seal, a worker that failed. */
export class SealError extends BaseError {
  override name = "SealError";
}

/** How long 2^bits keccak guesses take at 10^9 per second (one GPU), in words. */
function describeSearch(bits: number): string {
  const seconds = 2 ** bits / 1e9;
  const units: [number, string][] = [
    [365.25 * 86400, "years"],
    [86400, "days"],
    [3600, "hours"],
    [60, "minutes"],
    [1, "seconds"],
  ];
  for (const [size, name] of units)
    if (seconds >= size) return `about ${Math.round(seconds / size).toLocaleString("en-US")} ${name} on one GPU`;
  return "under a second on one GPU";
}

/** Keys under 64 bits of estimated entropy were refused (`allowWeakKeys` / `--allow-weak-keys` seals them anyway). */
export class WeakKeysError extends SealError {
  override name = "WeakKeysError";
  /** The key file. */
  readonly file: string;
  /** The weakest shape's estimated bits. */
  readonly bits: number;
  /** The weakest shape, e.g. `[0-9]{8}`. */
  readonly shape: string;

  constructor(parameters: { file: string; bits: number; shape: string; length: number; count: number; total: number }) {
    const { file, bits, shape, length, count, total } = parameters;
    const b = Math.floor(bits);
    const tries = describeSearch(bits);
    super(
      `Key file ${file} holds weak keys: ${count.toLocaleString("en-US")} of ${total.toLocaleString("en-US")} keys ` +
        `have the shape ${shape} (${length} characters), about ${b} bits, under the 64 bits a sealed key needs.`,
      {
        details:
          `Anyone who holds one of these keys' private QR codes (salt + commitment) can find the key offline by trying ` +
          `2^${b} values (${tries}), then redeem it before the buyer. Use longer or random keys; or print only the ` +
          `public form (batch labels --form public, no salt) where codes are visible before purchase and keep the ` +
          `private link hidden until sale; then pass --allow-weak-keys to seal them anyway.`,
      },
    );
    this.file = file;
    this.bits = bits;
    this.shape = shape;
  }
}
