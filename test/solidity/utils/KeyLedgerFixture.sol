// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {Test} from "./Test.sol";
import {KeyLedger} from "../../../contracts/KeyLedger.sol";
import {IKeyLedger} from "../../../contracts/interfaces/IKeyLedger.sol";

/// @notice A deployed ledger with parties: two suppliers, two distributors, a retailer, a
/// regulator and a redeemer. The test contract itself is the admin and registrar.
abstract contract KeyLedgerFixture is Test {
    KeyLedger internal ledger;

    address internal constant SUPPLIER = address(0x5001);
    address internal constant SUPPLIER2 = address(0x5002);
    address internal constant DIST = address(0xD001);
    address internal constant DIST2 = address(0xD002);
    address internal constant RETAIL = address(0xE001);
    address internal constant REGULATOR = address(0xA001);
    address internal constant REDEEMER = address(0xB001);
    address internal constant STRANGER = address(0xC001);

    uint256 internal constant T0 = 1_750_000_000;
    uint64 internal constant FAR = uint64(T0 + 365 days);
    bytes32 internal constant MEMO = keccak256("order 1");

    function setUp() public virtual {
        vm.warp(T0);
        ledger = new KeyLedger(address(this));
        ledger.grantRole(ledger.REGULATOR_ROLE(), REGULATOR);
        _register(SUPPLIER, IKeyLedger.PartyKind.Supplier, FAR);
        _register(SUPPLIER2, IKeyLedger.PartyKind.Supplier, 0);
        _register(DIST, IKeyLedger.PartyKind.Distributor, FAR);
        _register(DIST2, IKeyLedger.PartyKind.Distributor, FAR);
        _register(RETAIL, IKeyLedger.PartyKind.Retailer, 0);
    }

    function _register(address party, IKeyLedger.PartyKind kind, uint64 until) internal {
        ledger.registerParty(party, kind, keccak256(abi.encode(party)), "ipfs://profile", until);
    }

    function _params(string memory label, uint64 count, bool restricted)
        internal
        pure
        returns (IKeyLedger.AnchorParams memory)
    {
        return IKeyLedger.AnchorParams({
            label: label,
            root: keccak256(bytes(label)),
            count: count,
            productId: bytes32(uint256(6901234567892)),
            faceValue: 10_000,
            currency: "CNY",
            expiresAt: FAR,
            restricted: restricted,
            manifestHash: keccak256(abi.encode(label, "manifest")),
            manifestURI: "https://keys.example/manifest.json"
        });
    }

    function _anchor(address supplier, string memory label, uint64 count, bool restricted)
        internal
        returns (bytes32 batchId)
    {
        vm.prank(supplier);
        batchId = ledger.anchorBatch(_params(label, count, restricted));
    }

    function _transfer(address from, bytes32 batchId, uint64 start, uint64 end, address to, uint64 hint) internal {
        vm.prank(from);
        ledger.transfer(batchId, start, end, to, hint, MEMO);
    }

    function _assertSegment(bytes32 batchId, uint64 start, address holder, uint64 end, uint8 reason) internal view {
        (address h, uint64 e, IKeyLedger.RevocationReason r) = ledger.segmentAt(batchId, start);
        assertEq(h, holder, "segment holder");
        assertEq(e, end, "segment end");
        assertEq(uint256(uint8(r)), reason, "segment frozen reason");
    }
}
