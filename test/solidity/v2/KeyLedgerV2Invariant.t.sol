// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {KeyLedgerV2Fixture} from "../utils/KeyLedgerV2Fixture.sol";
import {KeyLedgerV2Handler} from "../utils/KeyLedgerV2Handler.sol";

/// @notice Invariants of KeyLedgerV2 under random transfers, splits of a 1M-key batch, freezes and
/// lifts (by regulators and by non-regulators), redemptions, sales (duplicates, zero and colliding
/// commitments) and refunds (by sellers and others, with current and stale receipts).
contract KeyLedgerV2InvariantTest is KeyLedgerV2Fixture {
    KeyLedgerV2Handler internal handler;
    /// @dev Execution gas of keyStatus on a 1M-key batch, whatever its fragmentation: eth_call adds
    /// 21,000 + calldata (~1,100), so 37,000 keeps the call under 60,000. docs/LEDGER-V2.md derives it.
    uint256 internal constant KEY_STATUS_BOUND = 37_000;

    function setUp() public override {
        super.setUp();
        handler = newHandler(this);
        targetContract(address(handler));
    }

    /// @dev Also used by the fuzz test.
    function newHandler(KeyLedgerV2Fixture) internal returns (KeyLedgerV2Handler h) {
        bytes32 small = _anchor(SUPPLIER, "inv-small", 64, false);
        bytes32 large = _anchor(SUPPLIER, "inv-large", 1_000_000, false);
        h = new KeyLedgerV2Handler(ledger, small, large, SUPPLIER, REGULATOR, [DIST, DIST2, RETAIL], STRANGER);
    }

    /// @notice No sequence of calls by non-regulators lifts (or changes) a regulator's freeze.
    /// forge-config: default.invariant.runs = 16
    /// forge-config: default.invariant.depth = 24
    function invariant_onlyRegulatorsLiftRegulatorFreezes() public view {
        assertEq(handler.regulatorLiftsByOthers(), 0, "a non-regulator changed the regulator layer");
    }

    /// @notice For every key at most one buyer receipt verifies, and it is the live sale's.
    /// forge-config: default.invariant.runs = 16
    /// forge-config: default.invariant.depth = 24
    function invariant_atMostOneReceiptPerKeyAndModelMatches() public view {
        handler.check();
    }

    /// @notice Every call succeeded exactly when the model predicted it.
    /// forge-config: default.invariant.runs = 16
    /// forge-config: default.invariant.depth = 24
    function invariant_callsBehaveAsModelled() public view {
        assertEq(handler.mismatches(), 0, "calls whose outcome the model did not predict");
    }

    /// @notice keyStatus without hint stays under its bound after any sequence of splits.
    /// forge-config: default.invariant.runs = 16
    /// forge-config: default.invariant.depth = 24
    function invariant_keyStatusGasBounded() public view {
        assertLe(handler.maxKeyStatusGas(), KEY_STATUS_BOUND, "keyStatus gas on the 1M-key batch");
    }
}
