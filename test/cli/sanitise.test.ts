/**
 * `keytrail party show` prints a party's on-chain display name through the one sanitiser: a name
 * registered with a right-to-left override, a zero-width space and a line separator comes out
 * without them (and says which were removed), capped; `--json` keeps the raw value. Real
 * `hardhat node`, real CLI process.
 */
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { showChainText } from "../../scripts/cli/io/showChainText.js";
import { testAddress } from "./helpers/accounts.js";
import { runCli, type CliResult } from "./helpers/runCli.js";
import { startHardhatNode, type HardhatNode } from "./helpers/startHardhatNode.js";

const HOSTILE = testAddress(9);
const LONG = testAddress(10);
const ORIGINAL = testAddress(11);
const LOOKALIKE = testAddress(12);
const NAME = "Shop\u202Egnp.exe\u200B\u2028Keys";
const uriOf = (name: string) => `data:application/json,${encodeURIComponent(JSON.stringify({ name }))}`;

let node: HardhatNode;
let cwd: string;
const ok = async (args: string[], account?: number): Promise<CliResult> => {
  const r = await runCli(account === undefined ? args : [...args, "--account", String(account)], { cwd });
  expect(r.code, `keytrail ${args.join(" ")}\n${r.stderr}`).toBe(0);
  return r;
};

beforeAll(async () => {
  node = await startHardhatNode();
  cwd = mkdtempSync(join(tmpdir(), "keytrail-cli-sanitise-"));
  await ok(["init", "--chain", "31337", "--rpc", node.url]);
  await ok(["deploy", "--json"], 0);
  await ok(["party", "register", HOSTILE, "--kind", "retailer", "--profile-uri", uriOf(NAME)], 0);
  await ok(["party", "register", LONG, "--kind", "retailer", "--profile-uri", uriOf("K".repeat(200))], 0);
  await ok(["party", "register", ORIGINAL, "--kind", "supplier", "--name", "Tencent Card"], 0);
  await ok(["party", "register", LOOKALIKE, "--kind", "retailer", "--name", "\u0422encent Card"], 0);
}, 120_000);

afterAll(async () => {
  await node?.stop();
  if (cwd) rmSync(cwd, { recursive: true, force: true });
});

describe("party show prints sanitised names", () => {
  it("removes bidi controls, zero-width and line-separator characters and names what it removed", async () => {
    const { stdout } = await ok(["party", "show", HOSTILE]);
    for (const ch of ["\u202E", "\u200B", "\u2028"]) expect(stdout.includes(ch)).toBe(false);
    expect(stdout).toContain(`${HOSTILE} retailer "Shopgnp.exe Keys" (hidden characters removed: U+200B)`);
    const json = JSON.parse((await ok(["party", "show", HOSTILE, "--json"])).stdout);
    expect(json.profileUri).toBe(uriOf(NAME));
  });

  it("prints the longest name the profile allows on one line", async () => {
    const { stdout } = await ok(["party", "show", LONG]);
    expect(stdout).toMatch(new RegExp(`^${LONG} retailer "K{80}" id \\d+ active=true`, "m"));
  });

  it("caps chain text it prints (a 10 KB URI) at 120 graphemes with an ellipsis, on one line", () => {
    const shown = showChainText(`https://example.com/${"a".repeat(10_240)}\u2028x`);
    expect([...shown]).toHaveLength(122); // the quotes, 119 graphemes and the ellipsis
    expect(shown.endsWith('…"')).toBe(true);
    expect(showChainText("a\u2028b\u202Ec")).toBe('"a bc" (hidden characters removed: U+202E)');
  });
});

describe("keytrail audit report.html", () => {
  it("names the parties with their hidden characters made visible and lists the look-alike names", async () => {
    await ok(["audit", "--out", "audit-out"]);
    const html = readFileSync(join(cwd, "audit-out", "report.html"), "utf8");
    for (const ch of ["\u202E", "\u200B", "\u2028"]) expect(html.includes(ch)).toBe(false);
    expect(html).toContain("Shopgnp.exe⟨U+200B⟩ Keys");
    expect(html).toMatch(new RegExp(`<code>${HOSTILE.toLowerCase()}</code>.*?U\\+202E U\\+200B`));
    const list = /<ul id="lookalikes">(.*?)<\/ul>/s.exec(html)?.[1] ?? "";
    expect(list).toContain(`data-lookalike="${LOOKALIKE.toLowerCase()}"`);
    expect(list).toContain("looks like “Tencent Card”");
  });
});
