// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

/// @notice The cheatcodes these tests use (Hardhat 3 / EDR implements Foundry's set).
interface Vm {
    function prank(address sender) external;
    function startPrank(address sender) external;
    function stopPrank() external;
    function expectRevert(bytes calldata revertData) external;
    function expectRevert(bytes4 selector) external;
    function expectRevert() external;
    function expectEmit(bool checkTopic1, bool checkTopic2, bool checkTopic3, bool checkData) external;
    function expectEmit(bool checkTopic1, bool checkTopic2, bool checkTopic3, bool checkData, address emitter)
        external;
    function expectEmit() external;
    function warp(uint256 newTimestamp) external;
    function assume(bool condition) external pure;
    function addr(uint256 privateKey) external pure returns (address);
    function label(address account, string calldata newLabel) external;
    function store(address target, bytes32 slot, bytes32 value) external;
    function load(address target, bytes32 slot) external view returns (bytes32);
}

/// @notice Minimal test base (no forge-std here): the cheatcode handle, assertions that revert with
/// the values compared, `bound` for fuzz inputs, and the invariant targets.
abstract contract Test {
    Vm internal constant vm = Vm(address(uint160(uint256(keccak256("hevm cheat code")))));

    /// @dev Read by the invariant runner: the contracts whose functions it calls at random.
    address[] private _targetContracts;

    error AssertionFailed(string message);
    error AssertEqUint(uint256 actual, uint256 expected, string message);
    error AssertEqAddress(address actual, address expected, string message);
    error AssertEqBytes32(bytes32 actual, bytes32 expected, string message);
    error AssertEqBool(bool actual, bool expected, string message);
    error AssertLeUint(uint256 actual, uint256 limit, string message);

    function targetContracts() public view returns (address[] memory) {
        return _targetContracts;
    }

    function targetContract(address target) internal {
        _targetContracts.push(target);
    }

    function assertTrue(bool condition, string memory message) internal pure {
        if (!condition) revert AssertionFailed(message);
    }

    function assertEq(uint256 actual, uint256 expected, string memory message) internal pure {
        if (actual != expected) revert AssertEqUint(actual, expected, message);
    }

    function assertEq(address actual, address expected, string memory message) internal pure {
        if (actual != expected) revert AssertEqAddress(actual, expected, message);
    }

    function assertEq(bytes32 actual, bytes32 expected, string memory message) internal pure {
        if (actual != expected) revert AssertEqBytes32(actual, expected, message);
    }

    function assertEq(bool actual, bool expected, string memory message) internal pure {
        if (actual != expected) revert AssertEqBool(actual, expected, message);
    }

    function assertLe(uint256 actual, uint256 limit, string memory message) internal pure {
        if (actual > limit) revert AssertLeUint(actual, limit, message);
    }

    /// @dev Maps any x into [lo, hi] (inclusive) without rejecting inputs.
    function bound(uint256 x, uint256 lo, uint256 hi) internal pure returns (uint256) {
        if (lo > hi) revert AssertionFailed("bound: lo > hi");
        uint256 size = hi - lo;
        if (size == type(uint256).max) return x;
        return lo + (x % (size + 1));
    }
}
