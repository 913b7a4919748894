/**
 * Chain-sourced text on every static page and in the audit report: batch labels, party names and
 * profile / manifest URIs carrying a right-to-left override (U+202E), a zero-width space (U+200B),
 * a line separator (U+2028), a 10 KB URI, and a Cyrillic look-alike of another party's name. The
 * pages come from a real `astro build` of such an export; the audit page from `renderAuditHtml`.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildAuditReport } from "../../audit/report/buildAuditReport.js";
import { renderAuditHtml } from "../../audit/report/renderAuditHtml.js";
import { toLatestJson } from "../../audit/report/toLatestJson.js";
import type { AuditReport } from "../../lib/formats/auditReport.js";
import { buildPortal } from "./helpers/buildPortal.js";

const RLO = "\u202E";
const ZWSP = "\u200B";
const LSEP = "\u2028";
const HIDDEN = [RLO, ZWSP, LSEP];
const BATCH = `0x${"ab".repeat(32)}`;
const REAL = `0x${"11".repeat(20)}`; // "Tencent Card"
const FAKE = `0x${"22".repeat(20)}`; // Cyrillic Т, a zero-width space and an override in its name
const LONG = `0x${"33".repeat(20)}`; // a 10 KB http profile URI, no name
const JS = `0x${"44".repeat(20)}`; // a javascript: profile URI
const REAL_NAME = "Tencent Card";
const FAKE_NAME = `\u0422en${ZWSP}cent Card${RLO}${LSEP}`;
const LABEL = `Batch${RLO}A${ZWSP}-2026${LSEP}line two`;
const LONG_URI = `https://cdn.example.com/m/${"a".repeat(10_240)}`;
const named = (name: string) => `data:application/json,${encodeURIComponent(JSON.stringify({ name }))}`;
const ref = { block: 1, timestamp: 1795000000, tx: `0x${"ef".repeat(32)}` };

const { report } = buildAuditReport([], {
  chain: { chainId: 31337, ledger: REAL as `0x${string}`, fromBlock: 0n, toBlock: 1n },
});
/** The report with one finding whose message carries chain text (a batch label and a currency). */
const auditReport: AuditReport = {
  ...report,
  findings: [
    {
      id: "large-transfer@1.0",
      ruleId: report.rules[0]!.id,
      severity: "high",
      message: `moved 10 keys of ${LABEL} at 100.00 CNY${RLO}`,
      batchId: BATCH as `0x${string}`,
      supplier: FAKE as `0x${string}`,
      parties: [FAKE as `0x${string}`],
      ranges: [{ start: 0, end: 10 }],
      keys: 10,
      blockNumber: 1,
      timestamp: 1795000000,
      txHash: ref.tx as `0x${string}`,
      evidence: [],
      details: {},
    },
  ],
};

let dist: string;
let exportDir: string;
const page = (...p: string[]) => readFileSync(join(dist, ...p, "index.html"), "utf8");

const party = (address: string, profileURI: string) => ({
  address,
  kind: "supplier",
  profileHash: ref.tx,
  profileURI,
  accreditedUntil: 0,
  suspended: false,
  registered: ref,
  batchesAnchored: 0,
  holdings: { batches: 0, keys: 0, frozen: 0, redeemed: 0 },
});

