import { spawn, type ChildProcess } from "node:child_process";
import { join } from "node:path";
import { createPublicClient, http, type Address, type Hex, type PublicClient } from "viem";
import type { OrderAnswer } from "../../gateway/types.js";
import { keyLedgerV2Abi } from "../../lib/abi/keyLedgerV2Abi.js";
import { computeOrderRefHash } from "../../lib/sale/computeOrderRefHash.js";
import { freePort } from "../chain/freePort.js";

/** Parameters of {@link runGatewayOrders}. */
export type GatewayOrdersParameters = {
  /** The keytrail CLI entry point. */
  keytrail: string;
  /** The demo's folder (its keytrail config names the chain and the ledger). */
  work: string;
  rpcUrl: string;
  ledger: Address;
  /** The batch both signers hold keys of. */
  batchId: Hex;
  /** The retailer: sells through its gateway. */
  retailer: { account: number; address: Address };
  /** The distributor: transfers to the retailer through its gateway. */
  distributor: { account: number; address: Address };
  /** Sale orders and transfer orders in the burst. */
  sales: number;
  transfers: number;
  /** Orders in flight at once per gateway. */
  concurrency: number;
  /** Seconds between blocks while the gateways run (the chain is switched to interval mining). */
  blockTime: number;
  say: (line: string) => void;
};

/** What the chain says about the accepted orders. */
export type GatewayOrdersCheck = {
  /** Keys recorded more than once. */
  duplicates: string[];
  /** Keys of accepted orders not recorded (or recorded for another order / recipient). */
  missing: string[];
  /** Keys recorded that no accepted order owns. */
  strays: string[];
  recorded: number;
  transactions: number;
};

/** The figures of the run. */
export type GatewayOrdersResult = {
  accepted: number;
  confirmed: number;
  failed: number;
  ordersPerSecond: number;
  p50ConfirmMs: number;
  p99ConfirmMs: number;
  /** Orders whose POST had to be repeated (gateway down, connection cut). */
  retried: number;
  /** The repeated reference answered the first answer (same keys, 200). */
  repeatSameAnswer: boolean;
  check: GatewayOrdersCheck;
};

const pct = (xs: number[], p: number) => {
  if (xs.length === 0) return NaN;
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))]!;
};

const rpc = async (url: string, method: string, params: unknown[]) => {
  const r = await fetch(url, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ jsonrpc: "2.0", id: 1, method, params }),
  });
  const j = (await r.json()) as { error?: { message: string } };
  if (j.error) throw new Error(`${method}: ${j.error.message}`);
};

