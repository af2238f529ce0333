//! Benchmarks (frame-benchmarking v2) for every call, each in its worst case. Access
//! evaluation is linear in the requester's attributes (`a`, each from its own authority, so
//! every one costs an authority read) and in the policy's leaves (`l`).

use super::*;
use alloc::{format, string::String, vec, vec::Vec};
use frame_benchmarking::v2::*;
use frame_support::{
	traits::{
		fungible::{Inspect, Mutate},
		EnsureOrigin, Get,
	},
	BoundedVec,
};
use frame_system::RawOrigin;
use policy::{PolicyText, MAX_ATTRIBUTE_LEN, MAX_POLICY_LEAVES, MAX_POLICY_TEXT_LEN};
use sp_runtime::Saturating;

/// Creates records and signing accounts for the benchmarks: the consent pallet only reads
/// records, and read requests carry a real signature.
pub trait BenchmarkHelper<AccountId> {
	/// Makes a live record of `subject` guarded by `policy` exist and returns its id.
	fn create_record(subject: &AccountId, policy: Option<PolicyId>) -> RecordId;
	/// Account `index` of the accounts [`BenchmarkHelper::sign`] can sign for (distinct
	/// indices give distinct accounts).
	fn signer(index: u32) -> AccountId;
	/// `signer`'s sr25519 signature of `message`.
	fn sign(signer: &AccountId, message: &[u8]) -> sp_core::sr25519::Signature;
}

/// A reader (signing account) with a live ticket for a fresh record, and the gateway that
/// serves it: a signed, recordable request. The worst case for the re-decision at read time:
/// the ticket was granted by policy, so both override lookups miss and the reader's
/// [`Config::MaxAttributesPerAccount`] attributes (each from its own authority) are validated
/// against a policy of [`MAX_POLICY_LEAVES`] leaves.
fn served_read<T: Config>() -> (
	T::AccountId,
	T::AccountId,
	ReadRequestOf<T>,
	sp_core::sr25519::Signature,
) {
	let subject = funded::<T>("subject", 0);
	let gateway = funded::<T>("gateway", 0);
	let (request, signature) = served_read_by::<T>(0, &subject, &gateway);
	(subject, gateway, request, signature)
}

/// Reader `index`'s worst-case read (as [`served_read`]) of a record of its own, guarded by a
/// policy of its own, with attributes from authorities of its own: readers of different
/// indices share no storage a decision reads but the gateway's and the subject's.
fn served_read_by<T: Config>(
	index: u32,
	subject: &T::AccountId,
	gateway: &T::AccountId,
) -> (ReadRequestOf<T>, sp_core::sr25519::Signature) {
	let reader = T::BenchmarkHelper::signer(index);
	let amount = T::TicketDeposit::get()
		.saturating_mul(10u32.into())
		.saturating_add(T::Currency::minimum_balance());
	T::Currency::set_balance(&reader, amount);
	let issuer = if index == 0 {
		authority::<T>(0)
	} else {
		account("authority", 0, 0)
	};
	for name in ["x:v0", "x:v16"] {
		Pallet::<T>::issue_attribute(
			RawOrigin::Signed(issuer.clone()).into(),
			reader.clone(),
			attribute(name),
			None,
		)
		.expect("issued");
	}
	let fillers = T::MaxAttributesPerAccount::get().saturating_sub(2);
	fill_attributes_from::<T>(&reader, fillers, index.saturating_mul(fillers));
	let policy = create_policy_as::<T>(subject, policy_with_leaves(MAX_POLICY_LEAVES));
	let record = T::BenchmarkHelper::create_record(subject, Some(policy));
	Pallet::<T>::request_access(
		RawOrigin::Signed(reader.clone()).into(),
		record,
		Purpose::Treatment,
	)
	.expect("granted");
	let request = ReadRequest {
		record,
		digest: H256::repeat_byte(7),
		reader: reader.clone(),
		gateway: gateway.clone(),
		basis: ReadBasis::Ticket,
		valid_until: frame_system::Pallet::<T>::block_number()
			.saturating_add(T::MaxReadRequestLifetime::get()),
		nonce: 1,
	};
	let signature = T::BenchmarkHelper::sign(&reader, &Pallet::<T>::read_request_message(&request));
	(request, signature)
}

