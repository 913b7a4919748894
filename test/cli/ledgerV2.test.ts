import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createPublicClient, http, type Address, type Hex } from "viem";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { keyLedgerV2Abi } from "../../lib/abi/keyLedgerV2Abi.js";
import { decodePayload } from "../../lib/payload/decodePayload.js";
import { parsePayloadInput } from "../../lib/payload/parsePayloadInput.js";
import { computeReceiptCommitment } from "../../lib/sale/computeReceiptCommitment.js";
import { getLedgerV2Logs } from "../../scripts/cli/chain/getLedgerV2Logs.js";
import { testAddress } from "./helpers/accounts.js";
import { runCli, spawnCli, type CliResult } from "./helpers/runCli.js";
import { startHardhatNode, type HardhatNode } from "./helpers/startHardhatNode.js";
import { writeKeyCsv } from "./helpers/writeKeyCsv.js";

// KeyLedger v2 through the CLI on a spawned hardhat node. Accounts: 0 admin and registrar,
// 1 supplier, 2 distributor, 3 retailer (the seller), 5 regulator, 6 no role, 9 the distributor's new key.
const SUPPLIER = testAddress(1);
const DIST = testAddress(2);
const RETAIL = testAddress(3);
const REGULATOR = testAddress(5);
const NEW_DIST = testAddress(9);

let node: HardhatNode;
let cwd: string;
let ledger: Address;
let batchId: Hex;
let client: ReturnType<typeof createPublicClient>;

const cli = (args: string[], account: number): Promise<CliResult> =>
  runCli([...args, "--account", String(account)], { cwd });
const ok = async (args: string[], account: number): Promise<CliResult> => {
  const r = await cli(args, account);
  expect(r.code, `keytrail ${args.join(" ")}\n${r.stderr}`).toBe(0);
  return r;
};
const fails = async (args: string[], account: number): Promise<string> => {
  const r = await cli(args, account);
  expect(r.code, `keytrail ${args.join(" ")} should fail\n${r.stdout}`).toBe(1);
  return r.stderr;
};
const read = <const N extends "holderOf" | "saleOf" | "keyStatus">(functionName: N, index: bigint) =>
  client.readContract({ address: ledger, abi: keyLedgerV2Abi, functionName, args: [batchId, index] } as never);
/** Every key index sold so far, one entry per sale of it, from the KeysSold logs. */
const soldIndices = async () =>
  (
    await getLedgerV2Logs(client as never, { address: ledger, event: "KeysSold", args: { batchId }, fromBlock: 0n })
  ).flatMap((l) => l.args.indices.map(Number));
/** The journal's receipt secrets by key index (the last one journaled for a key). */
const journalSecrets = (path: string) => {
  const out = new Map<number, Hex>();
  for (const line of readFileSync(path, "utf8").trim().split("\n").slice(1)) {
    const e = JSON.parse(line) as { state: string; items?: { index: string; secret: Hex }[] };
    if (e.state === "prepared") for (const it of e.items!) out.set(Number(it.index), it.secret);
  }
  return out;
};
/** The links file's rows (the URL is the last field: it holds no comma; the order reference may be quoted). */
const linksOf = (path: string) =>
  readFileSync(path, "utf8")
    .trim()
    .split("\n")
    .slice(1)
    .map((l) => {
      const [, index, ...rest] = l.split(",");
      const url = rest.pop()!;
      const ref = rest.join(",");
      return { index: Number(index), orderReference: ref.startsWith('"') ? ref.slice(1, -1) : ref, url };
    });

beforeAll(async () => {
  node = await startHardhatNode();
  cwd = mkdtempSync(join(tmpdir(), "keytrail-cli-v2-"));
  client = createPublicClient({ transport: http(node.url), cacheTime: 0 });
  await runCli(["init", "--chain", "31337", "--rpc", node.url, "--portal", "https://verify.example.com"], { cwd });
  const dep = JSON.parse((await ok(["deploy", "--json"], 0)).stdout);
  ledger = dep.ledger;
  await ok(["party", "register", SUPPLIER, "--kind", "supplier"], 0);
  await ok(["party", "register", DIST, "--kind", "distributor"], 0);
  await ok(["party", "register", RETAIL, "--kind", "retailer"], 0);
  await ok(["role", "grant", "regulator", REGULATOR], 0);
  writeKeyCsv(join(cwd, "keys.csv"), 300, 11);
  const terms = ["--product", "1", "--face", "50", "--currency", "CNY", "--expires", "never"];
  const seal = await ok(["batch", "seal", "keys.csv", "--label", "v2-S", ...terms, "--out", "out/S"], 1);
  batchId = /batch (0x[0-9a-f]{64})/.exec(seal.stdout)![1]! as Hex;
}, 120_000);
afterAll(async () => {
  await node?.stop();
  if (cwd) rmSync(cwd, { recursive: true, force: true });
});

