import type { KeyFileIssue } from "../errors.js";
import type { DuplicateMode } from "../createDuplicateTracker.js";
import type { BatchEntropy } from "../assessBatchEntropy.js";
import type { KeyRecord } from "../../schemas/keyRecord.js";

/** A column: 0-based index, or a header name. */
export type ColumnRef = number | string;

/** Options of `createKeyFileParser` and `parseKeyFile`. */
export type KeyFileParserOptions = {
  /** Name used in messages (default "keys"). */
  file?: string;
  /** "auto" (default): BOM, else UTF-8 if valid, else GB18030. "gbk" is read as GB18030 (a superset). */
  encoding?: "auto" | "utf-8" | "gbk" | "gb18030";
  /** "auto" (default): a first line starting with `{` is JSONL, one with a tab TSV, else CSV. */
  format?: "auto" | "csv" | "tsv" | "jsonl";
  /** "auto" (default): the first line is a header when a cell is a known column name. */
  header?: "auto" | boolean;
  /** Which columns hold the serial (卡号; `null` = none) and the PIN (卡密). Default: inferred. */
  columns?: { serial?: ColumnRef | null; pin: ColumnRef };
  /** Upper-case ASCII letters (the batch's codes ignore case); see `normaliseKey`. */
  caseInsensitive?: boolean;
  /**
   * Declared length of every serial / PIN after normalisation: other lengths are refused (leading zeros
   * stripped…).
   */
  serialLength?: number;
  pinLength?: number;
  /** Duplicate check (default "pin+serial"; "off" for none, e.g. when the caller checks). */
  duplicates?: DuplicateMode | "off";
  /** Issues kept in the report (default 1,000; all are counted). */
  maxIssues?: number;
};

/** What the parser found and inferred; print it so a person can check the guesses. */
export type KeyFileReport = {
  file: string;
  encoding: "utf-8" | "gb18030" | "ascii";
  bom: boolean;
  encodingReason: string;
  format: "csv" | "tsv" | "jsonl";
  formatReason: string;
  /** Header cells as read, or null when the file has none. */
  header: string[] | null;
  columns: { serial: ColumnRef | null; pin: ColumnRef };
  columnsReason: string;
  lineEndings: { lf: number; crlf: number };
  /** Lines read (including header and blank lines). */
  lines: number;
  blankLines: number;
  /** Keys returned. */
  keys: number;
  /** Problems by line (at most `maxIssues` kept), and how many there were. */
  issues: KeyFileIssue[];
  issueCount: number;
  /** Things worth a look that do not refuse the file (suspected stripped zeros without a declared length…). */
  warnings: string[];
  /** Length histograms of normalised fields. */
  lengths: { serial: Record<number, number>; pin: Record<number, number> };
  /** Entropy of the weakest PIN (set by `end`). */
  entropy: BatchEntropy | undefined;
};

/** A streaming key-file parser (see `createKeyFileParser`). */
export type KeyFileParser = {
  /** Feeds the next chunk of bytes; returns the keys completed by it. */
  push(chunk: Uint8Array): KeyRecord[];
  /** Ends the input; returns the last keys. Throws a `KeyFileError` when any line was refused. */
  end(): KeyRecord[];
  /** The report so far (complete after `end`). */
  report(): KeyFileReport;
};
