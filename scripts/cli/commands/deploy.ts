import type { Command } from "commander";
import { createWalletClient, getAddress, type Address } from "viem";
import { keyLedgerAbi } from "../../../lib/abi/keyLedgerAbi.js";
import { keyLedgerBytecode } from "../../../lib/abi/keyLedgerBytecode.js";
import { keyLedgerV2Abi } from "../../../lib/abi/keyLedgerV2Abi.js";
import { keyLedgerV2Bytecode } from "../../../lib/abi/keyLedgerV2Bytecode.js";
import { keyLedgerV2SalesBytecode } from "../../../lib/abi/keyLedgerV2SalesBytecode.js";
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
import { CliUsageError } from "../errors.js";
import { parseAddress } from "../parse/parseAddress.js";
import { parseDuration } from "../parse/parseDuration.js";
import type { GlobalOptions } from "../types.js";

type DeployOptions = { admin?: string; new?: boolean; json?: boolean; ledgerVersion: string; adminDelay: string };

/**
 * `keytrail deploy`: deploys KeyLedger v2 with viem (creation bytecodes from lib/abi: the sale
 * module, then the ledger with the admin and its admin delay; `--ledger-version 1` deploys the v1
 * ledger) to whatever the RPC URL serves, and writes `.keytrail/deployments/<chainId>.json` with the
 * version and (v2) the sale module's address. Re-running when a live
 * deployment is recorded reports it and changes nothing (pass --new for another one).
 *
 * @param program - the root command.
 * @example
 * registerDeployCommand(program);
 */
export function registerDeployCommand(program: Command): void {
  const cmd = program
    .command("deploy")
    .description("deploy the KeyLedger contract (v2 by default) and write .keytrail/deployments/<chainId>.json")
    .option("--admin <address>", "admin (DEFAULT_ADMIN_ROLE and REGISTRAR_ROLE); default: the deploying account")
    .option("--new", "deploy again even if a live deployment is recorded for this chain")
    .option("--ledger-version <n>", "ledger version: 2 (with sales, re-keys, two freeze layers) or 1", "2")
    .option("--admin-delay <duration>", "v2: delay before an admin transfer takes effect (seconds, or 1d, 12h …)", "1d")
    .option("--json", "print the deployment record as JSON")
    .action(async (opts: DeployOptions, command: Command) => {
      const g = command.optsWithGlobals<GlobalOptions & DeployOptions>();
      const out = createOutput(g);
      if (opts.ledgerVersion !== "1" && opts.ledgerVersion !== "2")
        throw new CliUsageError(
          `--ledger-version ${JSON.stringify(opts.ledgerVersion)} is not valid: expected 1 or 2.`,
        );
      const version: 1 | 2 = opts.ledgerVersion === "2" ? 2 : 1;
      const adminDelay = parseDuration(opts.adminDelay, "--admin-delay");
      if (version === 1 && command.getOptionValueSource("adminDelay") === "cli")
        throw new CliUsageError("--admin-delay applies to --ledger-version 2 only (v1 has no admin delay).");
      const chain = await connectChain(g);
      const { publicClient, chainId, loaded, rpcUrl } = chain;
      const existing = readDeployment(loaded.dir, chainId);
      if (existing && !opts.new) {
        const code = await publicClient.getCode({ address: existing.ledger as Address });
        if (code && code !== "0x") {
          if ((existing.version ?? 1) !== version)
            out.info(
              `the recorded ledger is version ${existing.version ?? 1}, not ${version}: pass --new to deploy a version ${version} ledger`,
            );
          out.info(
            `a KeyLedger (version ${existing.version ?? 1}) is already deployed on chain id ${chainId} at ${existing.ledger} (block ${existing.deployBlock}); nothing changed (use --new for another one)`,
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
      const errCtx = { publicClient, account: account.address, chainId, rpcUrl, version };
      /** Sends one creation transaction and waits for it; returns the new contract and its receipt. */
      const create = async (what: string, send: () => Promise<`0x${string}`>, afterwards: string) => {
        const action = `deploy ${what}`;
        let hash: `0x${string}`;
        try {
          hash = await send();
        } catch (e) {
          throw await decodeLedgerError(e, { ...errCtx, action });
        }
        out.info(`${what} deploy transaction ${hash} sent from ${account.address}; waiting for it to be mined`);
        const receipt = await waitForReceipt(
          { publicClient, rpcUrl },
          { hash, action, afterwards: `look transaction ${hash} up: ${afterwards}` },
        ).catch(async (e: unknown) => {
          throw await decodeLedgerError(e, { ...errCtx, action });
        });
        if (receipt.status !== "success" || !receipt.contractAddress)
          throw await decodeLedgerError(new Error(`deploy transaction ${hash} reverted`), { ...errCtx, action });
        return { hash, receipt, address: getAddress(receipt.contractAddress) };
      };
      const ledgerNote =
        "if it landed, its receipt names the ledger (record it with keytrail init --ledger); a re-run of deploy deploys another one.";
      let sales: Address | undefined;
      let deployed: Awaited<ReturnType<typeof create>>;
      if (version === 2) {
        sales = (
          await create(
            "the KeyLedger v2 sale module",
            () => wallet.deployContract({ abi: [], bytecode: keyLedgerV2SalesBytecode }),
            "if it landed, a re-run of deploy deploys another module (the first one stays unused).",
          )
        ).address;
        const module = sales;
        deployed = await create(
          "KeyLedger v2",
          () =>
            wallet.deployContract({
              abi: keyLedgerV2Abi,
              bytecode: keyLedgerV2Bytecode,
              args: [admin, adminDelay, module],
            }),
          ledgerNote,
        );
      } else {
        deployed = await create(
          "KeyLedger",
          () =>
            wallet.deployContract({ abi: keyLedgerAbi, bytecode: keyLedgerBytecode as `0x${string}`, args: [admin] }),
          ledgerNote,
        );
      }
      const { hash, receipt } = deployed;
      const record: DeploymentRecord = {
        chainId,
        ledger: deployed.address,
        deployBlock: Number(receipt.blockNumber),
        admin,
        txHash: hash,
        version,
        ...(sales ? { sales, adminDelay } : {}),
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
        `KeyLedger${version === 2 ? " v2" : ""} deployed at ${record.ledger} on chain id ${chainId}, block ${record.deployBlock}; admin ${admin}` +
          (sales ? `; sale module ${sales}; admin delay ${adminDelay} s` : ""),
      );
      print(record);

      function print(r: DeploymentRecord) {
        if (opts.json) out.json(r);
        else
          out.result(
            `ledger ${r.ledger} version ${r.version ?? 1} chain ${r.chainId} block ${r.deployBlock} admin ${r.admin} tx ${r.txHash}` +
              (r.sales ? ` sales ${r.sales}` : ""),
          );
      }
    });
  addExamples(
    cmd,
    "keytrail deploy --account 0",
    "keytrail deploy --account 0 --ledger-version 1   # the v1 ledger (no sales)",
    "KEYTRAIL_RPC_URL=https://rpc.example keytrail deploy --keystore admin.json --chain-id 84532",
  );
}
