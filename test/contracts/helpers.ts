import hre from "hardhat";
import {
  BaseError,
  ContractFunctionRevertedError,
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

/** A wallet client with its account and chain set (as Hardhat's are). */
type WalletClient = ViemWalletClient<Transport, Chain, Account>;
import { keyLedgerAbi } from "../../lib/abi/keyLedgerAbi.js";
import { computeBatchId } from "../../lib/commit/computeBatchId.js";

/** KeyLedger bound to one account. */
export type Ledger = GetContractReturnType<typeof keyLedgerAbi, { public: PublicClient; wallet: WalletClient }>;

/** Party kinds and revocation reasons as the contract numbers them. */
export const Kind = { None: 0, Supplier: 1, Distributor: 2, Retailer: 3 } as const;
export const Reason = { None: 0, Stolen: 1, Chargeback: 2, UnauthorisedChannel: 3, IssuerError: 4, Other: 5 } as const;

/**
 * A fresh in-process chain with KeyLedger deployed (admin = account 0) and named accounts.
 * Compiles the contracts first when needed (a no-op when the artifacts are current).
 */
export async function deployLedger() {
  await hre.tasks.getTask("build").run({ quiet: true, noTests: true });
  const { viem, provider } = await hre.network.connect();
  const publicClient = (await viem.getPublicClient()) as unknown as PublicClient;
  const wallets = (await viem.getWalletClients()) as unknown as WalletClient[];
  const [admin, supplier, dist, retail, regulator, redeemer, stranger, supplier2] = wallets;
  if (!admin || !supplier || !dist || !retail || !regulator || !redeemer || !stranger || !supplier2) {
    throw new Error("the in-process network needs 8 accounts");
  }
  const deployed = await viem.deployContract("KeyLedger", [admin.account!.address]);
  const as = (w: WalletClient): Ledger =>
    getContract({ address: deployed.address, abi: keyLedgerAbi, client: { public: publicClient, wallet: w } });
  const wait = async (hash: Hex) => {
    const r = await publicClient.waitForTransactionReceipt({ hash });
    if (r.status !== "success") throw new Error(`transaction ${hash} reverted`);
    return r;
  };
  const addr = (w: WalletClient): Address => getAddress(w.account!.address);
  const nowSeconds = async () => Number((await publicClient.getBlock()).timestamp);
  return {
    viem,
    provider,
    publicClient,
    address: deployed.address,
    as,
    wait,
    addr,
    nowSeconds,
    w: { admin, supplier, dist, retail, regulator, redeemer, stranger, supplier2 },
  };
}

/** batchId = keccak256(abi.encode(supplier, label)), as lib/ computes it (the tests check the contract agrees). */
export const batchIdOf: (supplier: Address, label: string) => Hex = computeBatchId;

/** Realistic anchor parameters for a label. */
export function anchorParams(label: string, count: bigint, restricted = false, expiresAt = 2_000_000_000n) {
  return {
    label,
    root: keccak256(toHex(`root ${label}`)),
    count,
    productId: `0x${"0".repeat(50)}06901234567892` as Hex,
    faceValue: 10_000n,
    currency: toHex("CNY", { size: 3 }),
    expiresAt,
    restricted,
    manifestHash: keccak256(toHex(`manifest ${label}`)),
    manifestURI: `https://keys.example/${label}/manifest.json`,
  };
}

/**
 * Awaits a call expected to revert with a KeyLedger custom error; returns the decoded error name
 * and arguments (throws when the call succeeds or fails otherwise).
 */
export async function revertOf(call: Promise<unknown>): Promise<{ errorName: string; args: readonly unknown[] }> {
  try {
    await call;
  } catch (e) {
    if (e instanceof BaseError) {
      const r = e.walk((x) => x instanceof ContractFunctionRevertedError);
      if (r instanceof ContractFunctionRevertedError && r.data) {
        return { errorName: r.data.errorName, args: r.data.args ?? [] };
      }
    }
    throw e;
  }
  throw new Error("expected a revert, the call succeeded");
}
