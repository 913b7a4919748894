import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { toFunctionSelector, type AbiFunction } from "viem";
import { keyLedgerAbi } from "../../lib/abi/keyLedgerAbi.js";
import { tempDirs } from "../helpers/tempDirs.js";
import { cspDirectives } from "../../portal/src/config/cspDirectives.js";
import { loadPortalConfig } from "../../portal/src/config/loadPortalConfig.js";
import {
  BATCH_NOT_FOUND_SELECTOR,
  BATCH_OF_SELECTOR,
  INVALID_RANGE_SELECTOR,
  KEY_STATUS_SELECTOR,
} from "../../portal/src/scripts/rpc.js";

const good = {
  KEYTRAIL_CHAIN_ID: "31337",
  KEYTRAIL_RPC_URLS: "http://127.0.0.1:8545, https://rpc.example.org/v1",
  KEYTRAIL_LEDGER: "0x5FbDB2315678afecb367f032d93F642f64180aa3",
  KEYTRAIL_PORTAL_BASE: "https://verify.example.cn/",
};

const temp = tempDirs("keytrail-portal-config-");
afterEach(temp.removeAll);
const tempDir = temp.make;

describe("portal config", () => {
  it("reads the environment", () => {
    const c = loadPortalConfig(good);
    expect(c.chainId).toBe(31337);
    expect(c.rpcUrls).toEqual(["http://127.0.0.1:8545", "https://rpc.example.org/v1"]);
    expect(c.portalBase).toBe("https://verify.example.cn");
    expect(c.exportDir).toBe("");
  });

  it("takes the ledger's version from the environment or the file (1 or 2), and leaves it out when not given", () => {
    expect(loadPortalConfig(good).ledgerVersion).toBeUndefined();
    expect("ledgerVersion" in loadPortalConfig(good)).toBe(false);
    expect(loadPortalConfig({ ...good, KEYTRAIL_LEDGER_VERSION: "1" }).ledgerVersion).toBe(1);
    expect(loadPortalConfig({ ...good, KEYTRAIL_LEDGER_VERSION: "2" }).ledgerVersion).toBe(2);
    const file = join(tempDir(), "portal.json");
    const withVersion = (ledgerVersion: unknown) => {
      const fields = { chainId: 1, rpcUrls: ["https://a.example"], ledger: good.KEYTRAIL_LEDGER };
      writeFileSync(file, JSON.stringify({ ...fields, portalBase: "https://p.example", ledgerVersion }));
      return { KEYTRAIL_PORTAL_CONFIG: file };
    };
    expect(loadPortalConfig(withVersion(2)).ledgerVersion).toBe(2);
    expect(() => loadPortalConfig(withVersion([2]))).toThrow(
      /portal\.json field "ledgerVersion": got \[2\]; expected 1 or 2/,
    );
  });

  it("reads a JSON file, environment wins field by field, exportDir is relative to the file", () => {
    const dir = tempDir();
    const file = join(dir, "portal.json");
    writeFileSync(
      file,
      JSON.stringify({
        chainId: 1,
        rpcUrls: ["https://a.example"],
        ledger: good.KEYTRAIL_LEDGER,
        portalBase: "https://p.example",
        exportDir: "export",
      }),
    );
    const c = loadPortalConfig({ KEYTRAIL_PORTAL_CONFIG: file, KEYTRAIL_CHAIN_ID: "5" });
    expect(c.chainId).toBe(5);
    expect(c.rpcUrls).toEqual(["https://a.example"]);
    expect(c.exportDir).toBe(join(dir, "export"));
  });

  it.each([
    [{ KEYTRAIL_CHAIN_ID: "0" }, /KEYTRAIL_CHAIN_ID.*positive integer/],
    [{ KEYTRAIL_RPC_URLS: "ftp://x" }, /KEYTRAIL_RPC_URLS.*http/],
    [{ KEYTRAIL_RPC_URLS: "https://user:pw@rpc.example" }, /KEYTRAIL_RPC_URLS/],
    [{ KEYTRAIL_LEDGER: "0x1234" }, /KEYTRAIL_LEDGER.*20-byte/],
    [{ KEYTRAIL_PORTAL_BASE: "verify.example" }, /KEYTRAIL_PORTAL_BASE/],
    [{ KEYTRAIL_EXPLORER_URL: "javascript:alert(1)" }, /KEYTRAIL_EXPLORER_URL/],
    [{ KEYTRAIL_LEDGER_VERSION: "3" }, /KEYTRAIL_LEDGER_VERSION: got "3"; expected 1 or 2/],
    [{ KEYTRAIL_LEDGER_VERSION: "v2" }, /KEYTRAIL_LEDGER_VERSION.*1 or 2/],
    [{ KEYTRAIL_LEDGER_VERSION: "2.0" }, /KEYTRAIL_LEDGER_VERSION.*1 or 2/],
  ])("names the bad field: %j", (override, message) => {
    expect(() => loadPortalConfig({ ...good, ...override })).toThrow(message);
  });

  it("refuses unknown fields and bad JSON in the file", () => {
    const dir = tempDir();
    writeFileSync(join(dir, "a.json"), JSON.stringify({ chainID: 1 }));
    writeFileSync(join(dir, "b.json"), "{");
    expect(() => loadPortalConfig({ KEYTRAIL_PORTAL_CONFIG: join(dir, "a.json") })).toThrow(/unknown field "chainID"/);
    expect(() => loadPortalConfig({ KEYTRAIL_PORTAL_CONFIG: join(dir, "b.json") })).toThrow(/b\.json/);
  });

  it("connect-src holds 'self' and exactly the RPC origins", () => {
    const d = cspDirectives([
      "https://rpc.example.org/v1/key",
      "https://rpc.example.org/other",
      "http://127.0.0.1:8545",
    ]);
    expect(d).toContain("connect-src 'self' https://rpc.example.org http://127.0.0.1:8545");
    expect(d).toContain("default-src 'none'");
    expect(d).toContain("require-trusted-types-for 'script'");
  });

  it("the hand-written keyStatus selector matches the ledger ABI", () => {
    const item = keyLedgerAbi.find((x) => x.type === "function" && x.name === "keyStatus") as AbiFunction;
    expect(toFunctionSelector(item)).toBe(KEY_STATUS_SELECTOR);
    const batchOf = keyLedgerAbi.find((x) => x.type === "function" && x.name === "batchOf") as AbiFunction;
    expect(toFunctionSelector(batchOf)).toBe(BATCH_OF_SELECTOR);
    expect(batchOf.outputs.map((o) => o.type)).toEqual(["bytes32", "address", "uint64", "uint64", "bool"]);
    const errorSelector = (name: string) => {
      const e = keyLedgerAbi.find((x) => x.type === "error" && x.name === name) as
        { inputs: { type: string }[] } | undefined;
      if (!e) throw new Error(`${name} missing from the ABI`);
      return toFunctionSelector(`${name}(${e.inputs.map((i) => i.type).join(",")})`);
    };
    expect(errorSelector("KeyLedgerBatchNotFound")).toBe(BATCH_NOT_FOUND_SELECTOR);
    expect(errorSelector("KeyLedgerInvalidRange")).toBe(INVALID_RANGE_SELECTOR);
    expect(
      (item.outputs[0] as { components?: { type: string }[] } | undefined)?.components?.map((c) => c.type),
    ).toEqual(["bytes32", "address", "uint64", "uint64", "bool", "address", "uint64", "uint64", "uint8", "bool"]);
  });
});
