/**
 * Characters that change how text around them is displayed without being seen: bidirectional
 * controls (embeddings, overrides, isolates, marks: U+202A–U+202E, U+2066–U+2069, U+200E, U+200F,
 * U+061C), zero-width characters (U+200B–U+200D, U+2060–U+2064, U+FEFF, U+180E), the soft hyphen
 * (U+00AD), Hangul fillers (U+115F, U+1160, U+3164, U+FFA0), variation/tag characters
 * (U+FE00–U+FE0F, U+E0000–U+E007F: a flag's tag sequence shows as a plain flag), and C0/C1 controls
 * other than tab and newline. A zero-width joiner or U+FE0F inside an emoji sequence is kept.
 */
const INVISIBLE =
  /[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F-\u0084\u0086-\u009F\u00AD\u061C\u115F\u1160\u180E\u200B-\u200F\u202A-\u202E\u2060-\u2064\u2066-\u2069\u3164\uFE00-\uFE0F\uFEFF\uFFA0\u{E0000}-\u{E007F}]/gu;
/** An emoji: a zero-width joiner or variation selector 16 next to one belongs to the emoji and stays. */
const PICTOGRAPHIC = /\p{Extended_Pictographic}/u;
/** Line and paragraph separators (U+2028, U+2029), tabs and newlines: shown as one space. */
const BREAKS = /[\t\n\r\u0085\u2028\u2029]+/gu;

/** A high surrogate not followed by a low one, or a low one not preceded by a high one. */
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

/** Default longest displayed text, in grapheme clusters (the ellipsis included). */
export const DEFAULT_DISPLAY_MAX = 200;

/** Options of {@link sanitiseDisplayText}. */
export type SanitiseOptions = {
  /** Longest result in grapheme clusters, ellipsis included (default 200). */
  maxLength?: number;
  /** Replace each removed character by a visible `⟨U+202E⟩` mark instead of dropping it (for audit reports). */
  showRemoved?: boolean;
};

/** Result of {@link sanitiseDisplayText}. */
export type SanitisedText = {
  /** The text to display. */
  text: string;
  /** Code points removed (or made visible), as `U+XXXX`, in order of first appearance, without repeats. */
  removed: string[];
  /** Whether the text was cut to `maxLength`. */
  truncated: boolean;
};

/**
 * The grapheme segmenter, made on first use: building one loads the runtime's break-iterator data
 * (5–10 ms in a browser), which a page that imports this module must not pay before its first work.
 */
let segmenter: Intl.Segmenter | undefined;

const codePointName = (ch: string) => `U+${ch.codePointAt(0)!.toString(16).toUpperCase().padStart(4, "0")}`;

/**
 * The one sanitiser for every chain-sourced string KeyTrail shows (batch labels, party names,
 * profile and manifest URIs, memos decoded as text) in the portal, the CLI, the audit report and
 * printed labels. Anyone can write these strings on chain, so they may carry a right-to-left
 * override that reverses the text after it, zero-width characters that make two names look
 * equal, line separators that break layouts, or 10 KB of text. This removes (or shows) invisible
 * and bidi-control characters, turns line breaks into single spaces, NFC-normalises, and cuts the
 * result to `maxLength` grapheme clusters with an ellipsis. It never throws.
 *
 * @param input - untrusted text (anything: non-strings are shown as "").
 * @param options - see {@link SanitiseOptions}.
 * @returns the display text and what was changed.
 * @example
 * sanitiseDisplayText("Shop\u202Egnp.exe").text // "Shopgnp.exe"
 */
export function sanitiseDisplayText(input: unknown, options: SanitiseOptions = {}): SanitisedText {
  const max = Math.max(1, Math.floor(options.maxLength ?? DEFAULT_DISPLAY_MAX));
  const raw = typeof input === "string" ? input : "";
  const removed: string[] = [];
  const note = (ch: string, offset: number, whole: string) => {
    if (ch === "\u200D" || ch === "\uFE0F") {
      const prev = whole.slice(Math.max(0, offset - 2), offset);
      const next = whole.slice(offset + 1, offset + 3);
      if (PICTOGRAPHIC.test(prev) && (ch === "\uFE0F" || PICTOGRAPHIC.test(next))) return ch;
    }
    const name = codePointName(ch);
    if (!removed.includes(name)) removed.push(name);
    return options.showRemoved ? `⟨${name}⟩` : "";
  };
  // Lone surrogates cannot be displayed: replace them with U+FFFD first (as String#toWellFormed).
  const wellFormed = raw.replace(LONE_SURROGATE, "\uFFFD");
  const text = wellFormed.replace(INVISIBLE, note).replace(BREAKS, " ").normalize("NFC");
  let count = 0;
  let cut = -1;
  segmenter ??= new Intl.Segmenter(undefined, { granularity: "grapheme" });
  for (const { index } of segmenter.segment(text)) {
    if (count === max - 1) cut = index;
    count++;
    if (count > max) break;
  }
  if (count > max && cut >= 0) return { text: `${text.slice(0, cut)}…`, removed, truncated: true };
  return { text, removed, truncated: false };
}
