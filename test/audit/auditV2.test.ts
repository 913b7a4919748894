import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Ajv } from "ajv";
import addFormatsModule from "ajv-formats";
import { keccak256, toBytes, zeroHash, type Address, type Hex, type PublicClient } from "viem";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { exportEpcis } from "../../audit/epcis/exportEpcis.js";
import { fetchLedgerEvents } from "../../audit/replay/fetchLedgerEvents.js";
import { auditEvents } from "../../audit/rules/auditEvents.js";
import { auditRules } from "../../audit/rules/auditRules.js";
import { runAudit } from "../../audit/runAudit.js";
import type { AuditFinding } from "../../lib/formats/auditReport.js";
import { computeStateDigest } from "../../lib/state/computeStateDigest.js";
import { toSnapshot } from "../../lib/state/toSnapshot.js";
import type { DecodedLedgerLog, LedgerEvent } from "../../lib/state/types.js";
import { anchorParamsV2 } from "../contracts/helpersV2.js";
import { runAuditCli } from "./helpers/runAuditCli.js";
import { readLedgerEventsV2, seedV2Chain } from "./helpers/seedV2Chain.js";
import { serveProvider } from "./helpers/serveProvider.js";
import { syntheticEvent } from "./helpers/syntheticEvent.js";

type Seeded = Awaited<ReturnType<typeof seedV2Chain>>;
let seeded: Seeded;
let events: LedgerEvent[];
let findings: AuditFinding[];
/** Rule -> transactions it must fire at (exactly once each), on the v2 chain. */
const planted: Record<string, Hex[]> = {};
let batchC: Hex;
let batchD: Hex;
let lateRetail: Address;
let rpc: { url: string; close(): Promise<void> };
let dir: string;

const plant = (rule: string, tx: Hex) => (planted[rule] ??= []).push(tx);
/** Thresholds that keep large-transfer quiet on this small history. */
const quiet = { largeTransferValue: { CNY: 10n ** 15n } };

