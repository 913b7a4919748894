/**
 * The order gateway under load: N concurrent clients post single-key sale orders over HTTP for a
 * fixed time to `keytrail gateway` (its own process, PGlite outbox in a temporary folder) signing
 * for a supplier on anvil mining a block every 2 s.
 *
 * Two phases on the same gateway: a closed loop (each client posts its next order as soon as the
 * last is answered: the saturation rate, where the answer time is clients / throughput), then a paced
 * phase offering `--rate` orders/s (default 1,000, the sustained target) spread over the same
 * clients, with latencies timed from each order's scheduled time.
 *
 * Figures: orders/s accepted and confirmed, p50/p99 order -> answer (client side), p50/p99 order ->
 * confirmed (gateway's acceptance to the gateway seeing the receipt), success rate, transactions and
 * gas per order, and the CPU each process used per order during the load phase (gateway, node,
 * clients: on a shared machine the CPU per order says what the throughput is bound by, where the
 * wall-clock rate depends on what else runs), with the load average at the start and end.
 * Anchor, same run, same chain: the naive path, one `sell` transaction per order sent through
 * viem's nonceManager by the same number of concurrent clients (answer = transaction hash back,
 * confirmed = receipt).
 *
 *   npx tsx bench/gateway/orders.ts [--quick] [--clients N] [--seconds N] [--rate N] [--trace FILE] [--profile DIR]
 *
 * `--trace FILE` writes the paced phase's (scheduled time, answer time) pairs as JSON. `--profile DIR` writes the gateway process's CPU profile (node --cpu-prof) into DIR; `--verbose`
 * prints the gateway's log (one line per transaction: simulation and store-and-send times).
 */
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { Agent, request } from "node:http";
import { loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { createWalletClient, http, nonceManager, type Hex } from "viem";
import { mnemonicToAccount } from "viem/accounts";
import { foundry } from "viem/chains";
import type { OrderAnswer } from "../../gateway/types.js";
import { keyLedgerV2Abi } from "../../lib/abi/keyLedgerV2Abi.js";
import { computeOrderRefHash } from "../../lib/sale/computeOrderRefHash.js";
import { computeReceiptCommitment } from "../../lib/sale/computeReceiptCommitment.js";
import { createReceiptSecret } from "../../lib/sale/createReceiptSecret.js";
import { deployOnAnvil } from "../../test/gateway/helpers/deployOnAnvil.js";
import { startAnvil } from "../../test/gateway/helpers/startAnvil.js";
import { runGatewayCli, startGatewayCli } from "../../test/gateway/helpers/startGatewayCli.js";
import type { BenchOptions, BenchResult } from "../types.js";

const pct = (xs: number[], p: number) => {
  if (xs.length === 0) return NaN;
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))]!;
};

/** POSTs a JSON body on a kept-alive connection; resolves with the status once the answer is read. */
function post(agent: Agent, url: string, authorization: string, body: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = request(
      url,
      {
        method: "POST",
        agent,
        headers: { "content-type": "application/json", "content-length": Buffer.byteLength(body), authorization },
      },
      (res) => {
        res.on("data", () => undefined);
        res.on("end", () => resolve(res.statusCode ?? 0));
        res.on("error", reject);
      },
    );
    req.on("error", reject);
    req.end(body);
  });
}

/**
 * CPU time (user + system, ms) a process and its live descendants have used so far, from /proc
 * (null where there is none). The node is a launcher with the anvil binary as its child.
 */
function cpuMsOf(pid: number | undefined): number | null {
  if (!pid) return null;
  try {
    // fields after the command name (which may hold spaces): utime and stime are the 12th and 13th
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    const f = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    let ms = ((Number(f[11]) + Number(f[12])) * 1000) / 100; // USER_HZ is 100 on Linux
    for (const tid of readdirSync(`/proc/${pid}/task`)) {
      const children = readFileSync(`/proc/${pid}/task/${tid}/children`, "utf8").trim();
      for (const child of children ? children.split(" ") : []) ms += cpuMsOf(Number(child)) ?? 0;
    }
    return ms;
  } catch {
    return null;
  }
}

