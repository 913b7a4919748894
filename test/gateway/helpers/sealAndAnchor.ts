import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { toHex, type Address, type Hex, type PublicClient } from "viem";
import { foundry } from "viem/chains";
import { createWalletClient, http } from "viem";
import { keyLedgerV2Abi } from "../../../lib/abi/keyLedgerV2Abi.js";
import { generateKeyFile } from "../../../scripts/seal/generateKeyFile.js";
import { sealBatch } from "../../../scripts/seal/sealBatch.js";
import { testAccount } from "./deployOnAnvil.js";

/** A sealed and anchored batch: its folder, key file and keys in index order. */
export type SealedBatch = {
  batchId: Hex;
  batchDir: string;
  keyFile: string;
  /** The key file's rows as written (serial, PIN), in index order. */
  rows: { serial: string; pin: string }[];
  /** The sealed commitments, in index order. */
  commitments: Hex[];
};

/**
 * Writes a key file of `count` keys (16-digit serials, 16-character PINs), seals it with the real seal
 * (`sealBatch`) for supplier account 1, and anchors it on the ledger with the seal's root and count.
 *
 * @param p - node URL, public client, ledger, working folder, label and key count.
 * @returns the {@link SealedBatch}.
 * @example
 * const b = await sealAndAnchor({ url, publicClient, ledger, dir, label: "stock-1", count: 40 });
 */
export async function sealAndAnchor(p: {
  url: string;
  publicClient: PublicClient;
  ledger: Address;
  dir: string;
  label: string;
  count: number;
}): Promise<SealedBatch> {
  const keyFile = join(p.dir, `${p.label}.csv`);
  await generateKeyFile({ path: keyFile, count: p.count });
  const batchDir = join(p.dir, p.label);
  const supplier = testAccount(1);
  const r = await sealBatch({
    input: keyFile,
    outDir: batchDir,
    label: p.label,
    supplier: supplier.address,
    chainId: 31337,
    ledger: p.ledger,
    productId: "06901234567892",
    faceValue: 10_000n,
    currency: "CNY",
    expiresAt: 2_000_000_000,
    restricted: false,
    portalBase: "https://verify.example",
    workers: 0,
    urls: false,
  });
  const wallet = createWalletClient({ chain: foundry, transport: http(p.url), account: supplier });
  const hash = await wallet.writeContract({
    address: p.ledger,
    abi: keyLedgerV2Abi,
    functionName: "anchorBatch",
    args: [
      {
        label: p.label,
        root: r.root,
        count: BigInt(r.count),
        productId: `0x${"0".repeat(50)}06901234567892` as Hex,
        faceValue: 10_000n,
        currency: toHex("CNY", { size: 3 }),
        expiresAt: 2_000_000_000n,
        restricted: false,
        saleRequired: false,
        manifestHash: r.manifestHash,
        manifestURI: `https://keys.example/${p.label}/manifest.json`,
      },
    ],
  });
  const receipt = await p.publicClient.waitForTransactionReceipt({ hash, pollingInterval: 200 });
  if (receipt.status !== "success") throw new Error(`anchoring ${p.label} reverted`);
  const lines = (await readFile(keyFile, "utf8")).split("\n").filter((l) => l.length > 0);
  const rows = lines.slice(1).map((l) => {
    const [serial, pin] = l.split(",") as [string, string];
    return { serial, pin };
  });
  const bin = await readFile(join(batchDir, "commitments.bin"));
  const commitments = Array.from(
    { length: r.count },
    (_, i) => `0x${bin.subarray(i * 32, i * 32 + 32).toString("hex")}` as Hex,
  );
  return { batchId: r.batchId, batchDir, keyFile, rows, commitments };
}
