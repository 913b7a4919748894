import { sanitiseDisplayText } from "../../../lib/text/sanitiseDisplayText.ts";

/** Longest URI shown on a page, in grapheme clusters (an http(s) link keeps the full value as its target). */
export const URI_DISPLAY_MAX = 80;

/** Longest label, name or other chain-sourced text shown on a page, in grapheme clusters. */
export const TEXT_DISPLAY_MAX = 120;

/**
 * A chain-sourced string (batch label, party name, memo, currency) as it may be displayed: bidi
 * controls and invisible characters removed, line breaks as spaces, cut to `max` graphemes with an
 * ellipsis (see `lib/text/sanitiseDisplayText.ts`). Still text: the pages never turn it into markup.
 *
 * @param value - untrusted text (anything else shows as "").
 * @param max - longest result in graphemes.
 * @returns the display text.
 * @example
 * displayText("Shop\u202Egnp.exe") // "Shopgnp.exe"
 */
export function displayText(value: unknown, max = TEXT_DISPLAY_MAX): string {
  return sanitiseDisplayText(value, { maxLength: max }).text;
}

/** How a chain-sourced URI is shown: capped text, and a link (whose target is the full value) only for http(s). */
export type DisplayUri = {
  /** Text to show, at most {@link URI_DISPLAY_MAX} graphemes. */
  text: string;
  /** Whether `text` was cut. */
  truncated: boolean;
  /** The raw URI as a link target when it is an absolute http(s) URL, else undefined (no link). */
  href: string | undefined;
};

/**
 * A chain-sourced URI (profile or manifest URI) for display: the shown text is sanitised and capped
 * at {@link URI_DISPLAY_MAX} graphemes; the link target is the raw URL, encoded by the URL parser,
 * and only when it is http(s) without invisible characters — any other scheme (javascript:, data:,
 * ipfs:) is shown as text only. The full value is thus available (as the link) only for a link.
 *
 * @param uri - untrusted URI.
 * @param max - longest shown text in graphemes.
 * @returns see {@link DisplayUri}.
 * @example
 * displayUri("javascript:alert(1)").href // undefined
 */
export function displayUri(uri: unknown, max = URI_DISPLAY_MAX): DisplayUri {
  const whole = sanitiseDisplayText(uri, { maxLength: 1_000_000 });
  const shown = sanitiseDisplayText(whole.text, { maxLength: max });
  let href: string | undefined;
  if (typeof uri === "string" && whole.removed.length === 0 && whole.text === uri && /^https?:\/\//i.test(uri)) {
    try {
      const u = new URL(uri);
      if (u.protocol === "http:" || u.protocol === "https:") href = u.href;
    } catch {
      href = undefined;
    }
  }
  return { text: shown.text, truncated: shown.truncated, href };
}
