import { BaseError } from "../errors/BaseError.js";

/** A batch hashing call got buffers of the wrong size or out-of-range numbers. */
export class KeccakKernelArgumentError extends BaseError {
  override name = "KeccakKernelArgumentError";
}

/** The WebAssembly kernel could not be compiled or instantiated (no WebAssembly SIMD in this runtime?). */
export class KeccakKernelLoadError extends BaseError {
  override name = "KeccakKernelLoadError";
}
