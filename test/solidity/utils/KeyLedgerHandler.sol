// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {Vm} from "./Test.sol";
import {KeyLedger} from "../../../contracts/KeyLedger.sol";
import {IKeyLedger} from "../../../contracts/interfaces/IKeyLedger.sol";

/// @notice Drives a ledger with random, bounded operations (transfers, revocations, reinstatements,
/// redemptions) and keeps a naive per-key model beside it: holder, frozen reason and redeemed flag
/// of every index, and which indices are segment starts. Every call predicts success or failure
/// from the model; a wrong prediction is counted in `mismatches`. {check} compares the ledger's
/// state with the model key by key.
contract KeyLedgerHandler {
    Vm internal constant vm = Vm(address(uint160(uint256(keccak256("hevm cheat code")))));

    error HandlerCheckFailed(string message, uint256 batch, uint256 index, uint256 actual, uint256 expected);

    KeyLedger public ledger;
    address public supplier;
    address public regulator;
    address public redeemer;
    address[4] internal _actors;

    bytes32[] public batchIds;
    uint256[] public counts;
    mapping(uint256 b => address[]) internal _holder;
    mapping(uint256 b => uint8[]) internal _frozen;
    mapping(uint256 b => bool[]) internal _isStart;
    mapping(uint256 b => bool[]) internal _redeemed;
    mapping(uint256 b => bool) internal _revokedEver;

    /// @notice Calls whose outcome differed from the model's prediction (must stay 0).
    uint256 public mismatches;
    /// @notice Successful transfers that included a key the model says is frozen (must stay 0).
    uint256 public frozenMoves;
    /// @notice Successful calls per kind, for the record.
    uint256 public transfers;
    uint256 public revokes;
    uint256 public reinstates;
    uint256 public redemptions;

    constructor(
        KeyLedger ledger_,
        address supplier_,
        address regulator_,
        address redeemer_,
        address[3] memory others,
        bytes32[] memory batchIds_,
        uint256[] memory counts_
    ) {
        ledger = ledger_;
        supplier = supplier_;
        regulator = regulator_;
        redeemer = redeemer_;
        _actors = [supplier_, others[0], others[1], others[2]];
        for (uint256 b; b < batchIds_.length; ++b) {
            batchIds.push(batchIds_[b]);
            counts.push(counts_[b]);
            for (uint256 i; i < counts_[b]; ++i) {
                _holder[b].push(supplier_);
                _frozen[b].push(0);
                _isStart[b].push(i == 0);
                _redeemed[b].push(false);
            }
        }
    }

    // ------------------------------------------------------------ operations (random inputs)

    function transfer(uint256 bSeed, uint256 startSeed, uint256 lenSeed, uint256 toSeed, uint256 hintSeed) public {
        (uint256 b, uint256 start, uint256 end) = _range(bSeed, startSeed, lenSeed);
        address from = _holder[b][start];
        address to = _actors[toSeed % 4];
        (uint256 hint, bool hintOk) = _hint(b, start, hintSeed);
        bool ok = hintOk && to != from;
        bool frozenInRange;
        for (uint256 i = start; i < end; ++i) {
            if (_holder[b][i] != from) ok = false;
            if (_frozen[b][i] != 0) frozenInRange = true;
        }
        if (frozenInRange) ok = false;
        vm.prank(from);
        try ledger.transfer(batchIds[b], uint64(start), uint64(end), to, uint64(hint), bytes32(toSeed)) {
            if (!ok) ++mismatches;
            if (frozenInRange) ++frozenMoves;
            for (uint256 i = start; i < end; ++i) {
                _holder[b][i] = to;
            }
            _split(b, start, end);
            ++transfers;
        } catch {
            if (ok) ++mismatches;
        }
    }

    function revoke(uint256 bSeed, uint256 startSeed, uint256 lenSeed, uint256 reasonSeed, uint256 hintSeed) public {
        (uint256 b, uint256 start, uint256 end) = _range(bSeed, startSeed, lenSeed);
        (uint256 hint, bool ok) = _hint(b, start, hintSeed);
        uint8 reason = uint8(1 + reasonSeed % 5);
        vm.prank(reasonSeed & 256 == 0 ? supplier : regulator);
        try ledger.revoke(batchIds[b], uint64(start), uint64(end), IKeyLedger.RevocationReason(reason), uint64(hint)) {
            if (!ok) ++mismatches;
            for (uint256 i = start; i < end; ++i) {
                _frozen[b][i] = reason;
            }
            _split(b, start, end);
            _revokedEver[b] = true;
            ++revokes;
        } catch {
            if (ok) ++mismatches;
        }
    }

    function reinstate(uint256 bSeed, uint256 startSeed, uint256 lenSeed, uint256 bySeed, uint256 hintSeed) public {
        (uint256 b, uint256 start, uint256 end) = _range(bSeed, startSeed, lenSeed);
        (uint256 hint, bool ok) = _hint(b, start, hintSeed);
        vm.prank(bySeed % 2 == 0 ? supplier : regulator);
        try ledger.reinstate(batchIds[b], uint64(start), uint64(end), uint64(hint)) {
            if (!ok) ++mismatches;
            for (uint256 i = start; i < end; ++i) {
                _frozen[b][i] = 0;
            }
            _split(b, start, end);
            ++reinstates;
        } catch {
            if (ok) ++mismatches;
        }
    }

    function redeem(uint256 bSeed, uint256 wordSeed, uint256 mask, uint256 hintSeed) public {
        uint256 b = bSeed % batchIds.length;
        uint256 count = counts[b];
        uint256 words = (count + 255) / 256;
        uint256 w = wordSeed % words;
        uint256 base = w * 256;
        // Mostly a short run of keys (likely to succeed), sometimes any mask (often invalid or
        // overlapping); clipped to the batch most of the time.
        uint256 room = count - base < 256 ? count - base : 256;
        if (hintSeed & 3 != 0) mask = ((uint256(1) << (1 + (mask >> 248) % 24)) - 1) << ((mask >> 8) % room);
        if (hintSeed & 16 == 0 && room < 256) mask &= (uint256(1) << room) - 1;
        bool ok = mask != 0 && (count - base >= 256 || mask >> (count - base) == 0);
        uint256 first = base; // the lowest index of the mask: where the ledger looks the hint up
        bool seen;
        if (ok) {
            for (uint256 i; i < 256; ++i) {
                if ((mask >> i) & 1 == 1) {
                    if (!seen) (first, seen) = (base + i, true);
                    if (_redeemed[b][base + i] || _frozen[b][base + i] != 0) ok = false;
                }
            }
        }
        (uint256 hint, bool hintOk) = _hint(b, first, hintSeed >> 5);
        if (_revokedEver[b] && !hintOk) ok = false;
        IKeyLedger.RedeemWord[] memory batchWords = new IKeyLedger.RedeemWord[](1);
        batchWords[0] =
            IKeyLedger.RedeemWord({batchId: batchIds[b], wordIndex: uint64(w), mask: mask, hint: uint64(hint)});
        vm.prank(hintSeed & 4 == 0 ? supplier : redeemer);
        try ledger.redeem(batchWords) {
            if (!ok) ++mismatches;
            for (uint256 i; i < 256; ++i) {
                if ((mask >> i) & 1 == 1) _redeemed[b][base + i] = true;
            }
            ++redemptions;
        } catch {
            if (ok) ++mismatches;
        }
    }

    // ------------------------------------------------------------ checks

    /// @notice Reverts unless the ledger matches the model key by key: segments partition
    /// [0, count) exactly at the model's segment starts, each key has the model's holder (exactly
    /// one, never zero) and frozen reason, and the redeemed flags are equal.
    function check() external view {
        for (uint256 b; b < batchIds.length; ++b) {
            bytes32 id = batchIds[b];
            uint256 count = counts[b];
            uint256 pos;
            while (pos < count) {
                (address h, uint64 e, IKeyLedger.RevocationReason r) = ledger.segmentAt(id, uint64(pos));
                _require(_isStart[b][pos], "segment starts where the model has none", b, pos, e, 0);
                _require(e > pos && e <= count, "segment end outside (start, count]", b, pos, e, count);
                _require(h != address(0), "segment without holder", b, pos, 0, 1);
                for (uint256 i = pos; i < e; ++i) {
                    if (i > pos) _require(!_isStart[b][i], "model segment start inside a ledger segment", b, i, 0, 1);
                    address m = _holder[b][i];
                    _require(m == h, "holder differs from the model", b, i, uint160(h), uint160(m));
                    uint256 f = _frozen[b][i];
                    _require(f == uint8(r), "frozen reason differs from the model", b, i, uint8(r), f);
                }
                pos = e;
            }
            _require(pos == count, "segments end at count", b, pos, pos, count);
            for (uint256 i; i < count; ++i) {
                bool got = ledger.isRedeemed(id, uint64(i));
                bool want = _redeemed[b][i];
                _require(got == want, "redeemed flag differs from the model", b, i, got ? 1 : 0, want ? 1 : 0);
            }
        }
    }

    /// @notice The model's holder of one key (for tests).
    function modelHolder(uint256 b, uint256 index) external view returns (address) {
        return _holder[b][index];
    }

    /// @notice Calls one random operation (used by the fuzz test: one seed, many steps).
    function step(uint256 seed) external {
        uint256 op = seed % 10;
        uint256 s1 = uint256(keccak256(abi.encode(seed, 1)));
        uint256 s2 = uint256(keccak256(abi.encode(seed, 2)));
        uint256 s3 = uint256(keccak256(abi.encode(seed, 3)));
        uint256 s4 = uint256(keccak256(abi.encode(seed, 4)));
        uint256 s5 = uint256(keccak256(abi.encode(seed, 5)));
        if (op < 5) transfer(s1, s2, s3, s4, s5);
        else if (op == 5) revoke(s1, s2, s3, s4, s5);
        else if (op == 6) reinstate(s1, s2, s3, s4, s5);
        else redeem(s1, s2, s3, s4);
    }

    // ------------------------------------------------------------ helpers

    function _range(uint256 bSeed, uint256 startSeed, uint256 lenSeed)
        internal
        view
        returns (uint256 b, uint256 start, uint256 end)
    {
        b = bSeed % batchIds.length;
        uint256 count = counts[b];
        start = startSeed % count;
        uint256 room = count - start;
        // Short ranges most of the time (they succeed more often), any length sometimes.
        uint256 maxLen = lenSeed >> 252 != 0 && room > 8 ? 8 : room;
        end = start + 1 + (lenSeed % maxLen);
    }

    /// @dev A hint for `index`: 0, the closest segment start, a random one below, or (sometimes) a
    /// bad one; `ok` says whether the ledger must accept it.
    function _hint(uint256 b, uint256 index, uint256 seed) internal view returns (uint256 hint, bool ok) {
        uint256 mode = seed % 8;
        if (mode == 0) return (0, true);
        if (mode == 7) {
            hint = (seed >> 8) % counts[b];
            return (hint, hint <= index && _isStart[b][hint]);
        }
        hint = mode < 4 ? index : (seed >> 8) % (index + 1);
        while (!_isStart[b][hint]) --hint;
        return (hint, true);
    }

    function _require(bool ok, string memory message, uint256 b, uint256 i, uint256 actual, uint256 expected)
        internal
        pure
    {
        if (!ok) revert HandlerCheckFailed(message, b, i, actual, expected);
    }

    function _split(uint256 b, uint256 start, uint256 end) internal {
        _isStart[b][start] = true;
        if (end < counts[b]) _isStart[b][end] = true;
    }
}
