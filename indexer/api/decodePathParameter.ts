import { ApiRequestError } from "./ApiRequestError.js";

/**
 * A raw path segment %-decoded; a malformed escape (`%E0%A4%A`) is the caller's 400, naming the
 * parameter.
 *
 * @param name - the parameter's name in the route.
 * @param raw - the segment as it came in the URL.
 * @returns the decoded segment.
 * @example
 * decodePathParameter("id", "0x%41") // "0xA"
 */
export function decodePathParameter(name: string, raw: string): string {
  try {
    return decodeURIComponent(raw);
  } catch {
    throw new ApiRequestError(400, "invalid_parameter", `Invalid parameter ${name}: malformed %-escape in "${raw}".`, [
      { parameter: name, problem: "malformed %-escape" },
    ]);
  }
}
