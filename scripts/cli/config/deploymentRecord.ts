import { z } from "zod";

/** The schema of `.keytrail/deployments/<chainId>.json`, written by `keytrail deploy`. */
export const deploymentRecordSchema = z.object({
  chainId: z.number().int().positive(),
  ledger: z.string().regex(/^0x[0-9a-fA-F]{40}$/),
  deployBlock: z.number().int().nonnegative(),
  admin: z.string().regex(/^0x[0-9a-fA-F]{40}$/),
  txHash: z.string().regex(/^0x[0-9a-fA-F]{64}$/),
});

/** A deployment record. */
export type DeploymentRecord = z.infer<typeof deploymentRecordSchema>;