describe("keytrail on KeyLedger v2", () => {
  it("deploy deploys v2 by default: the record names the version, the sale module and the admin delay", async () => {
    const rec = JSON.parse(readFileSync(join(cwd, ".keytrail", "deployments", "31337.json"), "utf8"));
    expect(rec).toMatchObject({ chainId: 31337, ledger, version: 2, adminDelay: 86_400 });
    expect(await client.readContract({ address: ledger, abi: keyLedgerV2Abi, functionName: "SALES" })).toBe(rec.sales);
    expect(await client.getCode({ address: rec.sales })).toMatch(/^0x[0-9a-f]{100,}/);
  });

  it("anchors a sale-required batch; an unsold key is not redeemed (the key is named)", async () => {
    const a = JSON.parse((await ok(["batch", "anchor", "out/S", "--sale-required", "--json"], 1)).stdout);
    expect(a).toMatchObject({ alreadyAnchored: false, saleRequired: true, batchId });
    const [, , , , , saleRequired] = await client.readContract({
      address: ledger,
      abi: keyLedgerV2Abi,
      functionName: "batchOf",
      args: [batchId],
    });
    expect(saleRequired).toBe(true);
    await ok(["transfer", "--batch", "out/S", "--range", "0-199", "--to", RETAIL, "--memo", "PO-1"], 1);
    expect(await read("holderOf", 150n)).toBe(RETAIL);
    writeFileSync(join(cwd, "r150.txt"), "150\n");
    expect(await fails(["redeem", "--batch", "out/S", "--indices", "r150.txt"], 1)).toContain(
      `Key 150 of batch ${batchId} has not been sold: the batch requires a sale before redemption.`,
    );
  });

  it("sells one key: the buyer link carries the seller and a receipt secret the chain's commitment matches", async () => {
    const r = await ok(
      ["sell", "--batch", "out/S", "--index", "5", "--order-ref", "ORD-1", "--amount", "49.90", "--currency", "CNY"],
      3,
    );
    const url = r.stdout.trim().split("\n").at(-1)!;
    const link = decodePayload(parsePayloadInput(url).payload);
    expect(link).toMatchObject({ batchId, index: 5, seller: RETAIL.toLowerCase() });
    const secret = link.receiptSecret!;
    expect(secret).toMatch(/^0x[0-9a-f]{32}$/);
    const journal = `sale-${batchId.slice(2, 14)}-5-5.journal`;
    expect(journalSecrets(join(cwd, journal)).get(5)).toBe(secret);
    expect(statSync(join(cwd, journal)).mode & 0o777).toBe(0o600);
    expect(statSync(join(cwd, `sale-${batchId.slice(2, 14)}-5-5.links.csv`)).mode & 0o777).toBe(0o600);
    // the outbox of the gateway's engine holds the receipt secrets too: its owner's only
    expect(statSync(join(cwd, ".keytrail", "outbox")).mode & 0o777).toBe(0o700);
    expect(r.stderr).not.toContain(secret.slice(2));
    const [log] = await getLedgerV2Logs(client as never, {
      address: ledger,
      event: "KeysSold",
      args: { batchId },
      fromBlock: 0n,
    });
    expect(log!.args).toMatchObject({ seller: RETAIL, saleNo: 1, indices: [5n] });
    expect(log!.args.context).toMatchObject({ amount: 4990n, currency: "0x434e59" });
    expect(log!.args.commitments[0]).toBe(computeReceiptCommitment({ batchId, index: 5n, secret }));
    const [sold, , saleNo, seller] = (await read("saleOf", 5n)) as unknown as [boolean, boolean, number, Address];
    expect([sold, saleNo, seller]).toEqual([true, 1, RETAIL]);
    // Sold once: a second sale of the key is refused with its sale number.
    expect(
      await fails(["sell", "--batch", "out/S", "--index", "5", "--order-ref", "ORD-2", "--journal", "x.journal"], 3),
    ).toContain(`Key 5 of batch ${batchId} is already sold (sale 1)`);
  });

  it("sells an orders file; killed mid-run, the re-run sells no key twice and writes the same links", async () => {
    const orders = join(cwd, "sales.csv");
    writeFileSync(
      orders,
      "batch,keys,order_ref,amount,currency,store,terminal\n" +
        "out/S,10-59,ORD-A,10,CNY,Shop 12,T1\n" +
        'out/S,60-109,"ORD-B, gift",20,CNY,Shop 12,T2\n',
    );
    const child = spawnCli(["sell", "--file", orders, "--chunk-size", "10", "--account", "3"], { cwd });
    let stderr = "";
    let killed = false;
    await new Promise<void>((resolve) => {
      child.stderr!.on("data", (b: Buffer) => {
        stderr += b.toString();
        // the gateway's engine sends 10-key sell transactions; killed after its second
        if (!killed && (stderr.match(/sent nonce \d+: sale/g) ?? []).length >= 2) {
          killed = true;
          child.kill("SIGKILL");
        }
      });
      child.on("close", () => resolve());
    });
    expect(child.signalCode).toBe("SIGKILL");
    const before = journalSecrets(`${orders}.journal`);
    expect(before.size).toBeGreaterThanOrEqual(20);
    const resumed = await ok(["sell", "--file", orders], 3);
    expect(resumed.stderr).toMatch(/resuming .*sales\.csv: 10 of 10 orders already in the outbox/);
    expect(resumed.stdout).toContain("sold 100 keys");
    const after = journalSecrets(`${orders}.journal`);
    for (const [i, s] of before) expect(after.get(i), `secret of key ${i}`).toBe(s);
    const sold = (await soldIndices()).filter((i) => i >= 10 && i < 110);
    expect(sold.length).toBe(100);
    expect(new Set(sold).size).toBe(100);
    const links = linksOf(`${orders}.links.csv`);
    expect(links.map((l) => l.index)).toEqual(Array.from({ length: 100 }, (_, k) => 10 + k));
    for (const l of links) {
      const p = decodePayload(parsePayloadInput(l.url).payload);
      expect(p).toMatchObject({ index: l.index, seller: RETAIL.toLowerCase(), receiptSecret: after.get(l.index) });
    }
    expect(links[60]!.orderReference).toBe("ORD-B, gift");
    // A third run sends nothing and writes the same links.
    const first = readFileSync(`${orders}.links.csv`, "utf8");
    const again = await ok(["sell", "--file", orders], 3);
    expect(again.stdout).toContain("0 orders placed now, 10 placed by an earlier run");
    expect(readFileSync(`${orders}.links.csv`, "utf8")).toBe(first);
  });

  it("refund: the seller with the journal's secret; a wrong order reference, another account and a redeemed key are named", async () => {
    const journal = `sale-${batchId.slice(2, 14)}-5-5.journal`;
    const base = ["refund", "--batch", "out/S", "--index", "5", "--secret-from", journal];
    expect(await fails([...base, "--order-ref", "ORD-X"], 3)).toContain(
      `Order reference "ORD-X" is not the one key 5 of batch ${batchId} was sold under (sale 1).`,
    );
    expect(await fails([...base, "--order-ref", "ORD-1"], 2)).toContain(
      `Key 5 of batch ${batchId} was sold by ${RETAIL}, not by you (${DIST})`,
    );
    const r = await ok([...base, "--order-ref", "ORD-1"], 3);
    expect(r.stdout).toContain(`refunded key 5 of batch ${batchId} (sale 1)`);
    const [sold, refunded] = (await read("saleOf", 5n)) as unknown as [boolean, boolean];
    expect([sold, refunded]).toEqual([false, true]);
    const st = (await read("keyStatus", 5n)) as unknown as { supplierReason: number; frozenByRegulator: boolean };
    expect(st).toMatchObject({ supplierReason: 6, frozenByRegulator: false });
    expect(await fails([...base, "--order-ref", "ORD-1"], 3)).toContain("has no live sale to refund");
    // A redeemed key cannot be refunded.
    writeFileSync(join(cwd, "r10.txt"), "10\n");
    await ok(["redeem", "--batch", "out/S", "--indices", "r10.txt"], 1);
    // Again: refused before anything is sent (the CLI reads the batch's v2 KeysRedeemed logs, `by` as data).
    expect(await fails(["redeem", "--batch", "out/S", "--indices", "r10.txt"], 1)).toContain(
      `Keys 10 of batch ${batchId} were already redeemed; nothing was sent.`,
    );
    expect(
      await fails(
        ["refund", "--batch", "out/S", "--index", "10", "--order-ref", "ORD-A", "--secret-from", "sales.csv.journal"],
        3,
      ),
    ).toContain(`Key 10 of batch ${batchId} is already redeemed.`);
  });

  it("a regulator's freeze is on the regulator layer: the supplier cannot lift it; a regulator lifts both", async () => {
    const reg = await ok(["revoke", "--batch", "out/S", "--range", "250-259", "--reason", "stolen"], 5);
    expect(reg.stdout).toContain("on the regulator layer (only a regulator can lift it)");
    const sup = await ok(["revoke", "--batch", "out/S", "--range", "255-269", "--reason", "chargeback"], 1);
    expect(sup.stdout).toContain("on the supplier layer");
    expect(await fails(["reinstate", "--batch", "out/S", "--range", "250-254"], 1)).toContain(
      `keys from 250 are frozen by a regulator (reason stolen); only a regulator can lift that freeze, and ${SUPPLIER} is not one.`,
    );
    expect((await ok(["reinstate", "--batch", "out/S", "--range", "260-269"], 1)).stdout).toContain(
      "on the supplier layer",
    );
    expect((await ok(["reinstate", "--batch", "out/S", "--range", "250-259"], 5)).stdout).toContain("on both layers");
    const st = (await read("keyStatus", 256n)) as unknown as { frozenReason: number; supplierReason: number };
    expect([st.frozenReason, st.supplierReason]).toEqual([0, 0]);
    await ok(["transfer", "--batch", "out/S", "--range", "250-269", "--to", DIST], 1);
  });

  it("bulk transfer (orders file) on v2: transferMany without hints; a refused row is named by its line", async () => {
    const orders = join(cwd, "moves.csv");
    writeFileSync(orders, `out/S,270,279,${DIST},PO-9\nout/S,280,289,${RETAIL},PO-9\n`);
    const r = await ok(["transfer", "--file", orders, "--chunk-size", "1"], 1);
    expect(r.stdout).toContain("transferred 2 ranges (20 keys) in 2 transactions");
    expect([await read("holderOf", 279n), await read("holderOf", 280n)]).toEqual([DIST, RETAIL]);
    const again = join(cwd, "moves-again.csv");
    writeFileSync(again, `out/S,290,291,${DIST}\nout/S,270,271,${RETAIL}\n`);
    expect(await fails(["transfer", "--file", again], 1)).toContain(
      `${again} line 2: Range 270-271 of batch ${batchId} is not held by you (${SUPPLIER}): ${DIST} holds it.`,
    );
  });

  it("a regulator's suspension is lifted by a regulator only", async () => {
    expect((await ok(["party", "suspend", RETAIL, "--reason", "audit"], 5)).stdout).toContain(
      `suspended ${RETAIL} by a regulator`,
    );
    const shown = JSON.parse((await ok(["party", "show", RETAIL, "--json"], 0)).stdout);
    expect(shown).toMatchObject({ suspended: true, suspendedByRegulator: true, id: 3 });
    expect(await fails(["party", "reinstate", RETAIL], 0)).toContain(
      `Party ${RETAIL} was suspended by a regulator: only a regulator can reinstate it (${testAddress(0)} cannot).`,
    );
    await ok(["party", "reinstate", RETAIL], 5);
  });

  it("re-keys a party: a registrar proposes, a regulator confirms; custody follows the new account", async () => {
    expect(await fails(["party", "rekey", "confirm", DIST, NEW_DIST], 5)).toContain(
      `No re-key of ${DIST} to ${NEW_DIST} is pending`,
    );
    await ok(["party", "rekey", "propose", DIST, NEW_DIST], 0);
    expect(await fails(["party", "rekey", "confirm", DIST, NEW_DIST], 6)).toContain(
      `${testAddress(6)} lacks the role REGULATOR_ROLE`,
    );
    expect((await ok(["party", "rekey", "confirm", DIST, NEW_DIST], 5)).stdout).toContain(
      `re-keyed ${DIST} to ${NEW_DIST}`,
    );
    expect(await read("holderOf", 260n)).toBe(NEW_DIST);
    const shown = JSON.parse((await ok(["party", "show", NEW_DIST, "--json"], 0)).stdout);
    expect(shown).toMatchObject({ kind: "distributor", id: 2, registered: true });
    expect(JSON.parse((await ok(["party", "show", DIST, "--json"], 0)).stdout)).toMatchObject({ registered: false });
    // The old key can no longer move the keys; the new one can.
    expect(await fails(["transfer", "--batch", "out/S", "--range", "260-261", "--to", RETAIL], 2)).toContain(
      "is not held by you",
    );
    await ok(["transfer", "--batch", "out/S", "--range", "260-261", "--to", RETAIL], 9);
  });
});
