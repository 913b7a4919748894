import { OpenAPIHono, createRoute, z } from "@hono/zod-openapi";
import type { Context } from "hono";
import { bodyLimit } from "hono/body-limit";
import { HTTPException } from "hono/http-exception";
import type { Gateway } from "../createGateway.js";
import { GatewayError } from "../errors.js";
import type { GatewayErrorCode } from "../errors.js";
import type { Stock } from "../stock/openStock.js";
import type { GatewayScope, OrderAnswer, OrderRequest } from "../types.js";

const HEX32 = /^0x[0-9a-fA-F]{64}$/;
const ADDRESS = /^0x[0-9a-fA-F]{40}$/;

const ErrorSchema = z.object({ error: z.object({ code: z.string(), message: z.string() }) }).openapi("Error", {
  example: { error: { code: "UNKNOWN_BATCH", message: "Unknown batch 0x…: it is not anchored on ledger 0x…." } },
});

const OrderBodySchema = z
  .object({
    orderReference: z
      .string()
      .min(1)
      .max(128)
      .refine((s) => s.trim().length > 0 && s === s.trim(), "must be non-empty, without leading or trailing spaces")
      .openapi({
        description: "The platform's order number: the idempotency key (per API client).",
        example: "TB-2026-000123",
      }),
    kind: z
      .enum(["sale", "transfer"])
      .openapi({ description: "sale: to an end buyer (receipt per key); transfer: custody to a party." }),
    batchId: z
      .string()
      .regex(HEX32, "must be 0x and 64 hex digits")
      .openapi({ description: "The batch the keys come from." }),
    quantity: z
      .number()
      .int()
      .min(1)
      .openapi({ description: "Number of keys (at most the gateway's per-order limit)." }),
    to: z
      .string()
      .regex(ADDRESS, "must be 0x and 40 hex digits")
      .optional()
      .openapi({ description: "Receiving party (transfer only)." }),
    buyer: z
      .string()
      .min(1)
      .max(128)
      .optional()
      .openapi({ description: "The platform's buyer reference (sale only; never on chain)." }),
  })
  .strict()
  .superRefine((b, ctx) => {
    if (b.kind === "transfer" && !b.to)
      ctx.addIssue({ code: "custom", path: ["to"], message: "a transfer needs `to`, the receiving party's address" });
    if (b.kind === "sale" && b.to)
      ctx.addIssue({
        code: "custom",
        path: ["to"],
        message: "a sale has no `to` (the buyer is off chain); use `buyer`",
      });
    if (b.kind === "transfer" && b.buyer)
      ctx.addIssue({ code: "custom", path: ["buyer"], message: "`buyer` is for sales only" });
  })
  .openapi("OrderRequest");

const OrderSchema = z
  .object({
    orderReference: z.string(),
    kind: z.enum(["sale", "transfer"]),
    status: z.enum(["pending", "confirmed", "failed"]),
    batchId: z.string(),
    quantity: z.number().int(),
    indices: z.array(z.number().int()),
    seller: z.string(),
    to: z.string().nullable(),
    buyer: z.string().nullable(),
    ledger: z.string(),
    chainId: z.number().int(),
    keys: z
      .array(z.object({ batchId: z.string(), index: z.number().int(), seller: z.string(), receiptSecret: z.string() }))
      .openapi({
        description: "Sales: the verify-link data of each key (the receipt secret goes into the buyer's link only).",
      }),
    cards: z
      .array(
        z.object({
          batchId: z.string(),
          index: z.number().int(),
          serial: z.string().nullable(),
          pin: z.string(),
          salt: z.string(),
        }),
      )
      .optional()
      .openapi({
        description:
          "Delivery (the gateway holds the batch's stock, the API key has the keys:deliver scope): the card secret of " +
          "each key, in index order: serial (卡号), PIN (卡密) and the salt of the buyer's verify link. Secret: only ever " +
          "in the answers to the order's own API key.",
      }),
    txHash: z.string().nullable(),
    blockNumber: z.number().int().nullable(),
    reason: z.string().nullable(),
    acceptedAt: z.number().int(),
    settledAt: z.number().int().nullable(),
  })
  .openapi("Order");

const auth = { security: [{ apiKey: [] }] };

