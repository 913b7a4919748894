import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runAuditCli } from "./helpers/runAuditCli.js";
import { seedAuditChain, type SeededChain } from "./helpers/seedAuditChain.js";
import { serveProvider } from "./helpers/serveProvider.js";

let chain: SeededChain;
let rpc: { url: string; close(): Promise<void> };
let dir: string;

beforeAll(async () => {
  chain = await seedAuditChain();
  rpc = await serveProvider(chain.provider);
  dir = await mkdtemp(join(tmpdir(), "keytrail-audit-cli-"));
});
afterAll(async () => {
  await rpc?.close();
  if (dir) await rm(dir, { recursive: true, force: true });
});

/** `keytrail audit --rpc <node> --ledger <ledger> …args` on the test chain. */
const auditChain = (args: string[]) => runAuditCli(["audit", "--rpc", rpc.url, "--ledger", chain.ledger, ...args]);

describe("keytrail audit (CLI)", () => {
  it("audits over JSON-RPC, writes every output and exits 3 with --fail-on high", async () => {
    const out = join(dir, "out");
    const exp = join(dir, "export");
    const epcis = join(dir, "epcis.jsonld");
    const { stdout, exitCode } = await auditChain([
      "--out",
      out,
      "--export",
      exp,
      "--epcis",
      epcis,
      "--time-zone",
      "+08:00",
      "--json",
      "--fail-on",
      "high",
      "--rules",
      "landed", // the first rule set's counts (Audit v2's are in auditV2Evasions.test.ts)
      "-q",
    ]);
    const summary = JSON.parse(stdout) as {
      digest: string;
      findings: Record<string, number>;
      blocks: number[];
      files: string[];
    };
    expect(summary.findings).toEqual({ critical: 0, high: 3, medium: 4, low: 1 });
    expect(summary.blocks[0]).toBe(1);
    expect(exitCode).toBe(3);
    const report = JSON.parse(await readFile(join(out, "audit.json"), "utf8")) as { digest: string };
    expect(report.digest).toBe(summary.digest);
    expect(JSON.parse(await readFile(join(exp, "audit", "latest.json"), "utf8"))).toMatchObject({
      digest: summary.digest,
    });
    const doc = JSON.parse(await readFile(epcis, "utf8")) as {
      epcisBody: { eventList: { eventTimeZoneOffset: string }[] };
    };
    expect(doc.epcisBody.eventList[0]!.eventTimeZoneOffset).toBe("+08:00");
  });

  it("applies thresholds from flags and refuses bad ones by name", async () => {
    const out = join(dir, "out2");
    const { stdout } = await auditChain([
      "--out",
      out,
      "--large-value",
      "CNY:10000000",
      "--rapid-hops",
      "5",
      "--json",
      "-q",
    ]);
    const summary = JSON.parse(stdout) as { findings: Record<string, number> };
    expect(summary.findings).toEqual({ critical: 0, high: 3, medium: 2, low: 1 });
    await expect(auditChain(["--large-value", "5000CNY"])).rejects.toThrow(/--large-value part "5000CNY"/);
    await expect(auditChain(["--from-block", "ten"])).rejects.toThrow(/--from-block "ten"/);
    await expect(auditChain(["--api", "http://127.0.0.1:9", "--indexer-db", "x"])).rejects.toThrow(
      /either --indexer-db or --api/,
    );
  });
});
