// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

/// @title IKeyLedger
/// @notice Provenance ledger for digital card keys. Suppliers anchor Merkle roots of key batches,
/// custody of index ranges moves between registered parties, ranges can be frozen (revoked) and
/// keys redeemed. Every state change emits an event carrying everything an indexer needs to
/// rebuild state without calling a view.
/// @dev Index ranges are half-open `[start, end)`. Custody is stored as segments keyed by their
/// start index; segments only ever split (never merge), so a segment start, once created, stays a
/// segment start forever. Functions that locate a segment take a `hint`: any segment start at or
/// below the index sought (0 always works; a closer one saves gas).
interface IKeyLedger {
    // ---------------------------------------------------------------- types

    /// @notice What a registered party is. `None` means not registered.
    enum PartyKind {
        None,
        Supplier,
        Distributor,
        Retailer
    }

    /// @notice Why a range was frozen. `None` means not frozen.
    enum RevocationReason {
        None,
        Stolen,
        Chargeback,
        UnauthorisedChannel,
        IssuerError,
        Other
    }

    /// @notice Parameters of {anchorBatch}.
    /// @param label Supplier-chosen batch label; batchId = keccak256(abi.encode(supplier, label)).
    /// @param root Merkle root (OpenZeppelin standard leaves, sorted pairs).
    /// @param count Number of keys; indices are [0, count). 1 <= count < 2**48.
    /// @param productId GTIN (left-padded) or a SKU id hash.
    /// @param faceValue Face value in the currency's minor unit (e.g. fen for CNY).
    /// @param currency ISO 4217 code as three ASCII bytes, e.g. "CNY".
    /// @param expiresAt Unix time after which the keys expire (0 = never).
    /// @param restricted Whether keys may move only to parties the supplier authorised.
    /// @param manifestHash keccak256 of the public manifest file.
    /// @param manifestURI Where the public manifest is published.
    struct AnchorParams {
        string label;
        bytes32 root;
        uint64 count;
        bytes32 productId;
        uint128 faceValue;
        bytes3 currency;
        uint64 expiresAt;
        bool restricted;
        bytes32 manifestHash;
        string manifestURI;
    }

    /// @notice One range of a bulk transfer.
    struct RangeTransfer {
        bytes32 batchId;
        uint64 start;
        uint64 end;
        address to;
        uint64 hint;
    }

    /// @notice Redemption of up to 256 keys: indices [wordIndex*256, wordIndex*256+256), bit i of
    /// `mask` is index wordIndex*256+i.
    struct RedeemWord {
        bytes32 batchId;
        uint64 wordIndex;
        uint256 mask;
        uint64 hint;
    }

    /// @notice Everything a verifier needs about one key, in one call.
    struct KeyStatus {
        bytes32 root;
        address supplier;
        uint64 count;
        uint64 expiresAt;
        bool restricted;
        address holder;
        uint64 segmentStart;
        uint64 segmentEnd;
        RevocationReason frozenReason;
        bool redeemed;
    }

    // ---------------------------------------------------------------- events

    /// @notice A party was registered by a registrar.
    event PartyRegistered(
        address indexed party,
        PartyKind kind,
        bytes32 profileHash,
        string profileURI,
        uint64 accreditedUntil,
        address indexed registrar
    );
    /// @notice A party's profile or accreditation was updated by a registrar.
    event PartyUpdated(
        address indexed party, bytes32 profileHash, string profileURI, uint64 accreditedUntil, address indexed registrar
    );
    /// @notice A party was suspended; it can no longer send or receive keys, anchor or authorise.
    event PartySuspended(address indexed party, bytes32 reasonHash, address indexed registrar);
    /// @notice A suspended party was reinstated.
    event PartyReinstated(address indexed party, address indexed registrar);

    /// @notice A supplier authorised (or re-authorised) a distributor.
    event DistributorAuthorized(
        address indexed supplier, address indexed distributor, uint8 tier, uint64 expiresAt, bytes32 certificateHash
    );
    /// @notice A supplier withdrew a distributor's authorisation.
    event DistributorDeauthorized(address indexed supplier, address indexed distributor);
    /// @notice A supplier allowed or disallowed an account to mark its keys redeemed.
    event RedeemerSet(address indexed supplier, address indexed redeemer, bool allowed);

