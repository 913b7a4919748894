/** OpenAPI 3.1 description of the read-only API (served at /openapi.json). */
export const openApiDocument = {
  openapi: "3.1.0",
  info: {
    title: "KeyTrail indexer API",
    version: "1.0.0",
    description:
      "Read-only provenance graph of a KeyLedger: batches, parties, custody chains, holdings, flows, state digest.",
  },
  components: {
    parameters: {
      limit: { name: "limit", in: "query", schema: { type: "integer", minimum: 1, maximum: 500, default: 100 } },
      offset: { name: "offset", in: "query", schema: { type: "integer", minimum: 0, maximum: 1000000, default: 0 } },
      batchId: { name: "id", in: "path", required: true, schema: { type: "string", pattern: "^0x[0-9a-fA-F]{64}$" } },
      address: { name: "addr", in: "path", required: true, schema: { type: "string", pattern: "^0x[0-9a-fA-F]{40}$" } },
      index: {
        name: "index",
        in: "path",
        required: true,
        schema: { type: "integer", minimum: 0, maximum: 281474976710655 },
      },
    },
    schemas: {
      Error: {
        type: "object",
        required: ["error"],
        properties: {
          error: {
            type: "object",
            required: ["code", "message"],
            properties: {
              code: { type: "string", enum: ["invalid_parameter", "not_found", "method_not_allowed", "internal"] },
              message: { type: "string" },
              details: {
                type: "array",
                items: { type: "object", properties: { parameter: { type: "string" }, problem: { type: "string" } } },
              },
            },
          },
        },
      },
      Page: {
        type: "object",
        required: ["items", "limit", "offset", "total"],
        properties: {
          items: { type: "array" },
          limit: { type: "integer" },
          offset: { type: "integer" },
          total: { type: "integer" },
        },
      },
      Hop: {
        type: "object",
        properties: {
          kind: { enum: ["anchor", "transfer"] },
          from: { type: ["string", "null"] },
          to: { type: "string" },
          start: { type: "integer" },
          end: { type: "integer" },
          tx: { type: "string" },
          block: { type: "integer" },
          logIndex: { type: "integer" },
          timestamp: { type: "integer" },
          authorized: { type: ["boolean", "null"] },
          memo: { type: ["string", "null"] },
        },
      },
    },
    responses: {
      BadRequest: {
        description: "A parameter is invalid",
        content: { "application/json": { schema: { $ref: "#/components/schemas/Error" } } },
      },
      NotFound: {
        description: "No such resource",
        content: { "application/json": { schema: { $ref: "#/components/schemas/Error" } } },
      },
    },
  },
  paths: {
    "/status": { get: { summary: "Chain, ledger, store and cursor", responses: { "200": { description: "Status" } } } },
    "/batches": {
      get: {
        summary: "Batch summaries in anchoring order",
        parameters: [
          { name: "supplier", in: "query", schema: { type: "string", pattern: "^0x[0-9a-fA-F]{40}$" } },
          { $ref: "#/components/parameters/limit" },
          { $ref: "#/components/parameters/offset" },
        ],
        responses: {
          "200": {
            description: "A page of ExportBatchSummary",
            content: { "application/json": { schema: { $ref: "#/components/schemas/Page" } } },
          },
          "400": { $ref: "#/components/responses/BadRequest" },
        },
      },
    },
    "/batches/{id}": {
      get: {
        summary: "One batch with holders, frozen ranges, redemption words (each list paged, with totals)",
        parameters: [
          { $ref: "#/components/parameters/batchId" },
          {
            name: "limit",
            in: "query",
            description: "entries per list (holderRanges, frozen, redeemedWords) and ranges per holder",
            schema: { type: "integer", minimum: 1, maximum: 500, default: 500 },
          },
          { $ref: "#/components/parameters/offset" },
        ],
        responses: {
          "200": {
            description:
              "ExportBatchDetail with each list sliced to offset..offset+limit, each holder's rangeCount, " +
              "and limit, offset, totals { holderRanges, frozen, redeemedWords }",
          },
          "400": { $ref: "#/components/responses/BadRequest" },
          "404": { $ref: "#/components/responses/NotFound" },
        },
      },
    },
    "/batches/{id}/keys/{index}": {
      get: {
        summary: "One key: holder, frozen reason, redeemed, sold, its sales and refunds",
        parameters: [{ $ref: "#/components/parameters/batchId" }, { $ref: "#/components/parameters/index" }],
        responses: {
          "200": { description: "Key status" },
          "400": { $ref: "#/components/responses/BadRequest" },
          "404": { $ref: "#/components/responses/NotFound" },
        },
      },
    },
    "/batches/{id}/keys/{index}/custody": {
      get: {
        summary: "Custody chain of one key (anchoring first), current holder",
        parameters: [{ $ref: "#/components/parameters/batchId" }, { $ref: "#/components/parameters/index" }],
        responses: {
          "200": {
            description:
              "CustodyChain: { batchId, index, supplier, holder, frozen, redeemed, sold, hops: Hop[], sales: Sale[] }",
          },
          "400": { $ref: "#/components/responses/BadRequest" },
          "404": { $ref: "#/components/responses/NotFound" },
        },
      },
    },
    "/parties": {
      get: {
        summary: "Party summaries in registration order",
        parameters: [
          { name: "kind", in: "query", schema: { enum: ["supplier", "distributor", "retailer"] } },
          { $ref: "#/components/parameters/limit" },
          { $ref: "#/components/parameters/offset" },
        ],
        responses: {
          "200": { description: "A page of ExportPartySummary" },
          "400": { $ref: "#/components/responses/BadRequest" },
        },
      },
    },
    "/parties/{addr}": {
      get: {
        summary: "One party: registration, authorisations, redeemers, flows",
        parameters: [{ $ref: "#/components/parameters/address" }],
        responses: {
          "200": { description: "ExportPartyDetail without holdingsByBatch" },
          "400": { $ref: "#/components/responses/BadRequest" },
          "404": { $ref: "#/components/responses/NotFound" },
        },
      },
    },
    "/parties/{addr}/holdings": {
      get: {
        summary: "Holdings per batch: ranges, counts, frozen, redeemed, sold (the rest is in stock)",
        parameters: [
          { $ref: "#/components/parameters/address" },
          { $ref: "#/components/parameters/limit" },
          { $ref: "#/components/parameters/offset" },
        ],
        responses: {
          "200": { description: "Holdings: totals and a page of ExportHolding" },
          "400": { $ref: "#/components/responses/BadRequest" },
        },
      },
    },
    "/flows": {
      get: {
        summary: "Aggregated custody flows between parties in a time window",
        parameters: [
          { name: "from", in: "query", schema: { type: "string" } },
          { name: "to", in: "query", schema: { type: "string" } },
          { name: "party", in: "query", schema: { type: "string" } },
          { name: "batch", in: "query", schema: { type: "string" } },
          { name: "since", in: "query", schema: { type: "integer" } },
          { name: "until", in: "query", schema: { type: "integer" } },
          { $ref: "#/components/parameters/limit" },
          { $ref: "#/components/parameters/offset" },
        ],
        responses: {
          "200": { description: "{ items: ExportFlow[], limit, offset }" },
          "400": { $ref: "#/components/responses/BadRequest" },
        },
      },
    },
    "/digest": {
      get: {
        summary: "State digest at a block (docs/STATE-DIGEST.md); cached per block",
        parameters: [
          {
            name: "block",
            in: "query",
            description: "at most the indexed cursor (default: the cursor)",
            schema: { type: "integer", minimum: 0 },
          },
        ],
        responses: {
          "200": { description: "{ block, digest }" },
          "400": { $ref: "#/components/responses/BadRequest" },
          "503": {
            description: "busy: too many digest builds for past blocks; retry after the retry-after header (seconds)",
            content: { "application/json": { schema: { $ref: "#/components/schemas/Error" } } },
          },
        },
      },
    },
    "/openapi.json": { get: { summary: "This document", responses: { "200": { description: "OpenAPI 3.1" } } } },
  },
} as const;
