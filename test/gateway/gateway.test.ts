import { request as httpRequest } from "node:http";
import type { AddressInfo } from "node:net";
import { serve } from "@hono/node-server";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Hex } from "viem";
import { keyLedgerV2Abi } from "../../lib/abi/keyLedgerV2Abi.js";
import { computeOrderRefHash } from "../../lib/sale/computeOrderRefHash.js";
import { computeReceiptCommitment } from "../../lib/sale/computeReceiptCommitment.js";
import { saleProof } from "../../lib/sale/saleTree.js";
import type { Store } from "../../indexer/store/types.js";
import { createGatewayApp } from "../../gateway/api/createGatewayApp.js";
import { createGateway, type Gateway } from "../../gateway/createGateway.js";
import { openGatewayStore } from "../../gateway/store/openGatewayStore.js";
import { checkChain, type AcceptedOrder } from "./helpers/checkChain.js";
import { deployOnAnvil, testAccount } from "./helpers/deployOnAnvil.js";
import { startAnvil, type Anvil } from "./helpers/startAnvil.js";

let anvil: Anvil;
let env: Awaited<ReturnType<typeof deployOnAnvil>>;
let store: Store;
let gateway: Gateway;
let app: ReturnType<typeof createGatewayApp>;
let open: Hex;
let restricted: Hex;
const logs: string[] = [];
const CLIENTS = 50;
const keyOf = (c: number) => `kt_test_key_of_client_${c}_${"x".repeat(20)}`;

async function post(body: unknown, apiKey = keyOf(0)) {
  const res = await app.request("/v1/orders", {
    method: "POST",
    headers: { "content-type": "application/json", authorization: `Bearer ${apiKey}` },
    body: typeof body === "string" ? body : JSON.stringify(body),
  });
  return {
    status: res.status,
    body: (await res.json()) as Record<string, unknown> & { error?: { code: string; message: string } },
  };
}

