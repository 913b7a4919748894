// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {KeyLedgerV2Fixture} from "../utils/KeyLedgerV2Fixture.sol";
import {KeyLedgerV2Slots} from "../utils/KeyLedgerV2Slots.sol";
import {IKeyLedgerV2} from "../../../contracts/v2/interfaces/IKeyLedgerV2.sol";

/// @notice Gas budgets of KeyLedgerV2, asserted (a budget exceeded fails the suite). Figures are
/// transaction gas (21,000 + calldata + execution, see _txGas); every state the measured call reads is
/// built in setUp, a separate transaction, so the call meets cold storage as on a real chain.
contract KeyLedgerV2GasTest is KeyLedgerV2Fixture {
    uint256 internal constant FULL = type(uint256).max;
    bytes32 internal restricted1M;
    bytes32 internal clean1M;
    bytes32 internal frozen1M;

    function setUp() public override {
        super.setUp();
        vm.startPrank(SUPPLIER);
        ledger.authorize(DIST, 1, FAR, keccak256("cert"));
        ledger.setRedeemer(REDEEMER, true);
        vm.stopPrank();
        restricted1M = _anchorRealistic(1_000_000, "r1m");
        clean1M = _anchorRealistic(1_000_000, "c1m");
        frozen1M = _anchorRealistic(1_000_000, "f1m");
        _revoke(REGULATOR, frozen1M, 5000, 6000, IKeyLedgerV2.RevocationReason.Stolen);
        _revoke(SUPPLIER, frozen1M, 7000, 7100, IKeyLedgerV2.RevocationReason.Other);
    }

    function _anchorRealistic(uint64 count, string memory tag) internal returns (bytes32 id) {
        IKeyLedgerV2.AnchorParams memory p =
            _params(string.concat("2026-11 CNY100 top-up batch ", tag), count, true, false);
        p.manifestURI = "https://keys.example.com/batches/0x5f1e0c2a9b7d4e3f8a6b1c0d2e4f6a8b/manifest.json";
        vm.prank(SUPPLIER);
        id = ledger.anchorBatch(p);
    }

    /// @notice Anchoring costs <= 130,000 whatever the count (1, 1M, 2^40, 2^48 - 1).
    function test_gas_anchorAnyCount() public {
        uint64[4] memory counts = [uint64(1), 1_000_000, uint64(1) << 40, type(uint48).max];
        for (uint256 i; i < 4; ++i) {
            IKeyLedgerV2.AnchorParams memory p =
                _params(string.concat("2026-11 CNY100 top-up batch g", vm_toString(i)), counts[i], true, true);
            p.manifestURI = "https://keys.example.com/batches/0x5f1e0c2a9b7d4e3f8a6b1c0d2e4f6a8b/manifest.json";
            uint256 g = _txGas(SUPPLIER, address(ledger), abi.encodeCall(ledger.anchorBatch, (p)));
            assertLe(g, 130_000, "anchor <= 130,000 gas");
        }
    }

    /// @notice A transfer splitting one segment in three (restricted batch, authorised recipient) <= 90,000.
    function test_gas_transferSplitInThree() public {
        uint256 g = _txGas(
            SUPPLIER, address(ledger), abi.encodeCall(ledger.transfer, (restricted1M, 1000, 2000, DIST, MEMO))
        );
        assertLe(g, 90_000, "transfer split in three <= 90,000 gas");
    }

    /// @notice 256 keys redeemed through `redeem` with a full mask (the general entry, for partial words):
    /// the mask costs 512 gas of calldata and `redeem` is further down the dispatch than
    /// `redeemWord_b24`, which carries the common case's budget (below). Asserted: 52,500.
    function test_gas_redeem256Common() public {
        uint256 g = _txGas(SUPPLIER, address(ledger), abi.encodeCall(ledger.redeem, (clean1M, 100, FULL)));
        assertLe(g, 52_500, "256 keys redeemed (brief: 51,000; storage, log, calldata and base alone: 50,540)");
    }

    /// @notice The common case through its own entry, `redeemWord_b24(batchId, wordIndex)`: no mask in the
    /// calldata (-512), the first selector of the dispatch (-~550) and `by` as event data (-119). Budget
    /// 51,000 on a transaction's receipt (50,947 in `npm run gas`, checked by
    /// test/contracts/gasBudgetsV2.test.ts on a real chain); this harness pays its own CALL on top, 189 gas
    /// measured, so it asserts 51,000 + 189.
    function test_gas_redeemWord256Common() public {
        uint256 g = _txGas(SUPPLIER, address(ledger), abi.encodeCall(ledger.redeemWord_b24, (clean1M, 100)));
        assertLe(g, 51_000 + 189, "256 keys redeemed, one full word (receipt budget 51,000 + harness CALL 189)");
    }

    /// @notice Worst case amortised: a delegated redeemer, a batch with frozen ranges on both layers,
    /// 8 full words in one call: (gas - 21,000) / 8 <= 30,000 (the brief's budget).
    function test_gas_redeemWorstAmortised() public {
        IKeyLedgerV2.RedeemWord[] memory w = new IKeyLedgerV2.RedeemWord[](8);
        for (uint256 i; i < 8; ++i) {
            w[i] = IKeyLedgerV2.RedeemWord({batchId: frozen1M, wordIndex: uint64(200 + i), mask: FULL});
        }
        uint256 g = _txGas(REDEEMER, address(ledger), abi.encodeCall(ledger.redeemMany, (w)));
        assertLe((g - 21_000) / 8, 30_000, "worst redemption per 256 keys amortised <= 30,000");
    }

    function vm_toString(uint256 i) internal pure returns (string memory) {
        return string(abi.encodePacked(bytes1(uint8(48 + i))));
    }
}

