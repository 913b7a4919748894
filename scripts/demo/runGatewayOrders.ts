import { spawn, type ChildProcess } from "node:child_process";
import { join } from "node:path";
import { createPublicClient, http, type Address, type Hex, type PublicClient } from "viem";
import type { OrderAnswer } from "../../gateway/types.js";
import { freePort } from "../chain/freePort.js";
import { checkGatewayOrders, type GatewayOrdersCheck } from "./checkGatewayOrders.js";

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

export type { GatewayOrdersCheck };

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

const rpc = async (url: string, method: string, params: unknown[]): Promise<unknown> => {
  const r = await fetch(url, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ jsonrpc: "2.0", id: 1, method, params }),
  });
  const j = (await r.json()) as { result?: unknown; error?: { message: string } };
  if (j.error) throw new Error(`${method}: ${j.error.message}`);
  return j.result;
};

/**
 * Makes a local node mine a block every `seconds` (Hardhat: interval in ms; anvil: in s) unless it
 * already mines on an interval. Returns how to put automine back (or nothing to undo).
 */
async function mineOnInterval(url: string, seconds: number): Promise<() => Promise<void>> {
  const anvil = /anvil/i.test(String(await rpc(url, "web3_clientVersion", [])));
  const automine = await rpc(url, anvil ? "anvil_getAutomine" : "hardhat_getAutomine", []);
  if (automine !== true) return async () => undefined;
  await rpc(url, "evm_setAutomine", [false]);
  await rpc(url, "evm_setIntervalMining", [anvil ? seconds : seconds * 1000]);
  return async () => {
    await rpc(url, "evm_setIntervalMining", [0]);
    await rpc(url, "evm_setAutomine", [true]);
  };
}

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
    ...["--ledger", p.ledger, "--account", String(account), "--port", String(port), "--data", data],
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
 * The order gateway in the demo: the chain mining a block every `blockTime` s (an automining node
 * is switched to interval mining for the run and back; one already mining on an interval is left), one
 * `keytrail gateway` process for the retailer (sales) and one for a distributor (transfers to the
 * retailer), a burst of concurrent orders through both, the retailer's gateway killed with SIGKILL
 * and restarted mid-burst (clients repeat their POST with the same order reference until it is
 * answered), one reference posted again; then waits for every accepted order to settle and checks
 * on chain that each was recorded exactly once.
 *
 * @param p - see {@link GatewayOrdersParameters}.
 * @returns the figures and the chain check.
 */
export async function runGatewayOrders(p: GatewayOrdersParameters): Promise<GatewayOrdersResult> {
  const client = createPublicClient({ transport: http(p.rpcUrl) }) as PublicClient;
  const restoreMining = await mineOnInterval(p.rpcUrl, p.blockTime);
  const fromBlock = (await client.getBlockNumber()) + 1n;
  const tStart = Date.now();
  const [retail, distrib] = await Promise.all([
    startGateway(p, "retailer", p.retailer.account),
    startGateway(p, "distributor", p.distributor.account),
  ]);
  p.say(`  two gateways up in ${((Date.now() - tStart) / 1000).toFixed(1)} s (retailer sells, distributor transfers)`);
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
            const tKill = Date.now();
            killed = retail
              .killAndRestart()
              .then(() =>
                p.say(`  the retailer's gateway answers again after ${((Date.now() - tKill) / 1000).toFixed(1)} s`),
              );
          }
          await post(job);
        }
      }),
    );
    await killed;
    p.say(
      `  ${accepted.length} orders accepted in ${((Date.now() - t0) / 1000).toFixed(1)} s ` +
        `(${retried} POSTs repeated while the retailer's gateway was down)`,
    );
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
    p.say(`  all settled ${((Date.now() - t0) / 1000).toFixed(1)} s after the first order`);
    const settled = [...answers.values()];
    const confirmed = settled.filter((o) => o.status === "confirmed");
    const lastSettled = Math.max(...confirmed.map((o) => o.settledAt!));
    const confirmMs = confirmed.map((o) => o.settledAt! - o.acceptedAt);
    const check = await checkGatewayOrders(
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
    await restoreMining();
  }
}