beforeAll(async () => {
  seeded = await seedV2Chain();
  const { env, batches } = seeded;
  const { as, wait, w } = env;
  const admin = as(w.admin);
  const supplier = (await env.viem.getWalletClients())[8]!; // the supplier's account after its re-key
  const sup = as(supplier);
  const late = (await env.viem.getWalletClients())[11]!;
  lateRetail = late.account.address.toLowerCase() as Address;
  const now = (await env.publicClient.getBlock()).timestamp;
  const rekeys = (await readLedgerEventsV2(env)).filter((e) => e.eventName === "PartyRekeyed");
  for (const e of rekeys) plant("party-rekeyed", e.txHash);
  // seller-refunds: the retailer refunded 1 of the 9 keys it sold (rate 0.11 >= 0.1), reported at its refund.
  const refund = (await readLedgerEventsV2(env)).find((e) => e.eventName === "SaleRefunded")!;
  plant("seller-refunds", refund.txHash);

  // redeemed-without-sale: batch b has sales; key 20 (held by the retailer) was never sold.
  const r = await wait(await sup.write.redeem([batches.b, 0n, 1n << 20n]));
  plant("redeemed-without-sale", r.transactionHash);

  // sold-after-expiry and a sale by a party whose accreditation expired.
  await wait(await sup.write.anchorBatch([anchorParamsV2("expiring", 20n, { expiresAt: now + 1_000n })]));
  await wait(await sup.write.anchorBatch([anchorParamsV2("no-expiry", 20n, { expiresAt: 0n })]));
  batchC = await sup.read.batchIdOf([supplier.account.address, "expiring"]);
  batchD = await sup.read.batchIdOf([supplier.account.address, "no-expiry"]);
  await wait(await admin.write.registerParty([lateRetail, 3, zeroHash, "", now + 500n]));
  await wait(await sup.write.authorize([lateRetail, 1, 0n, keccak256(toBytes("cert late"))]));
  await wait(await sup.write.transfer([batchD, 0n, 10n, lateRetail, zeroHash]));
  await env.provider.request({ method: "evm_increaseTime", params: [2_000] });
  await env.provider.request({ method: "evm_mine", params: [] });
  const soldLate = await as(supplier).write.sell([
    [
      {
        batchId: batchC,
        indices: [0n],
        commitments: [keccak256(toBytes("c0"))],
        orderRefs: [keccak256(toBytes("o0"))],
      },
    ],
    { store: zeroHash, terminal: zeroHash, amount: 1n, currency: "0x434e59" },
  ]);
  plant("sold-after-expiry", (await wait(soldLate)).transactionHash);
  const byExpired = await as(late).write.sell([
    [
      {
        batchId: batchD,
        indices: [3n],
        commitments: [keccak256(toBytes("c3"))],
        orderRefs: [keccak256(toBytes("o3"))],
      },
    ],
    { store: zeroHash, terminal: zeroHash, amount: 1n, currency: "0x434e59" },
  ]);
  plant("expired-accreditation-action", (await wait(byExpired)).transactionHash);

  ({ events } = await fetchLedgerEvents(env.publicClient as unknown as PublicClient, {
    ledger: env.address,
    fromBlock: 0n,
    toBlock: await env.publicClient.getBlockNumber(),
    chunkSize: 5n,
  }));
  ({ findings } = auditEvents(events, quiet));
  rpc = await serveProvider(env.provider);
  dir = await mkdtemp(join(tmpdir(), "keytrail-audit-v2-"));
});
afterAll(async () => {
  await rpc?.close();
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe("audit on KeyLedger v2 (in-process chain)", () => {
  it("replays every v2 log in chunks, and its state digest is the reducer's", async () => {
    const direct = await readLedgerEventsV2(seeded.env);
    expect(events.map((e) => `${e.txHash}:${e.logIndex}`)).toEqual(direct.map((e) => `${e.txHash}:${e.logIndex}`));
    expect(events).toEqual(direct);
    const { report, snapshot } = await runAudit(seeded.env.publicClient as unknown as PublicClient, {
      ledger: seeded.env.address,
      ...quiet,
    });
    expect(report.digest).toBe(computeStateDigest(snapshot));
    expect(snapshot.version).toBe(2);
    expect(snapshot.sales.length).toBe(5);
  });

  it("fires each planted rule exactly at its planted transactions, and nothing else", () => {
    const got = findings.map((f) => `${f.ruleId} ${f.txHash}`).sort();
    const want = Object.entries(planted)
      .flatMap(([rule, txs]) => txs.map((tx) => `${rule} ${tx}`))
      .sort();
    expect(got).toEqual(want);
  });

  it("plants every rule only a v2 ledger can show (the v1 seeded chain plants the others)", () => {
    const v2Only = ["party-rekeyed", "seller-refunds", "redeemed-without-sale", "sold-after-expiry"];
    for (const id of v2Only) expect(auditRules.map((r) => r.id)).toContain(id);
    expect(Object.keys(planted)).toEqual(expect.arrayContaining(v2Only));
  });

  it("names proposer and confirmer of a re-key, a seller's refund count and rate, the sale's keys", () => {
    const { accounts, env } = seeded;
    const rekey = findings.find((f) => f.ruleId === "party-rekeyed" && f.details.newAccount === accounts.newSupplier)!;
    expect(rekey.details).toMatchObject({
      partyId: 1,
      oldAccount: env.addr(env.w.supplier).toLowerCase(),
      proposer: env.addr(env.w.admin).toLowerCase(),
      confirmer: env.addr(env.w.regulator).toLowerCase(),
      batchesMoved: 2,
    });
    const refunds = findings.find((f) => f.ruleId === "seller-refunds")!;
    expect(refunds.details).toEqual({ refunds: 1, keysSold: 9, refundRate: 0.1111 });
    expect(refunds.parties).toEqual([accounts.newRetail]);
    expect(findings.find((f) => f.ruleId === "sold-after-expiry")).toMatchObject({
      batchId: batchC,
      ranges: [{ start: 0, end: 1 }],
    });
    expect(findings.find((f) => f.ruleId === "expired-accreditation-action")).toMatchObject({
      batchId: batchD,
      parties: [lateRetail],
      details: { role: "seller" },
    });
    expect(findings.find((f) => f.ruleId === "redeemed-without-sale")).toMatchObject({
      batchId: seeded.batches.b,
      ranges: [{ start: 20, end: 21 }],
    });
    // A higher threshold silences seller-refunds.
    expect(auditEvents(events, { ...quiet, refundRate: 0.2 }).findings.some((f) => f.ruleId === "seller-refunds")).toBe(
      false,
    );
  });

  it("flags a regulator-layer act by a non-regulator and a redemption of unsold keys of a sale-required batch (synthetic)", () => {
    const { batches } = seeded;
    const last = events[events.length - 1]!;
    const supplierNow = seeded.accounts.newSupplier;
    const plan: [string, DecodedLedgerLog][] = [
      [
        "unauthorised-actor",
        {
          eventName: "KeysReinstated",
          args: { batchId: batches.a, by: supplierNow, start: 15n, end: 30n, byRegulator: true },
        },
      ],
      [
        "redeemed-without-sale",
        { eventName: "KeysRedeemed", args: { batchId: batches.a, by: supplierNow, wordIndex: 0n, mask: 1n << 120n } },
      ],
    ];
    const extra = plan.map(([, log], i) => syntheticEvent(last, i + 1, log));
    const got = auditEvents([...events, ...extra], quiet).findings.filter(
      (f) => f.blockNumber > Number(last.blockNumber),
    );
    expect(got.map((f) => f.ruleId)).toEqual(plan.map(([r]) => r));
    expect(got[1]!.details).toEqual({ saleRequired: true });
  });

  it("scorecards count sales and refunds; EPCIS maps sales to retail_selling and refunds to returned", async () => {
    const { report } = await runAudit(seeded.env.publicClient as unknown as PublicClient, {
      ledger: seeded.env.address,
      period: "all",
      ...quiet,
    });
    const card = report.scorecards.suppliers.find((s) => s.supplier === seeded.accounts.newSupplier)!;
    expect(card).toMatchObject({ keysSold: 11, keysRefunded: 1, refundRate: 0.0909 });
    const doc = exportEpcis(events, { chainId: 31337, ledger: seeded.env.address });
    const schemaPath = join(import.meta.dirname, "..", "fixtures", "epcis", "EPCIS-JSON-Schema.json");
    const addFormats = addFormatsModule as unknown as (a: Ajv) => Ajv;
    const validate = addFormats(new Ajv({ strict: false, allErrors: true })).compile(
      JSON.parse(await readFile(schemaPath, "utf8")) as object,
    );
    validate(doc);
    expect(validate.errors ?? []).toEqual([]);
    const sold = doc.epcisBody.eventList.filter((e) => e["keytrail:event"] === "KeysSold");
    expect(sold).toHaveLength(5);
    expect(sold[0]).toMatchObject({ bizStep: "retail_selling", disposition: "retail_sold", action: "OBSERVE" });
    expect(sold[0]!["keytrail:ranges"]).toBe("100-104 110-111");
    const back = doc.epcisBody.eventList.filter((e) => e["keytrail:event"] === "SaleRefunded");
    expect(back).toEqual([
      expect.objectContaining({ bizStep: "receiving", disposition: "returned", "keytrail:ranges": "102-103" }),
    ]);
  });

  it("`keytrail audit` runs end to end on the v2 chain over JSON-RPC", async () => {
    const out = join(dir, "out");
    const { stdout } = await runAuditCli([
      "audit",
      "--rpc",
      rpc.url,
      "--ledger",
      seeded.env.address,
      "--out",
      out,
      "--rules",
      "landed", // the landed rules on a v2 chain (Audit v2 on a chain: auditV2Evasions.test.ts)
      "--large-value",
      "CNY:1000000000000000",
      "--refund-rate",
      "0.05",
      "--json",
      "-q",
    ]);
    const summary = JSON.parse(stdout) as { digest: string; findings: Record<string, number> };
    const report = JSON.parse(await readFile(join(out, "audit.json"), "utf8")) as {
      digest: string;
      findings: { ruleId: string }[];
      options: { refundRate: number };
    };
    expect(report.digest).toBe(summary.digest);
    expect(report.digest).toBe(computeStateDigest(toSnapshot(auditEvents(events).state)));
    expect(report.options.refundRate).toBe(0.05);
    expect(report.findings.map((f) => f.ruleId).sort()).toEqual(findings.map((f) => f.ruleId).sort());
    await expect(
      runAuditCli(["audit", "--rpc", rpc.url, "--ledger", seeded.env.address, "--refund-rate", "2"]),
    ).rejects.toThrow(/--refund-rate "2" is not a rate from 0 to 1/);
  });
});
