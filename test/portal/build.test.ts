/**
 * The static build itself: without an export it still builds with placeholders; every page has
 * the strict CSP; nothing in the output points at a third party or leaks a build path or a
 * private file of the export.
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
    const pages = files.filter((f) => f.endsWith(".html")).map((f) => relative(dist, f)).sort();
    for (const p of ["index.html", "v/index.html", "b/index.html", "p/index.html", "audit/index.html", "how/index.html"]) {
      expect(pages).toContain(p);
      expect(pages).toContain(`en/${p}`);
    }
    expect(readFileSync(join(dist, "index.html"), "utf8")).toContain('<html lang="zh-CN"');
    expect(readFileSync(join(dist, "en", "index.html"), "utf8")).toContain('<html lang="en"');
  });

  it("shows placeholders when nothing was published", () => {
    expect(readFileSync(join(dist, "audit", "index.html"), "utf8")).toContain("尚未发布审计报告");
    expect(readFileSync(join(dist, "en", "audit", "index.html"), "utf8")).toContain("No audit report published yet.");
    expect(readFileSync(join(dist, "en", "b", "index.html"), "utf8")).toContain("No data yet");
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
    const allowed = ["https://rpc-a.example.org", "https://rpc-b.example.org", "https://verify.example.cn", "http://www.w3.org/2000/svg"];
    for (const f of files.filter((x) => /\.(html|js|css|json)$/.test(x))) {
      const text = readFileSync(f, "utf8");
      expect(text.includes(repoRoot), relative(dist, f)).toBe(false);
      expect(text.includes(exportDir), relative(dist, f)).toBe(false);
      const srcs = [...text.matchAll(/(?:src|href)="(https?:\/\/[^"]+)"/g)].map((m) => m[1]!);
      for (const u of srcs) expect(allowed.some((a) => u.startsWith(a)), `${relative(dist, f)}: ${u}`).toBe(true);
    }
  });

  it("never publishes private files from the export folder", () => {
    const names = files.map((f) => relative(dist, f));
    expect(names.filter((n) => /secret|urls\.csv|\.env/.test(n))).toEqual([]);
  });
});
