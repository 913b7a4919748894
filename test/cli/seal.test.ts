import { createHash } from "node:crypto";
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createRequire } from "node:module";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Hex } from "viem";
import { sealInputOf } from "../../scripts/seal/sealInputOf.js";
import { testAddress } from "./helpers/accounts.js";
import { runCli, spawnCli, type CliResult } from "./helpers/runCli.js";
import { startHardhatNode, type HardhatNode } from "./helpers/startHardhatNode.js";
import { writeKeyCsv } from "./helpers/writeKeyCsv.js";

// CommonJS packages without bundled types (pngjs arrives with qrcode).
const require = createRequire(import.meta.url);
const jsQR = require("jsqr") as (data: Uint8ClampedArray, width: number, height: number) => { data: string } | null;
const { PNG } = require("pngjs") as {
  PNG: { sync: { read(b: Buffer): { data: Buffer; width: number; height: number } } };
};

const SUPPLIER = testAddress(1);
let node: HardhatNode;
let cwd: string;
const SEAL = [
  "--product",
  "06901234567892",
  "--face",
  "50",
  "--currency",
  "CNY",
  "--expires",
  "2035-12-31",
  "--portal",
  "https://verify.example.com",
];

const cli = (args: string[]): Promise<CliResult> => runCli(args, { cwd });
const ok = async (args: string[]): Promise<CliResult> => {
  const r = await cli(args);
  expect(r.code, `keytrail ${args.join(" ")}\n${r.stderr}`).toBe(0);
  return r;
};

beforeAll(async () => {
  node = await startHardhatNode();
  cwd = mkdtempSync(join(tmpdir(), "keytrail-cli-seal-"));
  await ok(["init", "--chain", "31337", "--rpc", node.url]);
  await ok(["deploy", "--account", "0", "--ledger-version", "1"]);
  await ok(["party", "register", SUPPLIER, "--kind", "supplier", "--account", "0"]);
});
afterAll(async () => {
  await node?.stop();
  if (cwd) rmSync(cwd, { recursive: true, force: true });
});

