// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {MerkleProof} from "@openzeppelin/contracts/utils/cryptography/MerkleProof.sol";

/// @title MerkleProofHarness
/// @notice Test-only wrapper exposing OpenZeppelin's MerkleProof to check off-chain proofs on chain.
contract MerkleProofHarness {
    /// @notice OpenZeppelin `MerkleProof.verify` of a raw leaf.
    function verify(bytes32[] calldata proof, bytes32 root, bytes32 leaf) external pure returns (bool) {
        return MerkleProof.verifyCalldata(proof, root, leaf);
    }

    /// @notice Verifies key `index` of batch `batchId` with the standard leaf encoding
    /// `keccak256(bytes.concat(keccak256(abi.encode(batchId, index, commitment))))`.
    function verifyKey(bytes32[] calldata proof, bytes32 root, bytes32 batchId, uint256 index, bytes32 commitment)
        external
        pure
        returns (bool)
    {
        bytes32 leaf = keccak256(bytes.concat(keccak256(abi.encode(batchId, index, commitment))));
        return MerkleProof.verifyCalldata(proof, root, leaf);
    }
}
