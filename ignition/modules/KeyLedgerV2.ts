import { buildModule } from "@nomicfoundation/hardhat-ignition/modules";

/**
 * Deploys KeyLedger v2: the sale module first, then the ledger that delegates sale calls to it.
 * Parameters: `admin` (DEFAULT_ADMIN_ROLE and REGISTRAR_ROLE; default the deploying account) and
 * `adminDelay` (seconds before an accepted admin handover takes effect; default 1 day).
 *
 * @example
 * npx hardhat ignition deploy ignition/modules/KeyLedgerV2.ts --network l2 --parameters '{"KeyLedgerV2Module":{"admin":"0x…","adminDelay":172800}}'
 */
export default buildModule("KeyLedgerV2Module", (m) => {
  const admin = m.getParameter("admin", m.getAccount(0));
  const adminDelay = m.getParameter("adminDelay", 86_400);
  const sales = m.contract("KeyLedgerV2Sales", []);
  const keyLedger = m.contract("KeyLedgerV2", [admin, adminDelay, sales]);
  return { keyLedger, sales };
});
