import { OpenAPIHono, createRoute, z } from "@hono/zod-openapi";
import { ApiErrorSchema } from "./defineApiRoutes.js";
import type { ApiRoute } from "./defineApiRoutes.js";

const ERRORS = {
  400: "A parameter is invalid (the error names it)",
  404: "No such resource",
  429: "busy: too many heavy requests at once (whole batches, parties, holdings, flows); retry after the retry-after header (seconds)",
  503: "busy: too many digest builds for past blocks; retry after the retry-after header (seconds)",
} as const;

/**
 * The OpenAPI 3.1 document of the read API (served at /openapi.json), generated from the routes'
 * zod schemas: the same schemas that validate the requests.
 *
 * @param routes - the routes (defineApiRoutes).
 * @returns the document.
 * @example
 * const doc = buildOpenApiDocument(defineApiRoutes(store, digests));
 */
export function buildOpenApiDocument(routes: readonly ApiRoute[]) {
  const app = new OpenAPIHono();
  const error = { "application/json": { schema: ApiErrorSchema } };
  for (const r of routes) {
    app.openAPIRegistry.registerPath(
      createRoute({
        method: "get",
        path: r.path,
        summary: r.summary,
        request: {
          ...(Object.keys(r.params).length ? { params: z.object(r.params) } : {}),
          ...(Object.keys(r.query.shape).length ? { query: r.query } : {}),
        },
        responses: {
          200: { description: r.answers },
          ...Object.fromEntries(r.errors.map((s) => [s, { description: ERRORS[s], content: error }])),
        },
      }),
    );
  }
  app.openAPIRegistry.registerPath(
    createRoute({
      method: "get",
      path: "/openapi.json",
      summary: "This document",
      responses: { 200: { description: "OpenAPI 3.1" } },
    }),
  );
  return app.getOpenAPI31Document({
    openapi: "3.1.0",
    info: {
      title: "KeyTrail indexer API",
      version: "1.0.0",
      description:
        "Read-only provenance graph of a KeyLedger: batches, parties, custody chains, holdings, flows, state digest.",
    },
  });
}
