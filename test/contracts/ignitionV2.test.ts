import hre from "hardhat";
import { keccak256, toHex, type Address } from "viem";
import { describe, expect, it } from "vitest";
import KeyLedgerV2Module from "../../ignition/modules/KeyLedgerV2.js";
import { keyLedgerV2Abi } from "../../lib/abi/keyLedgerV2Abi.js";

describe("Ignition module KeyLedgerV2", () => {
  it("deploys the sale module, then the ledger wired to it; admin and delay from parameters", async () => {
    await hre.tasks.getTask("build").run({ quiet: true, noTests: true });
    const conn = (await hre.network.connect()) as unknown as {
      ignition: {
        deploy: (m: unknown, o?: unknown) => Promise<{ keyLedger: { address: Address }; sales: { address: Address } }>;
      };
      viem: { getWalletClients(): Promise<{ account: { address: Address } }[]>; getPublicClient(): Promise<never> };
    };
    const [, second] = await conn.viem.getWalletClients();
    const pc = (await conn.viem.getPublicClient()) as unknown as {
      readContract(a: {
        address: Address;
        abi: typeof keyLedgerV2Abi;
        functionName: string;
        args?: unknown[];
      }): Promise<unknown>;
    };
    const d = await conn.ignition.deploy(KeyLedgerV2Module, {
      parameters: { KeyLedgerV2Module: { admin: second!.account.address, adminDelay: 172_800 } },
    });
    const read = (functionName: string, args: unknown[] = []) =>
      pc.readContract({ address: d.keyLedger.address, abi: keyLedgerV2Abi, functionName, args });
    expect(((await read("SALES")) as string).toLowerCase()).toBe(d.sales.address.toLowerCase());
    expect(((await read("defaultAdmin")) as string).toLowerCase()).toBe(second!.account.address.toLowerCase());
    expect(await read("defaultAdminDelay")).toBe(172_800);
    expect(await read("hasRole", [keccak256(toHex("REGISTRAR_ROLE")), second!.account.address])).toBe(true);
  });
});
