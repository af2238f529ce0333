//! Benchmarks (frame-benchmarking v2) for every call, each in its worst case.

use super::*;
use alloc::vec;
use frame_benchmarking::v2::*;
use frame_support::{
	traits::{
		fungible::{Inspect, Mutate},
		Get,
	},
	BoundedVec,
};
use frame_system::RawOrigin;
use sp_runtime::Saturating;

/// A valid CIDv1 (raw, sha2-256) whose digest starts with `seed`: distinct seeds give
/// distinct CIDs, as the registry requires.
fn content(seed: u32) -> ContentInput {
	let mut digest = [0xAB; 32];
	digest[..4].copy_from_slice(&seed.to_le_bytes());
	let cid = medchain_primitives::cid_v1_raw_sha2_256(&digest);
	ContentInput {
		cid: cid.try_into().expect("36 bytes fit"),
		digest: H256(digest),
		size: 1 << 20,
		scheme: EncryptionScheme::AeadCpAbeAndPre,
	}
}

/// The longest valid kind, so that scope checks compare whole bounded strings.
fn longest_kind(tag: u8) -> RecordKind {
	let mut kind = vec![b'K'; MAX_KIND_LEN as usize];
	kind[MAX_KIND_LEN as usize - 1] = b'A' + (tag % 26);
	kind.try_into().expect("bounded length")
}

/// An account funded well beyond any deposit it may need.
fn funded<T: Config>(name: &'static str, index: u32) -> T::AccountId {
	fund::<T>(account(name, index, 0))
}

/// The signer of the measured call, funded: `whitelisted_caller`, whose `System::Account` the
/// benchmarks do not count, as FRAME's own benchmarks do, because the transaction fee has
/// already read and written it (the fee extension's weight pays for that) before the call.
fn funded_signer<T: Config>() -> T::AccountId {
	fund::<T>(whitelisted_caller())
}

/// Funds `who` well beyond any deposit it may need.
fn fund<T: Config>(who: T::AccountId) -> T::AccountId {
	let amount = T::VersionDeposit::get()
		.saturating_add(T::CustodianDeposit::get())
		.saturating_add(T::AnchorDeposit::get())
		.saturating_mul(1_000u32.into())
		.saturating_add(T::Currency::minimum_balance());
	T::Currency::set_balance(&who, amount);
	who
}

/// The widest custodian scope: the most kinds, the wanted one listed last.
fn widest_scope<T: Config>(wanted: &RecordKind) -> CustodianScopeOf<T> {
	let max = T::MaxScopeKinds::get();
	let mut kinds: alloc::vec::Vec<RecordKind> = (0..max.saturating_sub(1))
		.map(|i| longest_kind(i as u8 + 1))
		.collect();
	kinds.push(wanted.clone());
	CustodianScope::Kinds(kinds.try_into().expect("MaxScopeKinds entries"))
}

/// `patient` authorises `custodian` with the widest scope, `kind` listed last.
fn authorize_widest<T: Config>(
	patient: &T::AccountId,
	custodian: &T::AccountId,
	kind: &RecordKind,
) {
	Pallet::<T>::authorize_custodian(
		RawOrigin::Signed(patient.clone()).into(),
		custodian.clone(),
		widest_scope::<T>(kind),
		None,
	)
	.expect("authorised");
}

/// Patient and custodian, the custodian authorised with the widest scope; `signer` says which
/// of the two signs the measured call (and is the whitelisted caller).
fn patient_and_custodian<T: Config>(signer: Signer) -> (T::AccountId, T::AccountId, RecordKind) {
	let (patient, custodian) = match signer {
		Signer::Patient => (funded_signer::<T>(), funded::<T>("custodian", 0)),
		Signer::Custodian => (funded::<T>("patient", 0), funded_signer::<T>()),
	};
	let kind = longest_kind(0);
	authorize_widest::<T>(&patient, &custodian, &kind);
	(patient, custodian, kind)
}

/// Who signs the measured call.
enum Signer {
	Patient,
	Custodian,
}

