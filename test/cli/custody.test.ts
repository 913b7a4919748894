import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  createPublicClient,
  createWalletClient,
  encodeFunctionData,
  http,
  keccak256,
  zeroHash,
  type Address,
  type Hex,
} from "viem";
import { mnemonicToAccount } from "viem/accounts";
import { hardhat } from "viem/chains";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { keyLedgerAbi } from "../../lib/abi/keyLedgerAbi.js";
import { testAddress } from "./helpers/accounts.js";
import { runCli, spawnCli, type CliResult } from "./helpers/runCli.js";
import { startHardhatNode, type HardhatNode } from "./helpers/startHardhatNode.js";
import { registerParties } from "./helpers/registerParties.js";
import { writeManifestOnlyBatch } from "./helpers/writeManifestOnlyBatch.js";

// Accounts: 0 admin and registrar, 1 supplier, 2 first-tier distributor, 3 second-tier
// distributor, 4 retailer, 5 regulator, 6 redeemer, 7 never registered, 8 suspended.
const MNEMONIC = "test test test test test test test test test test test junk";
const ADMIN = testAddress(0);
const SUPPLIER = testAddress(1);
const DIST1 = testAddress(2);
const DIST2 = testAddress(3);
const RETAIL = testAddress(4);
const REGULATOR = testAddress(5);
const REDEEMER = testAddress(6);
const STRANGER = testAddress(7);
const SUSPENDED = testAddress(8);

let node: HardhatNode;
let cwd: string;
let ledger: Address;
let batchId: Hex;
let batchDir: string;
let client: ReturnType<typeof createPublicClient>;

const cli = (args: string[], account?: number): Promise<CliResult> =>
  runCli(account === undefined ? args : [...args, "--account", String(account)], { cwd });
const ok = async (args: string[], account?: number): Promise<CliResult> => {
  const r = await cli(args, account);
  expect(r.code, `keytrail ${args.join(" ")}\n${r.stderr}`).toBe(0);
  return r;
};
const holderOf = (index: bigint) =>
  client.readContract({ address: ledger, abi: keyLedgerAbi, functionName: "holderOf", args: [batchId, index] });

beforeAll(async () => {
  node = await startHardhatNode();
  cwd = mkdtempSync(join(tmpdir(), "keytrail-cli-custody-"));
  client = createPublicClient({ transport: http(node.url) });
  await ok(["init", "--chain", "31337", "--rpc", node.url]);
  // This file covers the v1 ledger (still deployable with --ledger-version 1); v2 is in ledgerV2.test.ts.
  const dep = await ok(["deploy", "--json", "--ledger-version", "1"], 0);
  ledger = JSON.parse(dep.stdout).ledger;
  // Independent set-up transactions from different accounts run in parallel.
  await ok(["party", "register", SUPPLIER, "--kind", "supplier", "--profile-uri", "https://example.com/p/1"], 0);
  await ok(["party", "register", DIST1, "--kind", "distributor", "--accredited-until", "365d"], 0);
  // The other registrations are plain set-up: sent in-process to keep the file fast.
  await registerParties(node.url, ledger, [
    [DIST2, 2],
    [RETAIL, 3],
    [SUSPENDED, 3],
  ]);
  batchDir = join(cwd, "batch-A");
  batchId = writeManifestOnlyBatch({
    dir: batchDir,
    chainId: 31337,
    ledger,
    supplier: SUPPLIER,
    label: "2026-11-A",
    count: 10_000,
  });
});
afterAll(async () => {
  await node?.stop();
  if (cwd) rmSync(cwd, { recursive: true, force: true });
});

