import { mkdir, readFile, writeFile } from "node:fs/promises";
import { dirname, join } from "node:path";
import type { Command } from "commander";
import type { PublicClient } from "viem";
import { AuditOptionError } from "../../../audit/errors.js";
import { exportEpcis } from "../../../audit/epcis/exportEpcis.js";
import type { IndexerSource } from "../../../audit/replay/readIndexerState.js";
import { writeAuditReport } from "../../../audit/report/writeAuditReport.js";
import { runAudit } from "../../../audit/runAudit.js";
import { followAudit } from "../../../audit/follow/followAudit.js";
import { findDeploymentBlock } from "../../../audit/replay/findDeploymentBlock.js";
import { auditRulesV2, landedAuditRules } from "../../../audit/rules/auditRulesV2.js";
import { parseAcknowledged } from "../../../audit/rules/parseAcknowledged.js";
import { createGasFunding, partyAccountsOf } from "../../../audit/funding/createGasFunding.js";
import type { LedgerEvent } from "../../../lib/state/types.js";
import { openLedger } from "../chain/openLedger.js";
import { addExamples } from "../io/addExamples.js";
import { createOutput } from "../io/createOutput.js";
import type { GlobalOptions } from "../types.js";
import type { Severity } from "../../../lib/formats/auditReport.js";

type AuditCliOptions = {
  rpc?: string;
  fromBlock?: string;
  toBlock?: string;
  indexerDb?: string;
  api?: string;
  out: string;
  export?: string;
  epcis?: string;
  timeZone?: string;
  period?: string;
  largeKeys?: string;
  largeValue?: string;
  rapidHops?: string;
  rapidWindow?: string;
  refundRate?: string;
  failOn?: string;
  json?: boolean;
  follow?: boolean;
  state?: string;
  confirmations?: string;
  pollInterval?: string;
  webhook?: string;
  webhookSecretEnv: string;
  rpcRetries?: string;
  rules?: string;
  ack?: string;
  volumeValue?: string;
  volumeKeys?: string;
  gasFunding?: boolean;
  fundingCache?: string;
  fundingFromBlock?: string;
  fundingMaxBlocks?: string;
  ignoreFunder?: string[];
  funderMaxParties?: string;
};

/** --ignore-funder ADDR (repeatable): each an address. */
const funders = (list: string[] | undefined): `0x${string}`[] => {
  const out: `0x${string}`[] = [];
  for (const a of list ?? []) {
    if (!/^0x[0-9a-fA-F]{40}$/.test(a))
      throw new AuditOptionError(`--ignore-funder ${JSON.stringify(a)} is not an address (0x and 40 hex digits).`);
    out.push(a.toLowerCase() as `0x${string}`);
  }
  return out;
};
/** The gas funding options shared by the one-shot audit and --follow. */
const fundingOptions = (o: AuditCliOptions) => {
  if (!o.gasFunding) {
    for (const [flag, v] of [
      ["--funding-cache", o.fundingCache],
      ["--funding-from-block", o.fundingFromBlock],
      ["--funding-max-blocks", o.fundingMaxBlocks],
      ["--ignore-funder", o.ignoreFunder],
      ["--funder-max-parties", o.funderMaxParties],
    ] as const)
      if (v !== undefined) throw new AuditOptionError(`${flag} needs --gas-funding.`);
    return null;
  }
  return {
    cachePath: o.fundingCache ?? join(o.out, "gas-funding.json"),
    fromBlock: block("--funding-from-block", o.fundingFromBlock),
    maxBlocks: count("--funding-max-blocks", o.fundingMaxBlocks),
    ignoreFunders: funders(o.ignoreFunder),
    funderMaxParties: count("--funder-max-parties", o.funderMaxParties),
  };
};

