import type { Address, Hex } from "viem";
import { slotHex } from "./ledgerV2Slots.js";
import { speculativeSlots } from "./readProvenKeyStatus.js";
import type { RpcRequest } from "./rpcRequest.js";

/**
 * The first proof round's slots for a key, exactly as `readProvenKeyStatus` asks them
 * (deduplicated, 32-byte hex), so that a request made ahead of it can be found by its parameters.
 *
 * @param batchId - the batch.
 * @param index - the key.
 * @returns the slots, in the order asked.
 */
export const firstProofSlots = (batchId: Hex, index: bigint | number): Hex[] =>
  [...new Set(speculativeSlots(batchId, BigInt(index)))].map(slotHex);

/**
 * Starts the first round of a key's storage proofs as soon as the RPCs' heads are known, alongside
 * the headers `agreeOnBlock` asks next, instead of after them: of the first RPC, at the lowest
 * head, which is the block the agreement picks (no confirmations). Meant for a requester that
 * remembers its answers (`rememberRequests`, or the portal's): the proven read later asks the same
 * parameters and finds the answer there. Nothing is believed here: the read checks that answer
 * against the agreed block's state root like any other, and a head that moved or another RPC read
 * first just misses the memory.
 *
 * @param parameters.request - a remembering requester, shared with the proven read.
 * @param parameters.urls - the configured RPCs (the proofs are asked of the first).
 * @param parameters.ledger - the KeyLedger v2 address, as the proven read is given it.
 * @param parameters.batchId - the batch.
 * @param parameters.index - the key.
 * @returns when the proofs have answered (or could not be asked: a failure is left to the proven read).
 * @example
 * const remembered = rememberRequests(createRpcRequest());
 * void prefetchFirstProofs({ request: remembered, urls, ledger, batchId, index: 7n }).catch(() => undefined);
 * const { status } = await readProvenStatus({ urls, chainId, ledger, batchId, index: 7n, request: remembered });
 */
export async function prefetchFirstProofs(parameters: {
  request: RpcRequest;
  urls: readonly string[];
  ledger: Address;
  batchId: Hex;
  index: bigint | number;
}): Promise<void> {
  const { request, urls, ledger, batchId, index } = parameters;
  const [url] = urls;
  const heads = await Promise.all(
    urls.map((u) =>
      request(u, "eth_blockNumber", []).then(
        (h) => BigInt(h as string),
        () => undefined,
      ),
    ),
  );
  const known = heads.filter((h): h is bigint => h !== undefined);
  if (!url || known.length === 0) return;
  const number = known.reduce((m, h) => (h < m ? h : m));
  await request(url, "eth_getProof", [ledger, firstProofSlots(batchId, index), `0x${number.toString(16)}`]);
}
