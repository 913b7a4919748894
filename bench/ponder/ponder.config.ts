import { createConfig } from "ponder";
import { http } from "viem";
import { keyLedgerAbi } from "./abis/keyLedgerAbi.js";

// The benchmark sets these: the local node, the ledger it deployed, its deployment block.
export default createConfig({
  networks: {
    hardhat: { chainId: 31337, transport: http(process.env.PONDER_RPC_URL ?? "http://127.0.0.1:8545"), disableCache: true },
  },
  contracts: {
    KeyLedger: {
      network: "hardhat",
      abi: keyLedgerAbi,
      address: (process.env.KEYTRAIL_LEDGER ?? "0x5fbdb2315678afecb367f032d93f642f64180aa3") as `0x${string}`,
      startBlock: Number(process.env.KEYTRAIL_START_BLOCK ?? 1),
    },
  },
});
