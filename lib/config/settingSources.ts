/**
 * Where the CLI, the indexer commands and the audit look for the RPC URL(s) and the ledger
 * address, strongest first: the command-line flag (`--rpc-url` / `--rpc`, `--ledger`), the
 * environment (`KEYTRAIL_RPC_URL`, `KEYTRAIL_LEDGER`), keytrail.config.json, and (ledger only) the
 * deployment record written by `keytrail deploy`. The first source holding a non-empty value wins;
 * an empty value (`KEYTRAIL_LEDGER=`) counts as unset. docs/CLI.md documents the same order.
 */
export const SETTING_SOURCES = ["flag", "environment", "config", "deployment"] as const;

/** One of {@link SETTING_SOURCES}. */
export type SettingSource = (typeof SETTING_SOURCES)[number];
