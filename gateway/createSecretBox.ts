import { createCipheriv, createDecipheriv, randomBytes } from "node:crypto";
import type { Hex } from "viem";
import { GatewayConfigError } from "./errors.js";

/** Seals receipt secrets for the store and opens them again. */
export type SecretBox = {
  /** Whether secrets are encrypted at rest. */
  readonly encrypted: boolean;
  /** The stored form of `secret`, bound to its order and key (`context`). */
  seal(secret: Hex, context: string): string;
  /** The secret of a stored form. */
  open(stored: string, context: string): Hex;
};

const PREFIX = "v1:";

/**
 * Encryption at rest of the receipt secrets the gateway stores: AES-256-GCM with a 32-byte key (from
 * the environment), a random 12-byte IV per secret, and the order and key index as associated data
 * (a sealed secret copied to another row does not open). Without a key, secrets are stored as hex.
 *
 * @param keyHex - the 32-byte key as 64 hex digits (optional `0x`), or undefined.
 * @returns a {@link SecretBox}.
 * @example
 * const box = createSecretBox(process.env.KEYTRAIL_GATEWAY_SECRETS_KEY);
 */
export function createSecretBox(keyHex: string | undefined): SecretBox {
  const text = keyHex?.trim().replace(/^0x/, "");
  if (text !== undefined && text !== "" && !/^[0-9a-fA-F]{64}$/.test(text)) {
    throw new GatewayConfigError(
      `The receipt-secret encryption key (${text.length} characters, not shown) is not 64 hex digits (32 bytes).`,
    );
  }
  const key = text ? Buffer.from(text, "hex") : null;
  return {
    encrypted: key !== null,
    seal(secret, context) {
      if (!key) return secret;
      const iv = randomBytes(12);
      const cipher = createCipheriv("aes-256-gcm", key, iv);
      cipher.setAAD(Buffer.from(context, "utf8"));
      const body = Buffer.concat([cipher.update(Buffer.from(secret.slice(2), "hex")), cipher.final()]);
      return PREFIX + Buffer.concat([iv, body, cipher.getAuthTag()]).toString("base64url");
    },
    open(stored, context) {
      if (!stored.startsWith(PREFIX)) return stored as Hex;
      if (!key) {
        throw new GatewayConfigError(
          "The store holds encrypted receipt secrets but no key is set: set KEYTRAIL_GATEWAY_SECRETS_KEY.",
        );
      }
      const raw = Buffer.from(stored.slice(PREFIX.length), "base64url");
      try {
        const decipher = createDecipheriv("aes-256-gcm", key, raw.subarray(0, 12));
        decipher.setAAD(Buffer.from(context, "utf8"));
        decipher.setAuthTag(raw.subarray(raw.length - 16));
        const plain = Buffer.concat([decipher.update(raw.subarray(12, raw.length - 16)), decipher.final()]);
        return `0x${plain.toString("hex")}`;
      } catch (e) {
        throw new GatewayConfigError(`A stored receipt secret (${context}) does not open with the configured key.`, {
          cause: e,
        });
      }
    },
  };
}
