import {
  createPublicClient,
  createWalletClient,
  http,
  keccak256,
  toHex,
  type Address,
  type Hex,
  type PublicClient,
} from "viem";
import { mnemonicToAccount } from "viem/accounts";
import { foundry } from "viem/chains";
import { keyLedgerV2Abi } from "../../../lib/abi/keyLedgerV2Abi.js";
import { keyLedgerV2Bytecode } from "../../../lib/abi/keyLedgerV2Bytecode.js";
import { keyLedgerV2SalesBytecode } from "../../../lib/abi/keyLedgerV2SalesBytecode.js";

const MNEMONIC = "test test test test test test test test test test test junk";

/** The N-th default test account (Hardhat's and anvil's). */
export const testAccount = (index: number) => mnemonicToAccount(MNEMONIC, { addressIndex: index });

/** Party kinds of the v2 ledger. */
const KIND = { supplier: 1, distributor: 2, retailer: 3 } as const;

/**
 * Deploys KeyLedger v2 (sale module, then ledger; admin = account 0) on a running node, registers
 * account 1 as supplier, 2 as distributor, 3 as retailer, and anchors the given batches for the
 * supplier. Waits for every receipt (works with interval mining).
 *
 * @param url - the node's RPC URL.
 * @param batches - label, key count and options per batch.
 * @returns the clients, the ledger address and the batch ids.
 * @example
 * const { ledger, batchIds } = await deployOnAnvil(anvil.url, [{ label: "b1", count: 10_000n }]);
 */
export async function deployOnAnvil(
  url: string,
  batches: { label: string; count: bigint; restricted?: boolean; saleRequired?: boolean }[],
) {
  const publicClient = createPublicClient({
    chain: foundry,
    transport: http(url),
    pollingInterval: 200,
  }) as PublicClient;
  const wallet = (i: number) => createWalletClient({ chain: foundry, transport: http(url), account: testAccount(i) });
  const wait = async (hash: Hex) => {
    const r = await publicClient.waitForTransactionReceipt({ hash, pollingInterval: 200 });
    if (r.status !== "success") throw new Error(`transaction ${hash} reverted`);
    return r;
  };
  const admin = wallet(0);
  const sales = (await wait(await admin.deployContract({ abi: [], bytecode: keyLedgerV2SalesBytecode })))
    .contractAddress!;
  const ledger = (
    await wait(
      await admin.deployContract({
        abi: keyLedgerV2Abi,
        bytecode: keyLedgerV2Bytecode,
        args: [admin.account.address, 86_400, sales],
      }),
    )
  ).contractAddress! as Address;
  const write = (i: number) =>
    ({ address: ledger, abi: keyLedgerV2Abi, account: testAccount(i), chain: foundry }) as const;
  const zero = `0x${"0".repeat(64)}` as Hex;
  const hashes: Hex[] = [];
  for (const [i, kind] of [
    [1, KIND.supplier],
    [2, KIND.distributor],
    [3, KIND.retailer],
  ] as const) {
    hashes.push(
      await admin.writeContract({
        ...write(0),
        functionName: "registerParty",
        args: [testAccount(i).address, kind, zero, "", 0n],
      }),
    );
  }
  for (const h of hashes) await wait(h);
  const supplier = wallet(1);
  const batchIds: Hex[] = [];
  for (const b of batches) {
    await wait(
      await supplier.writeContract({
        ...write(1),
        functionName: "anchorBatch",
        args: [
          {
            label: b.label,
            root: keccak256(toHex(`root ${b.label}`)),
            count: b.count,
            productId: `0x${"0".repeat(50)}06901234567892` as Hex,
            faceValue: 10_000n,
            currency: toHex("CNY", { size: 3 }),
            expiresAt: 2_000_000_000n,
            restricted: b.restricted ?? false,
            saleRequired: b.saleRequired ?? false,
            manifestHash: keccak256(toHex(`manifest ${b.label}`)),
            manifestURI: `https://keys.example/${b.label}/manifest.json`,
          },
        ],
      }),
    );
    batchIds.push(
      (await publicClient.readContract({
        address: ledger,
        abi: keyLedgerV2Abi,
        functionName: "batchIdOf",
        args: [supplier.account.address, b.label],
      })) as Hex,
    );
  }
  return {
    publicClient,
    ledger,
    batchIds,
    wait,
    wallet,
    supplier: testAccount(1),
    distributor: testAccount(2),
    retailer: testAccount(3),
  };
}
