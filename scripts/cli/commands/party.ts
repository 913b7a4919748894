import type { Command } from "commander";
import { PARTY_KIND_NAMES } from "../../../lib/parties/partyKinds.js";
import { keccak256, toHex, zeroHash, type Hex } from "viem";
import { keyLedgerAbi } from "../../../lib/abi/keyLedgerAbi.js";
import { encodeProfileUri } from "../../../lib/parties/encodeProfileUri.js";
import { readProfileName } from "../../../lib/parties/readProfileName.js";
import { openLedger } from "../chain/openLedger.js";
import { readPartyProfileUri } from "../chain/readPartyProfileUri.js";
import { sendLedgerTx } from "../chain/sendLedgerTx.js";
import { CliUsageError } from "../errors.js";
import { addExamples } from "../io/addExamples.js";
import { createOutput } from "../io/createOutput.js";
import { hashFile } from "../io/hashFile.js";
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
 * `keytrail party register|update|suspend|reinstate|show` (registrar; suspend/reinstate also regulator).
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
      const { hash: tx } = await sendLedgerTx(ctx, {
        functionName: "suspendParty",
        args: [who, reasonHash],
        action: `suspend party ${who}`,
      });
      createOutput(g).result(`suspended ${who} (tx ${tx})`);
    });
  addExamples(suspend, 'keytrail party suspend 0x3C44…93BC --reason "licence withdrawn 2026-11-20"');

  const reinstate = party
    .command("reinstate <address>")
    .description("reinstate a suspended party (registrar or regulator)")
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
      const [kind, suspended, accreditedUntil, profileHash] = await ctx.publicClient.readContract({
        address: ctx.ledger,
        abi: keyLedgerAbi,
        functionName: "partyOf",
        args: [who],
      });
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
      };
      if (o.json) out.json(info);
      else if (!info.registered) out.result(`${who} is not registered`);
      else {
        const named = name ? ` ${JSON.stringify(name)}` : "";
        out.result(
          `${who} ${info.kind}${named}${suspended ? " SUSPENDED" : ""} active=${active} accredited until ${info.accreditedUntil ?? "never"} profile ${profileHash}`,
        );
      }
    });
  addExamples(show, "keytrail party show 0x3C44…93BC --json");
}
