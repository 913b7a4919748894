import { z } from "@hono/zod-openapi";
import type { Address, Hex } from "viem";
import { getBatch } from "../query/getBatch.js";
import { getCustodyChain } from "../query/getCustodyChain.js";
import { getFlows } from "../query/getFlows.js";
import { getHoldings } from "../query/getHoldings.js";
import { getParty } from "../query/getParty.js";
import { listBatches } from "../query/listBatches.js";
import { listParties } from "../query/listParties.js";
import { readCursor } from "../store/readCursor.js";
import { readMeta } from "../store/readMeta.js";
import type { Sql, Store } from "../store/types.js";
import { ApiRequestError } from "./ApiRequestError.js";
import type { createDigestCache } from "./createDigestCache.js";
import { pageBatch } from "./pageBatch.js";
import { parseParameter } from "./parseParameter.js";

/** Largest page any list route answers. */
export const MAX_PAGE = 500;

const address = z
  .string()
  .regex(/^0x[0-9a-fA-F]{40}$/, "expected 0x and 40 hex digits")
  .transform((s) => s.toLowerCase() as Address)
  .openapi({ type: "string", pattern: "^0x[0-9a-fA-F]{40}$" });
const batchId = z
  .string()
  .regex(/^0x[0-9a-fA-F]{64}$/, "expected 0x and 64 hex digits")
  .transform((s) => s.toLowerCase() as Hex)
  .openapi({ type: "string", pattern: "^0x[0-9a-fA-F]{64}$" });
/** A decimal integer 0..max given as a string (a query or path parameter). */
const uint = (max: number) =>
  z
    .string()
    .regex(/^\d{1,16}$/, "expected a non-negative integer")
    .transform(Number)
    .pipe(z.number().int().min(0).max(max))
    .openapi({ type: "integer", minimum: 0, maximum: max });
const limitOf = (defaultLimit: number, description?: string) =>
  z
    .string()
    .regex(/^\d{1,6}$/, "expected an integer")
    .transform(Number)
    .pipe(z.number().int().min(1).max(MAX_PAGE))
    .optional()
    .openapi({ type: "integer", minimum: 1, maximum: MAX_PAGE, default: defaultLimit, description });
const limit = limitOf(100);
const offset = uint(1_000_000).optional().openapi({ type: "integer", minimum: 0, maximum: 1_000_000, default: 0 });
const noQuery = z.object({}).strict();

/** The error body of every non-2xx answer. */
export const ApiErrorSchema = z
  .object({
    error: z.object({
      code: z.enum(["invalid_parameter", "not_found", "method_not_allowed", "busy", "internal"]),
      message: z.string(),
      details: z.array(z.object({ parameter: z.string(), problem: z.string() })).optional(),
    }),
  })
  .openapi("Error");

/** One route of the read API, independent of the HTTP framework that serves it. */
export type ApiRoute = {
  /** OpenAPI path (`/batches/{id}`). */
  path: string;
  summary: string;
  /** Path parameters in URL order (each validated in that order). */
  params: Record<string, z.ZodType>;
  /** The query object (strict: an unknown key is a 400 naming it). */
  query: z.ZodObject;
  /** What a 200 answers (documentation). */
  answers: string;
  /** Statuses other than 200 the route may answer (documentation). */
  errors: (400 | 404 | 429 | 503)[];
  /**
   * A heavy route (a whole batch, a party, holdings, flows): its statements take the heavy lane
   * (`heavySql`) and the server caps how many run at once (429 `busy` beyond the cap). `/digest` is
   * not marked: its snapshot builds take the heavy lane through the digest cache, which bounds them
   * with its own queue (503 `busy`), and a cached digest is cheap.
   */
  heavy?: boolean;
  /** Answers the parsed parameters; throws {@link ApiRequestError} for 4xx and 503. */
  handle(params: Record<string, unknown>, query: Record<string, unknown>): Promise<unknown>;
};

/**
 * The read API's routes over a store: paths, zod schemas of their parameters (these validate the
 * requests and generate /openapi.json), and handlers. Every HTTP layer (createApiServer; the
 * benchmark's alternatives) serves this one table.
 *
 * @param store - the indexer's store (read only).
 * @param digests - the `/digest` cache (createDigestCache).
 * @param heavySql - where heavy routes' statements go (createQueryLanes' heavy lane; default the store).
 * @returns the routes, `/openapi.json` excluded (the server adds it).
 * @example
 * const routes = defineApiRoutes(store, createDigestCache(store));
 */
