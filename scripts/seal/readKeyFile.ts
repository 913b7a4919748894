import { isAscii } from "node:buffer";
import { createHash } from "node:crypto";
import { readFile } from "node:fs/promises";
import { basename } from "node:path";
import { assessBatchEntropy } from "../../lib/keys/assessBatchEntropy.js";
import type { PinSummary } from "../../lib/keys/assessBatchEntropy.js";
import { createKeyFileParser } from "../../lib/keys/createKeyFileParser.js";
import type { KeyFileParserOptions } from "../../lib/keys/createKeyFileParser.js";
import { encodeKeyBytes } from "../../lib/keys/encodeKeyBytes.js";
import { pinClasses } from "../../lib/keys/estimateEntropy.js";
import { createKeyShapeTracker } from "../../lib/keys/createKeyShapeTracker.js";
import type { KeyShapeEstimate } from "../../lib/keys/createKeyShapeTracker.js";
import type { KeyRecord } from "../../lib/schemas/keyRecord.js";
import type { KeyFileInfo, PackedKeys, ReadKeyFileOptions } from "./types.js";

/** Callbacks that let a caller start hashing while the file is still being read. */
export type ReadKeyFileHooks = {
  /** Keys are announced in multiples of this many (a power of two). */
  every: number;
  /** The shared buffers keys are written to, and an upper bound of the key count. */
  onBuffers(buffers: { data: Uint8Array; offsets: Uint32Array; upperBound: number }): void;
  /** Keys [0, ready) are final in the buffers (ready is a multiple of `every`, or the total at the end). */
  onKeys(ready: number): void;
  /** The fast reader gave up (a refused row or duplicate); earlier buffers and announcements are void. */
  onRestart(): Promise<void>;
};

/** Bytes fed to the general parser per push. */
const CHUNK = 16 * 1024;

function shared(bytes: number): ArrayBuffer {
  return new SharedArrayBuffer(Math.max(bytes, 8)) as unknown as ArrayBuffer;
}

/** lib/keys' rule for numbers a spreadsheet wrote in scientific notation (1.23457E+16), on bytes. */
function isSciNotation(b: Uint8Array, a: number, e: number): boolean {
  let i = a;
  while (i < e && b[i]! >= 48 && b[i]! <= 57) i++;
  if (i === a) return false;
  if (i < e && (b[i] === 46 || b[i] === 44)) {
    i++;
    while (i < e && b[i]! >= 48 && b[i]! <= 57) i++;
  }
  if (i >= e || (b[i] !== 69 && b[i] !== 101)) return false;
  i++;
  if (i >= e || (b[i] !== 43 && b[i] !== 45)) return false;
  i++;
  const s = i;
  while (i < e && b[i]! >= 48 && b[i]! <= 57) i++;
  return i === e && i > s;
}

function fnv(b: Uint8Array, a: number, e: number): number {
  let h = 0x811c9dc5;
  for (let i = a; i < e; i++) h = Math.imul(h ^ b[i]!, 0x01000193);
  // murmur3's finaliser: FNV's low bits cluster on keys that differ only at the end (sequential card numbers)
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  return (h ^ (h >>> 16)) >>> 0;
}

/** Sorted copy of 32-bit values: LSD radix sort, two passes of 16 bits (about 3x faster than TypedArray sort). */
function radixSort(values: Uint32Array): Uint32Array {
  const n = values.length;
  let from: Uint32Array = values;
  let to: Uint32Array = new Uint32Array(n);
  const counts = new Uint32Array(65536);
  for (let shift = 0; shift < 32; shift += 16) {
    counts.fill(0);
    for (let i = 0; i < n; i++) counts[(from[i]! >>> shift) & 0xffff]!++;
    let sum = 0;
    for (let b = 0; b < 65536; b++) {
      const c = counts[b]!;
      counts[b] = sum;
      sum += c;
    }
    for (let i = 0; i < n; i++) {
      const v = from[i]!;
      to[counts[(v >>> shift) & 0xffff]!++] = v;
    }
    const t = from === values ? new Uint32Array(n) : from;
    from = to;
    to = t;
  }
  return from;
}

/**
 * Whether any two of the byte strings [start[i], end[i]) of `data` are equal. Sort-based, which is much faster
 * than a hash table over a million keys (no random memory access per key): the 32-bit hashes are sorted natively,
 * and only strings whose hash occurs twice (a few hundred per million) are compared byte by byte.
 */
