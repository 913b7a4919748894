/**
 * The static build itself: the audit placeholder; export fields carrying markup rendered as text;
 * the strict CSP on every page; nothing in the output points at a third party or leaks a build
 * path or a private file of the export folder.
 */
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, relative } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildPortal, repoRoot } from "./helpers/buildPortal.js";

let dist: string;
let exportDir: string;
const files: string[] = [];

function walk(dir: string): void {
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.isDirectory()) walk(p);
    else files.push(p);
  }
}

beforeAll(async () => {
  // An export folder holding only things that must never be published.
  exportDir = mkdtempSync(join(tmpdir(), "keytrail-private-export-"));
  mkdirSync(join(exportDir, "batch"));
  writeFileSync(join(exportDir, "batch", "batch-secret.json"), '{"secret":"0xdead"}');
  writeFileSync(join(exportDir, "batch", "urls.csv"), "index,serial,url\n");
  writeFileSync(join(exportDir, ".env"), "X=1");
  // Public files whose text fields carry markup: they must come out as text.
  const id = `0x${"ab".repeat(32)}`;
  const supplier = `0x${"cd".repeat(20)}`;
  const hostile = `<script>window.__pwned=1</script><img src=x onerror="window.__pwned=1">`;
  const ref = { block: 1, timestamp: 1795000000, tx: `0x${"ef".repeat(32)}` };
  writeFileSync(
    join(exportDir, "index.json"),
    JSON.stringify({
      formatVersion: 1,
      chainId: 56,
      ledger: supplier,
      block: { number: 1, hash: ref.tx, timestamp: 1795000000 },
      digest: ref.tx,
      counts: { batches: 1, parties: 1, transfers: 0 },
    }),
  );
  writeFileSync(
    join(exportDir, "batches.json"),
    JSON.stringify({
      batches: [
        {
          batchId: id,
          supplier,
          label: hostile,
          root: ref.tx,
          count: 1,
          productId: ref.tx,
          faceValue: "100",
          currency: "CNY",
          expiresAt: 0,
          restricted: false,
          manifestHash: ref.tx,
          manifestURI: `javascript:alert(1)//${hostile}`,
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
        {
          address: supplier,
          kind: "supplier",
          profileHash: ref.tx,
          profileURI: hostile,
          accreditedUntil: 0,
          suspended: false,
          registered: ref,
          batchesAnchored: 1,
          holdings: { batches: 1, keys: 1, frozen: 0, redeemed: 0 },
        },
      ],
    }),
  );
  dist = await buildPortal({
    KEYTRAIL_CHAIN_ID: "56",
    KEYTRAIL_RPC_URLS: "https://rpc-a.example.org/v1,https://rpc-b.example.org",
    KEYTRAIL_LEDGER: "0x5FbDB2315678afecb367f032d93F642f64180aa3",
    KEYTRAIL_PORTAL_BASE: "https://verify.example.cn",
    KEYTRAIL_EXPORT_DIR: exportDir,
  });
  walk(dist);
});

afterAll(() => {
  if (dist) rmSync(dist, { recursive: true, force: true });
  if (exportDir) rmSync(exportDir, { recursive: true, force: true });
});

describe("portal build", () => {
  it("builds every page in both languages, Chinese at the root", () => {
    const pages = files
      .filter((f) => f.endsWith(".html"))
      .map((f) => relative(dist, f))
      .sort();
    for (const p of [
      "index.html",
      "v/index.html",
      "b/index.html",
      "p/index.html",
      "audit/index.html",
      "how/index.html",
    ]) {
      expect(pages).toContain(p);
      expect(pages).toContain(`en/${p}`);
    }
    expect(readFileSync(join(dist, "index.html"), "utf8")).toContain('<html lang="zh-CN"');
    expect(readFileSync(join(dist, "en", "index.html"), "utf8")).toContain('<html lang="en"');
  });

  it("shows a placeholder when no audit report was published", () => {
    expect(readFileSync(join(dist, "audit", "index.html"), "utf8")).toContain("尚未发布审计报告");
    expect(readFileSync(join(dist, "en", "audit", "index.html"), "utf8")).toContain("No audit report published yet.");
  });

  it("a party registered with no expiry (accreditedUntil 0) is shown accredited, until 'never'", () => {
    const en = readFileSync(join(dist, "en", "p", `0x${"cd".repeat(20)}`, "index.html"), "utf8");
    expect(en).toContain("✓ Accredited");
    expect(en).not.toContain("Accreditation expired");
    expect(en).toMatch(/Accredited until<\/dt>\s*<dd[^>]*>never /);
    const zh = readFileSync(join(dist, "p", `0x${"cd".repeat(20)}`, "index.html"), "utf8");
    expect(zh).toContain("✓ 资质有效");
    expect(zh).not.toContain("资质已过期");
    for (const list of [join(dist, "en", "p", "index.html"), join(dist, "p", "index.html")]) {
      const html = readFileSync(list, "utf8");
      expect(html, list).not.toMatch(/Accreditation expired|资质已过期/);
    }
  });

  it("renders markup found in export fields as text, never as elements or links", () => {
    const pages = [
      join(dist, "en", "b", `0x${"ab".repeat(32)}`, "index.html"),
      join(dist, "en", "p", `0x${"cd".repeat(20)}`, "index.html"),
      join(dist, "en", "b", "index.html"),
    ];
    for (const f of pages) {
      const html = readFileSync(f, "utf8");
      expect(html, f).toContain("&lt;script&gt;window.__pwned=1&lt;/script&gt;");
      expect(html, f).not.toContain("<script>window.__pwned");
      expect(html, f).not.toContain("<img src=x");
      expect(html, f).not.toMatch(/href="javascript:/i);
    }
  });

  it("every page carries the strict CSP with exactly the RPC origins", () => {
    for (const f of files.filter((x) => x.endsWith(".html"))) {
      const html = readFileSync(f, "utf8");
      const csp = /<meta http-equiv="content-security-policy" content="([^"]+)"/.exec(html)?.[1];
      expect(csp, relative(dist, f)).toBeDefined();
      expect(csp).toContain("default-src 'none'");
      expect(csp).toContain("connect-src 'self' https://rpc-a.example.org https://rpc-b.example.org;");
      expect(csp).not.toContain("unsafe");
      expect(html).not.toMatch(/<script(?![^>]*type="(?:module|application\/json)")(?![^>]*src=)[^>]*>[^<]/); // no inline script bodies (JSON data blocks are not scripts)
    }
  });

  it("references no third-party origin and leaks no build path", () => {
    const allowed = [
      "https://rpc-a.example.org",
      "https://rpc-b.example.org",
      "https://verify.example.cn",
      "http://www.w3.org/2000/svg",
    ];
    for (const f of files.filter((x) => /\.(html|js|css|json)$/.test(x))) {
      const text = readFileSync(f, "utf8");
      expect(text.includes(repoRoot), relative(dist, f)).toBe(false);
      expect(text.includes(exportDir), relative(dist, f)).toBe(false);
      const srcs = [...text.matchAll(/(?:src|href)="(https?:\/\/[^"]+)"/g)].map((m) => m[1]!);
      for (const u of srcs)
        expect(
          allowed.some((a) => u.startsWith(a)),
          `${relative(dist, f)}: ${u}`,
        ).toBe(true);
    }
  });

  it("never publishes private files from the export folder", () => {
    const names = files.map((f) => relative(dist, f));
    expect(names.filter((n) => /secret|urls\.csv|\.env/.test(n))).toEqual([]);
  });
});