const postOrder = createRoute({
  method: "post",
  path: "/v1/orders",
  ...auth,
  request: { body: { content: { "application/json": { schema: OrderBodySchema } }, required: true } },
  responses: {
    202: {
      description: "Accepted: keys allocated, status pending.",
      content: { "application/json": { schema: OrderSchema } },
    },
    200: {
      description: "Repeated order reference: the first answer (current status).",
      content: { "application/json": { schema: OrderSchema } },
    },
    400: { description: "Malformed body (MALFORMED_BODY).", content: { "application/json": { schema: ErrorSchema } } },
    401: {
      description: "Missing or unknown API key (UNAUTHORIZED).",
      content: { "application/json": { schema: ErrorSchema } },
    },
    403: {
      description: "The key lacks the orders:write scope (FORBIDDEN).",
      content: { "application/json": { schema: ErrorSchema } },
    },
    404: { description: "Unknown batch (UNKNOWN_BATCH).", content: { "application/json": { schema: ErrorSchema } } },
    409: {
      description:
        "Same reference with a different body (ORDER_REFERENCE_CONFLICT), or not enough keys (INSUFFICIENT_KEYS).",
      content: { "application/json": { schema: ErrorSchema } },
    },
    413: { description: "Body too large (BODY_TOO_LARGE).", content: { "application/json": { schema: ErrorSchema } } },
    422: {
      description:
        "Quantity above the gateway's limit (MALFORMED_BODY), or a transfer of a restricted batch to a party " +
        "without the supplier's authorisation (RECIPIENT_NOT_AUTHORIZED).",
      content: { "application/json": { schema: ErrorSchema } },
    },
    429: {
      description: "Above the client's request rate (RATE_LIMITED); Retry-After says when to retry.",
      content: { "application/json": { schema: ErrorSchema } },
    },
  },
});

const getOrder = createRoute({
  method: "get",
  path: "/v1/orders/{orderReference}",
  ...auth,
  request: { params: z.object({ orderReference: z.string().min(1).max(128) }) },
  responses: {
    200: {
      description: "The order: pending, confirmed (txHash, blockNumber) or failed (reason).",
      content: { "application/json": { schema: OrderSchema } },
    },
    401: { description: "Missing or unknown API key.", content: { "application/json": { schema: ErrorSchema } } },
    404: {
      description: "No such order for this client (ORDER_NOT_FOUND).",
      content: { "application/json": { schema: ErrorSchema } },
    },
  },
});

const health = createRoute({
  method: "get",
  path: "/v1/health",
  responses: {
    200: {
      description: "The signer, the ledger and the outbox's depth.",
      content: {
        "application/json": {
          schema: z.object({
            account: z.string(),
            ledger: z.string(),
            chainId: z.number(),
            queued: z.number(),
            inFlight: z.number(),
            nextNonce: z.number(),
            signing: z.boolean().openapi({
              description: "whether this replica signs for the account (the others accept orders only)",
            }),
          }),
        },
      },
    },
  },
});

/** Options of {@link createGatewayApp}. */
export type GatewayAppOptions = {
  /** Largest accepted request body in bytes (default 16 KiB). */
  maxBodyBytes?: number | undefined;
  /** Requests per second each API client may make (token bucket, burst of 2 s); 0 = no limit. Default 1,000. */
  rateLimitPerSecond?: number | undefined;
  /** Called with unexpected errors (never request bodies: they may carry references of buyers). */
  log?: ((line: string) => void) | undefined;
  /** The gateway's stock (openStock): answers carry the card secrets for clients with `keys:deliver`. */
  stock?: Stock | undefined;
};

type Env = { Variables: { client: string; scopes: ReadonlySet<GatewayScope> } };

const fail = (c: Context, status: number, code: GatewayErrorCode, message: string) =>
  c.json({ error: { code, message } }, status as 400);

/**
 * The gateway's HTTP API on Hono with @hono/zod-openapi: POST /v1/orders, GET
 * /v1/orders/{orderReference}, GET /v1/health, and the OpenAPI document generated from the zod
 * schemas at /v1/openapi.json. API keys (`Authorization: Bearer <key>`) with scopes; errors as
 * `{ "error": { "code", "message" } }`.
 *
 * @param gateway - the running engine (createGateway).
 * @param options - see {@link GatewayAppOptions}.
 * @returns the Hono app (serve it with @hono/node-server).
 * @example
 * serve({ fetch: createGatewayApp(gateway).fetch, port: 8788 });
 */