/// Signer, subject and record of a registration: the patient's own (`Signer::Patient`) or by
/// a custodian authorised with the widest scope, the record with its own policy or none.
fn registration<T: Config>(
	signer: Signer,
	with_policy: bool,
) -> (T::AccountId, T::AccountId, RecordInputOf<T>) {
	let kind = longest_kind(0);
	let (signer, subject) = match signer {
		Signer::Patient => {
			let patient = funded_signer::<T>();
			(patient.clone(), patient)
		}
		Signer::Custodian => {
			let (patient, custodian, _) = patient_and_custodian::<T>(Signer::Custodian);
			(custodian, patient)
		}
	};
	(signer, subject, record_with::<T>(&kind, 1, with_policy))
}

/// Provides what the record registry's benchmarks need from other pallets.
pub trait BenchmarkHelper<PolicyId> {
	/// An existing consent policy, a different one for each `index` (created on first use).
	fn policy(index: u32) -> PolicyId;
}

/// A record guarded by policy 0: registering it checks the policy exists and counts the
/// record as its user.
fn record_input<T: Config>(kind: &RecordKind, seed: u32) -> RecordInputOf<T> {
	record_with::<T>(kind, seed, true)
}

/// A record guarded by its own policy (`seed`'s) if `with_policy`, or by none.
fn record_with<T: Config>(kind: &RecordKind, seed: u32, with_policy: bool) -> RecordInputOf<T> {
	RecordInput {
		content: content(seed),
		kind: kind.clone(),
		policy: with_policy.then(|| T::BenchmarkHelper::policy(seed)),
	}
}

#[benchmarks]
mod benchmarks {
	use super::*;

	#[benchmark]
	fn authorize_custodian() {
		let patient = funded_signer::<T>();
		let custodian = funded::<T>("custodian", 0);
		let scope = widest_scope::<T>(&longest_kind(0));

		#[extrinsic_call]
		_(
			RawOrigin::Signed(patient.clone()),
			custodian.clone(),
			scope,
			None,
		);

		assert!(Custodians::<T>::contains_key(&patient, &custodian));
	}

	#[benchmark]
	fn revoke_custodian() {
		let (patient, custodian, _) = patient_and_custodian::<T>(Signer::Patient);

		#[extrinsic_call]
		_(RawOrigin::Signed(patient.clone()), custodian.clone());

		assert!(!Custodians::<T>::contains_key(&patient, &custodian));
	}

	// Written by a custodian whose scope is checked to its last kind, the record guarded by a
	// policy (checked to exist, its user count written): the worst case.
	#[benchmark]
	fn register_record() {
		let (signer, patient, record) = registration::<T>(Signer::Custodian, true);

		#[extrinsic_call]
		_(RawOrigin::Signed(signer), patient.clone(), record);

		assert!(SubjectRecords::<T>::contains_key(&patient, 0));
	}

	// Written by a custodian, no policy.
	#[benchmark]
	fn register_record_without_policy() {
		let (signer, patient, record) = registration::<T>(Signer::Custodian, false);

		#[extrinsic_call]
		register_record(RawOrigin::Signed(signer), patient.clone(), record);

		assert!(SubjectRecords::<T>::contains_key(&patient, 0));
	}

	// A patient registering its own record: no authorisation to read or scope to check.
	#[benchmark]
	fn register_own_record() {
		let (signer, patient, record) = registration::<T>(Signer::Patient, true);

		#[extrinsic_call]
		register_record(RawOrigin::Signed(signer), patient.clone(), record);

		assert!(SubjectRecords::<T>::contains_key(&patient, 0));
	}

	// A patient registering its own record, no policy.
	#[benchmark]
	fn register_own_record_without_policy() {
		let (signer, patient, record) = registration::<T>(Signer::Patient, false);

		#[extrinsic_call]
		register_record(RawOrigin::Signed(signer), patient.clone(), record);

		assert!(SubjectRecords::<T>::contains_key(&patient, 0));
	}

