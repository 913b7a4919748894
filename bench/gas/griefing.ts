/**
 * The griefing scenario of the KeyLedger v2 issue, replayed on both ledgers in one run: a holder
 * splits [0, N) of a 1M-key batch into N single-key segments (transferMany, many ranges per call),
 * then we measure what everyone else pays: keyStatus of a victim's key far past the fragments with
 * no hint (eth_call gas), a regulator-style revoke of the whole fragmented batch, and a transfer
 * of the victim's keys. v1 (contracts/KeyLedger.sol) is the anchor; v2 must be independent of N.
 *
 *   npx tsx bench/gas/griefing.ts        (N = 24,000; --quick: N = 4,000)
 */
import hre from "hardhat";
import { encodeFunctionData, getContract, keccak256, toHex, zeroHash, type Address, type Hex } from "viem";
import { keyLedgerAbi } from "../../lib/abi/keyLedgerAbi.js";
import { computeBatchId } from "../../lib/commit/computeBatchId.js";
import { keyLedgerV2Abi } from "../../lib/abi/keyLedgerV2Abi.js";
import { keyLedgerV2Bytecode } from "../../lib/abi/keyLedgerV2Bytecode.js";
import { keyLedgerV2SalesBytecode } from "../../lib/abi/keyLedgerV2SalesBytecode.js";
import type { BenchOptions, BenchResult } from "../types.js";

const COUNT = 1_000_000n;
const VICTIM_INDEX = 700_000n;
const PER_CALL = 400;

type Measured = { keyStatus: bigint; revoke: bigint; transfer: bigint };

export async function run(opts: BenchOptions = {}): Promise<BenchResult[]> {
  const n = opts.quick ? 4_000 : 24_000;
  await hre.tasks.getTask("build").run({ quiet: true, noTests: true });
  const measure = async (version: 1 | 2): Promise<Measured> => {
    // A block gas limit far above any chain's, so v1's costs can be measured at all.
    const { viem } = await hre.network.connect({
      override: { transactionGasCap: 2_000_000_000, blockGasLimit: 2_000_000_000, gas: 1_900_000_000 },
    } as never);
    const pc = await viem.getPublicClient();
    const [admin, supplier, holder, retail, victim] = await viem.getWalletClients();
    const wait = async (hash: Hex) => {
      const r = await pc.waitForTransactionReceipt({ hash });
      if (r.status !== "success") throw new Error(`transaction ${hash} reverted`);
      return r;
    };
    let address: Address;
    if (version === 1) {
      address = (await viem.deployContract("KeyLedger", [admin!.account.address])).address;
    } else {
      const sales = (await wait(await admin!.deployContract({ abi: [], bytecode: keyLedgerV2SalesBytecode })))
        .contractAddress!;
      address = (
        await wait(
          await admin!.deployContract({
            abi: keyLedgerV2Abi,
            bytecode: keyLedgerV2Bytecode,
            args: [admin!.account.address, 86_400, sales],
          }),
        )
      ).contractAddress!;
    }
    const abi = (version === 1 ? keyLedgerAbi : keyLedgerV2Abi) as never;
    const as = (w: typeof admin) =>
      getContract({ address, abi, client: { public: pc, wallet: w! } }) as never as {
        write: Record<string, (args: unknown[], o?: unknown) => Promise<Hex>>;
      };
    for (const [w, kind] of [
      [supplier, 1],
      [holder, 2],
      [retail, 3],
      [victim, 3],
    ] as const) {
      await wait(await as(admin).write.registerParty!([w!.account.address, kind, zeroHash, "", 0n]));
    }
    const base = {
      label: "griefed",
      root: keccak256(toHex("root")),
      count: COUNT,
      productId: zeroHash,
      faceValue: 100n,
      currency: toHex("CNY", { size: 3 }),
      expiresAt: 0n,
      restricted: false,
      manifestHash: zeroHash,
      manifestURI: "",
    };
    await wait(await as(supplier).write.anchorBatch!([version === 1 ? base : { ...base, saleRequired: false }]));
    const batchId = computeBatchId(supplier!.account.address, "griefed");
    // v1 takes segment hints (the start of the segment holding the index); the griefer passes exact ones.
    // v2 takes none.
    const v1 = version === 1;
    const xfer = (w: typeof admin, start: bigint, end: bigint, to: Address, hint: bigint) =>
      as(w).write.transfer!(v1 ? [batchId, start, end, to, hint, zeroHash] : [batchId, start, end, to, zeroHash], {
        gas: 1_900_000_000n,
      });
    // The holder gets [0, N) and the victim [N, COUNT); the holder then splits its range into single keys.
    await wait(await xfer(supplier, 0n, BigInt(n), holder!.account.address, 0n));
    await wait(await xfer(supplier, BigInt(n), COUNT, victim!.account.address, BigInt(n)));
    for (let s = 0; s < n; s += 2 * PER_CALL) {
      const items = [];
      for (let i = s; i < Math.min(n, s + 2 * PER_CALL); i += 2) {
        // Before [i, i + 1) moves, the holder's remainder is [i - 1, N) (or [0, N) at first).
        const item = { batchId, start: BigInt(i), end: BigInt(i + 1), to: retail!.account.address };
        items.push(v1 ? { ...item, hint: BigInt(Math.max(0, i - 1)) } : item);
      }
      await wait(await as(holder).write.transferMany!([items, zeroHash], { gas: 1_900_000_000n }));
    }
    const statusData = v1
      ? encodeFunctionData({ abi: keyLedgerAbi, functionName: "keyStatus", args: [batchId, VICTIM_INDEX, 0n] })
      : encodeFunctionData({ abi: keyLedgerV2Abi, functionName: "keyStatus", args: [batchId, VICTIM_INDEX] });
    const keyStatus = await pc.estimateGas({ to: address, data: statusData, gas: 1_900_000_000n } as never);
    // The victim's segment [N, COUNT) starts at N; its owner passes that hint.
    const transfer = (
      await wait(await xfer(victim, VICTIM_INDEX, VICTIM_INDEX + 10n, retail!.account.address, BigInt(n)))
    ).gasUsed;
    const revoke = (
      await wait(
        await as(supplier).write.revoke!(v1 ? [batchId, 0n, COUNT, 1, 0n] : [batchId, 0n, COUNT, 1], {
          gas: 1_900_000_000n,
        }),
      )
    ).gasUsed;
    return { keyStatus, revoke, transfer };
  };
  const v1 = await measure(1);
  const v2 = await measure(2);
  const independent = "lower is better; v2 does not depend on the number of segments";
  const row = (what: string, ours: bigint, anchor: bigint, notes = independent): BenchResult => ({
    name: `${what}, batch fragmented into ${n.toLocaleString("en-US")} single-key segments`,
    unit: "gas",
    value: Number(ours),
    anchor: { name: "KeyLedger v1, same scenario", value: Number(anchor) },
    ratio: Number(ours) / Number(anchor),
    notes,
  });
  return [
    row("keyStatus of a victim's key, no hint (eth_call)", v2.keyStatus, v1.keyStatus),
    row("revoke the whole 1M-key batch", v2.revoke, v1.revoke),
    row(
      "victim transfers 10 of its keys",
      v2.transfer,
      v1.transfer,
      "lower is better; v1 was given the exact segment hint; v2's split in a region of the batch that never had a boundary writes fresh range-map words",
    ),
  ];
}
