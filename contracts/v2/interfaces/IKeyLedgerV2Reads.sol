// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {IKeyLedgerV2} from "./IKeyLedgerV2.sol";

/// @title IKeyLedgerV2Reads
/// @notice Party, authorisation and redeemer reads of KeyLedgerV2, served by its module (the contract that
/// also holds the sale functions) through the ledger's fallback, at the ledger's address. They moved out
/// of the ledger to keep it under EIP-170's 24,576 bytes; `keyStatus`, `batchOf`, `holderOf`,
/// `segmentOf`, `freezeOf` and `isRedeemed` stay in the ledger. Merged into the ledger's ABI
/// (`lib/abi/keyLedgerV2Abi.ts`), so callers see one contract.
interface IKeyLedgerV2Reads {
    /// @notice keccak256(abi.encode(supplier, label)).
    function batchIdOf(address supplier, string calldata label) external pure returns (bytes32);
    /// @notice A party's registration (kind None when not registered).
    function partyOf(address party)
        external
        view
        returns (
            IKeyLedgerV2.PartyKind kind,
            uint32 id,
            bool suspended,
            bool suspendedByRegulator,
            uint64 accreditedUntil,
            bytes32 profileHash
        );
    /// @notice The account holding party id `id` now (zero when unknown).
    function accountOf(uint32 id) external view returns (address);
    /// @notice The pending re-key of `oldAccount` (zero addresses when none).
    function pendingRekeyOf(address oldAccount) external view returns (address newAccount, address proposer);
    /// @notice Registered, not suspended, accredited now.
    function isActive(address party) external view returns (bool);
    /// @notice An authorisation; `valid` when it exists and has not expired.
    function authorizationOf(address supplier, address distributor)
        external
        view
        returns (uint8 tier, uint64 expiresAt, bytes32 certificateHash, bool valid);
    /// @notice Whether `redeemer` is delegated by `supplier` (it redeems only while the supplier is not
    /// suspended).
    function isRedeemer(address supplier, address redeemer) external view returns (bool);
}
