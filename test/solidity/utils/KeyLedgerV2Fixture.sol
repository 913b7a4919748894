// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {Test} from "./Test.sol";
import {KeyLedgerV2} from "../../../contracts/v2/KeyLedgerV2.sol";
import {KeyLedgerV2Sales} from "../../../contracts/v2/KeyLedgerV2Sales.sol";
import {IKeyLedgerV2} from "../../../contracts/v2/interfaces/IKeyLedgerV2.sol";
import {IKeyLedgerV2Sales} from "../../../contracts/v2/interfaces/IKeyLedgerV2Sales.sol";
import {IKeyLedgerV2Reads} from "../../../contracts/v2/interfaces/IKeyLedgerV2Reads.sol";

/// @notice A deployed KeyLedgerV2 (with its sale module) and parties: two suppliers, two distributors,
/// a retailer, two regulators and a redeemer. The test contract is the admin and a registrar.
abstract contract KeyLedgerV2Fixture is Test {
    KeyLedgerV2 internal ledger;
    /// @dev The ledger's address, typed for the sale calls it delegates.
    IKeyLedgerV2Sales internal sales;
    /// @dev The party, authorisation and redeemer reads, served by the module at the ledger's address.
    IKeyLedgerV2Reads internal reads;

    address internal constant SUPPLIER = address(0x5001);
    address internal constant SUPPLIER2 = address(0x5002);
    address internal constant DIST = address(0xD001);
    address internal constant DIST2 = address(0xD002);
    address internal constant RETAIL = address(0xE001);
    address internal constant REGULATOR = address(0xA001);
    address internal constant REGULATOR2 = address(0xA002);
    address internal constant REDEEMER = address(0xB001);
    address internal constant STRANGER = address(0xC001);

    uint256 internal constant T0 = 1_750_000_000;
    uint48 internal constant ADMIN_DELAY = 3 days;
    uint64 internal constant FAR = uint64(T0 + 365 days);
    bytes32 internal constant MEMO = keccak256("order 1");

    function setUp() public virtual {
        vm.warp(T0);
        ledger = new KeyLedgerV2(address(this), ADMIN_DELAY, address(new KeyLedgerV2Sales()));
        sales = IKeyLedgerV2Sales(address(ledger));
        reads = IKeyLedgerV2Reads(address(ledger));
        ledger.grantRole(ledger.REGULATOR_ROLE(), REGULATOR);
        ledger.grantRole(ledger.REGULATOR_ROLE(), REGULATOR2);
        _register(SUPPLIER, IKeyLedgerV2.PartyKind.Supplier, FAR);
        _register(SUPPLIER2, IKeyLedgerV2.PartyKind.Supplier, 0);
        _register(DIST, IKeyLedgerV2.PartyKind.Distributor, FAR);
        _register(DIST2, IKeyLedgerV2.PartyKind.Distributor, FAR);
        _register(RETAIL, IKeyLedgerV2.PartyKind.Retailer, 0);
    }

    function _register(address party, IKeyLedgerV2.PartyKind kind, uint64 until) internal {
        ledger.registerParty(party, kind, keccak256(abi.encode(party)), "ipfs://profile", until);
    }

    function _params(string memory label, uint64 count, bool restricted, bool saleRequired)
        internal
        pure
        returns (IKeyLedgerV2.AnchorParams memory)
    {
        return IKeyLedgerV2.AnchorParams({
            label: label,
            root: keccak256(bytes(label)),
            count: count,
            productId: bytes32(uint256(6901234567892)),
            faceValue: 10_000,
            currency: "CNY",
            expiresAt: FAR,
            restricted: restricted,
            saleRequired: saleRequired,
            manifestHash: keccak256(abi.encode(label, "manifest")),
            manifestURI: "https://keys.example/manifest.json"
        });
    }

    function _anchor(address supplier, string memory label, uint64 count, bool restricted)
        internal
        returns (bytes32 batchId)
    {
        vm.prank(supplier);
        batchId = ledger.anchorBatch(_params(label, count, restricted, false));
    }

    function _anchorSaleRequired(address supplier, string memory label, uint64 count) internal returns (bytes32 id) {
        vm.prank(supplier);
        id = ledger.anchorBatch(_params(label, count, false, true));
    }

    function _transfer(address from, bytes32 batchId, uint64 start, uint64 end, address to) internal {
        vm.prank(from);
        ledger.transfer(batchId, start, end, to, MEMO);
    }

    function _revoke(address by, bytes32 batchId, uint64 start, uint64 end, IKeyLedgerV2.RevocationReason r) internal {
        vm.prank(by);
        ledger.revoke(batchId, start, end, r);
    }

    function _reinstate(address by, bytes32 batchId, uint64 start, uint64 end) internal {
        vm.prank(by);
        ledger.reinstate(batchId, start, end);
    }

    function _redeem(address by, bytes32 batchId, uint64 wordIndex, uint256 mask) internal {
        vm.prank(by);
        ledger.redeem(batchId, wordIndex, mask);
    }

    function _assertSegment(bytes32 batchId, uint64 index, uint64 start, uint64 end, address holder) internal view {
        (uint64 s, uint64 e, address h) = ledger.segmentOf(batchId, index);
        assertEq(s, start, "segment start");
        assertEq(e, end, "segment end");
        assertEq(h, holder, "segment holder");
    }

    function _assertFreeze(bytes32 batchId, uint64 index, uint8 regulatorReason, uint8 supplierReason) internal view {
        (IKeyLedgerV2.RevocationReason r, IKeyLedgerV2.RevocationReason s) = ledger.freezeOf(batchId, index);
        assertEq(uint8(r), regulatorReason, "regulator-layer reason");
        assertEq(uint8(s), supplierReason, "supplier-layer reason");
    }

    /// @dev Gas a transaction sending `data` to `target` would use, from inside a test: the 21,000 base,
    /// the calldata (4 gas per zero byte, 16 per other byte) and the call's execution gas measured with
    /// gasleft(). The target account is warmed first (a transaction's `to` is warm); refunds are not
    /// subtracted, so the figure is an upper bound of the receipt's gasUsed. Reverts with the call's error.
    /// When the runner isolates top-level calls as transactions (it does with --gas-stats), the measured
    /// gas already holds the base and the calldata: {_isolated} detects it and nothing is added.
    function _txGas(address from, address target, bytes memory data) internal returns (uint256) {
        uint256 size = target.code.length; // EXTCODESIZE warms the account, as a transaction's `to` is
        assertTrue(size != 0, "target has code");
        vm.prank(from);
        uint256 before = gasleft();
        (bool ok, bytes memory ret) = target.call(data);
        uint256 used = before - gasleft();
        if (!ok) {
            assembly ("memory-safe") {
                revert(add(ret, 32), mload(ret))
            }
        }
        return _isolated() ? used : 21_000 + _calldataGas(data) + used;
    }

    /// @dev Whether a top-level call is charged as a transaction (21,000 base included): an empty call
    /// then costs more than 21,000.
    function _isolated() internal returns (bool) {
        address probe = address(this);
        uint256 before = gasleft();
        (bool ok,) = probe.call(abi.encodeWithSignature("isolationProbe()"));
        uint256 used = before - gasleft();
        assertTrue(ok, "isolation probe");
        return used > 21_000;
    }

    /// @dev Does nothing: called by {_isolated}.
    function isolationProbe() external pure {}

    /// @dev Execution gas of a view call (eth_call adds the same 21,000 + calldata as a transaction).
    function _viewGas(address target, bytes memory data) internal view returns (uint256) {
        uint256 size = target.code.length;
        assertTrue(size != 0, "target has code");
        uint256 before = gasleft();
        (bool ok, bytes memory ret) = target.staticcall(data);
        uint256 used = before - gasleft();
        if (!ok) {
            assembly ("memory-safe") {
                revert(add(ret, 32), mload(ret))
            }
        }
        return used;
    }

    function _calldataGas(bytes memory data) internal pure returns (uint256 g) {
        for (uint256 i; i < data.length; ++i) {
            g += data[i] == 0 ? 4 : 16;
        }
    }
}
