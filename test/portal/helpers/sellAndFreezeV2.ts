import { toHex, zeroHash } from "viem";
import type { Address, Hex, PublicClient } from "viem";
import { keyLedgerV2Abi } from "../../../lib/abi/keyLedgerV2Abi.js";
import { computeOrderRefHash } from "../../../lib/sale/computeOrderRefHash.js";
import { computeReceiptCommitment } from "../../../lib/sale/computeReceiptCommitment.js";
import { anchorParamsV2, deployLedgerV2With } from "../../contracts/helpersV2.js";
import { makeBatch, type TestBatch } from "../../verify/batch.js";
import type { HttpChain } from "./startHttpChain.js";

/** A KeyLedger v2 with one batch held by a retailer, some keys sold and two frozen. */
export type SoldV2Batch = { ledger: Address; chainId: number; batch: TestBatch };

/**
 * Deploys a KeyLedger v2 (account 0 admin, account 4 regulator), anchors a sale-required batch of 8 keys under
 * `label` by the supplier (account 1), moves it all to the retailer (account 2), which sells keys 1, 2, ... in one
 * sale (key 1 + k with `secrets[k]`, order reference `TB-<index>`, 49.00 CNY at "Shop 7"); then the regulator
 * freezes keys 5..6 (reason 1).
 *
 * @param chain - the HTTP chain
 * @param label - the batch label
 * @param secrets - one receipt secret per sold key
 * @returns the ledger, the chain id and the batch
 * @example
 * const { ledger, chainId, batch } = await sellAndFreezeV2(chain, "e2e v2", [createReceiptSecret()]);
 */
export async function sellAndFreezeV2(chain: HttpChain, label: string, secrets: readonly Hex[]): Promise<SoldV2Batch> {
  const client = (await chain.viem.getPublicClient()) as unknown as PublicClient;
  const [admin, supplier, retail, , regulator] = await chain.viem.getWalletClients();
  if (!admin || !supplier || !retail || !regulator) throw new Error("need 5 accounts");
  const { wait, ledger } = await deployLedgerV2With({ publicClient: client as never, admin: admin as never });
  const write = async (w: typeof admin, functionName: string, args: readonly unknown[]) =>
    wait(await w.writeContract({ address: ledger, abi: keyLedgerV2Abi, functionName, args } as never));
  const role = await client.readContract({ address: ledger, abi: keyLedgerV2Abi, functionName: "REGULATOR_ROLE" });
  await write(admin, "grantRole", [role, regulator.account.address]);
  await write(admin, "registerParty", [supplier.account.address, 1, zeroHash, "", 0n]);
  await write(admin, "registerParty", [retail.account.address, 3, zeroHash, "", 0n]);
  const chainId = await client.getChainId();
  const b = makeBatch({ supplier: supplier.account.address, ledger, chainId, label, count: 8, shardSize: 8 });
  await write(supplier, "anchorBatch", [{ ...anchorParamsV2(label, 8n, { saleRequired: true }), root: b.root }]);
  await write(supplier, "transfer", [b.batchId, 0n, 8n, retail.account.address, zeroHash]);
  const indices = secrets.map((_, k) => 1 + k);
  await write(retail, "sell", [
    [
      {
        batchId: b.batchId,
        indices: indices.map(BigInt),
        commitments: indices.map((index, k) =>
          computeReceiptCommitment({ batchId: b.batchId, index, secret: secrets[k]! }),
        ),
        orderRefs: indices.map((index, k) =>
          computeOrderRefHash({ orderReference: `TB-${index}`, secret: secrets[k]! }),
        ),
      },
    ],
    { store: toHex("Shop 7", { size: 32 }), terminal: zeroHash, amount: 4_900n, currency: toHex("CNY", { size: 3 }) },
  ]);
  await write(regulator, "revoke", [b.batchId, 5n, 6n, 1]);
  return { ledger, chainId, batch: b };
}
