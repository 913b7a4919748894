import hre from "hardhat";
import { beforeAll, describe, expect, it } from "vitest";

/** EIP-170: the largest deployed bytecode a chain accepts (Hardhat's in-process chain enforces it too). */
const EIP170_LIMIT = 24_576;

/**
 * Size budget for every contract under contracts/: the deployed bytecode of each compiled artifact
 * (optimizer settings of hardhat.config.ts) must fit EIP-170, so a change that pushes a contract over
 * fails CI here rather than at deployment.
 */
describe("deployed bytecode sizes (EIP-170 budget)", () => {
  const sizes = new Map<string, number>();

  beforeAll(async () => {
    await hre.tasks.getTask("build").run({ quiet: true, noTests: true });
    for (const name of await hre.artifacts.getAllFullyQualifiedNames()) {
      if (!name.startsWith("contracts/")) continue;
      const artifact = await hre.artifacts.readArtifact(name);
      sizes.set(name, (artifact.deployedBytecode.length - 2) / 2);
    }
  });

  it("measures the ledger contracts", () => {
    for (const name of [
      "contracts/KeyLedger.sol:KeyLedger",
      "contracts/v2/KeyLedgerV2.sol:KeyLedgerV2",
      "contracts/v2/KeyLedgerV2Sales.sol:KeyLedgerV2Sales",
    ]) {
      expect(sizes.get(name), name).toBeGreaterThan(0);
    }
  });

  it(`keeps every contract at or under ${EIP170_LIMIT} bytes`, () => {
    const over = [...sizes]
      .filter(([, bytes]) => bytes > EIP170_LIMIT)
      .map(([name, bytes]) => `${name}: ${bytes} bytes`);
    expect(over).toEqual([]);
  });
});