    /// @notice A batch was anchored; the supplier holds [0, count).
    event BatchAnchored(
        bytes32 indexed batchId,
        address indexed supplier,
        string label,
        bytes32 root,
        uint64 count,
        bytes32 productId,
        uint128 faceValue,
        bytes3 currency,
        uint64 expiresAt,
        bool restricted,
        bytes32 manifestHash,
        string manifestURI
    );
    /// @notice Custody of [start, end) of a batch moved from `from` to `to`.
    event CustodyTransferred(
        bytes32 indexed batchId, address indexed from, address indexed to, uint64 start, uint64 end, bytes32 memo
    );
    /// @notice [start, end) was frozen with a reason, by the batch's supplier or a regulator.
    event KeysRevoked(bytes32 indexed batchId, address indexed by, uint64 start, uint64 end, RevocationReason reason);
    /// @notice [start, end) was unfrozen.
    event KeysReinstated(bytes32 indexed batchId, address indexed by, uint64 start, uint64 end);
    /// @notice The keys of `mask` in word `wordIndex` were marked redeemed.
    event KeysRedeemed(bytes32 indexed batchId, address indexed by, uint64 wordIndex, uint256 mask);

    // ---------------------------------------------------------------- errors

    /// @notice The party is already registered.
    error KeyLedgerPartyAlreadyRegistered(address party);
    /// @notice The account is not a registered party.
    error KeyLedgerPartyNotRegistered(address account);
    /// @notice The party is suspended.
    error KeyLedgerPartySuspended(address party);
    /// @notice The party's accreditation expired at `accreditedUntil`.
    error KeyLedgerAccreditationExpired(address party, uint64 accreditedUntil);
    /// @notice The party kind is not valid for this call.
    error KeyLedgerInvalidKind(address party, PartyKind kind);
    /// @notice Only a registered supplier can do this.
    error KeyLedgerNotSupplier(address account);
    /// @notice A batch with this id (same supplier, same label) already exists.
    error KeyLedgerBatchExists(bytes32 batchId, string label);
    /// @notice No batch with this id.
    error KeyLedgerBatchNotFound(bytes32 batchId);
    /// @notice The count is 0 or does not fit 48 bits.
    error KeyLedgerInvalidCount(uint64 count);
    /// @notice The root is zero.
    error KeyLedgerZeroRoot();
    /// @notice The range is empty or outside [0, count).
    error KeyLedgerInvalidRange(bytes32 batchId, uint64 start, uint64 end, uint64 count);
    /// @notice Part of [start, end) is not held by the sender; `holder` holds the first part that is not.
    error KeyLedgerRangeNotHeld(bytes32 batchId, uint64 start, uint64 end, address holder);
    /// @notice Part of [start, end) is frozen.
    error KeyLedgerRangeFrozen(bytes32 batchId, uint64 start, uint64 end, RevocationReason reason);
    /// @notice A restricted batch's keys can only move to parties its supplier authorised.
    error KeyLedgerRecipientNotAuthorized(bytes32 batchId, address supplier, address recipient);
    /// @notice Sender and recipient are the same.
    error KeyLedgerSelfTransfer(address account);
    /// @notice The hint is not a segment start at or below the index sought.
    error KeyLedgerBadHint(bytes32 batchId, uint64 hint, uint64 index);
    /// @notice Only the batch's supplier or a regulator can do this.
    error KeyLedgerNotBatchAuthority(bytes32 batchId, address account);
    /// @notice Only the batch's supplier or a redeemer it delegated can redeem.
    error KeyLedgerNotRedeemer(bytes32 batchId, address account);
    /// @notice Some keys of the word were already redeemed (`already` = the overlapping bits).
    error KeyLedgerAlreadyRedeemed(bytes32 batchId, uint64 wordIndex, uint256 already);
    /// @notice The redemption mask is zero or reaches past the batch's count.
    error KeyLedgerInvalidMask(bytes32 batchId, uint64 wordIndex, uint256 mask);
    /// @notice The revocation reason is `None` or unknown.
    error KeyLedgerInvalidReason(uint8 reason);
    /// @notice The authorisation tier is 0, or its expiry is in the past.
    error KeyLedgerInvalidAuthorization(address distributor, uint8 tier, uint64 expiresAt);
    /// @notice The distributor is not authorised by this supplier.
    error KeyLedgerNotAuthorized(address supplier, address distributor);
    /// @notice The zero address is not a valid party, admin or redeemer.
    error KeyLedgerZeroAddress();
    /// @notice The batch expiry does not fit 40 bits (Unix seconds).
    error KeyLedgerInvalidExpiry(uint64 expiresAt);
    /// @notice The party is not suspended (nothing to reinstate).
    error KeyLedgerPartyNotSuspended(address party);

