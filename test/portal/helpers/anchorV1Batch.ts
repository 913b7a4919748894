import { zeroHash } from "viem";
import type { Address, Hex, PublicClient } from "viem";
import { keyLedgerAbi } from "../../../lib/abi/keyLedgerAbi.js";
import { keyLedgerBytecode } from "../../../lib/abi/keyLedgerBytecode.js";
import { anchorParams } from "../../contracts/helpers.js";
import { makeBatch, type TestBatch } from "../../verify/batch.js";
import type { HttpChain } from "./startHttpChain.js";

/** A KeyLedger v1 with one anchored batch. */
export type AnchoredV1Batch = { ledger: Address; chainId: number; batch: TestBatch };

/**
 * Deploys a KeyLedger v1 (account 0 is admin), registers account 1 as a supplier and anchors one batch of 8 keys
 * (one shard) under `label`.
 *
 * @param chain - the HTTP chain
 * @param label - the batch label
 * @returns the ledger, the chain id and the batch
 * @example
 * const { ledger, chainId, batch } = await anchorV1Batch(chain, "e2e v1");
 */
export async function anchorV1Batch(chain: HttpChain, label: string): Promise<AnchoredV1Batch> {
  const client = (await chain.viem.getPublicClient()) as unknown as PublicClient;
  const [admin, supplier] = await chain.viem.getWalletClients();
  if (!admin || !supplier) throw new Error("need 2 accounts");
  const wait = async (hash: Hex) => {
    const r = await client.waitForTransactionReceipt({ hash });
    if (r.status !== "success") throw new Error(`transaction ${hash} reverted`);
    return r;
  };
  const ledger = (
    await wait(
      await admin.deployContract({ abi: keyLedgerAbi, bytecode: keyLedgerBytecode, args: [admin.account.address] }),
    )
  ).contractAddress!;
  const write = async (w: typeof admin, functionName: string, args: readonly unknown[]) =>
    wait(await w.writeContract({ address: ledger, abi: keyLedgerAbi, functionName, args } as never));
  await write(admin, "registerParty", [supplier.account.address, 1, zeroHash, "", 0n]);
  const chainId = await client.getChainId();
  const batch = makeBatch({ supplier: supplier.account.address, ledger, chainId, label, count: 8, shardSize: 8 });
  await write(supplier, "anchorBatch", [{ ...anchorParams(label, 8n), root: batch.root }]);
  return { ledger, chainId, batch };
}