export function defineApiRoutes(
  store: Store,
  digests: ReturnType<typeof createDigestCache>,
  heavySql: Sql = store,
): ApiRoute[] {
  const page = (o: Record<string, unknown>, defaultLimit = 100) => ({
    limit: (o.limit as number | undefined) ?? defaultLimit,
    offset: (o.offset as number | undefined) ?? 0,
  });
  const chainOf = async (p: Record<string, unknown>) => {
    const id = p.id as Hex;
    const index = p.index as number;
    const c = await getCustodyChain(store, { batchId: id, index });
    if ("missing" in c) {
      throw new ApiRequestError(
        404,
        "not_found",
        c.missing === "batch" ? `No batch ${id}.` : `Index ${index} is outside batch ${id} (count ${c.count}).`,
      );
    }
    return c;
  };
  const keyParams = { id: batchId, index: uint(2 ** 48 - 1) };
  return [
    {
      path: "/status",
      summary: "Chain, ledger, store and cursor",
      params: {},
      query: noQuery,
      answers: "{ chainId, ledger, startBlock, store, cursor }",
      errors: [400],
      handle: async () => {
        const [meta, cursor] = await Promise.all([readMeta(store), readCursor(store)]);
        return {
          chainId: meta?.chainId ?? null,
          ledger: meta?.ledger ?? null,
          startBlock: meta?.startBlock ?? null,
          store: store.info.kind,
          cursor,
        };
      },
    },
    {
      path: "/batches",
      summary: "Batch summaries in anchoring order",
      params: {},
      query: z.object({ supplier: address.optional(), limit, offset }).strict(),
      answers: "{ items: ExportBatchSummary[], limit, offset, total }",
      errors: [400],
      handle: async (_p, q) => {
        const o = page(q);
        const r = await listBatches(store, { supplier: q.supplier as Address | undefined, ...o });
        return { items: r.items, limit: o.limit, offset: o.offset, total: r.total };
      },
    },
    {
      path: "/batches/{id}",
      summary: "One batch with holders, frozen ranges, redemption words (each list paged, with totals)",
      params: { id: batchId },
      query: z
        .object({
          limit: limitOf(MAX_PAGE, "entries per list (holderRanges, frozen, redeemedWords) and ranges per holder"),
          offset,
        })
        .strict(),
      answers:
        "ExportBatchDetail with each list sliced to offset..offset+limit, each holder's rangeCount, " +
        "and limit, offset, totals { holderRanges, frozen, redeemedWords }",
      errors: [400, 404, 429],
      heavy: true,
      handle: async (p, q) => {
        // Default: the largest page, so a batch of up to MAX_PAGE holders answers as before paging.
        const o = page(q, MAX_PAGE);
        const b = await getBatch(heavySql, { batchId: p.id as Hex });
        if (!b) throw new ApiRequestError(404, "not_found", `No batch ${p.id as Hex}.`);
        return pageBatch(b, o);
      },
    },
    {
      path: "/batches/{id}/keys/{index}",
      summary: "One key: holder, frozen reason, redeemed, sold, its sales and refunds",
      params: keyParams,
      query: noQuery,
      answers: "Key status (the custody chain without its hops)",
      errors: [400, 404],
      handle: async (p) => {
        const { hops: _hops, ...status } = await chainOf(p);
        return status;
      },
    },
    {
      path: "/batches/{id}/keys/{index}/custody",
      summary: "Custody chain of one key (anchoring first), current holder",
      params: keyParams,
      query: noQuery,
      answers: "CustodyChain: { batchId, index, supplier, holder, frozen, redeemed, sold, hops: Hop[], sales: Sale[] }",
      errors: [400, 404],
      handle: chainOf,
    },
    {
      path: "/parties",
      summary: "Party summaries in registration order",
      params: {},
      query: z.object({ kind: z.enum(["supplier", "distributor", "retailer"]).optional(), limit, offset }).strict(),
      answers: "{ items: ExportPartySummary[], limit, offset, total }",
      errors: [400],
      handle: async (_p, q) => {
        const o = page(q);
        const kind = q.kind ? ["supplier", "distributor", "retailer"].indexOf(q.kind as string) + 1 : undefined;
        const r = await listParties(store, { kind, ...o });
        return { items: r.items, limit: o.limit, offset: o.offset, total: r.total };
      },
    },
    {
      path: "/parties/{addr}",
      summary: "One party: registration, authorisations, redeemers, flows",
      params: { addr: address },
      query: noQuery,
      answers: "ExportPartyDetail without holdingsByBatch",
      errors: [400, 404, 429],
      heavy: true,
      handle: async (p) => {
        const a = p.addr as Address;
        const party = await getParty(heavySql, { address: a, holdingsLimit: 0 });
        if (!party) throw new ApiRequestError(404, "not_found", `No registered party ${a}.`);
        const { holdingsByBatch: _h, ...rest } = party;
        return rest;
      },
    },
    {
      path: "/parties/{addr}/holdings",
      summary: "Holdings per batch: ranges, counts, frozen, redeemed, sold (the rest is in stock)",
      params: { addr: address },
      query: z.object({ limit, offset }).strict(),
      answers: "Holdings: totals and a page of ExportHolding",
      errors: [400, 429],
      heavy: true,
      handle: async (p, q) => await getHoldings(heavySql, { party: p.addr as Address, ...page(q) }),
    },
    {
      path: "/flows",
      summary: "Aggregated custody flows between parties in a time window",
      params: {},
      query: z
        .object({
          from: address.optional(),
          to: address.optional(),
          party: address.optional(),
          batch: batchId.optional(),
          since: uint(2 ** 40).optional(),
          until: uint(2 ** 40).optional(),
          limit,
          offset,
        })
        .strict(),
      answers: "{ items: ExportFlow[], limit, offset }",
      errors: [400, 429],
      heavy: true,
      handle: async (_p, q) => {
        const o = page(q);
        const items = await getFlows(heavySql, {
          from: q.from as Address | undefined,
          to: q.to as Address | undefined,
          party: q.party as Address | undefined,
          batchId: q.batch as Hex | undefined,
          since: q.since as number | undefined,
          until: q.until as number | undefined,
          ...o,
        });
        return { items, ...o };
      },
    },
    {
      path: "/digest",
      summary: "State digest at a block (docs/STATE-DIGEST.md); cached per block",
      params: {},
      query: z
        .object({
          block: uint(2 ** 48)
            .optional()
            .openapi({ description: "at most the indexed cursor (default: the cursor)" }),
        })
        .strict(),
      answers: "{ block, digest }; 503 busy: too many digest builds for past blocks, retry after retry-after seconds",
      errors: [400, 404, 503],
      handle: async (_p, q) => {
        const block = q.block as number | undefined;
        const cursor = await readCursor(heavySql);
        if (!cursor) throw new ApiRequestError(404, "not_found", "Nothing indexed yet.");
        if (block !== undefined && block > cursor.number) {
          throw new ApiRequestError(
            400,
            "invalid_parameter",
            `Invalid parameter block: ${block} is above the indexed cursor ${cursor.number}.`,
            [{ parameter: "block", problem: `at most ${cursor.number} (the indexed cursor)` }],
          );
        }
        const d = await digests.get(block ?? cursor.number, (block ?? cursor.number) === cursor.number);
        if ("busy" in d) {
          throw new ApiRequestError(
            503,
            "busy",
            `Too many state digests being built; retry in ${d.retryAfterSeconds} s (recent blocks are cached).`,
            undefined,
            { "retry-after": String(d.retryAfterSeconds) },
          );
        }
        return d;
      },
    },
  ];
}

/**
 * Validates a request's path parameters (already %-decoded, in route order) and its query with the
 * route's schemas, then answers it.
 *
 * @param route - the route matched.
 * @param params - decoded path parameters by name.
 * @param query - the query (readQuery).
 * @returns the route's answer.
 */
export async function answerApiRoute(
  route: ApiRoute,
  params: Record<string, string>,
  query: Record<string, string>,
): Promise<unknown> {
  const p: Record<string, unknown> = {};
  for (const [name, schema] of Object.entries(route.params)) p[name] = parseParameter(schema, params[name], name);
  const q = parseParameter(route.query, query) as Record<string, unknown>;
  return await route.handle(p, q);
}
