import hre from "hardhat";
import { keccak256, toBytes, type Address, type Hex, type PublicClient, type WalletClient } from "viem";
import { keyLedgerAbi } from "../../../lib/abi/keyLedgerAbi.js";
import { keyLedgerBytecode } from "../../../lib/abi/keyLedgerBytecode.js";
import type { AuditRuleId } from "../../../lib/formats/auditReport.js";

type Provider = { request(a: { method: string; params?: unknown[] }): Promise<unknown> };

/** A seeded chain: clean flows plus one planted instance of every anomaly the contract allows. */
export type SeededChain = {
  publicClient: PublicClient;
  provider: Provider;
  wallets: WalletClient[];
  ledger: Address;
  deployBlock: bigint;
  chainId: number;
  accounts: Record<
    "admin" | "regulator" | "S1" | "S2" | "S3" | "D1" | "D2" | "D3" | "D4" | "D5" | "R1" | "R2" | "server" | "stranger",
    Address
  >;
  batches: Record<"B1" | "B2" | "B3" | "B4" | "B5" | "B6" | "B7" | "B8" | "B9", Hex>;
  /** The transaction each planted anomaly must be reported at (exactly one finding each). */
  planted: Partial<Record<AuditRuleId, Hex>>;
  /** Transactions of the clean flows. */
  clean: Hex[];
  send(from: Address, functionName: string, args: readonly unknown[]): Promise<Hex>;
  increaseTime(seconds: number): Promise<void>;
};

const GTIN_PRODUCT = `0x${"0".repeat(50)}${"06901234567892"}` as Hex;
const SKU_PRODUCT = keccak256(toBytes("sku:game-topup-100")) as Hex;

/**
 * Deploys KeyLedger on the in-process Hardhat network and writes a history: three suppliers,
 * five distributors, two retailers, a regulator and a redemption server; nine batches; clean
 * transfers, revocations (by supplier and regulator), a reinstatement and redemptions (by the
 * supplier and a delegated redeemer); and one instance of each anomaly the contract lets through:
 * batch-outlives-accreditation, large-transfer, rapid-hops, circular-flow, redeemed-upstream,
 * suspended-party-action, expired-accreditation-action, expired-authorisation-use.
 */
