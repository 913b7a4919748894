import type { z } from "zod";
import { ApiRequestError } from "./ApiRequestError.js";

/**
 * Parses query parameters (an object) or one path parameter with a zod schema; on failure throws
 * a 400 {@link ApiRequestError} naming each bad parameter (`name` = the path parameter's name;
 * unknown query keys are named by themselves).
 *
 * @param schema - the parameter's (or the query object's) schema.
 * @param input - the raw value(s).
 * @param name - the path parameter's name in the route.
 * @returns the parsed value.
 * @example
 * const id = parseParameter(batchIdSchema, params.id, "id");
 */
export function parseParameter<T extends z.ZodType>(schema: T, input: unknown, name?: string): z.output<T> {
  const r = schema.safeParse(input);
  if (r.success) return r.data;
  const details = r.error.issues.map((i) => ({
    parameter:
      [name, ...i.path].filter((s) => s !== undefined).join(".") ||
      (i.code === "unrecognized_keys" ? ((i as { keys?: string[] }).keys?.join(",") ?? "") : ""),
    problem: i.message,
  }));
  throw new ApiRequestError(
    400,
    "invalid_parameter",
    `Invalid parameter ${details.map((d) => d.parameter).join(", ")}: ${details.map((d) => d.problem).join("; ")}.`,
    details,
  );
}
