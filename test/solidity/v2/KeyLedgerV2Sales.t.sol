// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {KeyLedgerV2Fixture} from "../utils/KeyLedgerV2Fixture.sol";
import {SaleMerkle} from "../utils/SaleMerkle.sol";
import {IKeyLedgerV2} from "../../../contracts/v2/interfaces/IKeyLedgerV2.sol";
import {IKeyLedgerV2Sales} from "../../../contracts/v2/interfaces/IKeyLedgerV2Sales.sol";
import {KeyLedgerV2Sales} from "../../../contracts/v2/KeyLedgerV2Sales.sol";
import {KeyLedgerV2Slots} from "../utils/KeyLedgerV2Slots.sol";

/// @notice Sales with buyer receipts, refunds, sale-required batches.
contract KeyLedgerV2SalesTest is KeyLedgerV2Fixture {
    bytes32 internal batch;

    function setUp() public override {
        super.setUp();
        batch = _anchor(SUPPLIER, "b1", 1000, false);
        _transfer(SUPPLIER, batch, 0, 500, RETAIL);
    }

    function _ctx() internal pure returns (IKeyLedgerV2Sales.SaleContext memory) {
        return IKeyLedgerV2Sales.SaleContext({
            store: bytes32("store 7"),
            terminal: bytes32("pos 2"),
            amount: 30_000,
            currency: "CNY"
        });
    }

    function _group(bytes32 id, uint64[] memory indices, uint256 salt)
        internal
        pure
        returns (IKeyLedgerV2Sales.SaleGroup memory g)
    {
        g.batchId = id;
        g.indices = indices;
        g.commitments = new bytes32[](indices.length);
        g.orderRefs = new bytes32[](indices.length);
        for (uint256 i; i < indices.length; ++i) {
            g.commitments[i] = keccak256(abi.encode("secret", salt, indices[i]));
            g.orderRefs[i] = keccak256(abi.encode("order", salt, i / 2));
        }
    }

    function _sell(address seller, IKeyLedgerV2Sales.SaleGroup memory g) internal {
        IKeyLedgerV2Sales.SaleGroup[] memory gs = new IKeyLedgerV2Sales.SaleGroup[](1);
        gs[0] = g;
        vm.prank(seller);
        sales.sell(gs, _ctx());
    }

    function _idx(uint64 a, uint64 b, uint64 c) internal pure returns (uint64[] memory x) {
        x = new uint64[](3);
        (x[0], x[1], x[2]) = (a, b, c);
    }

    function _proof(IKeyLedgerV2Sales.SaleGroup memory g, uint256 pos) internal pure returns (bytes32[] memory) {
        return SaleMerkle.proof(SaleMerkle.leaves(g.batchId, g.indices, g.commitments, g.orderRefs), pos);
    }

    function _verifies(IKeyLedgerV2Sales.SaleGroup memory g, uint256 pos) internal view returns (bool) {
        return sales.verifyReceipt(g.batchId, g.indices[pos], g.commitments[pos], g.orderRefs[pos], _proof(g, pos));
    }

    // ------------------------------------------------------------ selling and verifying

    function test_sell_recordsEmitsAndVerifies() public {
        IKeyLedgerV2Sales.SaleGroup memory g = _group(batch, _idx(10, 11, 40), 1);
        bytes32 root = SaleMerkle.root(SaleMerkle.leaves(batch, g.indices, g.commitments, g.orderRefs));
        vm.expectEmit(true, true, true, true, address(ledger));
        emit IKeyLedgerV2Sales.KeysSold(
            batch, RETAIL, 1, root, uint64(T0), _ctx(), g.indices, g.commitments, g.orderRefs
        );
        _sell(RETAIL, g);
        (bool sold, bool refunded, uint32 saleNo, address seller, uint64 soldAt, bytes24 r) = sales.saleOf(batch, 11);
        assertTrue(sold && !refunded, "sold");
        assertTrue(saleNo == 1 && seller == RETAIL && soldAt == T0 && r == bytes24(root), "record");
        for (uint256 i; i < 3; ++i) {
            assertTrue(_verifies(g, i), "each buyer's receipt verifies");
        }
        // Another commitment, order ref or key does not.
        bytes32[] memory p = _proof(g, 0);
        assertTrue(!sales.verifyReceipt(batch, 10, g.commitments[1], g.orderRefs[0], p), "other commitment");
        assertTrue(!sales.verifyReceipt(batch, 10, g.commitments[0], bytes32("x"), p), "other order ref");
        assertTrue(!sales.verifyReceipt(batch, 12, g.commitments[0], g.orderRefs[0], p), "other key");
        assertTrue(!sales.verifyReceipt(batch, 12, g.commitments[0], g.orderRefs[0], new bytes32[](0)), "unsold");
        (sold,,,,,) = sales.saleOf(batch, 12);
        assertTrue(!sold, "12 not sold");
        IKeyLedgerV2.KeyStatus memory st = ledger.keyStatus(batch, 40);
        assertTrue(st.sold && st.saleNo == 1 && !st.refunded, "keyStatus shows the sale");
        assertEq(
            sales.saleLeaf(batch, 10, g.commitments[0], g.orderRefs[0]),
            SaleMerkle.leaf(batch, 10, g.commitments[0], g.orderRefs[0]),
            "leaf"
        );
    }

    function test_sell_severalBatchesInOneCall() public {
        bytes32 other = _anchor(SUPPLIER, "other", 50, false);
        IKeyLedgerV2Sales.SaleGroup[] memory gs = new IKeyLedgerV2Sales.SaleGroup[](2);
        gs[0] = _group(batch, _idx(600, 601, 602), 2);
        gs[1] = _group(other, _idx(0, 1, 49), 3);
        vm.prank(SUPPLIER);
        sales.sell(gs, _ctx());
        assertTrue(_verifies(gs[0], 2) && _verifies(gs[1], 2), "both groups");
        (,, uint32 saleNo,,,) = sales.saleOf(other, 49);
        assertEq(saleNo, 1, "numbered per batch");
    }

    function test_sell_rejectsDuplicatesAndDisorder() public {
        IKeyLedgerV2Sales.SaleGroup memory g = _group(batch, _idx(10, 10, 11), 1);
        vm.expectRevert(
            abi.encodeWithSelector(IKeyLedgerV2Sales.KeyLedgerSaleOrder.selector, batch, uint64(10), uint64(10))
        );
        _sell(RETAIL, g);
        g = _group(batch, _idx(12, 11, 13), 1);
        vm.expectRevert(
            abi.encodeWithSelector(IKeyLedgerV2Sales.KeyLedgerSaleOrder.selector, batch, uint64(12), uint64(11))
        );
        _sell(RETAIL, g);
        // The same key in two groups of one call: the second meets the first's sale.
        IKeyLedgerV2Sales.SaleGroup[] memory gs = new IKeyLedgerV2Sales.SaleGroup[](2);
        gs[0] = _group(batch, _idx(20, 21, 22), 1);
        gs[1] = _group(batch, _idx(22, 23, 24), 2);
        vm.expectRevert(
            abi.encodeWithSelector(IKeyLedgerV2Sales.KeyLedgerAlreadySold.selector, batch, uint64(22), uint32(1))
        );
        vm.prank(RETAIL);
        sales.sell(gs, _ctx());
    }

    function test_sell_rejectsBadKeys() public {
        _sell(RETAIL, _group(batch, _idx(1, 2, 3), 1));
        vm.expectRevert(
            abi.encodeWithSelector(IKeyLedgerV2Sales.KeyLedgerAlreadySold.selector, batch, uint64(3), uint32(1))
        );
        _sell(RETAIL, _group(batch, _idx(3, 4, 5), 2));
        vm.expectRevert(
            abi.encodeWithSelector(
                IKeyLedgerV2.KeyLedgerRangeNotHeld.selector, batch, uint64(600), uint64(601), SUPPLIER
            )
        );
        _sell(RETAIL, _group(batch, _idx(10, 11, 600), 3));
        _revoke(REGULATOR, batch, 50, 60, IKeyLedgerV2.RevocationReason.Stolen);
        vm.expectRevert(
            abi.encodeWithSelector(
                IKeyLedgerV2.KeyLedgerRangeFrozen.selector,
                batch,
                uint64(55),
                uint64(56),
                IKeyLedgerV2.RevocationReason.Stolen,
                true
            )
        );
        _sell(RETAIL, _group(batch, _idx(20, 55, 70), 4));
        _redeem(SUPPLIER, batch, 0, 1 << 80);
        vm.expectRevert(abi.encodeWithSelector(IKeyLedgerV2Sales.KeyLedgerKeyRedeemed.selector, batch, uint64(80)));
        _sell(RETAIL, _group(batch, _idx(79, 80, 81), 5));
        IKeyLedgerV2Sales.SaleGroup memory g = _group(batch, _idx(90, 91, 92), 6);
        g.commitments[1] = bytes32(0);
        vm.expectRevert(abi.encodeWithSelector(IKeyLedgerV2Sales.KeyLedgerZeroCommitment.selector, batch, uint64(91)));
        _sell(RETAIL, g);
        g.commitments = new bytes32[](2);
        vm.expectRevert(
            abi.encodeWithSelector(IKeyLedgerV2Sales.KeyLedgerSaleLengths.selector, batch, 3, 2, 3)
        );
        _sell(RETAIL, g);
        vm.expectRevert(
            abi.encodeWithSelector(
                IKeyLedgerV2.KeyLedgerInvalidRange.selector, batch, uint64(998), uint64(1001), uint64(1000)
            )
        );
        _sell(SUPPLIER, _group(batch, _idx(998, 999, 1000), 7));
        ledger.suspendParty(RETAIL, bytes32(0));
        vm.expectRevert(abi.encodeWithSelector(IKeyLedgerV2.KeyLedgerPartySuspended.selector, RETAIL));
        _sell(RETAIL, _group(batch, _idx(100, 101, 102), 8));
        vm.expectRevert(abi.encodeWithSelector(IKeyLedgerV2.KeyLedgerPartyNotRegistered.selector, STRANGER));
        _sell(STRANGER, _group(batch, _idx(100, 101, 102), 8));
    }

    function test_sell_restrictedBatchOnlyAuthorisedSellers() public {
        bytes32 r = _anchor(SUPPLIER, "r", 100, true);
        vm.prank(SUPPLIER);
        ledger.authorize(DIST, 1, 0, bytes32(0));
        _transfer(SUPPLIER, r, 0, 50, DIST);
        _transfer(DIST, r, 40, 50, SUPPLIER);
        _sell(DIST, _group(r, _idx(0, 1, 2), 1));
        _sell(SUPPLIER, _group(r, _idx(60, 61, 62), 2));
        vm.prank(SUPPLIER);
        ledger.deauthorize(DIST);
        vm.expectRevert(
            abi.encodeWithSelector(IKeyLedgerV2Sales.KeyLedgerSellerNotAuthorized.selector, r, SUPPLIER, DIST)
        );
        _sell(DIST, _group(r, _idx(3, 4, 5), 3));
    }

    function test_saleOf_rejectsUnknownBatchAndIndex() public {
        bytes32 unknown = keccak256("nope");
        vm.expectRevert(abi.encodeWithSelector(IKeyLedgerV2.KeyLedgerBatchNotFound.selector, unknown));
        sales.saleOf(unknown, 0);
        vm.expectRevert(
            abi.encodeWithSelector(
                IKeyLedgerV2.KeyLedgerInvalidRange.selector, batch, type(uint64).max, type(uint64).max, uint64(1000)
            )
        );
        sales.saleOf(batch, type(uint64).max);
        vm.expectRevert(
            abi.encodeWithSelector(
                IKeyLedgerV2.KeyLedgerInvalidRange.selector, batch, uint64(1000), uint64(1001), uint64(1000)
            )
        );
        vm.prank(RETAIL);
        sales.refund(batch, 1000, bytes32(uint256(1)), bytes32(0), new bytes32[](0));
        bool verifies = sales.verifyReceipt(batch, 1000, bytes32(uint256(1)), bytes32(0), new bytes32[](0));
        assertTrue(!verifies, "out of range");
    }

    function test_sell_saleNumbersExhausted() public {
        // Batch slot 2, saleCount at bits 184..207: set it to the last sale number (2^23 - 1).
        uint256 field = uint256(KeyLedgerV2Slots.namespace()) + KeyLedgerV2Slots.BATCHES;
        bytes32 slot2 = bytes32(uint256(keccak256(abi.encode(batch, field))) + 1);
        uint256 v = uint256(vm.load(address(ledger), slot2));
        vm.store(address(ledger), slot2, bytes32(v | (uint256((1 << 23) - 1) << 184)));
        vm.expectRevert(abi.encodeWithSelector(IKeyLedgerV2Sales.KeyLedgerSaleNumbersExhausted.selector, batch));
        _sell(RETAIL, _group(batch, _idx(1, 2, 3), 1));
    }

    function test_module_onlyThroughTheLedger() public {
        KeyLedgerV2Sales module = KeyLedgerV2Sales(ledger.SALES());
        IKeyLedgerV2Sales.SaleGroup[] memory gs = new IKeyLedgerV2Sales.SaleGroup[](0);
        vm.expectRevert(abi.encodeWithSelector(IKeyLedgerV2Sales.KeyLedgerOnlyDelegated.selector, address(module)));
        module.sell(gs, _ctx());
    }

    // ------------------------------------------------------------ refunds and re-sales

    function test_refund_freezesUntilTheSupplierReinstatesThenResale() public {
        IKeyLedgerV2Sales.SaleGroup memory g = _group(batch, _idx(10, 11, 12), 1);
        _sell(RETAIL, g);
        bytes32[] memory p = _proof(g, 1);
        vm.expectRevert(
            abi.encodeWithSelector(IKeyLedgerV2Sales.KeyLedgerNotSeller.selector, batch, uint64(11), SUPPLIER)
        );
        vm.prank(SUPPLIER);
        sales.refund(batch, 11, g.commitments[1], g.orderRefs[1], p);
        vm.expectRevert(
            abi.encodeWithSelector(IKeyLedgerV2Sales.KeyLedgerBadReceipt.selector, batch, uint64(11), bytes32("x"))
        );
        vm.prank(RETAIL);
        sales.refund(batch, 11, g.commitments[1], bytes32("x"), p);
        vm.expectEmit(true, true, true, true, address(ledger));
        emit IKeyLedgerV2Sales.SaleRefunded(batch, RETAIL, 1, 11, g.orderRefs[1]);
        vm.expectEmit(true, true, true, true, address(ledger));
        emit IKeyLedgerV2.KeysRevoked(batch, RETAIL, 11, 12, IKeyLedgerV2.RevocationReason.Refunded, false);
        vm.prank(RETAIL);
        sales.refund(batch, 11, g.commitments[1], g.orderRefs[1], p);
        assertTrue(!_verifies(g, 1), "a refunded receipt no longer verifies");
        assertTrue(_verifies(g, 0) && _verifies(g, 2), "the others still do");
        IKeyLedgerV2.KeyStatus memory st = ledger.keyStatus(batch, 11);
        assertTrue(st.refunded && !st.sold, "refunded");
        assertEq(uint8(st.frozenReason), uint8(IKeyLedgerV2.RevocationReason.Refunded), "frozen: Refunded");
        vm.expectRevert(abi.encodeWithSelector(IKeyLedgerV2Sales.KeyLedgerNoSale.selector, batch, uint64(11)));
        vm.prank(RETAIL);
        sales.refund(batch, 11, g.commitments[1], g.orderRefs[1], p);
        // Frozen (Refunded) until the supplier reinstates: no re-sale, no redemption, no move.
        IKeyLedgerV2Sales.SaleGroup memory again = _group(batch, _idx(11, 13, 14), 2);
        vm.expectRevert(
            abi.encodeWithSelector(
                IKeyLedgerV2.KeyLedgerRangeFrozen.selector,
                batch,
                uint64(11),
                uint64(12),
                IKeyLedgerV2.RevocationReason.Refunded,
                false
            )
        );
        _sell(RETAIL, again);
        _reinstate(SUPPLIER, batch, 11, 12);
        _sell(RETAIL, again);
        assertTrue(_verifies(again, 0), "the new buyer's receipt verifies");
        assertTrue(!_verifies(g, 1), "the refunded buyer's still does not");
    }

    function test_refund_afterRedemptionRejected() public {
        IKeyLedgerV2Sales.SaleGroup memory g = _group(batch, _idx(10, 11, 12), 1);
        _sell(RETAIL, g);
        _redeem(SUPPLIER, batch, 0, 1 << 10);
        bytes32[] memory p = _proof(g, 0);
        vm.expectRevert(abi.encodeWithSelector(IKeyLedgerV2Sales.KeyLedgerKeyRedeemed.selector, batch, uint64(10)));
        vm.prank(RETAIL);
        sales.refund(batch, 10, g.commitments[0], g.orderRefs[0], p);
    }

    // ------------------------------------------------------------ sale required

    function test_saleRequired_redeemOnlySoldKeys() public {
        bytes32 sr = _anchorSaleRequired(SUPPLIER, "sr", 600);
        vm.expectRevert(abi.encodeWithSelector(IKeyLedgerV2.KeyLedgerNotSold.selector, sr, uint64(5)));
        _redeem(SUPPLIER, sr, 0, 1 << 5);
        IKeyLedgerV2Sales.SaleGroup memory g = _group(sr, _idx(5, 6, 300), 1);
        _sell(SUPPLIER, g);
        _redeem(SUPPLIER, sr, 0, (1 << 5) | (1 << 6));
        vm.expectRevert(abi.encodeWithSelector(IKeyLedgerV2.KeyLedgerNotSold.selector, sr, uint64(301)));
        _redeem(SUPPLIER, sr, 1, (1 << (300 - 256)) | (1 << (301 - 256)));
        // A refunded key is not sold.
        vm.prank(SUPPLIER);
        sales.refund(sr, 300, g.commitments[2], g.orderRefs[2], _proof(g, 2));
        _reinstate(SUPPLIER, sr, 300, 301);
        vm.expectRevert(abi.encodeWithSelector(IKeyLedgerV2.KeyLedgerNotSold.selector, sr, uint64(300)));
        _redeem(SUPPLIER, sr, 1, 1 << (300 - 256));
        // A batch without the flag redeems unsold keys as in v1.
        _redeem(SUPPLIER, batch, 3, 1);
    }
}