function hasDuplicate(data: Uint8Array, start: Uint32Array, end: Uint32Array, n: number): boolean {
  if (n < 2) return false;
  const hashes = new Uint32Array(n);
  for (let i = 0; i < n; i++) hashes[i] = fnv(data, start[i]!, end[i]!);
  const sorted = radixSort(hashes);
  const repeated = new Set<number>();
  for (let k = 1; k < n; k++) if (sorted[k] === sorted[k - 1]) repeated.add(sorted[k]!);
  if (repeated.size === 0) return false;
  const groups = new Map<number, number[]>();
  for (let i = 0; i < n; i++) {
    const h = hashes[i]!;
    if (!repeated.has(h)) continue;
    const group = groups.get(h);
    if (!group) {
      groups.set(h, [i]);
      continue;
    }
    const len = end[i]! - start[i]!;
    for (const j of group) {
      if (end[j]! - start[j]! !== len) continue;
      let same = true;
      for (let x = 0; x < len; x++) {
        if (data[start[i]! + x] !== data[start[j]! + x]) {
          same = false;
          break;
        }
      }
      if (same) return true;
    }
    group.push(i);
  }
  return false;
}

/**
 * The byte reader for plain files: ASCII CSV/TSV without quotes, every row clean (no refusals). Returns
 * undefined as soon as anything needs lib/keys' general parser (a refused row, a duplicate, quotes, JSONL,
 * non-ASCII text), which then reads the file with the exact rules and messages. Its output equals the general
 * parser's on the files it accepts (test/seal/readKeyFile.test.ts checks that).
 */
