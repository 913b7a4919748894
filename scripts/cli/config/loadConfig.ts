import { existsSync, readFileSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { CliError } from "../errors.js";
import { configSchema, type KeytrailConfig } from "./configSchema.js";

/** The config file name looked for in the working directory. */
export const CONFIG_FILE = "keytrail.config.json";

/** A loaded (or absent) config file and the folder that holds it and `.keytrail/`. */
export type LoadedConfig = { path: string; dir: string; exists: boolean; config: KeytrailConfig };

/**
 * Reads and validates keytrail.config.json. A missing file is not an error (defaults apply); a
 * malformed one is, naming the file and the field.
 *
 * @param path - explicit path (--config), else KEYTRAIL_CONFIG, else ./keytrail.config.json.
 * @returns the {@link LoadedConfig}.
 * @example
 * const { config, dir } = loadConfig(undefined);
 */
export function loadConfig(path: string | undefined): LoadedConfig {
  const file = resolve(path ?? process.env.KEYTRAIL_CONFIG ?? CONFIG_FILE);
  if (!existsSync(file)) {
    if (path)
      throw new CliError(`Config file ${path} does not exist.`, { details: "Create one with `keytrail init`." });
    return { path: file, dir: dirname(file), exists: false, config: configSchema.parse({}) };
  }
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(file, "utf8"));
  } catch (e) {
    throw new CliError(`Config file ${file} is not valid JSON: ${(e as Error).message}.`);
  }
  const parsed = configSchema.safeParse(raw);
  if (!parsed.success) {
    const issues = parsed.error.issues.map((i) => `${i.path.join(".") || "(root)"}: ${i.message}`).join("; ");
    throw new CliError(`Config file ${file} is invalid: ${issues}.`);
  }
  return { path: file, dir: dirname(file), exists: true, config: parsed.data };
}
