import type { Command } from "commander";
import { PARTY_KIND_NAMES } from "../../../lib/parties/partyKinds.js";
import { keccak256, parseEventLogs, toHex, zeroHash, type Hex } from "viem";
import { keyLedgerAbi } from "../../../lib/abi/keyLedgerAbi.js";
import { keyLedgerV2Abi } from "../../../lib/abi/keyLedgerV2Abi.js";
import { encodeProfileUri } from "../../../lib/parties/encodeProfileUri.js";
import { readProfileName } from "../../../lib/parties/readProfileName.js";
import { openLedger } from "../chain/openLedger.js";
import { readPartyProfileUri } from "../chain/readPartyProfileUri.js";
import { sendLedgerTx } from "../chain/sendLedgerTx.js";
import { CliError, CliUsageError } from "../errors.js";
import { addExamples } from "../io/addExamples.js";
import { createOutput } from "../io/createOutput.js";
import { hashFile } from "../io/hashFile.js";
import { showChainText } from "../io/showChainText.js";
import { parseAddress } from "../parse/parseAddress.js";
import { parseTime } from "../parse/parseTime.js";
import type { GlobalOptions } from "../types.js";

const KINDS = PARTY_KIND_NAMES;
type ProfileOptions = {
  kind?: string;
  profile?: string;
  profileHash?: string;
  profileUri?: string;
  name?: string;
  accreditedUntil?: string;
  reason?: string;
  json?: boolean;
};

function profileHashOf(o: ProfileOptions): Hex {
  if (o.profile && o.profileHash)
    throw new CliUsageError("Give either --profile FILE or --profile-hash HEX, not both.");
  if (o.profile) return hashFile(o.profile, "--profile");
  if (o.profileHash) {
    if (!/^0x[0-9a-fA-F]{64}$/.test(o.profileHash))
      throw new CliUsageError(`--profile-hash ${JSON.stringify(o.profileHash)} is not 0x and 64 hex digits.`);
    return o.profileHash as Hex;
  }
  return zeroHash;
}

function kindOf(text: string | undefined): number {
  const i = KINDS.indexOf((text ?? "").toLowerCase() as (typeof KINDS)[number]);
  if (i < 1)
    throw new CliUsageError(
      `--kind ${JSON.stringify(text ?? "")} is not a party kind: expected supplier, distributor or retailer.`,
    );
  return i;
}

/**
 * `keytrail party register|update|suspend|reinstate|show|rekey` (registrar; suspend/reinstate also
 * regulator; v2: a regulator's suspension is lifted by a regulator only; `rekey propose` by a
 * registrar, `rekey confirm` by a different account with the regulator role).
 *
 * @param program - the root command.
 * @example
 * registerPartyCommand(program);
 */
/** The profile URI to record: a display-name data URI when --name is given, else --profile-uri. */
function profileUriOf(o: ProfileOptions): string {
  if (o.name === undefined) return o.profileUri ?? "";
  try {
    return encodeProfileUri({ name: o.name, uri: o.profileUri || undefined });
  } catch (e) {
    throw new CliUsageError(`--name: ${(e as Error).message}`);
  }
}

