import type { RegisterCommand } from "../types.js";
import { registerAuditCommand } from "./audit.js";
import { registerAuthorizeCommands } from "./authorize.js";
import { registerBatchCommand } from "./batch.js";
import { registerDeployCommand } from "./deploy.js";
import { registerExportCommand } from "./export.js";
import { registerIndexCommand } from "./index.js";
import { registerInitCommand } from "./init.js";
import { registerPartyCommand } from "./party.js";
import { registerPortalCommand } from "./portal.js";
import { registerRedeemCommand } from "./redeem.js";
import { registerRedeemerCommand } from "./redeemer.js";
import { registerRevokeCommands } from "./revoke.js";
import { registerRoleCommand } from "./role.js";
import { registerServeCommand } from "./serve.js";
import { registerStatusCommand } from "./status.js";
import { registerTransferCommand } from "./transfer.js";
import { registerVerifyCommand } from "./verify.js";

/**
 * Every top-level command, in help order. To add one: write scripts/cli/commands/<name>.ts
 * exporting `register<Name>Command(program: Command): void`, then add one line here.
 */
export const commandRegistry: readonly RegisterCommand[] = [
  registerInitCommand,
  registerDeployCommand,
  registerPartyCommand,
  registerRoleCommand,
  registerAuthorizeCommands,
  registerRedeemerCommand,
  registerBatchCommand,
  registerTransferCommand,
  registerRevokeCommands,
  registerRedeemCommand,
  registerVerifyCommand,
  registerStatusCommand,
  registerIndexCommand,
  registerServeCommand,
  registerExportCommand,
  registerAuditCommand,
  registerPortalCommand,
];
