import {
  BaseError as ViemError,
  HttpRequestError,
  TimeoutError,
  createWalletClient,
  getAddress,
  isAddress,
  type Address,
  type Chain,
  type LocalAccount,
  type PublicClient,
  type Transport,
  type WalletClient,
} from "viem";
import { keyLedgerAbi } from "../../../lib/abi/keyLedgerAbi.js";
import { keyLedgerV2Abi } from "../../../lib/abi/keyLedgerV2Abi.js";
import { pickLedger } from "../../../lib/config/pickLedger.js";
import type { LoadedConfig } from "../config/loadConfig.js";
import { readDeployment } from "../config/readDeployment.js";
import { CliError, CliUsageError, RpcUnreachableError } from "../errors.js";
import type { GlobalOptions } from "../types.js";
import { connectChain } from "./connectChain.js";
import type { LedgerVersion } from "./ledgerAbiOf.js";
import { resolveAccount } from "./resolveAccount.js";

/** Everything a chain command needs: clients, the ledger address, the signer. */
export type LedgerContext = {
  publicClient: PublicClient<Transport, Chain>;
  walletClient: WalletClient<Transport, Chain, LocalAccount> | undefined;
  account: LocalAccount | undefined;
  chainId: number;
  rpcUrl: string;
  ledger: Address;
  /** The ledger's version, read from the contract (v2 answers `SALES()`, v1 does not). */
  version: LedgerVersion;
  /** Block the ledger was deployed in (from the deployment record; 0 when unknown). */
  deployBlock: bigint;
  loaded: LoadedConfig;
};

/** Parameters of {@link openLedger}. */
export type OpenLedgerParameters = {
  /** Whether the command sends transactions (resolves the account). */
  signer: boolean;
  /** The flag that gave `options.rpcUrl` when it is not --rpc-url (e.g. a command's own `--rpc`), named in errors. */
  rpcFlag?: string | undefined;
  /** The first RPC's chain id when the caller has just asked it (not asked again). */
  knownChainId?: number | undefined;
};

/**
 * Resolves settings (flags > KEYTRAIL_* environment > keytrail.config.json > deployment record),
 * connects to the RPC, checks the chain id against the config, finds the ledger and checks that
 * code is deployed there, reads the ledger's version (1 or 2), and (for writing commands) resolves the signing account.
 *
 * @param options - the global command-line options.
 * @param parameters - see {@link OpenLedgerParameters}.
 * @returns the {@link LedgerContext}.
 * @example
 * const ctx = await openLedger(cmd.optsWithGlobals(), { signer: true });
 */
export async function openLedger(options: GlobalOptions, parameters: OpenLedgerParameters): Promise<LedgerContext> {
  const clients = await connectChain(options, {
    rpcFlag: parameters.rpcFlag,
    knownChainId: parameters.knownChainId,
  });
  const { chainId, publicClient, loaded, rpcUrl } = clients;
  const { config } = loaded;
  const deployment = readDeployment(loaded.dir, chainId);
  const ledgerText = pickLedger({
    flag: options.ledger,
    environment: process.env.KEYTRAIL_LEDGER,
    config,
    chainId,
    deployment: deployment?.ledger,
  })?.ledger;
  if (!ledgerText) {
    throw new CliError(`No KeyTrail ledger is known for chain id ${chainId} (RPC ${rpcUrl}).`, {
      details:
        "Deploy one with `keytrail deploy`, or name it with --ledger, KEYTRAIL_LEDGER or `keytrail init --ledger ADDRESS`.",
    });
  }
  if (!isAddress(ledgerText, { strict: false }))
    throw new CliUsageError(`Ledger address ${JSON.stringify(ledgerText)} is not a 20-byte hex address.`);
  const ledger = getAddress(ledgerText);
  // The code, the KeyTrail check and the version are three reads of one round: sent at once, judged in
  // this order (no code, then not a ledger, then the version).
  const [code, answersBatchIdOf, answersSales] = await Promise.allSettled([
    publicClient.getCode({ address: ledger }),
    publicClient.readContract({ address: ledger, abi: keyLedgerAbi, functionName: "batchIdOf", args: [ledger, ""] }),
    publicClient.readContract({ address: ledger, abi: keyLedgerV2Abi, functionName: "SALES" }),
  ]);
  if (code.status === "rejected") throw code.reason;
  if (!code.value || code.value === "0x") {
    throw new CliError(`No contract code at ledger address ${ledger} on chain id ${chainId} (RPC ${rpcUrl}).`, {
      details:
        "The address is wrong for this network, or the node was restarted and lost its state: redeploy with `keytrail deploy`.",
    });
  }
  if (answersBatchIdOf.status === "rejected") {
    throw new CliError(
      `The contract at ${ledger} on chain id ${chainId} is not a KeyTrail ledger (it does not answer batchIdOf).`,
      { cause: answersBatchIdOf.reason },
    );
  }
  // v1 has no SALES(): the call reverts. A node that stops answering is not a version.
  const salesError: unknown = answersSales.status === "rejected" ? answersSales.reason : undefined;
  if (
    salesError instanceof ViemError &&
    salesError.walk((x) => x instanceof HttpRequestError || x instanceof TimeoutError)
  )
    throw new RpcUnreachableError(rpcUrl, { cause: salesError });
  const version: LedgerVersion = answersSales.status === "fulfilled" ? 2 : 1;
  const deployBlock =
    deployment && getAddress(deployment.ledger) === ledger
      ? BigInt(deployment.deployBlock)
      : config.ledger && getAddress(config.ledger) === ledger && config.deployBlock !== undefined
        ? BigInt(config.deployBlock)
        : 0n;
  let account: LocalAccount | undefined;
  let walletClient: LedgerContext["walletClient"];
  if (parameters.signer) {
    account = await resolveAccount({
      testIndex: options.account,
      keystore: options.keystore,
      configured: config.account,
      chainId,
    });
    walletClient = createWalletClient({ account, chain: clients.chain, transport: clients.transport });
  }
  return { publicClient, walletClient, account, chainId, rpcUrl, ledger, version, deployBlock, loaded };
}
