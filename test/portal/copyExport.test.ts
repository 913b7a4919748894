/**
 * The portal publishes only the files of the export format: private files a publisher leaves in the
 * export folder (key files, keystores, url lists with salts, backups) are never copied.
 */
import { cpSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, relative } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { copyExport } from "../../portal/src/config/copyExport.js";

const root = mkdtempSync(join(tmpdir(), "keytrail-copy-export-"));
afterAll(() => rmSync(root, { recursive: true, force: true }));

const batch = `0x${"ab".repeat(32)}`;
const party = `0x${"3c".repeat(20)}`;
const published = [
  "index.json",
  "batches.json",
  "parties.json",
  "flows.json",
  `batches/${batch}.json`,
  `batches/${batch}/custody.json`,
  `parties/${party}.json`,
  "proofs/index.json",
  `proofs/${batch}/0.bin`,
  `proofs/${batch}/976.bin`,
  "audit/latest.json",
];
const privateFiles = [
  "keys.csv",
  "urls.CSV.bak",
  "urls.csv",
  "supplier-keystore.json",
  "UTC--2026-12-01T00-00-00.000Z--3c44cdddb6a900fa2b585dd299e03d12fa4293bc",
  "batch-secret.json",
  ".env",
  `batches/${batch}/keys.csv`,
  `proofs/${batch}/0.bin.orig`,
  "audit/report.html",
  "notes.txt",
];

function files(dir: string): string[] {
  const out: string[] = [];
  const walk = (d: string) => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      const p = join(d, e.name);
      if (e.isDirectory()) walk(p);
      else out.push(relative(dir, p));
    }
  };
  walk(dir);
  return out.sort();
}

describe("copyExport (portal build)", () => {
  it("copies exactly the export format's files and reports everything else as left behind", () => {
    const from = join(root, "export");
    for (const rel of [...published, ...privateFiles]) {
      mkdirSync(dirname(join(from, rel)), { recursive: true });
      writeFileSync(join(from, rel), "x");
    }
    const to = join(root, "site", "export");
    const cp = (src: string, dst: string, o: { recursive: boolean }) => {
      mkdirSync(dirname(dst), { recursive: true });
      cpSync(src, dst, o);
    };
    const { copied, skipped } = copyExport(from, to, cp);
    expect(files(to)).toEqual([...published].sort());
    expect(copied).toBe(published.length);
    expect([...skipped].sort()).toEqual([...privateFiles].sort());
  });
});
