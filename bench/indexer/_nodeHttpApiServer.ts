import { createServer } from "node:http";
import type { IncomingMessage, Server, ServerResponse } from "node:http";
import { z } from "zod";
import type { Address, Hex } from "viem";
import { getBatch } from "../../indexer/query/getBatch.js";
import { getCustodyChain } from "../../indexer/query/getCustodyChain.js";
import { getFlows } from "../../indexer/query/getFlows.js";
import { getHoldings } from "../../indexer/query/getHoldings.js";
import { getParty } from "../../indexer/query/getParty.js";
import { listBatches } from "../../indexer/query/listBatches.js";
import { listParties } from "../../indexer/query/listParties.js";
import { readCursor } from "../../indexer/store/readCursor.js";
import { readMeta } from "../../indexer/store/readMeta.js";
import type { Store } from "../../indexer/store/types.js";
import { buildOpenApiDocument } from "../../indexer/api/buildOpenApiDocument.js";
import { createDigestCache } from "../../indexer/api/createDigestCache.js";
import type { DigestCacheOptions } from "../../indexer/api/createDigestCache.js";
import { defineApiRoutes } from "../../indexer/api/defineApiRoutes.js";
import { pageBatch } from "../../indexer/api/pageBatch.js";

const MAX_PAGE = 500;

const address = z
  .string()
  .regex(/^0x[0-9a-fA-F]{40}$/, "expected 0x and 40 hex digits")
  .transform((s) => s.toLowerCase() as Address);
const batchId = z
  .string()
  .regex(/^0x[0-9a-fA-F]{64}$/, "expected 0x and 64 hex digits")
  .transform((s) => s.toLowerCase() as Hex);
const uint = (max: number) =>
  z
    .string()
    .regex(/^\d{1,16}$/, "expected a non-negative integer")
    .transform(Number)
    .pipe(z.number().int().min(0).max(max));
const limit = z
  .string()
  .regex(/^\d{1,6}$/, "expected an integer")
  .transform(Number)
  .pipe(z.number().int().min(1).max(MAX_PAGE))
  .optional();
const offset = uint(1_000_000).optional();
const page = z.object({ limit, offset }).strict();

class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details?: { parameter: string; problem: string }[],
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
  }
}

/** Parses query parameters (an object) or one path parameter (`name` = its name in the route). */
function parse<T extends z.ZodType>(schema: T, input: unknown, name?: string): z.output<T> {
  const r = schema.safeParse(input);
  if (r.success) return r.data;
  const details = r.error.issues.map((i) => ({
    parameter:
      [name, ...i.path].filter((s) => s !== undefined).join(".") ||
      (i.code === "unrecognized_keys" ? ((i as { keys?: string[] }).keys?.join(",") ?? "") : ""),
    problem: i.message,
  }));
  throw new HttpError(
    400,
    "invalid_parameter",
    `Invalid parameter ${details.map((d) => d.parameter).join(", ")}: ${details.map((d) => d.problem).join("; ")}.`,
    details,
  );
}

type Handler = (params: Record<string, string>, query: Record<string, string>) => Promise<unknown>;

/**
 * The read API as it was served before it moved to a framework: hand routing on node:http, kept
 * unchanged as the framework benchmark's anchor (same routes and answers; /openapi.json is the
 * generated document).
 *
 * Creates the read-only HTTP JSON API over a store (routes: docs/INDEXER.md, /openapi.json). GET
 * only; CORS open; parameters validated with zod (400 naming the parameter); list pages bounded
 * by {@link MAX_PAGE}. `/digest` is cached per block and its snapshot builds run one at a time
 * behind a short queue (503 `busy` beyond it). Call `server.listen(port, host)` yourself.
 *
 * @param store - the indexer's store (read only).
 * @param options.digestCache - the digest cache (default 8 blocks, 4 builds waiting, past blocks'
 *   builds at most 5% of the time; size 0 turns all of it off: every request builds its snapshot).
 * @returns a node:http server.
 * @example
 * const server = createNodeHttpApiServer(store);
 * server.listen(8787, "127.0.0.1");
 */
