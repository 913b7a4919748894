import type { Hex } from "viem";
import type { KeccakKernel } from "../../lib/hash/types.js";
import { readHex32 } from "../../lib/merkle/internal/hex.js";
import { encodePayload } from "../../lib/payload/encodePayload.js";
import { payloadUrl } from "../../lib/payload/payloadUrl.js";
import { digitalLinkSerial } from "../../lib/payload/digitalLinkSerial.js";
import { encodeDigitalLinkSegment } from "../../lib/payload/digitalLinkUrl.js";
import type { PayloadFields } from "../../lib/schemas/payload.js";

/** Everything a seal thread needs; buffers are shared between threads (SharedArrayBuffer). */
export type SealContext = {
  /** Keys per chunk, a power of two; every chunk but the last starts at a multiple of it and holds that many keys. */
  chunkSize: number;
  secret: Uint8Array;
  batchId: Uint8Array;
  keyData: Uint8Array;
  keyOffsets: Uint32Array;
  salts: Uint8Array;
  commitments: Uint8Array;
  /** Tree layers 0 … min(log2(chunkSize), depth), each sized for (at least) the whole batch. */
  layers: Uint8Array[];
  /**
   * Short-form payload fields shared by every key (index and salt are added per key, and for GS1 Digital Links the
   * GS1 serial `digitalLinkSerial(batchId, index)`); `links` picks the link form; undefined: no urls.
   */
  urls:
    { portalBase: string; fields: Omit<PayloadFields, "index" | "salt">; links?: "digital-link" | "plain" } | undefined;
};

/** A message to a worker: a new context (buffers shared, secret copied), or a range of keys to seal. */
export type SealWorkerRequest =
  { type: "init"; ctx: SealContext } | { type: "task"; id: number; start: number; end: number };

/** A message from a worker. */
export type SealWorkerMessage =
  | { type: "ready" }
  | { type: "done"; id: number; urls: Uint8Array | undefined }
  | { type: "error"; id: number; message: string; stack?: string | undefined };

const encoder = new TextEncoder();
const utf8 = new TextDecoder();

/** Appends a urls.csv line for key `i` to `out` at `o`; returns the new end (the caller guarantees room). */
function writeLine(
  out: Uint8Array,
  o: number,
  i: number,
  data: Uint8Array,
  a: number,
  e: number,
  prefix: Uint8Array,
  payload: string,
): number {
  const digits = String(i);
  for (let k = 0; k < digits.length; k++) out[o++] = digits.charCodeAt(k);
  out[o++] = 44;
  let sep = -1;
  let quote = false;
  for (let k = a; k < e; k++) {
    const c = data[k]!;
    if (c === 0x1f) {
      sep = k;
      break;
    }
    if (c === 34 || c === 44) quote = true;
  }
  if (sep > a) {
    if (quote) {
      // a serial with a comma or quote: CSV-quoted, quotes doubled
      const bytes = encoder.encode(`"${utf8.decode(data.slice(a, sep)).replace(/"/g, '""')}"`);
      out.set(bytes, o);
      o += bytes.length;
    } else {
      for (let k = a; k < sep; k++) out[o++] = data[k]!;
    }
  }
  out[o++] = 44;
  out.set(prefix, o);
  o += prefix.length;
  for (let k = 0; k < payload.length; k++) out[o++] = payload.charCodeAt(k);
  out[o++] = 10;
  return o;
}

/**
 * Seals one chunk of keys in the calling thread: salts, commitments, leaves and the chunk's subtree layers, written
 * into the shared buffers, and the chunk's urls.csv lines.
 *
 * @param kernel - this thread's keccak kernel.
 * @param ctx - the shared seal context.
 * @param a - first key, a multiple of `ctx.chunkSize`.
 * @param b - end of the chunk: `a + ctx.chunkSize`, or the batch's key count for the last chunk.
 * @returns the chunk's urls.csv lines as UTF-8, or undefined when urls are off.
 * @example
 * const lines = hashChunk(kernel, ctx, 0, 16384);
 */
export function hashChunk(kernel: KeccakKernel, ctx: SealContext, a: number, b: number): Uint8Array | undefined {
  const n = b - a;
  const salts = ctx.salts.subarray(a * 32, b * 32);
  const commitments = ctx.commitments.subarray(a * 32, b * 32);
  kernel.deriveSalts(ctx.secret, ctx.batchId, a, n, salts);
  kernel.commitments(salts, ctx.keyData, ctx.keyOffsets.subarray(a, b + 1), n, commitments);
  kernel.leaves(ctx.batchId, a, commitments, n, ctx.layers[0]!.subarray(a * 32, b * 32));
  for (let h = 1; h < ctx.layers.length; h++) {
    const from = a / 2 ** (h - 1);
    const to = Math.ceil(b / 2 ** (h - 1));
    const below = ctx.layers[h - 1]!.subarray(from * 32, to * 32);
    kernel.hashPairs(below, to - from, ctx.layers[h]!.subarray((from / 2) * 32, Math.ceil(to / 2) * 32));
  }
  if (!ctx.urls) return undefined;
  const { portalBase, fields } = ctx.urls;
  let out = new Uint8Array(n * 256);
  let o = 0;
  const payload = { ...fields, index: 0, salt: "0x" as Hex } as PayloadFields;
  const dl = ctx.urls.links === "digital-link" ? fields.gs1 : undefined;
  if (ctx.urls.links === "digital-link" && dl === undefined) throw new Error("a Digital Link needs the batch's GTIN");
  const batchIdHex = readHex32(ctx.batchId, 0);
  // a plain URL is payloadUrl(portalBase, payload) = the same prefix + the payload: write the prefix as bytes;
  // a Digital Link is the portal base, the path with the key's GS1 serial (ASCII, no escapes needed), "#" and the payload
  const prefixText = dl ? "" : payloadUrl(portalBase, "");
  if (!dl && payloadUrl(portalBase, "x") !== `${prefixText}x`) throw new Error("payloadUrl is not prefix + payload");
  const dlPrefix = dl
    ? `${portalBase.replace(/\/+$/, "")}/01/${dl.gtin}${dl.lot ? `/10/${encodeDigitalLinkSegment(dl.lot)}` : ""}/21/`
    : "";
  const prefix = encoder.encode(prefixText);
  for (let i = a; i < b; i++) {
    payload.index = i;
    payload.salt = readHex32(ctx.salts, i * 32);
    let text: string;
    if (dl) {
      const serial = digitalLinkSerial(batchIdHex, i);
      payload.gs1 = { ...dl, serial };
      text = `${dlPrefix}${serial}#${encodePayload(payload)}`;
    } else text = encodePayload(payload);
    // payloads are ASCII (base64url); a serial takes at most 3 bytes per key byte once quoted
    const room = 24 + 3 * (ctx.keyOffsets[i + 1]! - ctx.keyOffsets[i]!) + prefix.length + text.length;
    if (o + room > out.length) {
      const bigger = new Uint8Array(Math.max(out.length * 2, o + room));
      bigger.set(out.subarray(0, o));
      out = bigger;
    }
    o = writeLine(out, o, i, ctx.keyData, ctx.keyOffsets[i]!, ctx.keyOffsets[i + 1]!, prefix, text);
  }
  return out.slice(0, o);
}
