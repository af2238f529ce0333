//! The medical record registry.

use codec::MaxEncodedLen;
use frame_support::{parameter_types, traits::ConstU32};

use crate::{deposit, Balance, Balances, Consent, Runtime, RuntimeHoldReason};

/// Consent policies are identified by a sequence number assigned by the consent pallet.
pub use medchain_primitives::PolicyId;

parameter_types! {
	/// One version entry plus its share of the record and index entries.
	pub VersionDeposit: Balance = deposit(
		2,
		(pallet_records::VersionOf::<Runtime>::max_encoded_len() +
			pallet_records::RecordOf::<Runtime>::max_encoded_len()) as u32,
	);
	/// One authorisation entry, scope included.
	pub CustodianDeposit: Balance = deposit(
		1,
		pallet_records::CustodianAuthorizationOf::<Runtime>::max_encoded_len() as u32,
	);
	/// One anchor entry.
	pub AnchorDeposit: Balance =
		deposit(1, pallet_records::BatchAnchorOf::<Runtime>::max_encoded_len() as u32);
}

impl pallet_records::Config for Runtime {
	type Currency = Balances;
	type RuntimeHoldReason = RuntimeHoldReason;
	type PolicyId = PolicyId;
	type Policies = Consent;
	type VersionDeposit = VersionDeposit;
	type CustodianDeposit = CustodianDeposit;
	type AnchorDeposit = AnchorDeposit;
	/// Erasing a record drains its versions in one call; 64 keeps that call small.
	type MaxVersionsPerRecord = ConstU32<64>;
	/// Hospitals, labs and practitioners one patient works with at once.
	type MaxCustodiansPerSubject = ConstU32<64>;
	type MaxScopeKinds = ConstU32<16>;
	/// A lab's upload batch; larger batches go through `anchor_batch`.
	type MaxBatchSize = ConstU32<64>;
	type MaxAnchorsPerAccount = ConstU32<1_000>;
	type WeightInfo = pallet_records::weights::SubstrateWeight<Runtime>;
	#[cfg(feature = "runtime-benchmarks")]
	type BenchmarkHelper = benchmark_helper::ConsentPolicies;
}

#[cfg(feature = "runtime-benchmarks")]
mod benchmark_helper {
	use super::*;
	use crate::{AccountId, RuntimeOrigin, UNIT};
	use frame_support::traits::fungible::Mutate;

	/// Gives the record registry's benchmarks real consent policies, one per index, each
	/// created by its own owner.
	pub struct ConsentPolicies;

	impl pallet_records::benchmarking::BenchmarkHelper<PolicyId> for ConsentPolicies {
		fn policy(index: u32) -> PolicyId {
			let mut raw = [0x42; 32];
			raw[..4].copy_from_slice(&index.to_le_bytes());
			let owner = AccountId::new(raw);
			if let Some((existing, _)) =
				pallet_consent::Policies::<Runtime>::iter().find(|(_, p)| p.owner == owner)
			{
				return existing;
			}
			let id = pallet_consent::NextPolicyId::<Runtime>::get();
			Balances::set_balance(&owner, 1_000 * UNIT);
			let text = br#"("role:cardiologist" and "org:hospital-a") or "role:emergency""#;
			Consent::create_policy(
				RuntimeOrigin::signed(owner),
				text.to_vec().try_into().expect("short policy"),
			)
			.expect("benchmark policy is valid");
			id
		}
	}
}

/// Registers a record of `subject` (funding it) for other pallets' benchmarks.
#[cfg(feature = "runtime-benchmarks")]
pub(crate) fn register_benchmark_record(
	subject: &crate::AccountId,
	policy: Option<PolicyId>,
) -> medchain_primitives::RecordId {
	use frame_support::traits::fungible::Mutate;
	use pallet_records::{ContentInput, EncryptionScheme, RecordInput, H256};
	Balances::set_balance(subject, 1_000 * crate::UNIT);
	let id = pallet_records::NextRecordId::<Runtime>::get();
	// Each record its own content: a live version's CID names one record only.
	let mut digest = [7u8; 32];
	digest[..8].copy_from_slice(&id.to_le_bytes());
	let cid = medchain_primitives::cid_v1_raw_sha2_256(&digest);
	let input = RecordInput {
		content: ContentInput {
			cid: cid.try_into().expect("a 36-byte CID fits"),
			digest: H256(digest),
			size: 1,
			scheme: EncryptionScheme::AeadCpAbe,
		},
		kind: b"Observation".to_vec().try_into().expect("short kind"),
		policy,
	};
	crate::Records::register_record(
		crate::RuntimeOrigin::signed(subject.clone()),
		subject.clone(),
		input,
	)
	.expect("benchmark record registers");
	id
}
