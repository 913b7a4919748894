import { createPublicClient, createWalletClient, http, zeroHash, type Address } from "viem";
import { mnemonicToAccount } from "viem/accounts";
import { hardhat } from "viem/chains";
import { keyLedgerV2Abi } from "../../../lib/abi/keyLedgerV2Abi.js";
import { deployLedgerV2With } from "../../contracts/helpersV2.js";

const MNEMONIC = "test test test test test test test test test test test junk";

const walletOf = (url: string, i: number) =>
  createWalletClient({
    account: mnemonicToAccount(MNEMONIC, { addressIndex: i }),
    chain: hardhat,
    transport: http(url),
  });

/** A wallet of one of the node's test accounts. */
export type NodeWallet = ReturnType<typeof walletOf>;

/** A KeyLedger v2 deployed on a node, its admin and registered supplier, and a checked write. */
export type NodeLedgerV2 = {
  ledger: Address;
  admin: NodeWallet;
  supplier: NodeWallet;
  /** Sends a ledger call from `w` and waits for its receipt (a revert throws). */
  write: (w: NodeWallet, functionName: string, args: readonly unknown[]) => Promise<unknown>;
};

/**
 * Deploys a KeyLedger v2 on a Hardhat node over HTTP (test account 0 is admin) and registers test account 1 as
 * a supplier.
 *
 * @param url - the node's JSON-RPC URL
 * @returns the ledger, the admin and supplier wallets and a checked write
 * @example
 * const { ledger, supplier, write } = await deployNodeLedgerV2(node.url);
 */
export async function deployNodeLedgerV2(url: string): Promise<NodeLedgerV2> {
  const publicClient = createPublicClient({ chain: hardhat, transport: http(url) });
  const [admin, supplier] = [walletOf(url, 0), walletOf(url, 1)];
  const deployed = await deployLedgerV2With({ publicClient: publicClient as never, admin: admin as never });
  const ledger = deployed.ledger;
  const write = async (w: NodeWallet, functionName: string, args: readonly unknown[]) =>
    deployed.wait(await w.writeContract({ address: ledger, abi: keyLedgerV2Abi, functionName, args } as never));
  await write(admin, "registerParty", [supplier.account.address, 1, zeroHash, "", 0n]);
  return { ledger, admin, supplier, write };
}
