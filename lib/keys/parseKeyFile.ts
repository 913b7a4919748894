import { createKeyFileParser } from "./createKeyFileParser.js";
import type { KeyFileParserOptions, KeyFileReport } from "./createKeyFileParser.js";
import type { KeyRecord } from "../schemas/keyRecord.js";

/** Result of {@link parseKeyFile}. */
export type ParseKeyFileReturnType = { keys: KeyRecord[]; report: KeyFileReport };

/**
 * Parses a whole key file (bytes or already-decoded text) with {@link createKeyFileParser}. For
 * large files feed chunks to the streaming parser instead; this is the same code.
 *
 * @param input The file's bytes (any encoding the parser detects) or its text.
 * @param options See `KeyFileParserOptions`.
 * @returns Normalised keys with line numbers, and what was inferred.
 * @throws {KeyFileError} naming the file and the lines refused.
 *
 * @example
 * const { keys, report } = parseKeyFile(bytes, { file: "keys.csv", pinLength: 18 });
 */
export function parseKeyFile(input: Uint8Array | string, options: KeyFileParserOptions = {}): ParseKeyFileReturnType {
  const parser = createKeyFileParser(options);
  const bytes = typeof input === "string" ? new TextEncoder().encode(input) : input;
  const keys = parser.push(bytes);
  const rest = parser.end();
  for (const k of rest) keys.push(k);
  return { keys, report: parser.report() };
}