const block = (flag: string, v: string | undefined): bigint | undefined => {
  if (v === undefined) return undefined;
  if (!/^\d+$/.test(v))
    throw new AuditOptionError(`${flag} ${JSON.stringify(v)} is not a block number: expected a whole number.`);
  return BigInt(v);
};
const count = (flag: string, v: string | undefined): number | undefined => {
  if (v === undefined) return undefined;
  if (!/^\d+$/.test(v) || Number(v) < 1)
    throw new AuditOptionError(`${flag} ${JSON.stringify(v)} is not a positive whole number.`);
  return Number(v);
};
/** "CNY:500000,USD:70000" (minor units) -> { CNY: 500000n, USD: 70000n }. */
const values = (v: string | undefined, flag = "--large-value"): Record<string, bigint> | undefined => {
  if (v === undefined) return undefined;
  const out: Record<string, bigint> = {};
  for (const part of v.split(",")) {
    const m = /^([A-Z]{3}):(\d+)$/.exec(part.trim());
    if (!m)
      throw new AuditOptionError(`${flag} part ${JSON.stringify(part)} is not CUR:amount.`, {
        details: "Expected e.g. CNY:500000 (amount in the currency's minor unit: 500000 fen = 5,000.00 CNY).",
      });
    out[m[1]!] = BigInt(m[2]!);
  }
  return out;
};
/** A rate in [0, 1], e.g. "0.1". */
const rate = (flag: string, v: string | undefined): number | undefined => {
  if (v === undefined) return undefined;
  if (!/^(0(\.\d+)?|1(\.0+)?)$/.test(v))
    throw new AuditOptionError(`${flag} ${JSON.stringify(v)} is not a rate from 0 to 1.`);
  return Number(v);
};
const SEVERITIES: Severity[] = ["critical", "high", "medium", "low"];

/** `keytrail audit --follow`: the live watch (audit/follow/followAudit.ts); runs until interrupted. */
async function follow(o: AuditCliOptions, g: GlobalOptions, out: ReturnType<typeof createOutput>): Promise<void> {
  for (const [flag, given] of [
    ["--to-block", o.toBlock],
    ["--indexer-db", o.indexerDb],
    ["--api", o.api],
    ["--export", o.export],
    ["--epcis", o.epcis],
    ["--fail-on", o.failOn],
    ["--period", o.period],
  ] as const)
    if (given !== undefined) throw new AuditOptionError(`--follow does not take ${flag}: it follows the head.`);
  const confirmations = o.confirmations === "0" ? 0 : count("--confirmations", o.confirmations);
  const pollIntervalMs = count("--poll-interval", o.pollInterval);
  const rpcRetries = count("--rpc-retries", o.rpcRetries);
  let webhook: { url: string; secret: string } | undefined;
  if (o.webhook) {
    if (!/^https?:\/\/[^\s]+$/.test(o.webhook))
      throw new AuditOptionError(`--webhook ${JSON.stringify(o.webhook)} is not an http(s) URL.`);
    const secret = process.env[o.webhookSecretEnv];
    if (!secret)
      throw new AuditOptionError(`--webhook given but ${o.webhookSecretEnv} is not set.`, {
        details: "Set the shared secret in that environment variable (or name another with --webhook-secret-env).",
      });
    webhook = { url: o.webhook, secret };
  }
  const ctx = await openLedger(
    { ...g, ...(o.rpc ? { rpcUrl: o.rpc } : {}) },
    { signer: false, rpcFlag: o.rpc ? "--rpc" : undefined },
  );
  const client = ctx.publicClient as unknown as PublicClient;
  const fromBlock =
    block("--from-block", o.fromBlock) ??
    (ctx.deployBlock > 0n
      ? ctx.deployBlock
      : await findDeploymentBlock(client, { ledger: ctx.ledger, toBlock: await client.getBlockNumber() }));
  const statePath = o.state ?? join(o.out, "follow-state.json");
  await mkdir(dirname(statePath), { recursive: true });
  const fo = fundingOptions(o);
  const funding = fo
    ? await createGasFunding(client, {
        fromBlock: fo.fromBlock ?? fromBlock,
        cachePath: fo.cachePath,
        ...(fo.maxBlocks ? { maxBlocks: fo.maxBlocks } : {}),
        onProgress: (m) => out.info(m),
      })
    : null;
  const accounts = new Set<`0x${string}`>();
  out.info(`following ledger ${ctx.ledger} on chain ${ctx.chainId} from block ${fromBlock}; state ${statePath}`);
  // Runs until interrupted (the CLI exits 130 on SIGINT/SIGTERM; the state file is always consistent).
  await followAudit(client, {
    ledger: ctx.ledger,
    rules: o.rules === "landed" ? landedAuditRules : auditRulesV2,
    fromBlock,
    statePath,
    ...(funding && fo
      ? {
          gasFunding: funding.sources,
          ignoreFunders: fo.ignoreFunders,
          ...(fo.funderMaxParties ? { funderMaxParties: fo.funderMaxParties } : {}),
          // Fundings of the parties known so far, up to the block the new events reach.
          beforeEvaluate: async ({ toBlock, events }: { toBlock: number; events: readonly LedgerEvent[] }) => {
            for (const a of partyAccountsOf(events)) accounts.add(a);
            await funding.update(accounts, BigInt(toBlock));
          },
        }
      : {}),
    rpcUrl: ctx.rpcUrl,
    chainId: ctx.chainId,
    ...(confirmations === undefined ? {} : { confirmations }),
    ...(pollIntervalMs === undefined ? {} : { pollIntervalMs }),
    ...(rpcRetries === undefined ? {} : { rpcRetries }),
    ...(webhook ? { webhook } : {}),
    ...(o.largeKeys ? { largeTransferKeys: count("--large-keys", o.largeKeys)! } : {}),
    ...(o.largeValue ? { largeTransferValue: values(o.largeValue)! } : {}),
    ...(o.rapidHops ? { rapidHops: count("--rapid-hops", o.rapidHops)! } : {}),
    ...(o.rapidWindow ? { rapidHopsWindowSeconds: count("--rapid-window", o.rapidWindow)! } : {}),
    ...(o.refundRate ? { refundRate: rate("--refund-rate", o.refundRate)! } : {}),
    onFinding: (line) => out.result(line),
    onProgress: (m) => out.info(m),
  });
}