	// One record per patient, each patient having authorised the custodian: every entry pays
	// the full authorisation check and touches its own subject's index. `n`
	// records have no policy, `p` records each have their own (a hospital writing for many
	// patients names each patient's policy), so every policy is read and counted apart. Each
	// component covers half a batch; the weight is linear in both.
	#[benchmark]
	fn register_records(
		n: Linear<1, { T::MaxBatchSize::get() / 2 }>,
		p: Linear<0, { T::MaxBatchSize::get() / 2 }>,
	) {
		let custodian = funded_signer::<T>();
		let kind = longest_kind(0);
		let batch: BoundedVec<_, T::MaxBatchSize> = (0..n.saturating_add(p))
			.map(|i| {
				let patient = funded::<T>("patient", i);
				authorize_widest::<T>(&patient, &custodian, &kind);
				(patient, record_with::<T>(&kind, i, i >= n))
			})
			.collect::<alloc::vec::Vec<_>>()
			.try_into()
			.expect("n + p <= MaxBatchSize");

		#[extrinsic_call]
		_(RawOrigin::Signed(custodian), batch);

		assert_eq!(NextRecordId::<T>::get(), u64::from(n.saturating_add(p)));
	}

	#[benchmark]
	fn append_version() {
		let (patient, custodian, kind) = patient_and_custodian::<T>(Signer::Custodian);
		Pallet::<T>::register_record(
			RawOrigin::Signed(custodian.clone()).into(),
			patient,
			record_input::<T>(&kind, 1),
		)
		.expect("registered");

		#[extrinsic_call]
		_(RawOrigin::Signed(custodian), 0, content(2));

		assert_eq!(
			Records::<T>::get(0).map(|r| r.record.current_version),
			Some(2)
		);
	}

	#[benchmark]
	fn set_policy() {
		let (patient, custodian, kind) = patient_and_custodian::<T>(Signer::Patient);
		Pallet::<T>::register_record(
			RawOrigin::Signed(custodian).into(),
			patient.clone(),
			record_input::<T>(&kind, 1),
		)
		.expect("registered");

		let policy = T::BenchmarkHelper::policy(0);

		// Setting a policy checks that it exists, moves the record between policy counts and
		// anchors the re-sealed version.
		#[extrinsic_call]
		_(RawOrigin::Signed(patient), 0, Some(policy), content(2));

		assert_eq!(
			Records::<T>::get(0).and_then(|r| r.record.policy),
			Some(policy)
		);
		assert_eq!(
			Records::<T>::get(0).map(|r| r.record.current_version),
			Some(2)
		);
	}

	#[benchmark]
	fn erase_record(v: Linear<1, { T::MaxVersionsPerRecord::get() }>) {
		let (patient, custodian, kind) = patient_and_custodian::<T>(Signer::Patient);
		Pallet::<T>::register_record(
			RawOrigin::Signed(custodian.clone()).into(),
			patient.clone(),
			record_input::<T>(&kind, 0),
		)
		.expect("registered");
		for seed in 1..v {
			Pallet::<T>::append_version(
				RawOrigin::Signed(custodian.clone()).into(),
				0,
				content(seed),
			)
			.expect("appended");
		}

		#[extrinsic_call]
		_(RawOrigin::Signed(patient), 0);

		assert!(Tombstones::<T>::contains_key(0));
	}

	#[benchmark]
	fn anchor_batch() {
		let custodian = funded_signer::<T>();

		#[extrinsic_call]
		_(RawOrigin::Signed(custodian), H256::repeat_byte(1), u32::MAX);

		assert!(Anchors::<T>::contains_key(0));
	}

	#[benchmark]
	fn remove_anchor() {
		let custodian = funded_signer::<T>();
		Pallet::<T>::anchor_batch(RawOrigin::Signed(custodian.clone()).into(), H256::zero(), 1)
			.expect("anchored");

		#[extrinsic_call]
		_(RawOrigin::Signed(custodian), 0);

		assert!(!Anchors::<T>::contains_key(0));
	}

	impl_benchmark_test_suite!(Pallet, crate::mock::new_bench_ext(), crate::mock::Test);
}
