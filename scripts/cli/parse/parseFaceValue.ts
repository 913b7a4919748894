import { CliUsageError } from "../errors.js";

/** ISO 4217 currencies whose minor unit is not 1/100. */
const EXPONENTS: Record<string, number> = {
  JPY: 0,
  KRW: 0,
  VND: 0,
  CLP: 0,
  ISK: 0,
  KWD: 3,
  BHD: 3,
  JOD: 3,
  OMR: 3,
  TND: 3,
};

/**
 * Parses a face value in the currency's major unit ("50", "49.90") into minor units (fen, cents),
 * using the currency's ISO 4217 exponent (2 unless listed otherwise).
 *
 * @param text - the value.
 * @param currency - ISO 4217 code.
 * @returns minor units.
 * @example
 * parseFaceValue("50", "CNY") // 5000n
 */
export function parseFaceValue(text: string, currency: string): bigint {
  const exp = EXPONENTS[currency] ?? 2;
  const m = /^\s*(\d+)(?:\.(\d+))?\s*$/.exec(text);
  if (!m)
    throw new CliUsageError(
      `--face ${JSON.stringify(text)} is not an amount: expected e.g. 50 or 49.90 (in ${currency}).`,
    );
  const frac = m[2] ?? "";
  if (frac.length > exp)
    throw new CliUsageError(`--face ${JSON.stringify(text)} has more decimals than ${currency} allows (${exp}).`);
  return BigInt(m[1]!) * 10n ** BigInt(exp) + BigInt((frac + "0".repeat(exp)).slice(0, exp) || "0");
}
