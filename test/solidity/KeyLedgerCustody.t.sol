// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {KeyLedgerFixture} from "./utils/KeyLedgerFixture.sol";
import {IKeyLedger} from "../../contracts/interfaces/IKeyLedger.sol";

/// @notice Batches, custody transfers, hints and the views.
contract KeyLedgerCustodyTest is KeyLedgerFixture {
    bytes32 internal batch;

    function setUp() public override {
        super.setUp();
        batch = _anchor(SUPPLIER, "b1", 1000, false);
    }

    // ------------------------------------------------------------ anchoring

    function test_anchor_storesBatchAndFirstSegment() public view {
        assertEq(batch, keccak256(abi.encode(SUPPLIER, "b1")), "batchId = keccak256(abi.encode(supplier, label))");
        assertEq(ledger.batchIdOf(SUPPLIER, "b1"), batch, "batchIdOf");
        (bytes32 root, address supplier, uint64 count, uint64 expiresAt, bool restricted) = ledger.batchOf(batch);
        assertEq(root, keccak256("b1"), "root");
        assertEq(supplier, SUPPLIER, "supplier");
        assertEq(count, 1000, "count");
        assertEq(expiresAt, FAR, "expiresAt");
        assertEq(restricted, false, "restricted");
        _assertSegment(batch, 0, SUPPLIER, 1000, 0);
        assertEq(ledger.holderOf(batch, 999), SUPPLIER, "supplier holds [0, count)");
    }

    function test_anchor_emitsEverything() public {
        IKeyLedger.AnchorParams memory p = _params("b2", 42, true);
        bytes32 id = keccak256(abi.encode(SUPPLIER, "b2"));
        vm.expectEmit(true, true, true, true, address(ledger));
        emit IKeyLedger.BatchAnchored(
            id,
            SUPPLIER,
            "b2",
            p.root,
            42,
            p.productId,
            p.faceValue,
            p.currency,
            p.expiresAt,
            true,
            p.manifestHash,
            p.manifestURI
        );
        vm.prank(SUPPLIER);
        assertEq(ledger.anchorBatch(p), id, "returned batchId");
        (,,,, bool restricted) = ledger.batchOf(id);
        assertTrue(restricted, "restricted stored");
    }

    function test_anchor_largestCount() public {
        bytes32 id = _anchor(SUPPLIER, "huge", type(uint48).max, false);
        (,, uint64 count,,) = ledger.batchOf(id);
        assertEq(count, type(uint48).max, "count 2^48 - 1");
        assertEq(ledger.holderOf(id, type(uint48).max - 1), SUPPLIER, "last key");
    }

    function test_anchor_sameLabelRejectedNamingBatch() public {
        vm.expectRevert(abi.encodeWithSelector(IKeyLedger.KeyLedgerBatchExists.selector, batch, "b1"));
        vm.prank(SUPPLIER);
        ledger.anchorBatch(_params("b1", 5, false));
    }

    function test_anchor_sameLabelOtherSupplierIsAnotherBatch() public {
        bytes32 other = _anchor(SUPPLIER2, "b1", 5, false);
        assertTrue(other != batch, "different batchId");
    }

    function test_anchor_rejectsNonSupplier() public {
        vm.expectRevert(abi.encodeWithSelector(IKeyLedger.KeyLedgerNotSupplier.selector, DIST));
        vm.prank(DIST);
        ledger.anchorBatch(_params("x", 5, false));
        vm.expectRevert(abi.encodeWithSelector(IKeyLedger.KeyLedgerNotSupplier.selector, STRANGER));
        vm.prank(STRANGER);
        ledger.anchorBatch(_params("x", 5, false));
    }

    function test_anchor_rejectsSuspendedSupplier() public {
        ledger.suspendParty(SUPPLIER, bytes32(0));
        vm.expectRevert(abi.encodeWithSelector(IKeyLedger.KeyLedgerPartySuspended.selector, SUPPLIER));
        vm.prank(SUPPLIER);
        ledger.anchorBatch(_params("x", 5, false));
    }

    function test_anchor_rejectsExpiredSupplier() public {
        vm.warp(uint256(FAR) + 1);
        vm.expectRevert(abi.encodeWithSelector(IKeyLedger.KeyLedgerAccreditationExpired.selector, SUPPLIER, FAR));
        vm.prank(SUPPLIER);
        ledger.anchorBatch(_params("x", 5, false));
    }

    function test_anchor_rejectsBadCountRootExpiry() public {
        IKeyLedger.AnchorParams memory p = _params("x", 0, false);
        vm.startPrank(SUPPLIER);
        vm.expectRevert(abi.encodeWithSelector(IKeyLedger.KeyLedgerInvalidCount.selector, uint64(0)));
        ledger.anchorBatch(p);
        p.count = uint64(1) << 48;
        vm.expectRevert(abi.encodeWithSelector(IKeyLedger.KeyLedgerInvalidCount.selector, uint64(1) << 48));
        ledger.anchorBatch(p);
        p.count = 1;
        p.root = bytes32(0);
        vm.expectRevert(abi.encodeWithSelector(IKeyLedger.KeyLedgerZeroRoot.selector));
        ledger.anchorBatch(p);
        p.root = keccak256("r");
        p.expiresAt = uint64(1) << 40;
        vm.expectRevert(abi.encodeWithSelector(IKeyLedger.KeyLedgerInvalidExpiry.selector, uint64(1) << 40));
        ledger.anchorBatch(p);
        vm.stopPrank();
    }

    // ------------------------------------------------------------ transfers

    function test_transfer_splitsInThreeAndEmits() public {
        vm.expectEmit(true, true, true, true, address(ledger));
        emit IKeyLedger.CustodyTransferred(batch, SUPPLIER, DIST, 100, 200, MEMO);
        _transfer(SUPPLIER, batch, 100, 200, DIST, 0);
        _assertSegment(batch, 0, SUPPLIER, 100, 0);
        _assertSegment(batch, 100, DIST, 200, 0);
        _assertSegment(batch, 200, SUPPLIER, 1000, 0);
        assertEq(ledger.holderOf(batch, 99), SUPPLIER, "before");
        assertEq(ledger.holderOf(batch, 100), DIST, "first moved");
        assertEq(ledger.holderOf(batch, 199), DIST, "last moved");
        assertEq(ledger.holderOf(batch, 200), SUPPLIER, "after");
    }

    function test_transfer_prefixAndSuffixSplitInTwo() public {
        _transfer(SUPPLIER, batch, 0, 10, DIST, 0);
        _transfer(SUPPLIER, batch, 990, 1000, DIST2, 10);
        _assertSegment(batch, 0, DIST, 10, 0);
        _assertSegment(batch, 10, SUPPLIER, 990, 0);
        _assertSegment(batch, 990, DIST2, 1000, 0);
    }

    function test_transfer_wholeBatch() public {
        _transfer(SUPPLIER, batch, 0, 1000, DIST, 0);
        _assertSegment(batch, 0, DIST, 1000, 0);
    }

    function test_transfer_spansConsecutiveSegmentsWithoutMerging() public {
        _transfer(SUPPLIER, batch, 100, 200, DIST, 0);
        _transfer(SUPPLIER, batch, 200, 300, DIST, 200);
        _transfer(SUPPLIER, batch, 300, 400, DIST, 300);
        // DIST holds [100,200), [200,300), [300,400): pass [150, 350) on in one call.
        _transfer(DIST, batch, 150, 350, RETAIL, 100);
        _assertSegment(batch, 100, DIST, 150, 0);
        _assertSegment(batch, 150, RETAIL, 200, 0);
        _assertSegment(batch, 200, RETAIL, 300, 0);
        _assertSegment(batch, 300, RETAIL, 350, 0);
        _assertSegment(batch, 350, DIST, 400, 0);
        // Segment starts are never removed: 200 and 300 are still valid hints.
        assertEq(ledger.keyStatus(batch, 250, 200).holder, RETAIL, "hint 200 still valid");
    }

    function test_transfer_rejectsRangeNotHeldNamingHolder() public {
        _transfer(SUPPLIER, batch, 100, 200, DIST, 0);
        // SUPPLIER no longer holds [150, 250): the first part it does not hold is DIST's.
        vm.expectRevert(
            abi.encodeWithSelector(IKeyLedger.KeyLedgerRangeNotHeld.selector, batch, uint64(50), uint64(250), DIST)
        );
        _transfer(SUPPLIER, batch, 50, 250, DIST2, 0);
        vm.expectRevert(
            abi.encodeWithSelector(IKeyLedger.KeyLedgerRangeNotHeld.selector, batch, uint64(0), uint64(10), SUPPLIER)
        );
        _transfer(DIST, batch, 0, 10, DIST2, 0);
    }

    function test_transfer_rejectsInvalidRange() public {
        vm.expectRevert(
            abi.encodeWithSelector(IKeyLedger.KeyLedgerInvalidRange.selector, batch, uint64(5), uint64(5), uint64(1000))
        );
        _transfer(SUPPLIER, batch, 5, 5, DIST, 0);
        vm.expectRevert(
            abi.encodeWithSelector(IKeyLedger.KeyLedgerInvalidRange.selector, batch, uint64(6), uint64(5), uint64(1000))
        );
        _transfer(SUPPLIER, batch, 6, 5, DIST, 0);
        vm.expectRevert(
            abi.encodeWithSelector(
                IKeyLedger.KeyLedgerInvalidRange.selector, batch, uint64(999), uint64(1001), uint64(1000)
            )
        );
        _transfer(SUPPLIER, batch, 999, 1001, DIST, 0);
    }

    function test_transfer_rejectsUnknownBatch() public {
        bytes32 unknown = keccak256("nope");
        vm.expectRevert(abi.encodeWithSelector(IKeyLedger.KeyLedgerBatchNotFound.selector, unknown));
        _transfer(SUPPLIER, unknown, 0, 1, DIST, 0);
    }

    function test_transfer_rejectsSelf() public {
        vm.expectRevert(abi.encodeWithSelector(IKeyLedger.KeyLedgerSelfTransfer.selector, SUPPLIER));
        _transfer(SUPPLIER, batch, 0, 1, SUPPLIER, 0);
    }

    function test_transfer_rejectsBadRecipients() public {
        vm.expectRevert(abi.encodeWithSelector(IKeyLedger.KeyLedgerPartyNotRegistered.selector, STRANGER));
        _transfer(SUPPLIER, batch, 0, 1, STRANGER, 0);
        ledger.suspendParty(DIST, bytes32(0));
        vm.expectRevert(abi.encodeWithSelector(IKeyLedger.KeyLedgerPartySuspended.selector, DIST));
        _transfer(SUPPLIER, batch, 0, 1, DIST, 0);
        ledger.updateParty(DIST2, bytes32(0), "", uint64(T0 - 1));
        vm.expectRevert(
            abi.encodeWithSelector(IKeyLedger.KeyLedgerAccreditationExpired.selector, DIST2, uint64(T0 - 1))
        );
        _transfer(SUPPLIER, batch, 0, 1, DIST2, 0);
    }

    function test_transfer_suspendedSenderCannotMove() public {
        _transfer(SUPPLIER, batch, 0, 10, DIST, 0);
        ledger.suspendParty(DIST, bytes32(0));
        vm.expectRevert(abi.encodeWithSelector(IKeyLedger.KeyLedgerPartySuspended.selector, DIST));
        _transfer(DIST, batch, 0, 10, RETAIL, 0);
    }

    function test_transfer_expiredSenderMayStillMove() public {
        _transfer(SUPPLIER, batch, 0, 10, DIST, 0);
        ledger.updateParty(DIST, bytes32(0), "", uint64(T0 + 1));
        vm.warp(T0 + 2);
        assertTrue(!ledger.isActive(DIST), "DIST expired");
        _transfer(DIST, batch, 0, 10, RETAIL, 0);
        assertEq(ledger.holderOf(batch, 5), RETAIL, "moved by an expired sender");
    }

    function test_transfer_badHint() public {
        _transfer(SUPPLIER, batch, 100, 200, DIST, 0);
        // 50 is not a segment start.
        vm.expectRevert(
            abi.encodeWithSelector(IKeyLedger.KeyLedgerBadHint.selector, batch, uint64(50), uint64(300))
        );
        _transfer(SUPPLIER, batch, 300, 400, DIST2, 50);
        // 200 is a segment start but above the index sought.
        vm.expectRevert(
            abi.encodeWithSelector(IKeyLedger.KeyLedgerBadHint.selector, batch, uint64(200), uint64(10))
        );
        _transfer(SUPPLIER, batch, 10, 20, DIST2, 200);
        // Any segment start below works, the closest or not.
        _transfer(SUPPLIER, batch, 300, 400, DIST2, 0);
        _transfer(SUPPLIER, batch, 500, 600, DIST2, 200);
        _assertSegment(batch, 500, DIST2, 600, 0);
    }

    function test_transferMany_severalBatchesAndRecipients() public {
        bytes32 b2 = _anchor(SUPPLIER, "b2", 50, false);
        IKeyLedger.RangeTransfer[] memory items = new IKeyLedger.RangeTransfer[](3);
        items[0] = IKeyLedger.RangeTransfer({batchId: batch, start: 0, end: 10, to: DIST, hint: 0});
        items[1] = IKeyLedger.RangeTransfer({batchId: batch, start: 10, end: 30, to: RETAIL, hint: 10});
        items[2] = IKeyLedger.RangeTransfer({batchId: b2, start: 40, end: 50, to: DIST2, hint: 0});
        vm.expectEmit(true, true, true, true, address(ledger));
        emit IKeyLedger.CustodyTransferred(batch, SUPPLIER, DIST, 0, 10, MEMO);
        vm.expectEmit(true, true, true, true, address(ledger));
        emit IKeyLedger.CustodyTransferred(batch, SUPPLIER, RETAIL, 10, 30, MEMO);
        vm.expectEmit(true, true, true, true, address(ledger));
        emit IKeyLedger.CustodyTransferred(b2, SUPPLIER, DIST2, 40, 50, MEMO);
        vm.prank(SUPPLIER);
        ledger.transferMany(items, MEMO);
        assertEq(ledger.holderOf(batch, 9), DIST, "item 0");
        assertEq(ledger.holderOf(batch, 29), RETAIL, "item 1");
        assertEq(ledger.holderOf(b2, 45), DIST2, "item 2");
        assertEq(ledger.holderOf(b2, 39), SUPPLIER, "rest of b2");
    }

    function test_transferMany_isAtomic() public {
        IKeyLedger.RangeTransfer[] memory items = new IKeyLedger.RangeTransfer[](2);
        items[0] = IKeyLedger.RangeTransfer({batchId: batch, start: 0, end: 10, to: DIST, hint: 0});
        items[1] = IKeyLedger.RangeTransfer({batchId: batch, start: 5, end: 20, to: RETAIL, hint: 0});
        vm.expectRevert(
            abi.encodeWithSelector(IKeyLedger.KeyLedgerRangeNotHeld.selector, batch, uint64(5), uint64(20), DIST)
        );
        vm.prank(SUPPLIER);
        ledger.transferMany(items, MEMO);
        _assertSegment(batch, 0, SUPPLIER, 1000, 0);
    }

    // ------------------------------------------------------------ restricted batches

    function test_restricted_onlyAuthorisedRecipients() public {
        bytes32 r = _anchor(SUPPLIER, "restricted", 100, true);
        vm.expectRevert(
            abi.encodeWithSelector(IKeyLedger.KeyLedgerRecipientNotAuthorized.selector, r, SUPPLIER, DIST)
        );
        _transfer(SUPPLIER, r, 0, 10, DIST, 0);

        vm.prank(SUPPLIER);
        ledger.authorize(DIST, 1, uint64(T0 + 100), bytes32(0));
        _transfer(SUPPLIER, r, 0, 10, DIST, 0);
        // DIST is authorised; RETAIL is not, even though DIST could sell to it on an open batch.
        vm.expectRevert(
            abi.encodeWithSelector(IKeyLedger.KeyLedgerRecipientNotAuthorized.selector, r, SUPPLIER, RETAIL)
        );
        _transfer(DIST, r, 0, 5, RETAIL, 0);
        // Another supplier's authorisation does not count.
        vm.prank(SUPPLIER2);
        ledger.authorize(DIST2, 1, 0, bytes32(0));
        vm.expectRevert(
            abi.encodeWithSelector(IKeyLedger.KeyLedgerRecipientNotAuthorized.selector, r, SUPPLIER, DIST2)
        );
        _transfer(DIST, r, 0, 5, DIST2, 0);
        // Keys may always go back to the batch's supplier.
        _transfer(DIST, r, 0, 5, SUPPLIER, 0);
        assertEq(ledger.holderOf(r, 0), SUPPLIER, "returned to supplier");
    }

    function test_restricted_authorisationMustBeValidNow() public {
        bytes32 r = _anchor(SUPPLIER, "restricted", 100, true);
        vm.prank(SUPPLIER);
        ledger.authorize(DIST, 1, uint64(T0 + 100), bytes32(0));
        vm.warp(T0 + 101);
        vm.expectRevert(
            abi.encodeWithSelector(IKeyLedger.KeyLedgerRecipientNotAuthorized.selector, r, SUPPLIER, DIST)
        );
        _transfer(SUPPLIER, r, 0, 10, DIST, 0);
        vm.startPrank(SUPPLIER);
        ledger.authorize(DIST, 1, 0, bytes32(0));
        ledger.deauthorize(DIST);
        vm.stopPrank();
        vm.expectRevert(
            abi.encodeWithSelector(IKeyLedger.KeyLedgerRecipientNotAuthorized.selector, r, SUPPLIER, DIST)
        );
        _transfer(SUPPLIER, r, 0, 10, DIST, 0);
    }

    // ------------------------------------------------------------ views

    function test_keyStatus_everythingInOneCall() public {
        _transfer(SUPPLIER, batch, 256, 512, DIST, 0);
        vm.prank(SUPPLIER);
        ledger.revoke(batch, 300, 310, IKeyLedger.RevocationReason.Chargeback, 256);
        IKeyLedger.RedeemWord[] memory w = new IKeyLedger.RedeemWord[](1);
        w[0] = IKeyLedger.RedeemWord({batchId: batch, wordIndex: 1, mask: 1 << 10, hint: 256});
        vm.prank(SUPPLIER);
        ledger.redeem(w);

        IKeyLedger.KeyStatus memory s = ledger.keyStatus(batch, 305, 256);
        assertEq(s.root, keccak256("b1"), "root");
        assertEq(s.supplier, SUPPLIER, "supplier");
        assertEq(s.count, 1000, "count");
        assertEq(s.expiresAt, FAR, "expiresAt");
        assertEq(s.restricted, false, "restricted");
        assertEq(s.holder, DIST, "holder");
        assertEq(s.segmentStart, 300, "segmentStart");
        assertEq(s.segmentEnd, 310, "segmentEnd");
        assertEq(uint256(uint8(s.frozenReason)), uint256(uint8(IKeyLedger.RevocationReason.Chargeback)), "reason");
        assertEq(s.redeemed, false, "not redeemed");
        s = ledger.keyStatus(batch, 266, 0);
        assertEq(s.redeemed, true, "266 redeemed");
        assertEq(s.segmentStart, 256, "segment of 266");
        assertTrue(ledger.isRedeemed(batch, 266), "isRedeemed");
        assertTrue(!ledger.isRedeemed(batch, 267), "neighbour not redeemed");
    }

    function test_views_rejectUnknownBatchAndIndex() public {
        bytes32 unknown = keccak256("nope");
        vm.expectRevert(abi.encodeWithSelector(IKeyLedger.KeyLedgerBatchNotFound.selector, unknown));
        ledger.keyStatus(unknown, 0, 0);
        vm.expectRevert(abi.encodeWithSelector(IKeyLedger.KeyLedgerBatchNotFound.selector, unknown));
        ledger.holderOf(unknown, 0);
        vm.expectRevert(
            abi.encodeWithSelector(
                IKeyLedger.KeyLedgerInvalidRange.selector, batch, uint64(1000), uint64(1001), uint64(1000)
            )
        );
        ledger.keyStatus(batch, 1000, 0);
        vm.expectRevert(
            abi.encodeWithSelector(IKeyLedger.KeyLedgerBadHint.selector, batch, uint64(7), uint64(10))
        );
        ledger.keyStatus(batch, 10, 7);
        (address h, uint64 e, IKeyLedger.RevocationReason r) = ledger.segmentAt(batch, 7);
        assertEq(h, address(0), "no segment at 7");
        assertEq(e, 0, "end 0 = none");
        assertEq(uint256(uint8(r)), 0, "no reason");
        (bytes32 root, address supplier,,,) = ledger.batchOf(unknown);
        assertEq(root, bytes32(0), "unknown batch root");
        assertEq(supplier, address(0), "unknown batch supplier");
    }
}
