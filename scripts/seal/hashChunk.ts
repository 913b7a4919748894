import type { Hex } from "viem";
import type { KeccakKernel } from "../../lib/hash/types.js";
import { readHex32 } from "../../lib/merkle/internal/hex.js";
import { encodePayload } from "../../lib/payload/encodePayload.js";
import { payloadUrl } from "../../lib/payload/payloadUrl.js";
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
  /** Short-form payload fields shared by every key (index and salt are added per key); undefined: no urls. */
  urls: { portalBase: string; fields: Omit<PayloadFields, "index" | "salt"> } | undefined;
};

/** A message to a worker: a new context (buffers shared, secret copied), or a range of keys to seal. */
export type SealWorkerRequest = { type: "init"; ctx: SealContext } | { type: "task"; id: number; start: number; end: number };

/** A message from a worker. */
export type SealWorkerMessage =
  | { type: "ready" }
  | { type: "done"; id: number; urls: Uint8Array | undefined }
  | { type: "error"; id: number; message: string; stack?: string | undefined };

const encoder = new TextEncoder();
const utf8 = new TextDecoder();

function csvCell(s: string): string {
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

/** The serial (card number) part of a key's bytes, or "" when the key has none. */
function serialOf(data: Uint8Array, a: number, e: number): string {
  let ascii = true;
  let sep = -1;
  for (let k = a; k < e; k++) {
    const c = data[k]!;
    if (c === 0x1f) {
      sep = k;
      break;
    }
    if (c >= 128) ascii = false;
  }
  if (sep < 0) return "";
  if (ascii) {
    let s = "";
    for (let k = a; k < sep; k++) s += String.fromCharCode(data[k]!);
    return s;
  }
  return utf8.decode(data.slice(a, sep));
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
  const lines: string[] = [];
  for (let i = a; i < b; i++) {
    const salt: Hex = readHex32(ctx.salts, i * 32);
    const url = payloadUrl(portalBase, encodePayload({ ...fields, index: i, salt } as PayloadFields));
    lines.push(`${i},${csvCell(serialOf(ctx.keyData, ctx.keyOffsets[i]!, ctx.keyOffsets[i + 1]!))},${url}\n`);
  }
  return encoder.encode(lines.join(""));
}

