import { pathToFileURL } from "node:url";
import { Worker } from "node:worker_threads";
import { createKeccakKernelSync } from "../../lib/hash/createKeccakKernelSync.js";
import { bundleSealWorker } from "./bundleSealWorker.js";
import { SealError } from "./errors.js";
import { hashChunk } from "./hashChunk.js";
import type { SealContext, SealWorkerMessage, SealWorkerRequest } from "./hashChunk.js";

/** Threads that seal ranges of keys (see {@link createSealPool}). */
export type SealPool = {
  /** Gives every thread a (new) context; ranges run after it take their keys from it. */
  init(ctx: SealContext): void;
  /** Seals keys [start, end) (a chunk of the context); resolves with the urls.csv lines. */
  run(start: number, end: number): Promise<Uint8Array | undefined>;
  /** Stops the threads. */
  close(): Promise<void>;
};

const WORKER_URL = new URL("./sealWorker.ts", import.meta.url);

/**
 * Starts `threads` worker threads for the seal (or none: with 0 the ranges are sealed in the calling thread).
 * Ranges are posted at once to the least busy thread, so threads keep working while the caller is busy (reading
 * the key file); results come back in any order, each through its own promise.
 *
 * Workers run the bundled worker (see `bundleSealWorker`), or the TypeScript source through tsx when no bundle
 * can be built.
 *
 * @param threads - worker threads; 0 seals inline.
 * @returns the pool (its threads are still starting).
 * @example
 * const pool = await createSealPool(2); pool.init(ctx); const urls = await pool.run(0, 16384); await pool.close();
 */
export async function createSealPool(threads: number): Promise<SealPool> {
  if (threads === 0) {
    let ctx: SealContext | undefined;
    const kernel = createKeccakKernelSync();
    return {
      init(c) {
        ctx = c;
      },
      run(start, end) {
        try {
          return Promise.resolve(hashChunk(kernel, ctx!, start, end));
        } catch (e) {
          return Promise.reject(e instanceof Error ? e : new SealError(String(e)));
        }
      },
      async close() {},
    };
  }
  // KEYTRAIL_SEAL_NO_BUNDLE=1 runs the TypeScript worker through tsx (debugging; the fallback's test)
  const bundle = process.env.KEYTRAIL_SEAL_NO_BUNDLE === "1" ? undefined : await bundleSealWorker();
  // Without a bundle, workers load TypeScript through tsx: inherited when this process runs under tsx, added otherwise.
  const tsx = bundle || process.execArgv.some((a) => a.includes("tsx")) ? [] : ["--import", import.meta.resolve("tsx")];
  const url = bundle ? pathToFileURL(bundle) : WORKER_URL;
  const workers: { worker: Worker; outstanding: number }[] = [];
  const waiting = new Map<
    number,
    { resolve: (u: Uint8Array | undefined) => void; reject: (e: Error) => void; slot: number }
  >();
  let nextId = 0;
  let broken: Error | undefined;
  const breakAll = (e: Error) => {
    broken ??= e;
    for (const w of waiting.values()) w.reject(broken);
    waiting.clear();
  };
  for (let t = 0; t < threads; t++) {
    const worker = new Worker(url, { execArgv: bundle ? [] : [...process.execArgv, ...tsx] });
    const slot = { worker, outstanding: 0 };
    workers.push(slot);
    worker.on("error", (e) => breakAll(new SealError("A seal worker failed.", { cause: e })));
    worker.on("exit", (code) => {
      if (code !== 0 && !closing) breakAll(new SealError(`A seal worker exited with code ${code}.`));
    });
    worker.on("message", (m: SealWorkerMessage) => {
      if (m.type === "ready") return;
      const w = waiting.get(m.id);
      if (!w) return;
      waiting.delete(m.id);
      workers[w.slot]!.outstanding--;
      if (m.type === "done") w.resolve(m.urls);
      else w.reject(new SealError(`Sealing a range of keys failed: ${m.message}`, { details: m.stack }));
    });
  }
  let closing = false;
  return {
    init(ctx) {
      const message: SealWorkerRequest = { type: "init", ctx };
      for (const { worker } of workers) worker.postMessage(message);
    },
    run(start, end) {
      if (broken) return Promise.reject(broken);
      let best = 0;
      for (let i = 1; i < workers.length; i++) if (workers[i]!.outstanding < workers[best]!.outstanding) best = i;
      const id = nextId++;
      workers[best]!.outstanding++;
      const message: SealWorkerRequest = { type: "task", id, start, end };
      return new Promise((resolve, reject) => {
        waiting.set(id, { resolve, reject, slot: best });
        workers[best]!.worker.postMessage(message);
      });
    },
    async close() {
      closing = true;
      await Promise.all(workers.map(({ worker }) => worker.terminate()));
    },
  };
}
