import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { labelUrl } from "../../scripts/cli/batch/labelUrl.js";
import { testAddress } from "./helpers/accounts.js";
import { runCli, type CliResult } from "./helpers/runCli.js";
import { startHardhatNode, type HardhatNode } from "./helpers/startHardhatNode.js";
import { writeKeyCsv } from "./helpers/writeKeyCsv.js";

const SUPPLIER = testAddress(1);
let node: HardhatNode;
let cwd: string;
const cli = (args: string[]): Promise<CliResult> => runCli(args, { cwd });
const ok = async (args: string[]): Promise<CliResult> => {
  const r = await cli(args);
  expect(r.code, `keytrail ${args.join(" ")}\n${r.stderr}`).toBe(0);
  return r;
};
const SEAL = ["--product", "06901234567892", "--gtin", "06901234567892", "--face", "50", "--currency", "CNY"];
const urlOf = (dir: string, index: number) =>
  readFileSync(join(cwd, dir, "urls.csv"), "utf8")
    .split("\n")
    .find((l) => l.startsWith(`${index},`))!
    .split(",")
    .slice(2)
    .join(",");

beforeAll(async () => {
  node = await startHardhatNode();
  cwd = mkdtempSync(join(tmpdir(), "keytrail-cli-dl-"));
  await ok(["init", "--chain", "31337", "--rpc", node.url, "--portal", "https://verify.example.com"]);
  await ok(["deploy", "--account", "0"]);
  await ok(["party", "register", SUPPLIER, "--kind", "supplier", "--account", "0"]);
});
afterAll(async () => {
  await node?.stop();
  if (cwd) rmSync(cwd, { recursive: true, force: true });
});

describe("keytrail: weak keys, GS1 Digital Links and the public form on a real chain", () => {
  it("batch seal refuses 8-digit PINs (exit 1, file, shape, bits) and seals them with --allow-weak-keys", async () => {
    // 1,500 distinct pseudo-random 8-digit PINs
    const pins = new Set<string>();
    let x = 12345;
    while (pins.size < 1500) {
      x = (x * 1103515245 + 12345) % 2 ** 31;
      pins.add(String(x % 100_000_000).padStart(8, "0"));
    }
    const lines = ["卡号,卡密", ...[...pins].map((pin, i) => `${8600000000000000 + i},${pin}`)];
    writeFileSync(join(cwd, "pins.csv"), `${lines.join("\n")}\n`);
    const args = ["batch", "seal", "pins.csv", "--label", "weak", ...SEAL, "--expires", "2035-12-31", "--out", "out/W"];
    const refused = await cli([...args, "--account", "1"]);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(
      /error: Key file pins\.csv holds weak keys: 1,500 of 1,500 keys have the shape \[0-9\]\{8\} \(8 characters\), about 26 bits, under the 64 bits a sealed key needs\./,
    );
    expect(refused.stderr).toContain("--allow-weak-keys");
    const sealed = await ok([...args, "--account", "1", "--allow-weak-keys"]);
    expect(sealed.stderr).toContain("sealed weak keys (--allow-weak-keys): shape [0-9]{8}, about 26 bits");
  });

  it("verify takes the Digital Links of urls.csv (private and public form) and refuses a path that disagrees", async () => {
    writeKeyCsv(join(cwd, "keys.csv"), 300, 3);
    const seal = ["batch", "seal", "keys.csv", "--label", "dl", ...SEAL, "--expires", "2035-12-31", "--out", "out/D"];
    await ok([...seal, "--account", "1"]);
    await ok(["batch", "anchor", "out/D", "--account", "1"]);
    const url = urlOf("out/D", 7);
    expect(url).toMatch(/^https:\/\/verify\.example\.com\/01\/06901234567892\/21\/[0-9a-f]{8}\.7#/);

    const priv = await cli(["verify", url, "--batch-dir", "out/D"]);
    expect(priv.code, priv.stderr).toBe(0);
    expect(priv.stdout).toMatch(/^GENUINE: This key is genuine/);

    const pub = await cli(["verify", labelUrl(url, "public"), "--batch-dir", "out/D", "--pin", "ANYTHING"]);
    expect(pub.code, pub.stderr).toBe(0);
    expect(pub.stdout).toMatch(/^GENUINE: The code is genuine: .*; a typed key cannot be checked with this form\./);
    expect(pub.stderr).toContain("the public form carries no salt: a typed key cannot be checked with it");

    const other = url.replace(/\.7#/, ".8#");
    const bad = await cli(["verify", other, "--batch-dir", "out/D", "--json"]);
    expect(bad.code).toBe(1);
    const json = JSON.parse(bad.stdout) as { verdict: string; message: string };
    expect(json.verdict).toBe("malformed");
    expect(json.message).toContain("link path and payload disagree");
  });
});
