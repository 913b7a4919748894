import type { Command } from "commander";
import { createWalletClient, getAddress, type Address } from "viem";
import { keyLedgerAbi } from "../../../lib/abi/keyLedgerAbi.js";
import { keyLedgerBytecode } from "../../../lib/abi/keyLedgerBytecode.js";
import { connectChain } from "../chain/connectChain.js";
import { decodeLedgerError } from "../chain/decodeLedgerError.js";
import { resolveAccount } from "../chain/resolveAccount.js";
import { waitForReceipt } from "../chain/waitForReceipt.js";
import { deploymentPath } from "../config/deploymentPath.js";
import type { DeploymentRecord } from "../config/deploymentRecord.js";
import { readDeployment } from "../config/readDeployment.js";
import { addExamples } from "../io/addExamples.js";
import { createOutput } from "../io/createOutput.js";
import { toJson } from "../io/toJson.js";
import { writeFileAtomic } from "../io/writeFileAtomic.js";
import { parseAddress } from "../parse/parseAddress.js";
import type { GlobalOptions } from "../types.js";

type DeployOptions = { admin?: string; new?: boolean; json?: boolean };

/**
 * `keytrail deploy`: deploys KeyLedger with viem (creation bytecode from lib/abi) to whatever the
 * RPC URL serves, and writes `.keytrail/deployments/<chainId>.json`. Re-running when a live
 * deployment is recorded reports it and changes nothing (pass --new for another one).
 *
 * @param program - the root command.
 * @example
 * registerDeployCommand(program);
 */
export function registerDeployCommand(program: Command): void {
  const cmd = program
    .command("deploy")
    .description("deploy the KeyLedger contract and write .keytrail/deployments/<chainId>.json")
    .option("--admin <address>", "admin (DEFAULT_ADMIN_ROLE and REGISTRAR_ROLE); default: the deploying account")
    .option("--new", "deploy again even if a live deployment is recorded for this chain")
    .option("--json", "print the deployment record as JSON")
    .action(async (opts: DeployOptions, command: Command) => {
      const g = command.optsWithGlobals<GlobalOptions & DeployOptions>();
      const out = createOutput(g);
      const chain = await connectChain(g);
      const { publicClient, chainId, loaded, rpcUrl } = chain;
      const existing = readDeployment(loaded.dir, chainId);
      if (existing && !opts.new) {
        const code = await publicClient.getCode({ address: existing.ledger as Address });
        if (code && code !== "0x") {
          out.info(
            `a KeyLedger is already deployed on chain id ${chainId} at ${existing.ledger} (block ${existing.deployBlock}); nothing changed (use --new for another one)`,
          );
          print(existing);
          return;
        }
        out.info(
          `the recorded ledger ${existing.ledger} has no code on chain id ${chainId} (node restarted?); deploying a new one`,
        );
      }
      const account = await resolveAccount({
        testIndex: g.account,
        keystore: g.keystore,
        configured: loaded.config.account,
        chainId,
      });
      const admin = opts.admin ? parseAddress(opts.admin, "--admin") : account.address;
      const wallet = createWalletClient({ account, chain: chain.chain, transport: chain.transport });
      const errCtx = { publicClient, account: account.address, chainId, rpcUrl, action: "deploy KeyLedger" };
      let hash: `0x${string}`;
      try {
        hash = await wallet.deployContract({
          abi: keyLedgerAbi,
          bytecode: keyLedgerBytecode as `0x${string}`,
          args: [admin],
        });
      } catch (e) {
        throw await decodeLedgerError(e, errCtx);
      }
      out.info(`deploy transaction ${hash} sent from ${account.address}; waiting for it to be mined`);
      const afterwards = `look transaction ${hash} up: if it landed, its receipt names the ledger (record it with keytrail init --ledger); a re-run of deploy deploys another one.`;
      const receipt = await waitForReceipt(
        { publicClient, rpcUrl },
        { hash, action: "deploy KeyLedger", afterwards },
      ).catch(async (e: unknown) => {
        throw await decodeLedgerError(e, errCtx);
      });
      if (receipt.status !== "success" || !receipt.contractAddress)
        throw await decodeLedgerError(new Error(`deploy transaction ${hash} reverted`), errCtx);
      const record: DeploymentRecord = {
        chainId,
        ledger: getAddress(receipt.contractAddress),
        deployBlock: Number(receipt.blockNumber),
        admin,
        txHash: hash,
      };
      writeFileAtomic(deploymentPath(loaded.dir, chainId), `${toJson(record)}\n`);
      if (
        loaded.exists &&
        loaded.config.ledger &&
        (loaded.config.chainId === undefined || loaded.config.chainId === chainId)
      ) {
        const next = { ...loaded.config, ledger: record.ledger };
        writeFileAtomic(loaded.path, `${toJson(next)}\n`);
        out.info(`updated the ledger address in ${loaded.path}`);
      }
      out.info(
        `KeyLedger deployed at ${record.ledger} on chain id ${chainId}, block ${record.deployBlock}; admin ${admin}`,
      );
      print(record);

      function print(r: DeploymentRecord) {
        if (opts.json) out.json(r);
        else out.result(`ledger ${r.ledger} chain ${r.chainId} block ${r.deployBlock} admin ${r.admin} tx ${r.txHash}`);
      }
    });
  addExamples(
    cmd,
    "keytrail deploy --account 0",
    "KEYTRAIL_RPC_URL=https://rpc.example keytrail deploy --keystore admin.json --chain-id 84532",
  );
}
