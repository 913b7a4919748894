import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { getAddress, keccak256, parseEther, toBytes, zeroHash, type Address, type Hex, type PublicClient } from "viem";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createGasFunding, partyAccountsOf } from "../../audit/funding/createGasFunding.js";
import { fetchLedgerEvents } from "../../audit/replay/fetchLedgerEvents.js";
import { auditEvents, type AuditEventsParameters } from "../../audit/rules/auditEvents.js";
import { auditRulesV2 } from "../../audit/rules/auditRulesV2.js";
import type { GasFunding } from "../../audit/types.js";
import type { AuditFinding, AuditReport } from "../../lib/formats/auditReport.js";
import { encodeProfileUri } from "../../lib/parties/encodeProfileUri.js";
import type { LedgerEvent } from "../../lib/state/types.js";
import { anchorParamsV2, deployLedgerV2 } from "../contracts/helpersV2.js";
import { runAuditCli } from "./helpers/runAuditCli.js";
import { serveProvider } from "./helpers/serveProvider.js";

/**
 * Gas funding as an identity link, on a real chain (in-process Hardhat network, KeyLedger v2):
 * D and D' are two registered parties with nothing in common on the ledger (profiles, names,
 * certificates) but one account F paid their gas. D -> E -> D' must be flagged through F; a loop
 * U1 -> E -> U2 between parties funded by an exchange's hot wallet X must not be when X is ignored
 * (and is when it is not: the check can fail); a funder of too many parties links none and is
 * reported once.
 */
type Env = Awaited<ReturnType<typeof deployLedgerV2>>;
let env: Env;
let events: LedgerEvent[];
let funding: ReadonlyMap<Address, GasFunding>;
let accounts: Record<"F" | "X" | "D" | "E" | "D2" | "U1" | "U2", Address>;
let fundTx: Record<string, Hex>;
let loopD: Hex;
let loopU: Hex;
let dir: string;
let rpc: { url: string; close(): Promise<void> };

const at = (findings: AuditFinding[], tx: Hex, rule: string) =>
  findings.filter((f) => f.txHash === tx && f.ruleId === rule);
const run = (extra: AuditEventsParameters = {}) =>
  auditEvents(events, { rules: auditRulesV2, gasFunding: funding, ...extra }).findings;

beforeAll(async () => {
  env = await deployLedgerV2();
  const { w, as, wait, addr } = env;
  const wallets = (await env.viem.getWalletClients()).slice(10, 17);
  const [F, X, D, E, D2, U1, U2] = wallets.map((x) => getAddress(x.account.address));
  if (!F || !X || !D || !E || !D2 || !U1 || !U2) throw new Error("the in-process network needs 17 accounts");
  accounts = { F, X, D, E, D2, U1, U2 };
  const byAccount = new Map(wallets.map((x) => [getAddress(x.account.address), x] as const));
  const admin = as(w.admin);
  const sup = as(w.supplier);
  const S = addr(w.supplier);
  fundTx = {};
  // Gas money: F pays D and D'; the exchange X pays E, U1 and U2 (plain value transfers, no log).
  for (const [from, to] of [
    [F, D],
    [F, D2],
    [X, E],
    [X, U1],
    [X, U2],
  ] as const) {
    const hash = await byAccount.get(from)!.sendTransaction({ to, value: parseEther("0.5") });
    await wait(hash);
    fundTx[to] = hash;
  }
  await wait(
    await admin.write.registerParty([S, 1, keccak256(toBytes("s")), encodeProfileUri({ name: "Galaxy" }), 0n]),
  );
  const names: [Address, string][] = [
    [D, "Jinpeng Trading"],
    [E, "Xinyuan"],
    [D2, "Bright Harbour Goods"],
    [U1, "Huatong"],
    [U2, "Lanshan Retail"],
  ];
  for (const [a, name] of names)
    await wait(await admin.write.registerParty([a, 2, keccak256(toBytes(name)), encodeProfileUri({ name }), 0n]));
  await wait(await sup.write.anchorBatch([anchorParamsV2("funding", 10_000n)]));
  const B = await sup.read.batchIdOf([S, "funding"]);
  const move = async (from: Address, start: bigint, end: bigint, to: Address) => {
    const c = from === S ? sup : as(byAccount.get(from)! as never);
    return (await wait(await c.write.transfer([B, start, end, to, zeroHash]))).transactionHash;
  };
  const later = async (seconds: number) => {
    await env.provider.request({ method: "evm_increaseTime", params: [seconds] });
    await env.provider.request({ method: "evm_mine", params: [] });
  };
  const loop = async (start: bigint, a: Address, b: Address) => {
    await move(S, start, start + 50n, a);
    await later(3_600);
    await move(a, start, start + 50n, E);
    await later(3_600);
    return move(E, start, start + 50n, b);
  };
  loopD = await loop(0n, D, D2);
  loopU = await loop(100n, U1, U2);

  const client = env.publicClient as unknown as PublicClient;
  const head = await client.getBlockNumber();
  ({ events } = await fetchLedgerEvents(client, { ledger: env.address, fromBlock: 0n, toBlock: head, chunkSize: 50n }));
  dir = await mkdtemp(join(tmpdir(), "keytrail-gas-funding-"));
  const index = await createGasFunding(client, { fromBlock: 0n, cachePath: join(dir, "cache.json") });
  const first = await index.update(partyAccountsOf(events), head);
  expect(first.blocksRead).toBeGreaterThan(0);
  funding = index.sources;
  rpc = await serveProvider(env.provider);
}, 300_000);

