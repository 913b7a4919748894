// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {KeyLedgerV2Fixture} from "../utils/KeyLedgerV2Fixture.sol";
import {IKeyLedgerV2} from "../../../contracts/v2/interfaces/IKeyLedgerV2.sol";

/// @notice Freeze overlay (regulator and supplier layers, who lifts what), suspended-supplier limits
/// and redemption.
contract KeyLedgerV2FreezeTest is KeyLedgerV2Fixture {
    bytes32 internal batch;
    uint256 internal constant ALL = type(uint256).max;
    IKeyLedgerV2.RevocationReason internal constant STOLEN = IKeyLedgerV2.RevocationReason.Stolen;
    IKeyLedgerV2.RevocationReason internal constant OTHER = IKeyLedgerV2.RevocationReason.Other;

    function setUp() public override {
        super.setUp();
        batch = _anchor(SUPPLIER, "b1", 1000, false);
        vm.prank(SUPPLIER);
        ledger.setRedeemer(REDEEMER, true);
    }

    function _expectFrozen(uint64 start, uint64 end, IKeyLedgerV2.RevocationReason r, bool byRegulator) internal {
        vm.expectRevert(
            abi.encodeWithSelector(IKeyLedgerV2.KeyLedgerRangeFrozen.selector, batch, start, end, r, byRegulator)
        );
    }

    // ------------------------------------------------------------ who freezes, who lifts

    function test_revoke_layersAndEvents() public {
        vm.expectEmit(true, true, true, true, address(ledger));
        emit IKeyLedgerV2.KeysRevoked(batch, REGULATOR, 100, 200, STOLEN, true);
        _revoke(REGULATOR, batch, 100, 200, STOLEN);
        vm.expectEmit(true, true, true, true, address(ledger));
        emit IKeyLedgerV2.KeysRevoked(batch, SUPPLIER, 150, 250, OTHER, false);
        _revoke(SUPPLIER, batch, 150, 250, OTHER);
        _assertFreeze(batch, 99, 0, 0);
        _assertFreeze(batch, 120, 1, 0);
        _assertFreeze(batch, 160, 1, 5);
        _assertFreeze(batch, 220, 0, 5);
        _assertFreeze(batch, 250, 0, 0);
    }

    function test_reinstate_supplierCannotLiftARegulatorsFreeze() public {
        _revoke(REGULATOR, batch, 100, 200, STOLEN);
        vm.expectRevert(
            abi.encodeWithSelector(IKeyLedgerV2.KeyLedgerNotFrozen.selector, batch, uint64(100), uint64(200))
        );
        _reinstate(SUPPLIER, batch, 100, 200);
        // With its own freeze on top, the supplier lifts only its own layer.
        _revoke(SUPPLIER, batch, 50, 300, OTHER);
        vm.expectEmit(true, true, true, true, address(ledger));
        emit IKeyLedgerV2.KeysReinstated(batch, SUPPLIER, 0, 1000, false);
        _reinstate(SUPPLIER, batch, 0, 1000);
        _assertFreeze(batch, 150, 1, 0);
        _assertFreeze(batch, 60, 0, 0);
        _expectFrozen(100, 110, STOLEN, true);
        _transfer(SUPPLIER, batch, 90, 110, DIST);
        // A different regulator lifts it.
        vm.expectEmit(true, true, true, true, address(ledger));
        emit IKeyLedgerV2.KeysReinstated(batch, REGULATOR2, 100, 200, true);
        _reinstate(REGULATOR2, batch, 100, 200);
        _assertFreeze(batch, 150, 0, 0);
        _transfer(SUPPLIER, batch, 90, 110, DIST);
    }

    function test_reinstate_regulatorLiftsBothLayers() public {
        _revoke(SUPPLIER, batch, 0, 1000, OTHER);
        _revoke(REGULATOR, batch, 500, 600, STOLEN);
        _reinstate(REGULATOR, batch, 0, 1000);
        _assertFreeze(batch, 0, 0, 0);
        _assertFreeze(batch, 550, 0, 0);
        _assertFreeze(batch, 999, 0, 0);
    }

    function test_reinstate_neverFrozenReverts() public {
        vm.expectRevert(abi.encodeWithSelector(IKeyLedgerV2.KeyLedgerNotFrozen.selector, batch, uint64(0), uint64(10)));
        _reinstate(SUPPLIER, batch, 0, 10);
        _revoke(SUPPLIER, batch, 100, 200, OTHER);
        vm.expectRevert(
            abi.encodeWithSelector(IKeyLedgerV2.KeyLedgerNotFrozen.selector, batch, uint64(200), uint64(300))
        );
        _reinstate(REGULATOR, batch, 200, 300);
        // Partly frozen is enough.
        _reinstate(SUPPLIER, batch, 150, 300);
        _assertFreeze(batch, 149, 0, 5);
        _assertFreeze(batch, 150, 0, 0);
    }

    function test_revoke_rejectsOthersAndBadInput() public {
        _transfer(SUPPLIER, batch, 0, 10, DIST);
        vm.expectRevert(abi.encodeWithSelector(IKeyLedgerV2.KeyLedgerNotBatchAuthority.selector, batch, DIST));
        _revoke(DIST, batch, 0, 10, STOLEN);
        vm.expectRevert(abi.encodeWithSelector(IKeyLedgerV2.KeyLedgerNotBatchAuthority.selector, batch, SUPPLIER2));
        _revoke(SUPPLIER2, batch, 0, 10, STOLEN);
        vm.expectRevert(abi.encodeWithSelector(IKeyLedgerV2.KeyLedgerNotBatchAuthority.selector, batch, REDEEMER));
        _reinstate(REDEEMER, batch, 0, 10);
        vm.expectRevert(abi.encodeWithSelector(IKeyLedgerV2.KeyLedgerInvalidReason.selector, uint8(0)));
        _revoke(SUPPLIER, batch, 0, 10, IKeyLedgerV2.RevocationReason.None);
        vm.expectRevert(abi.encodeWithSelector(IKeyLedgerV2.KeyLedgerInvalidReason.selector, uint8(6)));
        _revoke(SUPPLIER, batch, 0, 10, IKeyLedgerV2.RevocationReason.Refunded);
        vm.expectRevert(
            abi.encodeWithSelector(
                IKeyLedgerV2.KeyLedgerInvalidRange.selector, batch, uint64(990), uint64(1001), uint64(1000)
            )
        );
        _revoke(SUPPLIER, batch, 990, 1001, STOLEN);
        bytes32 unknown = keccak256("nope");
        vm.expectRevert(abi.encodeWithSelector(IKeyLedgerV2.KeyLedgerBatchNotFound.selector, unknown));
        _revoke(SUPPLIER, unknown, 0, 1, STOLEN);
    }

    function test_revoke_replacesTheLayersReasonAndMerges() public {
        _revoke(SUPPLIER, batch, 100, 200, STOLEN);
        _revoke(SUPPLIER, batch, 150, 300, OTHER);
        _revoke(SUPPLIER, batch, 300, 400, OTHER);
        _assertFreeze(batch, 120, 0, 1);
        _assertFreeze(batch, 399, 0, 5);
        // The error names the frozen part inside the range asked for.
        _expectFrozen(200, 210, OTHER, false);
        _transfer(SUPPLIER, batch, 200, 210, DIST);
        _expectFrozen(100, 150, STOLEN, false);
        _transfer(SUPPLIER, batch, 50, 160, DIST);
    }

    function test_revoke_wholeBatchIsOneWrite() public {
        _transfer(SUPPLIER, batch, 10, 20, DIST);
        _revoke(REGULATOR, batch, 0, 1000, STOLEN);
        _assertFreeze(batch, 0, 1, 0);
        _assertFreeze(batch, 999, 1, 0);
        _expectFrozen(10, 20, STOLEN, true);
        _transfer(DIST, batch, 10, 20, RETAIL);
    }

    // ------------------------------------------------------------ suspended supplier

    function test_suspendedSupplier_freezesOnly() public {
        _revoke(SUPPLIER, batch, 0, 10, OTHER);
        ledger.suspendParty(SUPPLIER, keccak256("audit"));
        // Protective acts stay allowed.
        _revoke(SUPPLIER, batch, 20, 30, STOLEN);
        vm.prank(SUPPLIER);
        ledger.setRedeemer(REDEEMER, false);
        // Nothing else.
        vm.expectRevert(abi.encodeWithSelector(IKeyLedgerV2.KeyLedgerPartySuspended.selector, SUPPLIER));
        _reinstate(SUPPLIER, batch, 0, 10);
        vm.expectRevert(abi.encodeWithSelector(IKeyLedgerV2.KeyLedgerPartySuspended.selector, SUPPLIER));
        _redeem(SUPPLIER, batch, 0, 1 << 100);
        vm.expectRevert(abi.encodeWithSelector(IKeyLedgerV2.KeyLedgerPartySuspended.selector, SUPPLIER));
        _transfer(SUPPLIER, batch, 100, 110, DIST);
        vm.expectRevert(abi.encodeWithSelector(IKeyLedgerV2.KeyLedgerPartySuspended.selector, SUPPLIER));
        vm.prank(SUPPLIER);
        ledger.setRedeemer(REDEEMER2(), true);
        // A regulator still lifts the supplier's freeze.
        _reinstate(REGULATOR, batch, 0, 10);
        _assertFreeze(batch, 5, 0, 0);
    }

    function test_suspendedSupplier_redeemersStop() public {
        _redeem(REDEEMER, batch, 0, 1);
        ledger.suspendParty(SUPPLIER, bytes32(0));
        vm.expectRevert(abi.encodeWithSelector(IKeyLedgerV2.KeyLedgerPartySuspended.selector, SUPPLIER));
        _redeem(REDEEMER, batch, 0, 2);
        assertTrue(reads.isRedeemer(SUPPLIER, REDEEMER), "still delegated, just stopped");
        ledger.reinstateParty(SUPPLIER);
        _redeem(REDEEMER, batch, 0, 2);
        assertTrue(ledger.isRedeemed(batch, 1), "works again after reinstatement");
    }

    function REDEEMER2() internal pure returns (address) {
        return address(0xB002);
    }

    // ------------------------------------------------------------ redemption

    function test_redeem_bySupplierAndRedeemerAndEmits() public {
        vm.expectEmit(true, true, true, true, address(ledger));
        emit IKeyLedgerV2.KeysRedeemed(batch, SUPPLIER, 0, 0x0f);
        _redeem(SUPPLIER, batch, 0, 0x0f);
        _redeem(REDEEMER, batch, 3, ALL >> 24); // [768, 1000): the last, partial word
        assertTrue(ledger.isRedeemed(batch, 3) && !ledger.isRedeemed(batch, 4), "word 0");
        assertTrue(ledger.isRedeemed(batch, 999) && !ledger.isRedeemed(batch, 767), "word 3");
        vm.expectRevert(abi.encodeWithSelector(IKeyLedgerV2.KeyLedgerNotRedeemer.selector, batch, DIST));
        _redeem(DIST, batch, 1, 1);
        vm.expectRevert(abi.encodeWithSelector(IKeyLedgerV2.KeyLedgerNotRedeemer.selector, batch, SUPPLIER2));
        _redeem(SUPPLIER2, batch, 1, 1);
        vm.expectRevert(
            abi.encodeWithSelector(IKeyLedgerV2.KeyLedgerAlreadyRedeemed.selector, batch, uint64(0), uint256(0x0c))
        );
        _redeem(SUPPLIER, batch, 0, 0x3c);
        vm.expectRevert(abi.encodeWithSelector(IKeyLedgerV2.KeyLedgerInvalidMask.selector, batch, uint64(3), ALL));
        _redeem(SUPPLIER, batch, 3, ALL);
        vm.expectRevert(
            abi.encodeWithSelector(IKeyLedgerV2.KeyLedgerInvalidMask.selector, batch, uint64(1), uint256(0))
        );
        _redeem(SUPPLIER, batch, 1, 0);
        vm.expectRevert(
            abi.encodeWithSelector(IKeyLedgerV2.KeyLedgerInvalidMask.selector, batch, uint64(4), uint256(1))
        );
        _redeem(SUPPLIER, batch, 4, 1);
        bytes32 unknown = keccak256("nope");
        vm.expectRevert(abi.encodeWithSelector(IKeyLedgerV2.KeyLedgerBatchNotFound.selector, unknown));
        _redeem(SUPPLIER, unknown, 0, 1);
    }

    /// @notice redeemWord_b24 (the common case's entry) keeps redeem's rules: only the supplier or its
    /// redeemer, never a word already partly redeemed, never a word past the batch's last full one.
    function test_redeemWord_sameRulesAsRedeem() public {
        vm.expectRevert(abi.encodeWithSelector(IKeyLedgerV2.KeyLedgerNotRedeemer.selector, batch, DIST));
        vm.prank(DIST);
        ledger.redeemWord_b24(batch, 1);
        _redeem(SUPPLIER, batch, 1, 1);
        vm.expectRevert(
            abi.encodeWithSelector(IKeyLedgerV2.KeyLedgerAlreadyRedeemed.selector, batch, uint64(1), uint256(1))
        );
        vm.prank(SUPPLIER);
        ledger.redeemWord_b24(batch, 1);
        vm.expectRevert(abi.encodeWithSelector(IKeyLedgerV2.KeyLedgerInvalidMask.selector, batch, uint64(3), ALL));
        vm.prank(REDEEMER);
        ledger.redeemWord_b24(batch, 3); // [768, 1000): a partial word needs `redeem` with a mask
        vm.prank(REDEEMER);
        ledger.redeemWord_b24(batch, 2);
        assertTrue(ledger.isRedeemed(batch, 512) && ledger.isRedeemed(batch, 767), "word 2, all 256 keys");
    }

    function test_redeem_frozenKeysOnEitherLayer() public {
        _revoke(REGULATOR, batch, 10, 12, STOLEN);
        _revoke(SUPPLIER, batch, 300, 301, OTHER);
        _expectFrozen(11, 12, STOLEN, true);
        _redeem(SUPPLIER, batch, 0, 1 << 11);
        _expectFrozen(300, 301, OTHER, false);
        _redeem(REDEEMER, batch, 1, 1 << (300 - 256));
        // Around the frozen keys (even in the same word) is fine.
        _redeem(SUPPLIER, batch, 0, (1 << 9) | (1 << 12));
        _redeem(REDEEMER, batch, 1, ALL ^ (1 << (300 - 256)));
        assertTrue(ledger.isRedeemed(batch, 301) && !ledger.isRedeemed(batch, 300), "only the unfrozen keys");
    }

    function test_redeemMany_checksEveryWordAndIsAtomic() public {
        _revoke(REGULATOR, batch, 600, 601, STOLEN);
        IKeyLedgerV2.RedeemWord[] memory w = new IKeyLedgerV2.RedeemWord[](3);
        w[0] = IKeyLedgerV2.RedeemWord({batchId: batch, wordIndex: 0, mask: ALL});
        w[1] = IKeyLedgerV2.RedeemWord({batchId: batch, wordIndex: 1, mask: ALL});
        w[2] = IKeyLedgerV2.RedeemWord({batchId: batch, wordIndex: 2, mask: ALL});
        _expectFrozen(600, 601, STOLEN, true);
        vm.prank(REDEEMER);
        ledger.redeemMany(w);
        assertTrue(!ledger.isRedeemed(batch, 0), "nothing redeemed");
        w[2].mask = ALL ^ (1 << (600 - 512));
        vm.prank(REDEEMER);
        ledger.redeemMany(w);
        assertTrue(ledger.isRedeemed(batch, 0) && ledger.isRedeemed(batch, 601), "redeemed");
    }
}
