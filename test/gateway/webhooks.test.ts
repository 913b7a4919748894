import { execFileSync } from "node:child_process";
import { createHmac, timingSafeEqual } from "node:crypto";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Hex } from "viem";
import type { Store } from "../../indexer/store/types.js";
import { createGateway, type Gateway } from "../../gateway/createGateway.js";
import { openGatewayStore } from "../../gateway/store/openGatewayStore.js";
import { createWebhookSecret } from "../../gateway/signWebhook.js";
import { deployOnAnvil, testAccount } from "./helpers/deployOnAnvil.js";
import { startAnvil, type Anvil } from "./helpers/startAnvil.js";

type Delivery = { at: number; headers: Record<string, string>; body: string; answered: number };

let anvil: Anvil;
let env: Awaited<ReturnType<typeof deployOnAnvil>>;
let batch: Hex;
let receiver: Server;
let hookUrl: string;
const deliveries: Delivery[] = [];
/** What the receiver answers next (a status per request; 200 when the list is empty). */
const script: number[] = [];
const secret = createWebhookSecret();
const API_KEY = `kt_webhook_test_${"w".repeat(30)}`;

/** The receiver's check, as docs/GATEWAY.md shows it (node:crypto only). */
function verify(headers: Record<string, string>, body: string, key: string): boolean {
  const ts = headers["x-keytrail-timestamp"]!;
  const want = `v1=${createHmac("sha256", key).update(`${ts}.${body}`).digest("hex")}`;
  const got = headers["x-keytrail-signature"] ?? "";
  const fresh = Math.abs(Date.now() / 1000 - Number(ts)) <= 300;
  return fresh && got.length === want.length && timingSafeEqual(Buffer.from(got), Buffer.from(want));
}

