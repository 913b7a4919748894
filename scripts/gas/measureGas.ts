import hre from "hardhat";
import { getContract, keccak256, parseAbi, toHex, type Address, type Hex } from "viem";
import { keyLedgerAbi } from "../../lib/abi/keyLedgerAbi.js";
import { computeBatchId } from "../../lib/commit/computeBatchId.js";

const mintAbi = parseAbi(["function mint(address to, uint256 n)"]);

/** One measured operation: gas used by its transaction (receipt `gasUsed`, base cost included). */
export type GasFigure = { gas: number; notes?: string };

/** A budget check: `value` must stay <= `limit`. */
export type GasBudget = { name: string; value: number; limit: number; pass: boolean; rule: string };

/** What {@link measureGas} returns; `main.ts` writes it as JSON. */
export type GasReport = {
  anchor: GasFigure;
  anchorCount1: GasFigure;
  anchorCount1M: GasFigure;
  anchorCount2p40: GasFigure;
  transferSplit3: GasFigure;
  transferWhole: GasFigure;
  transferMany10: GasFigure;
  redeem256: GasFigure;
  redeem256Worst: GasFigure;
  redeem2048Worst: GasFigure;
  revoke: GasFigure;
  reinstate: GasFigure;
  erc721aMint100: GasFigure;
  ozErc721Mint100: GasFigure;
  budgets: {
    anchor: GasBudget;
    transferSplit3: GasBudget;
    redeem256: GasBudget;
    redeemAmortised: GasBudget;
    /** Anchoring cost per key at 1M keys divided by ERC721A's per-token cost minting 100 (lower is better). */
    anchorPerKey1MvsErc721aPerToken: { ours: number; anchor: number; ratio: number };
    pass: boolean;
  };
};

/** Budgets (worst case, receipt gas). */
export const GAS_BUDGETS = { anchor: 130_000, transferSplit3: 90_000, redeem256: 30_000 + 21_000 } as const;

const PARTY = { Supplier: 1, Distributor: 2, Retailer: 3 } as const;
const REASON_STOLEN = 1;

/**
 * Measures the worst-case gas of each KeyLedger operation on a fresh in-process Hardhat chain,
 * with the ERC721 anchors (OpenZeppelin ERC721, ERC721A minting 100 tokens) in the same run.
 * Worst case here: cold storage everywhere, restricted batches (the authorisation is read),
 * the regulator revoking (role lookup), a delegated redeemer on a batch that has a frozen range,
 * realistic label/URI lengths, exact hints.
 *
 * @returns The figures and the budget checks.
 * @example
 * const report = await measureGas();
 * console.log(report.anchor.gas, report.budgets.pass);
 */