    // ---------------------------------------------------------------- parties (registrar)

    /// @notice Registers a party. Registrar only.
    /// @dev Reverts KeyLedgerZeroAddress, KeyLedgerInvalidKind (kind None),
    /// KeyLedgerPartyAlreadyRegistered. Emits PartyRegistered.
    /// @param party The party's account.
    /// @param kind Supplier, Distributor or Retailer (fixed for good).
    /// @param profileHash Hash of the party's licence documents.
    /// @param profileURI Where the profile is published.
    /// @param accreditedUntil Last second of accreditation; 0 = never expires.
    function registerParty(
        address party,
        PartyKind kind,
        bytes32 profileHash,
        string calldata profileURI,
        uint64 accreditedUntil
    ) external;

    /// @notice Updates a party's profile and accreditation. Registrar only.
    /// @dev Reverts KeyLedgerPartyNotRegistered. Emits PartyUpdated.
    /// @param party A registered party.
    /// @param profileHash New profile hash.
    /// @param profileURI New profile URI.
    /// @param accreditedUntil New accreditation expiry; 0 = never expires.
    function updateParty(address party, bytes32 profileHash, string calldata profileURI, uint64 accreditedUntil)
        external;

    /// @notice Suspends a party. Registrar or regulator.
    /// @dev A suspended party cannot send or receive keys, anchor, or authorise. Reverts
    /// KeyLedgerPartyNotRegistered, KeyLedgerPartySuspended (already). Emits PartySuspended.
    /// @param party A registered, not suspended party.
    /// @param reasonHash Hash of the published reason.
    function suspendParty(address party, bytes32 reasonHash) external;

    /// @notice Reinstates a suspended party. Registrar or regulator.
    /// @dev Reverts KeyLedgerPartyNotRegistered, KeyLedgerPartyNotSuspended. Emits PartyReinstated.
    /// @param party A suspended party.
    function reinstateParty(address party) external;

    // ---------------------------------------------------------------- authorisations (supplier)

    /// @notice Authorises `distributor` to carry the caller's keys (restricted batches).
    /// @dev Caller: an active supplier (KeyLedgerNotSupplier, KeyLedgerPartySuspended,
    /// KeyLedgerAccreditationExpired). Reverts KeyLedgerPartyNotRegistered (distributor),
    /// KeyLedgerInvalidAuthorization (tier 0 or expiry in the past). Replaces an earlier
    /// authorisation. Emits DistributorAuthorized.
    /// @param distributor A registered party.
    /// @param tier Distribution tier (1 = first-level agent, …), > 0.
    /// @param expiresAt Last valid second; 0 = never expires.
    /// @param certificateHash Hash of the authorisation certificate.
    function authorize(address distributor, uint8 tier, uint64 expiresAt, bytes32 certificateHash) external;

    /// @notice Withdraws an authorisation.
    /// @dev Reverts KeyLedgerNotAuthorized when there is none. Emits DistributorDeauthorized.
    /// @param distributor The authorised party.
    function deauthorize(address distributor) external;