fn attribute(text: &str) -> AttributeName {
	text.as_bytes()
		.to_vec()
		.try_into()
		.expect("benchmark attributes are short")
}

/// An account funded well beyond any deposit it may need.
fn funded<T: Config>(name: &'static str, index: u32) -> T::AccountId {
	let who: T::AccountId = account(name, index, 0);
	let amount = T::PolicyDepositBase::get()
		.saturating_add(T::PolicyDepositPerByte::get().saturating_mul(10_000u32.into()))
		.saturating_add(T::AttributeDeposit::get())
		.saturating_add(T::OverrideDeposit::get())
		.saturating_add(T::TicketDeposit::get())
		.saturating_add(T::BreakGlassDeposit::get())
		.saturating_mul(1_000u32.into())
		.saturating_add(T::Currency::minimum_balance());
	T::Currency::set_balance(&who, amount);
	who
}

fn governance<T: Config>() -> T::RuntimeOrigin {
	T::AuthorityOrigin::try_successful_origin().expect("the authority origin can be produced")
}

/// `count` scopes, each an attribute as long as allowed.
fn widest_scopes<T: Config>(count: u32) -> ScopesOf<T> {
	(0..count)
		.map(|i| {
			let mut pattern = format!("ns{i}:");
			while pattern.len() < MAX_ATTRIBUTE_LEN as usize {
				pattern.push('v');
			}
			attribute(&pattern)
		})
		.collect::<Vec<_>>()
		.try_into()
		.expect("count is within MaxScopesPerAuthority")
}

/// Authority `index`, accredited for `f{index}:*` (plus `x:*` and `role:*` for index 0).
fn authority<T: Config>(index: u32) -> T::AccountId {
	let who = funded::<T>("authority", index);
	let mut patterns = vec![attribute(&format!("f{index}:*"))];
	if index == 0 {
		patterns.push(attribute("x:*"));
		patterns.push(attribute("role:*"));
	}
	let scopes: ScopesOf<T> = patterns.try_into().expect("three scopes fit");
	Pallet::<T>::accredit_authority(governance::<T>(), who.clone(), scopes).expect("accredited");
	who
}

/// Gives `holder` `count` filler attributes, each from its own authority (the worst case for
/// validity checks: one authority read each).
fn fill_attributes<T: Config>(holder: &T::AccountId, count: u32) {
	fill_attributes_from::<T>(holder, count, 0)
}

/// [`fill_attributes`] from authorities `first + 1 ..= first + count`, accredited here.
fn fill_attributes_from<T: Config>(holder: &T::AccountId, count: u32, first: u32) {
	for i in first.saturating_add(1)..=first.saturating_add(count) {
		let issuer = authority::<T>(i);
		Pallet::<T>::issue_attribute(
			RawOrigin::Signed(issuer).into(),
			holder.clone(),
			attribute(&format!("f{i}:filler")),
			None,
		)
		.expect("issued");
	}
}

/// A policy of `leaves` leaves `x:v0..`, evaluated in full: `or` gates of up to 16 leaves
/// joined by `and`. A holder of `x:v0` and `x:v16` satisfies it.
fn policy_with_leaves(leaves: u32) -> PolicyText {
	let names: Vec<String> = (0..leaves).map(|i| format!("\"x:v{i}\"")).collect();
	let groups: Vec<String> = names
		.chunks(16)
		.map(|group| format!("({})", group.join(" or ")))
		.collect();
	groups
		.join(" and ")
		.into_bytes()
		.try_into()
		.expect("short policy")
}

