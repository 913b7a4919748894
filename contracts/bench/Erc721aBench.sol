// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {ERC721A} from "erc721a/contracts/ERC721A.sol";

/// @title Erc721aBench
/// @notice Gas anchor only: ERC721A batch minting (one ownership slot per mint call), the usual
/// reference for cheap bulk minting, to compare with anchoring a batch of `n` keys.
contract Erc721aBench is ERC721A {
    constructor() ERC721A("KeyTrail ERC721A bench", "KT721A") {}

    /// @notice Mints `n` consecutive token ids to `to`.
    function mint(address to, uint256 n) external {
        _mint(to, n);
    }
}
