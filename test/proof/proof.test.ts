import { verifyMerkleProof as ethereumjsVerify } from "@ethereumjs/mpt";
import { keccak_256 } from "@noble/hashes/sha3.js";
import {
  createPublicClient,
  createWalletClient,
  encodeAbiParameters,
  keccak256,
  hexToBytes,
  http,
  numberToHex,
  zeroHash,
  type Address,
  type Hex,
  type PublicClient,
} from "viem";
import { privateKeyToAccount } from "viem/accounts";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { keyLedgerV2Abi } from "../../lib/abi/keyLedgerV2Abi.js";
import { keyLedgerV2Bytecode } from "../../lib/abi/keyLedgerV2Bytecode.js";
import { keyLedgerV2SalesBytecode } from "../../lib/abi/keyLedgerV2SalesBytecode.js";
import { computeBlockHash, type RpcBlockHeader } from "../../lib/proof/computeBlockHash.js";
import { ProofError } from "../../lib/proof/errors.js";
import { rlpDecode, rlpEncode } from "../../lib/proof/rlp.js";
import { verifyAccountProof, verifyStorageProof } from "../../lib/proof/verifyAccountProof.js";
import { verifyMerkleProof } from "../../lib/proof/verifyMerkleProof.js";
import { startAnvil } from "../../scripts/chain/startAnvil.js";
import { startLocalNode } from "../../scripts/chain/startLocalNode.js";
import type { LocalNode } from "../../scripts/chain/startLocalNode.js";
import { anchorParamsV2 } from "../contracts/helpersV2.js";

/** Hardhat's and anvil's first default account (public test key, funded on both nodes). */
const KEY0 = "0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80" as const;

type GetProof = {
  accountProof: Hex[];
  storageProof: { key: Hex; value: Hex; proof: Hex[] }[];
  storageHash: Hex;
  balance: Hex;
  nonce: Hex;
  codeHash: Hex;
};

/** Deploys KeyLedgerV2 on `url`, registers a supplier (account 0 itself) and anchors a batch. */
async function seedLedger(url: string) {
  const account = privateKeyToAccount(KEY0);
  const client = createPublicClient({ transport: http(url) }) as PublicClient;
  const chainId = await client.getChainId();
  const chain = {
    id: chainId,
    name: "local",
    nativeCurrency: { name: "ETH", symbol: "ETH", decimals: 18 },
    rpcUrls: { default: { http: [url] } },
  } as const;
  const wallet = createWalletClient({ account, chain, transport: http(url) });
  const wait = async (hash: Hex) => {
    const r = await client.waitForTransactionReceipt({ hash, pollingInterval: 100 });
    if (r.status !== "success") throw new Error(`transaction ${hash} reverted`);
    return r;
  };
  const sales = (await wait(await wallet.deployContract({ abi: [], bytecode: keyLedgerV2SalesBytecode })))
    .contractAddress!;
  const ledger = (
    await wait(
      await wallet.deployContract({
        abi: keyLedgerV2Abi,
        bytecode: keyLedgerV2Bytecode,
        args: [account.address, 86_400, sales],
      }),
    )
  ).contractAddress!;
  const write = (functionName: string, args: unknown[]) =>
    wallet.writeContract({ address: ledger, abi: keyLedgerV2Abi, functionName, args } as never);
  await wait(await write("registerParty", [account.address, 1, zeroHash, "", 0n]));
  await wait(await write("anchorBatch", [anchorParamsV2("proof-batch", 1_000_000n)]));
  return { client, ledger };
}

async function getProof(client: PublicClient, address: Address, slots: Hex[], block: bigint) {
  return (await client.request({
    method: "eth_getProof" as never,
    params: [address, slots, numberToHex(block)] as never,
  })) as GetProof;
}

const flip = (h: Hex, at: number): Hex => {
  const b = hexToBytes(h);
  b[at] = b[at]! ^ 1;
  return `0x${Buffer.from(b).toString("hex")}`;
};