beforeAll(async () => {
  exportDir = mkdtempSync(join(tmpdir(), "keytrail-sanitise-export-"));
  mkdirSync(join(exportDir, "batches"));
  mkdirSync(join(exportDir, "audit"));
  writeFileSync(join(exportDir, "audit", "latest.json"), JSON.stringify(toLatestJson(auditReport)));
  writeFileSync(
    join(exportDir, "index.json"),
    JSON.stringify({
      formatVersion: 1,
      chainId: 31337,
      ledger: REAL,
      block: { number: 1, hash: ref.tx, timestamp: 1795000000 },
      digest: ref.tx,
      counts: { batches: 1, parties: 4, transfers: 0 },
    }),
  );
  writeFileSync(
    join(exportDir, "batches.json"),
    JSON.stringify({
      batches: [
        {
          batchId: BATCH,
          supplier: FAKE,
          label: LABEL,
          root: ref.tx,
          count: 1,
          productId: ref.tx,
          faceValue: "10000",
          currency: `CNY${RLO}${ZWSP}`,
          expiresAt: 0,
          restricted: false,
          manifestHash: ref.tx,
          manifestURI: LONG_URI,
          anchored: ref,
          counts: { keys: 1, frozen: 0, redeemed: 0 },
          transfers: 0,
          holders: 1,
        },
      ],
    }),
  );
  writeFileSync(
    join(exportDir, "parties.json"),
    JSON.stringify({
      parties: [
        party(REAL, named(REAL_NAME)),
        party(FAKE, named(FAKE_NAME)),
        party(LONG, `https://example.com/profile/${"p".repeat(10_240)}`),
        party(JS, `javascript:alert(1)//${RLO}x`),
      ],
    }),
  );
  dist = await buildPortal({
    KEYTRAIL_CHAIN_ID: "31337",
    KEYTRAIL_RPC_URLS: "http://127.0.0.1:8545",
    KEYTRAIL_LEDGER: "0x5FbDB2315678afecb367f032d93F642f64180aa3",
    KEYTRAIL_PORTAL_BASE: "https://verify.example.cn",
    KEYTRAIL_EXPORT_DIR: exportDir,
  });
}, 300_000);

afterAll(() => {
  if (dist) rmSync(dist, { recursive: true, force: true });
  if (exportDir) rmSync(exportDir, { recursive: true, force: true });
});

/** The text of each element `<tag ... data-x ...>text</tag>` whose opening tag matches `open`. */
const texts = (html: string, open: RegExp) =>
  [...html.matchAll(new RegExp(`${open.source}[^>]*>([^<]*)<`, "g"))].map((m) => m[1]!);

/** Every page that shows chain-sourced text, in both languages. */
const PAGES: [name: string, path: string[]][] = [
  ["home", []],
  ["batches list", ["b"]],
  ["batch page", ["b", BATCH]],
  ["parties list", ["p"]],
  ["look-alike party page", ["p", FAKE]],
  ["original party page", ["p", REAL]],
  ["long-URI party page", ["p", LONG]],
  ["javascript: party page", ["p", JS]],
  ["audit page", ["audit"]],
];

