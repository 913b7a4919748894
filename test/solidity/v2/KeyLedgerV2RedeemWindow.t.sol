// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {KeyLedgerV2Fixture} from "../utils/KeyLedgerV2Fixture.sol";
import {IKeyLedgerV2} from "../../../contracts/v2/interfaces/IKeyLedgerV2.sol";

/// @notice Redemption over a large batch (several 2,048-key regions and level-2 words) against a per-key
/// model of both freeze layers: redeemMany of consecutive words succeeds exactly when no key of them is
/// frozen, whatever the freezes around (same region, neighbouring regions, far away, covering the tail).
/// Exercises the region check of redemption (a region without boundaries takes its value from the last
/// boundary before it) and the window remembered across the words of one call.
contract KeyLedgerV2RedeemWindowTest is KeyLedgerV2Fixture {
    uint64 internal constant COUNT = 1_600_000;
    uint256 internal constant OPS = 6;
    uint256 internal constant WORDS = 8;

    struct Op {
        bool reg;
        uint64 start;
        uint64 end;
        uint8 reason;
    }

    function setUp() public override {
        super.setUp();
        vm.prank(SUPPLIER);
        ledger.setRedeemer(REDEEMER, true);
    }

    function _rand(uint256 seed, uint256 k) internal pure returns (uint256) {
        return uint256(keccak256(abi.encode(seed, k)));
    }

    /// @dev A range near `target` (often crossing region boundaries around it) or anywhere; sometimes to the end.
    function _range(uint256 seed, uint256 k, uint256 target) internal pure returns (uint64 s, uint64 e) {
        uint256 r = _rand(seed, k);
        if (r & 3 != 0) {
            uint256 lo = target > 6000 ? target - 6000 : 0;
            s = uint64(bound(r >> 8, lo, target + 6000));
        } else {
            s = uint64(bound(r >> 8, 0, COUNT - 1));
        }
        if (s >= COUNT) s = COUNT - 1;
        if ((r >> 4) & 7 == 0) e = COUNT;
        else e = uint64(bound(r >> 100, uint256(s) + 1, uint256(s) + 5000));
        if (e > COUNT) e = COUNT;
    }

    /// @notice Random revokes (both layers) and supplier reinstates, then 8 consecutive full words redeemed
    /// by a delegated redeemer: success exactly when the model has no frozen key in them.
    /// forge-config: default.fuzz.runs = 128
    function test_fuzz_redeemManyMatchesFreezeModel(uint256 seed) public {
        bytes32 id = _anchor(SUPPLIER, "window", COUNT, false);
        uint256 w0 = bound(_rand(seed, 999), 0, COUNT / 256 - WORDS);
        Op[] memory ops = new Op[](OPS);
        uint256 n;
        for (uint256 k; k < OPS; ++k) {
            (uint64 s, uint64 e) = _range(seed, k, w0 * 256 + (_rand(seed, 500 + k) % (WORDS * 256)));
            uint256 kind = _rand(seed, 100 + k) % 3;
            bool ok;
            Op memory op;
            if (kind == 2) {
                vm.prank(SUPPLIER);
                (ok,) = address(ledger).call(abi.encodeCall(ledger.reinstate, (id, s, e)));
                op = Op(false, s, e, 0);
            } else {
                uint8 reason = uint8(1 + (_rand(seed, 200 + k) % 5));
                vm.prank(kind == 0 ? REGULATOR : SUPPLIER);
                (ok,) = address(ledger).call(
                    abi.encodeCall(ledger.revoke, (id, s, e, IKeyLedgerV2.RevocationReason(reason)))
                );
                assertTrue(ok, "revoke");
                op = Op(kind == 0, s, e, reason);
            }
            if (ok) ops[n++] = op;
        }
        bool frozen = _modelFrozen(ops, n, w0 * 256, (w0 + WORDS) * 256);
        IKeyLedgerV2.RedeemWord[] memory words = new IKeyLedgerV2.RedeemWord[](WORDS);
        for (uint256 i; i < WORDS; ++i) {
            words[i] = IKeyLedgerV2.RedeemWord({batchId: id, wordIndex: uint64(w0 + i), mask: type(uint256).max});
        }
        vm.prank(REDEEMER);
        (bool done, bytes memory ret) = address(ledger).call(abi.encodeCall(ledger.redeemMany, (words)));
        assertEq(done, !frozen, "redeemMany succeeds exactly when no key is frozen");
        if (done) {
            assertTrue(ledger.isRedeemed(id, uint64(w0 * 256)), "first key redeemed");
            assertTrue(ledger.isRedeemed(id, uint64((w0 + WORDS) * 256 - 1)), "last key redeemed");
        } else {
            assertEq(bytes4(ret), IKeyLedgerV2.KeyLedgerRangeFrozen.selector, "reverts naming the frozen range");
        }
        // Each word alone agrees with the model too (a fresh window per call).
        for (uint256 i; i < WORDS && !done; ++i) {
            uint256 base = (w0 + i) * 256;
            vm.prank(SUPPLIER);
            (bool one,) = address(ledger).call(abi.encodeCall(ledger.redeem, (id, uint64(w0 + i), type(uint256).max)));
            assertEq(one, !_modelFrozen(ops, n, base, base + 256), "single word agrees with the model");
        }
    }

    /// @dev Whether a key of [a, z) is frozen on either layer after `ops` (a revoke sets its layer's
    /// reason on its range, a supplier reinstate clears the supplier layer).
    function _modelFrozen(Op[] memory ops, uint256 n, uint256 a, uint256 z) internal pure returns (bool) {
        for (uint256 i = a; i < z; ++i) {
            uint256 reg;
            uint256 sup;
            for (uint256 k; k < n; ++k) {
                Op memory op = ops[k];
                if (i < op.start || i >= op.end) continue;
                if (op.reg) reg = op.reason;
                else sup = op.reason;
            }
            if (reg != 0 || sup != 0) return true;
        }
        return false;
    }
}