afterAll(async () => {
  await rpc?.close();
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe("gas funding as an identity link (real chain)", () => {
  it("reads the first value transfer to each party account from the blocks, cached", async () => {
    const lc = (a: Address) => a.toLowerCase() as Address;
    for (const k of ["D", "D2"] as const)
      expect(funding.get(lc(accounts[k]))).toMatchObject({ funder: lc(accounts.F), txHash: fundTx[accounts[k]] });
    for (const k of ["E", "U1", "U2"] as const) expect(funding.get(lc(accounts[k]))?.funder).toBe(lc(accounts.X));
    // The supplier was funded at genesis (no transaction): unresolved, and read once only.
    expect(funding.has(lc(getAddress(env.w.supplier.account.address)))).toBe(false);
    const client = env.publicClient as unknown as PublicClient;
    const again = await createGasFunding(client, { fromBlock: 0n, cachePath: join(dir, "cache.json") });
    const head = await client.getBlockNumber();
    expect(await again.update(partyAccountsOf(events), head)).toMatchObject({ blocksRead: 0 });
    expect([...again.sources.keys()].sort()).toEqual([...funding.keys()].sort());
    await expect(createGasFunding(client, { fromBlock: 5n, cachePath: join(dir, "cache.json") })).rejects.toThrow(
      /cache .*cache.json is for chain id 31337 from block 0/,
    );
  });

  it("D -> E -> D' with D and D' funded by one account: flagged high, the funding transactions in the evidence", () => {
    expect(at(auditEvents(events, { rules: auditRulesV2 }).findings, loopD, "linked-circular-flow")).toEqual([]);
    const f = at(run({ ignoreFunders: [accounts.X] }), loopD, "linked-circular-flow");
    expect(f).toHaveLength(1);
    expect(f[0]!.severity).toBe("high");
    expect(f[0]!.details.linkedBy).toEqual([
      `same gas funder ${accounts.F.toLowerCase()} (txs ${fundTx[accounts.D]}, ${fundTx[accounts.D2]})`,
    ]);
    expect(f[0]!.evidence.filter((e) => e.event === "ValueTransfer").map((e) => e.txHash)).toEqual([
      fundTx[accounts.D],
      fundTx[accounts.D2],
    ]);
  });

  it("parties funded by an ignored exchange are not linked; unignored they are; past the cap they are not and it is reported once", () => {
    expect(at(run({ ignoreFunders: [accounts.X] }), loopU, "linked-circular-flow")).toEqual([]);
    expect(run({ ignoreFunders: [accounts.X] }).filter((f) => f.ruleId === "shared-funder")).toEqual([]);
    // The same chain without the allow-list: X's parties are linked (the check above can fail).
    expect(at(run(), loopU, "linked-circular-flow")).toMatchObject([{ severity: "high" }]);
    // A funder of more than funderMaxParties parties links none of them and is reported once.
    const capped = run({ funderMaxParties: 2 });
    expect(at(capped, loopU, "linked-circular-flow")).toEqual([]);
    const shared = capped.filter((f) => f.ruleId === "shared-funder");
    expect(shared).toHaveLength(1);
    expect(shared[0]!.details).toMatchObject({ funder: accounts.X.toLowerCase(), parties: 3, maxParties: 2 });
    // F funds two parties: still within the cap, still a link.
    expect(at(capped, loopD, "linked-circular-flow")).toHaveLength(1);
  });

  it("`keytrail audit --gas-funding --ignore-funder X` reads the funding itself; bad input is named", async () => {
    const out = join(dir, "out");
    const argv = ["audit", "--rpc", rpc.url, "--ledger", env.address, "--from-block", "0", "--out", out];
    await runAuditCli([...argv, "--gas-funding", "--ignore-funder", accounts.X, "--json"]);
    const report = JSON.parse(await readFile(join(out, "audit.json"), "utf8")) as AuditReport;
    expect(report.findings.filter((f) => f.txHash === loopD && f.ruleId === "linked-circular-flow")).toHaveLength(1);
    expect(report.findings.filter((f) => f.txHash === loopU && f.ruleId === "linked-circular-flow")).toEqual([]);
    await expect(runAuditCli([...argv, "--gas-funding", "--ignore-funder", "0x12"])).rejects.toThrow(
      /--ignore-funder "0x12" is not an address/,
    );
    await expect(runAuditCli([...argv, "--ignore-funder", accounts.X])).rejects.toThrow(
      /--ignore-funder needs --gas-funding/,
    );
  });
});