export function createNodeHttpApiServer(store: Store, options: { digestCache?: DigestCacheOptions } = {}): Server {
  const digests = createDigestCache(store, options.digestCache);
  const routes: [RegExp, string[], Handler][] = [];
  const route = (pattern: string, handler: Handler) => {
    const names: string[] = [];
    const re = new RegExp(`^${pattern.replace(/:([a-z]+)/g, (_m, n: string) => (names.push(n), "([^/]+)"))}/?$`);
    routes.push([re, names, handler]);
  };
  const paged = (q: Record<string, string>, extra: z.ZodRawShape = {}, defaultLimit = 100) => {
    const p = parse(page.extend(extra), q) as { limit?: number; offset?: number } & Record<string, unknown>;
    return { ...p, limit: p.limit ?? defaultLimit, offset: p.offset ?? 0 } as Record<string, unknown> & {
      limit: number;
      offset: number;
    };
  };
  const noQuery = (q: Record<string, string>) => parse(z.object({}).strict(), q);

  route("/status", async (_p, q) => {
    noQuery(q);
    const [meta, cursor] = await Promise.all([readMeta(store), readCursor(store)]);
    return {
      chainId: meta?.chainId ?? null,
      ledger: meta?.ledger ?? null,
      startBlock: meta?.startBlock ?? null,
      store: store.info.kind,
      cursor,
    };
  });
  const openApiDocument = buildOpenApiDocument(defineApiRoutes(store, digests));
  route("/openapi.json", async () => openApiDocument);
  route("/batches", async (_p, q) => {
    const o = paged(q, { supplier: address.optional() });
    const r = await listBatches(store, {
      supplier: o.supplier as Address | undefined,
      limit: o.limit,
      offset: o.offset,
    });
    return { items: r.items, limit: o.limit, offset: o.offset, total: r.total };
  });
  route("/batches/:id", async (p, q) => {
    const id = parse(batchId, p.id, "id");
    // Default: the largest page, so a batch of up to MAX_PAGE holders answers as before paging.
    const o = paged(q, {}, MAX_PAGE);
    const b = await getBatch(store, { batchId: id });
    if (!b) throw new HttpError(404, "not_found", `No batch ${id}.`);
    return pageBatch(b, o);
  });
  const keyParams = (p: Record<string, string>) => ({
    id: parse(batchId, p.id, "id"),
    index: parse(uint(2 ** 48 - 1), p.index, "index"),
  });
  const chainOf = async (p: Record<string, string>) => {
    const { id, index } = keyParams(p);
    const c = await getCustodyChain(store, { batchId: id, index });
    if ("missing" in c) {
      throw new HttpError(
        404,
        "not_found",
        c.missing === "batch" ? `No batch ${id}.` : `Index ${index} is outside batch ${id} (count ${c.count}).`,
      );
    }
    return c;
  };
  route("/batches/:id/keys/:index", async (p, q) => {
    noQuery(q);
    const { hops: _hops, ...status } = await chainOf(p);
    return status;
  });
  route("/batches/:id/keys/:index/custody", async (p, q) => {
    noQuery(q);
    return await chainOf(p);
  });
  route("/parties", async (_p, q) => {
    const o = paged(q, { kind: z.enum(["supplier", "distributor", "retailer"]).optional() });
    const kind = o.kind ? ["supplier", "distributor", "retailer"].indexOf(o.kind as string) + 1 : undefined;
    const r = await listParties(store, { kind, limit: o.limit, offset: o.offset });
    return { items: r.items, limit: o.limit, offset: o.offset, total: r.total };
  });
  route("/parties/:addr", async (p, q) => {
    noQuery(q);
    const a = parse(address, p.addr, "addr");
    const party = await getParty(store, { address: a, holdingsLimit: 0 });
    if (!party) throw new HttpError(404, "not_found", `No registered party ${a}.`);
    const { holdingsByBatch: _h, ...rest } = party;
    return rest;
  });
  route("/parties/:addr/holdings", async (p, q) => {
    const a = parse(address, p.addr, "addr");
    const o = paged(q);
    return await getHoldings(store, { party: a, limit: o.limit, offset: o.offset });
  });
  route("/flows", async (_p, q) => {
    const o = parse(
      z
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
      q,
    );
    const items = await getFlows(store, {
      from: o.from,
      to: o.to,
      party: o.party,
      batchId: o.batch,
      since: o.since,
      until: o.until,
      limit: o.limit ?? 100,
      offset: o.offset ?? 0,
    });
    return { items, limit: o.limit ?? 100, offset: o.offset ?? 0 };
  });
  route("/digest", async (_p, q) => {
    const o = parse(z.object({ block: uint(2 ** 48).optional() }).strict(), q);
    const cursor = await readCursor(store);
    if (!cursor) throw new HttpError(404, "not_found", "Nothing indexed yet.");
    if (o.block !== undefined && o.block > cursor.number) {
      const problem = `at most ${cursor.number} (the indexed cursor)`;
      throw new HttpError(
        400,
        "invalid_parameter",
        `Invalid parameter block: ${o.block} is above the indexed cursor ${cursor.number}.`,
        [{ parameter: "block", problem }],
      );
    }
    const d = await digests.get(o.block ?? cursor.number, (o.block ?? cursor.number) === cursor.number);
    if ("busy" in d) {
      throw new HttpError(
        503,
        "busy",
        `Too many state digests being built; retry in ${d.retryAfterSeconds} s (recent blocks are cached).`,
        undefined,
        { "retry-after": String(d.retryAfterSeconds) },
      );
    }
    return d;
  });

  const send = (res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}) => {
    const text = JSON.stringify(body);
    res.writeHead(status, {
      ...headers,
      "content-type": "application/json; charset=utf-8",
      "access-control-allow-origin": "*",
      "access-control-allow-methods": "GET, HEAD, OPTIONS",
      "access-control-allow-headers": "content-type",
      "cache-control": status === 200 ? "public, max-age=5" : "no-store",
      "x-content-type-options": "nosniff",
    });
    res.end(text);
  };

  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    if (req.method === "OPTIONS") {
      res.writeHead(204, {
        "access-control-allow-origin": "*",
        "access-control-allow-methods": "GET, HEAD, OPTIONS",
        "access-control-allow-headers": "content-type",
        "access-control-max-age": "86400",
      });
      res.end();
      return;
    }
    if (req.method !== "GET" && req.method !== "HEAD") {
      send(res, 405, {
        error: { code: "method_not_allowed", message: `${req.method} is not allowed: the API is read-only (GET).` },
      });
      return;
    }
    const url = new URL(req.url ?? "/", "http://localhost");
    // A null-prototype object: "constructor", "__proto__" or "toString" are plain query keys here.
    const query: Record<string, string> = Object.create(null) as Record<string, string>;
    for (const [k, v] of url.searchParams) {
      if (Object.hasOwn(query, k))
        throw new HttpError(400, "invalid_parameter", `Parameter ${k} is given twice.`, [
          { parameter: k, problem: "given twice" },
        ]);
      query[k] = v;
    }
    for (const [re, names, handler] of routes) {
      const m = re.exec(url.pathname);
      if (!m) continue;
      const params: Record<string, string> = {};
      names.forEach((n, i) => (params[n] = decodePathParameter(n, m[i + 1]!)));
      send(res, 200, await handler(params, query));
      return;
    }
    throw new HttpError(404, "not_found", `No route ${url.pathname}. See /openapi.json.`);
  };

  /** A path segment %-decoded; a malformed escape (`%E0%A4%A`) is the caller's 400, naming the parameter. */
  function decodePathParameter(name: string, raw: string): string {
    try {
      return decodeURIComponent(raw);
    } catch {
      throw new HttpError(400, "invalid_parameter", `Invalid parameter ${name}: malformed %-escape in "${raw}".`, [
        { parameter: name, problem: "malformed %-escape" },
      ]);
    }
  }

  return createServer((req, res) => {
    handle(req, res).catch((e: unknown) => {
      if (e instanceof HttpError)
        send(
          res,
          e.status,
          {
            error: { code: e.code, message: e.message, ...(e.details ? { details: e.details } : {}) },
          },
          e.headers,
        );
      else send(res, 500, { error: { code: "internal", message: "Internal error." } });
    });
  });
}
