import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import { PortalConfigError } from "../errors.js";

/** The portal's build configuration (public values only: it is embedded in the built pages). */
export type PortalConfig = {
  /** Chain id the ledger lives on; payloads for any other chain get the "wrong chain" verdict. */
  chainId: number;
  /** Human name of the chain, shown to users (e.g. "Hardhat local"). */
  chainName: string;
  /** JSON-RPC endpoints tried in order; their origins are the only non-'self' entries of connect-src. */
  rpcUrls: string[];
  /** KeyLedger contract address. */
  ledger: `0x${string}`;
  /**
   * The ledger's version (1 or 2) as the deployment knows it, or undefined when not given. Only a hint
   * for the verify page's first round of requests: the page still asks the chain (`SALES()`) in that
   * same round and reads by the chain's answer (docs/PORTAL.md, "What the page asks, and when").
   */
  ledgerVersion?: 1 | 2;
  /** Public base URL of the portal, e.g. https://verify.example.cn (a path prefix is allowed). */
  portalBase: string;
  /** Block explorer base URL for tx and address links (links only, never fetched); empty for none. */
  explorerUrl: string;
  /** Folder of the indexer's static export, copied to `<dist>/export/`; empty when there is none yet. */
  exportDir: string;
};

export { PortalConfigError };

const FIELDS = {
  chainId: "KEYTRAIL_CHAIN_ID",
  chainName: "KEYTRAIL_CHAIN_NAME",
  rpcUrls: "KEYTRAIL_RPC_URLS",
  ledger: "KEYTRAIL_LEDGER",
  ledgerVersion: "KEYTRAIL_LEDGER_VERSION",
  portalBase: "KEYTRAIL_PORTAL_BASE",
  explorerUrl: "KEYTRAIL_EXPLORER_URL",
  exportDir: "KEYTRAIL_EXPORT_DIR",
} as const;

/**
 * Reads the portal configuration: a JSON file named by `KEYTRAIL_PORTAL_CONFIG` (or `file`),
 * overridden field by field by environment variables (`KEYTRAIL_CHAIN_ID`, `KEYTRAIL_RPC_URLS`
 * comma-separated, `KEYTRAIL_LEDGER`, `KEYTRAIL_LEDGER_VERSION`, `KEYTRAIL_PORTAL_BASE`, `KEYTRAIL_EXPLORER_URL`,
 * `KEYTRAIL_EXPORT_DIR`, `KEYTRAIL_CHAIN_NAME`), then validated.
 *
 * @param env - environment to read (defaults to `process.env`)
 * @param file - JSON config file path (defaults to `env.KEYTRAIL_PORTAL_CONFIG`)
 * @param flags - command-line flags that set fields (named in error messages instead of the variable)
 * @returns the validated configuration; `exportDir` is made absolute relative to the JSON file
 * @throws PortalConfigError naming the field, its source and what was expected
 * @example
 * const config = loadPortalConfig({ KEYTRAIL_CHAIN_ID: "31337", KEYTRAIL_RPC_URLS: "http://127.0.0.1:8545",
 *   KEYTRAIL_LEDGER: "0x5FbDB2315678afecb367f032d93F642f64180aa3", KEYTRAIL_PORTAL_BASE: "http://127.0.0.1:4321" });
 */
