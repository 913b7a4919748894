import { readFileSync, existsSync } from "node:fs";
import { mnemonicToAccount, privateKeyToAccount } from "viem/accounts";
import type { LocalAccount } from "viem";
import type { AccountSource } from "../config/configSchema.js";
import { CliError, CliUsageError } from "../errors.js";
import { promptHidden } from "../io/promptHidden.js";

/** The well-known mnemonic of Hardhat's local test accounts (public; never use it elsewhere). */
const TEST_MNEMONIC = "test test test test test test test test test test test junk";

/** Parameters of {@link resolveAccount}. */
export type ResolveAccountParameters = {
  /** `--account N`: the local chain's N-th test account. */
  testIndex?: string | undefined;
  /** `--keystore FILE`: an encrypted JSON keystore. */
  keystore?: string | undefined;
  /** The config file's account source. */
  configured?: AccountSource | undefined;
  /** The connected chain (test accounts only on 31337); undefined when offline. */
  chainId?: number | undefined;
};

/**
 * Finds the signing account: `--account N` (chain 31337 only), `--keystore FILE` (password from
 * KEYTRAIL_KEYSTORE_PASSWORD or a hidden prompt), KEYTRAIL_PRIVATE_KEY, or the config file's
 * source, in that order. The key is never printed.
 *
 * @param parameters - see {@link ResolveAccountParameters}.
 * @returns a viem local account.
 * @example
 * const account = await resolveAccount({ testIndex: "1", chainId: 31337 });
 */
export async function resolveAccount(parameters: ResolveAccountParameters): Promise<LocalAccount> {
  const source: AccountSource | undefined =
    parameters.testIndex !== undefined
      ? { source: "test", index: parseTestIndex(parameters.testIndex) }
      : parameters.keystore !== undefined
        ? { source: "keystore", path: parameters.keystore }
        : process.env.KEYTRAIL_PRIVATE_KEY
          ? { source: "env", variable: "KEYTRAIL_PRIVATE_KEY" }
          : parameters.configured;
  if (!source) {
    throw new CliUsageError("No signing account given.", {
      details:
        "Set KEYTRAIL_PRIVATE_KEY, pass --keystore FILE (an encrypted JSON keystore), or on a local chain (id 31337) --account N.",
    });
  }
  switch (source.source) {
    case "test": {
      if (parameters.chainId !== undefined && parameters.chainId !== 31337) {
        throw new CliUsageError(
          `--account ${source.index} selects a local test account, which exists only on chain 31337; this chain is ${parameters.chainId}.`,
          {
            details: "Use KEYTRAIL_PRIVATE_KEY or --keystore FILE on real networks.",
          },
        );
      }
      return mnemonicToAccount(TEST_MNEMONIC, { addressIndex: source.index });
    }
    case "env": {
      const value = (process.env[source.variable] ?? "").trim();
      if (!value)
        throw new CliUsageError(
          `Environment variable ${source.variable} is empty; it should hold the signing private key.`,
        );
      const hex = value.startsWith("0x") ? value : `0x${value}`;
      if (!/^0x[0-9a-fA-F]{64}$/.test(hex))
        throw new CliUsageError(
          `Environment variable ${source.variable} does not hold a 32-byte hex private key (value not shown).`,
        );
      return privateKeyToAccount(hex as `0x${string}`);
    }
    case "keystore": {
      if (!existsSync(source.path)) throw new CliUsageError(`Keystore file ${source.path} does not exist.`);
      const json = readFileSync(source.path, "utf8");
      const password =
        process.env.KEYTRAIL_KEYSTORE_PASSWORD ?? (await promptHidden(`Password for keystore ${source.path}: `));
      let privateKey: string;
      try {
        const { Wallet } = await import("ethers");
        privateKey = (await Wallet.fromEncryptedJson(json, password)).privateKey;
      } catch (e) {
        throw new CliError(
          `Keystore ${source.path} could not be opened: wrong password or not an encrypted JSON keystore.`,
          { cause: e },
        );
      }
      return privateKeyToAccount(privateKey as `0x${string}`);
    }
  }
}

function parseTestIndex(text: string): number {
  const n = Number(text);
  if (!Number.isInteger(n) || n < 0 || n > 19)
    throw new CliUsageError(`--account ${JSON.stringify(text)} is not a test account number; expected 0 to 19.`);
  return n;
}
