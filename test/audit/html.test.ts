import { mkdtemp, readFile, rm } from "node:fs/promises";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Browser } from "playwright-core";
import type { Hex } from "viem";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { writeAuditReport } from "../../audit/report/writeAuditReport.js";
import { auditEvents } from "../../audit/rules/auditEvents.js";
import { runAudit, type RunAuditReturnType } from "../../audit/runAudit.js";
import { computeScorecards } from "../../audit/scorecards/computeScorecards.js";
import { recentPeriods } from "../../audit/scorecards/recentPeriods.js";
import { launchChromium } from "../../scripts/browser/launchChromium.js";
import { seedAuditChain, type SeededChain } from "./helpers/seedAuditChain.js";

/** The report must render under this policy: no script at all, nothing fetched, styles and SVG inline. */
const CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src data:; base-uri 'none'; form-action 'none'";

let chain: SeededChain;
let audit: RunAuditReturnType;
let dir: string;
let html: string;
let browser: Browser;
let server: Server;
let url: string;
let laterTx: Hex;

beforeAll(async () => {
  chain = await seedAuditChain();
  // Forty-five days later S1 moves keys again, so its score history spans two months.
  await chain.increaseTime(45 * 86_400);
  laterTx = await chain.send(chain.accounts.S1, "transfer", [
    chain.batches.B1,
    600n,
    620n,
    chain.accounts.D1,
    0n,
    `0x${"77".repeat(32)}`,
  ]);
  audit = await runAudit(chain.publicClient, { ledger: chain.ledger });
  dir = await mkdtemp(join(tmpdir(), "keytrail-audit-html-"));
  await writeAuditReport(audit.report, { outDir: dir, parties: audit.state.parties.values() });
  html = await readFile(join(dir, "report.html"), "utf8");
  server = createServer((req, res) => {
    if (req.url !== "/report.html") return res.writeHead(404).end();
    res.writeHead(200, { "content-type": "text/html; charset=utf-8", "content-security-policy": CSP }).end(html);
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/report.html`;
  browser = await launchChromium();
}, 180_000);

afterAll(async () => {
  await browser?.close();
  await new Promise<void>((r) => (server ? server.close(() => r()) : r()));
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe("audit report.html: findings by party with evidence graphs, scorecard history", () => {
  it("renders in Chromium under a no-script CSP: SVGs drawn, no console error, no request but the page", async () => {
    const page = await browser.newPage();
    const errors: string[] = [];
    const requests: string[] = [];
    page.on("console", (m) => {
      if (m.type() === "error" || m.type() === "warning") errors.push(m.text());
    });
    page.on("pageerror", (e) => errors.push(e.message));
    page.on("request", (r) => requests.push(r.url()));
    await page.goto(url, { waitUntil: "load" });
    expect(errors).toEqual([]);
    expect(requests).toEqual([url]);
    expect(/<script|\son[a-z]+=|javascript:/i.exec(html)?.[0] ?? null).toBeNull();
    const svgs = await page.$$eval("svg", (els) =>
      els.map((e) => {
        const r = e.getBoundingClientRect();
        return {
          cls: e.getAttribute("class") ?? e.id,
          w: r.width,
          h: r.height,
          shapes: e.querySelectorAll("*").length,
        };
      }),
    );
    expect(svgs.filter((s) => s.cls === "party-flow").length).toBeGreaterThan(0);
    expect(svgs.filter((s) => s.cls === "sparkline").length).toBe(audit.report.scorecardHistory!.suppliers.length);
    for (const s of svgs) {
      expect(s.w, `${s.cls} width`).toBeGreaterThan(0);
      expect(s.h, `${s.cls} height`).toBeGreaterThan(0);
      expect(s.shapes, `${s.cls} content`).toBeGreaterThan(0);
    }
    await page.close();
  });

  it("groups findings under each party they name; its graph draws the evidence hops with key counts", async () => {
    const page = await browser.newPage();
    await page.goto(url, { waitUntil: "load" });
    const { D1, R2 } = chain.accounts;
    const circular = audit.report.findings.find((f) => f.ruleId === "circular-flow")!;
    expect(circular.txHash).toBe(chain.planted["circular-flow"]);
    for (const p of circular.parties.map((x) => x.toLowerCase())) {
      const section = page.locator(`section.party[data-party="${p}"]`);
      await expect(section.locator("li").filter({ hasText: circular.id }).count()).resolves.toBe(1);
    }
    // The loop D1 -> R2 -> D1 (10 keys each way) is in the evidence of R2's circular-flow finding.
    const r2 = page.locator(`section.party[data-party="${R2}"] svg.party-flow`);
    const titles = await r2.locator("path.hop title").allTextContents();
    expect(titles).toContain(`${D1} → ${R2}: 10 keys`);
    expect(titles).toContain(`${R2} → ${D1}: 10 keys`);
    expect(await r2.locator("text.hop-label").allTextContents()).toContain("10 keys");
    // Every party with findings has a section; worst severity first.
    const named = new Set(audit.report.findings.flatMap((f) => f.parties.map((x) => x.toLowerCase())));
    const order = await page
      .locator("section.party")
      .evaluateAll((els) => els.map((e) => e.getAttribute("data-party")));
    expect(new Set(order)).toEqual(named);
    const rank = { critical: 0, high: 1, medium: 2, low: 3 } as const;
    const worst = (p: string) =>
      Math.min(...audit.report.findings.filter((f) => f.parties.includes(p as Hex)).map((f) => rank[f.severity]));
    const ranks = order.map((p) => worst(p!));
    expect([...ranks].sort((a, b) => a - b)).toEqual(ranks);
    await page.close();
  });

  it("shows each supplier's score over the last six months, from the same formula per month", async () => {
    const h = audit.report.scorecardHistory!;
    const last = Number(audit.events.at(-1)!.timestamp);
    expect(audit.events.at(-1)!.txHash).toBe(laterTx);
    expect(h.periods).toEqual(recentPeriods(last, { count: 6 }));
    expect(h.periods.map((p) => p.label)).toHaveLength(6);
    const { facts, findings } = auditEvents(audit.events);
    const S1 = chain.accounts.S1;
    const row = h.suppliers.find((s) => s.supplier === S1)!;
    h.periods.forEach((p, i) => {
      const card = computeScorecards(facts, findings, p).find((c) => c.supplier === S1);
      expect(row.scores[i]?.score ?? null, p.label).toBe(card?.score ?? null);
    });
    // S1 was registered in the seeded month and moved keys 45 days later: scores in (at least) two months.
    expect(row.scores.filter((s) => s !== null).length).toBeGreaterThanOrEqual(2);
    expect(row.scores[0]).toBeNull();
    const page = await browser.newPage();
    await page.goto(url, { waitUntil: "load" });
    const head = await page.locator("#scorecard-history thead th").allTextContents();
    expect(head).toEqual(["supplier", ...h.periods.map((p) => p.label), "trend"]);
    const cells = await page
      .locator(`#scorecard-history tbody tr`)
      .filter({ hasText: S1 })
      .locator("td")
      .allTextContents();
    expect(cells.slice(1, 7)).toEqual(row.scores.map((s) => (s ? String(s.score) : "–")));
    await page.close();
  });
});
