import { z } from "zod";

const address = z.string().regex(/^0x[0-9a-fA-F]{40}$/, "expected a 0x-prefixed 20-byte address");

/** Where the signing key comes from. Secrets themselves never appear in the config file. */
export const accountSourceSchema = z.discriminatedUnion("source", [
  z.object({ source: z.literal("env"), variable: z.string().default("KEYTRAIL_PRIVATE_KEY") }),
  z.object({ source: z.literal("keystore"), path: z.string().min(1) }),
  z.object({ source: z.literal("test"), index: z.number().int().min(0).max(19) }),
]);

/** The schema of keytrail.config.json. */
export const configSchema = z.object({
  network: z.string().min(1).default("localhost"),
  chainId: z.number().int().positive().optional(),
  rpcUrls: z.array(z.string().url()).min(1).default(["http://127.0.0.1:8545"]),
  ledger: address.optional(),
  /** Block the ledger was deployed in: log scans (hints, anchors, redemptions) start there. */
  deployBlock: z.number().int().nonnegative().optional(),
  account: accountSourceSchema.optional(),
  portalBase: z.string().url().optional(),
});

/** keytrail.config.json after validation. */
export type KeytrailConfig = z.infer<typeof configSchema>;
/** Where the signing key comes from. */
export type AccountSource = z.infer<typeof accountSourceSchema>;
