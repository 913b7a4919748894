import { KeccakKernelLoadError } from "./errors.js";
import { kernelFromInstance } from "./kernelFromInstance.js";
import { keccakWasmBytes } from "./keccakWasmBytes.js";
import type { KeccakKernel } from "./types.js";

let compiled: WebAssembly.Module | undefined;

/**
 * Creates a batch keccak256 kernel synchronously. For Node and workers; a browser's main thread refuses to
 * compile modules this large synchronously, so use {@link createKeccakKernel} there.
 *
 * @returns a new kernel (own memory; one per thread).
 * @throws {KeccakKernelLoadError} when the runtime cannot compile the module.
 * @example
 * const kernel = createKeccakKernelSync();
 * const leaves = kernel.leaves(batchId, 0, commitments, count);
 */
export function createKeccakKernelSync(): KeccakKernel {
  try {
    compiled ??= new WebAssembly.Module(keccakWasmBytes() as Uint8Array<ArrayBuffer>);
    return kernelFromInstance(new WebAssembly.Instance(compiled, {}));
  } catch (cause) {
    throw new KeccakKernelLoadError("Could not load the keccak WebAssembly kernel.", {
      details: "Expected a runtime with WebAssembly SIMD (Node >= 16.4, current browsers).",
      cause,
    });
  }
}