describe("keytrail batch seal", () => {
  it("seals a few thousand keys offline with progress, anchors, and writes QR images and a label sheet", async () => {
    writeKeyCsv(join(cwd, "keys.csv"), 3000, 1);
    const sealA = [
      "batch",
      "seal",
      "keys.csv",
      "--label",
      "2026-11-A",
      ...SEAL,
      "--supplier",
      SUPPLIER,
      "--ledger",
      testAddress(19),
      "--out",
      "out/A",
    ];
    const r = await ok(sealA);
    // Sealed offline: config chain id plus --ledger, no key needed with --supplier.
    expect(r.stderr).toContain(`for supplier ${SUPPLIER}, chain id 31337, ledger ${testAddress(19)} (offline)`);
    expect(r.stderr).toMatch(/sealing \[.*\] 100% \| 3,000\/3,000 keys/);
    expect(r.stdout).toMatch(/sealed 3000 keys into out\/A: batch 0x[0-9a-f]{64} root 0x[0-9a-f]{64}, 3 shards/);
    for (const f of ["manifest.json", "batch-secret.json", "commitments.bin", "urls.csv", ".complete", "shards/0.bin"])
      expect(existsSync(join(cwd, "out/A", f)), f).toBe(true);
    expect(readFileSync(join(cwd, "out/A/manifest.json"), "utf8")).not.toMatch(/secret/i);

    // Re-running the same seal changes nothing.
    const again = await ok(sealA);
    expect(again.stdout).toContain("already sealed");

    const png = await ok([
      "batch",
      "qr",
      "--batch-dir",
      "out/A",
      "--range",
      "10-12",
      "--format",
      "png",
      "--out",
      "out/qr",
    ]);
    expect(png.stdout).toContain("wrote 3 PNG QR codes (indices 10-12)");
    const url = readFileSync(join(cwd, "out/A/urls.csv"), "utf8")
      .split("\n")
      .find((l) => l.startsWith("11,"))!
      .split(",")[2]!;
    const image = PNG.sync.read(readFileSync(join(cwd, "out/qr/11.png")));
    expect(jsQR(new Uint8ClampedArray(image.data), image.width, image.height)?.data).toBe(url);
    await ok(["batch", "qr", "--batch-dir", "out/A", "--range", "0-1", "--format", "svg", "--out", "out/qr"]);
    expect(readFileSync(join(cwd, "out/qr/0.svg"), "utf8")).toContain("<svg");

    const labels = await ok(["batch", "labels", "--batch-dir", "out/A", "--range", "0-29", "--out", "out/labels.pdf"]);
    expect(labels.stdout).toContain("wrote 30 public labels on 2 page(s)");
    const pdf = readFileSync(join(cwd, "out/labels.pdf"), "latin1");
    expect(pdf.startsWith("%PDF-1.4")).toBe(true);
    const xref = Number(/startxref\n(\d+)/.exec(pdf)![1]);
    expect(pdf.slice(xref, xref + 4)).toBe("xref");
    const offsets = [...pdf.slice(xref).matchAll(/^(\d{10}) 00000 n $/gm)].map((m) => Number(m[1]));
    offsets.forEach((o, i) => expect(pdf.slice(o, o + `${i + 1} 0 obj`.length)).toBe(`${i + 1} 0 obj`));
    expect(pdf).toContain("/Count 2");
  });

  it("refuses bad key files with the file and line: duplicates (both lines), spreadsheet damage, wrong encoding, short rows", async () => {
    writeFileSync(
      join(cwd, "dup.csv"),
      "卡号,卡密\n1234567890123456,ABCDEFGHJKLMNPQR\n1234567890123457,ABCDEFGHJKLMNPQS\n1234567890123456,ABCDEFGHJKLMNPQR\n",
    );
    writeFileSync(join(cwd, "sci.csv"), "卡号,卡密\n1.23457E+16,ABCDEFGHJKLMNPQR\n");
    writeFileSync(
      join(cwd, "gbk.csv"),
      Buffer.from([
        0xbf,
        0xa8,
        0xba,
        0xc5,
        0x2c,
        0xbf,
        0xa8,
        0xc3,
        0xdc,
        0x0a,
        ...Buffer.from("1234567890123456,ABCDEFGHJKLMNPQR\n"),
      ]),
    );
    writeFileSync(join(cwd, "short.csv"), "卡号,卡密\n1234567890123456\n");
    const args = (file: string, out: string) => [
      "batch",
      "seal",
      file,
      "--label",
      out,
      ...SEAL,
      "--supplier",
      SUPPLIER,
      "--out",
      `out/${out}`,
    ];
    const [dup, sci, gbk, short, gbkOk] = await Promise.all([
      cli(args("dup.csv", "dup")),
      cli(args("sci.csv", "sci")),
      cli([...args("gbk.csv", "gbk"), "--encoding", "utf-8"]),
      cli(args("short.csv", "short")),
      cli([...args("gbk.csv", "gbk-ok"), "--encoding", "gbk"]),
    ]);
    expect(dup.code).toBe(1);
    expect(dup.stderr).toContain("dup.csv line 4: duplicate PIN (first seen on line 2)");
    expect(sci.code).toBe(1);
    expect(sci.stderr).toContain('sci.csv line 2: serial "1.23457E+16" is in scientific notation');
    expect(gbk.code).toBe(1);
    expect(gbk.stderr).toContain("gbk.csv line 1: undecodable bytes");
    expect(short.code).toBe(1);
    expect(short.stderr).toContain("short.csv line 2");
    expect(gbkOk.code).toBe(0);
    expect(gbkOk.stderr).toContain("gb18030");
    for (const d of ["dup", "sci", "gbk", "short"]) expect(existsSync(join(cwd, "out", d, ".complete"))).toBe(false);
  });

  it("refuses low-entropy keys, and warns about them under --allow-weak-keys, also under --quiet", async () => {
    writeFileSync(
      join(cwd, "pins.csv"),
      "卡密\n" + Array.from({ length: 50 }, (_, i) => String(100000 + i * 7)).join("\n") + "\n",
    );
    const args = ["batch", "seal", "pins.csv", "--label", "short-pins", ...SEAL, "--supplier", SUPPLIER];
    const refused = await cli([...args, "--out", "out/pins", "--quiet"]);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain("error: Key file pins.csv holds weak keys: 50 of 50 keys have the shape [0-9]{6}");
    expect(existsSync(join(cwd, "out/pins"))).toBe(false);
    // --quiet drops notes and progress, never warnings.
    const r = await ok([...args, "--out", "out/pins", "--quiet", "--allow-weak-keys"]);
    expect(r.stderr).toMatch(/warning: low-entropy keys: about \d+ bits \(6 characters, digits\)/);
    expect(r.stderr).not.toContain("sealing [");
    expect(r.stderr).not.toContain("sealing pins.csv for supplier");
    expect(r.stdout).toContain("sealed 50 keys");
  });

  it("an interrupted seal leaves no .complete, anchor refuses the folder, and re-running the seal finishes it", async () => {
    writeKeyCsv(join(cwd, "big.csv"), 100_000, 2);
    const child = spawnCli(
      ["batch", "seal", "big.csv", "--label", "big", ...SEAL, "--supplier", SUPPLIER, "--out", "out/big"],
      { cwd },
    );
    let stderr = "";
    let sent = false;
    await new Promise<void>((resolve) => {
      child.stderr!.on("data", (b: Buffer) => {
        stderr += b.toString();
        if (!sent && stderr.includes("sealing [")) {
          sent = true;
          child.kill("SIGINT");
        }
      });
      child.on("close", () => resolve());
    });
    expect(child.exitCode).toBe(130);
    expect(stderr).toContain("re-run the same command to resume");
    expect(existsSync(join(cwd, "out/big/.complete"))).toBe(false);
    const anchor = await cli(["batch", "anchor", "out/big", "--account", "1"]);
    expect(anchor.code).toBe(1);
    expect(anchor.stderr).toMatch(
      /only the unfinished out\/big\.partial-\d+-[0-9a-f]+ of an interrupted seal is there, and it is never anchored/,
    );
    const redo = await ok([
      "batch",
      "seal",
      "big.csv",
      "--label",
      "big",
      ...SEAL,
      "--supplier",
      SUPPLIER,
      "--out",
      "out/big",
    ]);
    expect(redo.stdout).toContain("sealed 100000 keys");
    expect(readdirSync(join(cwd, "out/big/shards")).length).toBe(98);
    const anchored = await ok(["batch", "anchor", "out/big", "--account", "1", "--json"]);
    expect(JSON.parse(anchored.stdout)).toMatchObject({ count: "100000", alreadyAnchored: false });
  });

  it("a re-run into a complete seal with the same label: the same input changes nothing, another key file or reading option is refused naming both hashes", async () => {
    const args = (...extra: string[]) => [
      "batch",
      "seal",
      "batch.csv",
      "--label",
      "reseal",
      ...SEAL,
      "--supplier",
      SUPPLIER,
      "--out",
      "out/reseal",
      ...extra,
    ];
    writeKeyCsv(join(cwd, "batch.csv"), 100, 3);
    const first = await ok([...args(), "--json"]);
    const sealed = JSON.parse(readFileSync(join(cwd, "out/reseal/seal-input.json"), "utf8")) as {
      inputHash: Hex;
      keyFileSha256: Hex;
      keyFile: string;
    };
    const batchId = JSON.parse(first.stdout).batchId as Hex;
    const sha = (file: string) =>
      `0x${createHash("sha256")
        .update(readFileSync(join(cwd, file)))
        .digest("hex")}` as Hex;
    expect(sealed).toMatchObject({
      keyFile: "batch.csv",
      keyFileSha256: sha("batch.csv"),
      inputHash: sealInputOf(batchId, "batch.csv", sha("batch.csv"), {}).inputHash,
    });

    expect((await ok(args())).stdout).toContain(`already sealed: batch ${batchId}`);

    // The supplier's export grew by 99 keys: the same label and folder must not report "nothing changed".
    writeKeyCsv(join(cwd, "batch.csv"), 199, 3);
    const grown = await cli(args());
    expect(grown.code).toBe(1);
    const now = sealInputOf(batchId, "batch.csv", sha("batch.csv"), {}).inputHash;
    expect(grown.stderr).toContain(
      `out/reseal already holds the complete seal of batch ${batchId} (label "reseal") from input ${sealed.inputHash}, but batch.csv gives input ${now}`,
    );
    expect(grown.stderr).toContain(
      `the key file differs (SHA-256 ${sealed.keyFileSha256} sealed from batch.csv, ${sha("batch.csv")} now)`,
    );
    expect(grown.stdout).not.toContain("already sealed");

    // The same bytes read with another option (case rule) would seal other keys: refused as well.
    writeKeyCsv(join(cwd, "batch.csv"), 100, 3);
    const caseRule = await cli(args("--case-insensitive"));
    expect(caseRule.code).toBe(1);
    expect(caseRule.stderr).toContain(
      `from input ${sealed.inputHash}, but batch.csv gives input ${sealInputOf(batchId, "batch.csv", sha("batch.csv"), { caseInsensitive: true }).inputHash}`,
    );
    expect(caseRule.stderr).toContain('the reading options differ (sealed with {"encoding":"auto"');
    expect((await ok(args())).stdout).toContain("already sealed");
  });

  it("refuses --expires in the past unless --allow-expired; anchor refuses a batch whose expiry has passed unless --allow-expired", async () => {
    writeKeyCsv(join(cwd, "old.csv"), 50, 4);
    const args = (...extra: string[]) => [
      "batch",
      "seal",
      "old.csv",
      "--label",
      "expired",
      "--product",
      "SKU-1",
      "--face",
      "50",
      "--currency",
      "CNY",
      "--expires",
      "2020-01-01",
      "--portal",
      "https://verify.example.com",
      "--supplier",
      SUPPLIER,
      "--out",
      "out/expired",
      ...extra,
    ];
    const refusedSeal = await cli(args());
    expect(refusedSeal.code).toBe(2);
    expect(refusedSeal.stderr).toMatch(
      /--expires 2020-01-01 is 2020-01-01T23:59:59Z, already past \(now 20\d\d-\d\d-\d\dT\d\d:\d\d:\d\dZ\)/,
    );
    expect(refusedSeal.stderr).toContain("--allow-expired");
    expect(existsSync(join(cwd, "out/expired"))).toBe(false);

    const sealed = await ok(args("--allow-expired"));
    expect(sealed.stdout).toContain("sealed 50 keys into out/expired");
    expect(JSON.parse(readFileSync(join(cwd, "out/expired/manifest.json"), "utf8")).expiresAt).toBe(
      Date.UTC(2020, 0, 1, 23, 59, 59) / 1000,
    );

    const refusedAnchor = await cli(["batch", "anchor", "out/expired", "--account", "1"]);
    expect(refusedAnchor.code).toBe(1);
    expect(refusedAnchor.stderr).toContain(
      "Batch out/expired expired at 2020-01-01T23:59:59Z (expiresAt 1577923199), before now (",
    );
    expect(refusedAnchor.stderr).toContain("--allow-expired");
    expect(existsSync(join(cwd, "out/expired/anchor.json"))).toBe(false);
    const anchored = await ok(["batch", "anchor", "out/expired", "--account", "1", "--allow-expired", "--json"]);
    expect(JSON.parse(anchored.stdout)).toMatchObject({ count: "50", alreadyAnchored: false });
  });
});
