// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {KeyLedgerV2Fixture} from "../utils/KeyLedgerV2Fixture.sol";
import {IKeyLedgerV2} from "../../../contracts/v2/interfaces/IKeyLedgerV2.sol";

/// @notice KeyLedgerV2 batches, custody transfers (range map: split, merge, bounded lookups) and views.
contract KeyLedgerV2CustodyTest is KeyLedgerV2Fixture {
    bytes32 internal batch;

    function setUp() public override {
        super.setUp();
        batch = _anchor(SUPPLIER, "b1", 5000, false);
    }

    // ------------------------------------------------------------ anchoring

    function test_anchor_storesBatchAndEmits() public {
        IKeyLedgerV2.AnchorParams memory p = _params("b2", 42, true, true);
        bytes32 id = keccak256(abi.encode(SUPPLIER, "b2"));
        vm.expectEmit(true, true, true, true, address(ledger));
        emit IKeyLedgerV2.BatchAnchored(
            id, SUPPLIER, "b2", p.root, 42, p.productId, p.faceValue, p.currency, p.expiresAt, true, true,
            p.manifestHash, p.manifestURI
        );
        vm.prank(SUPPLIER);
        assertEq(ledger.anchorBatch(p), id, "returned batchId");
        (bytes32 root, address supplier, uint64 count, uint64 expiresAt, bool restricted, bool saleRequired) =
            ledger.batchOf(id);
        assertEq(root, p.root, "root");
        assertEq(supplier, SUPPLIER, "supplier");
        assertEq(count, 42, "count");
        assertEq(expiresAt, FAR, "expiresAt");
        assertTrue(restricted && saleRequired, "flags");
        assertEq(reads.batchIdOf(SUPPLIER, "b2"), id, "batchIdOf");
        _assertSegment(id, 41, 0, 42, SUPPLIER);
    }

    function test_anchor_rejectsBadInput() public {
        IKeyLedgerV2.AnchorParams memory p = _params("bad", 10, false, false);
        p.root = bytes32(0);
        vm.expectRevert(
            abi.encodeWithSelector(
                IKeyLedgerV2.KeyLedgerZeroRoot.selector, keccak256(abi.encode(SUPPLIER, "bad")), "bad"
            )
        );
        vm.prank(SUPPLIER);
        ledger.anchorBatch(p);
        p = _params("bad", 0, false, false);
        vm.expectRevert(abi.encodeWithSelector(IKeyLedgerV2.KeyLedgerInvalidCount.selector, uint64(0)));
        vm.prank(SUPPLIER);
        ledger.anchorBatch(p);
        p = _params("bad", uint64(1) << 48, false, false);
        vm.expectRevert(abi.encodeWithSelector(IKeyLedgerV2.KeyLedgerInvalidCount.selector, uint64(1) << 48));
        vm.prank(SUPPLIER);
        ledger.anchorBatch(p);
        p = _params("bad", 10, false, false);
        p.expiresAt = uint64(1) << 40;
        vm.expectRevert(abi.encodeWithSelector(IKeyLedgerV2.KeyLedgerInvalidExpiry.selector, uint64(1) << 40));
        vm.prank(SUPPLIER);
        ledger.anchorBatch(p);
        vm.expectRevert(abi.encodeWithSelector(IKeyLedgerV2.KeyLedgerBatchExists.selector, batch, "b1"));
        vm.prank(SUPPLIER);
        ledger.anchorBatch(_params("b1", 10, false, false));
        vm.expectRevert(abi.encodeWithSelector(IKeyLedgerV2.KeyLedgerNotSupplier.selector, DIST));
        vm.prank(DIST);
        ledger.anchorBatch(_params("d", 10, false, false));
        ledger.suspendParty(SUPPLIER, bytes32(0));
        vm.expectRevert(abi.encodeWithSelector(IKeyLedgerV2.KeyLedgerPartySuspended.selector, SUPPLIER));
        vm.prank(SUPPLIER);
        ledger.anchorBatch(_params("s", 10, false, false));
    }

    function test_anchor_largestCount() public {
        bytes32 id = _anchor(SUPPLIER, "huge", type(uint48).max, false);
        _transfer(SUPPLIER, id, type(uint48).max - 5, type(uint48).max - 1, DIST);
        assertEq(ledger.holderOf(id, type(uint48).max - 1), SUPPLIER, "last key");
        assertEq(ledger.holderOf(id, type(uint48).max - 2), DIST, "moved near the end");
        _assertSegment(id, 3, 0, type(uint48).max - 5, SUPPLIER);
    }

    // ------------------------------------------------------------ transfers

    function test_transfer_splitsInThreeAndEmits() public {
        vm.expectEmit(true, true, true, true, address(ledger));
        emit IKeyLedgerV2.CustodyTransferred(batch, SUPPLIER, DIST, 1000, 2000, MEMO);
        _transfer(SUPPLIER, batch, 1000, 2000, DIST);
        _assertSegment(batch, 999, 0, 1000, SUPPLIER);
        _assertSegment(batch, 1000, 1000, 2000, DIST);
        _assertSegment(batch, 1999, 1000, 2000, DIST);
        _assertSegment(batch, 2000, 2000, 5000, SUPPLIER);
    }

    function test_transfer_prefixSuffixAndLeafZero() public {
        _transfer(SUPPLIER, batch, 0, 3, DIST);
        _transfer(SUPPLIER, batch, 4990, 5000, RETAIL);
        _transfer(SUPPLIER, batch, 5, 6, DIST2);
        _assertSegment(batch, 0, 0, 3, DIST);
        _assertSegment(batch, 3, 3, 5, SUPPLIER);
        _assertSegment(batch, 5, 5, 6, DIST2);
        _assertSegment(batch, 6, 6, 4990, SUPPLIER);
        _assertSegment(batch, 4999, 4990, 5000, RETAIL);
        assertEq(ledger.holderOf(batch, 4), SUPPLIER, "between the leaf-0 segments");
    }

    function test_transfer_mergesTheSendersSegments() public {
        _transfer(SUPPLIER, batch, 100, 110, DIST);
        _transfer(SUPPLIER, batch, 110, 120, DIST);
        _transfer(SUPPLIER, batch, 3000, 3001, DIST);
        _transfer(SUPPLIER, batch, 120, 3000, DIST);
        // DIST holds [100, 3001) as four segments; moving it all merges them into one.
        _assertSegment(batch, 105, 100, 110, DIST);
        _assertSegment(batch, 2999, 120, 3000, DIST);
        _transfer(DIST, batch, 100, 3001, RETAIL);
        _assertSegment(batch, 100, 100, 3001, RETAIL);
        _assertSegment(batch, 1500, 100, 3001, RETAIL);
        _assertSegment(batch, 3000, 100, 3001, RETAIL);
        _assertSegment(batch, 3001, 3001, 5000, SUPPLIER);
    }

    function test_transfer_rejectsRangeNotHeldNamingHolder() public {
        _transfer(SUPPLIER, batch, 100, 200, DIST);
        vm.expectRevert(
            abi.encodeWithSelector(IKeyLedgerV2.KeyLedgerRangeNotHeld.selector, batch, uint64(50), uint64(150), DIST)
        );
        _transfer(SUPPLIER, batch, 50, 150, RETAIL);
        vm.expectRevert(
            abi.encodeWithSelector(
                IKeyLedgerV2.KeyLedgerRangeNotHeld.selector, batch, uint64(150), uint64(250), SUPPLIER
            )
        );
        _transfer(DIST, batch, 150, 250, RETAIL);
        vm.expectRevert(
            abi.encodeWithSelector(IKeyLedgerV2.KeyLedgerRangeNotHeld.selector, batch, uint64(0), uint64(1), SUPPLIER)
        );
        _transfer(STRANGER, batch, 0, 1, RETAIL);
    }

    function test_transfer_rejectsBadInput() public {
        vm.expectRevert(
            abi.encodeWithSelector(
                IKeyLedgerV2.KeyLedgerInvalidRange.selector, batch, uint64(10), uint64(10), uint64(5000)
            )
        );
        _transfer(SUPPLIER, batch, 10, 10, DIST);
        vm.expectRevert(
            abi.encodeWithSelector(
                IKeyLedgerV2.KeyLedgerInvalidRange.selector, batch, uint64(4990), uint64(5001), uint64(5000)
            )
        );
        _transfer(SUPPLIER, batch, 4990, 5001, DIST);
        bytes32 unknown = keccak256("nope");
        vm.expectRevert(abi.encodeWithSelector(IKeyLedgerV2.KeyLedgerBatchNotFound.selector, unknown));
        _transfer(SUPPLIER, unknown, 0, 1, DIST);
        vm.expectRevert(abi.encodeWithSelector(IKeyLedgerV2.KeyLedgerSelfTransfer.selector, SUPPLIER));
        _transfer(SUPPLIER, batch, 0, 1, SUPPLIER);
        vm.expectRevert(abi.encodeWithSelector(IKeyLedgerV2.KeyLedgerPartyNotRegistered.selector, STRANGER));
        _transfer(SUPPLIER, batch, 0, 1, STRANGER);
        ledger.suspendParty(DIST, bytes32(0));
        vm.expectRevert(abi.encodeWithSelector(IKeyLedgerV2.KeyLedgerPartySuspended.selector, DIST));
        _transfer(SUPPLIER, batch, 0, 1, DIST);
        vm.warp(uint256(FAR) + 1);
        vm.expectRevert(abi.encodeWithSelector(IKeyLedgerV2.KeyLedgerAccreditationExpired.selector, DIST2, FAR));
        _transfer(SUPPLIER, batch, 0, 1, DIST2);
    }

    function test_transfer_suspendedSenderCannotMoveExpiredMay() public {
        _transfer(SUPPLIER, batch, 0, 10, DIST);
        ledger.suspendParty(DIST, bytes32(0));
        vm.expectRevert(abi.encodeWithSelector(IKeyLedgerV2.KeyLedgerPartySuspended.selector, DIST));
        _transfer(DIST, batch, 0, 10, RETAIL);
        ledger.reinstateParty(DIST);
        vm.warp(uint256(FAR) + 1);
        _transfer(DIST, batch, 0, 10, RETAIL);
        assertEq(ledger.holderOf(batch, 9), RETAIL, "an expired sender still moves its keys");
    }

    function test_restricted_onlyAuthorisedRecipients() public {
        bytes32 r = _anchor(SUPPLIER, "r", 100, true);
        vm.expectRevert(
            abi.encodeWithSelector(IKeyLedgerV2.KeyLedgerRecipientNotAuthorized.selector, r, SUPPLIER, DIST)
        );
        _transfer(SUPPLIER, r, 0, 10, DIST);
        vm.prank(SUPPLIER);
        ledger.authorize(DIST, 1, uint64(T0 + 10), keccak256("cert"));
        _transfer(SUPPLIER, r, 0, 10, DIST);
        _transfer(DIST, r, 0, 5, SUPPLIER); // back to the supplier: always allowed
        vm.warp(T0 + 11);
        vm.expectRevert(
            abi.encodeWithSelector(IKeyLedgerV2.KeyLedgerRecipientNotAuthorized.selector, r, SUPPLIER, DIST)
        );
        _transfer(SUPPLIER, r, 20, 30, DIST);
    }

    function test_transferMany_atomicAcrossBatches() public {
        bytes32 other = _anchor(SUPPLIER, "other", 100, false);
        IKeyLedgerV2.RangeTransfer[] memory items = new IKeyLedgerV2.RangeTransfer[](2);
        items[0] = IKeyLedgerV2.RangeTransfer({batchId: batch, start: 0, end: 10, to: DIST});
        items[1] = IKeyLedgerV2.RangeTransfer({batchId: other, start: 5, end: 7, to: RETAIL});
        vm.prank(SUPPLIER);
        ledger.transferMany(items, MEMO);
        assertEq(ledger.holderOf(batch, 9), DIST, "first item");
        assertEq(ledger.holderOf(other, 6), RETAIL, "second item");
        items[1] = IKeyLedgerV2.RangeTransfer({batchId: other, start: 5, end: 7, to: DIST});
        items[0] = IKeyLedgerV2.RangeTransfer({batchId: batch, start: 10, end: 20, to: DIST});
        vm.expectRevert(
            abi.encodeWithSelector(IKeyLedgerV2.KeyLedgerRangeNotHeld.selector, other, uint64(5), uint64(7), RETAIL)
        );
        vm.prank(SUPPLIER);
        ledger.transferMany(items, MEMO);
        assertEq(ledger.holderOf(batch, 15), SUPPLIER, "all or nothing");
    }

    // ------------------------------------------------------------ views

    function test_keyStatus_everythingInOneCall() public {
        _transfer(SUPPLIER, batch, 300, 600, DIST);
        _revoke(REGULATOR, batch, 400, 450, IKeyLedgerV2.RevocationReason.Stolen);
        _revoke(SUPPLIER, batch, 420, 500, IKeyLedgerV2.RevocationReason.Chargeback);
        _redeem(SUPPLIER, batch, 1, 1 << (310 - 256));
        IKeyLedgerV2.KeyStatus memory st = ledger.keyStatus(batch, 430);
        assertEq(st.root, keccak256("b1"), "root");
        assertEq(st.supplier, SUPPLIER, "supplier");
        assertEq(st.count, 5000, "count");
        assertEq(st.holder, DIST, "holder");
        assertEq(st.segmentStart, 300, "segmentStart");
        assertEq(st.segmentEnd, 600, "segmentEnd");
        assertEq(uint8(st.frozenReason), uint8(IKeyLedgerV2.RevocationReason.Stolen), "regulator reason first");
        assertTrue(st.frozenByRegulator, "frozen by a regulator");
        assertEq(uint8(st.supplierReason), uint8(IKeyLedgerV2.RevocationReason.Chargeback), "supplier reason");
        assertTrue(!st.redeemed && !st.issuerSuspended && !st.sold, "flags");
        st = ledger.keyStatus(batch, 460);
        assertEq(uint8(st.frozenReason), uint8(IKeyLedgerV2.RevocationReason.Chargeback), "supplier freeze only");
        assertTrue(!st.frozenByRegulator, "not by a regulator");
        st = ledger.keyStatus(batch, 310);
        assertTrue(st.redeemed, "redeemed");
        assertEq(uint8(st.frozenReason), 0, "not frozen");
        ledger.suspendParty(SUPPLIER, bytes32(0));
        assertTrue(ledger.keyStatus(batch, 0).issuerSuspended, "issuer suspended");
    }

    function test_views_rejectUnknownBatchAndIndex() public {
        bytes32 unknown = keccak256("nope");
        vm.expectRevert(abi.encodeWithSelector(IKeyLedgerV2.KeyLedgerBatchNotFound.selector, unknown));
        ledger.keyStatus(unknown, 0);
        vm.expectRevert(
            abi.encodeWithSelector(
                IKeyLedgerV2.KeyLedgerInvalidRange.selector, batch, uint64(5000), uint64(5001), uint64(5000)
            )
        );
        ledger.holderOf(batch, 5000);
        vm.expectRevert(
            abi.encodeWithSelector(
                IKeyLedgerV2.KeyLedgerInvalidRange.selector,
                batch,
                type(uint64).max,
                type(uint64).max,
                uint64(5000)
            )
        );
        ledger.segmentOf(batch, type(uint64).max);
    }
}
