// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

/// @title IKeyLedgerV2Sales
/// @notice Sales to end buyers, recorded by the current holder: call these at the KeyLedgerV2 address
/// (it delegates them to its sale module). Each key sold carries a buyer-receipt commitment (hash of a
/// random secret that only the buyer's link carries) and an order-reference hash.
/// @dev One sale = one group of one call: its items are hashed into a Merkle tree (sorted pairs,
/// leaves double-hashed as in OpenZeppelin's StandardMerkleTree) whose root (its first 24 bytes) is stored
/// with the seller and time in one slot; each key points to its sale through a range map (consecutive keys of a sale share one entry).
/// A key appears at most once in a sale, so at most one (commitment, orderRef) verifies for it, and a
/// refund marks the key's pointer refunded: the receipt of a refunded sale never verifies again.
interface IKeyLedgerV2Sales {
    /// @notice Where and for how much (in the currency's minor unit) the call's keys were sold.
    struct SaleContext {
        bytes32 store;
        bytes32 terminal;
        uint128 amount;
        bytes3 currency;
    }

    /// @notice Keys of one batch sold in one call: strictly increasing indices, one commitment and one
    /// order reference per key.
    struct SaleGroup {
        bytes32 batchId;
        uint64[] indices;
        bytes32[] commitments;
        bytes32[] orderRefs;
    }

    /// @notice The keys of one group were sold by `seller` as sale `saleNo` of the batch.
    event KeysSold(
        bytes32 indexed batchId,
        address indexed seller,
        uint32 indexed saleNo,
        bytes32 root,
        uint64 soldAt,
        SaleContext context,
        uint64[] indices,
        bytes32[] commitments,
        bytes32[] orderRefs
    );
    /// @notice The sale of key `index` was reversed by its seller; the key is frozen (Refunded, supplier
    /// layer) until its supplier or a regulator reinstates it.
    event SaleRefunded(
        bytes32 indexed batchId, address indexed seller, uint32 indexed saleNo, uint64 index, bytes32 orderRef
    );

    /// @notice A group has no keys, or its arrays differ in length.
    error KeyLedgerSaleLengths(bytes32 batchId, uint256 indices, uint256 commitments, uint256 orderRefs);
    /// @notice Indices of a group must be strictly increasing (so no key is listed twice).
    error KeyLedgerSaleOrder(bytes32 batchId, uint64 previous, uint64 index);
    /// @notice The receipt commitment of key `index` is zero.
    error KeyLedgerZeroCommitment(bytes32 batchId, uint64 index);
    /// @notice Key `index` is already sold (sale `saleNo`, not refunded).
    error KeyLedgerAlreadySold(bytes32 batchId, uint64 index, uint32 saleNo);
    /// @notice Key `index` was redeemed.
    error KeyLedgerKeyRedeemed(bytes32 batchId, uint64 index);
    /// @notice Restricted batch: only the supplier or a party it authorised sells.
    error KeyLedgerSellerNotAuthorized(bytes32 batchId, address supplier, address seller);
    /// @notice Key `index` has no live sale (never sold, or refunded).
    error KeyLedgerNoSale(bytes32 batchId, uint64 index);
    /// @notice Only the seller of the key's sale can refund it.
    error KeyLedgerNotSeller(bytes32 batchId, uint64 index, address account);
    /// @notice The commitment / order reference / proof do not match the key's sale.
    error KeyLedgerBadReceipt(bytes32 batchId, uint64 index, bytes32 orderRef);
    /// @notice The batch used all 2^23 - 1 sale numbers.
    error KeyLedgerSaleNumbersExhausted(bytes32 batchId);
    /// @notice The sale module only runs through the ledger (delegatecall).
    error KeyLedgerOnlyDelegated(address module);

    /// @notice Records sales by the caller, the current holder of every key listed: not suspended,
    /// and for restricted batches the supplier or a party it authorised (valid now). Every key: held by
    /// the caller, not frozen (either layer), not redeemed, not sold (a refunded key sells again once
    /// reinstated). Emits KeysSold per group.
    /// @param groups Keys per batch.
    /// @param context Store, terminal, amount and currency of the call.
    function sell(SaleGroup[] calldata groups, SaleContext calldata context) external;

    /// @notice Reverses the sale of one key, by its seller, before redemption. The key is then frozen
    /// (Refunded) on the supplier layer. Emits SaleRefunded and KeysRevoked.
    /// @param batchId The batch.
    /// @param index The key.
    /// @param commitment Its receipt commitment.
    /// @param orderRef Its order reference.
    /// @param proof Merkle proof of the sale's item.
    function refund(bytes32 batchId, uint64 index, bytes32 commitment, bytes32 orderRef, bytes32[] calldata proof)
        external;

    /// @notice The key's current sale pointer and its sale record.
    /// @return sold A live sale (not refunded).
    /// @return refunded The last sale was refunded.
    /// @return saleNo Sale number in the batch (0 = never sold).
    /// @return seller The seller's current
    /// account.
    /// @return soldAt Block time of the sale.
    /// @return root The first 24 bytes of the Merkle root of the sale's items (the full root and the
    /// items are in the sale's KeysSold event).
    function saleOf(bytes32 batchId, uint64 index)
        external
        view
        returns (
            bool sold,
            bool refunded,
            uint32 saleNo,
            address seller,
            uint64 soldAt,
            bytes24 root
        );

    /// @notice Whether (commitment, orderRef) is THE receipt of the key's live sale; the proof is the
    /// item's Merkle proof in its sale (from the KeysSold event). At most one receipt per key verifies.
    function verifyReceipt(
        bytes32 batchId,
        uint64 index,
        bytes32 commitment,
        bytes32 orderRef,
        bytes32[] calldata proof
    ) external view returns (bool);

    /// @notice The Merkle leaf of one sale item:
    /// keccak256(bytes.concat(keccak256(abi.encode(batchId, index, commitment, orderRef)))).
    function saleLeaf(bytes32 batchId, uint64 index, bytes32 commitment, bytes32 orderRef)
        external
        pure
        returns (bytes32);
}
