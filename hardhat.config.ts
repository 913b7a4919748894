import { createRequire } from "node:module";
import hardhatToolboxViem from "@nomicfoundation/hardhat-toolbox-viem";
import { configVariable, defineConfig } from "hardhat/config";

const require = createRequire(import.meta.url);

/** The solc version must equal the version of the `solc` npm package (compiled offline from its WASM build). */
const SOLC_VERSION: string = (require("solc/package.json") as { version: string }).version;

export default defineConfig({
  plugins: [hardhatToolboxViem],
  solidity: {
    profiles: {
      default: {
        version: SOLC_VERSION,
        path: require.resolve("solc/soljson.js"),
        // No metadata hash in the bytecode: it depends on which files Hardhat compiles together (remappings),
        // so the committed bytecode (lib/abi/keyLedgerBytecode.ts) would not be reproducible.
        settings: {
          optimizer: { enabled: true, runs: 10_000 },
          evmVersion: "cancun",
          viaIR: true,
          metadata: { bytecodeHash: "none" },
        },
      },
    },
  },
  paths: { sources: "contracts", tests: { solidity: "test/solidity" } },
  test: {
    solidity: {
      profiles: {
        // CI and `npx hardhat test solidity`. Fixed seed: fuzz inputs (and so the fuzz rows of
        // .gas-snapshot) are reproducible.
        default: {
          fuzz: { runs: 256, seed: "0x4b657954726169" },
          invariant: { runs: 64, depth: 32, failOnRevert: false },
        },
        // `npm run test:deep` (by hand, slow): every fuzz test >= 10,000 runs, invariants 256 runs x depth 500.
        deep: {
          fuzz: { runs: 10_000, seed: "0x4b657954726169" },
          invariant: { runs: 256, depth: 500, failOnRevert: false },
        },
      },
    },
  },
  networks: {
    localhost: { type: "http", chainType: "l1", url: process.env.KEYTRAIL_RPC_URL ?? "http://127.0.0.1:8545" },
    // A public L2 (OP-stack, e.g. Base or Optimism, mainnet or testnet). Values are read only when
    // the network is used: from the environment or Hardhat's encrypted keystore
    // (`npx hardhat keystore set KEYTRAIL_L2_DEPLOYER_KEY`). Nothing secret lives in this file.
    l2: {
      type: "http",
      chainType: "op",
      url: configVariable("KEYTRAIL_L2_RPC_URL"),
      accounts: [configVariable("KEYTRAIL_L2_DEPLOYER_KEY")],
    },
  },
});
