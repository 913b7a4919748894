import { getAddress, isAddress, type Address } from "viem";
import { pickLedger } from "../../../lib/config/pickLedger.js";
import { openLedger } from "../chain/openLedger.js";
import { resolveAccount } from "../chain/resolveAccount.js";
import { expectedChainId } from "../config/expectedChainId.js";
import { loadConfig } from "../config/loadConfig.js";
import { readDeployment } from "../config/readDeployment.js";
import { CliUsageError } from "../errors.js";
import { parseAddress } from "../parse/parseAddress.js";
import type { GlobalOptions } from "../types.js";

/** Chain, ledger and supplier a batch is sealed for, and the portal its URLs point at. */
export type SealTarget = {
  chainId: number;
  ledger: Address;
  supplier: Address;
  portalBase: string | undefined;
  offline: boolean;
};

/**
 * Works out what a seal is for, offline when possible: chain id and ledger from flags, the
 * environment, the config and the deployment record; otherwise from the RPC. The supplier is
 * --supplier, else the signing account's address (the key itself is not needed to seal).
 *
 * @param options - global options plus --supplier.
 * @returns the {@link SealTarget}.
 * @example
 * const t = await resolveSealTarget({ ...g, supplier: "0x…" });
 */
export async function resolveSealTarget(
  options: GlobalOptions & { supplier?: string | undefined },
): Promise<SealTarget> {
  const loaded = loadConfig(options.config);
  const { config } = loaded;
  const chainId = expectedChainId(options, config);
  const ledgerText = pickLedger({
    flag: options.ledger,
    environment: process.env.KEYTRAIL_LEDGER,
    config,
    chainId,
    deployment: () => (chainId !== undefined ? readDeployment(loaded.dir, chainId)?.ledger : undefined),
  })?.ledger;
  let target: { chainId: number; ledger: Address; offline: boolean };
  if (chainId !== undefined && ledgerText) {
    if (!isAddress(ledgerText, { strict: false }))
      throw new CliUsageError(`Ledger address ${JSON.stringify(ledgerText)} is not a 20-byte hex address.`);
    target = { chainId, ledger: getAddress(ledgerText), offline: true };
  } else {
    const ctx = await openLedger(options, { signer: false });
    target = { chainId: ctx.chainId, ledger: ctx.ledger, offline: false };
  }
  const supplier = options.supplier
    ? parseAddress(options.supplier, "--supplier")
    : (
        await resolveAccount({
          testIndex: options.account,
          keystore: options.keystore,
          configured: config.account,
          chainId: target.chainId,
        })
      ).address;
  return { ...target, supplier, portalBase: config.portalBase };
}