    /// @notice Allows or disallows `redeemer` to mark the caller's keys redeemed.
    /// @dev Allowing needs an active supplier, disallowing a registered supplier
    /// (KeyLedgerNotSupplier, KeyLedgerPartySuspended, KeyLedgerAccreditationExpired);
    /// KeyLedgerZeroAddress. Emits RedeemerSet.
    /// @param redeemer Any account.
    /// @param allowed Allow (true) or withdraw (false).
    function setRedeemer(address redeemer, bool allowed) external;

    // ---------------------------------------------------------------- batches and custody

    /// @notice Anchors a batch; the caller (an active, accredited supplier) holds [0, count).
    /// @dev O(1) gas whatever the count. Reverts KeyLedgerNotSupplier, KeyLedgerPartySuspended,
    /// KeyLedgerAccreditationExpired, KeyLedgerZeroRoot, KeyLedgerInvalidCount,
    /// KeyLedgerInvalidExpiry, KeyLedgerBatchExists. Emits BatchAnchored.
    /// @param params See {AnchorParams}.
    /// @return batchId keccak256(abi.encode(msg.sender, params.label)).
    function anchorBatch(AnchorParams calldata params) external returns (bytes32 batchId);

    /// @notice Moves [start, end) of a batch from the caller to `to`.
    /// @dev The caller must hold the whole range (it may span several of its segments) and not be
    /// suspended (an expired caller may still move keys); `to` must be active and, for a restricted
    /// batch, authorised by the batch's supplier now (or be that supplier). Reverts
    /// KeyLedgerBatchNotFound, KeyLedgerInvalidRange, KeyLedgerSelfTransfer, KeyLedgerPartySuspended,
    /// KeyLedgerPartyNotRegistered, KeyLedgerAccreditationExpired, KeyLedgerRecipientNotAuthorized,
    /// KeyLedgerBadHint, KeyLedgerRangeNotHeld, KeyLedgerRangeFrozen. Emits CustodyTransferred.
    /// @param batchId The batch.
    /// @param start First index moved.
    /// @param end One past the last index moved.
    /// @param to The recipient.
    /// @param hint Any segment start <= start (0 always works).
    /// @param memo Free reference (order number hash), carried in the event.
    function transfer(bytes32 batchId, uint64 start, uint64 end, address to, uint64 hint, bytes32 memo) external;

    /// @notice Several ranges (any batches, any recipients) in one call.
    /// @dev Applied in order, all or nothing, with the rules of {transfer}; one CustodyTransferred
    /// per range, each with `memo`.
    /// @param items The ranges.
    /// @param memo Free reference for the whole call.
    function transferMany(RangeTransfer[] calldata items, bytes32 memo) external;

    /// @notice Freezes [start, end). Batch supplier or regulator.
    /// @dev Splits at the range's bounds and keeps holders; replaces the reason of parts already
    /// frozen. Reverts KeyLedgerInvalidReason, KeyLedgerBatchNotFound, KeyLedgerInvalidRange,
    /// KeyLedgerNotBatchAuthority, KeyLedgerBadHint. Emits KeysRevoked.
    /// @param batchId The batch.
    /// @param start First index frozen.
    /// @param end One past the last index frozen.
    /// @param reason Why (not None).
    /// @param hint Any segment start <= start (0 always works).
    function revoke(bytes32 batchId, uint64 start, uint64 end, RevocationReason reason, uint64 hint) external;

    /// @notice Unfreezes [start, end). Batch supplier or regulator.
    /// @dev Splits at the range's bounds. Reverts KeyLedgerBatchNotFound, KeyLedgerInvalidRange,
    /// KeyLedgerNotBatchAuthority, KeyLedgerBadHint. Emits KeysReinstated.
    /// @param batchId The batch.
    /// @param start First index unfrozen.
    /// @param end One past the last index unfrozen.
    /// @param hint Any segment start <= start (0 always works).
    function reinstate(bytes32 batchId, uint64 start, uint64 end, uint64 hint) external;

