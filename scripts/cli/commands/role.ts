import type { Command } from "commander";
import { keccak256, toHex } from "viem";
import { openLedger } from "../chain/openLedger.js";
import { sendLedgerTx } from "../chain/sendLedgerTx.js";
import { CliUsageError } from "../errors.js";
import { addExamples } from "../io/addExamples.js";
import { createOutput } from "../io/createOutput.js";
import { parseAddress } from "../parse/parseAddress.js";
import type { GlobalOptions } from "../types.js";

const ROLES = { regulator: "REGULATOR_ROLE", registrar: "REGISTRAR_ROLE" } as const;

function roleOf(name: string) {
  const key = name.toLowerCase() as keyof typeof ROLES;
  if (!(key in ROLES))
    throw new CliUsageError(`Role ${JSON.stringify(name)} is unknown: expected regulator or registrar.`);
  return { name: ROLES[key], hash: keccak256(toHex(ROLES[key])) };
}

/**
 * `keytrail role grant|revoke regulator|registrar <address>` (ledger admin).
 *
 * @param program - the root command.
 * @example
 * registerRoleCommand(program);
 */
export function registerRoleCommand(program: Command): void {
  const role = program.command("role").description("grant or revoke the regulator or registrar role (admin)");
  for (const verb of ["grant", "revoke"] as const) {
    const c = role
      .command(`${verb} <role> <address>`)
      .description(`${verb} a role: regulator (may suspend parties, revoke any batch) or registrar (registers parties)`)
      .action(async (roleName: string, addr: string, _o: unknown, command: Command) => {
        const g = command.optsWithGlobals<GlobalOptions>();
        const r = roleOf(roleName);
        const who = parseAddress(addr, "account");
        const ctx = await openLedger(g, { signer: true });
        const { hash } = await sendLedgerTx(ctx, {
          functionName: verb === "grant" ? "grantRole" : "revokeRole",
          args: [r.hash, who],
          action: `${verb} ${r.name} ${verb === "grant" ? "to" : "from"} ${who}`,
        });
        createOutput(g).result(
          `${verb === "grant" ? "granted" : "revoked"} ${r.name} ${verb === "grant" ? "to" : "from"} ${who} (tx ${hash})`,
        );
      });
    addExamples(c, `keytrail role ${verb} regulator 0x90F7…b906 --account 0`);
  }
}
