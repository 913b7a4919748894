import { sanitiseDisplayText } from "../../../lib/text/sanitiseDisplayText.js";

/**
 * A chain-sourced string (party name, batch label, URI) for the CLI's human output: bidi controls
 * and invisible characters removed, line breaks as spaces, capped at `maxLength` graphemes with an
 * ellipsis, and quoted; when characters were removed, the quote is followed by a note naming them
 * (so an operator sees that the text carried them). `--json` output keeps the raw value.
 *
 * @param value - untrusted text.
 * @param maxLength - longest shown text in graphemes (default 120).
 * @returns the quoted display text, with the note when characters were removed.
 * @example
 * showChainText("Shop\u202Egnp") // '"Shopgnp" (hidden characters removed: U+202E)'
 */
export function showChainText(value: unknown, maxLength = 120): string {
  const { text, removed } = sanitiseDisplayText(value, { maxLength });
  return `"${text}"${removed.length > 0 ? ` (hidden characters removed: ${removed.join(" ")})` : ""}`;
}