/** CPU ms of the gateway, the node and this process (the clients) over a phase. */
function cpuMeter(pids: { gateway?: number | undefined; node?: number | undefined }) {
  const at = () => ({
    gateway: cpuMsOf(pids.gateway),
    node: cpuMsOf(pids.node),
    clients: (() => {
      const u = process.cpuUsage();
      return (u.user + u.system) / 1000;
    })(),
  });
  const start = at();
  return () => {
    const end = at();
    const d = (a: number | null, b: number | null) => (a === null || b === null ? NaN : b - a);
    return {
      gateway: d(start.gateway, end.gateway),
      node: d(start.node, end.node),
      clients: end.clients - start.clients,
    };
  };
}

/** Runs the gateway benchmark and its naive anchor. */
export async function run(
  opts: BenchOptions & {
    clients?: number;
    seconds?: number;
    rate?: number;
    /** Writes the paced phase's [scheduled ms, answer ms] pairs as JSON (where the tail sits in time). */
    traceFile?: string;
    profileDir?: string;
    verbose?: boolean;
  } = {},
): Promise<BenchResult[]> {
  const clients = opts.clients ?? (opts.quick ? 20 : 100);
  const seconds = opts.seconds ?? (opts.quick ? 10 : 60);
  /** Orders/s the paced phase offers (the sustained target). */
  const rate = opts.rate ?? (opts.quick ? 200 : 1_000);
  const anvil = await startAnvil({ blockTime: 2 });
  const dir = mkdtempSync(join(tmpdir(), "keytrail-bench-gateway-"));
  try {
    const env = await deployOnAnvil(anvil.url, [
      { label: "bench-gateway", count: 1_000_000n },
      { label: "bench-naive", count: 1_000_000n },
    ]);
    const [gwBatch, naiveBatch] = env.batchIds as [Hex, Hex];

    // ------------------------------------------------------------ gateway (its own process, as deployed)
    const apiKey = await runGatewayCli(["--add-client", "bench", "--data", join(dir, "db")], { cwd: dir });
    const gw = await startGatewayCli(
      [
        ...["--rpc", anvil.url, "--ledger", env.ledger, "--account", "1", "--port", "0", "--data", join(dir, "db")],
        ...["--window-ms", "200", "--poll-ms", "250", "--max-orders-per-tx", "1000", "--max-keys-per-tx", "4000"],
        ...["--stuck-blocks", "4", "--rate-limit", "0"],
      ],
      { cwd: dir, env: opts.profileDir ? { NODE_OPTIONS: `--cpu-prof --cpu-prof-dir=${opts.profileDir}` } : {} },
    );
    const url = gw.url;
    const auth = { authorization: `Bearer ${apiKey}` };
    const answerMs: number[] = [];
    const refs: string[] = [];
    let refused = 0;
    let n = 0;
    /** Posts one sale order; resolves with its reference when it was accepted (202), else null. */
    const order = async (ref: string): Promise<boolean> => {
      try {
        const status = await post(
          agent,
          `${url}/v1/orders`,
          auth.authorization,
          JSON.stringify({ orderReference: ref, kind: "sale", batchId: gwBatch, quantity: 1 }),
        );
        return status === 202;
      } catch {
        return false; // a cut connection: counted as refused
      }
    };
    // node:http with kept-alive connections, one per client: about half the CPU per request of fetch,
    // so the clients take less of the cores the gateway and the node need
    const agent = new Agent({ keepAlive: true, maxSockets: clients });
    const load0 = loadavg()[0]!;
    const meter = cpuMeter({ gateway: gw.child.pid, node: anvil.process.pid });
    const t0 = performance.now();
    const end = t0 + seconds * 1000;
    await Promise.all(
      Array.from({ length: clients }, async () => {
        while (performance.now() < end) {
          const ref = `B-${n++}`;
          const t = performance.now();
          const ok = await order(ref);
          answerMs.push(performance.now() - t);
          if (ok) refs.push(ref);
          else refused++;
        }
      }),
    );
    const acceptSeconds = (performance.now() - t0) / 1000;
    const cpu = meter();
    const load1 = loadavg()[0]!;
    /** Waits until every accepted order is in a mined transaction (at most 2 minutes). */
    const drain = async () => {
      const deadline = performance.now() + 120_000;
      for (;;) {
        const h = (await (await fetch(`${url}/v1/health`)).json()) as { queued: number; inFlight: number };
        if (h.queued + h.inFlight === 0 || performance.now() > deadline) return;
        await new Promise((r) => setTimeout(r, 250));
      }
    };
    // The closed loop may accept faster than the chain confirms (a 30M-gas block every 2 s holds about
    // 7,000 single-key sales): the paced phase starts on an empty outbox, so its confirmation times
    // are its own, not the closed loop's backlog.
    await drain();

    // Paced phase: the same clients offer `rate` orders/s in all (each client one order every
    // clients/rate seconds, phases spread evenly), so the answer and confirmation times are those of
    // a gateway running at that rate rather than at saturation, where a closed loop's latency is just
    // clients / throughput (Little's law). Each latency is timed from the order's scheduled time, not
    // from when it was sent, so a stall that delays later sends counts against the gateway
    // (no coordinated omission).
    const pacedAnswerMs: number[] = [];
    const pacedTrace: [number, number][] = [];
    const pacedRefs: string[] = [];
    let pacedRefused = 0;
    const period = (clients / rate) * 1000;
    const p0 = performance.now() + 200;
    const pEnd = p0 + seconds * 1000;
    const pacedLoad0 = loadavg()[0]!;
    await Promise.all(
      Array.from({ length: clients }, async (_, c) => {
        for (let due = p0 + (c * period) / clients; due < pEnd; due += period) {
          const wait = due - performance.now();
          if (wait > 0) await new Promise((r) => setTimeout(r, wait));
          const ref = `P-${n++}`;
          const ok = await order(ref);
          pacedAnswerMs.push(performance.now() - due);
          if (opts.traceFile) pacedTrace.push([due - p0, performance.now() - due]);
          if (ok) pacedRefs.push(ref);
          else pacedRefused++;
        }
      }),
    );
    const pacedSeconds = (performance.now() - p0) / 1000;
    if (opts.traceFile) writeFileSync(opts.traceFile, JSON.stringify(pacedTrace));
    const pacedLoad1 = loadavg()[0]!;
    agent.destroy();
    await drain();
    const txs = new Set<Hex>();
    let lastSettled = 0;
    /** Each accepted order's fate: confirmed count and accepted -> receipt times. */
    const settle = async (phaseRefs: string[]) => {
      const ms: number[] = [];
      for (const ref of phaseRefs) {
        const o = (await (await fetch(`${url}/v1/orders/${ref}`, { headers: auth })).json()) as OrderAnswer;
        if (o.status === "confirmed") {
          ms.push(o.settledAt! - o.acceptedAt);
          txs.add(o.txHash!);
          lastSettled = Math.max(lastSettled, o.settledAt!);
        }
      }
      return ms;
    };
    const confirmedMs = await settle(refs);
    const confirmed = confirmedMs.length;
    const pacedConfirmedMs = await settle(pacedRefs);
    const allConfirmed = confirmed + pacedConfirmedMs.length;
    let gas = 0n;
    for (const hash of txs) gas += (await env.publicClient.getTransactionReceipt({ hash })).gasUsed;
    if (opts.verbose) process.stderr.write(gw.output());
    gw.child.kill("SIGTERM");
    await new Promise((r) => gw.child.once("exit", r));
    const attempted = refs.length + refused;
    const ours = {
      ordersPerSecond: confirmed / acceptSeconds,
      p50Answer: pct(answerMs, 50),
      p99Answer: pct(answerMs, 99),
      p50Confirmed: pct(confirmedMs, 50),
      p99Confirmed: pct(confirmedMs, 99),
      success: attempted ? confirmed / attempted : 0,
      gasPerOrder: allConfirmed ? Number(gas) / allConfirmed : NaN,
      txs: txs.size,
      accepted: refs.length / acceptSeconds,
    };

    // ------------------------------------------------------------ naive anchor
    const account = mnemonicToAccount("test test test test test test test test test test test junk", {
      addressIndex: 1,
      nonceManager,
    });
    const wallet = createWalletClient({ chain: foundry, transport: http(anvil.url), account });
    const naiveAnswer: number[] = [];
    const naiveConfirmed: number[] = [];
    let naiveOk = 0;
    let naiveTried = 0;
    let naiveGas = 0n;
    let next = 0;
    const zero = `0x${"0".repeat(64)}` as Hex;
    const n0 = performance.now();
    const nEnd = n0 + seconds * 1000;
    const naiveMeter = cpuMeter({ node: anvil.process.pid });
    await Promise.all(
      Array.from({ length: clients }, async () => {
        while (performance.now() < nEnd) {
          const index = next++;
          const secret = createReceiptSecret();
          const t = performance.now();
          naiveTried++;
          try {
            const hash = await wallet.writeContract({
              address: env.ledger,
              abi: keyLedgerV2Abi,
              functionName: "sell",
              args: [
                [
                  {
                    batchId: naiveBatch,
                    indices: [BigInt(index)],
                    commitments: [computeReceiptCommitment({ batchId: naiveBatch, index, secret })],
                    orderRefs: [computeOrderRefHash({ orderReference: `N-${index}`, secret })],
                  },
                ],
                { store: zero, terminal: zero, amount: 0n, currency: "0x000000" },
              ],
            });
            naiveAnswer.push(performance.now() - t);
            const r = await env.publicClient.waitForTransactionReceipt({ hash, pollingInterval: 250 });
            naiveConfirmed.push(performance.now() - t);
            if (r.status === "success") {
              naiveOk++;
              naiveGas += r.gasUsed;
            }
          } catch {
            /* counted as a failure */
          }
        }
      }),
    );
    const naiveSeconds = (performance.now() - n0) / 1000;
    const naiveCpu = naiveMeter();
    const naiveTxs = naiveOk;
    const naive = {
      ordersPerSecond: naiveOk / naiveSeconds,
      p50Answer: pct(naiveAnswer, 50),
      p99Answer: pct(naiveAnswer, 99),
      p50Confirmed: pct(naiveConfirmed, 50),
      p99Confirmed: pct(naiveConfirmed, 99),
      success: naiveTried ? naiveOk / naiveTried : 0,
      gasPerOrder: naiveOk ? Number(naiveGas) / naiveOk : NaN,
    };
    const anchorName = `one sell tx per order, viem nonceManager (${clients} clients)`;
    const setting =
      `${clients} clients for ${seconds} s, anvil 2 s blocks, keytrail gateway process, PGlite outbox; ` +
      `load average ${load0.toFixed(1)} -> ${load1.toFixed(1)} (2 cores)`;
    const perOrder = (ms: number, n: number) => (n > 0 ? ms / n : NaN);
    const gwCpuPerOrder = perOrder(cpu.gateway, refs.length);
    const row = (name: string, unit: string, value: number, anchor: number, ratio: number, notes: string) => ({
      name,
      unit,
      value,
      anchor: { name: anchorName, value: anchor },
      ratio,
      notes,
    });
    return [
      row(
        "gateway sale orders confirmed per second",
        "orders/s",
        ours.ordersPerSecond,
        naive.ordersPerSecond,
        ours.ordersPerSecond / naive.ordersPerSecond,
        `${setting}; closed loop (each client posts its next order on the answer): ${confirmed} of ${attempted} orders ` +
          `confirmed; both phases together ${allConfirmed} orders in ${ours.txs} transactions; higher is better`,
      ),
      row(
        "gateway sale orders accepted per second",
        "orders/s",
        ours.accepted,
        naiveTried / naiveSeconds,
        ours.accepted / (naiveTried / naiveSeconds),
        "answered 202 (anchor: sends tried); higher is better",
      ),
      row(
        "gateway p50 order -> answer",
        "ms",
        ours.p50Answer,
        naive.p50Answer,
        ours.p50Answer / naive.p50Answer,
        "anchor: until the tx hash; lower is better",
      ),
      row(
        "gateway p99 order -> answer",
        "ms",
        ours.p99Answer,
        naive.p99Answer,
        ours.p99Answer / naive.p99Answer,
        "lower is better",
      ),
      row(
        "gateway p50 order -> confirmed",
        "ms",
        ours.p50Confirmed,
        naive.p50Confirmed,
        ours.p50Confirmed / naive.p50Confirmed,
        "ours: accepted -> receipt seen by the gateway; anchor: send -> receipt; lower is better",
      ),
      row(
        "gateway p99 order -> confirmed",
        "ms",
        ours.p99Confirmed,
        naive.p99Confirmed,
        ours.p99Confirmed / naive.p99Confirmed,
        "lower is better",
      ),
      row(
        `gateway sale orders confirmed per second, ${rate} orders/s offered (paced)`,
        "orders/s",
        pacedConfirmedMs.length / pacedSeconds,
        naive.ordersPerSecond,
        pacedConfirmedMs.length / pacedSeconds / naive.ordersPerSecond,
        `same gateway right after the closed loop; ${clients} clients, each one order every ` +
          `${period.toFixed(0)} ms; ${pacedConfirmedMs.length} of ${pacedRefs.length + pacedRefused} confirmed; ` +
          `load average ${pacedLoad0.toFixed(1)} -> ${pacedLoad1.toFixed(1)}; anchor: its closed-loop rate (it cannot ` +
          `be paced at ${rate}/s); higher is better`,
      ),
      row(
        `gateway p50 order -> answer, ${rate} orders/s offered (paced)`,
        "ms",
        pct(pacedAnswerMs, 50),
        naive.p50Answer,
        pct(pacedAnswerMs, 50) / naive.p50Answer,
        "timed from each order's scheduled time; anchor: closed loop, until the tx hash; lower is better",
      ),
      row(
        `gateway p99 order -> answer, ${rate} orders/s offered (paced)`,
        "ms",
        pct(pacedAnswerMs, 99),
        naive.p99Answer,
        pct(pacedAnswerMs, 99) / naive.p99Answer,
        "timed from each order's scheduled time; target <= 100 ms; lower is better",
      ),
      row(
        `gateway p99 order -> confirmed, ${rate} orders/s offered (paced)`,
        "ms",
        pct(pacedConfirmedMs, 99),
        naive.p99Confirmed,
        pct(pacedConfirmedMs, 99) / naive.p99Confirmed,
        `p50 ${pct(pacedConfirmedMs, 50).toFixed(0)} ms; target <= 3,000 ms at 2 s blocks; lower is better`,
      ),
      row(
        `gateway success rate, ${rate} orders/s offered (paced)`,
        "%",
        (pacedConfirmedMs.length / Math.max(1, pacedRefs.length + pacedRefused)) * 100,
        naive.success * 100,
        pacedConfirmedMs.length / Math.max(1, pacedRefs.length + pacedRefused) / naive.success,
        "confirmed / offered",
      ),
      row(
        "gateway success rate",
        "%",
        ours.success * 100,
        naive.success * 100,
        ours.success / naive.success,
        "confirmed / attempted",
      ),
      row(
        "gateway gas per sale order",
        "gas",
        ours.gasPerOrder,
        naive.gasPerOrder,
        ours.gasPerOrder / naive.gasPerOrder,
        `single-key sales; lower is better; ${lastSettled ? "all settled" : "none settled"}`,
      ),
      row(
        "gateway transactions per order",
        "tx/order",
        allConfirmed ? ours.txs / allConfirmed : NaN,
        naiveOk ? naiveTxs / naiveOk : NaN,
        allConfirmed && naiveOk ? ours.txs / allConfirmed / (naiveTxs / naiveOk) : NaN,
        "lower is better",
      ),
      row(
        "gateway CPU per accepted order (gateway process)",
        "ms",
        gwCpuPerOrder,
        perOrder(naiveCpu.clients, naiveTried),
        gwCpuPerOrder / perOrder(naiveCpu.clients, naiveTried),
        `user+system CPU of the gateway process over the load phase / orders accepted = ${(1000 / gwCpuPerOrder).toFixed(0)} orders/s per core; ` +
          `same phase: node ${perOrder(cpu.node, refs.length).toFixed(2)} ms, clients ${perOrder(cpu.clients, refs.length).toFixed(2)} ms per order ` +
          `(anchor: its clients' CPU per send; node ${perOrder(naiveCpu.node, naiveTried).toFixed(2)} ms); lower is better`,
      ),
    ];
  } finally {
    await anvil.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const quick = process.argv.includes("--quick");
  const arg = (flag: string) => {
    const i = process.argv.indexOf(flag);
    return i > 0 ? process.argv[i + 1] : undefined;
  };
  const num = (flag: string) => {
    const v = arg(flag);
    if (v === undefined) return undefined;
    if (!/^\d+$/.test(v) || Number(v) < 1)
      throw new Error(`${flag} ${JSON.stringify(v)} is not a positive whole number.`);
    return Number(v);
  };
  const results = await run({
    quick,
    clients: num("--clients"),
    seconds: num("--seconds"),
    rate: num("--rate"),
    traceFile: arg("--trace"),
    profileDir: arg("--profile"),
    verbose: process.argv.includes("--verbose"),
  });
  for (const r of results)
    console.log(
      `${r.name}: ${r.value.toFixed(1)} ${r.unit} (anchor ${r.anchor?.value.toFixed(1)}, ratio ${r.ratio?.toFixed(2)}) ${r.notes ?? ""}`,
    );
  process.exit(0);
}
