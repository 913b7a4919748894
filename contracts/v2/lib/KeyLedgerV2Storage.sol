// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {IKeyLedgerV2} from "../interfaces/IKeyLedgerV2.sol";

/// @title KeyLedgerV2Storage
/// @notice The ledger's state, in one ERC-7201 namespace shared by KeyLedgerV2 and the sale module it
/// delegates to (OpenZeppelin's role storage stays at the contract's own slots 0..n).
/// @custom:storage-location erc7201:keytrail.storage.KeyLedgerV2
library KeyLedgerV2Storage {
    /// @dev keccak256(abi.encode(uint256(keccak256("keytrail.storage.KeyLedgerV2")) - 1)) & ~bytes32(uint256(0xff))
    bytes32 internal constant SLOT = 0xd307b8102125bb4477800aee96440b5a44111823732eb90f83e49bab70977400;

    /// @dev Batch flags.
    uint8 internal constant FLAG_RESTRICTED = 1;
    uint8 internal constant FLAG_SALE_REQUIRED = 2;
    /// @dev The regulator / supplier freeze layer was written at least once (else lookups are skipped).
    uint8 internal constant FLAG_REG_LAYER = 4;
    uint8 internal constant FLAG_SUP_LAYER = 8;
    /// @dev A key of the batch was sold at least once.
    uint8 internal constant FLAG_SOLD = 16;
    /// @dev Custody leaf 0 may hold boundaries 1..7 (else lookups skip reading it).
    uint8 internal constant FLAG_LEAF0 = 32;

    /// @dev Slot 1: kind (8) + suspended (8) + byRegulator (8) + accreditedUntil (64) + id (24) = 112 bits;
    /// slot 2: profileHash.
    struct Party {
        IKeyLedgerV2.PartyKind kind;
        bool suspended;
        bool byRegulator;
        uint64 accreditedUntil;
        uint24 id;
        bytes32 profileHash;
    }

    /// @dev One slot, keyed by party id: the current account (160) + a copy of `suspended` (8), so that
    /// redemption checks the supplier and its suspension with one read.
    struct PartyRef {
        address account;
        bool suspended;
    }

    /// @dev Slot 1: tier (8) + expiresAt (64); slot 2: certificateHash.
    struct Authorization {
        uint8 tier;
        uint64 expiresAt;
        bytes32 certificateHash;
    }

    /// @dev Slot 1: root. Slot 2 (208 bits): supplierId (24) + count (48) + expiresAt (40) + flags (8)
    /// + holder0 (24: custody value of index 0) + regFreeze0 (8) + supFreeze0 (8) (freeze layers at index 0)
    /// + sale0 (24: sale map at index 0) + saleCount (24: sales numbered 1.. per batch).
    struct Batch {
        bytes32 root;
        uint24 supplierId;
        uint48 count;
        uint40 expiresAt;
        uint8 flags;
        uint24 holder0;
        uint8 regFreeze0;
        uint8 supFreeze0;
        uint24 sale0;
        uint24 saleCount;
    }

    /// @dev One slot: the proposer of a re-key and, in a second slot, the new account.
    struct Rekey {
        address newAccount;
        address proposer;
    }

    /// @dev One slot: the first 24 bytes of the Merkle root of the sale's items (batchId, index,
    /// commitment, orderRef), low 192 bits; sellerId (24); soldAt (40). The full root is in KeysSold;
    /// 192 bits keep a second preimage at 2^192 and a collision chosen by the seller at 2^96 work, and
    /// save every sale call a fresh slot (22,100 gas). The item count is in KeysSold only.
    struct Sale {
        bytes24 root;
        uint24 sellerId;
        uint40 soldAt;
    }

    struct Layout {
        uint24 partyCount;
        mapping(address account => Party) parties;
        mapping(uint256 id => PartyRef) byId;
        mapping(uint256 supplierId => mapping(uint256 partyId => Authorization)) auths;
        mapping(uint256 supplierId => mapping(address redeemer => bool)) redeemers;
        mapping(address oldAccount => Rekey) rekeys;
        mapping(bytes32 batchId => Batch) batches;
        /// @dev RangeMap: party id holding each index.
        mapping(bytes32 batchId => mapping(uint256 key => uint256)) custody;
        /// @dev RangeMaps: freeze reason per index, regulator layer and supplier layer.
        mapping(bytes32 batchId => mapping(uint256 key => uint256)) regFreeze;
        mapping(bytes32 batchId => mapping(uint256 key => uint256)) supFreeze;
        /// @dev Redeemed bits, 256 keys per word.
        mapping(bytes32 batchId => mapping(uint256 wordIndex => uint256)) redeemed;
        /// @dev RangeMap: (saleNo << 1 | refunded) per index; 0 = never sold.
        mapping(bytes32 batchId => mapping(uint256 key => uint256)) sales;
        mapping(bytes32 batchId => mapping(uint256 saleNo => Sale)) saleRecords;
    }

    function layout() internal pure returns (Layout storage l) {
        assembly ("memory-safe") {
            l.slot := SLOT
        }
    }
}
