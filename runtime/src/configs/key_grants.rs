//! Proxy re-encryption grants: PRE keys, bonded proxies, grants, attestations, evidence.

use codec::MaxEncodedLen;
use frame_support::{parameter_types, traits::ConstU32};

use crate::{deposit, Balance, Balances, Consent, Records, Runtime, RuntimeHoldReason, DAYS, UNIT};

parameter_types! {
	/// At stake for a proxy: large enough that serving a revoked grant does not pay.
	pub const ProxyBond: Balance = 1_000 * UNIT;
	/// One account's published PRE keys.
	pub PreKeysDeposit: Balance =
		deposit(1, pallet_key_grants::PreKeysOf::<Runtime>::max_encoded_len() as u32);
	/// One grant entry (receipts are bounded per grant and paid by the grant's proxies' fees).
	pub GrantDeposit: Balance =
		deposit(1, pallet_key_grants::GrantOf::<Runtime>::max_encoded_len() as u32);
	/// Ten times a storage deposit, so that evidence is not filed lightly.
	pub EvidenceDeposit: Balance = 10 *
		deposit(1, pallet_key_grants::EvidenceCaseOf::<Runtime>::max_encoded_len() as u32);
}

impl pallet_key_grants::Config for Runtime {
	type Currency = Balances;
	type RuntimeHoldReason = RuntimeHoldReason;
	type Records = Records;
	// MedChain accounts are sr25519 public keys (AccountId32 from MultiSigner::Sr25519).
	type Verifier = pallet_key_grants::Sr25519Accounts;
	// A patient's explicit deny wins over their grants.
	type Access = Consent;
	// Two thirds of the council (or sudo on a dev chain).
	type AdmitOrigin = super::Governance;
	type PenaltyOrigin = super::Governance;
	type ProxyBond = ProxyBond;
	type PreKeysDeposit = PreKeysDeposit;
	type GrantDeposit = GrantDeposit;
	type EvidenceDeposit = EvidenceDeposit;
	/// A week to file evidence against a leaving proxy.
	type UnbondingPeriod = ConstU32<{ 7 * DAYS }>;
	/// A week to file evidence about an ended grant before its receipts may go.
	type RetentionPeriod = ConstU32<{ 7 * DAYS }>;
	type MaxProxiesPerGrant = ConstU32<8>;
	type MaxScopeKinds = ConstU32<16>;
	type MaxGrantsPerOwner = ConstU32<256>;
	/// Clearing a grant removes its receipts in one call: 1,000 keeps that bounded.
	type MaxReceiptsPerGrant = ConstU32<1_000>;
	type WeightInfo = pallet_key_grants::weights::SubstrateWeight<Runtime>;
	#[cfg(feature = "runtime-benchmarks")]
	type BenchmarkHelper = benchmark_helper::KeystoreProxies;
}

#[cfg(feature = "runtime-benchmarks")]
mod benchmark_helper {
	use crate::AccountId;
	use medchain_primitives::RecordId;
	use sp_core::{crypto::KeyTypeId, sr25519};

	/// Benchmark-only key type for proxies' signing keys in the benchmark keystore.
	const BENCH_KEY: KeyTypeId = KeyTypeId(*b"mcpx");

	/// Records from the real registry; proxies whose keys live in the benchmark keystore.
	pub struct KeystoreProxies;

	impl pallet_key_grants::benchmarking::BenchmarkHelper<AccountId> for KeystoreProxies {
		fn create_record(subject: &AccountId) -> RecordId {
			super::super::records::register_benchmark_record(subject, None)
		}

		fn signer(index: u32) -> AccountId {
			let seed = alloc::format!("//proxy{index}").into_bytes();
			AccountId::from(sp_io::crypto::sr25519_generate(BENCH_KEY, Some(seed)))
		}

		fn sign(signer: &AccountId, message: &[u8]) -> sr25519::Signature {
			let public = sr25519::Public::from_raw(*signer.as_ref());
			sp_io::crypto::sr25519_sign(BENCH_KEY, &public, message)
				.expect("the key was generated in the benchmark keystore")
		}
	}
}
