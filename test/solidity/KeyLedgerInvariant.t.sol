// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {KeyLedgerFixture} from "./utils/KeyLedgerFixture.sol";
import {KeyLedgerHandler} from "./utils/KeyLedgerHandler.sol";

/// @notice Invariant tests: the runner calls the handler's transfer / revoke / reinstate / redeem
/// with random inputs; after every call the ledger must still match the handler's per-key model.
contract KeyLedgerInvariantTest is KeyLedgerFixture {
    KeyLedgerHandler internal handler;

    function setUp() public override {
        super.setUp();
        bytes32[] memory ids = new bytes32[](2);
        uint256[] memory counts = new uint256[](2);
        ids[0] = _anchor(SUPPLIER, "inv0", 300, false);
        ids[1] = _anchor(SUPPLIER, "inv1", 37, false);
        counts[0] = 300;
        counts[1] = 37;
        vm.prank(SUPPLIER);
        ledger.setRedeemer(REDEEMER, true);
        handler = new KeyLedgerHandler(ledger, SUPPLIER, REGULATOR, REDEEMER, [DIST, DIST2, RETAIL], ids, counts);
        targetContract(address(handler));
    }

    /// @notice Every index of every batch has exactly one holder: segments partition [0, count),
    /// and each key's holder, frozen reason and redeemed flag equal the per-key model.
    function invariant_segmentsPartitionAndMatchModel() public view {
        handler.check();
    }

    /// @notice Frozen keys never change holder (no successful transfer ever included one).
    function invariant_frozenKeysNeverMove() public view {
        assertEq(handler.frozenMoves(), 0, "frozen keys moved");
    }

    /// @notice Redeemed bits never clear, and every call succeeds exactly when the model says so
    /// (the model's redeemed flags only ever get set, and check() compares them with the ledger).
    function invariant_callsBehaveAsModelled() public view {
        assertEq(handler.mismatches(), 0, "calls whose outcome the model did not predict");
    }
}
