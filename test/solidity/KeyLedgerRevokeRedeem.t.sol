// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {KeyLedgerFixture} from "./utils/KeyLedgerFixture.sol";
import {IKeyLedger} from "../../contracts/interfaces/IKeyLedger.sol";

/// @notice Revocation (freezing), reinstatement and redemption.
contract KeyLedgerRevokeRedeemTest is KeyLedgerFixture {
    bytes32 internal batch;
    uint256 internal constant ALL = type(uint256).max;

    function setUp() public override {
        super.setUp();
        batch = _anchor(SUPPLIER, "b1", 1000, false);
        vm.prank(SUPPLIER);
        ledger.setRedeemer(REDEEMER, true);
    }

    function _revoke(address by, uint64 start, uint64 end, IKeyLedger.RevocationReason reason, uint64 hint) internal {
        vm.prank(by);
        ledger.revoke(batch, start, end, reason, hint);
    }

    function _redeem(address by, uint64 wordIndex, uint256 mask, uint64 hint) internal {
        IKeyLedger.RedeemWord[] memory w = new IKeyLedger.RedeemWord[](1);
        w[0] = IKeyLedger.RedeemWord({batchId: batch, wordIndex: wordIndex, mask: mask, hint: hint});
        vm.prank(by);
        ledger.redeem(w);
    }

    // ------------------------------------------------------------ revoke / reinstate

    function test_revoke_bySupplierSplitsAndEmits() public {
        _transfer(SUPPLIER, batch, 100, 200, DIST, 0);
        vm.expectEmit(true, true, true, true, address(ledger));
        emit IKeyLedger.KeysRevoked(batch, SUPPLIER, 150, 250, IKeyLedger.RevocationReason.Stolen);
        _revoke(SUPPLIER, 150, 250, IKeyLedger.RevocationReason.Stolen, 100);
        _assertSegment(batch, 100, DIST, 150, 0);
        _assertSegment(batch, 150, DIST, 200, 1);
        _assertSegment(batch, 200, SUPPLIER, 250, 1);
        _assertSegment(batch, 250, SUPPLIER, 1000, 0);
    }

    function test_revoke_byRegulatorAnyBatch() public {
        _revoke(REGULATOR, 0, 1000, IKeyLedger.RevocationReason.UnauthorisedChannel, 0);
        _assertSegment(batch, 0, SUPPLIER, 1000, uint8(IKeyLedger.RevocationReason.UnauthorisedChannel));
    }

    function test_revoke_rejectsOthers() public {
        _transfer(SUPPLIER, batch, 0, 10, DIST, 0);
        // Holding keys does not give the right to freeze them; another supplier has none either.
        vm.expectRevert(abi.encodeWithSelector(IKeyLedger.KeyLedgerNotBatchAuthority.selector, batch, DIST));
        _revoke(DIST, 0, 10, IKeyLedger.RevocationReason.Stolen, 0);
        vm.expectRevert(abi.encodeWithSelector(IKeyLedger.KeyLedgerNotBatchAuthority.selector, batch, SUPPLIER2));
        _revoke(SUPPLIER2, 0, 10, IKeyLedger.RevocationReason.Stolen, 0);
        vm.expectRevert(abi.encodeWithSelector(IKeyLedger.KeyLedgerNotBatchAuthority.selector, batch, REDEEMER));
        vm.prank(REDEEMER);
        ledger.reinstate(batch, 0, 10, 0);
    }

    function test_revoke_rejectsReasonNoneRangeAndBatch() public {
        vm.expectRevert(abi.encodeWithSelector(IKeyLedger.KeyLedgerInvalidReason.selector, uint8(0)));
        _revoke(SUPPLIER, 0, 10, IKeyLedger.RevocationReason.None, 0);
        vm.expectRevert(
            abi.encodeWithSelector(
                IKeyLedger.KeyLedgerInvalidRange.selector, batch, uint64(990), uint64(1001), uint64(1000)
            )
        );
        _revoke(SUPPLIER, 990, 1001, IKeyLedger.RevocationReason.Other, 0);
        bytes32 unknown = keccak256("nope");
        vm.expectRevert(abi.encodeWithSelector(IKeyLedger.KeyLedgerBatchNotFound.selector, unknown));
        vm.prank(SUPPLIER);
        ledger.revoke(unknown, 0, 1, IKeyLedger.RevocationReason.Other, 0);
        vm.expectRevert(abi.encodeWithSelector(IKeyLedger.KeyLedgerBadHint.selector, batch, uint64(3), uint64(5)));
        _revoke(SUPPLIER, 5, 6, IKeyLedger.RevocationReason.Other, 3);
    }

    function test_frozen_cannotMove() public {
        _transfer(SUPPLIER, batch, 100, 200, DIST, 0);
        _revoke(SUPPLIER, 120, 130, IKeyLedger.RevocationReason.Stolen, 100);
        vm.expectRevert(
            abi.encodeWithSelector(
                IKeyLedger.KeyLedgerRangeFrozen.selector,
                batch,
                uint64(120),
                uint64(130),
                IKeyLedger.RevocationReason.Stolen
            )
        );
        _transfer(DIST, batch, 110, 140, RETAIL, 100);
        // Around the frozen part is fine.
        _transfer(DIST, batch, 100, 120, RETAIL, 100);
        _transfer(DIST, batch, 130, 200, RETAIL, 130);
        assertEq(ledger.holderOf(batch, 125), DIST, "frozen keys stay with their holder");
    }

    function test_reinstate_unfreezesAndEmits() public {
        _revoke(SUPPLIER, 100, 200, IKeyLedger.RevocationReason.IssuerError, 0);
        vm.expectEmit(true, true, true, true, address(ledger));
        emit IKeyLedger.KeysReinstated(batch, REGULATOR, 120, 180);
        vm.prank(REGULATOR);
        ledger.reinstate(batch, 120, 180, 100);
        _assertSegment(batch, 100, SUPPLIER, 120, uint8(IKeyLedger.RevocationReason.IssuerError));
        _assertSegment(batch, 120, SUPPLIER, 180, 0);
        _assertSegment(batch, 180, SUPPLIER, 200, uint8(IKeyLedger.RevocationReason.IssuerError));
        _transfer(SUPPLIER, batch, 120, 180, DIST, 120);
        // The supplier reinstates a regulator's freeze too.
        _revoke(REGULATOR, 500, 600, IKeyLedger.RevocationReason.Stolen, 200);
        vm.prank(SUPPLIER);
        ledger.reinstate(batch, 500, 600, 500);
        _assertSegment(batch, 500, SUPPLIER, 600, 0);
    }

    function test_revoke_overwritesReasonAcrossSegments() public {
        _revoke(SUPPLIER, 100, 200, IKeyLedger.RevocationReason.Stolen, 0);
        _revoke(SUPPLIER, 150, 300, IKeyLedger.RevocationReason.Chargeback, 100);
        _assertSegment(batch, 100, SUPPLIER, 150, 1);
        _assertSegment(batch, 150, SUPPLIER, 200, 2);
        _assertSegment(batch, 200, SUPPLIER, 300, 2);
        _assertSegment(batch, 300, SUPPLIER, 1000, 0);
    }

    function test_revoke_suspendedSupplierMayStillFreeze() public {
        ledger.suspendParty(SUPPLIER, bytes32(0));
        _revoke(SUPPLIER, 0, 10, IKeyLedger.RevocationReason.Stolen, 0);
        _assertSegment(batch, 0, SUPPLIER, 10, 1);
    }

    // ------------------------------------------------------------ redemption

    function test_redeem_bySupplierAndRedeemer() public {
        vm.expectEmit(true, true, true, true, address(ledger));
        emit IKeyLedger.KeysRedeemed(batch, SUPPLIER, 0, 0x0f);
        _redeem(SUPPLIER, 0, 0x0f, 0);
        _redeem(REDEEMER, 0, 0xf0, 0);
        _redeem(REDEEMER, 3, ALL >> 24, 0); // [768, 1000): the last, partial word in full
        for (uint64 i = 0; i < 8; ++i) {
            assertTrue(ledger.isRedeemed(batch, i), "redeemed 0..7");
        }
        assertTrue(!ledger.isRedeemed(batch, 8), "8 not redeemed");
        assertTrue(ledger.isRedeemed(batch, 999), "999 redeemed");
        assertTrue(!ledger.isRedeemed(batch, 767), "767 not redeemed");
    }

    function test_redeem_severalWordsInOneCall() public {
        IKeyLedger.RedeemWord[] memory w = new IKeyLedger.RedeemWord[](3);
        w[0] = IKeyLedger.RedeemWord({batchId: batch, wordIndex: 0, mask: ALL, hint: 0});
        w[1] = IKeyLedger.RedeemWord({batchId: batch, wordIndex: 1, mask: ALL, hint: 0});
        w[2] = IKeyLedger.RedeemWord({batchId: batch, wordIndex: 2, mask: 1, hint: 0});
        vm.prank(REDEEMER);
        ledger.redeem(w);
        assertTrue(ledger.isRedeemed(batch, 511), "511");
        assertTrue(ledger.isRedeemed(batch, 512), "512");
        assertTrue(!ledger.isRedeemed(batch, 513), "513");
    }

    function test_redeem_rejectsDoubleRedemptionWithOverlap() public {
        _redeem(SUPPLIER, 1, 0xff00, 0);
        vm.expectRevert(
            abi.encodeWithSelector(IKeyLedger.KeyLedgerAlreadyRedeemed.selector, batch, uint64(1), uint256(0x0f00))
        );
        _redeem(REDEEMER, 1, 0x0ff0, 0);
    }

    function test_redeem_rejectsBadMasks() public {
        vm.expectRevert(abi.encodeWithSelector(IKeyLedger.KeyLedgerInvalidMask.selector, batch, uint64(0), uint256(0)));
        _redeem(SUPPLIER, 0, 0, 0);
        // Word 3 covers [768, 1024) but count is 1000: bit 232 is index 1000.
        uint256 past = uint256(1) << 232;
        vm.expectRevert(abi.encodeWithSelector(IKeyLedger.KeyLedgerInvalidMask.selector, batch, uint64(3), past | 1));
        _redeem(SUPPLIER, 3, past | 1, 0);
        vm.expectRevert(abi.encodeWithSelector(IKeyLedger.KeyLedgerInvalidMask.selector, batch, uint64(4), uint256(1)));
        _redeem(SUPPLIER, 4, 1, 0);
        vm.expectRevert(
            abi.encodeWithSelector(IKeyLedger.KeyLedgerInvalidMask.selector, batch, type(uint64).max, uint256(1))
        );
        _redeem(SUPPLIER, type(uint64).max, 1, 0);
    }

    function test_redeem_rejectsNonRedeemerAndUnknownBatch() public {
        vm.expectRevert(abi.encodeWithSelector(IKeyLedger.KeyLedgerNotRedeemer.selector, batch, DIST));
        _redeem(DIST, 0, 1, 0);
        vm.expectRevert(abi.encodeWithSelector(IKeyLedger.KeyLedgerNotRedeemer.selector, batch, REGULATOR));
        _redeem(REGULATOR, 0, 1, 0);
        vm.prank(SUPPLIER);
        ledger.setRedeemer(REDEEMER, false);
        vm.expectRevert(abi.encodeWithSelector(IKeyLedger.KeyLedgerNotRedeemer.selector, batch, REDEEMER));
        _redeem(REDEEMER, 0, 1, 0);
        // A redeemer of SUPPLIER2 cannot redeem SUPPLIER's keys.
        vm.prank(SUPPLIER2);
        ledger.setRedeemer(DIST2, true);
        vm.expectRevert(abi.encodeWithSelector(IKeyLedger.KeyLedgerNotRedeemer.selector, batch, DIST2));
        _redeem(DIST2, 0, 1, 0);
        IKeyLedger.RedeemWord[] memory w = new IKeyLedger.RedeemWord[](1);
        w[0] = IKeyLedger.RedeemWord({batchId: keccak256("nope"), wordIndex: 0, mask: 1, hint: 0});
        vm.expectRevert(abi.encodeWithSelector(IKeyLedger.KeyLedgerBatchNotFound.selector, keccak256("nope")));
        vm.prank(SUPPLIER);
        ledger.redeem(w);
    }

    function test_redeem_frozenKeysCannotBeRedeemed() public {
        _transfer(SUPPLIER, batch, 260, 300, DIST, 0);
        _revoke(SUPPLIER, 270, 280, IKeyLedger.RevocationReason.Stolen, 260);
        // Word 1 = [256, 512); bit 14 = index 270 (frozen).
        vm.expectRevert(
            abi.encodeWithSelector(
                IKeyLedger.KeyLedgerRangeFrozen.selector,
                batch,
                uint64(270),
                uint64(280),
                IKeyLedger.RevocationReason.Stolen
            )
        );
        _redeem(SUPPLIER, 1, ALL, 0);
        vm.expectRevert(
            abi.encodeWithSelector(
                IKeyLedger.KeyLedgerRangeFrozen.selector,
                batch,
                uint64(270),
                uint64(280),
                IKeyLedger.RevocationReason.Stolen
            )
        );
        _redeem(SUPPLIER, 1, uint256(1) << 23, 260); // index 279 only
        // The keys around the frozen range redeem fine, across several segments.
        uint256 frozenBits = ((uint256(1) << 10) - 1) << 14;
        _redeem(REDEEMER, 1, ALL & ~frozenBits, 0);
        assertTrue(ledger.isRedeemed(batch, 269), "269");
        assertTrue(!ledger.isRedeemed(batch, 270), "270 frozen");
        assertTrue(ledger.isRedeemed(batch, 280), "280");
        // Once reinstated, the frozen keys redeem too.
        vm.prank(SUPPLIER);
        ledger.reinstate(batch, 270, 280, 270);
        _redeem(SUPPLIER, 1, frozenBits, 270);
        assertTrue(ledger.isRedeemed(batch, 275), "275 after reinstatement");
    }

    function test_redeem_badHintOnRevokedBatch() public {
        _revoke(SUPPLIER, 600, 700, IKeyLedger.RevocationReason.Other, 0);
        vm.expectRevert(abi.encodeWithSelector(IKeyLedger.KeyLedgerBadHint.selector, batch, uint64(600), uint64(256)));
        _redeem(SUPPLIER, 1, 1, 600);
        vm.expectRevert(abi.encodeWithSelector(IKeyLedger.KeyLedgerBadHint.selector, batch, uint64(5), uint64(256)));
        _redeem(SUPPLIER, 1, 1, 5);
    }

    function test_redeemed_bitsSurviveRevocation() public {
        _redeem(SUPPLIER, 0, 0xff, 0);
        _revoke(REGULATOR, 0, 100, IKeyLedger.RevocationReason.Chargeback, 0);
        assertTrue(ledger.isRedeemed(batch, 3), "still redeemed after freeze");
        vm.expectRevert(
            abi.encodeWithSelector(
                IKeyLedger.KeyLedgerRangeFrozen.selector,
                batch,
                uint64(0),
                uint64(100),
                IKeyLedger.RevocationReason.Chargeback
            )
        );
        _redeem(SUPPLIER, 0, 0x100, 0);
    }
}