export function registerPartyCommand(program: Command): void {
  const party = program
    .command("party")
    .description("register, update, suspend, reinstate or show a party (supplier, distributor, retailer)");
  addExamples(
    party,
    "keytrail party register 0x7099…79C8 --kind supplier --profile licences.zip --accredited-until 2027-12-31",
  );

  const withProfile = (c: Command) =>
    c
      .option(
        "--profile <file>",
        "licence bundle (营业执照, ICP …): its keccak256 is recorded, the file stays with you",
      )
      .option("--profile-hash <hex>", "profile hash given directly")
      .option("--profile-uri <uri>", "where the public profile is published", "")
      .option(
        "--name <name>",
        "display name the registrar verified (e.g. 星河游戏 Galaxy Games): recorded on chain in the profile URI, with --profile-uri inside it",
      )
      .option("--accredited-until <time>", "accreditation expiry: date, Unix seconds, 365d or never", "never");

  const register = withProfile(party.command("register <address>").description("register a party (registrar)"))
    .requiredOption("--kind <kind>", "supplier | distributor | retailer")
    .action(async (addr: string, o: ProfileOptions, command: Command) => {
      const g = command.optsWithGlobals<GlobalOptions>();
      const who = parseAddress(addr, "party address");
      const kind = kindOf(o.kind);
      const hash = profileHashOf(o);
      const until = parseTime(o.accreditedUntil ?? "never", "--accredited-until");
      const profileUri = profileUriOf(o);
      const ctx = await openLedger(g, { signer: true });
      const { hash: tx } = await sendLedgerTx(ctx, {
        functionName: "registerParty",
        args: [who, kind, hash, profileUri, until],
        action: `register party ${who}`,
      });
      createOutput(g).result(`registered ${who} as ${KINDS[kind]} (tx ${tx})`);
    });
  addExamples(
    register,
    "keytrail party register 0x3C44…93BC --kind distributor --name '金鹏商贸 Jinpeng Trading' --profile-uri https://example.com/p/3c44 --accredited-until 365d --account 0",
  );

  const update = withProfile(
    party.command("update <address>").description("update a party's profile and accreditation (registrar)"),
  ).action(async (addr: string, o: ProfileOptions, command: Command) => {
    const g = command.optsWithGlobals<GlobalOptions>();
    const who = parseAddress(addr, "party address");
    const hash = profileHashOf(o);
    const until = parseTime(o.accreditedUntil ?? "never", "--accredited-until");
    const profileUri = profileUriOf(o);
    const ctx = await openLedger(g, { signer: true });
    const { hash: tx } = await sendLedgerTx(ctx, {
      functionName: "updateParty",
      args: [who, hash, profileUri, until],
      action: `update party ${who}`,
    });
    createOutput(g).result(`updated ${who} (tx ${tx})`);
  });
  addExamples(update, "keytrail party update 0x3C44…93BC --profile licences-2027.zip --accredited-until 2028-06-30");

  const suspend = party
    .command("suspend <address>")
    .description("suspend a party: it can no longer send, receive, anchor or authorise (registrar or regulator)")
    .option("--reason <text>", "reason (its keccak256 is recorded)", "")
    .action(async (addr: string, o: ProfileOptions, command: Command) => {
      const g = command.optsWithGlobals<GlobalOptions>();
      const who = parseAddress(addr, "party address");
      const ctx = await openLedger(g, { signer: true });
      const reasonHash = o.reason ? keccak256(toHex(o.reason)) : zeroHash;
      const { hash: tx, receipt } = await sendLedgerTx(ctx, {
        functionName: "suspendParty",
        args: [who, reasonHash],
        action: `suspend party ${who}`,
      });
      if (ctx.version === 2) {
        const [log] = parseEventLogs({ abi: keyLedgerV2Abi, eventName: "PartySuspended", logs: receipt.logs });
        const by = log?.args.byRegulator
          ? "by a regulator (only a regulator can reinstate it)"
          : "by a registrar (a registrar or a regulator can reinstate it)";
        createOutput(g).result(`suspended ${who} ${by} (tx ${tx})`);
      } else createOutput(g).result(`suspended ${who} (tx ${tx})`);
    });
  addExamples(suspend, 'keytrail party suspend 0x3C44…93BC --reason "licence withdrawn 2026-11-20"');

  const reinstate = party
    .command("reinstate <address>")
    .description("reinstate a suspended party (registrar or regulator; v2: a regulator's suspension, a regulator only)")
    .action(async (addr: string, _o: unknown, command: Command) => {
      const g = command.optsWithGlobals<GlobalOptions>();
      const who = parseAddress(addr, "party address");
      const ctx = await openLedger(g, { signer: true });
      const { hash: tx } = await sendLedgerTx(ctx, {
        functionName: "reinstateParty",
        args: [who],
        action: `reinstate party ${who}`,
      });
      createOutput(g).result(`reinstated ${who} (tx ${tx})`);
    });
  addExamples(reinstate, "keytrail party reinstate 0x3C44…93BC");

  const show = party
    .command("show <address>")
    .description("show a party's registration")
    .option("--json", "print JSON")
    .action(async (addr: string, o: ProfileOptions, command: Command) => {
      const g = command.optsWithGlobals<GlobalOptions>();
      const who = parseAddress(addr, "party address");
      const ctx = await openLedger(g, { signer: false });
      const [kind, id, suspended, suspendedByRegulator, accreditedUntil, profileHash] =
        ctx.version === 2
          ? await ctx.publicClient.readContract({
              address: ctx.ledger,
              abi: keyLedgerV2Abi,
              functionName: "partyOf",
              args: [who],
            })
          : await ctx.publicClient
              .readContract({ address: ctx.ledger, abi: keyLedgerAbi, functionName: "partyOf", args: [who] })
              .then(([k, s, a, p]) => [k, undefined, s, undefined, a, p] as const);
      const active = await ctx.publicClient.readContract({
        address: ctx.ledger,
        abi: keyLedgerAbi,
        functionName: "isActive",
        args: [who],
      });
      const out = createOutput(g);
      const profileUri =
        kind === 0
          ? undefined
          : await readPartyProfileUri(ctx, who).catch((e: unknown) => {
              out.info(
                `warning: the profile URI (display name) of ${who} could not be read from the ledger's logs: ${(e as { shortMessage?: string }).shortMessage ?? String(e)}`,
              );
              return undefined;
            });
      const name = readProfileName(profileUri);
      const info = {
        party: who,
        kind: KINDS[kind] ?? String(kind),
        name: name ?? null,
        registered: kind !== 0,
        suspended,
        active,
        accreditedUntil: accreditedUntil === 0n ? null : new Date(Number(accreditedUntil) * 1000).toISOString(),
        profileHash,
        profileUri: profileUri ?? null,
        ...(ctx.version === 2 ? { id: id ?? null, suspendedByRegulator: suspendedByRegulator ?? false } : {}),
      };
      if (o.json) out.json(info);
      else if (!info.registered) out.result(`${who} is not registered`);
      else {
        const named = name ? ` ${showChainText(name)}` : "";
        out.result(
          `${who} ${info.kind}${named}${id ? ` id ${id}` : ""}${suspended ? (suspendedByRegulator ? " SUSPENDED by a regulator" : " SUSPENDED") : ""} active=${active} accredited until ${info.accreditedUntil ?? "never"} profile ${profileHash}`,
        );
      }
    });
  addExamples(show, "keytrail party show 0x3C44…93BC --json");

  registerRekey(party);
}