describe("keytrail deploy / init / party", () => {
  it("writes the deployment record and re-running deploy changes nothing", async () => {
    const rec = JSON.parse(readFileSync(join(cwd, ".keytrail", "deployments", "31337.json"), "utf8"));
    expect(rec).toMatchObject({ chainId: 31337, ledger, admin: ADMIN, version: 1 });
    expect(rec.deployBlock).toBeGreaterThan(0);
    const again = await ok(["deploy", "--json"], 0);
    expect(JSON.parse(again.stdout).ledger).toBe(ledger);
    expect(again.stderr).toContain("nothing changed");
    // deploy's default is v2: the recorded v1 ledger is kept, and the way to a v2 one is named.
    expect(again.stderr).toContain("the recorded ledger is version 1, not 2: pass --new to deploy a version 2 ledger");
    const bad = await cli(["deploy", "--ledger-version", "3"], 0);
    expect([bad.code, bad.stderr]).toEqual([2, 'error: --ledger-version "3" is not valid: expected 1 or 2.\n']);
    // v2-only commands say so on a v1 ledger.
    const sell = await cli(["sell", "--batch", `0x${"ab".repeat(32)}`, "--index", "1", "--order-ref", "O-1"], 1);
    expect(sell.code).toBe(1);
    expect(sell.stderr).toContain(`Ledger ${ledger} is a version 1 ledger: it records no sales.`);
    const rekey = await cli(["party", "rekey", "propose", DIST1, STRANGER], 0);
    expect(rekey.stderr).toContain(`Ledger ${ledger} is a version 1 ledger: parties cannot be re-keyed there.`);
  });

  it("suspends, reinstates, updates and shows parties", async () => {
    await ok(["party", "suspend", SUSPENDED, "--reason", "licence withdrawn"], 0);
    const [s, d] = await Promise.all([
      ok(["party", "show", SUSPENDED, "--json"]),
      ok(["party", "show", DIST1, "--json"]),
    ]);
    expect(JSON.parse(s.stdout)).toMatchObject({ kind: "retailer", suspended: true, active: false });
    expect(JSON.parse(d.stdout)).toMatchObject({ kind: "distributor", suspended: false, active: true });
    const again = await cli(["party", "reinstate", DIST1], 0);
    expect(again.code).toBe(1);
    expect(again.stderr).toContain(`Party ${DIST1} is not suspended; there is nothing to reinstate.`);
    const profile = join(cwd, "licences.txt");
    writeFileSync(profile, "营业执照 91440300MA5XXXXXXX");
    await ok(["party", "update", DIST2, "--profile", profile, "--accredited-until", "2030-06-30"], 0);
    const u = JSON.parse((await ok(["party", "show", DIST2, "--json"])).stdout);
    expect(u.accreditedUntil).toBe("2030-06-30T23:59:59.000Z");
    expect(u.profileHash).toBe(keccak256(readFileSync(profile)));
  });

  it("party show names the party as registered (display name from the latest profile URI)", async () => {
    const named = testAddress(9);
    await ok(
      [
        "party",
        "register",
        named,
        "--kind",
        "retailer",
        "--name",
        "金鹏商贸 Jinpeng Trading",
        "--profile-uri",
        "https://example.com/p/9",
      ],
      0,
    );
    const shown = await ok(["party", "show", named]);
    expect(shown.stdout).toContain(`${named} retailer "金鹏商贸 Jinpeng Trading" active=true accredited until never`);
    expect(JSON.parse((await ok(["party", "show", named, "--json"])).stdout)).toMatchObject({
      name: "金鹏商贸 Jinpeng Trading",
      profileUri: expect.stringMatching(/^data:application\/json,/),
    });
    await ok(["party", "update", named, "--name", "Jinpeng Retail"], 0);
    expect((await ok(["party", "show", named])).stdout).toContain(`${named} retailer "Jinpeng Retail" active=true`);
    const unnamed = JSON.parse((await ok(["party", "show", DIST1, "--json"])).stdout);
    expect(unnamed).toMatchObject({ name: null, profileUri: "" });
  });

  it("refuses a registration by a non-registrar with the role named", async () => {
    const r = await cli(["party", "register", STRANGER, "--kind", "retailer"], 3);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`${DIST2} lacks the role REGISTRAR_ROLE`);
  });

  it("grants the regulator role, authorises a distributor and adds a redeemer", async () => {
    await ok(["role", "grant", "regulator", REGULATOR], 0);
    const cert = join(cwd, "cert.txt");
    writeFileSync(cert, "授权书 2026");
    const a = await ok(["authorize", DIST1, "--tier", "1", "--expires", "2030-01-01", "--certificate", cert], 1);
    expect(a.stdout).toContain(`authorised ${DIST1} tier 1`);
    const [tier, , hash, valid] = await client.readContract({
      address: ledger,
      abi: keyLedgerAbi,
      functionName: "authorizationOf",
      args: [SUPPLIER, DIST1],
    });
    expect([tier, valid]).toEqual([1, true]);
    expect(hash).not.toBe("0x" + "0".repeat(64));
    await ok(["redeemer", "add", REDEEMER], 1);
    expect(
      await client.readContract({
        address: ledger,
        abi: keyLedgerAbi,
        functionName: "isRedeemer",
        args: [SUPPLIER, REDEEMER],
      }),
    ).toBe(true);
  });
});

