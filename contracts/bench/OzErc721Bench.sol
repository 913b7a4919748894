// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {ERC721} from "@openzeppelin/contracts/token/ERC721/ERC721.sol";

/// @title OzErc721Bench
/// @notice Gas anchor only: OpenZeppelin ERC721 minting `n` tokens one by one (one owner slot and
/// one balance update per token), to compare with anchoring a batch of `n` keys.
contract OzErc721Bench is ERC721 {
    uint256 private _next;

    constructor() ERC721("KeyTrail OZ bench", "KTOZ") {}

    /// @notice Mints `n` consecutive token ids to `to`.
    function mint(address to, uint256 n) external {
        uint256 id = _next;
        for (uint256 i; i < n; ++i) {
            _mint(to, id + i);
        }
        _next = id + n;
    }
}