export async function measureGas(): Promise<GasReport> {
  await hre.tasks.getTask("build").run({ quiet: true, noTests: true });
  const { viem } = await hre.network.connect();
  const publicClient = await viem.getPublicClient();
  const [admin, supplier, distA, distB, regulator, redeemer, minter] = await viem.getWalletClients();
  if (!admin || !supplier || !distA || !distB || !regulator || !redeemer || !minter) {
    throw new Error("measureGas needs 7 accounts on the in-process network");
  }
  const client = { public: publicClient, wallet: admin };
  const deployed = await viem.deployContract("KeyLedger", [admin.account.address]);
  const ledger = getContract({ address: deployed.address, abi: keyLedgerAbi, client });
  const gasOf = async (hash: Hex): Promise<number> => {
    const r = await publicClient.waitForTransactionReceipt({ hash });
    if (r.status !== "success") throw new Error(`transaction ${hash} reverted`);
    return Number(r.gasUsed);
  };

  const far = BigInt(Math.floor(Date.now() / 1000) + 10 * 365 * 86_400);
  const profile = (s: string): Hex => keccak256(toHex(s));
  for (const [who, kind] of [
    [supplier, PARTY.Supplier],
    [distA, PARTY.Distributor],
    [distB, PARTY.Retailer],
  ] as const) {
    await gasOf(
      await ledger.write.registerParty(
        [who.account.address, kind, profile(who.account.address), `ipfs://profile/${who.account.address}`, far],
        { account: admin.account },
      ),
    );
  }
  await gasOf(
    await ledger.write.grantRole([await ledger.read.REGULATOR_ROLE(), regulator.account.address], {
      account: admin.account,
    }),
  );
  for (const d of [distA, distB]) {
    await gasOf(
      await ledger.write.authorize([d.account.address, 1, far, profile(`cert ${d.account.address}`)], {
        account: supplier.account,
      }),
    );
  }
  await gasOf(await ledger.write.setRedeemer([redeemer.account.address, true], { account: supplier.account }));

  let labelNo = 0;
  const anchor = async (count: bigint): Promise<{ gas: number; batchId: Hex }> => {
    const label = `2026-11 CNY100 top-up batch ${String(++labelNo).padStart(6, "0")}`;
    const batchId = computeBatchId(supplier.account.address, label);
    const gas = await gasOf(
      await ledger.write.anchorBatch(
        [
          {
            label,
            root: keccak256(toHex(`root ${label}`)),
            count,
            productId: `0x${"0".repeat(50)}06901234567892` as Hex,
            faceValue: 10_000n,
            currency: toHex("CNY", { size: 3 }),
            expiresAt: far,
            restricted: true,
            manifestHash: keccak256(toHex(`manifest ${label}`)),
            manifestURI: `https://keys.example.com/batches/${batchId}/manifest.json`,
          },
        ],
        { account: supplier.account },
      ),
    );
    return { gas, batchId };
  };

  const a1 = await anchor(1n);
  const a1m = await anchor(1_000_000n);
  const a2p40 = await anchor(2n ** 40n);
  const memo = keccak256(toHex("order 2026-11-22/0001"));

  // One segment split in three: [0,1M) -> [0,1000) supplier, [1000,2000) distA, [2000,1M) supplier.
  const transferSplit3 = await gasOf(
    await ledger.write.transfer([a1m.batchId, 1000n, 2000n, distA.account.address, 0n, memo], {
      account: supplier.account,
    }),
  );
  // A whole segment to a new holder (no split): distA passes [1000,2000) to distB.
  const transferWhole = await gasOf(
    await ledger.write.transfer([a1m.batchId, 1000n, 2000n, distB.account.address, 1000n, memo], {
      account: distA.account,
    }),
  );
  // Ten ranges of a fresh batch in one call, each splitting the supplier's tail segment in three.
  const many = await anchor(1_000_000n);
  const items = Array.from({ length: 10 }, (_, i) => ({
    batchId: many.batchId,
    start: BigInt(i * 1000 + 100),
    end: BigInt(i * 1000 + 600),
    to: (i % 2 ? distB : distA).account.address as Address,
    hint: i === 0 ? 0n : BigInt((i - 1) * 1000 + 600),
  }));
  const transferMany10 = await gasOf(await ledger.write.transferMany([items, memo], { account: supplier.account }));

  // Regulator freezes [5000, 6000) of a1m: one segment split in three.
  const revoke = await gasOf(
    await ledger.write.revoke([a1m.batchId, 5000n, 6000n, REASON_STOLEN, 2000n], { account: regulator.account }),
  );
  // Redemption of a full word, in one call. Common case: the supplier, a batch never revoked
  // (no frozen check). Worst case: a delegated redeemer (one more lookup) on a batch with a frozen
  // range (the segment holding the word is read).
  const full = (1n << 256n) - 1n;
  const clean = await anchor(1_000_000n);
  const redeem256 = await gasOf(
    await ledger.write.redeem([[{ batchId: clean.batchId, wordIndex: 100n, mask: full, hint: 0n }]], {
      account: supplier.account,
    }),
  );
  const redeem256Worst = await gasOf(
    await ledger.write.redeem([[{ batchId: a1m.batchId, wordIndex: 100n, mask: full, hint: 6000n }]], {
      account: redeemer.account,
    }),
  );
  const redeem2048Worst = await gasOf(
    await ledger.write.redeem(
      [
        Array.from({ length: 8 }, (_, i) => ({
          batchId: a1m.batchId,
          wordIndex: BigInt(200 + i),
          mask: full,
          hint: 6000n,
        })),
      ],
      { account: redeemer.account },
    ),
  );
  const reinstate = await gasOf(
    await ledger.write.reinstate([a1m.batchId, 5200n, 5300n, 5000n], { account: regulator.account }),
  );

  const oz = getContract({ address: (await viem.deployContract("OzErc721Bench", [])).address, abi: mintAbi, client });
  const erc721a = getContract({
    address: (await viem.deployContract("Erc721aBench", [])).address,
    abi: mintAbi,
    client,
  });
  const ozErc721Mint100 = await gasOf(await oz.write.mint([minter.account.address, 100n], { account: minter.account }));
  const erc721aMint100 = await gasOf(
    await erc721a.write.mint([minter.account.address, 100n], { account: minter.account }),
  );

  const anchorWorst = Math.max(a1.gas, a1m.gas, a2p40.gas);
  const budget = (name: string, value: number, limit: number, rule: string): GasBudget => ({
    name,
    value,
    limit,
    pass: value <= limit,
    rule,
  });
  const budgets = {
    anchor: budget(
      "anchor",
      anchorWorst,
      GAS_BUDGETS.anchor,
      "anchor <= 130,000 gas for any count (worst of counts 1, 1M, 2^40)",
    ),
    transferSplit3: budget(
      "transferSplit3",
      transferSplit3,
      GAS_BUDGETS.transferSplit3,
      "a transfer splitting one segment in three <= 90,000 gas",
    ),
    redeem256: budget(
      "redeem256",
      redeem256,
      GAS_BUDGETS.redeem256,
      "256 keys redeemed in one call <= 30,000 + 21,000 base (supplier, batch never revoked; the worst case, redeem256Worst, is checked amortised below)",
    ),
    redeemAmortised: budget(
      "redeemAmortised",
      Math.round((redeem2048Worst - 21_000) / 8),
      30_000,
      "worst case per 256 keys, amortised over 8 words in one call (base 21,000 once) <= 30,000",
    ),
    anchorPerKey1MvsErc721aPerToken: {
      ours: a1m.gas / 1_000_000,
      anchor: erc721aMint100 / 100,
      ratio: a1m.gas / 1_000_000 / (erc721aMint100 / 100),
    },
    pass: false,
  };
  budgets.pass =
    budgets.anchor.pass && budgets.transferSplit3.pass && budgets.redeem256.pass && budgets.redeemAmortised.pass;

  return {
    anchor: { gas: anchorWorst, notes: "worst of anchorCount1, anchorCount1M, anchorCount2p40" },
    anchorCount1: { gas: a1.gas },
    anchorCount1M: { gas: a1m.gas },
    anchorCount2p40: { gas: a2p40.gas },
    transferSplit3: {
      gas: transferSplit3,
      notes: "restricted batch, supplier -> authorised distributor, one segment split in three",
    },
    transferWhole: { gas: transferWhole, notes: "a whole segment to a new holder, no split" },
    transferMany10: { gas: transferMany10, notes: "10 ranges in one call, each splitting a segment in three" },
    redeem256: { gas: redeem256, notes: "one full word (256 keys) in one call by the supplier, batch never revoked" },
    redeem256Worst: { gas: redeem256Worst, notes: "one full word by a delegated redeemer, batch with a frozen range" },
    redeem2048Worst: {
      gas: redeem2048Worst,
      notes: "8 full words in one call by a delegated redeemer, batch with a frozen range",
    },
    revoke: { gas: revoke, notes: "regulator freezes a range inside one segment (split in three)" },
    reinstate: { gas: reinstate, notes: "regulator unfreezes a range inside a frozen segment (split in three)" },
    erc721aMint100: { gas: erc721aMint100 },
    ozErc721Mint100: { gas: ozErc721Mint100 },
    budgets,
  };
}
