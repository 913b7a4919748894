// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {Vm} from "./Test.sol";
import {SaleMerkle} from "./SaleMerkle.sol";
import {KeyLedgerV2} from "../../../contracts/v2/KeyLedgerV2.sol";
import {IKeyLedgerV2} from "../../../contracts/v2/interfaces/IKeyLedgerV2.sol";
import {IKeyLedgerV2Sales} from "../../../contracts/v2/interfaces/IKeyLedgerV2Sales.sol";

/// @notice Drives a KeyLedgerV2 with random operations and keeps a naive per-key model of a small batch
/// (holder, both freeze layers, redeemed, sale) plus every buyer receipt ever issued. Every call predicts
/// success or failure; a wrong prediction counts in `mismatches`. Non-regulators (the supplier, a
/// distributor, a stranger) try to lift freezes; `regulatorLiftsByOthers` counts any regulator-layer
/// change they cause. A large batch (1M keys) gets random splits, and keyStatus gas is measured on it.
contract KeyLedgerV2Handler {
    Vm internal constant vm = Vm(address(uint160(uint256(keccak256("hevm cheat code")))));

    error HandlerCheckFailed(string message, uint256 index, uint256 actual, uint256 expected);

    struct Receipt {
        bytes32 commitment;
        bytes32 orderRef;
        bytes32[] proof;
    }

    KeyLedgerV2 public ledger;
    IKeyLedgerV2Sales internal sales;
    bytes32 public small;
    bytes32 public large;
    uint256 public constant N = 64;
    uint256 public constant LARGE_N = 1_000_000;
    address public supplier;
    address public regulator;
    address[4] internal _actors; // supplier, two distributors, a retailer
    address[3] internal _nonRegulators; // supplier, a distributor, a stranger

    address[N] internal _holder;
    uint8[N] internal _reg;
    uint8[N] internal _sup;
    bool[N] internal _redeemed;
    bool[N] internal _live; // a sale not refunded
    mapping(uint256 index => Receipt[]) internal _receipts;
    address[N] internal _seller;

    uint256 public mismatches;
    uint256 public regulatorLiftsByOthers;
    uint256 public maxKeyStatusGas;
    uint256 public calls;

    constructor(
        KeyLedgerV2 ledger_,
        bytes32 small_,
        bytes32 large_,
        address supplier_,
        address regulator_,
        address[3] memory others,
        address stranger
    ) {
        ledger = ledger_;
        sales = IKeyLedgerV2Sales(address(ledger_));
        small = small_;
        large = large_;
        supplier = supplier_;
        regulator = regulator_;
        _actors = [supplier_, others[0], others[1], others[2]];
        _nonRegulators = [supplier_, others[0], stranger];
        for (uint256 i; i < N; ++i) {
            _holder[i] = supplier_;
        }
    }

    // ------------------------------------------------------------ operations

    function transfer(uint256 seed) public {
        (uint256 s, uint256 e) = _range(seed, 8);
        address from = _holder[s];
        address to = _actors[(seed >> 64) % 4];
        bool ok = to != from;
        for (uint256 i = s; i < e; ++i) {
            if (_holder[i] != from || _reg[i] != 0 || _sup[i] != 0) ok = false;
        }
        vm.prank(from);
        try ledger.transfer(small, uint64(s), uint64(e), to, bytes32(seed)) {
            _expect(ok);
            for (uint256 i = s; i < e; ++i) {
                _holder[i] = to;
            }
        } catch {
            _expect(!ok);
        }
        _measureKeyStatus(seed);
    }

    /// @notice Splits the large batch at random places (its holder moves a few keys on), then measures
    /// keyStatus(hint-free) gas at a random index.
    function split(uint256 seed) public {
        uint256 i = seed % (LARGE_N - 4);
        address from = ledger.holderOf(large, uint64(i));
        address to = _actors[(seed >> 64) % 4];
        uint256 e = i + 1 + (seed >> 128) % 3;
        bool held = ledger.holderOf(large, uint64(e - 1)) == from
            && (e - i < 3 || ledger.holderOf(large, uint64(i + 1)) == from);
        vm.prank(from);
        try ledger.transfer(large, uint64(i), uint64(e), to, bytes32(0)) {
            _expect(to != from && held);
        } catch {
            _expect(to == from || !held);
        }
        _measureKeyStatus(seed >> 32);
    }

    function revoke(uint256 seed) public {
        (uint256 s, uint256 e) = _range(seed, 16);
        uint256 who = (seed >> 64) % 4; // 0 supplier, 1 regulator, 2 distributor, 3 stranger
        uint8 reason = uint8(1 + (seed >> 72) % 5);
        address by = who == 0 ? supplier : who == 1 ? regulator : _nonRegulators[who - 1];
        uint8[N] memory regBefore = _reg;
        vm.prank(by);
        try ledger.revoke(small, uint64(s), uint64(e), IKeyLedgerV2.RevocationReason(reason)) {
            _expect(who < 2);
            for (uint256 i = s; i < e; ++i) {
                if (who == 1) _reg[i] = reason;
                else _sup[i] = reason;
            }
        } catch {
            _expect(who >= 2);
        }
        if (by != regulator) _checkRegulatorLayerUnchanged(regBefore);
    }

    function reinstate(uint256 seed) public {
        (uint256 s, uint256 e) = _range(seed, 16);
        uint256 who = (seed >> 64) % 4;
        address by = who == 0 ? supplier : who == 1 ? regulator : _nonRegulators[who - 1];
        bool anySup;
        bool anyReg;
        for (uint256 i = s; i < e; ++i) {
            if (_sup[i] != 0) anySup = true;
            if (_reg[i] != 0) anyReg = true;
        }
        bool ok = who == 0 ? anySup : who == 1 ? (anySup || anyReg) : false;
        uint8[N] memory regBefore = _reg;
        vm.prank(by);
        try ledger.reinstate(small, uint64(s), uint64(e)) {
            _expect(ok);
            for (uint256 i = s; i < e; ++i) {
                _sup[i] = 0;
                if (who == 1) _reg[i] = 0;
            }
        } catch {
            _expect(!ok);
        }
        if (by != regulator) _checkRegulatorLayerUnchanged(regBefore);
    }

    function redeem(uint256 seed) public {
        uint256 mask = (uint256(1) << (seed % N)) | (seed >> 8 & 1 == 0 ? 0 : uint256(1) << ((seed >> 16) % N));
        bool ok = true;
        for (uint256 i; i < N; ++i) {
            if ((mask >> i) & 1 == 1 && (_redeemed[i] || _reg[i] != 0 || _sup[i] != 0)) ok = false;
        }
        vm.prank(supplier);
        try ledger.redeem(small, 0, mask) {
            _expect(ok);
            for (uint256 i; i < N; ++i) {
                if ((mask >> i) & 1 == 1) _redeemed[i] = true;
            }
        } catch {
            _expect(!ok);
        }
    }

    /// @notice Sells 1..4 keys from a random start (sometimes listing one twice, sometimes with a zero
    /// commitment, often with commitments and order refs reused across keys and sales).
    function sell(uint256 seed) public {
        uint256 k = 1 + seed % 4;
        uint256 start = (seed >> 8) % N;
        if (start + 2 * k > N) start = N - 2 * k;
        IKeyLedgerV2Sales.SaleGroup memory g;
        g.batchId = small;
        g.indices = new uint64[](k);
        g.commitments = new bytes32[](k);
        g.orderRefs = new bytes32[](k);
        address seller = _holder[start];
        bool ok = true;
        uint256 prev;
        for (uint256 j; j < k; ++j) {
            uint256 idx = start + j * (1 + (seed >> (16 + j)) % 2);
            if (j == 1 && (seed >> 40) % 9 == 0) idx = prev; // a key listed twice
            g.indices[j] = uint64(idx);
            // Few distinct values: collisions across keys and sales on purpose; sometimes zero.
            g.commitments[j] =
                (seed >> (44 + j)) % 11 == 0 ? bytes32(0) : keccak256(abi.encode((seed >> (48 + 2 * j)) % 3));
            g.orderRefs[j] = keccak256(abi.encode("ref", (seed >> (56 + j)) % 2));
            if (j > 0 && idx <= prev) ok = false;
            if (g.commitments[j] == bytes32(0)) ok = false;
            if (_holder[idx] != seller || _reg[idx] != 0 || _sup[idx] != 0 || _redeemed[idx] || _live[idx]) ok = false;
            prev = idx;
        }
        IKeyLedgerV2Sales.SaleGroup[] memory gs = new IKeyLedgerV2Sales.SaleGroup[](1);
        gs[0] = g;
        IKeyLedgerV2Sales.SaleContext memory ctx;
        vm.prank(seller);
        try sales.sell(gs, ctx) {
            _expect(ok);
            bytes32[] memory leaves = SaleMerkle.leaves(small, g.indices, g.commitments, g.orderRefs);
            for (uint256 j; j < k; ++j) {
                uint256 idx = g.indices[j];
                _live[idx] = true;
                _seller[idx] = seller;
                Receipt storage r = _receipts[idx].push();
                r.commitment = g.commitments[j];
                r.orderRef = g.orderRefs[j];
                r.proof = SaleMerkle.proof(leaves, j);
            }
        } catch {
            _expect(!ok);
        }
    }

    /// @notice Refunds a key with the latest receipt issued for it; sometimes by someone else than the
    /// seller, sometimes quoting another receipt of the key.
    function refund(uint256 seed) public {
        uint256 idx = seed % N;
        uint256 n = _receipts[idx].length;
        if (n == 0) return;
        uint256 pick = (seed >> 8) % 4 == 0 ? (seed >> 16) % n : n - 1;
        Receipt storage r = _receipts[idx][pick];
        address by = (seed >> 24) % 5 == 0 ? _actors[(seed >> 32) % 4] : _seller[idx];
        bool ok = _live[idx] && by == _seller[idx] && !_redeemed[idx] && _sameAsLatest(idx, pick);
        uint8[N] memory regBefore = _reg;
        vm.prank(by);
        try sales.refund(small, uint64(idx), r.commitment, r.orderRef, r.proof) {
            _expect(ok);
            _live[idx] = false;
            _sup[idx] = uint8(IKeyLedgerV2.RevocationReason.Refunded);
        } catch {
            _expect(!ok);
        }
        _checkRegulatorLayerUnchanged(regBefore);
    }

    /// @notice One random operation (for the fuzz test).
    function step(uint256 seed) external {
        uint256 op = seed % 8;
        uint256 s = uint256(keccak256(abi.encode(seed)));
        if (op < 2) transfer(s);
        else if (op == 2) revoke(s);
        else if (op == 3) reinstate(s);
        else if (op == 4) redeem(s);
        else if (op < 7) sell(s);
        else refund(s);
    }

    // ------------------------------------------------------------ checks

    /// @notice Reverts unless the small batch equals the model key by key (holder, both layers,
    /// redeemed, sale state) and, for every key, exactly the receipts the model expects verify: none
    /// when the key has no live sale, else the latest one (at most one of all ever issued).
    function check() external view {
        for (uint256 i; i < N; ++i) {
            IKeyLedgerV2.KeyStatus memory st = ledger.keyStatus(small, uint64(i));
            _require(st.holder == _holder[i], "holder", i, uint160(st.holder), uint160(_holder[i]));
            (IKeyLedgerV2.RevocationReason r, IKeyLedgerV2.RevocationReason s) = ledger.freezeOf(small, uint64(i));
            _require(uint8(r) == _reg[i], "regulator layer", i, uint8(r), _reg[i]);
            _require(uint8(s) == _sup[i], "supplier layer", i, uint8(s), _sup[i]);
            _require(st.redeemed == _redeemed[i], "redeemed", i, st.redeemed ? 1 : 0, _redeemed[i] ? 1 : 0);
            _require(st.sold == _live[i], "sold", i, st.sold ? 1 : 0, _live[i] ? 1 : 0);
            uint256 n = _receipts[i].length;
            bool latestVerifies;
            for (uint256 j; j < n; ++j) {
                Receipt storage rc = _receipts[i][j];
                if (!sales.verifyReceipt(small, uint64(i), rc.commitment, rc.orderRef, rc.proof)) continue;
                // A verifying receipt must be THE receipt: the key's live sale, its latest data.
                _require(_live[i], "a receipt verifies for a key without a live sale", i, j, n);
                Receipt storage latest = _receipts[i][n - 1];
                _require(
                    rc.commitment == latest.commitment && rc.orderRef == latest.orderRef,
                    "a second receipt verifies for the key",
                    i,
                    j,
                    n - 1
                );
                if (j == n - 1) latestVerifies = true;
            }
            _require(latestVerifies == _live[i], "the live sale's receipt verifies", i, latestVerifies ? 1 : 0, 1);
        }
    }

    // ------------------------------------------------------------ helpers

    function _measureKeyStatus(uint256 seed) internal {
        bytes memory data = abi.encodeCall(ledger.keyStatus, (large, uint64(seed % LARGE_N)));
        address target = address(ledger);
        uint256 before = gasleft();
        (bool ok,) = target.staticcall(data);
        uint256 used = before - gasleft();
        if (!ok) ++mismatches;
        if (used > maxKeyStatusGas) maxKeyStatusGas = used;
        ++calls;
    }

    function _checkRegulatorLayerUnchanged(uint8[N] memory before) internal {
        for (uint256 i; i < N; ++i) {
            (IKeyLedgerV2.RevocationReason r,) = ledger.freezeOf(small, uint64(i));
            if (uint8(r) != before[i]) ++regulatorLiftsByOthers;
        }
    }

    function _sameAsLatest(uint256 idx, uint256 pick) internal view returns (bool) {
        Receipt storage a = _receipts[idx][pick];
        Receipt storage b = _receipts[idx][_receipts[idx].length - 1];
        return a.commitment == b.commitment && a.orderRef == b.orderRef
            && keccak256(abi.encode(a.proof)) == keccak256(abi.encode(b.proof));
    }

    function _range(uint256 seed, uint256 maxLen) internal pure returns (uint256 s, uint256 e) {
        s = seed % N;
        e = s + 1 + (seed >> 32) % maxLen;
        if (e > N) e = N;
    }

    function _expect(bool predicted) internal {
        if (!predicted) ++mismatches;
    }

    function _require(bool ok, string memory message, uint256 i, uint256 actual, uint256 expected) internal pure {
        if (!ok) revert HandlerCheckFailed(message, i, actual, expected);
    }
}