async function until<T>(what: string, fn: () => Promise<T | undefined> | T | undefined, timeoutMs = 60_000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn();
    if (v !== undefined) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

beforeAll(async () => {
  anvil = await startAnvil({ blockTime: 1 });
  env = await deployOnAnvil(anvil.url, [{ label: "hooks", count: 1_000n }]);
  batch = env.batchIds[0]!;
  receiver = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const answered = script.shift() ?? 200;
      deliveries.push({
        at: Date.now(),
        headers: req.headers as Record<string, string>,
        body: Buffer.concat(chunks).toString("utf8"),
        answered,
      });
      res.writeHead(answered).end();
    });
  });
  await new Promise<void>((r) => receiver.listen(0, "127.0.0.1", r));
  hookUrl = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hooks/keytrail`;
});

afterAll(async () => {
  await new Promise((r) => receiver?.close(r));
  await anvil?.stop();
});

describe("gateway signed webhooks", () => {
  it("POSTs confirmed and failed orders signed over timestamp + body, retries with backoff, survives a restart", async () => {
    const store: Store = await openGatewayStore({ dataDir: null });
    const logs: string[] = [];
    const start = () =>
      createGateway({
        store,
        publicClient: env.publicClient,
        account: env.supplier,
        ledger: env.ledger,
        windowMs: 50,
        pollMs: 100,
        secretsKey: "22".repeat(32),
        webhookRetryMs: 200,
        log: (l) => logs.push(l),
      });
    let gateway: Gateway = await start();
    try {
      await gateway.addClient("hooked", API_KEY, ["orders:write", "orders:read"], { url: hookUrl, secret });
      await expect(
        gateway.addClient("bad", "kt_x", ["orders:read"], { url: "ftp://example.invalid/", secret }),
      ).rejects.toThrow(/not http\(s\)/);
      script.push(500, 503); // the receiver fails twice first
      const bad = await gateway.placeOrder("hooked", {
        orderReference: "W-2",
        kind: "transfer",
        batchId: batch,
        quantity: 1,
        to: testAccount(9).address, // not a registered party: the ledger refuses it
      });
      await until("W-2's event delivered", () => (deliveries.some((d) => d.answered === 200) ? true : undefined));
      const sale = await gateway.placeOrder("hooked", {
        orderReference: "W-1",
        kind: "sale",
        batchId: batch,
        quantity: 2,
      });
      expect(sale.created && bad.created).toBe(true);
      const delivered = await until("both events delivered", () => {
        const ok = deliveries.filter((d) => d.answered === 200);
        return ok.length >= 2 ? ok : undefined;
      });
      const events = delivered.map(
        (d) => JSON.parse(d.body) as { id: string; type: string; order: Record<string, unknown> },
      );
      const byRef = Object.fromEntries(events.map((e) => [e.order.orderReference as string, e]));
      expect(byRef["W-1"]!.type).toBe("order.confirmed");
      expect(byRef["W-1"]!.order.status).toBe("confirmed");
      expect(byRef["W-1"]!.order.indices).toEqual(sale.answer.indices);
      expect(byRef["W-1"]!.order.txHash).toMatch(/^0x[0-9a-f]{64}$/);
      expect(byRef["W-2"]!.type).toBe("order.failed");
      expect(byRef["W-2"]!.order.reason).toMatch(/^KeyLedgerPartyNotRegistered\(/);
      // receipt secrets never travel in a webhook
      for (const k of sale.answer.keys)
        for (const d of deliveries) expect(d.body).not.toContain(k.receiptSecret.slice(2));
      for (const d of deliveries) {
        expect(d.headers["content-type"]).toBe("application/json");
        expect(d.headers["x-keytrail-event"]).toBe((JSON.parse(d.body) as { type: string }).type);
        expect(verify(d.headers, d.body, secret)).toBe(true);
        expect(verify(d.headers, d.body.replace("order.", "order.x"), secret)).toBe(false); // a changed body fails
        expect(verify(d.headers, d.body, createWebhookSecret())).toBe(false); // another secret fails
      }
      // the documented openssl check gives the same signature
      const d0 = delivered[0]!;
      const openssl = execFileSync("openssl", ["dgst", "-sha256", "-hmac", secret], {
        input: `${d0.headers["x-keytrail-timestamp"]}.${d0.body}`,
      }).toString();
      expect(openssl.trim().split(" ").pop()).toBe(d0.headers["x-keytrail-signature"]!.slice(3));
      // the two failures were retried with growing delays, each event delivered (2xx) once
      const ids = deliveries.map((d) => d.headers["x-keytrail-delivery"]!);
      const first = ids[0]!;
      const tries = deliveries.filter((d) => d.headers["x-keytrail-delivery"] === first);
      expect(tries.map((t) => t.answered)).toEqual([500, 503, 200]);
      expect(tries[2]!.at - tries[1]!.at).toBeGreaterThan(tries[1]!.at - tries[0]!.at);
      expect(new Set(delivered.map((d) => d.headers["x-keytrail-delivery"])).size).toBe(delivered.length);
      expect(logs.some((l) => /webhook evt_\d+ .*HTTP 500; retry in 200 ms/.test(l))).toBe(true);
      expect(logs.join("\n")).not.toContain(secret);
      // the secret is sealed at rest (the secrets key is set)
      const [row] = await store.query<{ webhook_secret: string }>(
        "SELECT webhook_secret FROM gw_clients WHERE id = 'hooked'",
      );
      expect(row!.webhook_secret).not.toContain(secret.slice(6));

      // durability: the receiver is down, the gateway stops with the event pending, a new one delivers it
      script.push(...Array.from({ length: 50 }, () => 503));
      await gateway.placeOrder("hooked", { orderReference: "W-3", kind: "sale", batchId: batch, quantity: 1 });
      await until("a failed attempt of W-3's event", async () => {
        const [w] = await store.query<{ attempts: number }>(
          "SELECT attempts FROM gw_webhooks WHERE ref = 'W-3' AND status = 'pending'",
        );
        return w && w.attempts >= 1 ? true : undefined;
      });
      await gateway.stop();
      script.length = 0; // the receiver is back
      const before = deliveries.length;
      gateway = await start();
      const last = await until("W-3's event after the restart", () =>
        deliveries
          .slice(before)
          .find(
            (d) =>
              d.answered === 200 &&
              (JSON.parse(d.body) as { order: { orderReference: string } }).order.orderReference === "W-3",
          ),
      );
      expect(verify(last.headers, last.body, secret)).toBe(true);
      const rows = await store.query<{ ref: string; status: string; attempts: number }>(
        "SELECT ref, status, attempts FROM gw_webhooks ORDER BY id",
      );
      expect(rows).toHaveLength(3); // one event per order
      expect(Object.fromEntries(rows.map((r) => [r.ref, r.status]))).toEqual({
        "W-1": "delivered",
        "W-2": "delivered",
        "W-3": "delivered",
      });
      expect(rows.find((r) => r.ref === "W-3")!.attempts).toBeGreaterThanOrEqual(2);
    } finally {
      await gateway.stop();
      await store.close();
    }
  });
});
