import type { RegisterCommand } from "../types.js";

/** Loads one top-level command's module (and what it imports) and returns its register function. */
export type CommandLoader = () => Promise<RegisterCommand>;

/**
 * Every top-level command, in help order, each loaded on use (a command's modules load only when
 * it runs or shows its help). To add one: write scripts/cli/commands/<name>.ts exporting
 * `register<Name>Command(program: Command): void`, then add one line here.
 */
export const commandRegistry: readonly CommandLoader[] = [
  async () => (await import("./init.js")).registerInitCommand,
  async () => (await import("./deploy.js")).registerDeployCommand,
  async () => (await import("./party.js")).registerPartyCommand,
  async () => (await import("./role.js")).registerRoleCommand,
  async () => (await import("./authorize.js")).registerAuthorizeCommands,
  async () => (await import("./redeemer.js")).registerRedeemerCommand,
  async () => (await import("./batch.js")).registerBatchCommand,
  async () => (await import("./transfer.js")).registerTransferCommand,
  async () => (await import("./revoke.js")).registerRevokeCommands,
  async () => (await import("./redeem.js")).registerRedeemCommand,
  async () => (await import("./sell.js")).registerSellCommand,
  async () => (await import("./refund.js")).registerRefundCommand,
  async () => (await import("./verify.js")).registerVerifyCommand,
  async () => (await import("./status.js")).registerStatusCommand,
  async () => (await import("./index.js")).registerIndexCommand,
  async () => (await import("./serve.js")).registerServeCommand,
  async () => (await import("./gateway.js")).registerGatewayCommand,
  async () => (await import("./export.js")).registerExportCommand,
  async () => (await import("./audit.js")).registerAuditCommand,
  async () => (await import("./portal.js")).registerPortalCommand,
];
