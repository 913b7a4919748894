// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {KeyLedgerV2Fixture} from "../utils/KeyLedgerV2Fixture.sol";
import {KeyLedgerV2Storage} from "../../../contracts/v2/lib/KeyLedgerV2Storage.sol";
import {KeyLedgerV2} from "../../../contracts/v2/KeyLedgerV2.sol";
import {KeyLedgerV2Sales} from "../../../contracts/v2/KeyLedgerV2Sales.sol";
import {IKeyLedgerV2} from "../../../contracts/v2/interfaces/IKeyLedgerV2.sol";
import {IAccessControlDefaultAdminRules} from
    "@openzeppelin/contracts/access/extensions/IAccessControlDefaultAdminRules.sol";
import {IAccessControl} from "@openzeppelin/contracts/access/IAccessControl.sol";

/// @notice Admin rules (two-step handover with a delay), roles, parties and their suspensions,
/// authorisations, redeemers, and re-keying.
contract KeyLedgerV2GovernanceTest is KeyLedgerV2Fixture {
    address internal constant NEW_ADMIN = address(0xAD01);
    address internal constant NEW_KEY = address(0x5101);

    // ------------------------------------------------------------ admin and roles

    function test_constructor_rolesAndZeroAddresses() public {
        assertEq(ledger.defaultAdmin(), address(this), "default admin");
        assertEq(uint256(ledger.defaultAdminDelay()), ADMIN_DELAY, "delay");
        assertTrue(ledger.hasRole(ledger.REGISTRAR_ROLE(), address(this)), "admin is a registrar");
        assertTrue(ledger.SALES() != address(0), "sale module");
        address module = address(new KeyLedgerV2Sales());
        vm.expectRevert(abi.encodeWithSelector(IKeyLedgerV2.KeyLedgerZeroAddress.selector, "admin"));
        new KeyLedgerV2(address(0), ADMIN_DELAY, module);
        vm.expectRevert(abi.encodeWithSelector(IKeyLedgerV2.KeyLedgerZeroAddress.selector, "sales"));
        new KeyLedgerV2(address(this), ADMIN_DELAY, address(0));
    }

    function test_admin_handoverTakesTwoStepsAndTheDelay() public {
        ledger.beginDefaultAdminTransfer(NEW_ADMIN);
        (address pending, uint48 schedule) = ledger.pendingDefaultAdmin();
        assertEq(pending, NEW_ADMIN, "pending admin");
        assertEq(uint256(schedule), T0 + ADMIN_DELAY, "schedule");
        vm.expectRevert(
            abi.encodeWithSelector(
                IAccessControlDefaultAdminRules.AccessControlEnforcedDefaultAdminDelay.selector,
                uint48(T0 + ADMIN_DELAY)
            )
        );
        vm.prank(NEW_ADMIN);
        ledger.acceptDefaultAdminTransfer();
        vm.warp(T0 + ADMIN_DELAY + 1);
        vm.prank(NEW_ADMIN);
        ledger.acceptDefaultAdminTransfer();
        assertEq(ledger.defaultAdmin(), NEW_ADMIN, "handed over");
        assertTrue(!ledger.hasRole(ledger.DEFAULT_ADMIN_ROLE(), address(this)), "old admin out");
        // The admin role cannot be granted directly.
        bytes32 adminRole = ledger.DEFAULT_ADMIN_ROLE();
        vm.expectRevert(IAccessControlDefaultAdminRules.AccessControlEnforcedDefaultAdminRules.selector);
        vm.prank(NEW_ADMIN);
        ledger.grantRole(adminRole, STRANGER);
    }

    function test_roles_errorNamesBothRoles() public {
        vm.expectRevert(
            abi.encodeWithSelector(
                IKeyLedgerV2.KeyLedgerNotRegistrarOrRegulator.selector,
                STRANGER,
                ledger.REGISTRAR_ROLE(),
                ledger.REGULATOR_ROLE()
            )
        );
        vm.prank(STRANGER);
        ledger.suspendParty(DIST, bytes32(0));
        bytes32 role = ledger.REGISTRAR_ROLE();
        vm.expectRevert(
            abi.encodeWithSelector(IAccessControl.AccessControlUnauthorizedAccount.selector, REGULATOR, role)
        );
        vm.prank(REGULATOR);
        ledger.registerParty(STRANGER, IKeyLedgerV2.PartyKind.Retailer, bytes32(0), "", 0);
    }

    // ------------------------------------------------------------ parties

    function test_register_idsAndErrors() public {
        vm.expectEmit(true, true, true, true, address(ledger));
        emit IKeyLedgerV2.PartyRegistered(
            STRANGER, 6, IKeyLedgerV2.PartyKind.Retailer, bytes32("p"), "uri", 7, address(this)
        );
        ledger.registerParty(STRANGER, IKeyLedgerV2.PartyKind.Retailer, bytes32("p"), "uri", 7);
        (IKeyLedgerV2.PartyKind kind, uint32 id,,, uint64 until, bytes32 profile) = reads.partyOf(STRANGER);
        assertEq(uint8(kind), 3, "kind");
        assertEq(id, 6, "sixth party");
        assertEq(until, 7, "accreditedUntil");
        assertEq(profile, bytes32("p"), "profile");
        assertEq(reads.accountOf(6), STRANGER, "accountOf");
        vm.expectRevert(abi.encodeWithSelector(IKeyLedgerV2.KeyLedgerZeroAddress.selector, "party"));
        ledger.registerParty(address(0), IKeyLedgerV2.PartyKind.Retailer, bytes32(0), "", 0);
        vm.expectRevert(
            abi.encodeWithSelector(IKeyLedgerV2.KeyLedgerInvalidKind.selector, NEW_KEY, IKeyLedgerV2.PartyKind.None)
        );
        ledger.registerParty(NEW_KEY, IKeyLedgerV2.PartyKind.None, bytes32(0), "", 0);
        vm.expectRevert(abi.encodeWithSelector(IKeyLedgerV2.KeyLedgerPartyAlreadyRegistered.selector, STRANGER));
        ledger.registerParty(STRANGER, IKeyLedgerV2.PartyKind.Retailer, bytes32(0), "", 0);
        vm.expectRevert(abi.encodeWithSelector(IKeyLedgerV2.KeyLedgerPartyNotRegistered.selector, NEW_KEY));
        ledger.updateParty(NEW_KEY, bytes32(0), "", 0);
        ledger.updateParty(STRANGER, bytes32("q"), "uri2", 0);
        assertTrue(reads.isActive(STRANGER), "0 = never expires");
    }

    function test_register_idsExhausted() public {
        // partyCount (uint24) is the first field of the namespace: set it to the last id.
        vm.store(address(ledger), KeyLedgerV2Storage.SLOT, bytes32(uint256(type(uint24).max)));
        vm.expectRevert(
            abi.encodeWithSelector(IKeyLedgerV2.KeyLedgerPartyIdsExhausted.selector, uint256(type(uint24).max) + 1)
        );
        ledger.registerParty(STRANGER, IKeyLedgerV2.PartyKind.Retailer, bytes32(0), "", 0);
    }

    function test_suspension_onlyARegulatorLiftsARegulatorsSuspension() public {
        vm.expectEmit(true, true, true, true, address(ledger));
        emit IKeyLedgerV2.PartySuspended(DIST, bytes32("r"), REGULATOR, true);
        vm.prank(REGULATOR);
        ledger.suspendParty(DIST, bytes32("r"));
        (,, bool suspended, bool byRegulator,,) = reads.partyOf(DIST);
        assertTrue(suspended && byRegulator, "suspended by a regulator");
        vm.expectRevert(
            abi.encodeWithSelector(IKeyLedgerV2.KeyLedgerRegulatorSuspension.selector, DIST, address(this))
        );
        ledger.reinstateParty(DIST);
        vm.prank(REGULATOR2);
        ledger.reinstateParty(DIST);
        assertTrue(reads.isActive(DIST), "reinstated by a regulator");
        // A registrar's suspension: the registrar or a regulator lifts it.
        ledger.suspendParty(DIST, bytes32(0));
        ledger.reinstateParty(DIST);
        ledger.suspendParty(DIST, bytes32(0));
        vm.prank(REGULATOR);
        ledger.reinstateParty(DIST);
        vm.expectRevert(abi.encodeWithSelector(IKeyLedgerV2.KeyLedgerPartyNotSuspended.selector, DIST));
        ledger.reinstateParty(DIST);
        ledger.suspendParty(DIST, bytes32(0));
        vm.expectRevert(abi.encodeWithSelector(IKeyLedgerV2.KeyLedgerPartySuspended.selector, DIST));
        ledger.suspendParty(DIST, bytes32(0));
    }

    // ------------------------------------------------------------ authorisations and redeemers

    function test_authorize_storesAndErrors() public {
        vm.prank(SUPPLIER);
        ledger.authorize(DIST, 2, FAR, bytes32("c"));
        (uint8 tier, uint64 expiresAt, bytes32 cert, bool valid) = reads.authorizationOf(SUPPLIER, DIST);
        assertTrue(tier == 2 && expiresAt == FAR && cert == bytes32("c") && valid, "stored");
        vm.expectRevert(
            abi.encodeWithSelector(IKeyLedgerV2.KeyLedgerInvalidAuthorization.selector, DIST, uint8(0), uint64(0))
        );
        vm.prank(SUPPLIER);
        ledger.authorize(DIST, 0, 0, bytes32(0));
        vm.expectRevert(abi.encodeWithSelector(IKeyLedgerV2.KeyLedgerNotSupplier.selector, DIST));
        vm.prank(DIST);
        ledger.authorize(DIST2, 1, 0, bytes32(0));
        vm.expectRevert(abi.encodeWithSelector(IKeyLedgerV2.KeyLedgerPartyNotRegistered.selector, STRANGER));
        vm.prank(SUPPLIER);
        ledger.authorize(STRANGER, 1, 0, bytes32(0));
        ledger.suspendParty(SUPPLIER, bytes32(0));
        vm.prank(SUPPLIER);
        ledger.deauthorize(DIST); // withdrawing trust stays allowed while suspended
        vm.expectRevert(abi.encodeWithSelector(IKeyLedgerV2.KeyLedgerNotAuthorized.selector, SUPPLIER, DIST));
        vm.prank(SUPPLIER);
        ledger.deauthorize(DIST);
    }

    function test_setRedeemer_rules() public {
        vm.expectRevert(abi.encodeWithSelector(IKeyLedgerV2.KeyLedgerZeroAddress.selector, "redeemer"));
        vm.prank(SUPPLIER);
        ledger.setRedeemer(address(0), true);
        vm.expectRevert(abi.encodeWithSelector(IKeyLedgerV2.KeyLedgerNotSupplier.selector, DIST));
        vm.prank(DIST);
        ledger.setRedeemer(REDEEMER, true);
        vm.expectEmit(true, true, true, true, address(ledger));
        emit IKeyLedgerV2.RedeemerSet(SUPPLIER, REDEEMER, true);
        vm.prank(SUPPLIER);
        ledger.setRedeemer(REDEEMER, true);
        assertTrue(reads.isRedeemer(SUPPLIER, REDEEMER), "set");
    }

    // ------------------------------------------------------------ re-keying

    function _rekey() internal {
        ledger.proposeRekey(SUPPLIER, NEW_KEY);
        vm.prank(REGULATOR);
        ledger.confirmRekey(SUPPLIER, NEW_KEY);
    }

    function test_rekey_movesBatchAuthorityCustodyAndDelegations() public {
        bytes32 id = _anchor(SUPPLIER, "rk", 100, true);
        vm.startPrank(SUPPLIER);
        ledger.authorize(DIST, 1, 0, bytes32(0));
        ledger.setRedeemer(REDEEMER, true);
        ledger.transfer(id, 0, 10, DIST, MEMO);
        vm.stopPrank();
        vm.expectEmit(true, true, true, true, address(ledger));
        emit IKeyLedgerV2.RekeyProposed(SUPPLIER, NEW_KEY, address(this));
        ledger.proposeRekey(SUPPLIER, NEW_KEY);
        (address pendingNew, address proposer) = reads.pendingRekeyOf(SUPPLIER);
        assertTrue(pendingNew == NEW_KEY && proposer == address(this), "pending");
        vm.expectEmit(true, true, true, true, address(ledger));
        emit IKeyLedgerV2.PartyRekeyed(SUPPLIER, NEW_KEY, 1, address(this), REGULATOR);
        vm.prank(REGULATOR);
        ledger.confirmRekey(SUPPLIER, NEW_KEY);
        // Same batch id, new authority.
        (, address supplier,,,,) = ledger.batchOf(id);
        assertEq(supplier, NEW_KEY, "batch supplier follows the party");
        assertEq(ledger.holderOf(id, 50), NEW_KEY, "custody follows");
        (, uint32 pid,,,,) = reads.partyOf(NEW_KEY);
        assertEq(pid, 1, "same id");
        (IKeyLedgerV2.PartyKind oldKind,,,,,) = reads.partyOf(SUPPLIER);
        assertEq(uint8(oldKind), 0, "old account unregistered");
        (,,, bool valid) = reads.authorizationOf(NEW_KEY, DIST);
        assertTrue(valid, "authorisation follows");
        assertTrue(reads.isRedeemer(NEW_KEY, REDEEMER), "redeemer follows");
        // The old key has no power left; the new one has all.
        vm.expectRevert(abi.encodeWithSelector(IKeyLedgerV2.KeyLedgerNotBatchAuthority.selector, id, SUPPLIER));
        _revoke(SUPPLIER, id, 0, 1, IKeyLedgerV2.RevocationReason.Stolen);
        vm.expectRevert(abi.encodeWithSelector(IKeyLedgerV2.KeyLedgerNotRedeemer.selector, id, SUPPLIER));
        _redeem(SUPPLIER, id, 0, 1);
        vm.expectRevert(
            abi.encodeWithSelector(IKeyLedgerV2.KeyLedgerRangeNotHeld.selector, id, uint64(50), uint64(60), NEW_KEY)
        );
        _transfer(SUPPLIER, id, 50, 60, DIST);
        _revoke(NEW_KEY, id, 0, 1, IKeyLedgerV2.RevocationReason.Stolen);
        _redeem(NEW_KEY, id, 0, 2);
        _transfer(NEW_KEY, id, 50, 60, DIST);
        _transfer(DIST, id, 50, 60, NEW_KEY);
    }

    function test_rekey_needsARegistrarAndADifferentRegulator() public {
        vm.expectRevert(
            abi.encodeWithSelector(
                IAccessControl.AccessControlUnauthorizedAccount.selector, REGULATOR, ledger.REGISTRAR_ROLE()
            )
        );
        vm.prank(REGULATOR);
        ledger.proposeRekey(SUPPLIER, NEW_KEY);
        ledger.proposeRekey(SUPPLIER, NEW_KEY);
        bytes32 role = ledger.REGULATOR_ROLE();
        vm.expectRevert(
            abi.encodeWithSelector(IAccessControl.AccessControlUnauthorizedAccount.selector, address(this), role)
        );
        ledger.confirmRekey(SUPPLIER, NEW_KEY);
        // One account holding both roles still cannot do both steps.
        ledger.grantRole(role, address(this));
        vm.expectRevert(
            abi.encodeWithSelector(IKeyLedgerV2.KeyLedgerRekeySameAccount.selector, SUPPLIER, address(this))
        );
        ledger.confirmRekey(SUPPLIER, NEW_KEY);
        vm.expectRevert(abi.encodeWithSelector(IKeyLedgerV2.KeyLedgerNoPendingRekey.selector, SUPPLIER, DIST));
        vm.prank(REGULATOR);
        ledger.confirmRekey(SUPPLIER, DIST);
    }

    function test_rekey_rejectsBadAccounts() public {
        vm.expectRevert(abi.encodeWithSelector(IKeyLedgerV2.KeyLedgerZeroAddress.selector, "newAccount"));
        ledger.proposeRekey(SUPPLIER, address(0));
        vm.expectRevert(abi.encodeWithSelector(IKeyLedgerV2.KeyLedgerPartyAlreadyRegistered.selector, DIST));
        ledger.proposeRekey(SUPPLIER, DIST);
        vm.expectRevert(abi.encodeWithSelector(IKeyLedgerV2.KeyLedgerPartyNotRegistered.selector, STRANGER));
        ledger.proposeRekey(STRANGER, NEW_KEY);
        // The new account got registered between the two steps.
        ledger.proposeRekey(SUPPLIER, NEW_KEY);
        ledger.registerParty(NEW_KEY, IKeyLedgerV2.PartyKind.Retailer, bytes32(0), "", 0);
        vm.expectRevert(abi.encodeWithSelector(IKeyLedgerV2.KeyLedgerPartyAlreadyRegistered.selector, NEW_KEY));
        vm.prank(REGULATOR);
        ledger.confirmRekey(SUPPLIER, NEW_KEY);
    }

    function test_rekey_keepsSuspension() public {
        vm.prank(REGULATOR);
        ledger.suspendParty(SUPPLIER, bytes32(0));
        _rekey();
        assertTrue(!reads.isActive(NEW_KEY), "a re-key does not lift a suspension");
        (,, bool suspended, bool byRegulator,,) = reads.partyOf(NEW_KEY);
        assertTrue(suspended && byRegulator, "kept");
    }
}
