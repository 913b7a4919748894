// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {Vm} from "./Test.sol";
import {KeyLedgerV2Storage} from "../../../contracts/v2/lib/KeyLedgerV2Storage.sol";

/// @notice Storage slots of KeyLedgerV2 (ERC-7201 namespace, fields in declaration order), to build
/// large states directly with vm.store in tests (e.g. a batch fragmented into 1M custody segments).
library KeyLedgerV2Slots {
    Vm internal constant vm = Vm(address(uint160(uint256(keccak256("hevm cheat code")))));

    uint256 internal constant BATCHES = 6;
    uint256 internal constant CUSTODY = 7;

    /// @dev The namespace base slot.
    function namespace() internal pure returns (bytes32) {
        return KeyLedgerV2Storage.SLOT;
    }

    /// @dev Slot of `custody[batchId][key]` (or another per-batch map at field `field`).
    function mapSlot(uint256 field, bytes32 batchId, uint256 key) internal pure returns (bytes32) {
        bytes32 inner = keccak256(abi.encode(batchId, uint256(KeyLedgerV2Storage.SLOT) + field));
        return keccak256(abi.encode(key, inner));
    }

    /// @dev Writes the custody map of a fresh batch of `count` keys (count a multiple of 8, < 2^27) as
    /// `count` single-key segments, even indices held by party id `even`, odd ones by `odd` (even must
    /// be the batch's supplier id: index 0 keeps the value in the batch record). Leaves, then the three
    /// bitmap levels; exactly the state `count - 1` alternating transfers would leave.
    function fragment(address ledger, bytes32 batchId, uint256 count, uint256 even, uint256 odd) internal {
        // Batch slot 2, flags at bits 112..119: FLAG_LEAF0 (leaf 0 holds boundaries 1..7).
        uint256 field = uint256(KeyLedgerV2Storage.SLOT) + BATCHES;
        bytes32 batchSlot2 = bytes32(uint256(keccak256(abi.encode(batchId, field))) + 1);
        uint256 slot2 = uint256(vm.load(ledger, batchSlot2));
        vm.store(ledger, batchSlot2, bytes32(slot2 | (uint256(KeyLedgerV2Storage.FLAG_LEAF0) << 112)));
        uint256 leafBits = 0xff;
        uint256 values;
        for (uint256 j; j < 8; ++j) {
            values |= (j % 2 == 0 ? even : odd) << (8 + 24 * j);
        }
        uint256 leaves = count / 8;
        for (uint256 k; k < leaves; ++k) {
            vm.store(ledger, mapSlot(CUSTODY, batchId, k), bytes32(values | (k == 0 ? 0xfe : leafBits)));
        }
        // Level l word w has bit j set when node 256w + j of level l - 1 exists.
        uint256 nodes = leaves;
        for (uint256 l = 1; nodes > 1; ++l) {
            uint256 words = (nodes + 255) / 256;
            for (uint256 w; w < words; ++w) {
                uint256 inWord = nodes - w * 256 >= 256 ? 256 : nodes - w * 256;
                uint256 bits = inWord == 256 ? type(uint256).max : (uint256(1) << inWord) - 1;
                vm.store(ledger, mapSlot(CUSTODY, batchId, (l << 64) | w), bytes32(bits));
            }
            nodes = words;
        }
    }
}