async function get(ref: string, apiKey = keyOf(0)) {
  const res = await app.request(`/v1/orders/${encodeURIComponent(ref)}`, {
    headers: { authorization: `Bearer ${apiKey}` },
  });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

async function settled(refs: { ref: string; client: number }[], timeoutMs = 60_000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const answers = await Promise.all(refs.map((r) => get(r.ref, keyOf(r.client))));
    if (answers.every((a) => a.body.status !== "pending")) return answers.map((a) => a.body);
    if (Date.now() > deadline)
      throw new Error(`orders still pending after ${timeoutMs} ms: ${JSON.stringify(gateway.stats())}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

beforeAll(async () => {
  anvil = await startAnvil({ blockTime: 1 });
  env = await deployOnAnvil(anvil.url, [
    { label: "open", count: 10_000n },
    { label: "restricted", count: 60n, restricted: true },
  ]);
  [open, restricted] = env.batchIds as [Hex, Hex];
  store = await openGatewayStore({ dataDir: null });
  gateway = await createGateway({
    store,
    publicClient: env.publicClient,
    account: env.supplier,
    ledger: env.ledger,
    windowMs: 100,
    pollMs: 200,
    log: (l) => logs.push(l),
  });
  for (let c = 0; c < CLIENTS; c++) await gateway.addClient(`shop${c}`, keyOf(c), ["orders:write", "orders:read"]);
  await gateway.addClient("reader", "kt_reader_only_key_for_the_tests_000000000", ["orders:read"]);
  app = createGatewayApp(gateway);
});

afterAll(async () => {
  await gateway?.stop();
  await store?.close();
  await anvil?.stop();
});

describe("keytrail gateway (engine + HTTP API on anvil, 1 s blocks)", () => {
  it("records 200 concurrent orders from 50 clients on chain exactly once", async () => {
    const t0 = Date.now();
    const requests = Array.from({ length: 200 }, (_, n) => {
      const client = n % CLIENTS;
      const body =
        n % 4 === 3
          ? {
              orderReference: `W-${n}`,
              kind: "transfer",
              batchId: open,
              quantity: 1 + (n % 2),
              to: env.distributor.address,
            }
          : { orderReference: `R-${n}`, kind: "sale", batchId: open, quantity: 1 + (n % 3), buyer: `buyer-${n}` };
      return { client, body };
    });
    const answers = await Promise.all(requests.map((r) => post(r.body, keyOf(r.client))));
    const answerMs = Date.now() - t0;
    expect(answers.map((a) => a.status)).toEqual(requests.map(() => 202));
    const all = answers.flatMap((a) => a.body.indices as number[]);
    expect(new Set(all).size).toBe(all.length); // no key twice
    for (const [i, a] of answers.entries()) {
      expect(a.body.status).toBe("pending");
      expect((a.body.indices as number[]).length).toBe(requests[i]!.body.quantity);
      if (requests[i]!.body.kind === "sale") expect((a.body.keys as unknown[]).length).toBe(requests[i]!.body.quantity);
      else expect(a.body.keys).toEqual([]);
    }
    const final = await settled(requests.map((r) => ({ ref: r.body.orderReference, client: r.client })));
    expect(final.map((f) => f.status)).toEqual(requests.map(() => "confirmed"));
    const check = await checkChain(
      env.publicClient,
      env.ledger,
      env.supplier.address,
      answers.map((a) => a.body as unknown as AcceptedOrder),
    );
    expect(check.duplicates).toEqual([]);
    expect(check.missing).toEqual([]);
    expect(check.strays).toEqual([]);
    expect(check.recorded).toBe(all.length);
    expect(check.transactions).toBeLessThan(40); // gathered per window, not one per order
    logs.push(`200 orders answered in ${answerMs} ms, ${check.transactions} transactions`);

    // a buyer's receipt verifies on chain: commitment + order-reference hash + proof from KeysSold
    const sale = answers.find((a) => (a.body.keys as unknown[]).length > 0)!.body as unknown as AcceptedOrder & {
      blockNumber: number;
    };
    const key = sale.keys[0]!;
    const [log] = await env.publicClient
      .getContractEvents({
        address: env.ledger,
        abi: keyLedgerV2Abi,
        eventName: "KeysSold",
        args: { batchId: open },
        fromBlock: 0n,
        strict: true,
      })
      .then((ls) => ls.filter((l) => l.args.indices.includes(BigInt(key.index))));
    const items = log!.args.indices.map((index, k) => ({
      batchId: open,
      index,
      commitment: log!.args.commitments[k]!,
      orderRef: log!.args.orderRefs[k]!,
    }));
    const commitment = computeReceiptCommitment({ batchId: open, index: key.index, secret: key.receiptSecret });
    const orderRef = computeOrderRefHash({ orderReference: sale.orderReference, secret: key.receiptSecret });
    const proof = saleProof(
      items,
      items.findIndex((it) => it.index === BigInt(key.index)),
    );
    expect(
      await env.publicClient.readContract({
        address: env.ledger,
        abi: keyLedgerV2Abi,
        functionName: "verifyReceipt",
        args: [open, BigInt(key.index), commitment, orderRef, proof],
      }),
    ).toBe(true);
  });

  it("answers a repeated order reference with the first answer (same keys, same secrets)", async () => {
    const body = { orderReference: "REPEAT-1", kind: "sale", batchId: open, quantity: 2 };
    const first = await post(body, keyOf(7));
    expect(first.status).toBe(202);
    const again = await Promise.all([post(body, keyOf(7)), post(body, keyOf(7))]);
    for (const a of again) {
      expect(a.status).toBe(200);
      expect(a.body.indices).toEqual(first.body.indices);
      expect(a.body.keys).toEqual(first.body.keys);
    }
    // the same reference from another client is another order
    const other = await post(body, keyOf(8));
    expect(other.status).toBe(202);
    expect(other.body.indices).not.toEqual(first.body.indices);
    const [done] = await settled([{ ref: "REPEAT-1", client: 7 }]);
    expect(done!.status).toBe("confirmed");
    expect((await post(body, keyOf(7))).body.status).toBe("confirmed");
  });

  it("refuses the same reference with a different body (409, naming both)", async () => {
    const body = { orderReference: "CONFLICT-1", kind: "sale", batchId: open, quantity: 1 };
    expect((await post(body, keyOf(9))).status).toBe(202);
    const r = await post({ ...body, quantity: 3 }, keyOf(9));
    expect(r.status).toBe(409);
    expect(r.body.error!.code).toBe("ORDER_REFERENCE_CONFLICT");
    expect(r.body.error!.message).toMatch(
      /"CONFLICT-1" was first used for sale of 1 key\(s\).*this request asks sale of 3 key\(s\)/,
    );
  });

  it("refuses more keys than held, an unknown batch, a wrong or under-scoped API key", async () => {
    const tooMany = await post({
      orderReference: "BIG-1",
      kind: "transfer",
      batchId: restricted,
      quantity: 61,
      to: env.distributor.address,
    });
    expect(tooMany.status).toBe(409);
    expect(tooMany.body.error!.code).toBe("INSUFFICIENT_KEYS");
    expect(tooMany.body.error!.message).toContain("asks 61 key(s)");
    expect(tooMany.body.error!.message).toContain("has 60 free key(s)");
    expect((await get("BIG-1")).status).toBe(404); // nothing recorded

    // a transfer of a restricted batch to a party its supplier has not authorised: refused at once
    const unauthorised = await post({
      orderReference: "AUTH-1",
      kind: "transfer",
      batchId: restricted,
      quantity: 5,
      to: env.retailer.address,
    });
    expect(unauthorised.status).toBe(422);
    expect(unauthorised.body.error!.code).toBe("RECIPIENT_NOT_AUTHORIZED");
    expect(unauthorised.body.error!.message).toContain(env.retailer.address);
    expect(unauthorised.body.error!.message).toContain(restricted);
    expect((await get("AUTH-1")).status).toBe(404); // nothing recorded, no key taken
    const authorisedSale = await post({ orderReference: "AUTH-2", kind: "sale", batchId: restricted, quantity: 60 });
    expect(authorisedSale.status).toBe(202); // all 60 keys of the batch still free

    const unknown = `0x${"ab".repeat(32)}`;
    const u = await post({ orderReference: "UNKNOWN-1", kind: "sale", batchId: unknown, quantity: 1 });
    expect(u.status).toBe(404);
    expect(u.body.error!.code).toBe("UNKNOWN_BATCH");
    expect(u.body.error!.message).toContain(unknown);

    const wrong = await post({ orderReference: "W-KEY", kind: "sale", batchId: open, quantity: 1 }, "kt_not_a_key");
    expect(wrong.status).toBe(401);
    expect(wrong.body.error!.code).toBe("UNAUTHORIZED");
    const missing = await app.request("/v1/orders", {
      method: "POST",
      body: "{}",
      headers: { "content-type": "application/json" },
    });
    expect(missing.status).toBe(401);
    const reader = await post(
      { orderReference: "R-KEY", kind: "sale", batchId: open, quantity: 1 },
      "kt_reader_only_key_for_the_tests_000000000",
    );
    expect(reader.status).toBe(403);
    expect(reader.body.error!.code).toBe("FORBIDDEN");
    // each client has a request rate (token bucket): above it, 429 with Retry-After
    const limited = createGatewayApp(gateway, { rateLimitPerSecond: 2 });
    const statuses: number[] = [];
    for (let i = 0; i < 6; i++) {
      const r = await limited.request("/v1/orders/REPEAT-1", { headers: { authorization: `Bearer ${keyOf(7)}` } });
      statuses.push(r.status);
      if (r.status === 429) {
        expect(r.headers.get("retry-after")).toBe("1");
        expect(((await r.json()) as { error: { code: string } }).error.code).toBe("RATE_LIMITED");
      }
    }
    expect(statuses.slice(0, 4)).toEqual([200, 200, 200, 200]);
    expect(statuses.slice(4)).toContain(429);
    // a client never sees another client's order
    expect((await get("REPEAT-1", keyOf(20))).status).toBe(404);
  });

  it("refuses malformed and oversized bodies with MALFORMED_BODY / BODY_TOO_LARGE", async () => {
    const cases: unknown[] = [
      "{not json",
      {},
      { orderReference: "M-1", kind: "sale", batchId: "0x12", quantity: 1 },
      { orderReference: "M-2", kind: "sale", batchId: open, quantity: 0 },
      { orderReference: "M-3", kind: "sale", batchId: open, quantity: 1.5 },
      { orderReference: "M-4", kind: "transfer", batchId: open, quantity: 1 },
      { orderReference: "M-5", kind: "gift", batchId: open, quantity: 1 },
      { orderReference: "M-6", kind: "sale", batchId: open, quantity: 1, extra: true },
      { orderReference: " M-7", kind: "sale", batchId: open, quantity: 1 },
      { orderReference: "M-8", kind: "sale", batchId: open, quantity: 1000 },
    ];
    for (const body of cases) {
      const r = await post(body);
      expect([400, 422], JSON.stringify(body)).toContain(r.status);
      expect(r.body.error!.code, JSON.stringify(body)).toBe("MALFORMED_BODY");
    }
    const big = await post({
      orderReference: "BIG",
      kind: "sale",
      batchId: open,
      quantity: 1,
      buyer: "x".repeat(20_000),
    });
    expect(big.status).toBe(413);
    expect(big.body.error!.code).toBe("BODY_TOO_LARGE");
  });

  it("over HTTP: a body is limited by its Content-Length or, chunked, as it streams; a small one is accepted", async () => {
    const server = serve({ fetch: app.fetch, port: 0, hostname: "127.0.0.1" });
    await new Promise<void>((resolve) => server.once("listening", () => resolve()));
    const port = (server.address() as AddressInfo).port;
    /** One POST on node:http: with a Content-Length, or chunked (the body written in two pieces). */
    const send = (body: string, chunked: boolean) =>
      new Promise<{ status: number; code: string | undefined }>((resolve, reject) => {
        const req = httpRequest(
          {
            host: "127.0.0.1",
            port,
            path: "/v1/orders",
            method: "POST",
            headers: {
              "content-type": "application/json",
              authorization: `Bearer ${keyOf(0)}`,
              ...(chunked ? { "transfer-encoding": "chunked" } : { "content-length": Buffer.byteLength(body) }),
            },
          },
          (res) => {
            let text = "";
            res.on("data", (d: Buffer) => (text += d.toString()));
            res.on("end", () =>
              resolve({
                status: res.statusCode ?? 0,
                code: (JSON.parse(text) as { error?: { code: string } }).error?.code,
              }),
            );
          },
        );
        req.on("error", reject);
        if (chunked) {
          req.write(body.slice(0, 10));
          req.end(body.slice(10));
        } else req.end(body);
      });
    try {
      const big = JSON.stringify({
        orderReference: "BIG-H",
        kind: "sale",
        batchId: open,
        quantity: 1,
        buyer: "x".repeat(20_000),
      });
      expect(await send(big, false)).toEqual({ status: 413, code: "BODY_TOO_LARGE" });
      expect(await send(big, true)).toEqual({ status: 413, code: "BODY_TOO_LARGE" });
      const small = (ref: string) => JSON.stringify({ orderReference: ref, kind: "sale", batchId: open, quantity: 1 });
      expect((await send(small("HTTP-1"), false)).status).toBe(202);
      expect((await send(small("HTTP-2"), true)).status).toBe(202);
      expect(await send("{not json", false)).toEqual({ status: 400, code: "MALFORMED_BODY" });
    } finally {
      server.close();
    }
  });

  it("fails only the bad order of a window (bisection), with the ledger's reason, and gives its keys back", async () => {
    // a recipient that is not a registered party: accepted (the gateway checks authorisations of restricted
    // batches only), refused by the ledger when the window is simulated
    const bad = post(
      { orderReference: "BAD-1", kind: "transfer", batchId: open, quantity: 5, to: testAccount(9).address },
      keyOf(11),
    );
    const good = post(
      { orderReference: "GOOD-1", kind: "transfer", batchId: open, quantity: 5, to: env.distributor.address },
      keyOf(11),
    );
    const [b, g] = await Promise.all([bad, good]);
    expect(b.status).toBe(202);
    expect(g.status).toBe(202);
    const [bFinal, gFinal] = await settled([
      { ref: "BAD-1", client: 11 },
      { ref: "GOOD-1", client: 11 },
    ]);
    expect(bFinal!.status).toBe("failed");
    expect(bFinal!.reason).toMatch(/^KeyLedgerPartyNotRegistered\(/);
    expect(bFinal!.reason).toContain(testAccount(9).address);
    expect(gFinal!.status).toBe("confirmed");
    expect(logs.some((l) => l.includes("BAD-1") && l.includes("failed"))).toBe(true);
    // keys of failed orders return to the pool: the next order gets them again
    const next = await post({ orderReference: "SALE-R-1", kind: "sale", batchId: open, quantity: 5 }, keyOf(11));
    expect(next.status).toBe(202);
    expect(next.body.indices).toEqual(bFinal!.indices);
    const [n] = await settled([{ ref: "SALE-R-1", client: 11 }]);
    expect(n!.status).toBe("confirmed");
  });

  it("serves the OpenAPI document generated from the zod schemas", async () => {
    const res = await app.request("/v1/openapi.json");
    expect(res.status).toBe(200);
    const doc = (await res.json()) as {
      paths: Record<string, unknown>;
      components: { schemas: Record<string, unknown> };
    };
    expect(Object.keys(doc.paths).sort()).toEqual(["/v1/health", "/v1/orders", "/v1/orders/{orderReference}"]);
    expect(Object.keys(doc.components.schemas)).toEqual(expect.arrayContaining(["OrderRequest", "Order", "Error"]));
    expect(logs.join("\n")).not.toMatch(/0x[0-9a-f]{32}\b(?![0-9a-f])/); // no 16-byte receipt secret in any log line
  });
});