function readFast(
  body: Uint8Array,
  probe: NonNullable<ReturnType<typeof probeColumns>>,
  options: ReadKeyFileOptions,
  hooks: ReadKeyFileHooks | undefined,
): (Omit<PackedKeys, "info"> & { pins: PinSummary; shapes: KeyShapeEstimate }) | undefined {
  const delim = probe.format === "tsv" ? 9 : 44;
  const pinCol = probe.pin;
  const serialCol = probe.serial;
  const upper = options.caseInsensitive === true;
  let lines = 1;
  for (let i = body.indexOf(10); i >= 0; i = body.indexOf(10, i + 1)) lines++;
  const data = new Uint8Array(shared(body.length + 1));
  const offsets = new Uint32Array(shared(4 * (lines + 1)));
  hooks?.onBuffers({ data, offsets, upperBound: lines });
  const every = hooks?.every ?? 2 ** 52;
  // where each key's PIN and serial sit in data, for the duplicate check after the loop
  const pinStart = new Uint32Array(lines);
  const pinEnd = new Uint32Array(lines);
  const serialStart = new Uint32Array(lines);
  const serialEnd = new Uint32Array(lines);
  let serials = 0;
  const seen = new Uint8Array(128);
  const pins: PinSummary = { count: 0, minLength: Infinity, maxLength: 0, classes: 0, distinct: 0 };
  const shapeTracker = createKeyShapeTracker({ caseInsensitive: upper });
  const maxCol = Math.max(pinCol, serialCol ?? -1);
  const sCol = serialCol ?? -1;
  let count = 0;
  let o = 0;
  let pos = probe.skip;
  const n = body.length;

  /** Trims, checks and normalises cell [a, e) into data at `at`; returns its length, or -1 to leave the fast path. */
  const put = (a: number, e: number, at: number): number => {
    while (a < e && body[a]! <= 32) a++;
    while (e > a && body[e - 1]! <= 32) e--;
    let len = 0;
    let letterE = false;
    for (let k = a; k < e; k++) {
      let c = body[k]!;
      if (c === 32 || (c >= 9 && c <= 13) || c === 45 || c === 95) continue;
      if (c < 32 || c === 127) return -1;
      if (c === 69 || c === 101) letterE = true;
      if (upper && c >= 97 && c <= 122) c -= 32;
      data[at + len++] = c;
    }
    if (letterE && isSciNotation(body, a, e)) return -1;
    return len;
  };

  while (pos < n) {
    let nl = body.indexOf(10, pos);
    if (nl < 0) nl = n;
    let end = nl;
    if (end > pos && body[end - 1] === 13) end--;
    let blank = true;
    for (let i = pos; i < end; i++) {
      const c = body[i]!;
      if (c !== 32 && c !== 9) {
        blank = false;
        break;
      }
    }
    if (!blank) {
      let cell = 0;
      let cs = pos;
      let sA = -1;
      let sE = -1;
      let pA = -1;
      let pE = -1;
      for (let i = pos; ; i++) {
        if (i === end || body[i] === delim) {
          if (cell === pinCol) {
            pA = cs;
            pE = i;
          } else if (cell === sCol) {
            sA = cs;
            sE = i;
          }
          cell++;
          cs = i + 1;
          if (i === end || cell > maxCol) break;
        }
      }
      if (cell <= maxCol) return undefined;
      offsets[count] = o;
      let serialLen = 0;
      if (sA >= 0) {
        serialLen = put(sA, sE, o);
        if (serialLen < 0) return undefined;
        if (serialLen > 0) {
          if (options.serialLength !== undefined && serialLen !== options.serialLength) return undefined;
          serialStart[serials] = o;
          serialEnd[serials++] = o + serialLen;
          o += serialLen;
          data[o++] = 0x1f;
        }
      }
      const pinLen = put(pA, pE, o);
      if (pinLen <= 0) return undefined;
      if (options.pinLength !== undefined && pinLen !== options.pinLength) return undefined;
      pinStart[count] = o;
      pinEnd[count] = o + pinLen;
      shapeTracker.addBytes(data, o, o + pinLen);
      for (let k = o; k < o + pinLen; k++) {
        const c = data[k]!;
        if (seen[c] === 0) {
          seen[c] = 1;
          pins.distinct++;
        }
      }
      o += pinLen;
      if (pinLen < pins.minLength) pins.minLength = pinLen;
      if (pinLen > pins.maxLength) pins.maxLength = pinLen;
      count++;
      if (count % every === 0) {
        offsets[count] = o;
        hooks!.onKeys(count);
      }
    }
    pos = nl + 1;
  }
  pins.count = count;
  // duplicates (the same PIN, or the same serial, twice) go to lib/keys' parser, which names both lines
  if (hasDuplicate(data, pinStart, pinEnd, count) || hasDuplicate(data, serialStart, serialEnd, serials))
    return undefined;
  offsets[count] = o;
  let chars = "";
  for (let c = 0; c < 128; c++) if (seen[c]) chars += String.fromCharCode(c);
  pins.classes = pinClasses(chars);
  if (pins.count === 0) pins.minLength = 0;
  return {
    count,
    data: data.subarray(0, Math.max(o, 1)),
    offsets: offsets.subarray(0, count + 1),
    pins,
    shapes: shapeTracker.result(),
  };
}

/** Runs lib/keys' parser on the first non-blank line to learn the format, header and columns. */
function probeColumns(body: Uint8Array, options: KeyFileParserOptions) {
  let pos = 0;
  for (;;) {
    let nl = body.indexOf(10, pos);
    if (nl < 0) nl = body.length;
    let blank = true;
    for (let i = pos; i < nl && blank; i++) if (body[i] !== 32 && body[i] !== 9 && body[i] !== 13) blank = false;
    if (!blank || nl >= body.length) {
      const p = createKeyFileParser({ ...options, duplicates: "off" });
      try {
        p.push(body.subarray(0, Math.min(nl + 1, body.length)));
        p.end();
      } catch {
        // a refused first row is reported by the general parser; only the inferred layout matters here
      }
      const r = p.report();
      if (
        r.columnsReason === "" ||
        r.format === "jsonl" ||
        typeof r.columns.pin !== "number" ||
        typeof r.columns.serial === "string"
      )
        return undefined;
      return {
        format: r.format,
        encoding: r.encoding as string,
        header: r.header,
        pin: r.columns.pin,
        serial: r.columns.serial as number | null,
        columnsReason: r.columnsReason,
        skip: r.header === null ? pos : Math.min(nl + 1, body.length),
      };
    }
    pos = nl + 1;
  }
}