/**
 * `keytrail audit`: the regulator's independent audit. Replays every ledger event from the chain
 * alone, rebuilds state and its digest, runs the anomaly rules, computes supplier scorecards,
 * optionally compares with an indexer (database or HTTP API) and names the first divergence, and
 * writes audit.json, CSV per rule, report.html (and latest.json into an export folder, and an
 * EPCIS 2.0 file on request). Exit code 2 when the indexer diverges, 3 when --fail-on is met.
 *
 * @param program - the root command.
 * @example
 * registerAuditCommand(program);
 */
export function registerAuditCommand(program: Command): void {
  const cmd = program
    .command("audit")
    .description(
      "replay the ledger from the chain alone: state digest, anomaly rules, supplier scorecards, indexer comparison",
    )
    .option("--rpc <url>", "JSON-RPC URL (same as the global --rpc-url)")
    .option("--from-block <n>", "first block (default: the ledger's deployment block)")
    .option("--to-block <n>", "last block (default: the indexer's cursor when comparing, else the head)")
    .option(
      "--indexer-db <dir|url>",
      "indexer database to compare with: PGlite folder, postgres:// URL, or DATABASE_URL",
    )
    .option("--api <url>", "indexer HTTP API to compare digests with (e.g. http://127.0.0.1:8787)")
    .option("--out <dir>", "output folder", join("out", "audit"))
    .option("--export <dir>", "static export folder: also write <dir>/audit/latest.json for the portal")
    .option("--epcis <file>", "also write the ledger's events as an EPCIS 2.0 JSON-LD document")
    .option("--time-zone <offset>", "eventTimeZoneOffset of EPCIS events, e.g. +08:00", "+00:00")
    .option("--period <p>", "scorecard period: YYYY-Qn, YYYY or all (default: the quarter of the last event)")
    .option("--large-keys <n>", "large-transfer: keys per transaction above this (default 10000)")
    .option(
      "--large-value <CUR:amount,...>",
      "large-transfer: face value per transaction above this, minor units (default CNY:500000)",
    )
    .option("--rapid-hops <n>", "rapid-hops: this many transfers... (default 4)")
    .option("--rapid-window <seconds>", "...within this many seconds (default 3600)")
    .option("--refund-rate <rate>", "seller-refunds: refunded / sold keys of a seller from this rate (default 0.1)")
    .option("--fail-on <severity>", "exit 3 when a finding of this severity or worse exists (critical|high|medium|low)")
    .option("--rules <set>", "rule set: v2 (rules over time, docs/AUDIT.md) or landed (the first rules)", "v2")
    .option("--volume-value <CUR:amount,...>", "v2 volume limit per hour, minor units (default CNY:1000000000)")
    .option("--volume-keys <n>", "v2 volume limit in keys when the face value is unknown (default 200000)")
    .option("--ack <file>", "finding ids a regulator acknowledged (one per line or a JSON array): hidden and counted")
    .option("--json", "print the summary as JSON")
    .option("--gas-funding", "v2: link parties whose gas the same account paid (reads blocks; docs/AUDIT.md)")
    .option("--funding-cache <file>", "--gas-funding: cache of the blocks read (default <out>/gas-funding.json)")
    .option("--funding-from-block <n>", "--gas-funding: first block read (default the replay's first block)")
    .option("--funding-max-blocks <n>", "--gas-funding: blocks read per run at most (default 50000)")
    .option(
      "--ignore-funder <address>",
      "--gas-funding: a funder never used as a link (an exchange's hot wallet); repeatable",
      (v: string, prev: string[] | undefined) => [...(prev ?? []), v],
    )
    .option("--funder-max-parties <n>", "--gas-funding: a funder of more parties links none, reported once (default 5)")
    .option("--follow", "live watch: follow new blocks and print each new finding as one JSON line")
    .option("--state <file>", "--follow: state file (last block, findings emitted, queued webhooks)")
    .option("--confirmations <n>", "--follow: blocks a block must be buried under before it is audited", "1")
    .option("--poll-interval <ms>", "--follow: milliseconds between polls of the head", "1000")
    .option("--webhook <url>", "--follow: also POST each new finding here, HMAC-SHA256 signed")
    .option(
      "--webhook-secret-env <name>",
      "--follow: environment variable holding the webhook secret",
      "KEYTRAIL_WEBHOOK_SECRET",
    )
    .option("--rpc-retries <n>", "--follow: consecutive failed polls before giving up (default 6)")
    .action(async (o: AuditCliOptions, command: Command) => {
      const g = command.optsWithGlobals<GlobalOptions>();
      const out = createOutput(g);
      if (o.rules !== undefined && o.rules !== "landed" && o.rules !== "v2")
        throw new AuditOptionError(`--rules ${JSON.stringify(o.rules)} is not a rule set: expected landed or v2.`);
      if (o.follow) return follow(o, g, out);
      if (o.indexerDb && o.api) throw new AuditOptionError("Give either --indexer-db or --api, not both.");
      if (o.failOn && !SEVERITIES.includes(o.failOn as Severity))
        throw new AuditOptionError(
          `--fail-on ${JSON.stringify(o.failOn)} is not a severity: expected critical, high, medium or low.`,
        );
      if (o.timeZone && !/^[+-]((0\d|1[0-3]):[0-5]\d|14:00)$/.test(o.timeZone))
        throw new AuditOptionError(`--time-zone ${JSON.stringify(o.timeZone)} is not an offset like +08:00.`);
      let acknowledged: string[] | undefined;
      if (o.ack !== undefined) {
        let text: string;
        try {
          text = await readFile(o.ack, "utf8");
        } catch (e) {
          throw new AuditOptionError(`--ack ${o.ack} cannot be read: ${e instanceof Error ? e.message : String(e)}.`);
        }
        acknowledged = parseAcknowledged(text, o.ack);
      }
      let indexer: IndexerSource | undefined;
      if (o.indexerDb) {
        if (o.indexerDb === "DATABASE_URL") {
          if (!process.env.DATABASE_URL)
            throw new AuditOptionError("--indexer-db DATABASE_URL given but DATABASE_URL is not set.");
          indexer = { kind: "db", databaseUrl: process.env.DATABASE_URL };
        } else if (/^postgres(ql)?:\/\//.test(o.indexerDb)) indexer = { kind: "db", databaseUrl: o.indexerDb };
        else indexer = { kind: "db", dataDir: o.indexerDb };
      } else if (o.api) indexer = { kind: "api", url: o.api };
      const fo = fundingOptions(o);
      if (fo) await mkdir(dirname(fo.cachePath), { recursive: true });
      const ctx = await openLedger(
        { ...g, ...(o.rpc ? { rpcUrl: o.rpc } : {}) },
        { signer: false, rpcFlag: o.rpc ? "--rpc" : undefined },
      );
      const fromBlock = block("--from-block", o.fromBlock) ?? (ctx.deployBlock > 0n ? ctx.deployBlock : undefined);
      const { report, events, state } = await runAudit(ctx.publicClient as unknown as PublicClient, {
        ledger: ctx.ledger,
        ...(fromBlock === undefined ? {} : { fromBlock }),
        ...(o.toBlock === undefined ? {} : { toBlock: block("--to-block", o.toBlock)! }),
        ...(indexer ? { indexer } : {}),
        ...(o.period ? { period: o.period } : {}),
        ...(o.largeKeys ? { largeTransferKeys: count("--large-keys", o.largeKeys)! } : {}),
        ...(o.largeValue ? { largeTransferValue: values(o.largeValue)! } : {}),
        ...(o.rapidHops ? { rapidHops: count("--rapid-hops", o.rapidHops)! } : {}),
        ...(o.rapidWindow ? { rapidHopsWindowSeconds: count("--rapid-window", o.rapidWindow)! } : {}),
        ...(o.refundRate ? { refundRate: rate("--refund-rate", o.refundRate)! } : {}),
        ...(o.volumeValue ? { volumeLimitValue: values(o.volumeValue, "--volume-value")! } : {}),
        ...(o.volumeKeys ? { volumeLimitKeys: count("--volume-keys", o.volumeKeys)! } : {}),
        rules: o.rules === "landed" ? landedAuditRules : auditRulesV2,
        ...(acknowledged ? { acknowledged } : {}),
        ...(fo
          ? {
              gasFundingScan: {
                cachePath: fo.cachePath,
                ...(fo.fromBlock === undefined ? {} : { fromBlock: fo.fromBlock }),
                ...(fo.maxBlocks ? { maxBlocks: fo.maxBlocks } : {}),
              },
              ignoreFunders: fo.ignoreFunders,
              ...(fo.funderMaxParties ? { funderMaxParties: fo.funderMaxParties } : {}),
            }
          : {}),
        onProgress: (line) => out.info(line),
      });
      const { files } = await writeAuditReport(report, {
        outDir: o.out,
        exportDir: o.export,
        parties: state.parties.values(),
      });
      if (o.epcis) {
        const doc = exportEpcis(events, {
          chainId: report.chain.chainId,
          ledger: report.chain.ledger,
          timeZoneOffset: o.timeZone ?? "+00:00",
          asOf: BigInt(report.chain.blockTimestamp ?? 0),
        });
        await mkdir(dirname(o.epcis), { recursive: true });
        await writeFile(o.epcis, JSON.stringify(doc, null, 2) + "\n", "utf8");
        files.push(o.epcis);
      }
      const s = report.summary;
      const summary = {
        chainId: report.chain.chainId,
        ledger: report.chain.ledger,
        blocks: [report.chain.fromBlock, report.chain.toBlock],
        events: report.replay.events,
        eventsPerSecond: report.replay.eventsPerSecond,
        digest: report.digest,
        indexer: report.indexer
          ? {
              source: report.indexer.source,
              block: report.indexer.block,
              match: report.indexer.match,
              firstDivergence: report.indexer.firstDivergence?.message ?? null,
            }
          : null,
        findings: s.bySeverity,
        ...(report.acknowledged ? { acknowledged: report.acknowledged.count } : {}),
        ...(report.ruleSet ? { rules: report.ruleSet } : {}),
        scorecards: report.scorecards.suppliers.map((c) => ({ supplier: c.supplier, score: c.score, grade: c.grade })),
        files,
      };
      if (o.json) out.json(summary);
      else {
        out.result(
          `replayed ${report.replay.events} events, blocks ${report.chain.fromBlock}-${report.chain.toBlock} of ledger ${report.chain.ledger}`,
        );
        out.result(`state digest ${report.digest}`);
        if (report.indexer) {
          out.result(
            report.indexer.match
              ? `indexer ${report.indexer.source} at block ${report.indexer.block}: digest matches`
              : `indexer ${report.indexer.source} at block ${report.indexer.block}: DIVERGES — ${report.indexer.firstDivergence?.message ?? "digests differ"}`,
          );
        }
        out.result(`findings: ${s.findings} (${SEVERITIES.map((k) => `${s.bySeverity[k]} ${k}`).join(", ")})`);
        for (const r of report.rules.filter((x) => x.findings > 0)) out.result(`  ${r.id}: ${r.findings}`);
        if (report.acknowledged) out.result(`acknowledged (hidden): ${report.acknowledged.count}`);
        for (const c of report.scorecards.suppliers)
          out.result(`supplier ${c.supplier}: ${c.score} (${c.grade}) in ${report.scorecards.period.label}`);
        out.result(`wrote ${files.length} files to ${o.out}${o.export ? ` and ${o.export}` : ""}`);
      }
      if (report.indexer && !report.indexer.match) process.exitCode = 2;
      else if (o.failOn) {
        const worst = SEVERITIES.slice(0, SEVERITIES.indexOf(o.failOn as Severity) + 1);
        if (worst.some((k) => s.bySeverity[k] > 0)) process.exitCode = 3;
      }
    });
  addExamples(
    cmd,
    "keytrail audit --rpc http://127.0.0.1:8545 --ledger 0x5FbD… --out out/audit",
    "keytrail audit --indexer-db .keytrail/db --export out/export --epcis out/epcis.jsonld --period 2026-Q4",
    "keytrail audit --api http://127.0.0.1:8787 --large-value CNY:500000 --fail-on high --json",
    "KEYTRAIL_WEBHOOK_SECRET=… keytrail audit --follow --webhook https://alerts.example/keytrail --state watch.json",
    "keytrail audit --rules v2 --ack reviewed.txt --fail-on high",
  );
}
