import type { Command } from "commander";
import { zeroHash } from "viem";
import { openLedger } from "../chain/openLedger.js";
import { sendLedgerTx } from "../chain/sendLedgerTx.js";
import { CliUsageError } from "../errors.js";
import { addExamples } from "../io/addExamples.js";
import { createOutput } from "../io/createOutput.js";
import { hashFile } from "../io/hashFile.js";
import { parseAddress } from "../parse/parseAddress.js";
import { parseTime } from "../parse/parseTime.js";
import type { GlobalOptions } from "../types.js";

type AuthorizeOptions = { tier: string; expires: string; certificate?: string };

/**
 * `keytrail authorize <distributor>` and `keytrail deauthorize <distributor>` (supplier): the
 * 授权书 of restricted batches, with its certificate file hashed (keccak256), never uploaded.
 *
 * @param program - the root command.
 * @example
 * registerAuthorizeCommands(program);
 */
export function registerAuthorizeCommands(program: Command): void {
  const auth = program
    .command("authorize <distributor>")
    .description("authorise a distributor to carry your keys (restricted batches); re-authorising updates it")
    .requiredOption("--tier <n>", "distribution tier (1 = first-level agent, 2 = second-level …)")
    .requiredOption("--expires <time>", "authorisation expiry: date, Unix seconds, 365d or never")
    .option("--certificate <file>", "the signed authorisation (授权书); its keccak256 is recorded")
    .action(async (addr: string, o: AuthorizeOptions, command: Command) => {
      const g = command.optsWithGlobals<GlobalOptions>();
      const who = parseAddress(addr, "distributor address");
      const tier = Number(o.tier);
      if (!Number.isInteger(tier) || tier < 1 || tier > 255)
        throw new CliUsageError(`--tier ${JSON.stringify(o.tier)} is not a tier: expected 1 to 255.`);
      const expires = parseTime(o.expires, "--expires");
      const cert = o.certificate ? hashFile(o.certificate, "--certificate") : zeroHash;
      const ctx = await openLedger(g, { signer: true });
      const { hash } = await sendLedgerTx(ctx, {
        functionName: "authorize",
        args: [who, tier, expires, cert],
        action: `authorise distributor ${who}`,
      });
      createOutput(g).result(
        `authorised ${who} tier ${tier} until ${expires === 0n ? "never" : new Date(Number(expires) * 1000).toISOString()} certificate ${cert} (tx ${hash})`,
      );
    });
  addExamples(
    auth,
    "keytrail authorize 0x3C44…93BC --tier 1 --expires 2027-06-30 --certificate 授权书-2026.pdf --keystore supplier.json",
  );

  const deauth = program
    .command("deauthorize <distributor>")
    .description("withdraw a distributor's authorisation")
    .action(async (addr: string, _o: unknown, command: Command) => {
      const g = command.optsWithGlobals<GlobalOptions>();
      const who = parseAddress(addr, "distributor address");
      const ctx = await openLedger(g, { signer: true });
      const { hash } = await sendLedgerTx(ctx, {
        functionName: "deauthorize",
        args: [who],
        action: `deauthorise distributor ${who}`,
      });
      createOutput(g).result(`deauthorised ${who} (tx ${hash})`);
    });
  addExamples(deauth, "keytrail deauthorize 0x3C44…93BC --keystore supplier.json");
}
