import { KeccakKernelLoadError } from "./errors.js";
import { kernelFromInstance } from "./kernelFromInstance.js";
import { keccakWasmBytes } from "./keccakWasmBytes.js";
import type { KeccakKernel } from "./types.js";

let compiled: Promise<WebAssembly.Module> | undefined;

/**
 * Creates a batch keccak256 kernel (WebAssembly with SIMD; runs in Node, browsers and workers). Each kernel
 * owns its own WebAssembly memory, so create one per thread. The module is compiled once and cached.
 *
 * @returns a new kernel.
 * @throws {KeccakKernelLoadError} when the runtime cannot compile the module (no WebAssembly SIMD).
 * @example
 * const kernel = await createKeccakKernel();
 * const digest = kernel.keccak256(new TextEncoder().encode("abc"));
 */
export async function createKeccakKernel(): Promise<KeccakKernel> {
  compiled ??= WebAssembly.compile(keccakWasmBytes() as Uint8Array<ArrayBuffer>);
  try {
    return kernelFromInstance(await WebAssembly.instantiate(await compiled, {}));
  } catch (cause) {
    compiled = undefined;
    throw new KeccakKernelLoadError("Could not load the keccak WebAssembly kernel.", {
      details: "Expected a runtime with WebAssembly SIMD (Node >= 16.4, current browsers).",
      cause,
    });
  }
}
