//! Benchmarks (frame-benchmarking v2) for every call, each in its worst case.

use super::*;
use alloc::vec::Vec;
use frame_benchmarking::v2::*;
use frame_support::traits::{
	fungible::{Inspect, Mutate},
	EnsureOrigin, Get,
};
use frame_system::{pallet_prelude::BlockNumberFor, RawOrigin};
use sp_runtime::{traits::Zero, Saturating};

/// What the benchmarks need from the runtime: records (another pallet) and proxies whose
/// account can sign attestations.
pub trait BenchmarkHelper<AccountId> {
	/// Makes a live record of `subject` exist and returns its id.
	fn create_record(subject: &AccountId) -> RecordId;
	/// An account that [`BenchmarkHelper::sign`] can sign for; distinct per `index`.
	fn signer(index: u32) -> AccountId;
	/// `signer`'s sr25519 signature of `message`.
	fn sign(signer: &AccountId, message: &[u8]) -> sp_core::sr25519::Signature;
}

const KEY: UmbralPublicKey = [2; 33];

fn fund<T: Config>(who: &T::AccountId) {
	let amount = T::ProxyBond::get()
		.saturating_add(T::GrantDeposit::get())
		.saturating_add(T::EvidenceDeposit::get())
		.saturating_mul(1_000u32.into())
		.saturating_add(T::Currency::minimum_balance());
	T::Currency::set_balance(who, amount);
}

fn funded<T: Config>(name: &'static str, index: u32) -> T::AccountId {
	let who: T::AccountId = account(name, index, 0);
	fund::<T>(&who);
	who
}

fn with_keys<T: Config>(who: &T::AccountId) {
	Pallet::<T>::register_pre_keys(RawOrigin::Signed(who.clone()).into(), KEY, KEY).expect("keys");
}

fn admit<T: Config>(proxy: &T::AccountId) {
	let origin = T::AdmitOrigin::try_successful_origin().expect("admit origin");
	Pallet::<T>::admit_proxy(origin, proxy.clone()).expect("admitted");
}

/// Registers (and optionally admits) signing-capable proxy `index`.
fn proxy<T: Config>(index: u32, active: bool) -> T::AccountId {
	let who = T::BenchmarkHelper::signer(index);
	fund::<T>(&who);
	let endpoint: Endpoint = alloc::vec![b'e'; MAX_ENDPOINT_LEN as usize]
		.try_into()
		.expect("fits");
	Pallet::<T>::register_proxy(RawOrigin::Signed(who.clone()).into(), KEY, endpoint)
		.expect("registered");
	if active {
		admit::<T>(&who);
	}
	who
}

/// Owner and grantee with keys, and a grant over all records through `n` active proxies.
fn grant<T: Config>(n: u32) -> (T::AccountId, T::AccountId, Vec<T::AccountId>) {
	let owner = funded::<T>("owner", 0);
	let grantee = funded::<T>("grantee", 0);
	with_keys::<T>(&owner);
	with_keys::<T>(&grantee);
	let proxies: Vec<T::AccountId> = (0..n).map(|i| proxy::<T>(i, true)).collect();
	let entries: GrantProxiesOf<T> = proxies
		.iter()
		.map(|p| GrantProxy {
			proxy: p.clone(),
			kfrag_commitment: H256::repeat_byte(1),
		})
		.collect::<Vec<_>>()
		.try_into()
		.expect("n within MaxProxiesPerGrant");
	let expires_at = frame_system::Pallet::<T>::block_number().saturating_add(1_000u32.into());
	Pallet::<T>::create_grant(
		RawOrigin::Signed(owner.clone()).into(),
		grantee.clone(),
		GrantScope::AllRecords,
		entries,
		n as u8,
		expires_at,
	)
	.expect("grant created");
	(owner, grantee, proxies)
}

fn signed_attestation<T: Config>(
	proxy: &T::AccountId,
	capsule: u32,
	served_at: BlockNumberFor<T>,
) -> (AttestationOf<T>, sp_core::sr25519::Signature) {
	let mut capsule_hash = H256::zero();
	capsule_hash.0[..4].copy_from_slice(&capsule.to_le_bytes());
	let attestation = Attestation {
		grant: 0,
		proxy: proxy.clone(),
		capsule_hash,
		cfrag_hash: H256::repeat_byte(9),
		served_at,
		request: RequestBinding {
			digest: H256::repeat_byte(7),
			seen: BlockNumberFor::<T>::zero(),
			seen_hash: H256::from_slice(
				frame_system::Pallet::<T>::block_hash(BlockNumberFor::<T>::zero()).as_ref(),
			),
		},
	};
	let signature =
		T::BenchmarkHelper::sign(proxy, &Pallet::<T>::attestation_message(&attestation));
	(attestation, signature)
}

