import hre from "hardhat";
import {
  getAddress,
  getContract,
  keccak256,
  toHex,
  type Account,
  type Address,
  type Chain,
  type GetContractReturnType,
  type Hex,
  type PublicClient,
  type Transport,
  type WalletClient as ViemWalletClient,
} from "viem";
import { keyLedgerV2Abi } from "../../lib/abi/keyLedgerV2Abi.js";
import { keyLedgerV2Bytecode } from "../../lib/abi/keyLedgerV2Bytecode.js";
import { keyLedgerV2SalesBytecode } from "../../lib/abi/keyLedgerV2SalesBytecode.js";

/** A wallet client with its account and chain set (as Hardhat's are). */
type WalletClient = ViemWalletClient<Transport, Chain, Account>;

/** KeyLedgerV2 (with its sale functions) bound to one account. */
export type LedgerV2 = GetContractReturnType<typeof keyLedgerV2Abi, { public: PublicClient; wallet: WalletClient }>;

/**
 * A fresh in-process chain with KeyLedgerV2 deployed from lib/abi's bytecodes (the sale module
 * first, then the ledger: admin = account 0, admin delay 1 day), the regulator role granted to
 * account 4, and named accounts. No party is registered.
 */
export async function deployLedgerV2() {
  const { viem, provider } = await hre.network.connect();
  const publicClient = (await viem.getPublicClient()) as unknown as PublicClient;
  const wallets = (await viem.getWalletClients()) as unknown as WalletClient[];
  const [admin, supplier, dist, retail, regulator, redeemer, stranger, supplier2] = wallets;
  if (!admin || !supplier || !dist || !retail || !regulator || !redeemer || !stranger || !supplier2) {
    throw new Error("the in-process network needs 8 accounts");
  }
  const wait = async (hash: Hex) => {
    const r = await publicClient.waitForTransactionReceipt({ hash });
    if (r.status !== "success") throw new Error(`transaction ${hash} reverted`);
    return r;
  };
  const salesTx = await admin.deployContract({ abi: [], bytecode: keyLedgerV2SalesBytecode });
  const sales = (await wait(salesTx)).contractAddress!;
  const ledgerTx = await admin.deployContract({
    abi: keyLedgerV2Abi,
    bytecode: keyLedgerV2Bytecode,
    args: [admin.account.address, 86_400, sales],
  });
  const address = (await wait(ledgerTx)).contractAddress!;
  const as = (w: WalletClient): LedgerV2 =>
    getContract({ address, abi: keyLedgerV2Abi, client: { public: publicClient, wallet: w } });
  const ledger = as(admin);
  await wait(await ledger.write.grantRole([await ledger.read.REGULATOR_ROLE(), regulator.account.address]));
  const addr = (w: WalletClient): Address => getAddress(w.account.address);
  return {
    viem,
    provider,
    publicClient,
    address,
    sales,
    as,
    wait,
    addr,
    w: { admin, supplier, dist, retail, regulator, redeemer, stranger, supplier2 },
  };
}

/** Realistic v2 anchor parameters for a label. */
export function anchorParamsV2(
  label: string,
  count: bigint,
  options: { restricted?: boolean; saleRequired?: boolean; expiresAt?: bigint } = {},
) {
  return {
    label,
    root: keccak256(toHex(`root ${label}`)),
    count,
    productId: `0x${"0".repeat(50)}06901234567892` as Hex,
    faceValue: 10_000n,
    currency: toHex("CNY", { size: 3 }),
    expiresAt: options.expiresAt ?? 2_000_000_000n,
    restricted: options.restricted ?? false,
    saleRequired: options.saleRequired ?? false,
    manifestHash: keccak256(toHex(`manifest ${label}`)),
    manifestURI: `https://keys.example/${label}/manifest.json`,
  };
}

/** The clients {@link deployLedgerV2With} needs: viem's public client and one wallet with its account. */
type DeployClients = {
  publicClient: {
    waitForTransactionReceipt(a: { hash: Hex }): Promise<{ status: string; contractAddress?: Address | null }>;
  };
  admin: { account: { address: Address }; deployContract(a: never): Promise<Hex> };
};

/**
 * Deploys KeyLedgerV2 from lib/abi's bytecodes with any viem clients (an HTTP node, anvil, the
 * in-process network): the sale module first, then the ledger (admin = the wallet's account, admin
 * delay 1 day). Returns the addresses and `wait` (a receipt that must succeed).
 */
export async function deployLedgerV2With(clients: DeployClients) {
  const { publicClient, admin } = clients;
  const wait = async (hash: Hex) => {
    const r = await publicClient.waitForTransactionReceipt({ hash });
    if (r.status !== "success") throw new Error(`transaction ${hash} reverted`);
    return r;
  };
  const sales = (await wait(await admin.deployContract({ abi: [], bytecode: keyLedgerV2SalesBytecode } as never)))
    .contractAddress!;
  const ledger = (
    await wait(
      await admin.deployContract({
        abi: keyLedgerV2Abi,
        bytecode: keyLedgerV2Bytecode,
        args: [admin.account.address, 86_400, sales],
      } as never),
    )
  ).contractAddress!;
  return { ledger, sales, wait };
}
