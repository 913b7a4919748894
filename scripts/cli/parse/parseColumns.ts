import { CliUsageError } from "../errors.js";

/** Column choice for the key file reader: 0-based index or header name; serial null = none. */
export type ColumnsOption = { serial?: number | string | null; pin: number | string };

/**
 * Parses `--columns serial=卡号,pin=卡密` (names or 0-based indices; `serial=none` for PIN-only files).
 *
 * @param text - the flag value.
 * @returns the column mapping.
 * @example
 * parseColumns("serial=卡号,pin=卡密") // { serial: "卡号", pin: "卡密" }
 */
export function parseColumns(text: string): ColumnsOption {
  const out: { serial?: number | string | null; pin?: number | string } = {};
  for (const part of text.split(",")) {
    const m = /^\s*(serial|pin)\s*=\s*(.+?)\s*$/.exec(part);
    if (!m)
      throw new CliUsageError(
        `--columns ${JSON.stringify(text)}: ${JSON.stringify(part)} is not serial=COLUMN or pin=COLUMN.`,
      );
    const v = m[2]!;
    const ref = /^\d+$/.test(v) ? Number(v) : v;
    if (m[1] === "serial") out.serial = v === "none" ? null : ref;
    else out.pin = ref;
  }
  if (out.pin === undefined)
    throw new CliUsageError(`--columns ${JSON.stringify(text)} names no pin column (pin=COLUMN).`);
  return { ...(out.serial !== undefined ? { serial: out.serial } : {}), pin: out.pin };
}