#[benchmarks]
mod benchmarks {
	use super::*;

	/// A first registration: it also holds the deposit.
	#[benchmark]
	fn register_pre_keys() {
		let who = funded::<T>("owner", 0);

		#[extrinsic_call]
		_(RawOrigin::Signed(who.clone()), [3; 33], [3; 33]);

		assert_eq!(Keys::<T>::get(&who).map(|k| k.rotations), Some(0));
	}

	#[benchmark]
	fn remove_pre_keys() {
		let who = funded::<T>("owner", 0);
		with_keys::<T>(&who);

		#[extrinsic_call]
		_(RawOrigin::Signed(who.clone()));

		assert!(!Keys::<T>::contains_key(&who));
	}

	#[benchmark]
	fn register_proxy() {
		let who = funded::<T>("proxy", 0);
		let endpoint: Endpoint = alloc::vec![b'e'; MAX_ENDPOINT_LEN as usize]
			.try_into()
			.expect("fits");

		#[extrinsic_call]
		_(RawOrigin::Signed(who.clone()), KEY, endpoint);

		assert!(Proxies::<T>::contains_key(&who));
	}

	#[benchmark]
	fn admit_proxy() -> Result<(), BenchmarkError> {
		let who = proxy::<T>(0, false);
		let origin =
			T::AdmitOrigin::try_successful_origin().map_err(|_| BenchmarkError::Weightless)?;

		#[extrinsic_call]
		_(origin as T::RuntimeOrigin, who.clone());

		assert_eq!(
			Proxies::<T>::get(&who).map(|p| p.status),
			Some(ProxyStatus::Active)
		);
		Ok(())
	}

	#[benchmark]
	fn suspend_proxy() -> Result<(), BenchmarkError> {
		let who = proxy::<T>(0, true);
		let origin =
			T::PenaltyOrigin::try_successful_origin().map_err(|_| BenchmarkError::Weightless)?;

		#[extrinsic_call]
		_(origin as T::RuntimeOrigin, who.clone());

		assert_eq!(
			Proxies::<T>::get(&who).map(|p| p.status),
			Some(ProxyStatus::Suspended)
		);
		Ok(())
	}

	#[benchmark]
	fn slash_proxy() -> Result<(), BenchmarkError> {
		let who = proxy::<T>(0, true);
		let origin =
			T::PenaltyOrigin::try_successful_origin().map_err(|_| BenchmarkError::Weightless)?;
		let amount = T::ProxyBond::get() / 2u32.into();

		#[extrinsic_call]
		_(origin as T::RuntimeOrigin, who.clone(), amount);

		assert_eq!(
			Proxies::<T>::get(&who).map(|p| p.bond),
			Some(T::ProxyBond::get() - amount)
		);
		Ok(())
	}

	#[benchmark]
	fn unbond_proxy() {
		let who = proxy::<T>(0, true);

		#[extrinsic_call]
		_(RawOrigin::Signed(who.clone()));

		assert!(matches!(
			Proxies::<T>::get(&who).map(|p| p.status),
			Some(ProxyStatus::Leaving(_))
		));
	}

	#[benchmark]
	fn withdraw_proxy() {
		let who = proxy::<T>(0, true);
		Pallet::<T>::unbond_proxy(RawOrigin::Signed(who.clone()).into()).expect("unbonding");
		let later =
			frame_system::Pallet::<T>::block_number().saturating_add(T::UnbondingPeriod::get());
		frame_system::Pallet::<T>::set_block_number(later);

		#[extrinsic_call]
		_(RawOrigin::Signed(who.clone()));

		assert!(!Proxies::<T>::contains_key(&who));
	}

