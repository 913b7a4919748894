import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { decodePayload } from "../../lib/payload/decodePayload.js";
import { encodePayload } from "../../lib/payload/encodePayload.js";
import { parsePayloadInput } from "../../lib/payload/parsePayloadInput.js";
import { testAddress } from "./helpers/accounts.js";
import { runCli, type CliResult } from "./helpers/runCli.js";
import { freePort, startHardhatNode, type HardhatNode } from "./helpers/startHardhatNode.js";
import { writeKeyCsv } from "./helpers/writeKeyCsv.js";

// The whole story on one chain: deploy, register, seal, anchor, two tiers of transfers, revoke,
// redeem, and the consumer's verification of genuine, revoked, redeemed and tampered codes.
const SUPPLIER = testAddress(1);
const DIST1 = testAddress(2);
const RETAIL = testAddress(3);
/** Product terms of the small test batches whose terms do not matter. */
const PLAIN_TERMS = ["--product", "1", "--face", "1", "--currency", "CNY", "--expires", "never"];
let node: HardhatNode;
let cwd: string;
let keys: { serial: string; pin: string }[];
let batchId: string;

const cli = (args: string[]): Promise<CliResult> => runCli(args, { cwd });
const ok = async (args: string[]): Promise<CliResult> => {
  const r = await cli(args);
  expect(r.code, `keytrail ${args.join(" ")}\n${r.stderr}`).toBe(0);
  return r;
};
const urlOf = (index: number) =>
  readFileSync(join(cwd, "out/A/urls.csv"), "utf8")
    .split("\n")
    .find((l) => l.startsWith(`${index},`))!
    .split(",")[2]!;
const verify = async (input: string, ...extra: string[]) => {
  const r = await cli(["verify", input, "--json", "--batch-dir", "out/A", ...extra]);
  return {
    code: r.code,
    json: JSON.parse(r.stdout) as Record<string, unknown> & { verdict: string },
    stderr: r.stderr,
  };
};

beforeAll(async () => {
  node = await startHardhatNode();
  cwd = mkdtempSync(join(tmpdir(), "keytrail-cli-flow-"));
  await ok(["init", "--chain", "31337", "--rpc", node.url, "--portal", "https://verify.example.com"]);
  await ok(["deploy", "--account", "0", "--ledger-version", "1"]);
  await ok(["party", "register", SUPPLIER, "--kind", "supplier", "--account", "0"]);
  await ok(["party", "register", DIST1, "--kind", "distributor", "--account", "0"]);
  await ok(["party", "register", RETAIL, "--kind", "retailer", "--account", "0"]);
  keys = writeKeyCsv(join(cwd, "keys.csv"), 4000, 7);
});
afterAll(async () => {
  await node?.stop();
  if (cwd) rmSync(cwd, { recursive: true, force: true });
});