/// A policy text of at most `length` bytes, as expensive as possible to canonicalise:
/// `2 of` gates over four long attributes, joined by `and` (expansion triples each gate).
fn policy_of_length(length: u32) -> PolicyText {
	let groups = (length / 128).clamp(1, MAX_POLICY_LEAVES / 4);
	// Bytes per group besides the four names: `2 of (`, three `, `, `)`, four pairs of quotes,
	// the ` and ` joining it to the next.
	let overhead = groups * (6 + 6 + 1 + 8 + 5);
	let name_len = (length.saturating_sub(overhead) / (4 * groups)).clamp(5, MAX_ATTRIBUTE_LEN);
	let text: Vec<String> = (0..groups)
		.map(|g| {
			let leaves: Vec<String> = (0..4)
				.map(|i| {
					let mut name = format!("g{g}:v{i}");
					while name.len() < name_len as usize {
						name.push('x');
					}
					format!("\"{name}\"")
				})
				.collect();
			format!("2 of ({})", leaves.join(", "))
		})
		.collect();
	text.join(" and ")
		.into_bytes()
		.try_into()
		.expect("within the text bound")
}

fn create_policy_as<T: Config>(owner: &T::AccountId, text: PolicyText) -> PolicyId {
	let id = NextPolicyId::<T>::get();
	Pallet::<T>::create_policy(RawOrigin::Signed(owner.clone()).into(), text)
		.expect("valid policy");
	id
}

#[benchmarks]
mod benchmarks {
	use super::*;

	#[benchmark]
	fn accredit_authority(
		s: Linear<1, { T::MaxScopesPerAuthority::get() }>,
	) -> Result<(), BenchmarkError> {
		let origin =
			T::AuthorityOrigin::try_successful_origin().map_err(|_| BenchmarkError::Weightless)?;
		let who: T::AccountId = account("authority", 0, 0);
		let scopes = widest_scopes::<T>(s);

		#[extrinsic_call]
		_(origin as T::RuntimeOrigin, who.clone(), scopes);

		assert!(Authorities::<T>::contains_key(&who));
		Ok(())
	}

	#[benchmark]
	fn suspend_authority() {
		let who = authority::<T>(0);

		#[extrinsic_call]
		_(governance::<T>() as T::RuntimeOrigin, who.clone());

		assert_eq!(
			Authorities::<T>::get(&who).map(|a| a.status),
			Some(AuthorityStatus::Suspended)
		);
	}

	#[benchmark]
	fn reinstate_authority() {
		let who = authority::<T>(0);
		Pallet::<T>::suspend_authority(governance::<T>(), who.clone()).expect("suspended");

		#[extrinsic_call]
		_(governance::<T>() as T::RuntimeOrigin, who.clone());

		assert_eq!(
			Authorities::<T>::get(&who).map(|a| a.status),
			Some(AuthorityStatus::Active)
		);
	}

	#[benchmark]
	fn withdraw_authority() -> Result<(), BenchmarkError> {
		let who = authority::<T>(0);
		// Worst case: a key commitment to remove as well.
		Pallet::<T>::publish_abe_key(RawOrigin::Signed(who.clone()).into(), H256::repeat_byte(1))?;

		#[extrinsic_call]
		_(governance::<T>() as T::RuntimeOrigin, who.clone());

		assert!(!Authorities::<T>::contains_key(&who));
		assert!(!AbeKeys::<T>::contains_key(&who));
		Ok(())
	}

	/// Worst case: a rotation (a commitment is already stored).
	#[benchmark]
	fn publish_abe_key() -> Result<(), BenchmarkError> {
		let who = authority::<T>(0);
		Pallet::<T>::publish_abe_key(RawOrigin::Signed(who.clone()).into(), H256::repeat_byte(1))?;

		#[extrinsic_call]
		_(RawOrigin::Signed(who.clone()), H256::repeat_byte(2));

		assert_eq!(AbeKeys::<T>::get(&who).map(|key| key.version), Some(2));
		Ok(())
	}

