// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {KeyLedgerFixture} from "./utils/KeyLedgerFixture.sol";
import {KeyLedgerHandler} from "./utils/KeyLedgerHandler.sol";
import {IKeyLedger} from "../../contracts/interfaces/IKeyLedger.sol";

/// @notice Fuzz tests: the segment-based ledger against naive per-key models.
contract KeyLedgerFuzzTest is KeyLedgerFixture {
    uint64 internal constant N = 64;

    /// @notice Custody after a random sequence of transfers equals a per-key model (index -> holder)
    /// kept in memory here, and segments split only at the bounds of the ranges moved.
    function test_fuzz_transfersMatchPerKeyModel(uint64[10] memory starts, uint64[10] memory lens, uint8[10] memory tos)
        public
    {
        bytes32 id = _anchor(SUPPLIER, "fuzz", N, false);
        address[4] memory actors = [SUPPLIER, DIST, DIST2, RETAIL];
        address[] memory model = new address[](N);
        bool[] memory isStart = new bool[](N);
        isStart[0] = true;
        for (uint256 i; i < N; ++i) {
            model[i] = SUPPLIER;
        }
        for (uint256 k; k < 10; ++k) {
            uint64 start = uint64(bound(starts[k], 0, N - 1));
            uint64 end = uint64(bound(lens[k], 1, 12)) + start;
            if (end > N) end = N;
            address from = model[start];
            address to = actors[tos[k] % 4];
            bool ok = to != from;
            for (uint256 i = start; i < end; ++i) {
                if (model[i] != from) ok = false;
            }
            uint64 hint = start;
            while (!isStart[hint]) --hint;
            if (!ok) {
                vm.expectRevert();
            }
            vm.prank(from);
            ledger.transfer(id, start, end, to, tos[k] % 2 == 0 ? 0 : hint, MEMO);
            if (ok) {
                for (uint256 i = start; i < end; ++i) {
                    model[i] = to;
                }
                isStart[start] = true;
                if (end < N) isStart[end] = true;
            }
        }
        for (uint64 i; i < N; ++i) {
            assertEq(ledger.holderOf(id, i), model[i], "holderOf differs from the per-key model");
            (address h, uint64 e,) = ledger.segmentAt(id, i);
            assertEq(e != 0, isStart[i], "segment start differs from the model");
            if (e != 0) assertEq(h, model[i], "segment holder");
        }
    }

    /// @notice Random mixes of transfers, revocations, reinstatements and redemptions (two batches,
    /// one crossing a bitmap word) leave the ledger equal to the handler's per-key model, and every
    /// call succeeds exactly when the model says it should.
    function test_fuzz_randomOperationsMatchModel(uint256 seed) public {
        KeyLedgerHandler h = _handler();
        for (uint256 k; k < 16; ++k) {
            h.step(uint256(keccak256(abi.encode(seed, k))));
        }
        h.check();
        assertEq(h.mismatches(), 0, "calls whose outcome the model did not predict");
        assertEq(h.frozenMoves(), 0, "frozen keys moved");
    }

    /// @notice A mask is accepted exactly when it is non-zero and stays below count.
    function test_fuzz_redeemMaskBounds(uint64 count, uint64 wordIndex, uint256 mask) public {
        count = uint64(bound(count, 1, 2000));
        wordIndex = uint64(bound(wordIndex, 0, 9));
        bytes32 id = _anchor(SUPPLIER, "masks", count, false);
        uint256 base = uint256(wordIndex) * 256;
        bool ok = mask != 0 && base < count && (count - base >= 256 || mask >> (count - base) == 0);
        IKeyLedger.RedeemWord[] memory w = new IKeyLedger.RedeemWord[](1);
        w[0] = IKeyLedger.RedeemWord({batchId: id, wordIndex: wordIndex, mask: mask, hint: 0});
        if (!ok) {
            vm.expectRevert(abi.encodeWithSelector(IKeyLedger.KeyLedgerInvalidMask.selector, id, wordIndex, mask));
        }
        vm.prank(SUPPLIER);
        ledger.redeem(w);
        if (ok) {
            uint256 i = base + (mask & 1 == 1 ? 0 : 255);
            if (i < count) assertEq(ledger.isRedeemed(id, uint64(i)), (mask >> (i - base)) & 1 == 1, "bit");
        }
    }

    /// @notice Anchoring works for any count in [1, 2^48) and holderOf sees the supplier at both ends.
    function test_fuzz_anchorAnyCount(uint64 count) public {
        count = uint64(bound(count, 1, type(uint48).max));
        bytes32 id = _anchor(SUPPLIER, "any", count, false);
        assertEq(ledger.holderOf(id, 0), SUPPLIER, "first");
        assertEq(ledger.holderOf(id, count - 1), SUPPLIER, "last");
    }

    function _handler() internal returns (KeyLedgerHandler h) {
        bytes32[] memory ids = new bytes32[](2);
        uint256[] memory counts = new uint256[](2);
        ids[0] = _anchor(SUPPLIER, "h0", 300, false);
        ids[1] = _anchor(SUPPLIER, "h1", 37, false);
        counts[0] = 300;
        counts[1] = 37;
        vm.prank(SUPPLIER);
        ledger.setRedeemer(REDEEMER, true);
        h = new KeyLedgerHandler(ledger, SUPPLIER, REGULATOR, REDEEMER, [DIST, DIST2, RETAIL], ids, counts);
    }
}
