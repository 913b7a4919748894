// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {AccessControl} from "@openzeppelin/contracts/access/AccessControl.sol";
import {Math} from "@openzeppelin/contracts/utils/math/Math.sol";
import {IKeyLedger} from "./interfaces/IKeyLedger.sol";

/// @title KeyLedger
/// @notice Provenance ledger for digital card keys: parties, distributor authorisations, Merkle-rooted
/// batches, custody of index ranges as segments, revocation (freezing) and a redemption bitmap.
/// @dev Rules and the decisions behind them are written up in docs/LEDGER-RULES.md. "0 = never" holds
/// for every expiry (accreditation, authorisation, batch). Segments only split: each transfer, revoke
/// and reinstate of [start, end) makes `start` and `end` (when < count) segment starts, nothing else.
contract KeyLedger is IKeyLedger, AccessControl {
    /// @notice Role that registers, updates, suspends and reinstates parties.
    bytes32 public constant REGISTRAR_ROLE = keccak256("REGISTRAR_ROLE");
    /// @notice Role that suspends/reinstates parties and revokes/reinstates keys of any batch.
    bytes32 public constant REGULATOR_ROLE = keccak256("REGULATOR_ROLE");

    /// @dev Largest count: indices must fit the 48-bit segment ends.
    uint256 private constant MAX_COUNT = type(uint48).max;

    /// @dev Slot 1: kind (8) + suspended (8) + accreditedUntil (64) = 80 bits; slot 2: profileHash.
    struct Party {
        PartyKind kind;
        bool suspended;
        uint64 accreditedUntil;
        bytes32 profileHash;
    }

    /// @dev Slot 1: tier (8) + expiresAt (64) = 72 bits; slot 2: certificateHash. tier 0 = none.
    struct Authorization {
        uint8 tier;
        uint64 expiresAt;
        bytes32 certificateHash;
    }

    /// @dev Slot 1: root. Slot 2 (fits one slot exactly): supplier (160) + count (48) + expiresAt (40)
    /// + flags (8: FLAG_RESTRICTED, FLAG_REVOKED) = 256 bits. Product, face value, currency, label and
    /// manifest live in the BatchAnchored event only.
    struct Batch {
        bytes32 root;
        address supplier;
        uint48 count;
        uint40 expiresAt;
        uint8 flags;
    }

    /// @dev Batch flag: keys may move only to parties the supplier authorised.
    uint8 private constant FLAG_RESTRICTED = 1;
    /// @dev Batch flag: some range of the batch was revoked at least once. Redemption skips the
    /// frozen check (a segment read) on batches that never had a revocation.
    uint8 private constant FLAG_REVOKED = 2;

    /// @dev Fits one slot: holder (160) + end (48) + frozenReason (8) = 216 bits. `end == 0` means
    /// no segment starts here (every real segment has end > start >= 0).
    struct Segment {
        address holder;
        uint48 end;
        uint8 frozenReason;
    }

    mapping(address party => Party) private _parties;
    mapping(address supplier => mapping(address distributor => Authorization)) private _authorizations;
    mapping(address supplier => mapping(address redeemer => bool allowed)) private _redeemers;
    mapping(bytes32 batchId => Batch) private _batches;
    mapping(bytes32 batchId => mapping(uint256 start => Segment)) private _segments;
    mapping(bytes32 batchId => mapping(uint256 wordIndex => uint256 bits)) private _redeemed;

    /// @param admin Receives DEFAULT_ADMIN_ROLE (grants REGULATOR_ROLE and more registrars) and REGISTRAR_ROLE.
    constructor(address admin) {
        if (admin == address(0)) revert KeyLedgerZeroAddress();
        _grantRole(DEFAULT_ADMIN_ROLE, admin);
        _grantRole(REGISTRAR_ROLE, admin);
    }

    // ---------------------------------------------------------------- parties (registrar)

    /// @inheritdoc IKeyLedger
    function registerParty(
        address party,
        PartyKind kind,
        bytes32 profileHash,
        string calldata profileURI,
        uint64 accreditedUntil
    ) external onlyRole(REGISTRAR_ROLE) {
        if (party == address(0)) revert KeyLedgerZeroAddress();
        if (kind == PartyKind.None) revert KeyLedgerInvalidKind(party, kind);
        Party storage p = _parties[party];
        if (p.kind != PartyKind.None) revert KeyLedgerPartyAlreadyRegistered(party);
        _parties[party] =
            Party({kind: kind, suspended: false, accreditedUntil: accreditedUntil, profileHash: profileHash});
        emit PartyRegistered(party, kind, profileHash, profileURI, accreditedUntil, msg.sender);
    }

    /// @inheritdoc IKeyLedger
    function updateParty(address party, bytes32 profileHash, string calldata profileURI, uint64 accreditedUntil)
        external
        onlyRole(REGISTRAR_ROLE)
    {
        Party storage p = _requireRegistered(party);
        p.accreditedUntil = accreditedUntil;
        p.profileHash = profileHash;
        emit PartyUpdated(party, profileHash, profileURI, accreditedUntil, msg.sender);
    }

    /// @inheritdoc IKeyLedger
    function suspendParty(address party, bytes32 reasonHash) external {
        _checkRegistrarOrRegulator();
        Party storage p = _requireRegistered(party);
        if (p.suspended) revert KeyLedgerPartySuspended(party);
        p.suspended = true;
        emit PartySuspended(party, reasonHash, msg.sender);
    }

    /// @inheritdoc IKeyLedger
    function reinstateParty(address party) external {
        _checkRegistrarOrRegulator();
        Party storage p = _requireRegistered(party);
        if (!p.suspended) revert KeyLedgerPartyNotSuspended(party);
        p.suspended = false;
        emit PartyReinstated(party, msg.sender);
    }

    // ---------------------------------------------------------------- authorisations (supplier)

    /// @inheritdoc IKeyLedger
    function authorize(address distributor, uint8 tier, uint64 expiresAt, bytes32 certificateHash) external {
        _requireActiveSupplier(msg.sender);
        _requireRegistered(distributor);
        if (tier == 0 || (expiresAt != 0 && expiresAt < block.timestamp)) {
            revert KeyLedgerInvalidAuthorization(distributor, tier, expiresAt);
        }
        _authorizations[msg.sender][distributor] =
            Authorization({tier: tier, expiresAt: expiresAt, certificateHash: certificateHash});
        emit DistributorAuthorized(msg.sender, distributor, tier, expiresAt, certificateHash);
    }

    /// @inheritdoc IKeyLedger
    function deauthorize(address distributor) external {
        if (_authorizations[msg.sender][distributor].tier == 0) revert KeyLedgerNotAuthorized(msg.sender, distributor);
        delete _authorizations[msg.sender][distributor];
        emit DistributorDeauthorized(msg.sender, distributor);
    }

    /// @inheritdoc IKeyLedger
    function setRedeemer(address redeemer, bool allowed) external {
        if (redeemer == address(0)) revert KeyLedgerZeroAddress();
        if (allowed) {
            _requireActiveSupplier(msg.sender);
        } else if (_parties[msg.sender].kind != PartyKind.Supplier) {
            revert KeyLedgerNotSupplier(msg.sender);
        }
        _redeemers[msg.sender][redeemer] = allowed;
        emit RedeemerSet(msg.sender, redeemer, allowed);
    }

    // ---------------------------------------------------------------- batches and custody

    /// @inheritdoc IKeyLedger
    function anchorBatch(AnchorParams calldata params) external returns (bytes32 batchId) {
        _requireActiveSupplier(msg.sender);
        if (params.root == bytes32(0)) revert KeyLedgerZeroRoot();
        uint64 count = params.count;
        if (count == 0 || count > MAX_COUNT) revert KeyLedgerInvalidCount(count);
        if (params.expiresAt > type(uint40).max) revert KeyLedgerInvalidExpiry(params.expiresAt);
        batchId = keccak256(abi.encode(msg.sender, params.label));
        Batch storage b = _batches[batchId];
        if (b.supplier != address(0)) revert KeyLedgerBatchExists(batchId, params.label);
        // The casts are safe: count <= MAX_COUNT and expiresAt <= type(uint40).max were checked above.
        b.root = params.root;
        b.supplier = msg.sender;
        b.count = uint48(count);
        b.expiresAt = uint40(params.expiresAt);
        b.flags = params.restricted ? FLAG_RESTRICTED : 0;
        _segments[batchId][0] = Segment({holder: msg.sender, end: uint48(count), frozenReason: 0});
        _emitAnchored(batchId, params);
    }

    /// @inheritdoc IKeyLedger
    function transfer(bytes32 batchId, uint64 start, uint64 end, address to, uint64 hint, bytes32 memo) external {
        _transfer(batchId, start, end, to, hint, memo);
    }

    /// @inheritdoc IKeyLedger
    function transferMany(RangeTransfer[] calldata items, bytes32 memo) external {
        uint256 n = items.length;
        for (uint256 i; i < n; ++i) {
            RangeTransfer calldata t = items[i];
            _transfer(t.batchId, t.start, t.end, t.to, t.hint, memo);
        }
    }

    /// @inheritdoc IKeyLedger
    function revoke(bytes32 batchId, uint64 start, uint64 end, RevocationReason reason, uint64 hint) external {
        if (reason == RevocationReason.None) revert KeyLedgerInvalidReason(uint8(reason));
        Batch storage b = _requireBatchAuthorityAndRange(batchId, start, end);
        uint8 flags = b.flags;
        if (flags & FLAG_REVOKED == 0) b.flags = flags | FLAG_REVOKED;
        _setFrozen(batchId, start, end, uint8(reason), hint);
        emit KeysRevoked(batchId, msg.sender, start, end, reason);
    }

    /// @inheritdoc IKeyLedger
    function reinstate(bytes32 batchId, uint64 start, uint64 end, uint64 hint) external {
        _requireBatchAuthorityAndRange(batchId, start, end);
        _setFrozen(batchId, start, end, 0, hint);
        emit KeysReinstated(batchId, msg.sender, start, end);
    }

    /// @inheritdoc IKeyLedger
    function redeem(RedeemWord[] calldata words) external {
        uint256 n = words.length;
        for (uint256 i; i < n; ++i) {
            RedeemWord calldata w = words[i];
            _redeem(w.batchId, w.wordIndex, w.mask, w.hint);
        }
    }

    // ---------------------------------------------------------------- views

    /// @inheritdoc IKeyLedger
    function batchIdOf(address supplier, string calldata label) external pure returns (bytes32) {
        return keccak256(abi.encode(supplier, label));
    }

    /// @inheritdoc IKeyLedger
    function partyOf(address party)
        external
        view
        returns (PartyKind kind, bool suspended, uint64 accreditedUntil, bytes32 profileHash)
    {
        Party storage p = _parties[party];
        return (p.kind, p.suspended, p.accreditedUntil, p.profileHash);
    }

    /// @inheritdoc IKeyLedger
    function isActive(address party) external view returns (bool) {
        Party storage p = _parties[party];
        return p.kind != PartyKind.None && !p.suspended && _notExpired(p.accreditedUntil);
    }

    /// @inheritdoc IKeyLedger
    function authorizationOf(address supplier, address distributor)
        external
        view
        returns (uint8 tier, uint64 expiresAt, bytes32 certificateHash, bool valid)
    {
        Authorization storage a = _authorizations[supplier][distributor];
        tier = a.tier;
        expiresAt = a.expiresAt;
        return (tier, expiresAt, a.certificateHash, tier != 0 && _notExpired(expiresAt));
    }

    /// @inheritdoc IKeyLedger
    function isRedeemer(address supplier, address redeemer) external view returns (bool) {
        return _redeemers[supplier][redeemer];
    }

    /// @inheritdoc IKeyLedger
    function batchOf(bytes32 batchId)
        external
        view
        returns (bytes32 root, address supplier, uint64 count, uint64 expiresAt, bool restricted)
    {
        Batch storage b = _batches[batchId];
        return (b.root, b.supplier, b.count, b.expiresAt, b.flags & FLAG_RESTRICTED != 0);
    }

    /// @inheritdoc IKeyLedger
    function segmentAt(bytes32 batchId, uint64 start)
        external
        view
        returns (address holder, uint64 end, RevocationReason frozenReason)
    {
        Segment memory s = _segments[batchId][start];
        return (s.holder, s.end, RevocationReason(s.frozenReason));
    }

    /// @inheritdoc IKeyLedger
    function holderOf(bytes32 batchId, uint64 index) external view returns (address) {
        _requireIndex(batchId, index);
        (, Segment memory seg) = _locate(batchId, 0, index);
        return seg.holder;
    }

    /// @inheritdoc IKeyLedger
    function keyStatus(bytes32 batchId, uint64 index, uint64 hint) external view returns (KeyStatus memory status) {
        Batch storage b = _requireIndex(batchId, index);
        (uint256 segStart, Segment memory seg) = _locate(batchId, hint, index);
        status = KeyStatus({
            root: b.root,
            supplier: b.supplier,
            count: b.count,
            expiresAt: b.expiresAt,
            restricted: b.flags & FLAG_RESTRICTED != 0,
            holder: seg.holder,
            // segStart <= index < 2**48: fits.
            segmentStart: uint64(segStart),
            segmentEnd: seg.end,
            frozenReason: RevocationReason(seg.frozenReason),
            redeemed: _isRedeemed(batchId, index)
        });
    }

    /// @inheritdoc IKeyLedger
    function isRedeemed(bytes32 batchId, uint64 index) external view returns (bool) {
        return _isRedeemed(batchId, index);
    }

    // ---------------------------------------------------------------- internals: checks

    function _checkRegistrarOrRegulator() private view {
        if (!hasRole(REGISTRAR_ROLE, msg.sender) && !hasRole(REGULATOR_ROLE, msg.sender)) {
            revert AccessControlUnauthorizedAccount(msg.sender, REGISTRAR_ROLE);
        }
    }

    function _notExpired(uint64 until) private view returns (bool) {
        return until == 0 || block.timestamp <= until;
    }

    function _requireRegistered(address party) private view returns (Party storage p) {
        p = _parties[party];
        if (p.kind == PartyKind.None) revert KeyLedgerPartyNotRegistered(party);
    }

    /// @dev Registered, not suspended, accreditation not expired.
    function _requireActive(address party) private view {
        Party storage p = _requireRegistered(party);
        if (p.suspended) revert KeyLedgerPartySuspended(party);
        uint64 until = p.accreditedUntil;
        if (!_notExpired(until)) revert KeyLedgerAccreditationExpired(party, until);
    }

    function _requireActiveSupplier(address account) private view {
        Party storage p = _parties[account];
        if (p.kind != PartyKind.Supplier) revert KeyLedgerNotSupplier(account);
        if (p.suspended) revert KeyLedgerPartySuspended(account);
        uint64 until = p.accreditedUntil;
        if (!_notExpired(until)) revert KeyLedgerAccreditationExpired(account, until);
    }

    function _requireIndex(bytes32 batchId, uint64 index) private view returns (Batch storage b) {
        b = _batches[batchId];
        if (b.supplier == address(0)) revert KeyLedgerBatchNotFound(batchId);
        uint64 count = b.count;
        if (index >= count) {
            revert KeyLedgerInvalidRange(batchId, index, index == type(uint64).max ? index : index + 1, count);
        }
    }

    function _requireBatchAuthorityAndRange(bytes32 batchId, uint64 start, uint64 end)
        private
        view
        returns (Batch storage b)
    {
        b = _batches[batchId];
        address supplier = b.supplier;
        if (supplier == address(0)) revert KeyLedgerBatchNotFound(batchId);
        uint64 count = b.count;
        if (start >= end || end > count) revert KeyLedgerInvalidRange(batchId, start, end, count);
        if (msg.sender != supplier && !hasRole(REGULATOR_ROLE, msg.sender)) {
            revert KeyLedgerNotBatchAuthority(batchId, msg.sender);
        }
    }

    // ---------------------------------------------------------------- internals: segments

    /// @dev The segment holding `index`, searched forward from the segment starting at `hint`.
    /// Terminates: segments partition [0, count) and the callers check index < count.
    function _locate(bytes32 batchId, uint256 hint, uint256 index)
        private
        view
        returns (uint256 segStart, Segment memory seg)
    {
        mapping(uint256 => Segment) storage segs = _segments[batchId];
        seg = segs[hint];
        if (hint > index || seg.end == 0) revert KeyLedgerBadHint(batchId, uint64(hint), uint64(index));
        segStart = hint;
        while (seg.end <= index) {
            segStart = seg.end;
            seg = segs[segStart];
        }
    }

    function _transfer(bytes32 batchId, uint64 start, uint64 end, address to, uint64 hint, bytes32 memo) private {
        Batch storage b = _batches[batchId];
        address supplier = b.supplier;
        if (supplier == address(0)) revert KeyLedgerBatchNotFound(batchId);
        uint64 count = b.count;
        if (start >= end || end > count) revert KeyLedgerInvalidRange(batchId, start, end, count);
        if (to == msg.sender) revert KeyLedgerSelfTransfer(to);
        // An expired sender may still move keys it holds (the audit flags it); a suspended one may not.
        if (_parties[msg.sender].suspended) revert KeyLedgerPartySuspended(msg.sender);
        _requireActive(to);
        if (b.flags & FLAG_RESTRICTED != 0 && to != supplier) {
            Authorization storage a = _authorizations[supplier][to];
            if (a.tier == 0 || !_notExpired(a.expiresAt)) {
                revert KeyLedgerRecipientNotAuthorized(batchId, supplier, to);
            }
        }
        emit CustodyTransferred(batchId, msg.sender, to, start, end, memo);
        _moveSegments(batchId, start, end, to, hint);
    }

    /// @dev Gives [start, end) to `to`, splitting the first and last segment at the range's bounds.
    /// Every segment met must be held by the sender and not frozen (checked as it is met; a revert
    /// undoes the writes already made).
    function _moveSegments(bytes32 batchId, uint256 start, uint256 end, address to, uint256 hint) private {
        mapping(uint256 => Segment) storage segs = _segments[batchId];
        (uint256 pos, Segment memory seg) = _locate(batchId, hint, start);
        _requireMovable(batchId, start, end, pos, seg);
        if (pos < start) {
            // start < seg.end <= 2**48 - 1: fits.
            segs[pos] = Segment({holder: seg.holder, end: uint48(start), frozenReason: 0});
            pos = start;
        }
        while (true) {
            uint256 segEnd = seg.end;
            if (segEnd > end) {
                // end < segEnd: fits 48 bits.
                segs[pos] = Segment({holder: to, end: uint48(end), frozenReason: 0});
                segs[end] = Segment({holder: msg.sender, end: uint48(segEnd), frozenReason: 0});
                return;
            }
            segs[pos] = Segment({holder: to, end: uint48(segEnd), frozenReason: 0});
            if (segEnd == end) return;
            pos = segEnd;
            seg = segs[pos];
            _requireMovable(batchId, start, end, pos, seg);
        }
    }

    function _requireMovable(bytes32 batchId, uint256 start, uint256 end, uint256 segStart, Segment memory seg)
        private
        view
    {
        // Casts: all values are <= count < 2**48.
        if (seg.holder != msg.sender) revert KeyLedgerRangeNotHeld(batchId, uint64(start), uint64(end), seg.holder);
        if (seg.frozenReason != 0) {
            revert KeyLedgerRangeFrozen(
                batchId,
                uint64(Math.max(segStart, start)),
                uint64(Math.min(seg.end, end)),
                RevocationReason(seg.frozenReason)
            );
        }
    }

    /// @dev Sets the frozen reason of [start, end) (0 = unfreeze), splitting at the range's bounds;
    /// holders are kept.
    function _setFrozen(bytes32 batchId, uint256 start, uint256 end, uint8 reason, uint256 hint) private {
        mapping(uint256 => Segment) storage segs = _segments[batchId];
        (uint256 pos, Segment memory seg) = _locate(batchId, hint, start);
        if (pos < start) {
            segs[pos] = Segment({holder: seg.holder, end: uint48(start), frozenReason: seg.frozenReason});
            pos = start;
        }
        while (true) {
            uint256 segEnd = seg.end;
            if (segEnd > end) {
                segs[pos] = Segment({holder: seg.holder, end: uint48(end), frozenReason: reason});
                segs[end] = Segment({holder: seg.holder, end: uint48(segEnd), frozenReason: seg.frozenReason});
                return;
            }
            segs[pos] = Segment({holder: seg.holder, end: uint48(segEnd), frozenReason: reason});
            if (segEnd == end) return;
            pos = segEnd;
            seg = segs[pos];
        }
    }

    // ---------------------------------------------------------------- internals: redemption

    function _redeem(bytes32 batchId, uint64 wordIndex, uint256 mask, uint64 hint) private {
        Batch storage b = _batches[batchId];
        address supplier = b.supplier;
        if (supplier == address(0)) revert KeyLedgerBatchNotFound(batchId);
        if (msg.sender != supplier && !_redeemers[supplier][msg.sender]) {
            revert KeyLedgerNotRedeemer(batchId, msg.sender);
        }
        uint256 count = b.count;
        // wordIndex < 2**64, so base < 2**72: no overflow.
        uint256 base = uint256(wordIndex) * 256;
        // A shift by 256 or more gives 0 in Solidity, so `count - base >= 256` needs no special case.
        if (mask == 0 || base >= count || mask >> (count - base) != 0) {
            revert KeyLedgerInvalidMask(batchId, wordIndex, mask);
        }
        mapping(uint256 => uint256) storage words = _redeemed[batchId];
        uint256 word = words[wordIndex];
        uint256 already = word & mask;
        if (already != 0) revert KeyLedgerAlreadyRedeemed(batchId, wordIndex, already);
        if (b.flags & FLAG_REVOKED != 0) _requireNotFrozen(batchId, base, mask, hint);
        words[wordIndex] = word | mask;
        emit KeysRedeemed(batchId, msg.sender, wordIndex, mask);
    }

    /// @dev Reverts when a key of `mask` (word starting at index `base`) lies in a frozen segment.
    function _requireNotFrozen(bytes32 batchId, uint256 base, uint256 mask, uint256 hint) private view {
        uint256 low;
        unchecked {
            // mask != 0 (checked by the caller), so ~mask + 1 does not wrap: it is the two's
            // complement -mask, and mask & -mask isolates the lowest set bit.
            low = Math.log2(mask & (~mask + 1));
        }
        (uint256 segStart, Segment memory seg) = _locate(batchId, hint, base + low);
        mapping(uint256 => Segment) storage segs = _segments[batchId];
        while (true) {
            // seg holds an index >= base, so segEnd > base.
            uint256 segEnd = seg.end;
            if (seg.frozenReason != 0) {
                uint256 lo = segStart > base ? segStart - base : 0;
                uint256 span;
                unchecked {
                    // Bits [lo, segEnd - base) of the word. `1 << n` is 0 for n >= 256 (shifts never
                    // revert), and 0 - 1 wraps to all ones on purpose: bits [lo, 256). Plain form:
                    // span = (segEnd - base >= 256 ? type(uint256).max : (1 << (segEnd - base)) - 1) & (type(uint256).max << lo)
                    span = ((uint256(1) << (segEnd - base)) - 1) & (type(uint256).max << lo);
                }
                if (mask & span != 0) {
                    // Both bounds lie within [base, base + 256) and below 2**48: they fit.
                    revert KeyLedgerRangeFrozen(
                        batchId,
                        uint64(base + lo),
                        uint64(Math.min(segEnd, base + 256)),
                        RevocationReason(seg.frozenReason)
                    );
                }
            }
            if (segEnd - base >= 256 || mask >> (segEnd - base) == 0) return;
            segStart = segEnd;
            seg = segs[segStart];
        }
    }

    function _isRedeemed(bytes32 batchId, uint64 index) private view returns (bool) {
        return (_redeemed[batchId][index >> 8] >> (index & 0xff)) & 1 == 1;
    }

    function _emitAnchored(bytes32 batchId, AnchorParams calldata p) private {
        emit BatchAnchored(
            batchId,
            msg.sender,
            p.label,
            p.root,
            p.count,
            p.productId,
            p.faceValue,
            p.currency,
            p.expiresAt,
            p.restricted,
            p.manifestHash,
            p.manifestURI
        );
    }
}
