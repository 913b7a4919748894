// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {RangeMap} from "./RangeMap.sol";

/// @title KeyLedgerV2Logic
/// @notice Range operations shared by the ledger and its sale module (internal: compiled into both).
library KeyLedgerV2Logic {
    using RangeMap for mapping(uint256 => uint256);

    /// @notice Sets the value of [s, e) to `v` in a canonical map (adjacent segments never share a value),
    /// keeping it canonical: boundaries inside the range are removed, and s / e stay boundaries only
    /// when the value changes there. `v0` is the value at index 0; returns its new value.
    /// @dev Reads O(levels) slots, plus O(levels) per boundary removed inside the range (each boundary is
    /// created once and removed once, so the removals are paid ahead by the calls that created them).
    function assign(
        mapping(uint256 => uint256) storage n,
        uint256 count,
        uint256 s,
        uint256 e,
        uint256 v,
        uint256 v0
    ) internal returns (uint256) {
        uint256 top = RangeMap.topLevel(count);
        uint256 vEnd;
        if (e < count) (, vEnd) = n.pred(e, v0);
        for (uint256 x = n.next(s, e); x < e; x = n.next(x, e)) {
            n.clear(top, x);
        }
        if (s == 0) {
            v0 = v;
        } else {
            (, uint256 before) = n.pred(s - 1, v0);
            if (before != v) n.set(top, s, v);
            else if (n.isBoundary(s)) n.clear(top, s);
        }
        if (e < count) {
            if (vEnd == v) {
                if (n.isBoundary(e)) n.clear(top, e);
            } else if (!n.isBoundary(e)) {
                n.set(top, e, vEnd);
            }
        }
        return v0;
    }

    /// @notice The first segment [a, z) inside [s, e) whose value is not zero, with its value; v = 0
    /// when all of [s, e) is zero. Canonical maps: O(levels) reads.
    function firstNonZero(mapping(uint256 => uint256) storage n, uint256 v0, uint256 s, uint256 e)
        internal
        view
        returns (uint256 a, uint256 z, uint256 v)
    {
        (, v) = n.pred(s, v0);
        a = s;
        if (v == 0) {
            a = n.next(s, e);
            if (a == e) return (0, 0, 0);
            v = n.valueOf(a);
        }
        z = n.next(a, e);
    }

    /// @notice The first segment [a, z) of [lo, hi) that holds a key of `mask` (bit i = index base + i)
    /// and whose value is "bad": non-zero when `sold` is false (a freeze), not a live sale (zero or
    /// refunded, bit 0) when `sold` is true. found = false when there is none. At most 256 segments.
    function firstBadInMask(
        mapping(uint256 => uint256) storage n,
        uint256 v0,
        uint256 base,
        uint256 mask,
        uint256 lo,
        uint256 hi,
        bool sold
    ) internal view returns (bool found, uint256 a, uint256 z, uint256 v) {
        (, v) = n.pred(lo, v0);
        a = lo;
        while (true) {
            z = n.next(a, hi);
            bool bad = sold ? (v == 0 || v & 1 == 1) : v != 0;
            if (bad && maskBits(mask, base, a, z) != 0) return (true, a, z, v);
            if (z == hi) return (false, 0, 0, 0);
            a = z;
            v = n.valueOf(a);
        }
    }

    /// @notice The bits of `mask` for indices [a, z), base <= a < z <= base + 256.
    function maskBits(uint256 mask, uint256 base, uint256 a, uint256 z) internal pure returns (uint256) {
        unchecked {
            // 1 << 256 is 0 and 0 - 1 wraps to all ones on purpose: bits [a - base, 256).
            return mask & ((uint256(1) << (z - base)) - 1) & (type(uint256).max << (a - base));
        }
    }

    /// @notice Index of the lowest / highest set bit of a non-zero word.
    function lowHigh(uint256 x) internal pure returns (uint256 lo, uint256 hi) {
        unchecked {
            lo = RangeMap.msb(x & (~x + 1));
            hi = RangeMap.msb(x);
        }
    }
}
