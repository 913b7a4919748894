import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Wallet, encryptKeystoreJsonSync } from "ethers";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { testAddress } from "./helpers/accounts.js";
import { runCli } from "./helpers/runCli.js";
import { freePort, startHardhatNode, type HardhatNode } from "./helpers/startHardhatNode.js";

let node: HardhatNode;
let cwd: string;
const rpc = () => ["--rpc-url", node.url];

beforeAll(async () => {
  // A chain id other than Hardhat's default: the CLI is not tied to 31337, and test accounts are refused here.
  node = await startHardhatNode({ chainId: 1337 });
  cwd = mkdtempSync(join(tmpdir(), "keytrail-cli-errors-"));
});
afterAll(async () => {
  await node?.stop();
  if (cwd) rmSync(cwd, { recursive: true, force: true });
});

describe("keytrail CLI: usage and help", () => {
  const commands = [
    [],
    ["init"],
    ["deploy"],
    ["party"],
    ["party", "register"],
    ["party", "update"],
    ["party", "suspend"],
    ["party", "reinstate"],
    ["party", "show"],
    ["party", "rekey"],
    ["party", "rekey", "propose"],
    ["party", "rekey", "confirm"],
    ["role", "grant"],
    ["role", "revoke"],
    ["authorize"],
    ["deauthorize"],
    ["redeemer", "add"],
    ["redeemer", "remove"],
    ["batch", "seal"],
    ["batch", "anchor"],
    ["batch", "qr"],
    ["batch", "labels"],
    ["batch", "link"],
    ["transfer"],
    ["revoke"],
    ["reinstate"],
    ["redeem"],
    ["sell"],
    ["refund"],
    ["verify"],
    ["status"],
  ];
  it("every command prints --help with an example and exits 0", async () => {
    // In-process (the same main() the bin runs) to keep this fast; the child-process path is covered below.
    const { main } = await import("../../scripts/cli/main.js");
    for (const c of commands) {
      let printed = "";
      const write = process.stdout.write.bind(process.stdout);
      process.stdout.write = ((chunk: string | Uint8Array) => {
        printed += typeof chunk === "string" ? chunk : new TextDecoder().decode(chunk);
        return true;
      }) as typeof process.stdout.write;
      let code: number;
      try {
        code = await main(["node", "keytrail", ...c, "--help"]);
      } finally {
        process.stdout.write = write;
      }
      expect(code, `keytrail ${c.join(" ")} --help`).toBe(0);
      expect(printed, `keytrail ${c.join(" ")} --help`).toMatch(/Example:\n\s+\$ keytrail /);
    }
    const child = await runCli(["transfer", "--help"], { cwd });
    expect(child.code).toBe(0);
    expect(child.stdout).toContain("--chunk-size");
  });

  it("usage errors exit 2 and name the input", async () => {
    const [unknown, missing, badRange, badAddr, badReason] = await Promise.all([
      runCli(["transfer", "--bogus"], { cwd }),
      runCli(["revoke", "--batch", "0x" + "11".repeat(32)], { cwd }),
      runCli(["revoke", "--batch", "0x" + "11".repeat(32), "--range", "10-5", "--reason", "stolen", ...rpc()], { cwd }),
      runCli(["transfer", "--batch", "0x" + "11".repeat(32), "--range", "0-9", "--to", "0x1234", ...rpc()], { cwd }),
      runCli(["revoke", "--batch", "0x" + "11".repeat(32), "--range", "0-9", "--reason", "lost", ...rpc()], { cwd }),
    ]);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain("--bogus");
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/--range/);
    expect(badRange.code).toBe(2);
    expect(badRange.stderr).toContain('--range "10-5" ends before it starts');
    expect(badAddr.code).toBe(2);
    expect(badAddr.stderr).toContain('--to "0x1234" is not an address');
    expect(badReason.code).toBe(2);
    expect(badReason.stderr).toContain('--reason "lost" is not a revocation reason');
  });

  it("verify --help's --shards example is where the portal publishes proof shards (/export/proofs/{batchId})", async () => {
    const r = await runCli(["verify", "--help"], { cwd });
    expect(r.code).toBe(0);
    const shards = [...r.stdout.matchAll(/--shards (https?:\/\/\S+)/g)].map((m) => m[1]);
    expect(shards).toEqual(["https://verify.example.com/export/proofs/{batchId}"]);
  });

  it("audit's bad option values exit 1 (its 2 means a diverging indexer), as docs/CLI.md says", async () => {
    const r = await runCli(["audit", "--fail-on", "bogus", ...rpc()], { cwd });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('--fail-on "bogus" is not a severity');
    const doc = readFileSync(new URL("../../docs/CLI.md", import.meta.url), "utf8");
    const exitCodes = /- \*\*Exit codes\*\*:[\s\S]*?\n- \*\*/.exec(doc)![0];
    expect(exitCodes).toMatch(/`audit`[^.]*bad[^.]*exit `?1/);
  });

  it("an empty party name and a malformed --ws are refused before any chain call", async () => {
    const [badName, badWs] = await Promise.all([
      runCli(["party", "register", testAddress(5), "--kind", "retailer", "--name", "   ", ...rpc()], { cwd }),
      runCli(["index", "--ws", "http://127.0.0.1:1", ...rpc()], { cwd }),
    ]);
    expect(badName.code).toBe(2);
    expect(badName.stderr).toContain('--name: Party name "   ": expected 1 to 80 characters.');
    expect(badWs.code).toBe(2);
    expect(badWs.stderr).toContain('--ws "http://127.0.0.1:1" is not valid');
  });
});

describe("keytrail CLI: chain connection errors", () => {
  it("a dead RPC gives up after bounded retries and names the URL", async () => {
    const port = await freePort();
    const r = await runCli(["party", "show", testAddress(1), "--rpc-url", `http://127.0.0.1:${port}`], { cwd });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`RPC http://127.0.0.1:${port} is unreachable`);
  });

  it("a dead RPC given with --rpc (index, audit) names --rpc as the flag to check, not --rpc-url", async () => {
    const dead = `http://127.0.0.1:${await freePort()}`;
    const [index, audit] = await Promise.all([
      runCli(["index", "--rpc", dead, "--ws", "off"], { cwd }),
      runCli(["audit", "--rpc", dead], { cwd }),
    ]);
    for (const [name, r] of [
      ["index", index],
      ["audit", audit],
    ] as const) {
      expect(r.code, name).toBe(1);
      expect(r.stderr, name).toContain(`RPC ${dead} is unreachable`);
      expect(r.stderr, name).toContain("the URL given with --rpc");
      expect(r.stderr, name).not.toContain("--rpc-url");
    }
    const global = await runCli(["party", "show", testAddress(1), "--rpc-url", dead], { cwd });
    expect(global.stderr).toContain("the URL given with --rpc-url");
  });

  it("with no ledger known for the chain, says how to get one", async () => {
    const r = await runCli(["party", "show", testAddress(1), ...rpc()], { cwd });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain("No KeyTrail ledger is known for chain id 1337");
    expect(r.stderr).toContain("keytrail deploy");
  });

  it("a ledger address without code is named", async () => {
    const r = await runCli(["party", "show", testAddress(1), ...rpc(), "--ledger", testAddress(9)], { cwd });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`No contract code at ledger address ${testAddress(9)} on chain id 1337`);
  });

  it("a chain id other than the one expected is refused with both ids", async () => {
    const r = await runCli(["party", "show", testAddress(1), ...rpc(), "--chain-id", "8453"], { cwd });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`RPC ${node.url} serves chain id 1337, but --chain-id expects chain id 8453`);
  });
});

