import { z } from "zod";

/** The schema of `.keytrail/deployments/<chainId>.json`, written by `keytrail deploy`. */
export const deploymentRecordSchema = z.object({
  chainId: z.number().int().positive(),
  ledger: z.string().regex(/^0x[0-9a-fA-F]{40}$/),
  deployBlock: z.number().int().nonnegative(),
  admin: z.string().regex(/^0x[0-9a-fA-F]{40}$/),
  txHash: z.string().regex(/^0x[0-9a-fA-F]{64}$/),
  /** Ledger version: 1 (KeyLedger) or 2 (KeyLedgerV2); absent in records written before v2 (= 1). */
  version: z.union([z.literal(1), z.literal(2)]).optional(),
  /** v2: the sale module the ledger delegates sale calls to. */
  sales: z
    .string()
    .regex(/^0x[0-9a-fA-F]{40}$/)
    .optional(),
  /** v2: the admin transfer delay in seconds. */
  adminDelay: z.number().int().nonnegative().optional(),
});

/** A deployment record. */
export type DeploymentRecord = z.infer<typeof deploymentRecordSchema>;