describe("chain-sourced text on the static pages", () => {
  it.each(PAGES.flatMap(([n, p]) => [[`${n} (zh-CN)`, p] as const, [`${n} (en)`, ["en", ...p]] as const]))(
    "%s carries no bidi, invisible or line-separator character",
    (_name, path) => {
      const html = page(...path);
      for (const ch of HIDDEN) expect(html.includes(ch), `U+${ch.charCodeAt(0).toString(16)}`).toBe(false);
    },
  );

  it("shows the batch label and the currency without the hidden characters", () => {
    const html = page("en", "b", BATCH);
    expect(html).toContain("<h1>Batch: BatchA-2026 line two</h1>");
    expect(html).toContain("100.00 CNY");
    expect(page("en", "b")).toContain(">BatchA-2026 line two</a>");
    expect(page("en")).toContain(">BatchA-2026 line two</a>");
  });

  it("shows audit findings without the hidden characters", () => {
    expect(page("en", "audit")).toContain("moved 10 keys of BatchA-2026 line two at 100.00 CNY");
  });

  it("caps a 10 KB manifest URI at 80 graphemes, keeping the raw http(s) URL as the link target", () => {
    const html = page("en", "b", BATCH);
    const shown = texts(html, /<a class="mono" href="https:\/\/cdn\.example\.com/);
    expect(shown).toHaveLength(1);
    expect([...shown[0]!]).toHaveLength(80);
    expect(shown[0]!.endsWith("…")).toBe(true);
    expect(html).toContain(`href="${LONG_URI}"`);
  });

  it("caps a 10 KB profile URI; a javascript: profile URI is text, never a link", () => {
    const long = texts(page("en", "p", LONG), /<a class="mono" href="https:\/\/example\.com\/profile/);
    expect(long).toHaveLength(1);
    expect([...long[0]!]).toHaveLength(80);
    const js = page("en", "p", JS);
    expect(js).not.toMatch(/href="javascript:/i);
    expect(texts(js, /<span class="mono"/)).toContain("javascript:alert(1)//x");
  });

  it("warns on the look-alike party's page and in the parties list, in both languages, not by colour alone", () => {
    const en = page("en", "p", FAKE);
    expect(en).toContain("<h1><span>Тencent Card · </span>");
    expect(en).toMatch(/data-name-warning="[^"]*imitates/);
    expect(en).toContain("⚠ this name looks like “Tencent Card”, another party");
    expect(en).toContain("⚠ this name mixes scripts");
    const zh = page("p", FAKE);
    expect(zh).toContain("⚠ 此名称与另一参与方“Tencent Card”相似");
    expect(zh).toContain("⚠ 此名称混用了多种文字");
    for (const list of [page("en", "p"), page("p")]) {
      expect(list).toContain("Тencent Card · ");
      expect(list.match(/data-name-warning=/g)).toHaveLength(2); // the look-alike and the name it imitates
    }
    expect(page("en", "p", LONG)).not.toContain("data-name-warning");
  });

  it("keeps the ENSIP-15 tables out of the verify page's scripts", () => {
    const html = page("v");
    const scripts = [...html.matchAll(/<script[^>]*src="([^"]+)"/g)].map((m) => m[1]!);
    expect(scripts.length).toBeGreaterThan(0);
    const seen = new Set<string>();
    const read = (src: string) => {
      const file = join(dist, src.replace(/^\//, ""));
      if (seen.has(file)) return;
      seen.add(file);
      const js = readFileSync(file, "utf8");
      expect(js, src).not.toMatch(/ens_normalize|ENSIP|Mixture|illegal mixture/i);
      for (const m of js.matchAll(/from\s*"(\.\/[^"]+\.js)"|import\(\s*"(\.\/[^"]+\.js)"\s*\)/g))
        read(join(src.replace(/[^/]+$/, ""), (m[1] ?? m[2])!));
    };
    for (const s of scripts) read(s);
  });
});

describe("chain-sourced text in the audit report", () => {
  const html = renderAuditHtml(auditReport, {
    parties: [
      { address: REAL, profileURI: named(REAL_NAME) },
      { address: FAKE, profileURI: named(FAKE_NAME) },
      { address: LONG, profileURI: `https://example.com/profile/${"p".repeat(10_240)}` },
    ],
  });

  it("contains none of the hidden characters, shows where they were, and caps URIs", () => {
    for (const ch of HIDDEN) expect(html.includes(ch)).toBe(false);
    expect(html).toContain("moved 10 keys of Batch⟨U+202E⟩A⟨U+200B⟩-2026 line two at 100.00 CNY⟨U+202E⟩");
    const row = new RegExp(`<tr><td><code>${FAKE}</code></td><td>(.*?)</td><td>.*?</td><td>(.*?)</td></tr>`).exec(html);
    expect(row?.[1]).toBe("Тen⟨U+200B⟩cent Card");
    expect(row?.[2]).toBe('<span class="bad">U+200B U+202E</span>');
    expect(html).not.toContain("p".repeat(100));
    expect(html).toMatch(/<code>https:\/\/example\.com\/profile\/p+…<\/code>/);
  });

  it("lists the look-alike party names", () => {
    const list = /<ul id="lookalikes">(.*?)<\/ul>/s.exec(html)?.[1] ?? "";
    expect(list).toContain(`data-lookalike="${FAKE}"`);
    expect(list).toContain("looks like “Tencent Card”");
    expect(list).toContain("mixes scripts");
    expect(list).toContain(`data-lookalike="${REAL}"`); // the original looks like the look-alike, too
    expect(list).not.toContain(LONG);
  });
});