/** Runs lib/keys' streaming parser over the file's bytes (already read: the bytes hashed are the bytes parsed). */
function readGeneral(
  raw: Uint8Array,
  options: KeyFileParserOptions,
): { packed: Omit<PackedKeys, "info">; info: Omit<KeyFileInfo, "file" | "reader" | "sha256"> } {
  const parser = createKeyFileParser(options);
  const records: KeyRecord[] = [];
  for (let i = 0; i < raw.length; i += CHUNK)
    for (const r of parser.push(raw.subarray(i, Math.min(i + CHUNK, raw.length)))) records.push(r);
  for (const r of parser.end()) records.push(r);
  const encoded = records.map((r) => encodeKeyBytes(r));
  const total = encoded.reduce((a, b) => a + b.length, 0);
  const data = new Uint8Array(shared(total));
  const offsets = new Uint32Array(shared(4 * (records.length + 1)));
  let o = 0;
  encoded.forEach((e, i) => {
    offsets[i] = o;
    data.set(e, o);
    o += e.length;
  });
  offsets[records.length] = o;
  const r = parser.report();
  const shapeTracker = createKeyShapeTracker({ caseInsensitive: options.caseInsensitive === true });
  for (const rec of records) shapeTracker.add(rec.pin);
  return {
    packed: { count: records.length, data, offsets },
    info: {
      format: r.format,
      encoding: r.encoding,
      header: r.header,
      columns: r.columns,
      columnsReason: r.columnsReason,
      entropy: r.entropy!,
      shapes: shapeTracker.result(),
      warnings: r.warnings,
    },
  };
}

/**
 * Reads a supplier key file into packed key bytes for sealing. Plain ASCII CSV/TSV files whose rows are all
 * clean take a byte-level fast path; everything else (GBK, quotes, JSONL, any refused row or duplicate) goes
 * through lib/keys' streaming parser, whose rules and messages are the reference for both: damaged rows are
 * refused by file and line, duplicates with both line numbers (`KeyFileError`).
 *
 * @param path - the key file.
 * @param options - columns, encoding, case rule, declared lengths (see lib/keys `KeyFileParserOptions`).
 * @param hooks - optional: learn the shared buffers and the keys ready so far, to hash while reading.
 * @returns the keys (normalised, `encodeKeyBytes` form) and what was inferred.
 * @throws {KeyFileError} listing refused lines.
 * @example
 * const keys = await readKeyFile("keys.csv", { caseInsensitive: true });
 */
export async function readKeyFile(
  path: string,
  options: ReadKeyFileOptions = {},
  hooks?: ReadKeyFileHooks,
): Promise<PackedKeys> {
  const file = options.file ?? basename(path);
  const parserOptions: KeyFileParserOptions = { ...options, file, duplicates: "pin+serial" };
  const file0 = await readFile(path);
  // a plain Uint8Array view: element access on one map keeps the byte loops monomorphic
  const raw = new Uint8Array(file0.buffer, file0.byteOffset, file0.byteLength);
  const sha256 = `0x${createHash("sha256").update(raw).digest("hex")}` as const;
  const bom = raw.length >= 3 && raw[0] === 0xef && raw[1] === 0xbb && raw[2] === 0xbf;
  const body = bom ? raw.subarray(3) : raw;
  // The fast path needs plain ASCII rows without quotes; the header line may be in any encoding (卡号,卡密).
  const plain = options.format !== "jsonl" && body.indexOf(34) < 0;
  const probe = plain ? probeColumns(body, parserOptions) : undefined;
  const fast = probe && isAscii(body.subarray(probe.skip)) ? readFast(body, probe, options, hooks) : undefined;
  if (probe && fast) {
    hooks?.onKeys(fast.count);
    const { pins, shapes, ...packed } = fast;
    const entropy = assessBatchEntropy(pins, { caseInsensitive: options.caseInsensitive === true });
    return {
      ...packed,
      info: {
        file,
        reader: "fast",
        sha256,
        format: probe.format,
        encoding: probe.encoding,
        header: probe.header,
        columns: { serial: probe.serial, pin: probe.pin },
        columnsReason: probe.columnsReason,
        entropy,
        shapes,
        warnings: [],
      },
    };
  }
  if (probe && hooks) await hooks.onRestart();
  const general = readGeneral(raw, parserOptions);
  if (hooks) {
    hooks.onBuffers({ data: general.packed.data, offsets: general.packed.offsets, upperBound: general.packed.count });
    hooks.onKeys(general.packed.count);
  }
  return { ...general.packed, info: { file, reader: "general", sha256, ...general.info } };
}