	/// `p` proxies, each checked (read); the worst case is the most proxies.
	#[benchmark]
	fn create_grant(p: Linear<1, { T::MaxProxiesPerGrant::get() }>) {
		let owner = funded::<T>("owner", 0);
		let grantee = funded::<T>("grantee", 0);
		with_keys::<T>(&owner);
		with_keys::<T>(&grantee);
		let record = T::BenchmarkHelper::create_record(&owner);
		let entries: GrantProxiesOf<T> = (0..p)
			.map(|i| GrantProxy {
				proxy: proxy::<T>(i, true),
				kfrag_commitment: H256::repeat_byte(1),
			})
			.collect::<Vec<_>>()
			.try_into()
			.expect("p within MaxProxiesPerGrant");
		let expires_at = frame_system::Pallet::<T>::block_number().saturating_add(1_000u32.into());

		#[extrinsic_call]
		_(
			RawOrigin::Signed(owner),
			grantee,
			GrantScope::Record(record),
			entries,
			p as u8,
			expires_at,
		);

		assert!(Grants::<T>::contains_key(0));
	}

	#[benchmark]
	fn revoke_grant() {
		let (owner, _, _) = grant::<T>(1);

		#[extrinsic_call]
		_(RawOrigin::Signed(owner), 0);

		assert!(Grants::<T>::get(0).is_some_and(|g| g.revoked_at.is_some()));
	}

	/// An ended grant with `r` receipts to remove.
	#[benchmark]
	fn clear_grant(r: Linear<0, { T::MaxReceiptsPerGrant::get() }>) {
		let (owner, _, proxies) = grant::<T>(1);
		let first = proxies.first().expect("one proxy").clone();
		let now = frame_system::Pallet::<T>::block_number();
		for capsule in 0..r {
			let (attestation, signature) = signed_attestation::<T>(&first, capsule, now);
			Pallet::<T>::submit_attestation(
				RawOrigin::Signed(owner.clone()).into(),
				attestation,
				signature,
			)
			.expect("attested");
		}
		Pallet::<T>::revoke_grant(RawOrigin::Signed(owner.clone()).into(), 0).expect("revoked");
		frame_system::Pallet::<T>::set_block_number(now.saturating_add(T::RetentionPeriod::get()));

		#[extrinsic_call]
		_(RawOrigin::Signed(owner), 0);

		assert!(!Grants::<T>::contains_key(0));
	}

	/// The most proxies on the grant, the signer named last.
	#[benchmark]
	fn submit_attestation() {
		let (_, grantee, proxies) = grant::<T>(T::MaxProxiesPerGrant::get());
		let last = proxies.last().expect("at least one proxy").clone();
		let now = frame_system::Pallet::<T>::block_number();
		let (attestation, signature) = signed_attestation::<T>(&last, 0, now);

		#[extrinsic_call]
		_(RawOrigin::Signed(grantee), attestation, signature);

		assert_eq!(ReceiptCount::<T>::get(0), 1);
	}

	/// A claim of service after revocation: the signature is verified on chain, and the
	/// block the grantee had seen is looked up.
	#[benchmark]
	fn file_evidence() {
		let (owner, grantee, proxies) = grant::<T>(T::MaxProxiesPerGrant::get());
		let last = proxies.last().expect("at least one proxy").clone();
		Pallet::<T>::revoke_grant(RawOrigin::Signed(owner).into(), 0).expect("revoked");
		let now = frame_system::Pallet::<T>::block_number();
		let (attestation, signature) = signed_attestation::<T>(&last, 0, now);
		let claim = Claim::ServedAfterRevocation {
			attestation,
			signature,
		};

		#[extrinsic_call]
		_(RawOrigin::Signed(grantee), 0, last.clone(), claim);

		assert!(Cases::<T>::contains_key(0));
	}

	#[benchmark]
	fn adjudicate() -> Result<(), BenchmarkError> {
		let (_, grantee, proxies) = grant::<T>(1);
		let claim = Claim::InvalidCfrag {
			capsule_hash: H256::zero(),
			cfrag_hash: H256::zero(),
		};
		let first = proxies.first().expect("one proxy").clone();
		Pallet::<T>::file_evidence(RawOrigin::Signed(grantee).into(), 0, first, claim)
			.expect("filed");
		let origin =
			T::PenaltyOrigin::try_successful_origin().map_err(|_| BenchmarkError::Weightless)?;
		let slash = T::ProxyBond::get() / 2u32.into();

		#[extrinsic_call]
		_(origin as T::RuntimeOrigin, 0, Verdict::Uphold { slash });

		assert!(Cases::<T>::get(0).is_some_and(|c| c.outcome != Outcome::Pending));
		Ok(())
	}

	impl_benchmark_test_suite!(Pallet, crate::mock::new_bench_ext(), crate::mock::Test);
}
