// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {KeyLedgerV2Fixture} from "../utils/KeyLedgerV2Fixture.sol";
import {KeyLedgerV2Handler} from "../utils/KeyLedgerV2Handler.sol";
import {SaleMerkle} from "../utils/SaleMerkle.sol";
import {IKeyLedgerV2} from "../../../contracts/v2/interfaces/IKeyLedgerV2.sol";
import {IKeyLedgerV2Sales} from "../../../contracts/v2/interfaces/IKeyLedgerV2Sales.sol";

/// @notice Fuzz tests of KeyLedgerV2: random operation sequences against the per-key model, custody
/// against a per-key holder array, and attempts to make a second receipt verify.
contract KeyLedgerV2FuzzTest is KeyLedgerV2Fixture {
    /// @notice Random mixes of every operation leave the ledger equal to the model; at most one receipt
    /// per key verifies; non-regulators never change the regulator layer. Fewer runs in CI (each run
    /// replays 24 operations and checks every key); the deep profile runs its full count.
    /// forge-config: default.fuzz.runs = 48
    function test_fuzz_randomOperationsMatchModel(uint256 seed) public {
        bytes32 small = _anchor(SUPPLIER, "f-small", 64, false);
        bytes32 large = _anchor(SUPPLIER, "f-large", 1_000_000, false);
        KeyLedgerV2Handler h =
            new KeyLedgerV2Handler(ledger, small, large, SUPPLIER, REGULATOR, [DIST, DIST2, RETAIL], STRANGER);
        for (uint256 k; k < 24; ++k) {
            h.step(uint256(keccak256(abi.encode(seed, k))));
        }
        h.check();
        assertEq(h.mismatches(), 0, "calls whose outcome the model did not predict");
        assertEq(h.regulatorLiftsByOthers(), 0, "regulator layer changed by a non-regulator");
    }

    /// @notice Transfers of random ranges between random holders (any fragmentation) match a per-key
    /// holder array, via holderOf and segmentOf.
    function test_fuzz_custodyMatchesPerKeyModel(uint64[12] memory starts, uint64[12] memory lens, uint8[12] memory tos)
        public
    {
        uint64 n = 300;
        bytes32 id = _anchor(SUPPLIER, "fz", n, false);
        address[4] memory actors = [SUPPLIER, DIST, DIST2, RETAIL];
        address[] memory model = new address[](n);
        for (uint256 i; i < n; ++i) {
            model[i] = SUPPLIER;
        }
        for (uint256 k; k < 12; ++k) {
            uint64 start = uint64(bound(starts[k], 0, n - 1));
            uint64 end = start + uint64(bound(lens[k], 1, 40));
            if (end > n) end = n;
            address from = model[start];
            address to = actors[tos[k] % 4];
            bool ok = to != from;
            for (uint256 i = start; i < end; ++i) {
                if (model[i] != from) ok = false;
            }
            if (!ok) vm.expectRevert();
            _transfer(from, id, start, end, to);
            if (ok) {
                for (uint256 i = start; i < end; ++i) {
                    model[i] = to;
                }
            }
        }
        for (uint64 i; i < n; ++i) {
            (uint64 s, uint64 e, address h) = ledger.segmentOf(id, i);
            assertEq(h, model[i], "holder differs from the per-key model");
            assertTrue(s <= i && i < e, "segment holds the index");
            assertEq(model[s], h, "segment start has the holder");
            assertEq(model[e - 1], h, "segment end has the holder");
        }
    }

    /// @notice A seller tries to make two receipts verify for one key: the same key twice in a call,
    /// across calls, colliding and zero commitments, and a refund then a re-sale.
    function test_fuzz_secondReceiptNeverVerifies(uint64 key, bytes32 c1, bytes32 c2, bytes32 r1, bytes32 r2) public {
        key = uint64(bound(key, 1, 98));
        bytes32 id = _anchor(SUPPLIER, "rcpt", 100, false);
        IKeyLedgerV2Sales.SaleGroup[] memory gs = new IKeyLedgerV2Sales.SaleGroup[](1);
        gs[0].batchId = id;
        gs[0].indices = new uint64[](2);
        gs[0].commitments = new bytes32[](2);
        gs[0].orderRefs = new bytes32[](2);
        (gs[0].indices[0], gs[0].indices[1]) = (key, key);
        (gs[0].commitments[0], gs[0].commitments[1]) = (c1, c2);
        (gs[0].orderRefs[0], gs[0].orderRefs[1]) = (r1, r2);
        vm.expectRevert(); // the same key twice in one call
        vm.prank(SUPPLIER);
        sales.sell(gs, _ctx());
        // A neighbour with the same commitment is a different receipt (the leaf binds the index).
        gs[0].indices[1] = key + 1;
        bool ok = c1 != bytes32(0) && c2 != bytes32(0);
        if (!ok) vm.expectRevert();
        vm.prank(SUPPLIER);
        sales.sell(gs, _ctx());
        if (!ok) return;
        bytes32[] memory leaves = SaleMerkle.leaves(id, gs[0].indices, gs[0].commitments, gs[0].orderRefs);
        bytes32[] memory p0 = SaleMerkle.proof(leaves, 0);
        bytes32[] memory p1 = SaleMerkle.proof(leaves, 1);
        assertTrue(sales.verifyReceipt(id, key, c1, r1, p0), "the buyer's receipt");
        assertEq(sales.verifyReceipt(id, key, c2, r2, p1), false, "the neighbour's receipt for this key");
        assertEq(sales.verifyReceipt(id, key, c2, r2, p0), c2 == c1 && r2 == r1, "other data, same proof");
        vm.expectRevert();
        vm.prank(SUPPLIER);
        sales.sell(_single(id, key, c2, r2), _ctx()); // already sold
        vm.prank(SUPPLIER);
        sales.refund(id, key, c1, r1, p0);
        _reinstate(SUPPLIER, id, key, key + 1);
        vm.prank(SUPPLIER);
        sales.sell(_single(id, key, c2, r2), _ctx());
        assertTrue(sales.verifyReceipt(id, key, c2, r2, new bytes32[](0)), "the new buyer's receipt");
        assertEq(sales.verifyReceipt(id, key, c1, r1, p0), false, "the refunded receipt");
        assertEq(sales.verifyReceipt(id, key, c1, r1, new bytes32[](0)), c1 == c2 && r1 == r2, "old data, new proof");
    }

    function _single(bytes32 id, uint64 key, bytes32 c, bytes32 r)
        internal
        pure
        returns (IKeyLedgerV2Sales.SaleGroup[] memory gs)
    {
        gs = new IKeyLedgerV2Sales.SaleGroup[](1);
        gs[0].batchId = id;
        gs[0].indices = new uint64[](1);
        gs[0].commitments = new bytes32[](1);
        gs[0].orderRefs = new bytes32[](1);
        (gs[0].indices[0], gs[0].commitments[0], gs[0].orderRefs[0]) = (key, c, r);
    }

    function _ctx() internal pure returns (IKeyLedgerV2Sales.SaleContext memory c) {
        c.currency = "CNY";
    }
}
