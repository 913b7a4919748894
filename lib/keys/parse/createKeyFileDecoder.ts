import { formatLine } from "../errors.js";
import type { KeyFileReport } from "./types.js";

/** Streaming decoder of {@link createKeyFileDecoder}. */
export type KeyFileDecoder = {
  /**
   * Decodes the next chunk of bytes (an empty chunk with `last` ends the input).
   *
   * @param chunk - the bytes.
   * @param last - no more bytes follow: flush what is held back.
   * @param linesDone - lines the caller has completed so far (names the line where the encoding was detected).
   * @returns the text decoded so far; bytes that cannot be judged yet are held back.
   */
  decode(chunk: Uint8Array, last: boolean, linesDone: number): string;
  /** Set when the file cannot be read at all (UTF-16): the message of the refusal. */
  readonly fatal: string | undefined;
};

/** Encoding fields of the report, filled in by the decoder. */
type EncodingReport = Pick<KeyFileReport, "encoding" | "bom" | "encodingReason">;

function firstHighByte(bytes: Uint8Array): number {
  for (let i = 0; i < bytes.length; i++) if (bytes[i]! >= 0x80) return i;
  return -1;
}

/**
 * Creates the decoder of a key file's bytes. "auto" detects the encoding: a UTF-8 byte order mark,
 * else UTF-8 when the first non-ASCII bytes are valid UTF-8, else GB18030 (a superset of GBK) when
 * they are valid GB18030; UTF-16 is refused. Chunks may split characters anywhere. The encoding,
 * the BOM and the reason for the choice are written to `report` as they are learnt.
 *
 * @param requested - "auto", or the encoding to use ("gbk" is read as GB18030).
 * @param report - the parser's report (encoding, bom, encodingReason are set).
 * @returns the decoder.
 * @example
 * const d = createKeyFileDecoder("auto", report);
 * const text = d.decode(chunk, false, 0) + d.decode(new Uint8Array(0), true, 0);
 */
export function createKeyFileDecoder(
  requested: "auto" | "utf-8" | "gbk" | "gb18030",
  report: EncodingReport,
): KeyFileDecoder {
  let encoding: "undecided" | "utf-8" | "gb18030" = "undecided";
  if (requested === "utf-8") {
    encoding = "utf-8";
    report.encoding = "utf-8";
    report.encodingReason = "given (utf-8)";
  } else if (requested === "gbk" || requested === "gb18030") {
    encoding = "gb18030";
    report.encoding = "gb18030";
    report.encodingReason = `given (${requested}, read as GB18030)`;
  }
  let decoder: TextDecoder | undefined = encoding === "undecided" ? undefined : new TextDecoder(encoding);
  const asciiDecoder = new TextDecoder("utf-8");
  let firstBytes = true;
  let pendingHead: Uint8Array | undefined;
  let held: Uint8Array | undefined;
  let fatal: string | undefined;

  /** Called while undecided with bytes that start a fresh decode; returns when `encoding` is set or all ASCII. */
  const decide = (bytes: Uint8Array, linesDone: number) => {
    const firstHigh = firstHighByte(bytes);
    if (firstHigh < 0) return;
    let lineNo = linesDone + 1;
    for (let i = 0; i < firstHigh; i++) if (bytes[i] === 10) lineNo++;
    const tail = bytes.subarray(firstHigh);
    let utf8ok = true;
    try {
      new TextDecoder("utf-8", { fatal: true }).decode(tail, { stream: true });
    } catch {
      utf8ok = false;
    }
    if (utf8ok) {
      encoding = "utf-8";
      report.encodingReason = `detected: non-ASCII text from line ${formatLine(lineNo)} is valid UTF-8`;
    } else {
      let gbOk = true;
      try {
        new TextDecoder("gb18030", { fatal: true }).decode(tail, { stream: true });
      } catch {
        gbOk = false;
      }
      encoding = gbOk ? "gb18030" : "utf-8";
      report.encodingReason = gbOk
        ? `detected: bytes from line ${formatLine(lineNo)} are not valid UTF-8 and are valid GBK/GB18030`
        : `detected: bytes from line ${formatLine(lineNo)} are valid neither as UTF-8 nor as GB18030; ` +
          "read as UTF-8, undecodable lines refused";
    }
    report.encoding = encoding;
    decoder = new TextDecoder(encoding);
  };

  return {
    get fatal() {
      return fatal;
    },
    decode(chunk, last, linesDone) {
      let bytes = chunk;
      if (firstBytes) {
        if (pendingHead) {
          const joined = new Uint8Array(pendingHead.length + bytes.length);
          joined.set(pendingHead);
          joined.set(bytes, pendingHead.length);
          bytes = joined;
          pendingHead = undefined;
        }
        if (bytes.length < 3 && !last) {
          pendingHead = bytes.slice();
          return "";
        }
        firstBytes = false;
        if (bytes.length >= 3 && bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf) {
          report.bom = true;
          bytes = bytes.subarray(3);
          if (encoding === "undecided") {
            encoding = "utf-8";
            report.encoding = "utf-8";
            report.encodingReason = "detected: UTF-8 byte order mark";
            decoder = new TextDecoder("utf-8");
          }
        } else if (
          bytes.length >= 2 &&
          ((bytes[0] === 0xff && bytes[1] === 0xfe) || (bytes[0] === 0xfe && bytes[1] === 0xff))
        ) {
          fatal = "the file is UTF-16 (byte order mark FF FE / FE FF); save it as UTF-8 or GBK";
          return "";
        }
      }
      if (held) {
        const joined = new Uint8Array(held.length + bytes.length);
        joined.set(held);
        joined.set(bytes, held.length);
        bytes = joined;
        held = undefined;
      }
      if (encoding === "undecided" && !last) {
        // Too few non-ASCII bytes to tell UTF-8 from GBK (a GBK lead byte at the end of a chunk looks
        // like the start of a UTF-8 sequence): decode the ASCII before them and wait for more.
        const firstHigh = firstHighByte(bytes);
        if (firstHigh >= 0 && bytes.length - firstHigh < 64) {
          held = bytes.slice(firstHigh);
          return asciiDecoder.decode(bytes.subarray(0, firstHigh));
        }
      }
      if (encoding === "undecided") decide(bytes, linesDone);
      if (encoding === "undecided") {
        if (report.encodingReason === "") report.encodingReason = "all bytes so far are ASCII";
        return asciiDecoder.decode(bytes);
      }
      return decoder!.decode(bytes, { stream: !last });
    },
  };
}