/** Runs `keytrail gateway …` in the demo folder; resolves with stdout (to the end, or to the listening line). */
function gatewayCli(
  p: GatewayOrdersParameters,
  args: string[],
  untilListening: boolean,
): Promise<{ out: string; child: ChildProcess }> {
  const child = spawn(process.execPath, [p.keytrail, "gateway", ...args], {
    cwd: p.work,
    env: { ...process.env, KEYTRAIL_RPC_URL: p.rpcUrl, FORCE_COLOR: "0" },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let out = "";
  let err = "";
  child.stderr!.on("data", (b: Buffer) => (err += b.toString()));
  return new Promise((res, rej) => {
    child.stdout!.on("data", (b: Buffer) => {
      out += b.toString();
      if (untilListening && /listening on http/.test(out)) res({ out, child });
    });
    child.once("exit", (code) =>
      code === 0 && !untilListening
        ? res({ out: out.trim(), child })
        : rej(new Error(`keytrail gateway ${args.join(" ")} exited (${code}):\n${err}`)),
    );
  });
}

/** A gateway process signing for one account, on a fixed port (a restart answers on the same URL). */
async function startGateway(p: GatewayOrdersParameters, name: string, account: number) {
  const data = join(p.work, "gateway", name);
  const apiKey = (await gatewayCli(p, ["--add-client", "platform", "--data", data], false)).out;
  const port = await freePort();
  const args = [
    ...["--account", String(account), "--port", String(port), "--data", data],
    ...["--window-ms", "200", "--poll-ms", "250", "--rate-limit", "0", "--stuck-blocks", "4"],
  ];
  const gw = { url: `http://127.0.0.1:${port}`, apiKey, child: (await gatewayCli(p, args, true)).child };
  return {
    ...gw,
    /** SIGKILL (no draining, no clean close) and start again on the same data and port. */
    async killAndRestart() {
      const exited = new Promise((r) => gw.child.once("exit", r));
      gw.child.kill("SIGKILL");
      await exited;
      gw.child = (await gatewayCli(p, args, true)).child;
    },
    async stop() {
      const exited = new Promise((r) => gw.child.once("exit", r));
      gw.child.kill("SIGTERM");
      await exited;
    },
  };
}

/**
 * Reads every KeysSold by `seller` and CustodyTransferred from it since `fromBlock`, and checks each
 * accepted order's keys appear exactly once: sales with the order-reference hash derived from the
 * order's reference and the key's receipt secret, transfers to the order's recipient.
 */
async function checkOnChain(
  client: PublicClient,
  ledger: Address,
  fromBlock: bigint,
  sellers: Address[],
  orders: OrderAnswer[],
): Promise<GatewayOrdersCheck> {
  const base = { address: ledger, abi: keyLedgerV2Abi, fromBlock, strict: true } as const;
  const seen = new Map<string, string[]>();
  const txs = new Set<Hex>();
  for (const seller of sellers) {
    const [sold, moved] = await Promise.all([
      client.getContractEvents({ ...base, eventName: "KeysSold", args: { seller } }),
      client.getContractEvents({ ...base, eventName: "CustodyTransferred", args: { from: seller } }),
    ]);
    for (const l of sold) {
      txs.add(l.transactionHash);
      l.args.indices.forEach((i, k) => {
        const key = `${l.args.batchId}:${i}`;
        seen.set(key, [...(seen.get(key) ?? []), `sale ${l.args.orderRefs[k]}`]);
      });
    }
    for (const l of moved) {
      txs.add(l.transactionHash);
      for (let i = l.args.start; i < l.args.end; i++) {
        const key = `${l.args.batchId}:${i}`;
        seen.set(key, [...(seen.get(key) ?? []), `transfer ${l.args.to.toLowerCase()}`]);
      }
    }
  }
  const owned = new Set<string>();
  const missing: string[] = [];
  for (const o of orders) {
    for (const index of o.indices) {
      const key = `${o.batchId.toLowerCase()}:${index}`;
      owned.add(key);
      const secret = o.keys.find((k) => k.index === index)?.receiptSecret;
      const want =
        o.kind === "sale"
          ? `sale ${secret ? computeOrderRefHash({ orderReference: o.orderReference, secret }) : "(no secret)"}`
          : `transfer ${o.to!.toLowerCase()}`;
      if (!(seen.get(key) ?? []).includes(want)) missing.push(`${o.orderReference} ${key}`);
    }
  }
  return {
    duplicates: [...seen.entries()].filter(([, v]) => v.length > 1).map(([k]) => k),
    missing,
    strays: [...seen.keys()].filter((k) => !owned.has(k)),
    recorded: seen.size,
    transactions: txs.size,
  };
}

/**
 * The order gateway in the demo: the chain switched to a block every `blockTime` s, one
 * `keytrail gateway` process for the retailer (sales) and one for a distributor (transfers to the
 * retailer), a burst of concurrent orders through both, the retailer's gateway killed with SIGKILL
 * and restarted mid-burst (clients repeat their POST with the same order reference until it is
 * answered), one reference posted again; then waits for every accepted order to settle and checks
 * on chain that each was recorded exactly once. Automine is restored at the end.
 *
 * @param p - see {@link GatewayOrdersParameters}.
 * @returns the figures and the chain check.
 */
export async function runGatewayOrders(p: GatewayOrdersParameters): Promise<GatewayOrdersResult> {
  const client = createPublicClient({ transport: http(p.rpcUrl) }) as PublicClient;
  await rpc(p.rpcUrl, "evm_setAutomine", [false]);
  await rpc(p.rpcUrl, "evm_setIntervalMining", [p.blockTime * 1000]);
  const fromBlock = (await client.getBlockNumber()) + 1n;
  const retail = await startGateway(p, "retailer", p.retailer.account);
  const distrib = await startGateway(p, "distributor", p.distributor.account);
  try {
    type Job = { gw: typeof retail; body: Record<string, unknown> };
    const jobs: Job[] = [];
    for (let i = 0; i < Math.max(p.sales, p.transfers); i++) {
      if (i < p.sales)
        jobs.push({
          gw: retail,
          body: { orderReference: `TB-GW-${i}`, kind: "sale", batchId: p.batchId, quantity: 1 + (i % 3) },
        });
      if (i < p.transfers)
        jobs.push({
          gw: distrib,
          body: {
            orderReference: `PO-GW-${i}`,
            kind: "transfer",
            batchId: p.batchId,
            quantity: 1 + (i % 5),
            to: p.retailer.address,
          },
        });
    }
    const accepted: { gw: typeof retail; ref: string }[] = [];
    let retried = 0;
    let killed: Promise<void> | null = null;
    const post = async (job: Job): Promise<void> => {
      const deadline = Date.now() + 60_000;
      for (let attempt = 0; ; attempt++) {
        if (attempt === 1) retried++;
        try {
          const r = await fetch(`${job.gw.url}/v1/orders`, {
            method: "POST",
            headers: { "content-type": "application/json", authorization: `Bearer ${job.gw.apiKey}` },
            body: JSON.stringify(job.body),
          });
          const text = await r.text();
          if (r.status === 202 || r.status === 200) {
            accepted.push({ gw: job.gw, ref: job.body.orderReference as string });
            return;
          }
          if (r.status < 500) throw new Error(`gateway refused ${job.body.orderReference as string}: ${text}`);
        } catch (e) {
          if (e instanceof Error && e.message.startsWith("gateway refused")) throw e;
        }
        if (Date.now() > deadline) throw new Error(`order ${job.body.orderReference as string} not answered in 60 s`);
        await new Promise((r) => setTimeout(r, 100 + 100 * Math.min(attempt, 10)));
      }
    };
    const t0 = Date.now();
    let next = 0;
    const killAt = Math.floor(jobs.length * 0.4);
    await Promise.all(
      Array.from({ length: p.concurrency * 2 }, async () => {
        while (next < jobs.length) {
          const job = jobs[next++]!;
          if (next === killAt && !killed) {
            p.say(`  SIGKILL the retailer's gateway after ${killAt} of ${jobs.length} orders sent; restarting it`);
            killed = retail.killAndRestart();
          }
          await post(job);
        }
      }),
    );
    await killed;
    // The same reference again, same body: the first answer, not a second order.
    const again = jobs[0]!;
    const first = (await (
      await fetch(`${again.gw.url}/v1/orders/${again.body.orderReference as string}`, {
        headers: { authorization: `Bearer ${again.gw.apiKey}` },
      })
    ).json()) as OrderAnswer;
    const repeat = await fetch(`${again.gw.url}/v1/orders`, {
      method: "POST",
      headers: { "content-type": "application/json", authorization: `Bearer ${again.gw.apiKey}` },
      body: JSON.stringify(again.body),
    });
    const repeated = (await repeat.json()) as OrderAnswer;
    const repeatSameAnswer =
      repeat.status === 200 && JSON.stringify(repeated.indices) === JSON.stringify(first.indices);

    // Every accepted order settles (confirmed or failed).
    const answers = new Map<string, OrderAnswer>();
    const deadline = Date.now() + 120_000;
    while (answers.size < accepted.length) {
      for (const a of accepted) {
        if (answers.has(a.ref)) continue;
        const o = (await (
          await fetch(`${a.gw.url}/v1/orders/${a.ref}`, { headers: { authorization: `Bearer ${a.gw.apiKey}` } })
        ).json()) as OrderAnswer;
        if (o.status !== "pending") answers.set(a.ref, o);
      }
      if (answers.size < accepted.length) {
        if (Date.now() > deadline)
          throw new Error(`${accepted.length - answers.size} accepted orders still pending after 120 s`);
        await new Promise((r) => setTimeout(r, 500));
      }
    }
    const settled = [...answers.values()];
    const confirmed = settled.filter((o) => o.status === "confirmed");
    const lastSettled = Math.max(...confirmed.map((o) => o.settledAt!));
    const confirmMs = confirmed.map((o) => o.settledAt! - o.acceptedAt);
    const check = await checkOnChain(
      client,
      p.ledger,
      fromBlock,
      [p.retailer.address, p.distributor.address],
      confirmed,
    );
    return {
      accepted: accepted.length,
      confirmed: confirmed.length,
      failed: settled.length - confirmed.length,
      ordersPerSecond: confirmed.length / ((lastSettled - t0) / 1000),
      p50ConfirmMs: pct(confirmMs, 50),
      p99ConfirmMs: pct(confirmMs, 99),
      retried,
      repeatSameAnswer,
      check,
    };
  } finally {
    await Promise.allSettled([retail.stop(), distrib.stop()]);
    await rpc(p.rpcUrl, "evm_setAutomine", [true]).catch(() => undefined);
  }
}
