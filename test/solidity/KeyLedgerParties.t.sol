// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {KeyLedgerFixture} from "./utils/KeyLedgerFixture.sol";
import {KeyLedger} from "../../contracts/KeyLedger.sol";
import {IKeyLedger} from "../../contracts/interfaces/IKeyLedger.sol";
import {IAccessControl} from "@openzeppelin/contracts/access/IAccessControl.sol";

/// @notice Roles, parties, authorisations and redeemers.
contract KeyLedgerPartiesTest is KeyLedgerFixture {
    address internal constant NEWCOMER = address(0xF001);

    // ------------------------------------------------------------ roles

    function test_constructor_grantsAdminAndRegistrar() public view {
        assertTrue(ledger.hasRole(ledger.DEFAULT_ADMIN_ROLE(), address(this)), "admin role");
        assertTrue(ledger.hasRole(ledger.REGISTRAR_ROLE(), address(this)), "registrar role");
        assertEq(ledger.REGISTRAR_ROLE(), keccak256("REGISTRAR_ROLE"), "registrar constant");
        assertEq(ledger.REGULATOR_ROLE(), keccak256("REGULATOR_ROLE"), "regulator constant");
        assertTrue(ledger.hasRole(ledger.REGULATOR_ROLE(), REGULATOR), "regulator granted");
    }

    function test_constructor_rejectsZeroAdmin() public {
        vm.expectRevert(abi.encodeWithSelector(IKeyLedger.KeyLedgerZeroAddress.selector));
        new KeyLedger(address(0));
    }

    function test_register_onlyRegistrar() public {
        vm.expectRevert(
            abi.encodeWithSelector(
                IAccessControl.AccessControlUnauthorizedAccount.selector, STRANGER, ledger.REGISTRAR_ROLE()
            )
        );
        vm.prank(STRANGER);
        ledger.registerParty(NEWCOMER, IKeyLedger.PartyKind.Retailer, bytes32(0), "", 0);
    }

    function test_register_regulatorIsNotRegistrar() public {
        vm.expectRevert(
            abi.encodeWithSelector(
                IAccessControl.AccessControlUnauthorizedAccount.selector, REGULATOR, ledger.REGISTRAR_ROLE()
            )
        );
        vm.prank(REGULATOR);
        ledger.registerParty(NEWCOMER, IKeyLedger.PartyKind.Retailer, bytes32(0), "", 0);
    }

    // ------------------------------------------------------------ register / update

    function test_register_storesAndEmits() public {
        vm.expectEmit(true, true, true, true, address(ledger));
        emit IKeyLedger.PartyRegistered(
            NEWCOMER, IKeyLedger.PartyKind.Retailer, bytes32(uint256(7)), "ipfs://p", FAR, address(this)
        );
        ledger.registerParty(NEWCOMER, IKeyLedger.PartyKind.Retailer, bytes32(uint256(7)), "ipfs://p", FAR);
        (IKeyLedger.PartyKind kind, bool suspended, uint64 until, bytes32 profile) = ledger.partyOf(NEWCOMER);
        assertEq(uint256(kind), uint256(IKeyLedger.PartyKind.Retailer), "kind");
        assertEq(suspended, false, "suspended");
        assertEq(until, FAR, "accreditedUntil");
        assertEq(profile, bytes32(uint256(7)), "profile");
        assertTrue(ledger.isActive(NEWCOMER), "active");
    }

    function test_register_rejectsTwice() public {
        vm.expectRevert(abi.encodeWithSelector(IKeyLedger.KeyLedgerPartyAlreadyRegistered.selector, DIST));
        ledger.registerParty(DIST, IKeyLedger.PartyKind.Retailer, bytes32(0), "", 0);
    }

    function test_register_rejectsKindNone() public {
        vm.expectRevert(
            abi.encodeWithSelector(IKeyLedger.KeyLedgerInvalidKind.selector, NEWCOMER, IKeyLedger.PartyKind.None)
        );
        ledger.registerParty(NEWCOMER, IKeyLedger.PartyKind.None, bytes32(0), "", 0);
    }

    function test_register_rejectsZeroAddress() public {
        vm.expectRevert(abi.encodeWithSelector(IKeyLedger.KeyLedgerZeroAddress.selector));
        ledger.registerParty(address(0), IKeyLedger.PartyKind.Retailer, bytes32(0), "", 0);
    }

    function test_update_changesProfileAndAccreditation() public {
        vm.expectEmit(true, true, true, true, address(ledger));
        emit IKeyLedger.PartyUpdated(DIST, bytes32(uint256(9)), "ipfs://new", uint64(T0 + 10), address(this));
        ledger.updateParty(DIST, bytes32(uint256(9)), "ipfs://new", uint64(T0 + 10));
        (IKeyLedger.PartyKind kind,, uint64 until, bytes32 profile) = ledger.partyOf(DIST);
        assertEq(uint256(kind), uint256(IKeyLedger.PartyKind.Distributor), "kind unchanged");
        assertEq(until, T0 + 10, "until");
        assertEq(profile, bytes32(uint256(9)), "profile");
    }

    function test_update_rejectsUnregistered() public {
        vm.expectRevert(abi.encodeWithSelector(IKeyLedger.KeyLedgerPartyNotRegistered.selector, NEWCOMER));
        ledger.updateParty(NEWCOMER, bytes32(0), "", 0);
    }

    function test_update_onlyRegistrar() public {
        vm.expectRevert(
            abi.encodeWithSelector(
                IAccessControl.AccessControlUnauthorizedAccount.selector, REGULATOR, ledger.REGISTRAR_ROLE()
            )
        );
        vm.prank(REGULATOR);
        ledger.updateParty(DIST, bytes32(0), "", 0);
    }

    // ------------------------------------------------------------ accreditation expiry

    function test_accreditation_expiresAfterUntil_zeroMeansNever() public {
        assertTrue(ledger.isActive(DIST), "active before");
        vm.warp(FAR);
        assertTrue(ledger.isActive(DIST), "active at the expiry second");
        vm.warp(uint256(FAR) + 1);
        assertTrue(!ledger.isActive(DIST), "inactive after expiry");
        assertTrue(ledger.isActive(RETAIL), "0 = never expires");
        assertTrue(!ledger.isActive(STRANGER), "unregistered is not active");
    }

    // ------------------------------------------------------------ suspend / reinstate

    function test_suspend_byRegistrarAndReinstateByRegulator() public {
        vm.expectEmit(true, true, true, true, address(ledger));
        emit IKeyLedger.PartySuspended(DIST, keccak256("fraud"), address(this));
        ledger.suspendParty(DIST, keccak256("fraud"));
        (, bool suspended,,) = ledger.partyOf(DIST);
        assertTrue(suspended, "suspended");
        assertTrue(!ledger.isActive(DIST), "not active");

        vm.expectEmit(true, true, true, true, address(ledger));
        emit IKeyLedger.PartyReinstated(DIST, REGULATOR);
        vm.prank(REGULATOR);
        ledger.reinstateParty(DIST);
        assertTrue(ledger.isActive(DIST), "active again");
    }

    function test_suspend_byRegulator() public {
        vm.prank(REGULATOR);
        ledger.suspendParty(SUPPLIER, bytes32(0));
        assertTrue(!ledger.isActive(SUPPLIER), "suspended by regulator");
    }

    function test_suspend_rejectsStranger() public {
        vm.expectRevert(
            abi.encodeWithSelector(
                IAccessControl.AccessControlUnauthorizedAccount.selector, STRANGER, ledger.REGISTRAR_ROLE()
            )
        );
        vm.prank(STRANGER);
        ledger.suspendParty(DIST, bytes32(0));
    }

    function test_reinstateParty_rejectsStranger() public {
        ledger.suspendParty(DIST, bytes32(0));
        vm.expectRevert(
            abi.encodeWithSelector(
                IAccessControl.AccessControlUnauthorizedAccount.selector, SUPPLIER, ledger.REGISTRAR_ROLE()
            )
        );
        vm.prank(SUPPLIER);
        ledger.reinstateParty(DIST);
    }

    function test_suspend_rejectsTwiceAndUnregistered() public {
        ledger.suspendParty(DIST, bytes32(0));
        vm.expectRevert(abi.encodeWithSelector(IKeyLedger.KeyLedgerPartySuspended.selector, DIST));
        ledger.suspendParty(DIST, bytes32(0));
        vm.expectRevert(abi.encodeWithSelector(IKeyLedger.KeyLedgerPartyNotRegistered.selector, NEWCOMER));
        ledger.suspendParty(NEWCOMER, bytes32(0));
    }

    function test_reinstate_rejectsNotSuspended() public {
        vm.expectRevert(abi.encodeWithSelector(IKeyLedger.KeyLedgerPartyNotSuspended.selector, DIST));
        ledger.reinstateParty(DIST);
    }

    // ------------------------------------------------------------ authorisations

    function test_authorize_storesAndEmits() public {
        vm.expectEmit(true, true, true, true, address(ledger));
        emit IKeyLedger.DistributorAuthorized(SUPPLIER, DIST, 2, FAR, keccak256("cert"));
        vm.prank(SUPPLIER);
        ledger.authorize(DIST, 2, FAR, keccak256("cert"));
        (uint8 tier, uint64 exp, bytes32 cert, bool valid) = ledger.authorizationOf(SUPPLIER, DIST);
        assertEq(tier, 2, "tier");
        assertEq(exp, FAR, "expiry");
        assertEq(cert, keccak256("cert"), "certificate");
        assertTrue(valid, "valid");
        vm.warp(uint256(FAR) + 1);
        (,,, valid) = ledger.authorizationOf(SUPPLIER, DIST);
        assertTrue(!valid, "expired authorisation is not valid");
    }

    function test_authorize_reauthorizeOverwrites() public {
        vm.startPrank(SUPPLIER);
        ledger.authorize(DIST, 1, FAR, keccak256("a"));
        ledger.authorize(DIST, 3, 0, keccak256("b"));
        vm.stopPrank();
        (uint8 tier, uint64 exp, bytes32 cert, bool valid) = ledger.authorizationOf(SUPPLIER, DIST);
        assertEq(tier, 3, "tier");
        assertEq(exp, 0, "no expiry");
        assertEq(cert, keccak256("b"), "cert");
        assertTrue(valid, "0 = never expires");
    }

    function test_authorize_rejectsNonSupplier() public {
        vm.expectRevert(abi.encodeWithSelector(IKeyLedger.KeyLedgerNotSupplier.selector, DIST));
        vm.prank(DIST);
        ledger.authorize(DIST2, 1, FAR, bytes32(0));
    }

    function test_authorize_rejectsSuspendedOrExpiredSupplier() public {
        ledger.suspendParty(SUPPLIER, bytes32(0));
        vm.expectRevert(abi.encodeWithSelector(IKeyLedger.KeyLedgerPartySuspended.selector, SUPPLIER));
        vm.prank(SUPPLIER);
        ledger.authorize(DIST, 1, 0, bytes32(0));
        ledger.reinstateParty(SUPPLIER);
        vm.warp(uint256(FAR) + 1);
        vm.expectRevert(abi.encodeWithSelector(IKeyLedger.KeyLedgerAccreditationExpired.selector, SUPPLIER, FAR));
        vm.prank(SUPPLIER);
        ledger.authorize(DIST, 1, 0, bytes32(0));
    }

    function test_authorize_rejectsUnregisteredDistributor() public {
        vm.expectRevert(abi.encodeWithSelector(IKeyLedger.KeyLedgerPartyNotRegistered.selector, NEWCOMER));
        vm.prank(SUPPLIER);
        ledger.authorize(NEWCOMER, 1, FAR, bytes32(0));
    }

    function test_authorize_rejectsTierZeroAndPastExpiry() public {
        vm.startPrank(SUPPLIER);
        vm.expectRevert(abi.encodeWithSelector(IKeyLedger.KeyLedgerInvalidAuthorization.selector, DIST, 0, FAR));
        ledger.authorize(DIST, 0, FAR, bytes32(0));
        uint64 past = uint64(T0 - 1);
        vm.expectRevert(abi.encodeWithSelector(IKeyLedger.KeyLedgerInvalidAuthorization.selector, DIST, 1, past));
        ledger.authorize(DIST, 1, past, bytes32(0));
        vm.stopPrank();
    }

    function test_deauthorize_removesAndEmits() public {
        vm.startPrank(SUPPLIER);
        ledger.authorize(DIST, 1, FAR, bytes32(0));
        vm.expectEmit(true, true, true, true, address(ledger));
        emit IKeyLedger.DistributorDeauthorized(SUPPLIER, DIST);
        ledger.deauthorize(DIST);
        vm.stopPrank();
        (uint8 tier,,, bool valid) = ledger.authorizationOf(SUPPLIER, DIST);
        assertEq(tier, 0, "tier cleared");
        assertTrue(!valid, "not valid");
    }

    function test_deauthorize_rejectsUnknown() public {
        vm.expectRevert(abi.encodeWithSelector(IKeyLedger.KeyLedgerNotAuthorized.selector, SUPPLIER, DIST));
        vm.prank(SUPPLIER);
        ledger.deauthorize(DIST);
    }

    // ------------------------------------------------------------ redeemers

    function test_setRedeemer_allowAndDisallow() public {
        vm.expectEmit(true, true, true, true, address(ledger));
        emit IKeyLedger.RedeemerSet(SUPPLIER, REDEEMER, true);
        vm.prank(SUPPLIER);
        ledger.setRedeemer(REDEEMER, true);
        assertTrue(ledger.isRedeemer(SUPPLIER, REDEEMER), "allowed");
        assertTrue(!ledger.isRedeemer(SUPPLIER2, REDEEMER), "per supplier");
        vm.prank(SUPPLIER);
        ledger.setRedeemer(REDEEMER, false);
        assertTrue(!ledger.isRedeemer(SUPPLIER, REDEEMER), "disallowed");
    }

    function test_setRedeemer_rejectsNonSupplierAndZero() public {
        vm.expectRevert(abi.encodeWithSelector(IKeyLedger.KeyLedgerNotSupplier.selector, DIST));
        vm.prank(DIST);
        ledger.setRedeemer(REDEEMER, true);
        vm.expectRevert(abi.encodeWithSelector(IKeyLedger.KeyLedgerNotSupplier.selector, DIST));
        vm.prank(DIST);
        ledger.setRedeemer(REDEEMER, false);
        vm.expectRevert(abi.encodeWithSelector(IKeyLedger.KeyLedgerZeroAddress.selector));
        vm.prank(SUPPLIER);
        ledger.setRedeemer(address(0), true);
    }

    function test_setRedeemer_suspendedSupplierCanOnlyDisallow() public {
        vm.prank(SUPPLIER);
        ledger.setRedeemer(REDEEMER, true);
        ledger.suspendParty(SUPPLIER, bytes32(0));
        vm.expectRevert(abi.encodeWithSelector(IKeyLedger.KeyLedgerPartySuspended.selector, SUPPLIER));
        vm.prank(SUPPLIER);
        ledger.setRedeemer(DIST, true);
        vm.prank(SUPPLIER);
        ledger.setRedeemer(REDEEMER, false);
        assertTrue(!ledger.isRedeemer(SUPPLIER, REDEEMER), "withdrawn while suspended");
    }
}
