//! Consortium governance: the council of member organisations (one organisation, one vote), its
//! membership, runtime upgrades by vote and the validator set.
//!
//! Every governance decision in MedChain is [`Governance`]: two thirds of the council, or Root.
//! Root exists only on a developer's dev chain (sudo); every other chain spec has no sudo key,
//! so there the council is the only way in.

use frame_support::{
	parameter_types,
	traits::{ConstU32, EitherOfDiverse},
	weights::Weight,
};
use frame_system::EnsureRoot;
use sp_runtime::{traits::OpaqueKeys, Perbill};

use super::RuntimeBlockWeights;
use crate::{
	AccountId, Balances, BlockNumber, Council, Runtime, RuntimeCall, RuntimeEvent, RuntimeOrigin,
	SessionKeys, Validators, DAYS, HOURS,
};

/// The council's collective instance.
pub type CouncilCollective = pallet_collective::Instance1;
/// The council's membership instance.
pub type CouncilMembershipInstance = pallet_membership::Instance1;

/// Two thirds of the council, by member count.
pub type CouncilSupermajority =
	pallet_collective::EnsureProportionAtLeast<AccountId, CouncilCollective, 2, 3>;

/// Who governs MedChain: two thirds of the council, or Root (dev chains only: sudo).
pub type Governance = EitherOfDiverse<EnsureRoot<AccountId>, CouncilSupermajority>;

/// Member organisations the council may have.
pub const MAX_COUNCIL_MEMBERS: u32 = 32;

/// Abstentions count as "nay" when a motion is closed after its voting period: a member
/// organisation that did not vote has not agreed, and no member (not even a prime) votes for
/// others.
pub struct AbstainIsNay;

impl pallet_collective::DefaultVote for AbstainIsNay {
	fn default_vote(_prime_vote: Option<bool>, _yes: u32, _no: u32, _len: u32) -> bool {
		false
	}
}

parameter_types! {
	/// A proposal may use at most half a block: large enough for any governance call.
	pub MaxCouncilProposalWeight: Weight =
		Perbill::from_percent(50) * RuntimeBlockWeights::get().max_block;
}

impl pallet_collective::Config<CouncilCollective> for Runtime {
	type RuntimeOrigin = RuntimeOrigin;
	type Proposal = RuntimeCall;
	type RuntimeEvent = RuntimeEvent;
	/// Member organisations have a week to vote; a motion that reaches its threshold can be
	/// closed at once.
	type MotionDuration = ConstU32<{ 7 * DAYS }>;
	type MaxProposals = ConstU32<100>;
	type MaxMembers = ConstU32<MAX_COUNCIL_MEMBERS>;
	type DefaultVote = AbstainIsNay;
	type WeightInfo = pallet_collective::weights::SubstrateWeight<Runtime>;
	/// Members change only through the membership pallet (which needs the council's
	/// supermajority); Root is the dev chain's recovery path.
	type SetMembersOrigin = EnsureRoot<AccountId>;
	type MaxProposalWeight = MaxCouncilProposalWeight;
	type DisapproveOrigin = Governance;
	type KillOrigin = Governance;
	/// Members are accredited organisations, not anonymous accounts: no proposal deposit.
	type Consideration = ();
}

impl pallet_membership::Config<CouncilMembershipInstance> for Runtime {
	type RuntimeEvent = RuntimeEvent;
	type AddOrigin = Governance;
	type RemoveOrigin = Governance;
	type SwapOrigin = Governance;
	type ResetOrigin = Governance;
	type PrimeOrigin = Governance;
	type MembershipInitialized = Council;
	type MembershipChanged = Council;
	type MaxMembers = ConstU32<MAX_COUNCIL_MEMBERS>;
	type WeightInfo = pallet_membership::weights::SubstrateWeight<Runtime>;
}

impl pallet_upgrades::Config for Runtime {
	type AuthorizeOrigin = Governance;
	type WeightInfo = pallet_upgrades::weights::SubstrateWeight<Runtime>;
}

impl pallet_validators::Config for Runtime {
	type ManageOrigin = Governance;
	type MaxValidators = ConstU32<{ super::MAX_AUTHORITIES }>;
	type MinValidators = ConstU32<1>;
	/// An hour, unless the chain spec says otherwise (test networks rotate every minute).
	type DefaultSessionLength = ConstU32<HOURS>;
	type WeightInfo = pallet_validators::weights::SubstrateWeight<Runtime>;
}

parameter_types! {
	/// The session keys' storage (two public keys and their owner index entries).
	pub SessionKeyDeposit: crate::Balance = crate::deposit(3, 32 + 32 + 2 * 36);
}

/// Sessions of the genesis-configured length (`validators.sessionLength`), from block 0.
type Sessions = pallet_session::PeriodicSessions<
	pallet_validators::SessionPeriod<Runtime>,
	ConstU32<{ 0 as BlockNumber }>,
>;

impl pallet_session::Config for Runtime {
	type RuntimeEvent = RuntimeEvent;
	/// Validators are plain accounts.
	type ValidatorId = AccountId;
	type ValidatorIdOf = sp_runtime::traits::ConvertInto;
	type ShouldEndSession = Sessions;
	type NextSessionRotation = Sessions;
	type SessionManager = Validators;
	type SessionHandler = <SessionKeys as OpaqueKeys>::KeyTypeIdProviders;
	type Keys = SessionKeys;
	/// Misbehaviour is handled by governance (remove the validator), not by automatic disabling.
	type DisablingStrategy = ();
	type WeightInfo = pallet_session::weights::SubstrateWeight<Runtime>;
	type Currency = Balances;
	type KeyDeposit = SessionKeyDeposit;
}
