import { BaseError } from "../errors/BaseError.js";

/** A key cannot be normalised or encoded (empty, control characters, undecodable text). */
export class KeyFormatError extends BaseError {
  override name = "KeyFormatError";
}

/** One problem found in a key file, with its 1-based line number. */
export type KeyFileIssue = {
  line: number;
  /** Stable code: SCI_NOTATION, LENGTH, LEADING_ZEROS, ENCODING, EMPTY_PIN, COLUMNS, QUOTE, JSON, FORMAT, DUPLICATE. */
  code: string;
  message: string;
};

/** Formats a line number the way people read them: 1,204. */
export function formatLine(line: number): string {
  return line.toLocaleString("en-US");
}

/**
 * A key file was refused. The message names the file and the first problems by line; `issues`
 * holds them all (up to the parser's limit), `issueCount` how many there were in total.
 */
export class KeyFileError extends BaseError {
  override name = "KeyFileError";
  readonly issues: readonly KeyFileIssue[];
  readonly issueCount: number;
  readonly file: string;

  constructor(file: string, issues: readonly KeyFileIssue[], issueCount: number = issues.length) {
    const first = issues[0];
    const short = first
      ? `Invalid key file ${file} line ${formatLine(first.line)}: ${first.message}${issueCount > 1 ? ` (and ${issueCount - 1} more problem${issueCount > 2 ? "s" : ""})` : ""}`
      : `Invalid key file ${file}.`;
    const shown = issues.slice(1, 20).map((i) => `line ${formatLine(i.line)}: ${i.message}`);
    const details = shown.length
      ? [...shown, ...(issueCount > 20 ? [`… ${issueCount - 20} more`] : [])].join("\n")
      : undefined;
    super(short, { details });
    this.issues = issues;
    this.issueCount = issueCount;
    this.file = file;
  }
}
