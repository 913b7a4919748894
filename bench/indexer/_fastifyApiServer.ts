import { createServer } from "node:http";
import type { Server } from "node:http";
import Fastify from "fastify";
import { ApiRequestError } from "../../indexer/api/ApiRequestError.js";
import { buildOpenApiDocument } from "../../indexer/api/buildOpenApiDocument.js";
import { createDigestCache } from "../../indexer/api/createDigestCache.js";
import type { DigestCacheOptions } from "../../indexer/api/createDigestCache.js";
import { decodePathParameter } from "../../indexer/api/decodePathParameter.js";
import { answerApiRoute, defineApiRoutes } from "../../indexer/api/defineApiRoutes.js";
import { readQuery } from "../../indexer/api/readQuery.js";
import type { Store } from "../../indexer/store/types.js";

const CORS = {
  "access-control-allow-origin": "*",
  "access-control-allow-methods": "GET, HEAD, OPTIONS",
  "access-control-allow-headers": "content-type",
};

/**
 * The read API's route table (defineApiRoutes) served by Fastify, for the framework benchmark: the
 * same routes, validation, answers and headers as createApiServer (Hono).
 *
 * @param store - the indexer's store (read only).
 * @param options.digestCache - as createApiServer's.
 * @returns a node:http server, ready: call `listen(port, host)`.
 * @example
 * const server = await createFastifyApiServer(store);
 */
export async function createFastifyApiServer(
  store: Store,
  options: { digestCache?: DigestCacheOptions } = {},
): Promise<Server> {
  const routes = defineApiRoutes(store, createDigestCache(store, options.digestCache));
  const openApi = JSON.stringify(buildOpenApiDocument(routes));
  const headers = (status: number, extra: Record<string, string> = {}) => ({
    ...extra,
    "content-type": "application/json; charset=utf-8",
    ...CORS,
    "cache-control": status === 200 ? "public, max-age=5" : "no-store",
    "x-content-type-options": "nosniff",
  });
  const app = Fastify({
    serverFactory: (handler) => createServer(handler),
    routerOptions: { ignoreTrailingSlash: true, querystringParser: () => ({}) },
    // Fastify refuses a malformed %-escape before routing: name the parameter as the API does.
    frameworkErrors: (e, req, reply) => {
      const path = (req.raw.url ?? "/")
        .split(/[?#]/)[0]!
        .replace(/(?<=.)\/$/, "")
        .split("/");
      const route = routes.find((r) => {
        const s = r.path.split("/");
        return s.length === path.length && s.every((x, i) => x.startsWith("{") || x === path[i]);
      });
      const e400 =
        route &&
        route.path.split("/").flatMap((x, i) => {
          if (!x.startsWith("{")) return [];
          try {
            decodePathParameter(x.slice(1, -1), path[i]!);
            return [];
          } catch (bad) {
            return [bad as ApiRequestError];
          }
        })[0];
      const status = e400 ? 400 : (e.statusCode ?? 400);
      const error = e400
        ? { code: e400.code, message: e400.shortMessage, details: e400.problems }
        : { code: "invalid_parameter", message: e.message };
      const r = reply as unknown as { code(s: number): { headers(h: object): { send(b: string): void } } };
      r.code(status).headers(headers(status)).send(JSON.stringify({ error }));
    },
  });
  app.addHook("onRequest", async (req, reply) => {
    if (req.method === "OPTIONS")
      return reply
        .code(204)
        .headers({ ...CORS, "access-control-max-age": "86400" })
        .send();
    if (req.method !== "GET" && req.method !== "HEAD") {
      const message = `${req.method} is not allowed: the API is read-only (GET).`;
      return reply
        .code(405)
        .headers(headers(405))
        .send(JSON.stringify({ error: { code: "method_not_allowed", message } }));
    }
  });
  app.get("/openapi.json", async (_req, reply) => reply.headers(headers(200)).send(openApi));
  for (const route of routes) {
    const segments = route.path.split("/");
    app.get(route.path.replace(/\{([a-z]+)\}/g, ":$1"), async (req, reply) => {
      const url = req.raw.url ?? "/";
      const q = url.search(/[?#]/);
      const raw = (q < 0 ? url : url.slice(0, q)).split("/");
      const params: Record<string, string> = {};
      segments.forEach((s, i) => {
        if (s.startsWith("{")) params[s.slice(1, -1)] = decodePathParameter(s.slice(1, -1), raw[i] ?? "");
      });
      const body = await answerApiRoute(route, params, readQuery(url));
      return reply.headers(headers(200)).send(JSON.stringify(body));
    });
  }
  app.setNotFoundHandler(async (req, reply) => {
    const url = req.raw.url ?? "/";
    const message = `No route ${url.split(/[?#]/)[0]}. See /openapi.json.`;
    return reply
      .code(404)
      .headers(headers(404))
      .send(JSON.stringify({ error: { code: "not_found", message } }));
  });
  app.setErrorHandler(async (e, _req, reply) => {
    if (e instanceof ApiRequestError) {
      const error = { code: e.code, message: e.shortMessage, ...(e.problems ? { details: e.problems } : {}) };
      return reply.code(e.status).headers(headers(e.status, e.headers)).send(JSON.stringify({ error }));
    }
    return reply
      .code(500)
      .headers(headers(500))
      .send(JSON.stringify({ error: { code: "internal", message: "Internal error." } }));
  });
  await app.ready();
  return app.server;
}
