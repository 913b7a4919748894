/**
 * Worker thread of `sealBatch`: receives the shared seal context, then ranges of keys; hashes each range into the
 * shared buffers and answers with its urls.csv lines. Holds the batch secret only in memory.
 */
import { parentPort } from "node:worker_threads";
import { createKeccakKernelSync } from "../../lib/hash/createKeccakKernelSync.js";
import { hashChunk } from "./hashChunk.js";
import type { SealContext, SealWorkerMessage, SealWorkerRequest } from "./hashChunk.js";

const port = parentPort!;
const kernel = createKeccakKernelSync();
let ctx: SealContext | undefined;

port.on("message", (m: SealWorkerRequest) => {
  if (m.type === "init") {
    ctx?.secret.fill(0);
    ctx = m.ctx;
    return;
  }
  try {
    if (!ctx) throw new Error("no seal context");
    const urls = hashChunk(kernel, ctx, m.start, m.end);
    const done: SealWorkerMessage = { type: "done", id: m.id, urls };
    port.postMessage(done, urls ? [urls.buffer as ArrayBuffer] : []);
  } catch (e) {
    const error: SealWorkerMessage = {
      type: "error",
      id: m.id,
      message: e instanceof Error ? e.message : String(e),
      stack: e instanceof Error ? e.stack : undefined,
    };
    port.postMessage(error);
  }
});
const ready: SealWorkerMessage = { type: "ready" };
port.postMessage(ready);
