import { numberToHex, type Hex } from "viem";
import { batchMapBase, batchSlot, mappingSlot, slotHex } from "../../lib/proof/ledgerV2Slots.js";

/** Batch flag FLAG_LEAF0 (custody leaf 0 holds boundaries 1..7), at bits 112..119 of the record's slot 2. */
const FLAG_LEAF0 = 32n;

/** What {@link fragmentCustodyV2} needs: storage reads and writes on a development chain. */
export type StorageAccess = {
  getStorageAt: (address: Hex, slot: Hex) => Promise<Hex>;
  setStorageAt: (address: Hex, slot: Hex, value: Hex) => Promise<void>;
};

/**
 * Writes the custody map of a fresh KeyLedger v2 batch of `count` keys as `count` single-key segments,
 * even indices held by party id `even` (the batch's supplier: index 0 keeps its value in the batch
 * record), odd ones by `odd`: the leaves, then the bitmap levels, exactly the state `count - 1`
 * alternating transfers would leave (the storage layout of docs/FORMATS.md, as the Solidity tests'
 * `KeyLedgerV2Slots.fragment` writes it with vm.store). For gas measurements on a development chain
 * (`hardhat_setStorageAt`); 1M keys are 125,000 leaves and 492 bitmap words.
 *
 * @param access Storage reads and writes of the chain.
 * @param ledger The KeyLedgerV2 address.
 * @param batchId The batch, anchored and never transferred.
 * @param count Its key count: a multiple of 8, below 2^27.
 * @param even Party id holding the even indices (the supplier's).
 * @param odd Party id holding the odd indices.
 * @returns The number of slots written.
 * @example
 * await fragmentCustodyV2(access, ledger, batchId, 1_000_000, supplierId, distributorId);
 */
export async function fragmentCustodyV2(
  access: StorageAccess,
  ledger: Hex,
  batchId: Hex,
  count: number,
  even: bigint,
  odd: bigint,
): Promise<number> {
  if (!Number.isInteger(count) || count <= 0 || count % 8 !== 0 || count >= 2 ** 27) {
    throw new Error(`fragmentCustodyV2: count ${count} must be a positive multiple of 8 below 2^27`);
  }
  const record = slotHex(batchSlot(batchId) + 1n);
  const slot2 = BigInt(await access.getStorageAt(ledger, record));
  if ((slot2 & 0xffffffn) !== even) {
    throw new Error(`fragmentCustodyV2: batch ${batchId} has supplier id ${slot2 & 0xffffffn}, not ${even}`);
  }
  await access.setStorageAt(ledger, record, numberToHex(slot2 | (FLAG_LEAF0 << 112n), { size: 32 }));
  let values = 0n;
  for (let j = 0n; j < 8n; j++) values |= (j % 2n === 0n ? even : odd) << (8n + 24n * j);
  const base = batchMapBase("custody", batchId);
  const write = (key: bigint, value: bigint) =>
    access.setStorageAt(ledger, slotHex(mappingSlot(key, base)), numberToHex(value, { size: 32 }));
  const leaves = count / 8;
  let written = 1;
  for (let k = 0; k < leaves; k++) {
    await write(BigInt(k), values | (k === 0 ? 0xfen : 0xffn));
    written++;
  }
  // Level l word w has bit j set when node 256w + j of level l - 1 exists.
  let nodes = leaves;
  for (let l = 1n; nodes > 1; l++) {
    const words = Math.ceil(nodes / 256);
    for (let w = 0; w < words; w++) {
      const inWord = Math.min(256, nodes - w * 256);
      await write((l << 64n) | BigInt(w), (1n << BigInt(inWord)) - 1n);
      written++;
    }
    nodes = words;
  }
  return written;
}