/// @notice Budgets on a batch fragmented into 1,000,000 single-key custody segments (even keys held by
/// the supplier, odd keys by a distributor), written directly into storage with vm.store
/// (KeyLedgerV2Slots.fragment): 125,000 leaves and 492 bitmap words, the exact state 999,999
/// alternating transfers would leave, built in seconds instead of 10^11 gas.
contract KeyLedgerV2FragmentedGasTest is KeyLedgerV2Fixture {
    uint256 internal constant N = 1_000_000;
    bytes32 internal fragmented;
    bytes32 internal plain;

    function setUp() public override {
        super.setUp();
        fragmented = _anchor(SUPPLIER, "fragmented", uint64(N), false);
        (, uint32 supplierId,,,,) = reads.partyOf(SUPPLIER);
        (, uint32 distId,,,,) = reads.partyOf(DIST);
        KeyLedgerV2Slots.fragment(address(ledger), fragmented, N, supplierId, distId);
        // The same single-key segment [700001, 700002) held by DIST in an otherwise whole batch.
        plain = _anchor(SUPPLIER, "plain", uint64(N), false);
        _transfer(SUPPLIER, plain, 700_001, 700_002, DIST);
    }

    /// @notice keyStatus of index 700,000 on the fragmented batch (eth_call gas: 21,000 + calldata +
    /// execution) <= 60,000; then the fragmentation is checked to be real (neighbours alternate
    /// holders, each key is its own segment).
    function test_gas_keyStatusFragmented() public view {
        bytes memory data = abi.encodeCall(ledger.keyStatus, (fragmented, 700_000));
        uint256 g = 21_000 + _calldataGas(data) + _viewGas(address(ledger), data);
        assertLe(g, 60_000, "keyStatus on 1M single-key segments <= 60,000 gas");
        _assertSegment(fragmented, 0, 0, 1, SUPPLIER);
        _assertSegment(fragmented, 1, 1, 2, DIST);
        _assertSegment(fragmented, 700_000, 700_000, 700_001, SUPPLIER);
        _assertSegment(fragmented, 700_001, 700_001, 700_002, DIST);
        _assertSegment(fragmented, 999_999, 999_999, 1_000_000, DIST);
    }

    /// @notice A regulator freezes the whole fragmented batch in one call: <= 150,000.
    function test_gas_revokeWholeFragmentedBatch() public {
        uint256 g = _txGas(
            REGULATOR,
            address(ledger),
            abi.encodeCall(ledger.revoke, (fragmented, 0, uint64(N), IKeyLedgerV2.RevocationReason.Stolen))
        );
        assertLe(g, 150_000, "revoke a whole 1M-key batch in 1M segments <= 150,000 gas");
        _assertFreeze(fragmented, 999_999, 1, 0);
    }

    /// @notice Moving one segment in the fragmented batch costs within 10% of the same move in an
    /// unfragmented batch.
    function test_gas_transferFragmentedWithinTenPercent() public {
        uint256 gPlain =
            _txGas(DIST, address(ledger), abi.encodeCall(ledger.transfer, (plain, 700_001, 700_002, DIST2, MEMO)));
        uint256 gFrag = _txGas(
            DIST, address(ledger), abi.encodeCall(ledger.transfer, (fragmented, 700_001, 700_002, DIST2, MEMO))
        );
        assertLe(gFrag * 10, gPlain * 11, "fragmented transfer within 10% of unfragmented");
        assertEq(ledger.holderOf(fragmented, 700_001), DIST2, "moved");
    }
}
