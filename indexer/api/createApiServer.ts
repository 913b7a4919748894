import type { Server } from "node:http";
import { createServer } from "node:http";
import { getRequestListener } from "@hono/node-server";
import { Hono } from "hono";
import type { Store } from "../store/types.js";
import { ApiRequestError } from "./ApiRequestError.js";
import { buildOpenApiDocument } from "./buildOpenApiDocument.js";
import { createDigestCache } from "./createDigestCache.js";
import type { DigestCacheOptions } from "./createDigestCache.js";
import { createQueryLanes } from "./createQueryLanes.js";
import type { QueryLaneOptions } from "./createQueryLanes.js";
import { decodePathParameter } from "./decodePathParameter.js";
import { answerApiRoute, defineApiRoutes } from "./defineApiRoutes.js";
import { readQuery } from "./readQuery.js";

export { MAX_PAGE } from "./defineApiRoutes.js";

const CORS = {
  "access-control-allow-origin": "*",
  "access-control-allow-methods": "GET, HEAD, OPTIONS",
  "access-control-allow-headers": "content-type",
};

/** A JSON answer with the API's headers (open CORS; 200s cached 5 s, errors not at all). */
function send(status: number, body: unknown, headers: Record<string, string> = {}): Response {
  return new Response(JSON.stringify(body), {
    status,
    headers: {
      ...headers,
      "content-type": "application/json; charset=utf-8",
      ...CORS,
      "cache-control": status === 200 ? "public, max-age=5" : "no-store",
      "x-content-type-options": "nosniff",
    },
  });
}

/** The path of a request URL, %-escapes kept as they came. */
function rawPathname(url: string): string {
  const start = url.indexOf("/", url.indexOf("//") + 2);
  const end = url.search(/[?#]/);
  return start < 0 ? "/" : url.slice(start, end < 0 ? undefined : end);
}

/**
 * Creates the read-only HTTP JSON API over a store (routes: docs/INDEXER.md, /openapi.json), served
 * by Hono. GET only; CORS open; parameters validated with zod (400 naming the parameter); list pages
 * bounded by {@link MAX_PAGE}; the OpenAPI document generated from the same zod schemas. `/digest`
 * is cached per block and its snapshot builds run one at a time behind a short queue (503 `busy`
 * beyond it). Cheap routes never wait behind heavy ones: heavy routes' statements and snapshot
 * builds take the heavy lane of {@link createQueryLanes} (cheap statements go first), and at most
 * `maxHeavy` heavy requests run at once (429 `busy` with `retry-after` beyond). Call
 * `server.listen(port, host)` yourself.
 *
 * @param store - the indexer's store (read only).
 * @param options.digestCache - the digest cache (default 8 blocks, 4 builds waiting, past blocks'
 *   builds at most 5% of the time; size 0 turns all of it off: every request builds its snapshot).
 * @param options.maxHeavy - heavy requests (`ApiRoute.heavy`) answered at once (default 2).
 * @param options.lanes - statement lanes (createQueryLanes); `false` sends every statement straight
 *   to the store, as before the lanes (the benchmark's anchor).
 * @returns a node:http server.
 * @example
 * const server = createApiServer(store);
 * server.listen(8787, "127.0.0.1");
 */
export function createApiServer(
  store: Store,
  options: { digestCache?: DigestCacheOptions; maxHeavy?: number; lanes?: QueryLaneOptions | false } = {},
): Server {
  const lanes = options.lanes === false ? { cheap: store, heavy: store } : createQueryLanes(store, options.lanes);
  const cheapStore: Store = { ...store, ...lanes.cheap, info: store.info };
  const routes = defineApiRoutes(cheapStore, createDigestCache(lanes.heavy, options.digestCache), lanes.heavy);
  const maxHeavy = options.maxHeavy ?? 2;
  if (!Number.isSafeInteger(maxHeavy) || maxHeavy < 1)
    throw new RangeError(`createApiServer: maxHeavy (${String(options.maxHeavy)}) must be a positive integer.`);
  let heavyRunning = 0;
  const openApi = buildOpenApiDocument(routes);
  const app = new Hono({ strict: false });

  app.use(async (c, next) => {
    const method = c.req.method;
    if (method === "OPTIONS")
      return new Response(null, { status: 204, headers: { ...CORS, "access-control-max-age": "86400" } });
    if (method !== "GET" && method !== "HEAD") {
      return send(405, {
        error: { code: "method_not_allowed", message: `${method} is not allowed: the API is read-only (GET).` },
      });
    }
    await next();
  });
  app.get("/openapi.json", () => send(200, openApi));
  for (const route of routes) {
    const segments = route.path.split("/");
    app.get(route.path.replace(/\{([a-z]+)\}/g, ":$1"), async (c) => {
      // Path parameters from the raw URL, so a malformed %-escape is a 400 naming the parameter.
      const raw = rawPathname(c.req.url).split("/");
      const params: Record<string, string> = {};
      segments.forEach((s, i) => {
        if (s.startsWith("{")) params[s.slice(1, -1)] = decodePathParameter(s.slice(1, -1), raw[i] ?? "");
      });
      if (!route.heavy) return send(200, await answerApiRoute(route, params, readQuery(c.req.url)));
      if (heavyRunning >= maxHeavy) {
        throw new ApiRequestError(
          429,
          "busy",
          `Too many heavy requests at once (at most ${maxHeavy}: whole batches, parties, holdings, flows); retry in 1 s.`,
          undefined,
          { "retry-after": "1" },
        );
      }
      heavyRunning++;
      try {
        return send(200, await answerApiRoute(route, params, readQuery(c.req.url)));
      } finally {
        heavyRunning--;
      }
    });
  }
  app.notFound((c) => {
    throw new ApiRequestError(404, "not_found", `No route ${rawPathname(c.req.url)}. See /openapi.json.`);
  });
  app.onError((e) =>
    e instanceof ApiRequestError
      ? send(
          e.status,
          { error: { code: e.code, message: e.shortMessage, ...(e.problems ? { details: e.problems } : {}) } },
          e.headers,
        )
      : send(500, { error: { code: "internal", message: "Internal error." } }),
  );
  return createServer(getRequestListener(app.fetch));
}
