import { keccakWasmBase64 } from "./keccakWasm.js";

let bytes: Uint8Array | undefined;

/**
 * The bytes of the batch keccak WebAssembly module (decoded once from the embedded base64).
 *
 * @returns the module's bytes; do not modify.
 * @example
 * const module = await WebAssembly.compile(keccakWasmBytes());
 */
export function keccakWasmBytes(): Uint8Array {
  if (bytes === undefined) {
    const s = atob(keccakWasmBase64);
    const b = new Uint8Array(s.length);
    for (let i = 0; i < s.length; i++) b[i] = s.charCodeAt(i);
    bytes = b;
  }
  return bytes;
}
