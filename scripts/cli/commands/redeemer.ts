import type { Command } from "commander";
import { openLedger } from "../chain/openLedger.js";
import { sendLedgerTx } from "../chain/sendLedgerTx.js";
import { addExamples } from "../io/addExamples.js";
import { createOutput } from "../io/createOutput.js";
import { parseAddress } from "../parse/parseAddress.js";
import type { GlobalOptions } from "../types.js";

/**
 * `keytrail redeemer add|remove <address>` (supplier): who may mark the supplier's keys redeemed
 * (e.g. the game's top-up server).
 *
 * @param program - the root command.
 * @example
 * registerRedeemerCommand(program);
 */
export function registerRedeemerCommand(program: Command): void {
  const r = program.command("redeemer").description("allow or disallow an account to mark your keys redeemed");
  for (const verb of ["add", "remove"] as const) {
    const c = r
      .command(`${verb} <address>`)
      .description(verb === "add" ? "allow a redeemer" : "disallow a redeemer")
      .action(async (addr: string, _o: unknown, command: Command) => {
        const g = command.optsWithGlobals<GlobalOptions>();
        const who = parseAddress(addr, "redeemer address");
        const ctx = await openLedger(g, { signer: true });
        const { hash } = await sendLedgerTx(ctx, {
          functionName: "setRedeemer",
          args: [who, verb === "add"],
          action: `${verb} redeemer ${who}`,
        });
        createOutput(g).result(`${verb === "add" ? "added" : "removed"} redeemer ${who} (tx ${hash})`);
      });
    addExamples(c, `keytrail redeemer ${verb} 0x15d3…6A65 --keystore supplier.json`);
  }
}