describe("keytrail CLI: accounts", () => {
  it("refuses a malformed KEYTRAIL_PRIVATE_KEY without printing it", async () => {
    const secret = "0xdeadbeef";
    const r = await runCli(["deploy", ...rpc()], { cwd, env: { KEYTRAIL_PRIVATE_KEY: secret } });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("KEYTRAIL_PRIVATE_KEY does not hold a 32-byte hex private key");
    expect(r.stderr + r.stdout).not.toContain("deadbeef");
  });

  it("refuses the local test accounts on a chain other than 31337", async () => {
    const r = await runCli(["deploy", ...rpc(), "--account", "0"], { cwd });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(
      "--account 0 selects a local test account, which exists only on chain 31337; this chain is 1337.",
    );
  });

  it("asks for an account when none is given", async () => {
    const r = await runCli(["deploy", ...rpc()], { cwd });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("No signing account given");
  });

  it("opens an encrypted keystore, reports a wrong password, and reports insufficient funds of an empty account", async () => {
    const wallet = Wallet.createRandom();
    const json = encryptKeystoreJsonSync({ address: wallet.address, privateKey: wallet.privateKey }, "correct horse", {
      scrypt: { N: 1024 },
    });
    const file = join(cwd, "empty.json");
    writeFileSync(file, json);
    const [wrong, broke] = await Promise.all([
      runCli(["deploy", ...rpc(), "--keystore", file], { cwd, env: { KEYTRAIL_KEYSTORE_PASSWORD: "battery staple" } }),
      runCli(["deploy", ...rpc(), "--keystore", file], { cwd, env: { KEYTRAIL_KEYSTORE_PASSWORD: "correct horse" } }),
    ]);
    expect(wrong.code).toBe(1);
    expect(wrong.stderr).toContain(`Keystore ${file} could not be opened: wrong password`);
    expect(broke.code).toBe(1);
    expect(broke.stderr).toContain(
      `insufficient funds: account ${wallet.address} has 0 ETH and cannot pay for gas on chain id 1337`,
    );
    expect(broke.stderr + broke.stdout).not.toContain(wallet.privateKey.slice(2));
  });
});

