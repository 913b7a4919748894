import { z } from "zod";

/** One key read from a key file, normalised (docs/FORMATS.md), with its 1-based line number. */
export const keyRecordSchema = z
  .object({
    line: z.number().int().min(1),
    serial: z.string().min(1).optional(),
    pin: z.string().min(1),
  })
  .strict();

/** One key of a key file (see {@link keyRecordSchema}). */
export type KeyRecord = z.infer<typeof keyRecordSchema>;