export async function seedAuditChain(): Promise<SeededChain> {
  const connection = await hre.network.connect();
  const { viem, provider } = connection as unknown as {
    viem: { getWalletClients(): Promise<WalletClient[]>; getPublicClient(): Promise<PublicClient> };
    provider: Provider;
  };
  const wallets = await viem.getWalletClients();
  const publicClient = await viem.getPublicClient();
  const addr = (i: number) => wallets[i]!.account!.address.toLowerCase() as Address;
  const accounts = {
    admin: addr(0),
    regulator: addr(1),
    S1: addr(2),
    S2: addr(3),
    S3: addr(4),
    D1: addr(5),
    D2: addr(6),
    D3: addr(7),
    D4: addr(8),
    D5: addr(9),
    R1: addr(10),
    R2: addr(11),
    server: addr(12),
    stranger: addr(13),
  };
  const byAddr = new Map(wallets.map((w) => [w.account!.address.toLowerCase(), w]));
  const deployHash = await wallets[0]!.deployContract({
    abi: keyLedgerAbi,
    bytecode: keyLedgerBytecode,
    args: [accounts.admin],
    account: wallets[0]!.account!,
    chain: wallets[0]!.chain,
  });
  const deployReceipt = await publicClient.waitForTransactionReceipt({ hash: deployHash });
  const ledger = deployReceipt.contractAddress!.toLowerCase() as Address;
  const send = async (from: Address, functionName: string, args: readonly unknown[]): Promise<Hex> => {
    const w = byAddr.get(from)!;
    const hash = await w.writeContract({
      address: ledger,
      abi: keyLedgerAbi,
      functionName: functionName as never,
      args: args as never,
      account: w.account!,
      chain: w.chain,
    });
    const r = await publicClient.waitForTransactionReceipt({ hash });
    if (r.status !== "success") throw new Error(`${functionName} from ${from} reverted`);
    return hash;
  };
  const increaseTime = async (seconds: number) => {
    await provider.request({ method: "evm_increaseTime", params: [seconds] });
    await provider.request({ method: "evm_mine", params: [] });
  };
  const now = Number((await publicClient.getBlock()).timestamp);
  const { admin, regulator, S1, S2, S3, D1, D2, D3, D4, D5, R1, R2, server, stranger } = accounts;
  const clean: Hex[] = [];
  const c = async (from: Address, fn: string, args: readonly unknown[]) => {
    const h = await send(from, fn, args);
    clean.push(h);
    return h;
  };
  const h32 = (b: string) => `0x${b.repeat(32)}` as Hex;

  // Roles and parties.
  const REGULATOR_ROLE = keccak256(toBytes("REGULATOR_ROLE"));
  await c(admin, "grantRole", [REGULATOR_ROLE, regulator]);
  await c(admin, "registerParty", [S1, 1, h32("a1"), "https://registry.example.org/s1.json", 0n]);
  await c(admin, "registerParty", [
    S2,
    1,
    h32("a2"),
    "https://registry.example.org/s2.json",
    BigInt(now + 10 * 365 * 86400),
  ]);
  await c(admin, "registerParty", [S3, 1, h32("a3"), "https://registry.example.org/s3.json", 0n]);
  await c(admin, "registerParty", [D1, 2, h32("b1"), "", 0n]);
  await c(admin, "registerParty", [D2, 2, h32("b2"), "", 0n]);
  await c(admin, "registerParty", [D3, 2, h32("b3"), "", BigInt(now + 86400)]);
  await c(admin, "registerParty", [D4, 2, h32("b4"), "", 0n]);
  await c(admin, "registerParty", [D5, 2, h32("b5"), "", 0n]);
  await c(admin, "registerParty", [R1, 3, h32("c1"), "", 0n]);
  await c(admin, "registerParty", [R2, 3, h32("c2"), "", 0n]);
  await c(S1, "authorize", [D1, 1, 0n, h32("d1")]);
  await c(S1, "authorize", [D2, 1, BigInt(now + 86400), h32("d2")]);
  await c(S1, "authorize", [D3, 1, 0n, h32("d3")]);
  await c(S1, "authorize", [R1, 2, 0n, h32("e1")]);
  await c(S1, "authorize", [R2, 2, 0n, h32("e2")]);
  await c(S2, "authorize", [D1, 1, 0n, h32("f1")]);
  await c(S1, "setRedeemer", [server, true]);

  const anchor = async (
    supplier: Address,
    label: string,
    o: { count: number; faceValue: bigint; restricted: boolean; expiresAt?: bigint; gtin?: boolean },
  ) => {
    const hash = await send(supplier, "anchorBatch", [
      {
        label,
        root: keccak256(toBytes(`root:${label}`)),
        count: BigInt(o.count),
        productId: o.gtin === false ? SKU_PRODUCT : GTIN_PRODUCT,
        faceValue: o.faceValue,
        currency: "0x434e59",
        expiresAt: o.expiresAt ?? 0n,
        restricted: o.restricted,
        manifestHash: keccak256(toBytes(`manifest:${label}`)),
        manifestURI: `https://cdn.example.org/${label}/manifest.json`,
      },
    ]);
    const id = (await publicClient.readContract({
      address: ledger,
      abi: keyLedgerAbi,
      functionName: "batchIdOf",
      args: [supplier, label],
    })) as Hex;
    return { hash, id: id.toLowerCase() as Hex };
  };
  const planted: SeededChain["planted"] = {};

  // B1: restricted, 1,000 keys of 10 CNY; the main clean flow.
  const B1 = await anchor(S1, "2026Q4-topup-10", { count: 1000, faceValue: 1000n, restricted: true });
  clean.push(B1.hash);
  await c(S1, "transfer", [B1.id, 0n, 200n, D1, 0n, h32("01")]);
  await c(D1, "transfer", [B1.id, 0n, 100n, R1, 0n, h32("02")]);
  await c(D1, "transfer", [B1.id, 100n, 150n, R2, 0n, h32("03")]);
  await c(S1, "transfer", [B1.id, 500n, 520n, R1, 0n, h32("04")]);
  await c(S1, "revoke", [B1.id, 900n, 950n, 1, 0n]);
  await c(regulator, "revoke", [B1.id, 950n, 960n, 2, 0n]);
  await c(S1, "reinstate", [B1.id, 940n, 950n, 0n]);
  await c(S1, "redeem", [[{ batchId: B1.id, wordIndex: 0n, mask: (1n << 10n) - 1n, hint: 0n }]]);
  await c(server, "redeem", [[{ batchId: B1.id, wordIndex: 0n, mask: ((1n << 10n) - 1n) << 10n, hint: 0n }]]);
  // Planted: redeemed-upstream (keys 150..154 are still held by distributor D1).
  planted["redeemed-upstream"] = await send(S1, "redeem", [
    [{ batchId: B1.id, wordIndex: 0n, mask: 0b11111n << 150n, hint: 0n }],
  ]);

  // B2: S2's batch expiring within its accreditation; clean.
  const B2 = await anchor(S2, "2026Q4-vip-1", {
    count: 100,
    faceValue: 100n,
    restricted: false,
    expiresAt: BigInt(now + 365 * 86400),
    gtin: false,
  });
  clean.push(B2.hash);
  await c(S2, "transfer", [B2.id, 0n, 50n, D1, 0n, h32("05")]);
  await c(D1, "transfer", [B2.id, 0n, 20n, R2, 0n, h32("06")]);

  // B3: planted circular flow D1 -> R2 -> D1.
  const B3 = await anchor(S1, "2026Q4-loop", { count: 100, faceValue: 100n, restricted: false });
  clean.push(B3.hash);
  await c(S1, "transfer", [B3.id, 0n, 10n, D1, 0n, h32("07")]);
  await c(D1, "transfer", [B3.id, 0n, 10n, R2, 0n, h32("08")]);
  planted["circular-flow"] = await send(R2, "transfer", [B3.id, 0n, 10n, D1, 0n, h32("09")]);

  // B4: planted large transfer: 51 keys x 100 CNY in one transferMany = 5,100 CNY > 5,000 CNY.
  const B4 = await anchor(S1, "2026Q4-topup-100", { count: 200, faceValue: 10_000n, restricted: false });
  clean.push(B4.hash);
  planted["large-transfer"] = await send(S1, "transferMany", [
    [
      { batchId: B4.id, start: 0n, end: 31n, to: D1, hint: 0n },
      { batchId: B4.id, start: 40n, end: 60n, to: D1, hint: 0n },
    ],
    h32("0a"),
  ]);
  await c(S1, "transfer", [B4.id, 100n, 110n, D1, 0n, h32("0b")]);

  // B5: planted rapid hops: S1 -> D1 -> D4 -> D5 -> R1 within seconds.
  const B5 = await anchor(S1, "2026Q4-fast", { count: 100, faceValue: 100n, restricted: false });
  clean.push(B5.hash);
  await c(S1, "transfer", [B5.id, 0n, 10n, D1, 0n, h32("0c")]);
  await c(D1, "transfer", [B5.id, 0n, 10n, D4, 0n, h32("0d")]);
  await c(D4, "transfer", [B5.id, 0n, 10n, D5, 0n, h32("0e")]);
  planted["rapid-hops"] = await send(D5, "transfer", [B5.id, 0n, 10n, R1, 0n, h32("0f")]);

  // B6: restricted; D3 receives while accredited.
  const B6 = await anchor(S1, "2026Q4-d3", { count: 100, faceValue: 100n, restricted: true });
  clean.push(B6.hash);
  await c(S1, "transfer", [B6.id, 0n, 10n, D3, 0n, h32("10")]);

  // B7: D2 receives while its authorisation is valid.
  const B7 = await anchor(S1, "2026Q4-d2", { count: 100, faceValue: 100n, restricted: false });
  clean.push(B7.hash);
  await c(S1, "transfer", [B7.id, 0n, 10n, D2, 0n, h32("11")]);

  // B8: planted: S2's keys never expire, its accreditation does.
  const B8 = await anchor(S2, "2026Q4-forever", { count: 100, faceValue: 100n, restricted: false });
  planted["batch-outlives-accreditation"] = B8.hash;

  // B9: S3's batch; R1 receives.
  const B9 = await anchor(S3, "2026Q4-s3", { count: 100, faceValue: 100n, restricted: false });
  clean.push(B9.hash);
  await c(S3, "transfer", [B9.id, 0n, 10n, R1, 0n, h32("12")]);

  // Two days later: D3's accreditation and D2's authorisation have lapsed.
  await increaseTime(2 * 86400);
  planted["expired-accreditation-action"] = await send(D3, "transfer", [B6.id, 0n, 5n, R2, 0n, h32("13")]);
  planted["expired-authorisation-use"] = await send(D2, "transfer", [B7.id, 0n, 5n, R1, 0n, h32("14")]);
  await c(admin, "suspendParty", [S3, h32("5e")]);
  planted["suspended-party-action"] = await send(S3, "redeem", [
    [{ batchId: B9.id, wordIndex: 0n, mask: 0b11111n, hint: 0n }],
  ]);
  // More clean history after the anomalies.
  await c(D1, "transfer", [B1.id, 170n, 180n, R1, 0n, h32("15")]);
  await c(S1, "redeem", [[{ batchId: B1.id, wordIndex: 0n, mask: 1n << 175n, hint: 0n }]]);
  void stranger;

  return {
    publicClient,
    provider,
    wallets,
    ledger,
    deployBlock: deployReceipt.blockNumber,
    chainId: await publicClient.getChainId(),
    accounts,
    batches: { B1: B1.id, B2: B2.id, B3: B3.id, B4: B4.id, B5: B5.id, B6: B6.id, B7: B7.id, B8: B8.id, B9: B9.id },
    planted,
    clean,
    send,
    increaseTime,
  };
}
