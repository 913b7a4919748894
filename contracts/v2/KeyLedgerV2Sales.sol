// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {MerkleProof} from "@openzeppelin/contracts/utils/cryptography/MerkleProof.sol";
import {Hashes} from "@openzeppelin/contracts/utils/cryptography/Hashes.sol";
import {IKeyLedgerV2} from "./interfaces/IKeyLedgerV2.sol";
import {IKeyLedgerV2Sales} from "./interfaces/IKeyLedgerV2Sales.sol";
import {IKeyLedgerV2Reads} from "./interfaces/IKeyLedgerV2Reads.sol";
import {KeyLedgerV2Storage as S} from "./lib/KeyLedgerV2Storage.sol";
import {KeyLedgerV2Logic as Logic} from "./lib/KeyLedgerV2Logic.sol";
import {RangeMap} from "./lib/RangeMap.sol";

/// @title KeyLedgerV2Sales
/// @notice The sale module of KeyLedgerV2: runs only through the ledger's fallback (delegatecall), on
/// the ledger's storage. Split out to keep each contract under EIP-170's 24,576 bytes.
contract KeyLedgerV2Sales is IKeyLedgerV2Sales, IKeyLedgerV2Reads {
    using RangeMap for mapping(uint256 => uint256);

    address private immutable SELF = address(this);
    uint256 private constant MAX_SALE_NO = (1 << 23) - 1;

    modifier onlyDelegated() {
        if (address(this) == SELF) revert KeyLedgerOnlyDelegated(SELF);
        _;
    }

    /// @inheritdoc IKeyLedgerV2Sales
    function sell(SaleGroup[] calldata groups, SaleContext calldata context) external onlyDelegated {
        S.Layout storage $ = S.layout();
        S.Party storage p = $.parties[msg.sender];
        if (p.kind == IKeyLedgerV2.PartyKind.None) revert IKeyLedgerV2.KeyLedgerPartyNotRegistered(msg.sender);
        if (p.suspended) revert IKeyLedgerV2.KeyLedgerPartySuspended(msg.sender);
        uint256 sellerId = p.id;
        uint256 n = groups.length;
        for (uint256 g; g < n; ++g) {
            _sellGroup(groups[g], context, sellerId);
        }
    }

    /// @inheritdoc IKeyLedgerV2Sales
    function refund(bytes32 batchId, uint64 index, bytes32 commitment, bytes32 orderRef, bytes32[] calldata proof)
        external
        onlyDelegated
    {
        S.Layout storage $ = S.layout();
        S.Batch storage b = $.batches[batchId];
        uint256 count = b.count;
        if (b.supplierId == 0) revert IKeyLedgerV2.KeyLedgerBatchNotFound(batchId);
        if (index >= count) _invalidIndex(batchId, index, count);
        mapping(uint256 => uint256) storage sales = $.sales[batchId];
        (, uint256 v) = sales.pred(index, b.sale0);
        if (v == 0 || v & 1 == 1) revert KeyLedgerNoSale(batchId, index);
        S.Sale storage rec = $.saleRecords[batchId][v >> 1];
        S.Party storage p = $.parties[msg.sender];
        if (p.kind == IKeyLedgerV2.PartyKind.None || p.id != rec.sellerId) {
            revert KeyLedgerNotSeller(batchId, index, msg.sender);
        }
        if (p.suspended) revert IKeyLedgerV2.KeyLedgerPartySuspended(msg.sender);
        if ((($.redeemed[batchId][index >> 8] >> (index & 0xff)) & 1) == 1) revert KeyLedgerKeyRedeemed(batchId, index);
        if (bytes24(MerkleProof.processProofCalldata(proof, _leaf(batchId, index, commitment, orderRef))) != rec.root) {
            revert KeyLedgerBadReceipt(batchId, index, orderRef);
        }
        // Casts: v < 2^24, reasons < 2^8.
        b.sale0 = uint24(Logic.assign(sales, count, index, index + 1, v | 1, b.sale0));
        b.supFreeze0 = uint8(
            Logic.assign(
                $.supFreeze[batchId],
                count,
                index,
                index + 1,
                uint8(IKeyLedgerV2.RevocationReason.Refunded),
                b.supFreeze0
            )
        );
        b.flags |= S.FLAG_SUP_LAYER;
        emit SaleRefunded(batchId, msg.sender, uint32(v >> 1), index, orderRef);
        emit IKeyLedgerV2.KeysRevoked(
            batchId, msg.sender, index, index + 1, IKeyLedgerV2.RevocationReason.Refunded, false
        );
    }

    /// @inheritdoc IKeyLedgerV2Sales
    function saleOf(bytes32 batchId, uint64 index)
        external
        view
        returns (bool sold, bool refunded, uint32 saleNo, address seller, uint64 soldAt, bytes24 root)
    {
        S.Layout storage $ = S.layout();
        S.Batch storage b = $.batches[batchId];
        if (b.supplierId == 0) revert IKeyLedgerV2.KeyLedgerBatchNotFound(batchId);
        if (index >= b.count) _invalidIndex(batchId, index, b.count);
        (, uint256 v) = $.sales[batchId].pred(index, b.sale0);
        if (v == 0) return (false, false, 0, address(0), 0, bytes24(0));
        S.Sale storage rec = $.saleRecords[batchId][v >> 1];
        return (v & 1 == 0, v & 1 == 1, uint32(v >> 1), $.byId[rec.sellerId].account, rec.soldAt, rec.root);
    }

    /// @inheritdoc IKeyLedgerV2Sales
    function verifyReceipt(
        bytes32 batchId,
        uint64 index,
        bytes32 commitment,
        bytes32 orderRef,
        bytes32[] calldata proof
    ) external view returns (bool) {
        S.Layout storage $ = S.layout();
        S.Batch storage b = $.batches[batchId];
        if (b.supplierId == 0 || index >= b.count || commitment == bytes32(0)) return false;
        (, uint256 v) = $.sales[batchId].pred(index, b.sale0);
        if (v == 0 || v & 1 == 1) return false;
        return bytes24(MerkleProof.processProofCalldata(proof, _leaf(batchId, index, commitment, orderRef)))
            == $.saleRecords[batchId][v >> 1].root;
    }

    /// @inheritdoc IKeyLedgerV2Sales
    function saleLeaf(bytes32 batchId, uint64 index, bytes32 commitment, bytes32 orderRef)
        external
        pure
        returns (bytes32)
    {
        return _leaf(batchId, index, commitment, orderRef);
    }

    // ---------------------------------------------------------------- reads (party, authorisation, redeemer)

    /// @inheritdoc IKeyLedgerV2Reads
    function batchIdOf(address supplier, string calldata label) external pure returns (bytes32) {
        return keccak256(abi.encode(supplier, label));
    }
    /// @inheritdoc IKeyLedgerV2Reads
    function partyOf(address party)
        external
        view
        onlyDelegated
        returns (
            IKeyLedgerV2.PartyKind kind,
            uint32 id,
            bool suspended,
            bool suspendedByRegulator,
            uint64 accreditedUntil,
            bytes32 profileHash
        )
    {
        S.Party storage p = S.layout().parties[party];
        return (p.kind, p.id, p.suspended, p.byRegulator, p.accreditedUntil, p.profileHash);
    }
    /// @inheritdoc IKeyLedgerV2Reads
    function accountOf(uint32 id) external view
        onlyDelegated returns (address) {
        return S.layout().byId[id].account;
    }
    /// @inheritdoc IKeyLedgerV2Reads
    function pendingRekeyOf(address oldAccount) external view
        onlyDelegated returns (address newAccount, address proposer) {
        S.Rekey storage r = S.layout().rekeys[oldAccount];
        return (r.newAccount, r.proposer);
    }
    /// @inheritdoc IKeyLedgerV2Reads
    function isActive(address party) external view
        onlyDelegated returns (bool) {
        S.Party storage p = S.layout().parties[party];
        return p.kind != IKeyLedgerV2.PartyKind.None && !p.suspended && _notExpired(p.accreditedUntil);
    }
    /// @inheritdoc IKeyLedgerV2Reads
    function authorizationOf(address supplier, address distributor)
        external
        view
        onlyDelegated
        returns (uint8 tier, uint64 expiresAt, bytes32 certificateHash, bool valid)
    {
        S.Layout storage $ = S.layout();
        S.Authorization storage a = $.auths[$.parties[supplier].id][$.parties[distributor].id];
        tier = a.tier;
        expiresAt = a.expiresAt;
        return (tier, expiresAt, a.certificateHash, tier != 0 && _notExpired(expiresAt));
    }
    /// @inheritdoc IKeyLedgerV2Reads
    function isRedeemer(address supplier, address redeemer) external view
        onlyDelegated returns (bool) {
        S.Layout storage $ = S.layout();
        uint256 sid = $.parties[supplier].id;
        return sid != 0 && $.redeemers[sid][redeemer];
    }

    // ---------------------------------------------------------------- internals

    function _notExpired(uint64 until) private view returns (bool) {
        return until == 0 || block.timestamp <= until;
    }


    function _invalidIndex(bytes32 batchId, uint64 index, uint256 count) private pure {
        // count < 2^48: the cast fits; index + 1 would wrap at 2^64 - 1, which stays as is.
        revert IKeyLedgerV2.KeyLedgerInvalidRange(
            batchId, index, index == type(uint64).max ? index : index + 1, uint64(count)
        );
    }

    function _leaf(bytes32 batchId, uint256 index, bytes32 commitment, bytes32 orderRef)
        private
        pure
        returns (bytes32)
    {
        // keccak256(bytes.concat(keccak256(abi.encode(batchId, index, commitment, orderRef)))), hashed in
        // memory past the free pointer without allocating (called once per key sold).
        bytes32 h;
        assembly ("memory-safe") {
            let ptr := mload(0x40)
            mstore(ptr, batchId)
            mstore(add(ptr, 0x20), index)
            mstore(add(ptr, 0x40), commitment)
            mstore(add(ptr, 0x60), orderRef)
            mstore(0x00, keccak256(ptr, 0x80))
            h := keccak256(0x00, 0x20)
        }
        return h;
    }

    function _sellGroup(SaleGroup calldata grp, SaleContext calldata context, uint256 sellerId) private {
        S.Layout storage $ = S.layout();
        bytes32 batchId = grp.batchId;
        S.Batch storage b = $.batches[batchId];
        uint256 sid = b.supplierId;
        if (sid == 0) revert IKeyLedgerV2.KeyLedgerBatchNotFound(batchId);
        uint256 len = grp.indices.length;
        if (len == 0 || grp.commitments.length != len || grp.orderRefs.length != len) {
            revert KeyLedgerSaleLengths(batchId, len, grp.commitments.length, grp.orderRefs.length);
        }
        if (b.flags & S.FLAG_RESTRICTED != 0 && sellerId != sid) {
            S.Authorization storage a = $.auths[sid][sellerId];
            uint64 until = a.expiresAt;
            if (a.tier == 0 || (until != 0 && block.timestamp > until)) {
                revert KeyLedgerSellerNotAuthorized(batchId, $.byId[sid].account, msg.sender);
            }
        }
        uint256 saleNo = uint256(b.saleCount) + 1;
        if (saleNo > MAX_SALE_NO) revert KeyLedgerSaleNumbersExhausted(batchId);
        bytes32[] memory nodes = new bytes32[](len);
        uint256 count = b.count;
        uint256 runStart;
        uint256 prev;
        for (uint256 i; i < len; ++i) {
            uint256 index = grp.indices[i];
            if (i != 0 && index <= prev) revert KeyLedgerSaleOrder(batchId, uint64(prev), uint64(index));
            bytes32 c = grp.commitments[i];
            if (c == bytes32(0)) revert KeyLedgerZeroCommitment(batchId, uint64(index));
            nodes[i] = _leaf(batchId, index, c, grp.orderRefs[i]);
            if (i == 0) {
                runStart = index;
            } else if (index != prev + 1) {
                _sellRun(b, batchId, runStart, prev + 1, sellerId, saleNo);
                runStart = index;
            }
            prev = index;
        }
        if (prev >= count) {
            revert IKeyLedgerV2.KeyLedgerInvalidRange(batchId, uint64(runStart), uint64(prev + 1), uint64(count));
        }
        _sellRun(b, batchId, runStart, prev + 1, sellerId, saleNo);
        bytes32 root = _root(nodes);
        b.saleCount = uint24(saleNo);
        $.saleRecords[batchId][saleNo] =
            S.Sale({root: bytes24(root), sellerId: uint24(sellerId), soldAt: uint40(block.timestamp)});
        emit KeysSold(
            batchId,
            msg.sender,
            uint32(saleNo),
            root,
            uint64(block.timestamp),
            context,
            grp.indices,
            grp.commitments,
            grp.orderRefs
        );
    }

    /// @dev Sells the consecutive keys [a, z): checks custody, freezes, redemption and earlier sales,
    /// then points them at `saleNo`. Indices are checked < count here (z <= count).
    function _sellRun(S.Batch storage b, bytes32 batchId, uint256 a, uint256 z, uint256 sellerId, uint256 saleNo)
        private
    {
        S.Layout storage $ = S.layout();
        uint256 count = b.count;
        // Casts: a < z <= count < 2^48 (else the first check reverts).
        if (z > count) revert IKeyLedgerV2.KeyLedgerInvalidRange(batchId, uint64(a), uint64(z), uint64(count));
        {
            mapping(uint256 => uint256) storage c = $.custody[batchId];
            (, uint256 h) = c.pred(a, b.holder0, b.flags & S.FLAG_LEAF0 != 0);
            for (uint256 x = a;;) {
                if (h != sellerId) {
                    revert IKeyLedgerV2.KeyLedgerRangeNotHeld(batchId, uint64(a), uint64(z), $.byId[h].account);
                }
                x = c.next(x, z);
                if (x == z) break;
                h = c.valueOf(x);
            }
        }
        uint256 flags = b.flags;
        if (flags & S.FLAG_REG_LAYER != 0) {
            (uint256 fa, uint256 fz, uint256 v) = Logic.firstNonZero($.regFreeze[batchId], b.regFreeze0, a, z);
            if (v != 0) {
                revert IKeyLedgerV2.KeyLedgerRangeFrozen(
                    batchId, uint64(fa), uint64(fz), IKeyLedgerV2.RevocationReason(v), true
                );
            }
        }
        if (flags & S.FLAG_SUP_LAYER != 0) {
            (uint256 fa, uint256 fz, uint256 v) = Logic.firstNonZero($.supFreeze[batchId], b.supFreeze0, a, z);
            if (v != 0) {
                revert IKeyLedgerV2.KeyLedgerRangeFrozen(
                    batchId, uint64(fa), uint64(fz), IKeyLedgerV2.RevocationReason(v), false
                );
            }
        }
        mapping(uint256 => uint256) storage words = $.redeemed[batchId];
        for (uint256 w = a >> 8; w <= (z - 1) >> 8; ++w) {
            uint256 base = w << 8;
            uint256 lo = a > base ? a : base;
            uint256 hi = z < base + 256 ? z : base + 256;
            uint256 hit = Logic.maskBits(words[w], base, lo, hi);
            if (hit != 0) {
                (uint256 first,) = Logic.lowHigh(hit);
                revert KeyLedgerKeyRedeemed(batchId, uint64(base + first));
            }
        }
        mapping(uint256 => uint256) storage sales = $.sales[batchId];
        if (flags & S.FLAG_SOLD != 0) {
            (, uint256 v) = sales.pred(a, b.sale0);
            for (uint256 x = a;;) {
                if (v != 0 && v & 1 == 0) revert KeyLedgerAlreadySold(batchId, uint64(x), uint32(v >> 1));
                x = sales.next(x, z);
                if (x == z) break;
                v = sales.valueOf(x);
            }
        }
        if (flags & S.FLAG_SOLD != 0) {
            b.sale0 = uint24(Logic.assign(sales, count, a, z, saleNo << 1, b.sale0));
        } else {
            // First sale of the batch: the map is all zero (no boundary, sale0 = 0), so assign reduces to
            // setting the two bounds. Later runs see FLAG_SOLD (set below) and take the general path.
            uint256 top = RangeMap.topLevel(count);
            if (a == 0) b.sale0 = uint24(saleNo << 1);
            else sales.set(top, a, saleNo << 1);
            if (z < count) sales.set(top, z, 0);
            b.flags = uint8(flags | S.FLAG_SOLD);
        }
    }

    /// @dev Merkle root of `nodes` (sorted pairs; an odd node moves up unchanged). Overwrites `nodes`.
    function _root(bytes32[] memory nodes) private pure returns (bytes32) {
        uint256 n = nodes.length;
        while (n > 1) {
            uint256 half = n >> 1;
            for (uint256 i; i < half; ++i) {
                nodes[i] = Hashes.commutativeKeccak256(nodes[2 * i], nodes[2 * i + 1]);
            }
            if (n & 1 == 1) nodes[half] = nodes[n - 1];
            n = half + (n & 1);
        }
        return nodes[0];
    }
}