export function loadPortalConfig(
  env: Record<string, string | undefined> = process.env,
  file = env.KEYTRAIL_PORTAL_CONFIG,
  flags: Partial<Record<keyof typeof FIELDS, string>> = {},
): PortalConfig {
  const raw: Record<string, unknown> = {};
  const source: Record<string, string> = {};
  let fileDir = process.cwd();
  if (file) {
    const path = resolve(file);
    fileDir = resolve(path, "..");
    let parsed: unknown;
    try {
      parsed = JSON.parse(readFileSync(path, "utf8"));
    } catch (error) {
      throw new PortalConfigError(
        `Invalid portal config file ${file}: ${(error as Error).message}. Expected a JSON object.`,
      );
    }
    if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) {
      throw new PortalConfigError(`Invalid portal config file ${file}: expected a JSON object.`);
    }
    for (const [k, v] of Object.entries(parsed)) {
      if (!(k in FIELDS))
        throw new PortalConfigError(
          `Invalid portal config file ${file}: unknown field "${k}" (known: ${Object.keys(FIELDS).join(", ")}).`,
        );
      raw[k] = v;
      source[k] = `${file} field "${k}"`;
    }
  }
  for (const [field, name] of Object.entries(FIELDS)) {
    const v = env[name];
    if (v !== undefined && v !== "") {
      raw[field] =
        field === "rpcUrls"
          ? v
              .split(",")
              .map((s) => s.trim())
              .filter(Boolean)
          : v;
      const flag = flags[field as keyof typeof FIELDS];
      source[field] = flag ? `flag ${flag}` : `environment variable ${name}`;
    }
  }
  const where = (field: keyof typeof FIELDS) =>
    source[field] ?? `${FIELDS[field]} (environment) or "${field}" in the config file`;
  const bad = (field: keyof typeof FIELDS, expected: string): never => {
    const got = raw[field] === undefined ? "nothing" : JSON.stringify(raw[field]);
    throw new PortalConfigError(`Invalid portal config ${where(field)}: got ${got}; expected ${expected}.`);
  };

  const chainId = Number(raw.chainId);
  if (!Number.isSafeInteger(chainId) || chainId <= 0) bad("chainId", "a positive integer chain id");

  const rpcUrls = raw.rpcUrls;
  if (!Array.isArray(rpcUrls) || rpcUrls.length === 0) bad("rpcUrls", "one or more http(s) JSON-RPC URLs");
  for (const u of rpcUrls as unknown[]) {
    if (typeof u !== "string" || !isHttpUrl(u)) bad("rpcUrls", "http(s) URLs only");
  }

  const ledger = raw.ledger;
  if (typeof ledger !== "string" || !/^0x[0-9a-fA-F]{40}$/.test(ledger))
    bad("ledger", "a 0x-prefixed 20-byte contract address");

  const rawVersion = raw.ledgerVersion;
  const ledgerVersion =
    rawVersion === undefined
      ? undefined
      : rawVersion === 1 || rawVersion === "1"
        ? 1
        : rawVersion === 2 || rawVersion === "2"
          ? 2
          : undefined;
  if (rawVersion !== undefined && ledgerVersion === undefined)
    bad("ledgerVersion", "1 or 2 (the KeyLedger version deployed at ledger), or nothing");

  const portalBase = raw.portalBase;
  if (typeof portalBase !== "string" || !isHttpUrl(portalBase))
    bad("portalBase", "the portal's public http(s) base URL");

  const explorerUrl = raw.explorerUrl ?? "";
  if (typeof explorerUrl !== "string" || (explorerUrl !== "" && !isHttpUrl(explorerUrl)))
    bad("explorerUrl", "an http(s) URL or nothing");

  const exportDir = raw.exportDir ?? "";
  if (typeof exportDir !== "string") bad("exportDir", "a folder path");

  const chainName = raw.chainName ?? `chain ${chainId}`;
  if (typeof chainName !== "string" || chainName.length > 64) bad("chainName", "a short name");

  return {
    chainId,
    chainName: chainName as string,
    rpcUrls: rpcUrls as string[],
    ledger: ledger as `0x${string}`,
    ...(ledgerVersion !== undefined ? { ledgerVersion } : {}),
    portalBase: (portalBase as string).replace(/\/+$/, ""),
    explorerUrl: (explorerUrl as string).replace(/\/+$/, ""),
    exportDir: exportDir
      ? resolve(source.exportDir?.startsWith("environment") ? process.cwd() : fileDir, exportDir as string)
      : "",
  };
}

function isHttpUrl(s: string): boolean {
  try {
    const u = new URL(s);
    return (u.protocol === "http:" || u.protocol === "https:") && u.username === "" && u.password === "";
  } catch {
    return false;
  }
}