for (const kind of ["hardhat node", "anvil"] as const) {
  describe(`storage proofs on ${kind}`, () => {
    let node: LocalNode;
    let client: PublicClient;
    let ledger: Address;
    beforeAll(async () => {
      node = kind === "anvil" ? await startAnvil() : await startLocalNode();
      ({ client, ledger } = await seedLedger(node.url));
    }, 120_000);
    afterAll(() => node?.stop());

    it("recomputes the block hash from the header fields", async () => {
      const head = await client.getBlockNumber();
      for (const n of [0n, head]) {
        const block = (await client.request({
          method: "eth_getBlockByNumber",
          params: [numberToHex(n), false],
        })) as unknown as RpcBlockHeader;
        expect(computeBlockHash(block)).toBe(block.hash);
        // A header whose stateRoot was changed no longer hashes to the block's hash.
        expect(computeBlockHash({ ...block, stateRoot: flip(block.stateRoot, 5) })).not.toBe(block.hash);
      }
    });

    it("verifies account and storage proofs, present and absent slots, and agrees with @ethereumjs/mpt", async () => {
      const block = await client.getBlock();
      // AccessControl's _roles is slot 0: _roles[DEFAULT_ADMIN_ROLE].hasRole[admin] holds 1 (a present leaf);
      // the others are absent (proofs of absence).
      const roleSlot = keccak256(encodeAbiParameters([{ type: "bytes32" }, { type: "uint256" }], [zeroHash, 0n]));
      const adminSlot = keccak256(
        encodeAbiParameters([{ type: "address" }, { type: "bytes32" }], [privateKeyToAccount(KEY0).address, roleSlot]),
      );
      const slots: Hex[] = [adminSlot, zeroHash, numberToHex(1, { size: 32 }), `0x${"ab".repeat(32)}`];
      const p = await getProof(client, ledger, slots, block.number);
      expect(BigInt(p.storageProof[0]!.value)).toBe(1n);
      const account = verifyAccountProof({ stateRoot: block.stateRoot, address: ledger, proof: p.accountProof });
      expect(account).not.toBeNull();
      expect(account!.storageRoot).toBe(p.storageHash);
      expect(account!.codeHash).toBe(p.codeHash);
      for (const sp of p.storageProof) {
        const v = verifyStorageProof({
          storageRoot: account!.storageRoot,
          slot: sp.key.length === 66 ? sp.key : numberToHex(BigInt(sp.key), { size: 32 }),
          proof: sp.proof,
        });
        expect(v).toBe(BigInt(sp.value));
        const theirs = await ethereumjsVerify(
          keccak_256(hexToBytes(numberToHex(BigInt(sp.key), { size: 32 }))),
          sp.proof.map((x) => hexToBytes(x)),
          { useKeyHashing: false },
        );
        const ours = verifyMerkleProof({
          root: hexToBytes(account!.storageRoot),
          key: keccak_256(hexToBytes(numberToHex(BigInt(sp.key), { size: 32 }))),
          proof: sp.proof.map((x) => hexToBytes(x)),
        });
        expect(ours === null ? null : Buffer.from(ours).toString("hex")).toBe(
          theirs === null ? null : Buffer.from(theirs).toString("hex"),
        );
      }
      // An account that does not exist is proven absent.
      const none = await getProof(client, "0x000000000000000000000000000000000000dEaD", [], block.number);
      expect(
        verifyAccountProof({
          stateRoot: block.stateRoot,
          address: "0x000000000000000000000000000000000000dEaD",
          proof: none.accountProof,
        }),
      ).toBeNull();
    });

    it("refuses tampered proofs: a flipped byte, a dropped node, an extra node, another block's root", async () => {
      const block = await client.getBlock();
      const p = await getProof(client, ledger, [zeroHash], block.number);
      const ap = p.accountProof;
      expect(() =>
        verifyAccountProof({ stateRoot: block.stateRoot, address: ledger, proof: [flip(ap[0]!, 40), ...ap.slice(1)] }),
      ).toThrow(ProofError);
      expect(() => verifyAccountProof({ stateRoot: block.stateRoot, address: ledger, proof: ap.slice(0, -1) })).toThrow(
        ProofError,
      );
      expect(() => verifyAccountProof({ stateRoot: block.stateRoot, address: ledger, proof: [...ap, ap[0]!] })).toThrow(
        /not on the path/,
      );
      const genesis = await client.getBlock({ blockNumber: 0n });
      expect(() => verifyAccountProof({ stateRoot: genesis.stateRoot, address: ledger, proof: ap })).toThrow(
        ProofError,
      );
    });
  });
}

describe("rlp", () => {
  it("round-trips and refuses non-canonical encodings", () => {
    const item = [Uint8Array.of(1), new Uint8Array(), [Uint8Array.of(0x80), new Uint8Array(60).fill(7)]];
    expect(rlpDecode(rlpEncode(item))).toEqual(item);
    expect(() => rlpDecode(Uint8Array.of(0x81, 0x05))).toThrow(/canonical/);
    expect(() => rlpDecode(Uint8Array.of(0x82, 0x05))).toThrow(/past the end/);
    expect(() => rlpDecode(Uint8Array.of(0x01, 0x02))).toThrow(/trailing/);
    expect(() => rlpDecode(Uint8Array.of(0xb8, 0x05, 1, 2, 3, 4, 5))).toThrow(/short/);
  });
});