export function createGatewayApp(gateway: Gateway, options: GatewayAppOptions = {}) {
  const maxBodyBytes = options.maxBodyBytes ?? 16 * 1024;
  const rate = options.rateLimitPerSecond ?? 1_000;
  const buckets = new Map<string, { tokens: number; at: number }>();
  /** Takes one token of the client's bucket; false when it is empty. */
  const admit = (client: string): boolean => {
    if (rate <= 0) return true;
    const now = performance.now();
    const b = buckets.get(client) ?? { tokens: rate * 2, at: now };
    b.tokens = Math.min(rate * 2, b.tokens + ((now - b.at) / 1000) * rate);
    b.at = now;
    buckets.set(client, b);
    if (b.tokens < 1) return false;
    b.tokens -= 1;
    return true;
  };
  const app = new OpenAPIHono<Env>({
    defaultHook: (result, c) => {
      if (!result.success) {
        const issues = result.error.issues.map((i) => `${i.path.join(".") || "(body)"}: ${i.message}`).join("; ");
        return fail(c, 400, "MALFORMED_BODY", `Invalid request: ${issues}.`);
      }
      return undefined;
    },
  });
  app.openAPIRegistry.registerComponent("securitySchemes", "apiKey", { type: "http", scheme: "bearer" });

  app.onError((e, c) => {
    if (e instanceof GatewayError) return fail(c, e.status, e.code, e.shortMessage);
    if (e instanceof HTTPException && e.status < 500) {
      return fail(c, e.status, "MALFORMED_BODY", `Invalid request: ${e.message || "the body is not valid JSON"}.`);
    }
    if (e instanceof SyntaxError)
      return fail(c, 400, "MALFORMED_BODY", `Invalid request: the body is not JSON (${e.message}).`);
    options.log?.(
      `internal error on ${c.req.method} ${c.req.path}: ${e instanceof Error ? e.message.split("\n")[0] : String(e)}`,
    );
    return fail(c, 500, "INTERNAL", "Internal error; the order may or may not be accepted: GET it by its reference.");
  });
  app.notFound((c) => fail(c, 404, "NOT_FOUND", `No route ${c.req.method} ${c.req.path}; see /v1/openapi.json.`));

  const requireScope = (scope: GatewayScope) => async (c: Context<Env>, next: () => Promise<void>) => {
    const header = c.req.header("authorization") ?? "";
    const m = /^Bearer\s+(\S+)$/i.exec(header);
    const who = m ? gateway.authenticate(m[1]!) : null;
    if (!who)
      return fail(
        c,
        401,
        "UNAUTHORIZED",
        m ? "Unknown API key." : "Missing API key: send `Authorization: Bearer <key>`.",
      );
    if (!admit(who.client)) {
      c.header("Retry-After", "1");
      return fail(
        c,
        429,
        "RATE_LIMITED",
        `API client ${who.client} is above ${rate} requests per second; retry shortly.`,
      );
    }
    if (!who.scopes.has(scope)) return fail(c, 403, "FORBIDDEN", `API client ${who.client} lacks the ${scope} scope.`);
    c.set("client", who.client);
    c.set("scopes", who.scopes);
    await next();
    return undefined;
  };

  const tooLarge = (c: Context<Env>) =>
    fail(c, 413, "BODY_TOO_LARGE", `Request body larger than ${maxBodyBytes} bytes.`);
  const streamedLimit = bodyLimit({ maxSize: maxBodyBytes, onError: tooLarge });
  app.use("/v1/orders", async (c, next) => {
    // A body with a Content-Length is checked by its header (node's parser reads exactly that many
    // bytes), so the request stays node-server's light one and the JSON is read straight from the
    // socket; Hono's bodyLimit would touch `raw.body` and build a full web Request per order (its
    // streams and abort signal were a tenth of the gateway's CPU and most of its garbage). A chunked
    // body is counted as it streams.
    const length = c.req.header("content-length");
    if (length !== undefined && c.req.header("transfer-encoding") === undefined) {
      if (!/^\d+$/.test(length.trim()))
        return fail(c, 400, "MALFORMED_BODY", `Content-Length ${JSON.stringify(length)} is not a byte count.`);
      return Number(length.trim()) > maxBodyBytes ? tooLarge(c) : next();
    }
    return streamedLimit(c, next);
  });
  app.post("/v1/orders", requireScope("orders:write"));
  app.get("/v1/orders/*", requireScope("orders:read"));

  /** The order's card secrets for its own client, when it may receive them and the batch is in stock. */
  const withCards = async (c: Context<Env>, answer: OrderAnswer) => {
    if (!options.stock || !c.get("scopes").has("keys:deliver")) return answer;
    const cards = await options.stock.cardsOf(answer.batchId, answer.indices);
    return cards ? { ...answer, cards } : answer;
  };

  app.openapi(postOrder, async (c) => {
    const body = c.req.valid("json");
    const request: OrderRequest = {
      orderReference: body.orderReference,
      kind: body.kind,
      batchId: body.batchId as OrderRequest["batchId"],
      quantity: body.quantity,
      to: body.to as OrderRequest["to"],
      buyer: body.buyer,
    };
    const { created, answer } = await gateway.placeOrder(c.get("client"), request);
    return c.json(await withCards(c, answer), created ? 202 : 200);
  });

  app.openapi(getOrder, async (c) => {
    const { orderReference } = c.req.valid("param");
    return c.json(await withCards(c, await gateway.getOrder(c.get("client"), orderReference)), 200);
  });

  app.openapi(health, (c) =>
    c.json({ account: gateway.account, ledger: gateway.ledger, chainId: gateway.chainId, ...gateway.stats() }, 200),
  );

  app.doc("/v1/openapi.json", {
    openapi: "3.0.0",
    info: {
      title: "KeyTrail gateway",
      version: "1.0.0",
      description: "Orders recorded on KeyLedger v2 (sales and transfers), exactly once.",
    },
  });
  return app;
}
