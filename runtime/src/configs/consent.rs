//! Consent: attribute authorities, policies, overrides, access tickets and break-glass.

use codec::MaxEncodedLen;
use frame_support::{parameter_types, traits::ConstU32};
use pallet_consent::policy::AttributeName;

use crate::{
	deposit, Balance, Balances, KeyGrants, Records, Runtime, RuntimeHoldReason, DAYS, HOURS,
	MINUTES,
};

/// Bytes a storage key adds beyond the value: pallet and item prefixes plus hashed keys.
const KEY_BYTES: u32 = 32 + 48 + 16;

parameter_types! {
	/// Break-glass needs this attribute, issued by an accredited authority.
	pub EmergencyAttribute: AttributeName = AttributeName::truncate_from(b"role:emergency".to_vec());
	pub const PolicyDepositBase: Balance = deposit(1, KEY_BYTES);
	pub const PolicyDepositPerByte: Balance = deposit(0, 1);
	/// The attribute's share of its holder's attribute list.
	pub AttributeDeposit: Balance =
		deposit(1, pallet_consent::HeldAttributeOf::<Runtime>::max_encoded_len() as u32);
	pub OverrideDeposit: Balance = deposit(
		1,
		pallet_consent::ConsentOverrideOf::<Runtime>::max_encoded_len() as u32 + 2 * KEY_BYTES,
	);
	pub TicketDeposit: Balance =
		deposit(1, pallet_consent::TicketOf::<Runtime>::max_encoded_len() as u32 + KEY_BYTES);
	/// Ten times a storage deposit: emergency access is rare, and it is returned on review.
	pub BreakGlassDeposit: Balance = 10 *
		deposit(1, pallet_consent::BreakGlassUseOf::<Runtime>::max_encoded_len() as u32);
	/// A receipt's storage, held from the gateway that served the read.
	pub ReadReceiptDeposit: Balance =
		deposit(1, pallet_consent::ReadReceiptOf::<Runtime>::max_encoded_len() as u32 + KEY_BYTES);
}

impl pallet_consent::Config for Runtime {
	type Currency = Balances;
	type RuntimeHoldReason = RuntimeHoldReason;
	type Records = Records;
	// Two thirds of the council (or sudo on a dev chain).
	type AuthorityOrigin = super::Governance;
	type ReviewOrigin = super::Governance;
	type EmergencyAttribute = EmergencyAttribute;
	type PolicyDepositBase = PolicyDepositBase;
	type PolicyDepositPerByte = PolicyDepositPerByte;
	type AttributeDeposit = AttributeDeposit;
	type OverrideDeposit = OverrideDeposit;
	type TicketDeposit = TicketDeposit;
	type BreakGlassDeposit = BreakGlassDeposit;
	type MaxScopesPerAuthority = ConstU32<16>;
	/// Evaluation reads every attribute (and its issuer): 32 keeps a request cheap.
	type MaxAttributesPerAccount = ConstU32<32>;
	type MaxPoliciesPerAccount = ConstU32<1_000>;
	type MaxOverridesPerSubject = ConstU32<256>;
	type MaxTicketsPerAccount = ConstU32<1_000>;
	type MaxOpenBreakGlassPerAccount = ConstU32<16>;
	/// A ticket covers a working session.
	type TicketLifetime = ConstU32<HOURS>;
	/// Emergency access is short and must be renewed (and each use reviewed).
	type BreakGlassLifetime = ConstU32<{ 15 * MINUTES }>;
	/// Reads under a key grant are allowed by the key-grants pallet.
	type Delegations = KeyGrants;
	/// Account ids are sr25519 public keys.
	type Verifier = medchain_primitives::Sr25519Accounts;
	type ReadReceiptDeposit = ReadReceiptDeposit;
	/// Receipts are the patient's audit trail: kept a year unless the patient clears them.
	type ReceiptRetention = ConstU32<{ 365 * DAYS }>;
	/// A signed download request must be recorded within about a minute.
	type MaxReadRequestLifetime = ConstU32<{ MINUTES }>;
	/// A full batch is charged 512 times a single receipt's worst case (~1.05 ms each), about
	/// half of what one block allows ordinary transactions.
	type MaxReadsPerBatch = ConstU32<512>;
	type WeightInfo = pallet_consent::weights::SubstrateWeight<Runtime>;
	#[cfg(feature = "runtime-benchmarks")]
	type BenchmarkHelper = benchmark_helper::RegistryRecords;
}

#[cfg(feature = "runtime-benchmarks")]
mod benchmark_helper {
	use crate::AccountId;
	use medchain_primitives::{PolicyId, RecordId};
	use sp_core::{crypto::KeyTypeId, sr25519};

	/// Benchmark-only key type for readers' signing keys in the benchmark keystore.
	const BENCH_KEY: KeyTypeId = KeyTypeId(*b"mcrd");

	/// Registers benchmark records in the real registry; readers' keys live in the benchmark
	/// keystore.
	pub struct RegistryRecords;

	impl pallet_consent::benchmarking::BenchmarkHelper<AccountId> for RegistryRecords {
		fn create_record(subject: &AccountId, policy: Option<PolicyId>) -> RecordId {
			super::super::records::register_benchmark_record(subject, policy)
		}

		fn signer(index: u32) -> AccountId {
			let seed = alloc::format!("//reader{index}").into_bytes();
			AccountId::from(sp_io::crypto::sr25519_generate(BENCH_KEY, Some(seed)))
		}

		fn sign(signer: &AccountId, message: &[u8]) -> sr25519::Signature {
			let public = sr25519::Public::from_raw(*signer.as_ref());
			sp_io::crypto::sr25519_sign(BENCH_KEY, &public, message)
				.expect("the key was generated in the benchmark keystore")
		}
	}
}
