// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

/// @title IKeyLedgerV2
/// @notice KeyLedger v2: parties with numeric ids (re-keyable), Merkle-rooted batches, custody of index
/// ranges with bounded lookups, a two-layer freeze overlay (regulator / supplier) kept apart from custody,
/// and redemption. Sales live in a module behind the same address (see IKeyLedgerV2Sales).
/// @dev Ranges are half-open `[start, end)`. No call takes a hint: every lookup reads O(levels) slots
/// (levels = 1 up to 2,048 keys, 3 for 1M keys, 6 for 2^48 - 1), whatever the fragmentation. Design,
/// storage layout, worst cases and threat table: docs/LEDGER-V2.md.
interface IKeyLedgerV2 {
    // ---------------------------------------------------------------- types

    /// @notice What a registered party is. `None` means not registered.
    enum PartyKind {
        None,
        Supplier,
        Distributor,
        Retailer
    }

    /// @notice Why keys are frozen. `None` means not frozen; `Refunded` is set by a sale refund only.
    enum RevocationReason {
        None,
        Stolen,
        Chargeback,
        UnauthorisedChannel,
        IssuerError,
        Other,
        Refunded
    }

    /// @notice Parameters of {anchorBatch}; as in v1, plus `saleRequired`.
    /// @param label Supplier-chosen label; batchId = keccak256(abi.encode(supplier, label)).
    /// @param root Merkle root of the keys (not zero).
    /// @param count Number of keys, 1 <= count < 2^48.
    /// @param productId GTIN (left-padded) or SKU id hash.
    /// @param faceValue Face value in the currency's minor unit.
    /// @param currency ISO 4217 code, three ASCII bytes.
    /// @param expiresAt Key expiry, Unix seconds (0 = never), < 2^40.
    /// @param restricted Keys move (and are sold) only by/to parties the supplier authorised.
    /// @param saleRequired A key must have been sold (sale not refunded) before it can be redeemed.
    /// @param manifestHash keccak256 of the public manifest.
    /// @param manifestURI Where the manifest is published.
    struct AnchorParams {
        string label;
        bytes32 root;
        uint64 count;
        bytes32 productId;
        uint128 faceValue;
        bytes3 currency;
        uint64 expiresAt;
        bool restricted;
        bool saleRequired;
        bytes32 manifestHash;
        string manifestURI;
    }

    /// @notice One range of {transferMany}.
    struct RangeTransfer {
        bytes32 batchId;
        uint64 start;
        uint64 end;
        address to;
    }

    /// @notice Up to 256 keys: bit i of `mask` is index wordIndex * 256 + i.
    struct RedeemWord {
        bytes32 batchId;
        uint64 wordIndex;
        uint256 mask;
    }

    /// @notice Everything a verifier needs about one key, in one call.
    /// @param frozenReason The regulator's reason when the regulator froze the key, else the supplier's.
    /// @param frozenByRegulator Whether a regulator's freeze is on the key (only a regulator lifts it).
    /// @param supplierReason The supplier-layer reason (a supplier's freeze or a refund), None when none.
    /// @param issuerSuspended Whether the batch's supplier is suspended now.
    /// @param saleNo Sale number within the batch (0 = never sold); see IKeyLedgerV2Sales.saleOf.
    /// @param sold Sold and not refunded.
    /// @param refunded The last sale of the key was refunded.
    struct KeyStatus {
        bytes32 root;
        address supplier;
        uint64 count;
        uint64 expiresAt;
        bool restricted;
        bool saleRequired;
        bool issuerSuspended;
        address holder;
        uint64 segmentStart;
        uint64 segmentEnd;
        RevocationReason frozenReason;
        bool frozenByRegulator;
        RevocationReason supplierReason;
        bool redeemed;
        uint32 saleNo;
        bool sold;
        bool refunded;
    }

    // ---------------------------------------------------------------- events