describe("keytrail batch anchor", () => {
  it("refuses a folder without .complete", async () => {
    const dir = join(cwd, "half");
    writeManifestOnlyBatch({
      dir,
      chainId: 31337,
      ledger,
      supplier: SUPPLIER,
      label: "half",
      count: 10,
      complete: false,
    });
    const r = await cli(["batch", "anchor", dir], 1);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`Batch folder ${dir} has no .complete marker`);
  });

  it("names a wrong-chain manifest and a wrong-ledger manifest", async () => {
    const wrongChain = join(cwd, "wrong-chain");
    writeManifestOnlyBatch({ dir: wrongChain, chainId: 8453, ledger, supplier: SUPPLIER, label: "wc", count: 10 });
    const r1 = await cli(["batch", "anchor", wrongChain], 1);
    expect(r1.code).toBe(1);
    expect(r1.stderr).toContain(
      `was sealed for chain id 8453 (ledger ${ledger}), but RPC ${node.url} serves chain id 31337`,
    );
    const wrongLedger = join(cwd, "wrong-ledger");
    writeManifestOnlyBatch({
      dir: wrongLedger,
      chainId: 31337,
      ledger: STRANGER,
      supplier: SUPPLIER,
      label: "wl",
      count: 10,
    });
    const r2 = await cli(["batch", "anchor", wrongLedger], 1);
    expect(r2.code).toBe(1);
    expect(r2.stderr).toContain(
      `was sealed for ledger ${STRANGER}, but the ledger in use on chain id 31337 is ${ledger}`,
    );
  });

  it("anchors once; the second run reports the existing anchor and sends nothing", async () => {
    const first = JSON.parse((await ok(["batch", "anchor", batchDir, "--json"], 1)).stdout);
    expect(first).toMatchObject({ batchId, alreadyAnchored: false, count: "10000" });
    const nonce = await client.getTransactionCount({ address: SUPPLIER });
    const second = await ok(["batch", "anchor", batchDir, "--json"], 1);
    expect(JSON.parse(second.stdout)).toMatchObject({
      batchId,
      alreadyAnchored: true,
      txHash: first.txHash,
      block: first.block,
    });
    expect(second.stderr).toContain("nothing changed");
    expect(await client.getTransactionCount({ address: SUPPLIER })).toBe(nonce);
    expect(JSON.parse(readFileSync(join(batchDir, "anchor.json"), "utf8")).txHash).toBe(first.txHash);
  });
});