describe("keytrail: seal, anchor, move, revoke, redeem, verify", () => {
  it("seals 4,000 keys and anchors them; a second anchor is a no-op", async () => {
    const seal = await ok([
      "batch",
      "seal",
      "keys.csv",
      "--label",
      "2026-11-A",
      "--product",
      "06901234567892",
      "--gtin",
      "06901234567892",
      "--face",
      "100",
      "--currency",
      "CNY",
      "--expires",
      "2035-12-31",
      "--out",
      "out/A",
      "--account",
      "1",
    ]);
    batchId = /batch (0x[0-9a-f]{64})/.exec(seal.stdout)![1]!;
    const first = JSON.parse((await ok(["batch", "anchor", "out/A", "--account", "1", "--json"])).stdout);
    expect(first.alreadyAnchored).toBe(false);
    const second = JSON.parse((await ok(["batch", "anchor", "out/A", "--account", "1", "--json"])).stdout);
    expect(second).toMatchObject({ alreadyAnchored: true, txHash: first.txHash });
  });

  it("transfers down two tiers, refuses a double transfer naming the holder, revokes and redeems", async () => {
    await ok(["transfer", "--batch", "out/A", "--range", "0-1999", "--to", DIST1, "--memo", "PO-1", "--account", "1"]);
    await ok(["transfer", "--batch", "out/A", "--range", "0-99", "--to", RETAIL, "--account", "2"]);
    const dbl = await cli(["transfer", "--batch", "out/A", "--range", "0-1999", "--to", RETAIL, "--account", "1"]);
    expect(dbl.code).toBe(1);
    // 0-1999 is held in two parts: 0-99 by the retailer, 100-1999 by the distributor.
    expect(dbl.stderr).toContain(
      `Range 0-1999 of batch ${batchId} is not held by you (${SUPPLIER}): keys 0-99 held by ${RETAIL}, 100-1999 held by ${DIST1}.`,
    );
    await ok(["revoke", "--batch", "out/A", "--range", "3000-3099", "--reason", "stolen", "--account", "1"]);
    writeFileSync(join(cwd, "redeemed.txt"), "2500\n2501-2503\n");
    await ok(["redeem", "--batch", "out/A", "--indices", "redeemed.txt", "--account", "1"]);
  });

  it("verify --json: genuine (short and full form, seller check, typed key), revoked, redeemed", async () => {
    const [full, wrongSeller] = await Promise.all([
      ok(["batch", "link", "--batch-dir", "out/A", "--index", "42", "--full", "--seller", RETAIL]),
      ok(["batch", "link", "--batch-dir", "out/A", "--index", "42", "--seller", DIST1]),
    ]);
    // Read-only checks run side by side.
    const [genuine, offlineProof, mismatch, typed, wrongKey, revoked, redeemed] = await Promise.all([
      verify(urlOf(42)),
      cli(["verify", full.stdout.trim(), "--json"]),
      verify(wrongSeller.stdout.trim()),
      verify(urlOf(42), "--serial", keys[42]!.serial, "--pin", ` ${keys[42]!.pin.replace(/(.{4})(?=.)/g, "$1-")} `),
      verify(urlOf(42), "--serial", keys[42]!.serial, "--pin", keys[43]!.pin),
      verify(urlOf(3050)),
      verify(urlOf(2502)),
    ]);
    expect(genuine.code).toBe(0);
    expect(genuine.json).toMatchObject({
      verdict: "genuine",
      checked: "code",
      batchId,
      index: 42,
      holder: RETAIL,
      supplier: SUPPLIER,
    });
    expect(JSON.stringify(genuine.json)).not.toContain(keys[42]!.pin);

    // Full form: the proof travels in the link, no shard source needed.
    const fullJson = JSON.parse(offlineProof.stdout);
    expect(fullJson).toMatchObject({ verdict: "genuine", holder: RETAIL });
    expect(fullJson.seller.toLowerCase()).toBe(RETAIL.toLowerCase());
    expect(mismatch.code).toBe(1);
    expect(mismatch.json).toMatchObject({ verdict: "holder-mismatch", holder: RETAIL });

    // A typed key with group dashes and spaces still matches (normalised locally).
    expect(typed.json).toMatchObject({ verdict: "genuine", keyCheck: "match", checked: "key" });
    expect(wrongKey.json).toMatchObject({ verdict: "not-in-batch", keyCheck: "mismatch" });

    expect(revoked.code).toBe(1);
    expect(revoked.json).toMatchObject({ verdict: "revoked", reason: "stolen", index: 3050 });
    expect(redeemed.code).toBe(1);
    expect(redeemed.json).toMatchObject({ verdict: "redeemed", index: 2502 });
  });

  it("verify --pin without --serial on a key sealed with a serial asks for the serial instead of saying not-in-batch", async () => {
    const full = (await ok(["batch", "link", "--batch-dir", "out/A", "--index", "42", "--full"])).stdout.trim();
    const [fromFolder, fromLink] = await Promise.all([
      cli(["verify", urlOf(42), "--json", "--batch-dir", "out/A", "--pin", keys[42]!.pin]),
      cli(["verify", full, "--json", "--pin", keys[42]!.pin]),
    ]);
    // The folder's urls.csv shows key 42 has a card number: the PIN alone can never match it.
    expect(fromFolder.code).toBe(2);
    expect(fromFolder.stdout).not.toContain("not-in-batch");
    expect(fromFolder.stderr).toContain(
      `Key 42 of batch ${batchId} was sealed with a card number (卡号): give it with --serial as well as --pin`,
    );
    // Without the folder nothing says whether the key has one: ask for it, and say what else it could mean.
    expect(fromLink.code).toBe(2);
    expect(fromLink.stdout).not.toContain("not-in-batch");
    expect(fromLink.stderr).toContain(
      `The PIN alone does not match key 42 of batch ${batchId}: if the card has a card number (卡号), give it with --serial`,
    );
    // A key of a batch sealed without serials is checked with the PIN alone, right or wrong.
    writeFileSync(join(cwd, "pins.csv"), ["卡密", ...keys.slice(0, 20).map((k) => k.pin)].join("\n") + "\n");
    await ok(["batch", "seal", "pins.csv", "--label", "pins-only", ...PLAIN_TERMS, "--out", "out/P", "--account", "1"]);
    await ok(["batch", "anchor", "out/P", "--account", "1"]);
    const pinUrl = readFileSync(join(cwd, "out/P/urls.csv"), "utf8").split("\n")[6]!.split(",")[2]!;
    const pinFull = (await ok(["batch", "link", "--batch-dir", "out/P", "--index", "5", "--full"])).stdout.trim();
    const [right, wrong, rightNoFolder, wrongNoFolder] = await Promise.all([
      cli(["verify", pinUrl, "--json", "--batch-dir", "out/P", "--pin", keys[5]!.pin]),
      cli(["verify", pinUrl, "--json", "--batch-dir", "out/P", "--pin", keys[6]!.pin]),
      cli(["verify", pinFull, "--json", "--pin", keys[5]!.pin]),
      cli(["verify", pinFull, "--json", "--pin", keys[6]!.pin]),
    ]);
    expect(JSON.parse(right.stdout)).toMatchObject({ verdict: "genuine", keyCheck: "match", index: 5 });
    expect(wrong.code).toBe(1);
    expect(JSON.parse(wrong.stdout)).toMatchObject({ verdict: "not-in-batch", keyCheck: "mismatch", index: 5 });
    expect(JSON.parse(rightNoFolder.stdout)).toMatchObject({ verdict: "genuine", keyCheck: "match", index: 5 });
    expect(wrongNoFolder.code).toBe(2);
    expect(wrongNoFolder.stderr).toContain("if the card has no card number, this PIN is not the key's");
  });

  it("verify --json: tampered codes, a code for another chain, and an unreachable chain", async () => {
    // A genuine full-form code re-labelled as another key of the batch: its proof no longer leads to the root.
    const full = (await ok(["batch", "link", "--batch-dir", "out/A", "--index", "10", "--full"])).stdout.trim();
    const p = decodePayload(parsePayloadInput(full).payload);
    const relabelled = await verify(`https://verify.example.com/v/#${encodePayload({ ...p, index: 11 })}`);
    expect(relabelled.code).toBe(1);
    expect(relabelled.json.verdict).toBe("not-in-batch");
    // One character of the link changed in transit (inside the batch id).
    const url = urlOf(10);
    const at = url.indexOf("#") + 50;
    const flipped = url.slice(0, at) + (url[at] === "A" ? "B" : "A") + url.slice(at + 1);
    const tampered = await verify(flipped);
    expect(tampered.code).toBe(1);
    expect(["not-in-batch", "malformed"]).toContain(tampered.json.verdict);
    const garbage = await verify("https://verify.example.com/v/#not*base64");
    expect(garbage.json).toMatchObject({ verdict: "malformed" });

    // The same keys sealed for chain 8453: this verifier reads chain 31337.
    await ok([
      "batch",
      "seal",
      "keys.csv",
      "--label",
      "base",
      ...PLAIN_TERMS,
      "--chain-id",
      "8453",
      "--ledger",
      testAddress(19),
      "--supplier",
      SUPPLIER,
      "--out",
      "out/B",
    ]);
    const other = readFileSync(join(cwd, "out/B/urls.csv"), "utf8").split("\n")[1]!.split(",")[2]!;
    const wrongChain = await cli(["verify", other, "--json", "--batch-dir", "out/B"]);
    expect(wrongChain.code).toBe(1);
    expect(JSON.parse(wrongChain.stdout)).toMatchObject({
      verdict: "wrong-chain",
      payloadChainId: 8453,
      expectedChainId: 31337,
    });

    const dead = await cli([
      "verify",
      urlOf(42),
      "--json",
      "--batch-dir",
      "out/A",
      "--rpc-url",
      `http://127.0.0.1:${await freePort()}`,
    ]);
    expect(dead.code).toBe(1);
    expect(JSON.parse(dead.stdout)).toMatchObject({ verdict: "unreachable" });
  });

  it("status shows holder, revocation and redemption of single keys", async () => {
    const [a, b] = await Promise.all([
      ok(["status", "--batch", batchId, "--index", "50", "--json"]),
      ok(["status", "--batch", "out/A", "--index", "3050"]),
    ]);
    expect(JSON.parse(a.stdout)).toMatchObject({ holder: RETAIL, revoked: false, redeemed: false });
    expect(b.stdout).toContain("REVOKED (stolen)");
  });
});
