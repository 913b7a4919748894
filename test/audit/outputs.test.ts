import { mkdtemp, readdir, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Ajv } from "ajv";
import addFormatsModule from "ajv-formats";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { exportEpcis } from "../../audit/epcis/exportEpcis.js";
import { epcisPreHash } from "../../audit/epcis/epcisPreHash.js";
import { gtinFromProductId } from "../../audit/epcis/gtinFromProductId.js";
import { writeAuditReport } from "../../audit/report/writeAuditReport.js";
import { runAudit, type RunAuditReturnType } from "../../audit/runAudit.js";
import { computeStateDigest } from "../../lib/state/computeStateDigest.js";
import { computeStateDigest as computeStateDigestV1 } from "../../lib/state/v1/computeStateDigest.js";
import { toSnapshotV1 } from "../../lib/state/v1/toSnapshotV1.js";
import type { Address } from "viem";
import { seedAuditChain, type SeededChain } from "./helpers/seedAuditChain.js";
import { seedV2Chain } from "./helpers/seedV2Chain.js";
import { serveProvider } from "./helpers/serveProvider.js";
import type { AuditReport } from "../../lib/formats/auditReport.js";

const addFormats = addFormatsModule as unknown as (ajv: Ajv) => Ajv;
let chain: SeededChain;
let audit: RunAuditReturnType;
let dir: string;

