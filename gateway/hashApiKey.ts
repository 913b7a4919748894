import { createHash, randomBytes } from "node:crypto";

/**
 * The form an API key is stored in: hex sha256 of the key (keys are 32 random bytes, so a plain hash
 * is enough: no dictionary to guess from).
 *
 * @param apiKey - the key as the client sends it.
 * @returns 64 hex digits.
 * @example
 * const keyHash = hashApiKey(request.header("authorization").slice(7));
 */
export function hashApiKey(apiKey: string): string {
  return createHash("sha256").update(apiKey, "utf8").digest("hex");
}

/**
 * A new API key: `kt_` and 43 base64url characters (32 random bytes). Shown once, stored hashed.
 *
 * @returns the key.
 * @example
 * const apiKey = createApiKey();
 */
export function createApiKey(): string {
  return `kt_${randomBytes(32).toString("base64url")}`;
}
