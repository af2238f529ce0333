//! Federated learning: tasks, rounds, DP budgets, challenged aggregates, contribution, rewards.

use codec::MaxEncodedLen;
use frame_support::{parameter_types, traits::ConstU32};
use sp_runtime::Perbill;

use crate::{deposit, Balance, Balances, BlockNumber, Consent, Runtime, RuntimeHoldReason};

parameter_types! {
	/// A rogue update costs half the sender's bond: enough to deter, not enough to ruin a site
	/// whose pipeline failed once.
	pub const RogueSlash: Perbill = Perbill::from_percent(50);
	/// One task entry.
	pub TaskDeposit: Balance = deposit(1, pallet_fl::TaskOf::<Runtime>::max_encoded_len() as u32);
	/// One lineage entry (checkpoint), held for every round a task may have.
	pub CheckpointDeposit: Balance =
		deposit(1, pallet_fl::CheckpointOf::<Runtime>::max_encoded_len() as u32);
	/// One stored update.
	pub UpdateDeposit: Balance =
		deposit(1, pallet_fl::UpdateOf::<Runtime>::max_encoded_len() as u32);
	/// A dispute asks the council to recompute an aggregate: 10 UNIT, burnt if the council
	/// upholds the aggregate, so disputing honest aggregators to delay a task costs more than
	/// a participant's fees while a justified dispute costs nothing.
	pub const DisputeDeposit: Balance = 10 * crate::UNIT;
}

impl pallet_fl::Config for Runtime {
	type Currency = Balances;
	type RuntimeHoldReason = RuntimeHoldReason;
	/// Participation is decided by the consent pallet's policies and attributes.
	type Access = Consent;
	// Two thirds of the council (or sudo on a dev chain).
	type DisputeOrigin = super::Governance;
	/// Tasks choose their own challenge window and participants accept it by joining; the floor
	/// only refuses windows too short for anyone to recompute an aggregate and respond.
	type MinChallengePeriod = ConstU32<{ 3 as BlockNumber }>;
	type RogueSlash = RogueSlash;
	/// Sites of a consortium study; finalising the last round pays each, so this bounds it.
	type MaxParticipants = ConstU32<64>;
	type MaxRounds = ConstU32<1_000>;
	type TaskDeposit = TaskDeposit;
	type CheckpointDeposit = CheckpointDeposit;
	type UpdateDeposit = UpdateDeposit;
	type DisputeDeposit = DisputeDeposit;
	type WeightInfo = pallet_fl::weights::SubstrateWeight<Runtime>;
	#[cfg(feature = "runtime-benchmarks")]
	type BenchmarkHelper = benchmark_helper::ConsentEligibility;
}

#[cfg(feature = "runtime-benchmarks")]
mod benchmark_helper {
	use super::*;
	use crate::AccountId;
	use crate::{RuntimeOrigin, UNIT};
	use alloc::{format, string::String, vec::Vec};
	use frame_support::traits::{fungible::Mutate, Get};
	use medchain_primitives::PolicyId;
	use pallet_consent::{policy::AttributeName, AttributePattern};

	/// Attributes behind the benchmark policy: as many as an account may hold, each from its
	/// own authority, so that evaluating eligibility does the most work the runtime allows.
	fn attributes() -> u32 {
		<Runtime as pallet_consent::Config>::MaxAttributesPerAccount::get()
	}

	fn authority(index: u32) -> AccountId {
		let mut raw = [0xf1; 32];
		raw[..4].copy_from_slice(&index.to_le_bytes());
		AccountId::new(raw)
	}

	fn owner() -> AccountId {
		AccountId::new([0xf0; 32])
	}

	/// Eligibility through the real consent pallet: accredited authorities, issued attributes,
	/// a policy over all of them.
	pub struct ConsentEligibility;

	impl pallet_fl::benchmarking::BenchmarkHelper<AccountId> for ConsentEligibility {
		/// `("fl0:ok" or "fl1:ok") and ("fl2:ok" or "fl3:ok") and …`: every attribute is a
		/// leaf (gates are at most 16 wide), created once per benchmark state.
		fn policy() -> PolicyId {
			let owner = owner();
			if let Some((id, _)) =
				pallet_consent::Policies::<Runtime>::iter().find(|(_, p)| p.owner == owner)
			{
				return id;
			}
			for index in 0..attributes() {
				let who = authority(index);
				Balances::set_balance(&who, 1_000 * UNIT);
				let scope = AttributePattern::truncate_from(format!("fl{index}:*").into_bytes());
				Consent::accredit_authority(
					RuntimeOrigin::root(),
					who,
					alloc::vec![scope].try_into().expect("one scope fits"),
				)
				.expect("benchmark authority is accredited");
			}
			let groups: Vec<String> = (0..attributes())
				.step_by(2)
				.map(|i| format!("(\"fl{i}:ok\" or \"fl{}:ok\")", i + 1))
				.collect();
			Balances::set_balance(&owner, 1_000 * UNIT);
			let id = pallet_consent::NextPolicyId::<Runtime>::get();
			Consent::create_policy(
				RuntimeOrigin::signed(owner),
				groups
					.join(" and ")
					.into_bytes()
					.try_into()
					.expect("under 1 KiB"),
			)
			.expect("benchmark policy is valid");
			id
		}

		fn make_eligible(who: &AccountId) {
			Self::policy();
			for index in 0..attributes() {
				Consent::issue_attribute(
					RuntimeOrigin::signed(authority(index)),
					who.clone(),
					AttributeName::truncate_from(format!("fl{index}:ok").into_bytes()),
					None,
				)
				.expect("benchmark attribute is issued");
			}
		}
	}
}