beforeAll(async () => {
  chain = await seedAuditChain();
  audit = await runAudit(chain.publicClient, { ledger: chain.ledger, chunkSize: 10n });
  dir = await mkdtemp(join(tmpdir(), "keytrail-audit-"));
});
afterAll(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe("keytrail audit outputs", () => {
  it("starts at the ledger's deployment block and replays to the head", async () => {
    expect(audit.report.chain.fromBlock).toBe(Number(chain.deployBlock));
    expect(audit.report.chain.toBlock).toBe(Number(await chain.publicClient.getBlockNumber()));
    // A version 1 ledger's digest is the version 1 state digest (what its indexer reports).
    expect(audit.report.digest).toBe(computeStateDigestV1(toSnapshotV1(audit.state)));
    expect(audit.report.digest).not.toBe(computeStateDigest(audit.snapshot));
    expect(audit.report.summary).toMatchObject({ batches: 9, findings: Object.keys(chain.planted).length });
  });

  it("writes JSON, one CSV per rule, scorecards CSV, a self-contained HTML report and the portal's latest.json", async () => {
    const out = join(dir, "audit");
    const exp = join(dir, "export");
    const { files } = await writeAuditReport(audit.report, { outDir: out, exportDir: exp });
    expect(files.length).toBe(1 + audit.report.rules.length + 1 + 1 + 1);
    const json = JSON.parse(await readFile(join(out, "audit.json"), "utf8")) as AuditReport;
    expect(json.schema).toBe("keytrail.audit/1");
    expect(json.findings.map((f) => f.ruleId).sort()).toEqual(Object.keys(chain.planted).sort());
    const csvs = (await readdir(join(out, "csv"))).sort();
    expect(csvs).toEqual([...audit.report.rules.map((r) => `${r.id}.csv`), "scorecards.csv"].sort());
    const large = (await readFile(join(out, "csv", "large-transfer.csv"), "utf8")).trim().split("\r\n");
    expect(large).toHaveLength(2);
    expect(large[1]).toContain(chain.planted["large-transfer"]!);
    expect((await readFile(join(out, "csv", "double-redemption.csv"), "utf8")).trim().split("\r\n")).toHaveLength(1);

    const html = await readFile(join(out, "report.html"), "utf8");
    expect(html).toContain('<svg id="flows"');
    expect(html).toContain('<svg id="timeline"');
    expect(html).toContain(audit.report.digest);
    for (const forbidden of [
      /\ssrc=/i,
      /<link\b/i,
      /<script\b/i,
      /@import/i,
      /url\(\s*['"]?https?:/i,
      /href="https?:/i,
    ])
      expect(html).not.toMatch(forbidden);
    for (const r of audit.report.rules) expect(html).toContain(`id="rule-${r.id}"`);

    const latest = JSON.parse(await readFile(join(exp, "audit", "latest.json"), "utf8")) as Record<string, unknown>;
    expect(latest).toMatchObject({
      schema: "keytrail.audit-latest/1",
      digest: audit.report.digest,
      findingsTotal: Object.keys(chain.planted).length,
      indexerMatch: null,
    });
    expect(Array.isArray(latest.findings) && Array.isArray(latest.scorecards)).toBe(true);
  });

  it("computes supplier scorecards from chain facts with the documented formula", () => {
    const cards = audit.report.scorecards.suppliers;
    const { S1, S2, S3 } = chain.accounts;
    const s1 = cards.find((c) => c.supplier === S1)!;
    expect(s1).toMatchObject({
      batchesAnchored: 6,
      keysAnchored: 1000 + 100 + 200 + 100 + 100 + 100,
      keysRevoked: 60,
      keysRedeemed: 26,
    });
    expect(s1.revocationsByReason).toEqual({ stolen: 50, chargeback: 10 });
    // Hops to parties S1 never authorised: D1 -> D4 and D4 -> D5 (10 keys each).
    expect(s1.keysMovedUnauthorised).toBe(20);
    expect(s1.anomalies).toBe(6);
    const s2 = cards.find((c) => c.supplier === S2)!;
    expect(s2).toMatchObject({ batchesAnchored: 2, keysMoved: 70, keysMovedUnauthorised: 20, anomalies: 1 });
    const s3 = cards.find((c) => c.supplier === S3)!;
    expect(s3).toMatchObject({
      keysRedeemed: 5,
      anomalies: 1,
      anomaliesBySeverity: { critical: 0, high: 1, medium: 0, low: 0 },
    });
    for (const c of cards) {
      const d = c.dimensions;
      expect(c.score).toBeCloseTo(
        0.15 * d.tenure + 0.15 * d.activity + 0.25 * d.integrity + 0.2 * d.channel + 0.25 * d.compliance,
        0,
      );
      expect(c.grade).toBe(c.score >= 85 ? "gold" : c.score >= 70 ? "silver" : c.score >= 50 ? "bronze" : "watch");
      expect(d.channel).toBeCloseTo(100 * (1 - c.unauthorisedHopShare), 1);
    }
  });
});

describe("EPCIS 2.0 export", () => {
  const schemaPath = join(import.meta.dirname, "..", "fixtures", "epcis", "EPCIS-JSON-Schema.json");

  it("validates against GS1's EPCIS 2.0 JSON schema, one ObjectEvent per ledger fact", async () => {
    const schema = JSON.parse(await readFile(schemaPath, "utf8")) as object;
    const ajv = addFormats(new Ajv({ strict: false, allErrors: true }));
    const validate = ajv.compile(schema);
    const doc = exportEpcis(audit.events, { chainId: chain.chainId, ledger: chain.ledger, timeZoneOffset: "+08:00" });
    const ok = validate(doc);
    expect(validate.errors ?? []).toEqual([]);
    expect(ok).toBe(true);
    const n = (name: string) => audit.events.filter((e) => e.eventName === name).length;
    const list = doc.epcisBody.eventList;
    expect(list).toHaveLength(
      n("BatchAnchored") + 2 * n("CustodyTransferred") + n("KeysRevoked") + n("KeysReinstated") + n("KeysRedeemed"),
    );
    for (const e of list) expect(e.eventID).toMatch(/^ni:\/\/\/sha-256;[0-9a-f]{64}\?ver=CBV2\.0$/);
    expect(new Set(list.map((e) => e.eventID)).size).toBe(list.length);
    const commissioning = list.filter((e) => e.bizStep === "commissioning");
    expect(commissioning).toHaveLength(9);
    const b1 = commissioning.find((e) => e["keytrail:batchId"] === chain.batches.B1)!;
    expect(b1.quantityList).toEqual([
      { epcClass: "https://id.gs1.org/01/06901234567892/10/2026Q4-topup-10", quantity: 1000 },
    ]);
    const b2 = commissioning.find((e) => e["keytrail:batchId"] === chain.batches.B2)!;
    expect((b2.quantityList as { epcClass: string }[])[0]!.epcClass).toBe(
      `urn:keytrail:class:${chain.chainId}:${chain.ledger}:${chain.batches.B2}`,
    );
    expect(list.filter((e) => e.disposition === "stolen")).toHaveLength(1);
    expect(list.filter((e) => e.action === "DELETE" && e.bizStep === "decommissioning")).toHaveLength(
      n("KeysRedeemed"),
    );

    // A batch whose expiry passed gets a derived "expired" event; an invalid document is refused.
    const later = exportEpcis(audit.events, {
      chainId: chain.chainId,
      ledger: chain.ledger,
      asOf: BigInt(Math.floor(Date.now() / 1000) + 2 * 365 * 86400),
    });
    const expired = later.epcisBody.eventList.filter((e) => e.disposition === "expired");
    expect(expired.map((e) => e["keytrail:batchId"])).toEqual([chain.batches.B2]);
    expect(validate(later)).toBe(true);
    const broken = structuredClone(doc);
    broken.epcisBody.eventList[0]!.action = "MOVE";
    expect(validate(broken)).toBe(false);
  });

  it("builds the CBV 2.0 event-hash pre-image like GS1's reference implementation", () => {
    // Fields of GS1's "ObjectEvent_all_possible_fields" example and the reference pre-hash up to the sensor data.
    const event = {
      type: "ObjectEvent",
      eventTime: "2005-04-04T20:33:31.116-06:00",
      eventTimeZoneOffset: "-06:00",
      epcList: ["https://id.gs1.org/01/10614141073464/21/2018"],
      quantityList: [{ epcClass: "https://id.gs1.org/01/04012345123456/10/998877", quantity: 200, uom: "KGM" }],
      action: "ADD",
      bizStep: "receiving",
      disposition: "in_progress",
      persistentDisposition: { set: ["completeness_verified"], unset: ["completeness_inferred"] },
      readPoint: { id: "https://id.gs1.org/414/0012345111112/254/400" },
      bizLocation: { id: "https://id.gs1.org/414/0012345111112" },
      bizTransactionList: [
        { type: "po", bizTransaction: "https://id.gs1.org/253/06141410000121618034" },
        { type: "pedigree", bizTransaction: "https://id.gs1.org/8018/061414100000102534" },
      ],
      sourceList: [
        { type: "possessing_party", source: "https://id.gs1.org/417/4012345002256" },
        { type: "owning_party", source: "https://id.gs1.org/417/4012345002256" },
        { type: "location", source: "https://id.gs1.org/414/4012345002256" },
      ],
      destinationList: [
        { type: "owning_party", destination: "https://id.gs1.org/417/0614141007776" },
        { type: "possessing_party", destination: "https://id.gs1.org/417/0614141007776" },
        { type: "location", destination: "https://id.gs1.org/414/0614141007776" },
      ],
    };
    expect(epcisPreHash(event)).toBe(
      "eventType=ObjectEventeventTime=2005-04-05T02:33:31.116ZeventTimeZoneOffset=-06:00epcListepc=https://id.gs1.org/01/10614141073464/21/2018quantityListquantityElementepcClass=https://id.gs1.org/01/04012345123456/10/998877quantity=200uom=KGMaction=ADDbizStep=https://ref.gs1.org/cbv/BizStep-receivingdisposition=https://ref.gs1.org/cbv/Disp-in_progresspersistentDispositionset=https://ref.gs1.org/cbv/Disp-completeness_verifiedunset=https://ref.gs1.org/cbv/Disp-completeness_inferredreadPointid=https://id.gs1.org/414/0012345111112/254/400bizLocationid=https://id.gs1.org/414/0012345111112bizTransactionListtype=https://ref.gs1.org/cbv/BTT-pedigreebizTransaction=https://id.gs1.org/8018/061414100000102534type=https://ref.gs1.org/cbv/BTT-pobizTransaction=https://id.gs1.org/253/06141410000121618034sourceListtype=https://ref.gs1.org/cbv/SDT-locationsource=https://id.gs1.org/414/4012345002256type=https://ref.gs1.org/cbv/SDT-owning_partysource=https://id.gs1.org/417/4012345002256type=https://ref.gs1.org/cbv/SDT-possessing_partysource=https://id.gs1.org/417/4012345002256destinationListtype=https://ref.gs1.org/cbv/SDT-locationdestination=https://id.gs1.org/414/0614141007776type=https://ref.gs1.org/cbv/SDT-owning_partydestination=https://id.gs1.org/417/0614141007776type=https://ref.gs1.org/cbv/SDT-possessing_partydestination=https://id.gs1.org/417/0614141007776",
    );
  });

  it("recognises a GTIN in productId in both encodings, and nothing else", () => {
    expect(gtinFromProductId(`0x${"0".repeat(50)}06901234567892`)).toBe("06901234567892");
    expect(gtinFromProductId(`0x${6901234567892n.toString(16).padStart(64, "0")}`)).toBe("06901234567892");
    expect(gtinFromProductId(`0x${"0".repeat(50)}06901234567893`)).toBeNull();
    expect(gtinFromProductId(`0x${"ab".repeat(32)}`)).toBeNull();
  });
});

describe("comparison with a real indexer (database and HTTP API)", () => {
  it("the indexer refuses a version 1 ledger by name instead of skipping its events", async () => {
    const { openStore } = await import("../../indexer/store/openStore.js");
    const { createIndexer } = await import("../../indexer/createIndexer.js");
    const rpc = await serveProvider(chain.provider);
    const store = await openStore({ dataDir: join(dir, "db-v1") });
    try {
      const indexer = createIndexer({
        store,
        rpcUrls: [rpc.url],
        ledger: chain.ledger,
        startBlock: Number(chain.deployBlock),
        chainId: chain.chainId,
        finalityDepth: 2,
      });
      await expect(indexer.run()).rejects.toThrow(/KeyLedger version 1 event .*follows KeyLedger version 2/);
    } finally {
      await store.close();
      await rpc.close();
    }
  });

  it("on a v2 ledger: agrees with the indexer's store and API, then names the batch of a tampered row", async () => {
    const { openStore } = await import("../../indexer/store/openStore.js");
    const { createIndexer } = await import("../../indexer/createIndexer.js");
    const { createApiServer } = await import("../../indexer/api/createApiServer.js");
    const v2 = await seedV2Chain();
    const client = v2.env.publicClient;
    const ledger = v2.env.address.toLowerCase() as Address;
    const rpc = await serveProvider(v2.env.provider);
    const dataDir = join(dir, "db-v2");
    try {
      const store = await openStore({ dataDir });
      const indexer = createIndexer({
        store,
        rpcUrls: [rpc.url],
        ledger,
        startBlock: 0,
        chainId: await client.getChainId(),
        finalityDepth: 2,
      });
      await indexer.run();
      await store.close();
      const honest = await runAudit(client, { ledger, indexer: { kind: "db", dataDir } });
      expect(honest.report.indexer).toMatchObject({
        match: true,
        snapshotAvailable: true,
        replayDigest: honest.report.digest,
      });
      const served = await openStore({ dataDir });
      const server = createApiServer(served);
      await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
      const api = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
      try {
        const viaApi = await runAudit(client, { ledger, indexer: { kind: "api", url: api } });
        expect(viaApi.report.indexer).toMatchObject({ match: true, indexerDigest: honest.report.digest });
        // Hand one current custody segment of batch a to another account.
        const changed = await served.query<{ seg_start: number }>(
          `UPDATE kt_segments SET holder = $1 WHERE to_block IS NULL AND seg_start = 50
             AND batch_no = (SELECT batch_no FROM kt_batches WHERE batch_id = $2) RETURNING seg_start`,
          [v2.accounts.pendingAccount, v2.batches.a.toLowerCase()],
        );
        expect(changed).toHaveLength(1);
        const caughtViaApi = await runAudit(client, { ledger, indexer: { kind: "api", url: api } });
        expect(caughtViaApi.report.indexer!.match).toBe(false);
      } finally {
        await new Promise<void>((r) => server.close(() => r()));
        await served.close();
      }
      const caught = await runAudit(client, { ledger, indexer: { kind: "db", dataDir } });
      expect(caught.report.indexer!.match).toBe(false);
      expect(caught.report.indexer!.firstDivergence).toMatchObject({
        kind: "custody",
        batchId: v2.batches.a.toLowerCase(),
        index: 50,
      });
      expect(caught.report.indexer!.firstDivergence!.message).toContain(v2.accounts.pendingAccount);
    } finally {
      await rpc.close();
    }
  });
});
