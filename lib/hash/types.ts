/**
 * The batch keccak256 kernel: many fixed-layout inputs hashed per call inside WebAssembly, with no
 * JavaScript crossing per hash. All byte buffers are plain `Uint8Array`s; digests are 32 bytes each,
 * concatenated in input order. Every method accepts an optional `out` buffer to write into (it must
 * hold `count * 32` bytes) and returns the buffer written.
 */
export type KeccakKernel = {
  /** keccak256 of one input of any length. */
  keccak256(data: Uint8Array): Uint8Array;
  /** keccak256 of `count` inputs of `length` bytes each, laid out back to back in `input`. */
  hashMany(input: Uint8Array, length: number, count: number, out?: Uint8Array): Uint8Array;
  /**
   * Salts `keccak256(batchSecret(32) ‖ batchId(32) ‖ uint64be(index))` for index = start … start+count-1.
   */
  deriveSalts(batchSecret: Uint8Array, batchId: Uint8Array, start: number, count: number, out?: Uint8Array): Uint8Array;
  /**
   * Commitments `keccak256(salt_i(32) ‖ keyBytes_i)`: salts packed (`count * 32` bytes), key bytes packed in
   * `keyData` with `keyOffsets` (`count + 1` entries; key i is `keyData[keyOffsets[i], keyOffsets[i+1])`).
   */
  commitments(
    salts: Uint8Array,
    keyData: Uint8Array,
    keyOffsets: Uint32Array,
    count: number,
    out?: Uint8Array,
  ): Uint8Array;
  /**
   * OpenZeppelin standard leaves `keccak256(keccak256(abi.encode(batchId, index, commitment_i)))` for
   * index = start … start+count-1, commitments packed (`count * 32` bytes).
   */
  leaves(batchId: Uint8Array, start: number, commitments: Uint8Array, count: number, out?: Uint8Array): Uint8Array;
  /**
   * One tree layer up: node i of the result is `keccak256(min ‖ max)` of nodes 2i and 2i+1 (byte order), and a
   * last odd node is copied unchanged. Returns `ceil(nodeCount / 2)` nodes. `out` may be `nodes` itself.
   */
  hashPairs(nodes: Uint8Array, nodeCount: number, out?: Uint8Array): Uint8Array;
};
