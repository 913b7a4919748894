// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

/// @title RangeMap
/// @notice A piecewise-constant map over the indices [0, count) of one batch, stored as a hierarchical
/// bitmap of boundaries (in the spirit of Uniswap v3's TickBitmap, with more levels): every lookup and
/// every update reads and writes O(levels) slots, whatever the number of boundaries.
/// @dev Storage: one `mapping(uint256 key => uint256 word)` per map.
/// - Leaf `k` (key = k, level 0) covers indices [8k, 8k + 8): bits 0..7 say which indices are boundaries,
///   bits 8 + 24j .. 8 + 24j + 23 hold the 24-bit value of boundary 8k + j.
/// - Level l >= 1, word `k` (key = l << 64 | k) covers level l-1 nodes [256k, 256k + 256): bit j is set when
///   node 256k + j holds at least one boundary.
/// Index 0 is always a boundary, implicitly: its value is kept by the caller (in the batch record, a slot
/// read anyway), and every node with key 0 reads as if bit 0 were set. A batch has `topLevel(count)` levels
/// above the leaves (1 up to 2048 keys, 3 for 1M, 6 for 2^48 - 1).
library RangeMap {
    uint256 private constant VALUE_MASK = 0xffffff;

    /// @notice Number of bitmap levels above the leaves for a batch of `count` keys (count >= 1).
    function topLevel(uint256 count) internal pure returns (uint256 l) {
        unchecked {
            uint256 k = (count - 1) >> 3;
            l = 1;
            while (k >> (8 * l) != 0) ++l;
        }
    }

    /// @notice The largest boundary `b <= i` and its value (`v0` when b = 0).
    function pred(mapping(uint256 => uint256) storage n, uint256 i, uint256 v0)
        internal
        view
        returns (uint256 b, uint256 v)
    {
        return pred(n, i, v0, true);
    }

    /// @notice As {pred}; `leaf0` false promises that leaf 0 holds no boundary but the implicit 0 (the
    /// caller tracks it), which saves reading leaf 0.
    function pred(mapping(uint256 => uint256) storage n, uint256 i, uint256 v0, bool leaf0)
        internal
        view
        returns (uint256 b, uint256 v)
    {
        unchecked {
            uint256 k = i >> 3;
            if (k == 0 && !leaf0) return (0, v0);
            uint256 leaf = n[k];
            uint256 bits = (leaf | (k == 0 ? 1 : 0)) & ((uint256(2) << (i & 7)) - 1);
            if (bits == 0) return _predBefore(n, k, 0, v0, leaf0);
            uint256 o = msb(bits);
            b = (k << 3) | o;
            v = b == 0 ? v0 : (leaf >> (8 + 24 * o)) & VALUE_MASK;
        }
    }

    /// @dev The last boundary before node `k` of level `l` (nothing below it inside the node): climbs to the
    /// first ancestor with a set bit on the left, then descends taking the highest bits.
    function _predBefore(mapping(uint256 => uint256) storage n, uint256 k, uint256 l, uint256 v0, bool leaf0)
        private
        view
        returns (uint256 b, uint256 v)
    {
        unchecked {
            while (true) {
                if (k == 0) return (0, v0);
                uint256 pos = k & 255;
                k >>= 8;
                ++l;
                uint256 w = (n[(l << 64) | k] | (k == 0 ? 1 : 0)) & ((uint256(1) << pos) - 1);
                if (w != 0) {
                    k = (k << 8) | msb(w);
                    while (--l != 0) k = (k << 8) | msb(n[(l << 64) | k] | (k == 0 ? 1 : 0));
                    if (k == 0 && !leaf0) return (0, v0);
                    uint256 leaf = n[k];
                    uint256 o = msb((leaf | (k == 0 ? 1 : 0)) & 0xff);
                    b = (k << 3) | o;
                    v = b == 0 ? v0 : (leaf >> (8 + 24 * o)) & VALUE_MASK;
                    return (b, v);
                }
            }
        }
    }

    /// @notice Whether the 2,048 indices of region `r` (level-1 word r) hold no boundary, and then the value
    /// they all share (that of the last boundary before the region). Reads level-1 word r, then climbs and
    /// descends as {pred} does without reading the leaves of the region: at most 2L slots.
    function regionValue(mapping(uint256 => uint256) storage n, uint256 r, uint256 v0)
        internal
        view
        returns (bool empty, uint256 v)
    {
        unchecked {
            // Region 0 always holds boundary 0.
            if (r == 0 || n[(1 << 64) | r] != 0) return (false, 0);
            (, v) = _predBefore(n, r, 1, v0, true);
            return (true, v);
        }
    }

    /// @notice The smallest boundary in (i, limit), or `limit` when there is none. Needs limit <= count.
    function next(mapping(uint256 => uint256) storage n, uint256 i, uint256 limit) internal view returns (uint256) {
        unchecked {
            uint256 k = i >> 3;
            uint256 bits = n[k] & 0xff & ~((uint256(2) << (i & 7)) - 1);
            if (bits == 0) {
                uint256 l;
                while (true) {
                    // The nodes after k at level l start at index (k + 1) << (8l + 3).
                    if (((k + 1) << (8 * l + 3)) >= limit) return limit;
                    uint256 pos = k & 255;
                    k >>= 8;
                    ++l;
                    uint256 w = n[(l << 64) | k] & ~((uint256(2) << pos) - 1);
                    if (w != 0) {
                        k = (k << 8) | _lsb(w);
                        while (--l != 0) k = (k << 8) | _lsb(n[(l << 64) | k]);
                        bits = n[k] & 0xff;
                        break;
                    }
                }
            }
            uint256 b = (k << 3) | _lsb(bits);
            return b < limit ? b : limit;
        }
    }

    /// @notice Whether `b` (> 0) is a boundary.
    function isBoundary(mapping(uint256 => uint256) storage n, uint256 b) internal view returns (bool) {
        return (n[b >> 3] >> (b & 7)) & 1 == 1;
    }

    /// @notice The value stored for boundary `b` (> 0); 0 when `b` is not a boundary.
    function valueOf(mapping(uint256 => uint256) storage n, uint256 b) internal view returns (uint256) {
        unchecked {
            uint256 leaf = n[b >> 3];
            return (leaf >> (b & 7)) & 1 == 1 ? (leaf >> (8 + 24 * (b & 7))) & VALUE_MASK : 0;
        }
    }

    /// @notice Makes `b` (> 0) a boundary with value `v` (< 2^24), or changes its value.
    function set(mapping(uint256 => uint256) storage n, uint256 top, uint256 b, uint256 v) internal {
        unchecked {
            uint256 k = b >> 3;
            uint256 o = b & 7;
            uint256 shift = 8 + 24 * o;
            uint256 leaf = n[k];
            n[k] = (leaf & ~(VALUE_MASK << shift)) | (v << shift) | (uint256(1) << o);
            if (leaf & 0xff != 0) return;
            // The leaf was empty: mark it (and every ancestor that was empty) in the level above.
            for (uint256 l = 1; l <= top && k != 0; ++l) {
                uint256 pos = k & 255;
                k >>= 8;
                uint256 key = (l << 64) | k;
                uint256 w = n[key];
                n[key] = w | (uint256(1) << pos);
                if (w != 0) return;
            }
        }
    }

    /// @notice Removes boundary `b` (> 0); the indices from `b` take the value of the boundary before.
    function clear(mapping(uint256 => uint256) storage n, uint256 top, uint256 b) internal {
        unchecked {
            uint256 k = b >> 3;
            uint256 o = b & 7;
            uint256 leaf = n[k] & ~((VALUE_MASK << (8 + 24 * o)) | (uint256(1) << o));
            n[k] = leaf;
            if (leaf & 0xff != 0) return;
            for (uint256 l = 1; l <= top && k != 0; ++l) {
                uint256 pos = k & 255;
                k >>= 8;
                uint256 key = (l << 64) | k;
                uint256 w = n[key] & ~(uint256(1) << pos);
                n[key] = w;
                if (w != 0) return;
            }
        }
    }

    /// @notice Index of the highest set bit of a non-zero word (also used by KeyLedgerV2Logic).
    function msb(uint256 x) internal pure returns (uint256 r) {
        unchecked {
            if (x >= 1 << 128) (x, r) = (x >> 128, 128);
            if (x >= 1 << 64) (x, r) = (x >> 64, r + 64);
            if (x >= 1 << 32) (x, r) = (x >> 32, r + 32);
            if (x >= 1 << 16) (x, r) = (x >> 16, r + 16);
            if (x >= 1 << 8) (x, r) = (x >> 8, r + 8);
            if (x >= 1 << 4) (x, r) = (x >> 4, r + 4);
            if (x >= 1 << 2) (x, r) = (x >> 2, r + 2);
            if (x >= 1 << 1) r += 1;
        }
    }

    function _lsb(uint256 x) private pure returns (uint256) {
        unchecked {
            return msb(x & (~x + 1));
        }
    }
}