	/// The holder already has `a` attributes; the new one is inserted in front (sorted).
	#[benchmark]
	fn issue_attribute(a: Linear<0, { T::MaxAttributesPerAccount::get() - 1 }>) {
		let issuer = authority::<T>(0);
		let holder: T::AccountId = account("holder", 0, 0);
		fill_attributes::<T>(&holder, a);
		let name = attribute("role:a");

		#[extrinsic_call]
		_(
			RawOrigin::Signed(issuer),
			holder.clone(),
			name.clone(),
			None,
		);

		assert!(Attributes::<T>::get(&holder).iter().any(|h| h.name == name));
	}

	#[benchmark]
	fn revoke_attribute(a: Linear<1, { T::MaxAttributesPerAccount::get() }>) {
		let issuer = authority::<T>(0);
		let holder: T::AccountId = account("holder", 0, 0);
		fill_attributes::<T>(&holder, a - 1);
		let name = attribute("role:a");
		Pallet::<T>::issue_attribute(
			RawOrigin::Signed(issuer.clone()).into(),
			holder.clone(),
			name.clone(),
			None,
		)
		.expect("issued");

		#[extrinsic_call]
		_(RawOrigin::Signed(issuer), holder.clone(), name.clone());

		assert!(!Attributes::<T>::get(&holder).iter().any(|h| h.name == name));
	}

	/// A stranger removes an expired attribute (the check reads the issuer too).
	#[benchmark]
	fn remove_attribute(a: Linear<1, { T::MaxAttributesPerAccount::get() }>) {
		let issuer = authority::<T>(0);
		let holder: T::AccountId = account("holder", 0, 0);
		fill_attributes::<T>(&holder, a - 1);
		let name = attribute("role:a");
		let now = frame_system::Pallet::<T>::block_number();
		let expiry = now.saturating_add(1u32.into());
		Pallet::<T>::issue_attribute(
			RawOrigin::Signed(issuer).into(),
			holder.clone(),
			name.clone(),
			Some(expiry),
		)
		.expect("issued");
		frame_system::Pallet::<T>::set_block_number(expiry);
		let stranger = funded::<T>("stranger", 0);

		#[extrinsic_call]
		_(RawOrigin::Signed(stranger), holder.clone(), name.clone());

		assert!(!Attributes::<T>::get(&holder).iter().any(|h| h.name == name));
	}

	#[benchmark]
	fn create_policy(t: Linear<64, MAX_POLICY_TEXT_LEN>) {
		let owner = funded::<T>("owner", 0);
		let text = policy_of_length(t);

		#[extrinsic_call]
		_(RawOrigin::Signed(owner), text);

		assert!(Policies::<T>::contains_key(0));
	}

	#[benchmark]
	fn remove_policy() {
		let owner = funded::<T>("owner", 0);
		let id = create_policy_as::<T>(&owner, policy_of_length(MAX_POLICY_TEXT_LEN));

		#[extrinsic_call]
		_(RawOrigin::Signed(owner), id);

		assert!(!Policies::<T>::contains_key(id));
	}

	#[benchmark]
	fn set_override() {
		let subject = funded::<T>("subject", 0);
		let record = T::BenchmarkHelper::create_record(&subject, None);
		let account: T::AccountId = account("doctor", 0, 0);

		#[extrinsic_call]
		_(
			RawOrigin::Signed(subject.clone()),
			OverrideScope::Record(record),
			account.clone(),
			OverrideKind::Allow,
			Some(Purpose::Treatment),
			None,
		);

		assert!(Overrides::<T>::contains_key((
			&subject,
			OverrideScope::Record(record),
			&account
		)));
	}

	#[benchmark]
	fn remove_override() {
		let subject = funded::<T>("subject", 0);
		let account: T::AccountId = account("doctor", 0, 0);
		Pallet::<T>::set_override(
			RawOrigin::Signed(subject.clone()).into(),
			OverrideScope::AllRecords,
			account.clone(),
			OverrideKind::Deny,
			None,
			None,
		)
		.expect("set");

		#[extrinsic_call]
		_(
			RawOrigin::Signed(subject.clone()),
			OverrideScope::AllRecords,
			account.clone(),
		);

		assert!(!Overrides::<T>::contains_key((
			&subject,
			OverrideScope::AllRecords,
			&account
		)));
	}