describe("keytrail init and an environment private key", () => {
  it("writes keytrail.config.json once, refuses to overwrite it, and refuses bad values", async () => {
    const dir = mkdtempSync(join(cwd, "init-"));
    const r = await runCli(
      [
        "init",
        "--network",
        "local",
        "--chain",
        "1337",
        "--rpc",
        node.url,
        "--account-source",
        "env",
        "--portal",
        "https://verify.example.com/",
      ],
      { cwd: dir },
    );
    expect(r.code).toBe(0);
    expect(JSON.parse(readFileSync(join(dir, "keytrail.config.json"), "utf8"))).toEqual({
      network: "local",
      chainId: 1337,
      rpcUrls: [node.url],
      account: { source: "env", variable: "KEYTRAIL_PRIVATE_KEY" },
      portalBase: "https://verify.example.com",
    });
    const again = await runCli(["init"], { cwd: dir });
    expect(again.code).toBe(2);
    expect(again.stderr).toContain("already exists; pass --force");
    const bad = await runCli(["init", "--force", "--account-source", "ledger:usb"], { cwd: dir });
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('--account-source "ledger:usb" is not an account source');

    // The config names the network; the key comes from the environment and is never printed.
    const key = "0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80"; // Hardhat's public test key 0
    const dep = await runCli(["deploy", "--json"], { cwd: dir, env: { KEYTRAIL_PRIVATE_KEY: key } });
    expect(dep.code, dep.stderr).toBe(0);
    // deploy is v2 by default: the record names the version, the sale module and the admin delay (1 day).
    expect(JSON.parse(dep.stdout)).toMatchObject({
      chainId: 1337,
      admin: testAddress(0),
      version: 2,
      sales: expect.stringMatching(/^0x[0-9a-fA-F]{40}$/),
      adminDelay: 86_400,
    });
    expect(dep.stdout + dep.stderr).not.toContain(key.slice(2));
    const rec = JSON.parse(readFileSync(join(dir, ".keytrail", "deployments", "1337.json"), "utf8"));
    const show = await runCli(["party", "show", testAddress(0), "--json"], { cwd: dir });
    expect(show.code).toBe(0);
    expect(JSON.parse(show.stdout)).toMatchObject({ registered: false });
    expect(rec.ledger).toMatch(/^0x[0-9a-fA-F]{40}$/);
    // A ledger deployed elsewhere (Ignition, another tool) is named with the global --ledger.
    const named = await runCli(
      ["init", "--config", "named.json", "--ledger", rec.ledger, "--deploy-block", String(rec.deployBlock)],
      { cwd: dir },
    );
    expect(named.code, named.stderr).toBe(0);
    expect(JSON.parse(readFileSync(join(dir, "named.json"), "utf8"))).toMatchObject({
      ledger: rec.ledger,
      deployBlock: rec.deployBlock,
    });
  });
});
