// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {AccessControlDefaultAdminRules} from
    "@openzeppelin/contracts/access/extensions/AccessControlDefaultAdminRules.sol";
import {IKeyLedgerV2} from "./interfaces/IKeyLedgerV2.sol";
import {KeyLedgerV2Storage as S} from "./lib/KeyLedgerV2Storage.sol";
import {KeyLedgerV2Logic as Logic} from "./lib/KeyLedgerV2Logic.sol";
import {RangeMap} from "./lib/RangeMap.sol";

/// @title KeyLedgerV2
/// @notice Provenance ledger for digital card keys, version 2: bounded custody lookups, a freeze overlay
/// that records who froze, suspended-supplier limits, re-keying, two-step admin handover. Sale calls
/// (IKeyLedgerV2Sales) are delegated to the sale module fixed at deployment (same storage namespace).
/// @dev Rules, storage layout, worst cases and the threat table: docs/LEDGER-V2.md.
contract KeyLedgerV2 is IKeyLedgerV2, AccessControlDefaultAdminRules {
    using RangeMap for mapping(uint256 => uint256);

    /// @notice Registers, updates, suspends and reinstates parties; proposes re-keys.
    bytes32 public constant REGISTRAR_ROLE = keccak256("REGISTRAR_ROLE");
    /// @notice Suspends/reinstates parties, freezes/unfreezes keys of any batch, confirms re-keys.
    bytes32 public constant REGULATOR_ROLE = keccak256("REGULATOR_ROLE");

    /// @notice The sale module every unknown selector is delegated to.
    address public immutable SALES;

    uint256 private constant MAX_COUNT = type(uint48).max;
    uint8 private constant FREEZE_LAYERS = S.FLAG_REG_LAYER | S.FLAG_SUP_LAYER;

    /// @param admin Receives DEFAULT_ADMIN_ROLE (handed over in two steps after `adminDelay`) and REGISTRAR_ROLE.
    /// @param adminDelay Seconds between accepting a new admin and its effect (OpenZeppelin DefaultAdminRules).
    /// @param sales The sale module (KeyLedgerV2Sales).
    constructor(address admin, uint48 adminDelay, address sales)
        AccessControlDefaultAdminRules(adminDelay, _nonZero(admin, "admin"))
    {
        SALES = _nonZero(sales, "sales");
        _grantRole(REGISTRAR_ROLE, admin);
    }

    /// @notice Sale calls: delegated to SALES, which runs on this contract's storage.
    fallback() external {
        address target = SALES;
        assembly ("memory-safe") {
            let ptr := mload(0x40)
            calldatacopy(ptr, 0, calldatasize())
            let ok := delegatecall(gas(), target, ptr, calldatasize(), 0, 0)
            returndatacopy(ptr, 0, returndatasize())
            if iszero(ok) { revert(ptr, returndatasize()) }
            return(ptr, returndatasize())
        }
    }

    // ---------------------------------------------------------------- parties

    /// @inheritdoc IKeyLedgerV2
    function registerParty(
        address party,
        PartyKind kind,
        bytes32 profileHash,
        string calldata profileURI,
        uint64 accreditedUntil
    ) external onlyRole(REGISTRAR_ROLE) {
        if (party == address(0)) revert KeyLedgerZeroAddress("party");
        if (kind == PartyKind.None) revert KeyLedgerInvalidKind(party, kind);
        S.Layout storage $ = S.layout();
        S.Party storage p = $.parties[party];
        if (p.kind != PartyKind.None) revert KeyLedgerPartyAlreadyRegistered(party);
        uint256 id = uint256($.partyCount) + 1;
        if (id > type(uint24).max) revert KeyLedgerPartyIdsExhausted(id);
        $.partyCount = uint24(id);
        p.kind = kind;
        p.accreditedUntil = accreditedUntil;
        p.id = uint24(id);
        p.profileHash = profileHash;
        $.byId[id].account = party;
        emit PartyRegistered(party, uint32(id), kind, profileHash, profileURI, accreditedUntil, msg.sender);
    }

    /// @inheritdoc IKeyLedgerV2
    function updateParty(address party, bytes32 profileHash, string calldata profileURI, uint64 accreditedUntil)
        external
        onlyRole(REGISTRAR_ROLE)
    {
        S.Party storage p = _requireRegistered(party);
        p.accreditedUntil = accreditedUntil;
        p.profileHash = profileHash;
        emit PartyUpdated(party, profileHash, profileURI, accreditedUntil, msg.sender);
    }

    /// @inheritdoc IKeyLedgerV2
    function suspendParty(address party, bytes32 reasonHash) external {
        bool reg = _registrarOrRegulator();
        S.Party storage p = _requireRegistered(party);
        if (p.suspended) revert KeyLedgerPartySuspended(party);
        p.suspended = true;
        p.byRegulator = reg;
        S.layout().byId[p.id].suspended = true;
        emit PartySuspended(party, reasonHash, msg.sender, reg);
    }

    /// @inheritdoc IKeyLedgerV2
    function reinstateParty(address party) external {
        bool reg = _registrarOrRegulator();
        S.Party storage p = _requireRegistered(party);
        if (!p.suspended) revert KeyLedgerPartyNotSuspended(party);
        if (p.byRegulator && !reg) revert KeyLedgerRegulatorSuspension(party, msg.sender);
        p.suspended = false;
        p.byRegulator = false;
        S.layout().byId[p.id].suspended = false;
        emit PartyReinstated(party, msg.sender);
    }

    /// @inheritdoc IKeyLedgerV2
    function proposeRekey(address oldAccount, address newAccount) external onlyRole(REGISTRAR_ROLE) {
        if (newAccount == address(0)) revert KeyLedgerZeroAddress("newAccount");
        _requireRegistered(oldAccount);
        S.Layout storage $ = S.layout();
        if ($.parties[newAccount].kind != PartyKind.None) revert KeyLedgerPartyAlreadyRegistered(newAccount);
        $.rekeys[oldAccount] = S.Rekey({newAccount: newAccount, proposer: msg.sender});
        emit RekeyProposed(oldAccount, newAccount, msg.sender);
    }

    /// @inheritdoc IKeyLedgerV2
    function confirmRekey(address oldAccount, address newAccount) external onlyRole(REGULATOR_ROLE) {
        S.Layout storage $ = S.layout();
        S.Rekey memory r = $.rekeys[oldAccount];
        if (newAccount == address(0) || r.newAccount != newAccount) {
            revert KeyLedgerNoPendingRekey(oldAccount, newAccount);
        }
        if (r.proposer == msg.sender) revert KeyLedgerRekeySameAccount(oldAccount, msg.sender);
        if ($.parties[newAccount].kind != PartyKind.None) revert KeyLedgerPartyAlreadyRegistered(newAccount);
        S.Party memory p = _requireRegistered(oldAccount);
        $.parties[newAccount] = p;
        delete $.parties[oldAccount];
        delete $.rekeys[oldAccount];
        $.byId[p.id].account = newAccount;
        emit PartyRekeyed(oldAccount, newAccount, p.id, r.proposer, msg.sender);
    }

    // ---------------------------------------------------------------- authorisations

    /// @inheritdoc IKeyLedgerV2
    function authorize(address distributor, uint8 tier, uint64 expiresAt, bytes32 certificateHash) external {
        uint256 sid = _requireActiveSupplier(msg.sender);
        uint256 did = _requireRegistered(distributor).id;
        if (tier == 0 || (expiresAt != 0 && expiresAt < block.timestamp)) {
            revert KeyLedgerInvalidAuthorization(distributor, tier, expiresAt);
        }
        S.layout().auths[sid][did] =
            S.Authorization({tier: tier, expiresAt: expiresAt, certificateHash: certificateHash});
        emit DistributorAuthorized(msg.sender, distributor, tier, expiresAt, certificateHash);
    }

    /// @inheritdoc IKeyLedgerV2
    function deauthorize(address distributor) external {
        S.Layout storage $ = S.layout();
        uint256 sid = $.parties[msg.sender].id;
        uint256 did = $.parties[distributor].id;
        if (sid == 0 || did == 0 || $.auths[sid][did].tier == 0) revert KeyLedgerNotAuthorized(msg.sender, distributor);
        delete $.auths[sid][did];
        emit DistributorDeauthorized(msg.sender, distributor);
    }

    /// @inheritdoc IKeyLedgerV2
    function setRedeemer(address redeemer, bool allowed) external {
        if (redeemer == address(0)) revert KeyLedgerZeroAddress("redeemer");
        uint256 sid;
        if (allowed) {
            sid = _requireActiveSupplier(msg.sender);
        } else {
            S.Party storage p = S.layout().parties[msg.sender];
            if (p.kind != PartyKind.Supplier) revert KeyLedgerNotSupplier(msg.sender);
            sid = p.id;
        }
        S.layout().redeemers[sid][redeemer] = allowed;
        emit RedeemerSet(msg.sender, redeemer, allowed);
    }

    // ---------------------------------------------------------------- batches and custody

    /// @inheritdoc IKeyLedgerV2
    function anchorBatch(AnchorParams calldata params) external returns (bytes32 batchId) {
        uint256 sid = _requireActiveSupplier(msg.sender);
        batchId = keccak256(abi.encode(msg.sender, params.label));
        if (params.root == bytes32(0)) revert KeyLedgerZeroRoot(batchId, params.label);
        uint64 count = params.count;
        if (count == 0 || count > MAX_COUNT) revert KeyLedgerInvalidCount(count);
        if (params.expiresAt > type(uint40).max) revert KeyLedgerInvalidExpiry(params.expiresAt);
        S.Layout storage $ = S.layout();
        S.Batch storage b = $.batches[batchId];
        if (b.supplierId != 0) revert KeyLedgerBatchExists(batchId, params.label);
        b.root = params.root;
        // Casts: checked above (count < 2^48, expiresAt < 2^40, ids < 2^24).
        b.supplierId = uint24(sid);
        b.count = uint48(count);
        b.expiresAt = uint40(params.expiresAt);
        b.flags = (params.restricted ? S.FLAG_RESTRICTED : 0) | (params.saleRequired ? S.FLAG_SALE_REQUIRED : 0);
        b.holder0 = uint24(sid);
        // Level-1 word 0 of the custody map, prepaid with its implicit bit (index 0 is always a boundary):
        // the first splits below index 2,048 then update this word instead of creating it.
        $.custody[batchId][1 << 64] = 1;
        _emitAnchored(batchId, params);
    }

    /// @inheritdoc IKeyLedgerV2
    function transfer(bytes32 batchId, uint64 start, uint64 end, address to, bytes32 memo) external {
        _transfer(batchId, start, end, to, memo);
    }

    /// @inheritdoc IKeyLedgerV2
    function transferMany(RangeTransfer[] calldata items, bytes32 memo) external {
        uint256 n = items.length;
        for (uint256 i; i < n; ++i) {
            RangeTransfer calldata t = items[i];
            _transfer(t.batchId, t.start, t.end, t.to, memo);
        }
    }

    /// @inheritdoc IKeyLedgerV2
    function revoke(bytes32 batchId, uint64 start, uint64 end, RevocationReason reason) external {
        if (reason == RevocationReason.None || reason == RevocationReason.Refunded) {
            revert KeyLedgerInvalidReason(uint8(reason));
        }
        (S.Batch storage b, bool reg) = _batchAuthority(batchId, start, end);
        _setLayer(b, batchId, reg, start, end, uint8(reason));
        emit KeysRevoked(batchId, msg.sender, start, end, reason, reg);
    }

    /// @inheritdoc IKeyLedgerV2
    function reinstate(bytes32 batchId, uint64 start, uint64 end) external {
        (S.Batch storage b, bool reg) = _batchAuthority(batchId, start, end);
        S.Layout storage $ = S.layout();
        if (!reg && $.byId[b.supplierId].suspended) revert KeyLedgerPartySuspended(msg.sender);
        uint256 flags = b.flags;
        bool sup = flags & S.FLAG_SUP_LAYER != 0;
        if (sup) {
            (,, uint256 v) = Logic.firstNonZero($.supFreeze[batchId], b.supFreeze0, start, end);
            sup = v != 0;
        }
        bool regHas = reg && flags & S.FLAG_REG_LAYER != 0;
        if (regHas) {
            (,, uint256 v) = Logic.firstNonZero($.regFreeze[batchId], b.regFreeze0, start, end);
            regHas = v != 0;
        }
        if (!sup && !regHas) revert KeyLedgerNotFrozen(batchId, start, end);
        if (sup) _setLayer(b, batchId, false, start, end, 0);
        if (regHas) _setLayer(b, batchId, true, start, end, 0);
        emit KeysReinstated(batchId, msg.sender, start, end, reg);
    }

    /// @inheritdoc IKeyLedgerV2
    function redeem(bytes32 batchId, uint64 wordIndex, uint256 mask) external {
        Window memory c;
        _redeem(batchId, wordIndex, mask, c);
    }

    /// @inheritdoc IKeyLedgerV2
    function redeemWord_b24(bytes32 batchId, uint64 wordIndex) external {
        Window memory c;
        _redeem(batchId, wordIndex, type(uint256).max, c);
    }

    /// @inheritdoc IKeyLedgerV2
    function redeemMany(RedeemWord[] calldata words) external {
        uint256 n = words.length;
        Window memory c;
        for (uint256 i; i < n; ++i) {
            RedeemWord calldata w = words[i];
            _redeem(w.batchId, w.wordIndex, w.mask, c);
        }
    }

    // ---------------------------------------------------------------- views








    /// @inheritdoc IKeyLedgerV2
    function batchOf(bytes32 batchId)
        external
        view
        returns (bytes32 root, address supplier, uint64 count, uint64 expiresAt, bool restricted, bool saleRequired)
    {
        S.Layout storage $ = S.layout();
        S.Batch storage b = $.batches[batchId];
        uint256 flags = b.flags;
        return (
            b.root,
            $.byId[b.supplierId].account,
            b.count,
            b.expiresAt,
            flags & S.FLAG_RESTRICTED != 0,
            flags & S.FLAG_SALE_REQUIRED != 0
        );
    }

    /// @inheritdoc IKeyLedgerV2
    function segmentOf(bytes32 batchId, uint64 index) external view returns (uint64 start, uint64 end, address holder) {
        S.Batch storage b = _requireIndex(batchId, index);
        S.Layout storage $ = S.layout();
        mapping(uint256 => uint256) storage n = $.custody[batchId];
        (uint256 s, uint256 h) = n.pred(index, b.holder0, b.flags & S.FLAG_LEAF0 != 0);
        // s <= index < end <= count < 2^48: the casts fit.
        return (uint64(s), uint64(n.next(index, b.count)), $.byId[h].account);
    }

    /// @inheritdoc IKeyLedgerV2
    function holderOf(bytes32 batchId, uint64 index) external view returns (address) {
        S.Batch storage b = _requireIndex(batchId, index);
        S.Layout storage $ = S.layout();
        (, uint256 h) = $.custody[batchId].pred(index, b.holder0, b.flags & S.FLAG_LEAF0 != 0);
        return $.byId[h].account;
    }

    /// @inheritdoc IKeyLedgerV2
    function freezeOf(bytes32 batchId, uint64 index)
        external
        view
        returns (RevocationReason regulatorReason, RevocationReason supplierReason)
    {
        S.Batch storage b = _requireIndex(batchId, index);
        (uint256 r, uint256 s) = _freezeAt(b, batchId, index);
        return (RevocationReason(r), RevocationReason(s));
    }

    /// @inheritdoc IKeyLedgerV2
    function keyStatus(bytes32 batchId, uint64 index) external view returns (KeyStatus memory st) {
        S.Batch storage b = _requireIndex(batchId, index);
        S.Layout storage $ = S.layout();
        S.PartyRef storage sup = $.byId[b.supplierId];
        uint256 flags = b.flags;
        st.root = b.root;
        st.supplier = sup.account;
        st.issuerSuspended = sup.suspended;
        st.count = b.count;
        st.expiresAt = b.expiresAt;
        st.restricted = flags & S.FLAG_RESTRICTED != 0;
        st.saleRequired = flags & S.FLAG_SALE_REQUIRED != 0;
        {
            mapping(uint256 => uint256) storage n = $.custody[batchId];
            (uint256 s, uint256 h) = n.pred(index, b.holder0, flags & S.FLAG_LEAF0 != 0);
            st.holder = $.byId[h].account;
            st.segmentStart = uint64(s);
            st.segmentEnd = uint64(n.next(index, st.count));
        }
        (uint256 r, uint256 sr) = _freezeAt(b, batchId, index);
        st.frozenReason = RevocationReason(r != 0 ? r : sr);
        st.frozenByRegulator = r != 0;
        st.supplierReason = RevocationReason(sr);
        st.redeemed = _isRedeemed(batchId, index);
        if (flags & S.FLAG_SOLD != 0) {
            (, uint256 sale) = $.sales[batchId].pred(index, b.sale0);
            // sale < 2^24: fits.
            st.saleNo = uint32(sale >> 1);
            st.sold = sale != 0 && sale & 1 == 0;
            st.refunded = sale & 1 == 1;
        }
    }

    /// @inheritdoc IKeyLedgerV2
    function isRedeemed(bytes32 batchId, uint64 index) external view returns (bool) {
        return _isRedeemed(batchId, index);
    }

    // ---------------------------------------------------------------- internals: checks

    function _nonZero(address a, string memory parameter) private pure returns (address) {
        if (a == address(0)) revert KeyLedgerZeroAddress(parameter);
        return a;
    }

    /// @dev Reverts unless the caller is a registrar or a regulator; returns whether it is a regulator.
    function _registrarOrRegulator() private view returns (bool reg) {
        reg = hasRole(REGULATOR_ROLE, msg.sender);
        if (!reg && !hasRole(REGISTRAR_ROLE, msg.sender)) {
            revert KeyLedgerNotRegistrarOrRegulator(msg.sender, REGISTRAR_ROLE, REGULATOR_ROLE);
        }
    }

    function _notExpired(uint64 until) private view returns (bool) {
        return until == 0 || block.timestamp <= until;
    }

    function _requireRegistered(address party) private view returns (S.Party storage p) {
        p = S.layout().parties[party];
        if (p.kind == PartyKind.None) revert KeyLedgerPartyNotRegistered(party);
    }

    /// @dev Registered, not suspended, not expired; returns the party id.
    function _requireActive(address party) private view returns (uint256) {
        S.Party storage p = _requireRegistered(party);
        if (p.suspended) revert KeyLedgerPartySuspended(party);
        uint64 until = p.accreditedUntil;
        if (!_notExpired(until)) revert KeyLedgerAccreditationExpired(party, until);
        return p.id;
    }

    function _requireActiveSupplier(address account) private view returns (uint256) {
        if (S.layout().parties[account].kind != PartyKind.Supplier) revert KeyLedgerNotSupplier(account);
        return _requireActive(account);
    }

    function _requireIndex(bytes32 batchId, uint64 index) private view returns (S.Batch storage b) {
        b = S.layout().batches[batchId];
        if (b.supplierId == 0) revert KeyLedgerBatchNotFound(batchId);
        uint64 count = b.count;
        if (index >= count) {
            revert KeyLedgerInvalidRange(batchId, index, index == type(uint64).max ? index : index + 1, count);
        }
    }

    /// @dev The batch, after checking the range and that the caller is its supplier or a regulator
    /// (`reg`). A suspended supplier passes: freezing stays allowed.
    function _batchAuthority(bytes32 batchId, uint64 start, uint64 end)
        private
        view
        returns (S.Batch storage b, bool reg)
    {
        S.Layout storage $ = S.layout();
        b = $.batches[batchId];
        uint256 sid = b.supplierId;
        if (sid == 0) revert KeyLedgerBatchNotFound(batchId);
        uint64 count = b.count;
        if (start >= end || end > count) revert KeyLedgerInvalidRange(batchId, start, end, count);
        reg = hasRole(REGULATOR_ROLE, msg.sender);
        if (!reg && $.byId[sid].account != msg.sender) revert KeyLedgerNotBatchAuthority(batchId, msg.sender);
    }

    // ---------------------------------------------------------------- internals: custody

    function _transfer(bytes32 batchId, uint256 start, uint256 end, address to, bytes32 memo) private {
        S.Layout storage $ = S.layout();
        S.Batch storage b = $.batches[batchId];
        uint256 sid = b.supplierId;
        if (sid == 0) revert KeyLedgerBatchNotFound(batchId);
        uint256 count = b.count;
        // Casts in this function: values <= count < 2^48, or calldata uint64s.
        if (start >= end || end > count) {
            revert KeyLedgerInvalidRange(batchId, uint64(start), uint64(end), uint64(count));
        }
        if (to == msg.sender) revert KeyLedgerSelfTransfer(to);
        S.Party storage from = $.parties[msg.sender];
        // An expired sender may still move keys it holds (the audit flags it); a suspended one may not.
        if (from.suspended) revert KeyLedgerPartySuspended(msg.sender);
        uint256 fromId = from.id;
        uint256 toId = _requireActive(to);
        uint256 flags = b.flags;
        if (flags & S.FLAG_RESTRICTED != 0 && toId != sid) {
            S.Authorization storage a = $.auths[sid][toId];
            if (a.tier == 0 || !_notExpired(a.expiresAt)) {
                revert KeyLedgerRecipientNotAuthorized(batchId, $.byId[sid].account, to);
            }
        }
        if (flags & FREEZE_LAYERS != 0) _requireNotFrozen(b, batchId, start, end, flags);
        emit CustodyTransferred(batchId, msg.sender, to, uint64(start), uint64(end), memo);
        mapping(uint256 => uint256) storage n = $.custody[batchId];
        (, uint256 v) = n.pred(start, b.holder0, flags & S.FLAG_LEAF0 != 0);
        if (v != fromId) revert KeyLedgerRangeNotHeld(batchId, uint64(start), uint64(end), $.byId[v].account);
        uint256 top = RangeMap.topLevel(count);
        // The caller's segments inside the range merge into one.
        for (uint256 x = n.next(start, end); x < end; x = n.next(x, end)) {
            v = n.valueOf(x);
            if (v != fromId) revert KeyLedgerRangeNotHeld(batchId, uint64(start), uint64(end), $.byId[v].account);
            n.clear(top, x);
        }
        if (end < count && !n.isBoundary(end)) n.set(top, end, fromId);
        if (start == 0) b.holder0 = uint24(toId);
        else n.set(top, start, toId);
        if (end < 8 || (start != 0 && start < 8)) b.flags = uint8(flags | S.FLAG_LEAF0);
    }

    function _requireNotFrozen(S.Batch storage b, bytes32 batchId, uint256 start, uint256 end, uint256 flags)
        private
        view
    {
        S.Layout storage $ = S.layout();
        if (flags & S.FLAG_REG_LAYER != 0) {
            (uint256 a, uint256 z, uint256 v) = Logic.firstNonZero($.regFreeze[batchId], b.regFreeze0, start, end);
            if (v != 0) revert KeyLedgerRangeFrozen(batchId, uint64(a), uint64(z), RevocationReason(v), true);
        }
        if (flags & S.FLAG_SUP_LAYER != 0) {
            (uint256 a, uint256 z, uint256 v) = Logic.firstNonZero($.supFreeze[batchId], b.supFreeze0, start, end);
            if (v != 0) revert KeyLedgerRangeFrozen(batchId, uint64(a), uint64(z), RevocationReason(v), false);
        }
    }

    /// @dev Sets the reason of [start, end) on one freeze layer (0 = lift).
    function _setLayer(S.Batch storage b, bytes32 batchId, bool reg, uint256 start, uint256 end, uint256 reason)
        private
    {
        S.Layout storage $ = S.layout();
        uint256 count = b.count;
        // Reasons fit 8 bits.
        if (reg) {
            b.regFreeze0 = uint8(Logic.assign($.regFreeze[batchId], count, start, end, reason, b.regFreeze0));
            b.flags |= S.FLAG_REG_LAYER;
        } else {
            b.supFreeze0 = uint8(Logic.assign($.supFreeze[batchId], count, start, end, reason, b.supFreeze0));
            b.flags |= S.FLAG_SUP_LAYER;
        }
    }

    function _freezeAt(S.Batch storage b, bytes32 batchId, uint256 index) private view returns (uint256 r, uint256 s) {
        S.Layout storage $ = S.layout();
        uint256 flags = b.flags;
        if (flags & S.FLAG_REG_LAYER != 0) (, r) = $.regFreeze[batchId].pred(index, b.regFreeze0);
        if (flags & S.FLAG_SUP_LAYER != 0) (, s) = $.supFreeze[batchId].pred(index, b.supFreeze0);
    }

    // ---------------------------------------------------------------- internals: redemption

    /// @dev What the previous words of a redeemMany call established for batch `batchId` (nothing in it
    /// changes during the call): its record's slot 2, the caller may redeem it, the storage slot of its
    /// redeemed-bits mapping (`words`), and no key of [a, z) is
    /// frozen on any layer; a whole word inside [a, z) needs no lookup.
    struct Window {
        bytes32 batchId;
        uint256 slot2;
        uint256 words;
        uint256 a;
        uint256 z;
    }

    function _redeem(bytes32 batchId, uint64 wordIndex, uint256 mask, Window memory c) private {
        S.Layout storage $ = S.layout();
        // Batch slot 2: supplierId (bits 0..23), count (24..71), flags (112..119); read once per call and batch.
        uint256 slot2 = c.slot2;
        // slot2 == 0: nothing remembered yet (batchId 0 would otherwise match the empty window).
        if (c.batchId != batchId || slot2 == 0) {
            S.Batch storage b = $.batches[batchId];
            assembly ("memory-safe") {
                slot2 := sload(add(b.slot, 1))
            }
            uint256 sid = slot2 & 0xffffff;
            if (sid == 0) revert KeyLedgerBatchNotFound(batchId);
            // byId[sid] read once: account (bits 0..159), suspended (160..167).
            S.PartyRef storage sup = $.byId[sid];
            uint256 ref;
            assembly ("memory-safe") {
                ref := sload(sup.slot)
            }
            // One comparison in the common case: the caller is the supplier, not suspended.
            if (ref & type(uint168).max != uint160(msg.sender)) {
                address account = address(uint160(ref));
                if (account != msg.sender && !$.redeemers[sid][msg.sender]) {
                    revert KeyLedgerNotRedeemer(batchId, msg.sender);
                }
                // A suspended supplier redeems nothing, and its redeemers stop with it.
                if ((ref >> 160) & 0xff != 0) revert KeyLedgerPartySuspended(account);
            }
            mapping(uint256 => uint256) storage bits = $.redeemed[batchId];
            uint256 bitsSlot;
            assembly ("memory-safe") {
                bitsSlot := bits.slot
            }
            (c.batchId, c.slot2, c.words, c.a, c.z) = (batchId, slot2, bitsSlot, 0, 0);
        }
        uint256 count = (slot2 >> 24) & MAX_COUNT;
        // wordIndex < 2^64: base < 2^72, no overflow.
        uint256 base = uint256(wordIndex) << 8;
        uint256 badMask;
        assembly ("memory-safe") {
            // Empty, past the batch, or a bit at count or beyond (count - base wraps only when
            // base > count, refused by the middle term; a shift by >= 256 gives 0).
            badMask := or(or(iszero(mask), iszero(lt(base, count))), shr(sub(count, base), mask))
        }
        if (badMask != 0) revert KeyLedgerInvalidMask(batchId, wordIndex, mask);
        // The word's slot: redeemed[batchId][wordIndex], from the mapping slot remembered above.
        uint256 wordsSlot = c.words;
        uint256 slot;
        uint256 word;
        assembly ("memory-safe") {
            mstore(0x00, wordIndex)
            mstore(0x20, wordsSlot)
            slot := keccak256(0x00, 0x40)
            word := sload(slot)
        }
        if (word & mask != 0) revert KeyLedgerAlreadyRedeemed(batchId, wordIndex, word & mask);
        // Flags (bits 112..119): a batch never frozen and without the sale rule needs no other check.
        if (slot2 & (uint256(S.FLAG_SALE_REQUIRED | FREEZE_LAYERS) << 112) != 0) {
            bool check;
            unchecked {
                // A freeze layer is in use unless the batch is sale-required; base + 256 < 2^73.
                check = (slot2 >> 112) & S.FLAG_SALE_REQUIRED != 0 || base < c.a || base + 256 > c.z;
            }
            if (check) _redeemChecks(batchId, base, mask, slot2, count, c);
        }
        assembly ("memory-safe") {
            sstore(slot, or(word, mask))
        }
        emit KeysRedeemed(batchId, msg.sender, wordIndex, mask);
    }

    /// @dev No key of the mask frozen (either layer) and, for sale-required batches, every key sold. `slot2`:
    /// the batch record's slot 2 (flags at bits 112..119, regFreeze0 144..151, supFreeze0 152..159, sale0
    /// 160..183).
    function _redeemChecks(bytes32 batchId, uint256 base, uint256 mask, uint256 slot2, uint256 count, Window memory c)
        private
        view
    {
        S.Layout storage $ = S.layout();
        uint256 flags = (slot2 >> 112) & 0xff;
        if (flags & FREEZE_LAYERS != 0 && (base < c.a || base + 256 > c.z)) {
            (uint256 a, uint256 z) = (0, count);
            // Layer 0: regulator, layer 1: supplier (one call site, so the lookup code exists once).
            for (uint256 layer; layer < 2; ++layer) {
                bool reg = layer == 0;
                if (flags & (reg ? S.FLAG_REG_LAYER : S.FLAG_SUP_LAYER) == 0) continue;
                mapping(uint256 => uint256) storage n = $.supFreeze[batchId];
                if (reg) n = $.regFreeze[batchId];
                (uint256 la, uint256 lz) =
                    _unfrozenAround(n, (slot2 >> (reg ? 144 : 152)) & 0xff, batchId, base, mask, count, reg);
                if (la > a) a = la;
                if (lz < z) z = lz;
            }
            (c.a, c.z) = (a, z);
        }
        if (flags & S.FLAG_SALE_REQUIRED != 0) {
            (uint256 lo, uint256 hi) = Logic.lowHigh(mask);
            (bool found, uint256 a, uint256 z,) = Logic.firstBadInMask(
                $.sales[batchId], (slot2 >> 160) & 0xffffff, base, mask, base + lo, base + hi + 1, true
            );
            if (found) {
                (uint256 first,) = Logic.lowHigh(Logic.maskBits(mask, base, a, z));
                // Casts: indices < count < 2^48.
                revert KeyLedgerNotSold(batchId, uint64(base + first));
            }
        }
    }

    /// @dev Reverts when a key of the mask is frozen on this layer; else returns a range [a, z) of unfrozen
    /// keys to remember for the next words (empty when the mask passed but no whole-word range was found).
    /// First try: the word's 2,048-key region (one level-1 bitmap word) holds no boundary and its value is 0.
    function _unfrozenAround(
        mapping(uint256 => uint256) storage n,
        uint256 v0,
        bytes32 batchId,
        uint256 base,
        uint256 mask,
        uint256 count,
        bool reg
    ) private view returns (uint256 a, uint256 z) {
        uint256 r = base >> 11;
        (bool empty, uint256 v) = n.regionValue(r, v0);
        if (empty && v == 0) {
            z = (r + 1) << 11;
            return (r << 11, z < count ? z : count);
        }
        (uint256 lo, uint256 hi) = Logic.lowHigh(mask);
        lo += base;
        hi += base + 1;
        // The unfrozen segment met is followed to the end of the word's region at most.
        uint256 regionEnd = (r + 1) << 11;
        if (regionEnd > count) regionEnd = count;
        (a, v) = n.pred(lo, v0);
        z = v == 0 ? n.next(lo, regionEnd) : 0;
        if (hi <= z) return (a, z);
        bool found;
        (found, a, z, v) = Logic.firstBadInMask(n, v0, base, mask, lo, hi, false);
        // Casts: indices < count < 2^48; reasons < 2^8.
        if (found) revert KeyLedgerRangeFrozen(batchId, uint64(a), uint64(z), RevocationReason(v), reg);
        return (0, 0);
    }

    function _isRedeemed(bytes32 batchId, uint64 index) private view returns (bool) {
        return (S.layout().redeemed[batchId][index >> 8] >> (index & 0xff)) & 1 == 1;
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
            p.saleRequired,
            p.manifestHash,
            p.manifestURI
        );
    }
}