	/// Granted by policy after both override lookups miss: `a` attributes to validate, a
	/// policy of `l` leaves to evaluate, a new ticket to store.
	#[benchmark]
	fn request_access(
		a: Linear<2, { T::MaxAttributesPerAccount::get() }>,
		l: Linear<1, MAX_POLICY_LEAVES>,
	) {
		let subject = funded::<T>("subject", 0);
		let requester = funded::<T>("doctor", 0);
		let issuer = authority::<T>(0);
		for name in ["x:v0", "x:v16"] {
			Pallet::<T>::issue_attribute(
				RawOrigin::Signed(issuer.clone()).into(),
				requester.clone(),
				attribute(name),
				None,
			)
			.expect("issued");
		}
		fill_attributes::<T>(&requester, a - 2);
		let policy = create_policy_as::<T>(&subject, policy_with_leaves(l));
		let record = T::BenchmarkHelper::create_record(&subject, Some(policy));

		#[extrinsic_call]
		_(
			RawOrigin::Signed(requester.clone()),
			record,
			Purpose::Treatment,
		);

		assert!(Tickets::<T>::contains_key(&requester, record));
	}

	#[benchmark]
	fn close_ticket() {
		let subject = funded::<T>("subject", 0);
		let requester = funded::<T>("doctor", 0);
		let record = T::BenchmarkHelper::create_record(&subject, None);
		Pallet::<T>::set_override(
			RawOrigin::Signed(subject).into(),
			OverrideScope::AllRecords,
			requester.clone(),
			OverrideKind::Allow,
			None,
			None,
		)
		.expect("allowed");
		Pallet::<T>::request_access(
			RawOrigin::Signed(requester.clone()).into(),
			record,
			Purpose::Treatment,
		)
		.expect("granted");
		let expiry =
			frame_system::Pallet::<T>::block_number().saturating_add(T::TicketLifetime::get());
		frame_system::Pallet::<T>::set_block_number(expiry);
		let stranger = funded::<T>("stranger", 0);

		#[extrinsic_call]
		_(RawOrigin::Signed(stranger), requester.clone(), record);

		assert!(!Tickets::<T>::contains_key(&requester, record));
	}

	#[benchmark]
	fn break_glass(a: Linear<1, { T::MaxAttributesPerAccount::get() }>) {
		let subject = funded::<T>("subject", 0);
		let medic = funded::<T>("medic", 0);
		let issuer = authority::<T>(0);
		Pallet::<T>::accredit_authority(
			governance::<T>(),
			issuer.clone(),
			vec![attribute("x:*"), T::EmergencyAttribute::get()]
				.try_into()
				.expect("two scopes fit"),
		)
		.expect("re-accredited");
		Pallet::<T>::issue_attribute(
			RawOrigin::Signed(issuer).into(),
			medic.clone(),
			T::EmergencyAttribute::get(),
			None,
		)
		.expect("issued");
		fill_attributes::<T>(&medic, a - 1);
		let record = T::BenchmarkHelper::create_record(&subject, None);
		let justification: JustificationCode = b"UNCONSCIOUS".to_vec().try_into().expect("short");

		#[extrinsic_call]
		_(RawOrigin::Signed(medic.clone()), record, justification);

		assert!(Tickets::<T>::contains_key(&medic, record));
		assert_eq!(Pallet::<T>::break_glass_uses(&subject).len(), 1);
	}

