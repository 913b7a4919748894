import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Hex } from "viem";
import { keyLedgerV2Abi } from "../../lib/abi/keyLedgerV2Abi.js";
import { startAnvil } from "../../scripts/chain/startAnvil.js";
import type { LocalNode } from "../../scripts/chain/startLocalNode.js";
import { checkGatewayOrders } from "../../scripts/demo/checkGatewayOrders.js";
import { runGatewayOrders, type GatewayOrdersResult } from "../../scripts/demo/runGatewayOrders.js";
import { deployOnAnvil, testAccount } from "../gateway/helpers/deployOnAnvil.js";

const KEYTRAIL = join(import.meta.dirname, "..", "..", "scripts", "keytrail.mjs");

let anvil: LocalNode;
let env: Awaited<ReturnType<typeof deployOnAnvil>>;
let work: string;
let batch: Hex;
let fromBlock: bigint;
let result: GatewayOrdersResult;
const lines: string[] = [];
// deployOnAnvil: account 1 supplier (anchors the batch), 2 distributor, 3 retailer.
const distributor = { account: 2, address: testAccount(2).address };
const retailer = { account: 3, address: testAccount(3).address };

beforeAll(async () => {
  anvil = await startAnvil({ blockTime: 1 });
  env = await deployOnAnvil(anvil.url, [{ label: "demo-gateway", count: 5_000n }]);
  batch = env.batchIds[0]!;
  const supplier = env.wallet(1);
  await env.wait(
    await supplier.writeContract({
      address: env.ledger,
      abi: keyLedgerV2Abi,
      functionName: "transferMany",
      args: [
        [
          { batchId: batch, start: 0n, end: 1_000n, to: retailer.address },
          { batchId: batch, start: 1_000n, end: 2_000n, to: distributor.address },
        ],
        `0x${"0".repeat(64)}`,
      ],
      chain: null,
    }),
  );
  fromBlock = (await env.publicClient.getBlockNumber()) + 1n;
  work = mkdtempSync(join(tmpdir(), "keytrail-demo-gateway-"));
  result = await runGatewayOrders({
    keytrail: KEYTRAIL,
    work,
    rpcUrl: anvil.url,
    ledger: env.ledger,
    batchId: batch,
    retailer,
    distributor,
    sales: 24,
    transfers: 12,
    concurrency: 4,
    blockTime: 1,
    say: (l) => lines.push(l),
  });
}, 600_000);

afterAll(async () => {
  await anvil?.stop();
  if (work) rmSync(work, { recursive: true, force: true });
});

describe("the demo's gateway run", () => {
  it("records every accepted order exactly once across a SIGKILL and restart of the retailer's gateway", () => {
    expect(lines.join("\n")).toMatch(/SIGKILL the retailer's gateway/);
    expect(lines.join("\n")).toMatch(/answers again after/);
    expect(result.accepted).toBe(36);
    expect(result.confirmed).toBe(36);
    expect(result.failed).toBe(0);
    expect(result.repeatSameAnswer).toBe(true);
    expect(result.check).toMatchObject({ duplicates: [], missing: [], strays: [] });
    // 24 sales of 1..3 keys (48) and 12 transfers of 1..5 keys (33).
    expect(result.check.recorded).toBe(48 + 33);
    expect(result.ordersPerSecond).toBeGreaterThan(0);
    expect(result.p99ConfirmMs).toBeGreaterThanOrEqual(result.p50ConfirmMs);
  });

  it("the chain check names what is missing, recorded twice or recorded by no accepted order", async () => {
    const sellers = [retailer.address, distributor.address];
    // A key the retailer's gateway sold in the run.
    const sold = await env.publicClient.getContractEvents({
      address: env.ledger,
      abi: keyLedgerV2Abi,
      eventName: "KeysSold",
      args: { seller: retailer.address },
      fromBlock,
      strict: true,
    });
    expect(sold.length).toBeGreaterThan(0);
    const index = Number(sold[0]!.args.indices[0]!);
    // A sale order whose receipt secret does not give the recorded order-reference hash: missing.
    const forged = {
      orderReference: "TB-GW-FORGED",
      kind: "sale" as const,
      batchId: batch,
      indices: [index],
      to: null,
      keys: [{ batchId: batch, index, seller: retailer.address, receiptSecret: `0x${"11".repeat(16)}` as Hex }],
    };
    const c = await checkGatewayOrders(env.publicClient, env.ledger, fromBlock, sellers, [
      forged as unknown as Parameters<typeof checkGatewayOrders>[4][number],
    ]);
    expect(c.missing).toEqual([`TB-GW-FORGED ${batch.toLowerCase()}:${index}`]);
    // Nothing accepted: every recorded key is a stray.
    const none = await checkGatewayOrders(env.publicClient, env.ledger, fromBlock, sellers, []);
    expect(none.strays.length).toBe(48 + 33);
    expect(none.duplicates).toEqual([]);
  });
});
