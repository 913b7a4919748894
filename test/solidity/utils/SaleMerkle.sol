// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {Hashes} from "@openzeppelin/contracts/utils/cryptography/Hashes.sol";

/// @notice Off-chain side of a sale's Merkle tree, for tests: the leaves of a sale group, its root and
/// the proof of one item, built the way a seller or indexer would (pairs of adjacent nodes hashed with
/// sorted pairs, an odd last node moved up unchanged).
library SaleMerkle {
    function leaf(bytes32 batchId, uint256 index, bytes32 commitment, bytes32 orderRef)
        internal
        pure
        returns (bytes32)
    {
        return keccak256(bytes.concat(keccak256(abi.encode(batchId, index, commitment, orderRef))));
    }

    function leaves(bytes32 batchId, uint64[] memory indices, bytes32[] memory commitments, bytes32[] memory refs)
        internal
        pure
        returns (bytes32[] memory out)
    {
        out = new bytes32[](indices.length);
        for (uint256 i; i < indices.length; ++i) {
            out[i] = leaf(batchId, indices[i], commitments[i], refs[i]);
        }
    }

    function root(bytes32[] memory nodes) internal pure returns (bytes32) {
        bytes32[] memory level = _copy(nodes);
        uint256 n = level.length;
        while (n > 1) {
            for (uint256 i; i < n / 2; ++i) {
                level[i] = Hashes.commutativeKeccak256(level[2 * i], level[2 * i + 1]);
            }
            if (n % 2 == 1) level[n / 2] = level[n - 1];
            n = (n + 1) / 2;
        }
        return level[0];
    }

    function proof(bytes32[] memory nodes, uint256 pos) internal pure returns (bytes32[] memory out) {
        bytes32[] memory level = _copy(nodes);
        bytes32[] memory tmp = new bytes32[](64);
        uint256 len;
        uint256 n = level.length;
        while (n > 1) {
            if (pos % 2 == 1) tmp[len++] = level[pos - 1];
            else if (pos + 1 < n) tmp[len++] = level[pos + 1];
            for (uint256 i; i < n / 2; ++i) {
                level[i] = Hashes.commutativeKeccak256(level[2 * i], level[2 * i + 1]);
            }
            if (n % 2 == 1) level[n / 2] = level[n - 1];
            n = (n + 1) / 2;
            pos /= 2;
        }
        out = new bytes32[](len);
        for (uint256 i; i < len; ++i) {
            out[i] = tmp[i];
        }
    }

    function _copy(bytes32[] memory a) private pure returns (bytes32[] memory b) {
        b = new bytes32[](a.length);
        for (uint256 i; i < a.length; ++i) {
            b[i] = a[i];
        }
    }
}