describe("keytrail transfer / revoke / redeem / status", () => {
  it("moves keys down two tiers", async () => {
    await ok(["transfer", "--batch", batchDir, "--range", "0-4999", "--to", DIST1, "--memo", "PO-1"], 1);
    await ok(["transfer", "--batch", batchId, "--range", "1000-1999", "--to", DIST2], 2);
    await ok(["transfer", "--batch", batchId, "--range", "1000-1099", "--to", RETAIL], 3);
    expect(await holderOf(0n)).toBe(DIST1);
    expect(await holderOf(1500n)).toBe(DIST2);
    expect(await holderOf(1050n)).toBe(RETAIL);
    expect(await holderOf(5000n)).toBe(SUPPLIER);
    const st = JSON.parse((await ok(["status", "--batch", batchId, "--index", "1050", "--json"])).stdout);
    expect(st).toMatchObject({
      holder: RETAIL,
      revoked: false,
      redeemed: false,
      supplier: SUPPLIER,
      segment: { start: 1000, end: 1100 },
    });
  });

  it("rejects a double transfer and names each holder of a range that spans several", async () => {
    const r = await cli(["transfer", "--batch", batchId, "--range", "0-4999", "--to", DIST2], 1);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(
      `Range 0-4999 of batch ${batchId} is not held by you (${SUPPLIER}): ` +
        `keys 0-999 held by ${DIST1}, 1000-1099 held by ${RETAIL}, 1100-1999 held by ${DIST2}, 2000-4999 held by ${DIST1}.`,
    );
    const one = await cli(["transfer", "--batch", batchId, "--range", "2000-2999", "--to", DIST2], 1);
    expect(one.stderr).toContain(
      `Range 2000-2999 of batch ${batchId} is not held by you (${SUPPLIER}): ${DIST1} holds it.`,
    );
    const mixed = await cli(["transfer", "--batch", batchId, "--range", "4000-5999", "--to", DIST2], 1);
    expect(mixed.stderr).toContain(
      `Range 4000-5999 of batch ${batchId} is not held by you (${SUPPLIER}): keys 4000-4999 held by ${DIST1}, 5000-5999 held by you.`,
    );
  });

  it("rejects unregistered and suspended recipients with plain sentences", async () => {
    const r1 = await cli(["transfer", "--batch", batchId, "--range", "6000-6009", "--to", STRANGER], 1);
    expect(r1.code).toBe(1);
    expect(r1.stderr).toContain(`${STRANGER} is not a registered party`);
    const r2 = await cli(["transfer", "--batch", batchId, "--range", "6000-6009", "--to", SUSPENDED], 1);
    expect(r2.code).toBe(1);
    expect(r2.stderr).toContain(`Party ${SUSPENDED} is suspended.`);
  });

  it("a restricted batch moves only to distributors its supplier authorised", async () => {
    const dir = join(cwd, "batch-R");
    const restrictedId = writeManifestOnlyBatch({
      dir,
      chainId: 31337,
      ledger,
      supplier: SUPPLIER,
      label: "2026-11-R",
      count: 1000,
      restricted: true,
    });
    await ok(["batch", "anchor", dir], 1);
    await ok(["transfer", "--batch", dir, "--range", "0-99", "--to", DIST1], 1);
    const r = await cli(["transfer", "--batch", dir, "--range", "100-199", "--to", DIST2], 1);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(
      `Batch ${restrictedId} is restricted and its supplier ${SUPPLIER} has not authorised recipient ${DIST2}`,
    );
  });

  it("revokes a range: frozen keys cannot move; reinstating frees them", async () => {
    const r = await ok(["revoke", "--batch", batchId, "--range", "7000-7999", "--reason", "stolen"], 1);
    expect(r.stdout).toContain("revoked range 7000-7999");
    const st = JSON.parse((await ok(["status", "--batch", batchId, "--index", "7500", "--json"])).stdout);
    expect(st).toMatchObject({ revoked: true, reason: "stolen" });
    const moved = await cli(["transfer", "--batch", batchId, "--range", "7500-7599", "--to", DIST1], 1);
    expect(moved.code).toBe(1);
    expect(moved.stderr).toContain(`Range 7500-7599 of batch ${batchId} is frozen (revoked: stolen)`);
    const byRegulator = await ok(["revoke", "--batch", batchId, "--range", "8000-8099", "--reason", "chargeback"], 5);
    expect(byRegulator.stdout).toContain("reason chargeback");
    const stranger = await cli(["revoke", "--batch", batchId, "--range", "8100-8199", "--reason", "other"], 3);
    expect(stranger.stderr).toContain(`${DIST2} is neither the supplier of batch ${batchId} nor a regulator`);
    await ok(["reinstate", "--batch", batchId, "--range", "7900-7999"], 1);
    expect(JSON.parse((await ok(["status", "--batch", batchId, "--index", "7950", "--json"])).stdout).revoked).toBe(
      false,
    );
  });

  it("redeems keys packed into 256-key words; a second redemption is refused with the keys named", async () => {
    const file = join(cwd, "redeem.txt");
    writeFileSync(file, "5\n17\n255-260\n9000\n");
    const r = await ok(["redeem", "--batch", batchId, "--indices", file], 6);
    expect(r.stdout).toContain("redeemed 9 keys");
    const [s258, s261] = await Promise.all([
      ok(["status", "--batch", batchId, "--index", "258", "--json"]),
      ok(["status", "--batch", batchId, "--index", "261", "--json"]),
    ]);
    expect(JSON.parse(s258.stdout).redeemed).toBe(true);
    expect(JSON.parse(s261.stdout).redeemed).toBe(false);
    writeFileSync(file, "17\n18\n");
    const again = await cli(["redeem", "--batch", batchId, "--indices", file], 6);
    expect(again.code).toBe(1);
    expect(again.stderr).toContain(`Keys 17 of batch ${batchId} were already redeemed; nothing was sent.`);
    const skip = await ok(["redeem", "--batch", batchId, "--indices", file, "--skip-redeemed"], 6);
    expect(skip.stdout).toContain("redeemed 1 keys");
    const frozen = join(cwd, "frozen.txt");
    writeFileSync(frozen, "7100\n");
    const f = await cli(["redeem", "--batch", batchId, "--indices", frozen], 1);
    expect(f.code).toBe(1);
    expect(f.stderr).toContain("is frozen (revoked: stolen)");
  });
});