    /// @notice A party was registered with numeric id `id` (custody, authorisations and batches use ids).
    event PartyRegistered(
        address indexed party,
        uint32 id,
        PartyKind kind,
        bytes32 profileHash,
        string profileURI,
        uint64 accreditedUntil,
        address indexed registrar
    );
    /// @notice A party's profile or accreditation changed.
    event PartyUpdated(
        address indexed party, bytes32 profileHash, string profileURI, uint64 accreditedUntil, address indexed registrar
    );
    /// @notice A party was suspended; `byRegulator` says whether only a regulator may lift it.
    event PartySuspended(address indexed party, bytes32 reasonHash, address indexed by, bool byRegulator);
    /// @notice A suspension was lifted.
    event PartyReinstated(address indexed party, address indexed by);
    /// @notice A registrar proposed moving the party `oldAccount` (its id, custody, batches,
    /// authorisations, redeemers) to `newAccount`; a regulator other than the proposer confirms.
    event RekeyProposed(address indexed oldAccount, address indexed newAccount, address indexed proposer);
    /// @notice The party with id `id` moved from `oldAccount` to `newAccount`; batch ids are unchanged.
    event PartyRekeyed(
        address indexed oldAccount, address indexed newAccount, uint32 id, address proposer, address indexed confirmer
    );
    /// @notice A supplier authorised (or re-authorised) a party.
    event DistributorAuthorized(
        address indexed supplier, address indexed distributor, uint8 tier, uint64 expiresAt, bytes32 certificateHash
    );
    /// @notice A supplier withdrew an authorisation.
    event DistributorDeauthorized(address indexed supplier, address indexed distributor);
    /// @notice A supplier allowed or disallowed an account to redeem its keys.
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
        bool saleRequired,
        bytes32 manifestHash,
        string manifestURI
    );
    /// @notice Custody of [start, end) moved from `from` to `to`.
    event CustodyTransferred(
        bytes32 indexed batchId, address indexed from, address indexed to, uint64 start, uint64 end, bytes32 memo
    );
    /// @notice [start, end) was frozen with `reason` on the regulator layer (`byRegulator`) or the
    /// supplier layer; the layer's earlier reasons in the range are replaced.
    event KeysRevoked(
        bytes32 indexed batchId, address indexed by, uint64 start, uint64 end, RevocationReason reason, bool byRegulator
    );
    /// @notice [start, end) was unfrozen: the supplier layer, and the regulator layer too when `byRegulator`.
    event KeysReinstated(bytes32 indexed batchId, address indexed by, uint64 start, uint64 end, bool byRegulator);
    /// @notice The keys of `mask` in word `wordIndex` were redeemed by `by` (data, not a topic: 119 gas
    /// less a word; filter by batch).
    event KeysRedeemed(bytes32 indexed batchId, address by, uint64 wordIndex, uint256 mask);

    // ---------------------------------------------------------------- errors

    /// @notice The party is already registered.
    error KeyLedgerPartyAlreadyRegistered(address party);
    /// @notice The account is not a registered party.
    error KeyLedgerPartyNotRegistered(address account);
    /// @notice The party is suspended.
    error KeyLedgerPartySuspended(address party);
    /// @notice The party is not suspended.
    error KeyLedgerPartyNotSuspended(address party);
    /// @notice A regulator suspended the party: only a regulator lifts it.
    error KeyLedgerRegulatorSuspension(address party, address account);
    /// @notice The party's accreditation expired at `accreditedUntil`.
    error KeyLedgerAccreditationExpired(address party, uint64 accreditedUntil);
    /// @notice The party kind is not valid here.
    error KeyLedgerInvalidKind(address party, PartyKind kind);
    /// @notice Every party id (2^24 - 1) is taken.
    error KeyLedgerPartyIdsExhausted(uint256 nextId);
    /// @notice Only a registered supplier can do this.
    error KeyLedgerNotSupplier(address account);
    /// @notice The caller has neither role.
    error KeyLedgerNotRegistrarOrRegulator(address account, bytes32 registrarRole, bytes32 regulatorRole);
    /// @notice `parameter` is the zero address.
    error KeyLedgerZeroAddress(string parameter);
    /// @notice The root of batch `label` is zero.
    error KeyLedgerZeroRoot(bytes32 batchId, string label);
    /// @notice No re-key of `oldAccount` to `newAccount` is pending.
    error KeyLedgerNoPendingRekey(address oldAccount, address newAccount);
    /// @notice The proposer of a re-key cannot confirm it.
    error KeyLedgerRekeySameAccount(address oldAccount, address account);
    /// @notice A batch with this id already exists.
    error KeyLedgerBatchExists(bytes32 batchId, string label);
    /// @notice No batch with this id.
    error KeyLedgerBatchNotFound(bytes32 batchId);
    /// @notice The count is 0 or does not fit 48 bits.
    error KeyLedgerInvalidCount(uint64 count);
    /// @notice The expiry does not fit 40 bits.
    error KeyLedgerInvalidExpiry(uint64 expiresAt);
    /// @notice The range is empty or outside [0, count).
    error KeyLedgerInvalidRange(bytes32 batchId, uint64 start, uint64 end, uint64 count);
    /// @notice Part of [start, end) is not held by the caller; `holder` holds the first part that is not.
    error KeyLedgerRangeNotHeld(bytes32 batchId, uint64 start, uint64 end, address holder);
    /// @notice Part of [start, end) is frozen (`reason`, on the regulator layer when `byRegulator`).
    error KeyLedgerRangeFrozen(bytes32 batchId, uint64 start, uint64 end, RevocationReason reason, bool byRegulator);
    /// @notice Nothing in [start, end) is frozen on a layer the caller may lift.
    error KeyLedgerNotFrozen(bytes32 batchId, uint64 start, uint64 end);
    /// @notice A restricted batch's keys move only to parties its supplier authorised.
    error KeyLedgerRecipientNotAuthorized(bytes32 batchId, address supplier, address recipient);
    /// @notice Sender and recipient are the same.
    error KeyLedgerSelfTransfer(address account);
    /// @notice Only the batch's supplier or a regulator can do this.
    error KeyLedgerNotBatchAuthority(bytes32 batchId, address account);
    /// @notice Only the batch's supplier or a redeemer it delegated can redeem.
    error KeyLedgerNotRedeemer(bytes32 batchId, address account);
    /// @notice Some keys of the word were already redeemed (`already` = the overlapping bits).
    error KeyLedgerAlreadyRedeemed(bytes32 batchId, uint64 wordIndex, uint256 already);
    /// @notice The mask is zero or reaches past the batch's count.
    error KeyLedgerInvalidMask(bytes32 batchId, uint64 wordIndex, uint256 mask);
    /// @notice Key `index` of a sale-required batch is not sold (never sold, or refunded).
    error KeyLedgerNotSold(bytes32 batchId, uint64 index);
    /// @notice The revocation reason is None, Refunded or unknown.
    error KeyLedgerInvalidReason(uint8 reason);
    /// @notice The authorisation tier is 0 or its expiry is in the past.
    error KeyLedgerInvalidAuthorization(address distributor, uint8 tier, uint64 expiresAt);
    /// @notice The distributor is not authorised by this supplier.
    error KeyLedgerNotAuthorized(address supplier, address distributor);

    // ---------------------------------------------------------------- parties

    /// @notice Registers a party and gives it the next id. Registrar only.
    /// @dev Reverts KeyLedgerZeroAddress, KeyLedgerInvalidKind, KeyLedgerPartyAlreadyRegistered,
    /// KeyLedgerPartyIdsExhausted. Emits PartyRegistered.
    /// @param party The account.
    /// @param kind Supplier, Distributor or Retailer.
    /// @param profileHash Licence
    /// documents hash.
    /// @param profileURI Where the profile is published.
    /// @param accreditedUntil 0 = never.
    function registerParty(
        address party,
        PartyKind kind,
        bytes32 profileHash,
        string calldata profileURI,
        uint64 accreditedUntil
    ) external;

    /// @notice Updates a party's profile and accreditation. Registrar only. Emits PartyUpdated.
    /// @param party A registered party.
    /// @param profileHash New hash.
    /// @param profileURI New URI.
    /// @param accreditedUntil New expiry (0 = never).
    function updateParty(address party, bytes32 profileHash, string calldata profileURI, uint64 accreditedUntil)
        external;

    /// @notice Suspends a party. Registrar or regulator (KeyLedgerNotRegistrarOrRegulator); a
    /// regulator's suspension is marked so that only a regulator lifts it. Emits PartySuspended.
    /// @param party A registered, active party.
    /// @param reasonHash Hash of the published reason.
    function suspendParty(address party, bytes32 reasonHash) external;

    /// @notice Lifts a suspension: a regulator lifts any, a registrar only a registrar's
    /// (KeyLedgerRegulatorSuspension). Emits PartyReinstated.
    /// @param party A suspended party.
    function reinstateParty(address party) external;

    /// @notice Step 1 of a re-key, by a registrar: proposes moving `oldAccount`'s party (id, custody,
    /// batches, authorisations, redeemers) to the unregistered `newAccount`. Replaces an earlier proposal.
    /// @dev Reverts KeyLedgerZeroAddress, KeyLedgerPartyNotRegistered, KeyLedgerPartyAlreadyRegistered.
    /// Emits RekeyProposed.
    /// @param oldAccount A registered party.
    /// @param newAccount The new account.
    function proposeRekey(address oldAccount, address newAccount) external;

    /// @notice Step 2 of a re-key, by a regulator who is not the proposer. Emits PartyRekeyed.
    /// @dev Reverts KeyLedgerNoPendingRekey, KeyLedgerRekeySameAccount, KeyLedgerPartyAlreadyRegistered.
    /// @param oldAccount As proposed.
    /// @param newAccount As proposed.
    function confirmRekey(address oldAccount, address newAccount) external;

    // ---------------------------------------------------------------- authorisations

    /// @notice Authorises a registered party to carry (and sell) the caller's restricted keys. Active
    /// supplier only. Emits DistributorAuthorized.
    /// @param distributor A registered party.
    /// @param tier > 0.
    /// @param expiresAt 0 = never, else not past.
    /// @param certificateHash Certificate hash.
    function authorize(address distributor, uint8 tier, uint64 expiresAt, bytes32 certificateHash) external;

    /// @notice Withdraws an authorisation (allowed while suspended). Emits DistributorDeauthorized.
    /// @param distributor The authorised party.
    function deauthorize(address distributor) external;

    /// @notice Allows (active supplier) or disallows (any registered supplier, even suspended) a redeemer.
    /// A suspended supplier's redeemers cannot redeem until it is reinstated. Emits RedeemerSet.
    /// @param redeemer Any account.
    /// @param allowed Allow or withdraw.
    function setRedeemer(address redeemer, bool allowed) external;

    // ---------------------------------------------------------------- batches and custody

    /// @notice Anchors a batch; the caller (active supplier) holds [0, count). O(1) for any count.
    /// @dev Reverts KeyLedgerNotSupplier, KeyLedgerPartySuspended, KeyLedgerAccreditationExpired,
    /// KeyLedgerZeroRoot, KeyLedgerInvalidCount, KeyLedgerInvalidExpiry, KeyLedgerBatchExists.
    /// @param params See {AnchorParams}.
    /// @return batchId keccak256(abi.encode(msg.sender, label)).
    function anchorBatch(AnchorParams calldata params) external returns (bytes32 batchId);

    /// @notice Moves [start, end) from the caller to `to`; the range may span several of the caller's
    /// segments (they merge). Rules as in v1; no frozen key may be in the range (either layer).
    /// @param batchId The batch.
    /// @param start First index.
    /// @param end One past the last.
    /// @param to Active recipient (authorised for restricted batches, or the supplier).
    /// @param memo Free reference carried in the event.
    function transfer(bytes32 batchId, uint64 start, uint64 end, address to, bytes32 memo) external;

    /// @notice Several ranges in one call, in order, all or nothing; one memo.
    /// @param items The ranges.
    /// @param memo Carried in every event.
    function transferMany(RangeTransfer[] calldata items, bytes32 memo) external;

    /// @notice Freezes [start, end): a regulator on the regulator layer, the batch's supplier (even
    /// suspended) on the supplier layer. O(1) in custody fragmentation (see the doc for the bound).
    /// @param batchId The batch.
    /// @param start First index.
    /// @param end One past the last.
    /// @param reason Stolen .. Other (None and Refunded are rejected).
    function revoke(bytes32 batchId, uint64 start, uint64 end, RevocationReason reason) external;

    /// @notice Lifts freezes on [start, end): the supplier (not suspended) lifts the supplier layer only,
    /// a regulator lifts both layers. Reverts KeyLedgerNotFrozen when that would change nothing.
    /// @param batchId The batch.
    /// @param start First index.
    /// @param end One past the last.
    function reinstate(bytes32 batchId, uint64 start, uint64 end) external;

    /// @notice Redeems the keys of `mask` in one word; batch supplier or its redeemer, supplier not
    /// suspended; no key frozen, already redeemed, or (sale-required batch) unsold.
    /// @param batchId The batch.
    /// @param wordIndex Word (256 keys).
    /// @param mask Keys of the word.
    function redeem(bytes32 batchId, uint64 wordIndex, uint256 mask) external;

    /// @notice Redeems all 256 keys of one word: `redeem(batchId, wordIndex, type(uint256).max)` with the
    /// same rules and event, for the common case. The name's suffix is mined so that its selector
    /// (0x00004c5b) sorts first in the dispatch and carries two zero bytes of calldata.
    /// @param batchId The batch.
    /// @param wordIndex Word (256 keys); the whole word must lie inside the batch.
    function redeemWord_b24(bytes32 batchId, uint64 wordIndex) external;

    /// @notice Several words in one call, rules of {redeem}.
    /// @param words The words.
    function redeemMany(RedeemWord[] calldata words) external;

    // ---------------------------------------------------------------- views








    /// @notice A batch's record (zeros when unknown); `supplier` is the supplier's current account.
    function batchOf(bytes32 batchId)
        external
        view
        returns (bytes32 root, address supplier, uint64 count, uint64 expiresAt, bool restricted, bool saleRequired);

    /// @notice The custody segment holding `index`: [start, end) held by `holder`. Bounded gas.
    function segmentOf(bytes32 batchId, uint64 index) external view returns (uint64 start, uint64 end, address holder);

    /// @notice The holder of one key. Bounded gas.
    function holderOf(bytes32 batchId, uint64 index) external view returns (address);

    /// @notice Both freeze layers of one key.
    function freezeOf(bytes32 batchId, uint64 index)
        external
        view
        returns (RevocationReason regulatorReason, RevocationReason supplierReason);

    /// @notice Everything about one key. Bounded gas (see docs/LEDGER-V2.md for the worst case).
    function keyStatus(bytes32 batchId, uint64 index) external view returns (KeyStatus memory);

    /// @notice Whether one key was redeemed.
    function isRedeemed(bytes32 batchId, uint64 index) external view returns (bool);
}