/** `keytrail party rekey propose|confirm <old> <new>` (v2 only). */
function registerRekey(party: Command): void {
  const rekey = party
    .command("rekey")
    .description(
      "v2: move a party to a new account (lost or rotated key): a registrar proposes, a different regulator confirms",
    );
  addExamples(rekey, "keytrail party rekey propose 0x3C44…93BC 0x90F7…b906 --keystore registrar.json");
  for (const step of ["propose", "confirm"] as const) {
    const c = rekey
      .command(`${step} <old-address> <new-address>`)
      .description(
        step === "propose"
          ? "propose moving a party's id, custody, batches and authorisations to a new account (registrar)"
          : "confirm a proposed re-key (an account with the regulator role other than the proposer)",
      )
      .action(async (oldText: string, newText: string, _o: unknown, command: Command) => {
        const g = command.optsWithGlobals<GlobalOptions>();
        const oldAccount = parseAddress(oldText, "old address");
        const newAccount = parseAddress(newText, "new address");
        if (oldAccount === newAccount)
          throw new CliUsageError(`The old and new address are the same (${oldAccount}): nothing to re-key.`);
        const ctx = await openLedger(g, { signer: true });
        if (ctx.version !== 2)
          throw new CliError(`Ledger ${ctx.ledger} is a version 1 ledger: parties cannot be re-keyed there.`, {
            details: "Re-keys need a KeyLedger v2 (keytrail deploy deploys one).",
          });
        const { hash: tx } = await sendLedgerTx(ctx, {
          abi: keyLedgerV2Abi,
          functionName: step === "propose" ? "proposeRekey" : "confirmRekey",
          args: [oldAccount, newAccount],
          action: `${step} the re-key of party ${oldAccount} to ${newAccount}`,
        });
        createOutput(g).result(
          step === "propose"
            ? `proposed re-keying ${oldAccount} to ${newAccount} (tx ${tx}); a regulator other than you must confirm: keytrail party rekey confirm ${oldAccount} ${newAccount}`
            : `re-keyed ${oldAccount} to ${newAccount}: its custody, batches, authorisations and redeemers now belong to ${newAccount} (tx ${tx})`,
        );
      });
    addExamples(
      c,
      `keytrail party rekey ${step} 0x3C44…93BC 0x90F7…b906 --keystore ${step === "propose" ? "registrar" : "regulator"}.json`,
    );
  }
}
