import type { Command } from "commander";

/** Options every command accepts (declared once on the root program). */
export type GlobalOptions = {
  config?: string;
  rpcUrl?: string;
  ledger?: string;
  chainId?: string;
  account?: string;
  keystore?: string;
  quiet?: boolean;
};

/** A function that adds one top-level command (with its subcommands) to the program. */
export type RegisterCommand = (program: Command) => void;
