import { buildModule } from "@nomicfoundation/hardhat-ignition/modules";

/**
 * Deploys KeyLedger. Parameter `admin` (DEFAULT_ADMIN_ROLE and REGISTRAR_ROLE) defaults to the
 * deploying account (account 0).
 *
 * @example
 * npx hardhat ignition deploy ignition/modules/KeyLedger.ts --network localhost --parameters '{"KeyLedgerModule":{"admin":"0x…"}}'
 */
export default buildModule("KeyLedgerModule", (m) => {
  const admin = m.getParameter("admin", m.getAccount(0));
  const keyLedger = m.contract("KeyLedger", [admin]);
  return { keyLedger };
});
