import { createPublicClient, createWalletClient, http, zeroHash, type Address } from "viem";
import { mnemonicToAccount } from "viem/accounts";
import { hardhat } from "viem/chains";
import { keyLedgerAbi } from "../../../lib/abi/keyLedgerAbi.js";

const MNEMONIC = "test test test test test test test test test test test junk";

/**
 * Registers parties in-process from the admin (Hardhat account 0), one confirmed transaction
 * after the other, with no profile and no accreditation: plain set-up for CLI tests.
 *
 * @param rpcUrl - the node's JSON-RPC URL.
 * @param ledger - the deployed KeyLedger.
 * @param parties - each party's address and kind (1 supplier, 2 distributor, 3 retailer).
 * @example
 * await registerParties(node.url, ledger, [[DIST, 2], [RETAIL, 3]]);
 */
export async function registerParties(
  rpcUrl: string,
  ledger: Address,
  parties: readonly (readonly [party: Address, kind: 1 | 2 | 3])[],
): Promise<void> {
  const admin = createWalletClient({
    account: mnemonicToAccount(MNEMONIC, { addressIndex: 0 }),
    chain: hardhat,
    transport: http(rpcUrl),
  });
  const client = createPublicClient({ chain: hardhat, transport: http(rpcUrl), cacheTime: 0 });
  for (const [party, kind] of parties) {
    const hash = await admin.writeContract({
      address: ledger,
      abi: keyLedgerAbi,
      functionName: "registerParty",
      args: [party, kind, zeroHash, "", 0n],
    });
    await client.waitForTransactionReceipt({ hash });
  }
}