    /// @notice Marks keys redeemed, 256 per word. Batch supplier or a delegated redeemer.
    /// @dev Per word: reverts KeyLedgerBatchNotFound, KeyLedgerNotRedeemer, KeyLedgerInvalidMask
    /// (zero, or bits at or past count), KeyLedgerAlreadyRedeemed (with the overlapping bits),
    /// KeyLedgerRangeFrozen, KeyLedgerBadHint (hint: a segment start <= the mask's lowest index;
    /// only read when the batch ever had a revocation). Emits KeysRedeemed per word.
    /// @param words The words to mark.
    function redeem(RedeemWord[] calldata words) external;

    // ---------------------------------------------------------------- views

    /// @notice batchId of a supplier's label: keccak256(abi.encode(supplier, label)).
    /// @param supplier The anchoring supplier.
    /// @param label The batch label.
    /// @return The batch id.
    function batchIdOf(address supplier, string calldata label) external pure returns (bytes32);

    /// @notice A party's registration (kind None when not registered).
    /// @param party The account.
    /// @return kind The party kind.
    /// @return suspended Whether suspended.
    /// @return accreditedUntil Accreditation expiry (0 = never).
    /// @return profileHash Profile hash.
    function partyOf(address party)
        external
        view
        returns (PartyKind kind, bool suspended, uint64 accreditedUntil, bytes32 profileHash);

    /// @notice Whether the party is registered, not suspended and accredited now.
    /// @param party The account.
    /// @return Whether it is active.
    function isActive(address party) external view returns (bool);

    /// @notice An authorisation; `valid` is true when it exists and has not expired.
    /// @param supplier The authorising supplier.
    /// @param distributor The authorised party.
    /// @return tier Tier (0 = none).
    /// @return expiresAt Expiry (0 = never).
    /// @return certificateHash Certificate hash.
    /// @return valid Exists and not expired now.
    function authorizationOf(address supplier, address distributor)
        external
        view
        returns (uint8 tier, uint64 expiresAt, bytes32 certificateHash, bool valid);

    /// @notice Whether `redeemer` may redeem `supplier`'s keys.
    /// @param supplier The supplier.
    /// @param redeemer The account.
    /// @return Whether it is allowed.
    function isRedeemer(address supplier, address redeemer) external view returns (bool);

    /// @notice A batch's on-chain record (all zero when unknown).
    /// @param batchId The batch.
    /// @return root Merkle root.
    /// @return supplier Anchoring supplier.
    /// @return count Number of keys.
    /// @return expiresAt Key expiry (0 = never).
    /// @return restricted Whether restricted.
    function batchOf(bytes32 batchId)
        external
        view
        returns (bytes32 root, address supplier, uint64 count, uint64 expiresAt, bool restricted);

    /// @notice The segment starting at `start` (end = 0 when no segment starts there).
    /// @param batchId The batch.
    /// @param start A candidate segment start.
    /// @return holder Holder of the segment.
    /// @return end One past its last index (0 = no segment starts at `start`).
    /// @return frozenReason Its frozen reason (None = not frozen).
    function segmentAt(bytes32 batchId, uint64 start)
        external
        view
        returns (address holder, uint64 end, RevocationReason frozenReason);

    /// @notice The holder of one key (walks segments from index 0).
    /// @dev O(number of segments before the index): for off-chain callers. Reverts
    /// KeyLedgerBatchNotFound, KeyLedgerInvalidRange.
    /// @param batchId The batch.
    /// @param index The key index.
    /// @return The holder.
    function holderOf(bytes32 batchId, uint64 index) external view returns (address);

    /// @notice Everything about one key in one call; `hint` as for transfers (0 always works).
    /// @dev Reverts KeyLedgerBatchNotFound, KeyLedgerInvalidRange, KeyLedgerBadHint.
    /// @param batchId The batch.
    /// @param index The key index.
    /// @param hint Any segment start <= index.
    /// @return The key's status.
    function keyStatus(bytes32 batchId, uint64 index, uint64 hint) external view returns (KeyStatus memory);

    /// @notice Whether one key was redeemed.
    /// @param batchId The batch.
    /// @param index The key index.
    /// @return Whether redeemed.
    function isRedeemed(bytes32 batchId, uint64 index) external view returns (bool);
}
