import { ApiRequestError } from "./ApiRequestError.js";

/**
 * The query parameters of a request URL as a null-prototype object ("constructor", "__proto__" or
 * "toString" are plain keys here); a key given twice is a 400 naming it.
 *
 * @param url - the request URL (absolute, or a path with its query).
 * @returns the parameters, each once.
 * @example
 * readQuery("/batches?limit=5") // { limit: "5" }
 */
export function readQuery(url: string): Record<string, string> {
  const query: Record<string, string> = Object.create(null) as Record<string, string>;
  const q = url.indexOf("?");
  if (q < 0) return query;
  const hash = url.indexOf("#", q);
  for (const [k, v] of new URLSearchParams(url.slice(q + 1, hash < 0 ? undefined : hash))) {
    if (Object.hasOwn(query, k))
      throw new ApiRequestError(400, "invalid_parameter", `Parameter ${k} is given twice.`, [
        { parameter: k, problem: "given twice" },
      ]);
    query[k] = v;
  }
  return query;
}