	#[benchmark]
	fn review_break_glass() {
		let subject = funded::<T>("subject", 0);
		let medic = funded::<T>("medic", 0);
		let issuer = authority::<T>(0);
		Pallet::<T>::accredit_authority(
			governance::<T>(),
			issuer.clone(),
			vec![T::EmergencyAttribute::get()]
				.try_into()
				.expect("one scope fits"),
		)
		.expect("re-accredited");
		Pallet::<T>::issue_attribute(
			RawOrigin::Signed(issuer).into(),
			medic.clone(),
			T::EmergencyAttribute::get(),
			None,
		)
		.expect("issued");
		let record = T::BenchmarkHelper::create_record(&subject, None);
		let justification: JustificationCode = b"UNCONSCIOUS".to_vec().try_into().expect("short");
		Pallet::<T>::break_glass(RawOrigin::Signed(medic).into(), record, justification)
			.expect("opened");

		#[extrinsic_call]
		_(
			RawOrigin::Signed(subject.clone()),
			subject.clone(),
			0,
			Verdict::Dispute,
		);

		assert_eq!(
			BreakGlassLog::<T>::get(&subject, 0).map(|u| u.review),
			Some(Review::Disputed)
		);
	}

	/// A read under a ticket granted by policy, decided again at this block: signature
	/// check, record, ticket, both override lookups, every attribute and its authority, the
	/// policy, the hold. The grant path (two override lookups, the grant, the record's
	/// deny lookups in key grants) reads less than this worst case.
	#[benchmark]
	fn record_read() {
		let (subject, gateway, request, signature) = served_read::<T>();

		#[extrinsic_call]
		_(RawOrigin::Signed(gateway), request, signature);

		assert_eq!(Pallet::<T>::read_receipts(&subject).len(), 1);
	}

	/// A batch of `n` served reads, each the worst case of [`record_read`](Self::record_read)
	/// by a reader of its own (its own record, policy and attribute authorities, so no read
	/// finds what another read already brought into the block's storage cache). The call
	/// refunds what each read's decision did not look at.
	#[benchmark]
	fn record_reads(n: Linear<1, { T::MaxReadsPerBatch::get() }>) {
		let gateway = funded::<T>("gateway", 0);
		let deposits = T::ReadReceiptDeposit::get().saturating_mul(n.into());
		T::Currency::set_balance(
			&gateway,
			T::Currency::balance(&gateway).saturating_add(deposits),
		);
		// A gateway serves many patients: each read's record has a subject of its own.
		let subjects: Vec<T::AccountId> =
			(0..n).map(|index| funded::<T>("subject", index)).collect();
		let reads: Vec<_> = subjects
			.iter()
			.zip(0..n)
			.map(|(subject, index)| served_read_by::<T>(index, subject, &gateway))
			.collect();
		let reads: BoundedVec<_, T::MaxReadsPerBatch> =
			reads.try_into().expect("n is within the bound");

		#[extrinsic_call]
		_(RawOrigin::Signed(gateway), reads);

		for subject in &subjects {
			let receipts = Pallet::<T>::read_receipts(subject);
			assert_eq!(receipts.len(), 1);
			assert!(receipts
				.iter()
				.all(|(_, receipt)| receipt.refused.is_none()));
		}
	}

	/// A stranger clears a receipt past retention.
	#[benchmark]
	fn clear_read_receipt() {
		let (subject, gateway, request, signature) = served_read::<T>();
		Pallet::<T>::record_read(RawOrigin::Signed(gateway).into(), request, signature)
			.expect("recorded");
		let (receipt, stored) = Pallet::<T>::read_receipts(&subject)
			.pop()
			.expect("one receipt");
		frame_system::Pallet::<T>::set_block_number(
			stored
				.recorded_at
				.saturating_add(T::ReceiptRetention::get()),
		);
		let stranger = funded::<T>("stranger", 0);

		#[extrinsic_call]
		_(RawOrigin::Signed(stranger), subject.clone(), receipt);

		assert!(Pallet::<T>::read_receipts(&subject).is_empty());
	}

	impl_benchmark_test_suite!(Pallet, crate::mock::new_bench_ext(), crate::mock::Test);
}