describe("keytrail transfer --file (bulk orders)", () => {
  it("refuses overlapping rows with both line numbers and unregistered recipients with the line", async () => {
    const overlap = join(cwd, "overlap.csv");
    writeFileSync(
      overlap,
      `batch,start,end,to\n${batchId},5000,5099,${DIST1}\n${batchId},5200,5299,${DIST1}\n${batchId},5050,5060,${DIST2}\n`,
    );
    const r = await cli(["transfer", "--file", overlap], 1);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`${overlap} lines 2 and 4 overlap: ranges 5000-5099 and 5050-5060 of batch ${batchId}`);
    const stranger = join(cwd, "stranger.csv");
    writeFileSync(stranger, `${batchId},5000,5099,${DIST1}\n${batchId},5100,5199,${STRANGER}\n`);
    const s = await cli(["transfer", "--file", stranger], 1);
    expect(s.code).toBe(1);
    expect(s.stderr).toContain(
      `${stranger} line 2: recipient ${STRANGER} is not a registered party; nothing was sent.`,
    );
    expect(await holderOf(5000n)).toBe(SUPPLIER);
    const gbk = join(cwd, "gbk-orders.csv");
    writeFileSync(
      gbk,
      Buffer.concat([
        Buffer.from(`${batchId},5000,5099,${DIST1},`),
        Buffer.from([0xb6, 0xa9, 0xb5, 0xa5]),
        Buffer.from("\n"),
      ]),
    );
    const g = await cli(["transfer", "--file", gbk], 1);
    expect(g.code).toBe(1);
    expect(g.stderr).toContain(`Orders file ${gbk} is not valid UTF-8 (a GBK export?)`);
  });

  it("resumes after an interruption (SIGKILL mid-run) without sending any chunk twice", async () => {
    // 40 ranges of 10 keys from the first-tier distributor, 5 per transaction: 8 transactions.
    const orders = join(cwd, "orders.csv");
    const lines = ["batch,start,end,to,memo"];
    for (let i = 0; i < 40; i++)
      lines.push(
        `${batchId},${2000 + i * 10},${2000 + i * 10 + 9},${i % 2 ? DIST2 : RETAIL},order-${Math.floor(i / 20)}`,
      );
    writeFileSync(orders, lines.join("\n") + "\n");
    const nonceBefore = await client.getTransactionCount({ address: DIST1 });

    const child = spawnCli(["transfer", "--file", orders, "--chunk-size", "5", "--account", "2"], { cwd });
    let stderr = "";
    let sent = false;
    await new Promise<void>((resolve) => {
      child.stderr!.on("data", (b: Buffer) => {
        stderr += b.toString();
        if (!sent && /chunk 2\/8 confirmed/.test(stderr)) {
          sent = true;
          child.kill("SIGKILL");
        }
      });
      child.on("close", () => resolve());
    });
    expect(child.signalCode).toBe("SIGKILL");
    const journal = readFileSync(`${orders}.journal`, "utf8")
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l));
    const confirmedAtKill = journal.filter((e) => e.state === "confirmed").length;
    expect(confirmedAtKill).toBeGreaterThanOrEqual(2);
    expect(confirmedAtKill).toBeLessThan(8);

    const resumed = await ok(["transfer", "--file", orders, "--chunk-size", "5"], 2);
    expect(resumed.stderr).toMatch(/resuming .*orders\.csv: \d of 8 chunks already confirmed/);
    expect(resumed.stdout).toContain("transferred 40 ranges (400 keys) in 8 transactions");
    expect(existsSync(`${orders}.lock`)).toBe(false);
    // Exactly one transaction per chunk was ever mined from the sender.
    expect(await client.getTransactionCount({ address: DIST1 })).toBe(nonceBefore + 8);
    for (let i = 0; i < 40; i++) expect(await holderOf(BigInt(2000 + i * 10 + 5))).toBe(i % 2 ? DIST2 : RETAIL);

    const third = await ok(["transfer", "--file", orders], 2);
    expect(third.stdout).toContain("0 sent now, 8 confirmed by an earlier run");
    expect(await client.getTransactionCount({ address: DIST1 })).toBe(nonceBefore + 8);
  });

  it("settles a chunk signed but never broadcast by a killed run: re-broadcasts the same bytes, then continues", async () => {
    const orders = join(cwd, "orders-signed.csv");
    writeFileSync(orders, `${batchId},6000,6009,${DIST2}\n${batchId},6010,6019,${DIST2}\n`);
    const wallet = createWalletClient({
      account: mnemonicToAccount(MNEMONIC, { addressIndex: 1 }),
      chain: hardhat,
      transport: http(node.url),
    });
    const nonce = await client.getTransactionCount({ address: SUPPLIER });
    // What a run killed between journaling and broadcasting leaves behind: chunk 0 signed, not sent.
    const data = encodeFunctionData({
      abi: keyLedgerAbi,
      functionName: "transferMany",
      args: [[{ batchId, start: 6000n, end: 6010n, to: DIST2, hint: 0n }], zeroHash],
    });
    const request = await wallet.prepareTransactionRequest({ to: ledger, data, nonce });
    const raw = await wallet.signTransaction(request);
    const header = {
      kind: "keytrail-transfer-journal",
      version: 1,
      ordersHash: keccak256(readFileSync(orders)),
      chunkSize: 1,
      chainId: 31337,
      ledger,
      from: SUPPLIER,
      chunks: 2,
    };
    writeFileSync(
      `${orders}.journal`,
      `${JSON.stringify(header)}\n${JSON.stringify({ chunk: 0, state: "signed", hash: keccak256(raw), nonce, raw })}\n`,
    );

    const r = await ok(["transfer", "--file", orders], 1);
    expect(r.stderr).toContain(`re-broadcast the signed transaction ${keccak256(raw)} of chunk 1 (same nonce ${nonce}`);
    expect(r.stdout).toContain(
      "transferred 2 ranges (20 keys) in 2 transactions: 1 sent now, 1 signed by the interrupted run and settled now",
    );
    expect(await client.getTransactionCount({ address: SUPPLIER })).toBe(nonce + 2);
    expect(await client.getTransactionReceipt({ hash: keccak256(raw) })).toMatchObject({ status: "success" });
    expect(await holderOf(6015n)).toBe(DIST2);
  });

  it("a signed chunk whose nonce another transaction used is checked against the chain and sent afresh", async () => {
    const orders = join(cwd, "orders-nonce.csv");
    writeFileSync(orders, `${batchId},6200,6209,${DIST2}\n`);
    const wallet = createWalletClient({
      account: mnemonicToAccount(MNEMONIC, { addressIndex: 1 }),
      chain: hardhat,
      transport: http(node.url),
    });
    const nonce = await client.getTransactionCount({ address: SUPPLIER });
    const data = encodeFunctionData({
      abi: keyLedgerAbi,
      functionName: "transferMany",
      args: [[{ batchId, start: 6200n, end: 6210n, to: DIST2, hint: 0n }], zeroHash],
    });
    const raw = await wallet.signTransaction(await wallet.prepareTransactionRequest({ to: ledger, data, nonce }));
    const header = {
      kind: "keytrail-transfer-journal",
      version: 1,
      ordersHash: keccak256(readFileSync(orders)),
      chunkSize: 50,
      chainId: 31337,
      ledger,
      from: SUPPLIER,
      chunks: 1,
    };
    writeFileSync(
      `${orders}.journal`,
      `${JSON.stringify(header)}\n${JSON.stringify({ chunk: 0, state: "signed", hash: keccak256(raw), nonce, raw })}\n`,
    );
    // Meanwhile the same nonce went to another transaction of the supplier.
    const other = await wallet.writeContract({
      address: ledger,
      abi: keyLedgerAbi,
      functionName: "transfer",
      args: [batchId, 6300n, 6310n, DIST2, 0n, zeroHash],
      nonce,
    });
    await client.waitForTransactionReceipt({ hash: other });

    const r = await ok(["transfer", "--file", orders], 1);
    expect(r.stdout).toContain("transferred 1 ranges (10 keys) in 1 transactions: 1 sent now");
    expect(await client.getTransactionReceipt({ hash: keccak256(raw) }).catch(() => null)).toBeNull();
    expect(await client.getTransactionCount({ address: SUPPLIER })).toBe(nonce + 2);
    expect(await holderOf(6205n)).toBe(DIST2);
  });
});
