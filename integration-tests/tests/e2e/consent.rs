//! Consent against a real `medchain-node --dev`: governance (sudo on the dev chain) accredits a
//! hospital as attribute authority, the hospital issues attributes, a patient guards a record
//! with a policy, a matching doctor gets a ticket, a non-matching medic is refused, a matching
//! but explicitly denied nurse is refused, the doctor's attribute expires and stops counting,
//! and the medic's break-glass access is flagged and listed for the patient. Decisions are
//! checked both through transactions (events, errors) and the `ConsentApi` runtime API.

use std::time::Duration;

use medchain_integration_tests::{
	account_id as id, api,
	consent::{
		AccessBasis, AccessDenial, AccessGranted, BreakGlassOpened, BreakGlassUse, OverrideKind,
		OverrideScope, PolicyCreated, Purpose, Review, Ticket,
	},
	content,
	records::{RecordInput, RecordRegistered},
	runtime_api, ClientAtBlock, TestNode,
};
use subxt::{transactions::Payload, utils::AccountId32};
use subxt_signer::sr25519::dev;

/// Time allowed for a submitted transaction to reach a block.
const INCLUSION_TIMEOUT: Duration = Duration::from_secs(60);
/// Time allowed for a few blocks.
const BLOCKS_TIMEOUT: Duration = Duration::from_secs(90);
/// Blocks the doctor's organisation attribute lasts.
const ORG_ATTRIBUTE_BLOCKS: u32 = 5;

const POLICY: &str = r#"  "role:cardiologist" AND "org:hospital-a" "#;
const CANONICAL: &str = r#""role:cardiologist" and "org:hospital-a""#;

async fn access(
	state: &ClientAtBlock,
	who: &AccountId32,
	record: u64,
	purpose: Purpose,
) -> Result<AccessBasis, AccessDenial> {
	runtime_api(
		state,
		api::runtime_apis()
			.consent_api()
			.access(*who, record, purpose),
	)
	.await
	.expect("ConsentApi.access")
}

async fn valid_attributes(state: &ClientAtBlock, who: &AccountId32) -> Vec<String> {
	let names = runtime_api(
		state,
		api::runtime_apis().consent_api().valid_attributes(*who),
	)
	.await
	.expect("ConsentApi.valid_attributes");
	names
		.into_iter()
		.map(|n| String::from_utf8(n).expect("ASCII"))
		.collect()
}

async fn live_ticket(state: &ClientAtBlock, who: &AccountId32, record: u64) -> Option<Ticket> {
	runtime_api(
		state,
		api::runtime_apis().consent_api().live_ticket(*who, record),
	)
	.await
	.expect("ConsentApi.live_ticket")
}

fn issue(holder: &AccountId32, attribute: &str, expires_at: Option<u32>) -> impl Payload {
	api::tx()
		.consent()
		.issue_attribute(*holder, attribute.as_bytes().to_vec(), expires_at)
}

fn request(record: u64, purpose: Purpose) -> impl Payload {
	api::tx().consent().request_access(record, purpose)
}

#[tokio::test]
async fn attribute_policy_access_and_break_glass() {
	let node = TestNode::dev()
		.await
		.expect("medchain-node --dev should start");
	let governance = dev::alice(); // the dev chain's sudo key stands in for the council
	let patient = dev::bob();
	let hospital = dev::charlie(); // attribute authority
	let doctor = dev::dave(); // cardiologist at hospital A
	let nurse = dev::eve(); // matches the policy but is denied by the patient
	let medic = dev::ferdie(); // emergency staff, does not match the policy

	// Governance accredits the hospital for its organisation and every role.
	let accredit = api::Call::Consent(api::consent::Call::accredit_authority {
		authority: id(&hospital),
		scopes: vec![b"org:hospital-a".to_vec(), b"role:*".to_vec()],
	});
	node.sudo_ok(accredit, &governance, INCLUSION_TIMEOUT)
		.await
		.expect("Root accredits the authority");

	// The hospital issues attributes.
	for (holder, attribute) in [
		(&doctor, "role:cardiologist"),
		(&nurse, "role:cardiologist"),
		(&nurse, "org:hospital-a"),
		(&medic, "role:emergency"),
	] {
		node.dispatch(&issue(&id(holder), attribute, None), &hospital)
			.await;
	}
	// An authority may only issue within its scopes.
	assert_eq!(
		node.refused(&issue(&id(&doctor), "org:hospital-b", None), &hospital)
			.await,
		"Consent::OutsideScope"
	);

	// The patient stores a policy (canonicalised on chain) and registers a record under it.
	let created = node
		.dispatch(
			&api::tx()
				.consent()
				.create_policy(POLICY.as_bytes().to_vec()),
			&patient,
		)
		.await
		.events
		.find_first::<PolicyCreated>()
		.expect("a Consent.PolicyCreated event")
		.expect("decodes");
	assert_eq!(String::from_utf8(created.canonical).unwrap(), CANONICAL);
	let policy = created.policy;
	let record = node
		.dispatch(
			&api::tx().records().register_record(
				id(&patient),
				RecordInput {
					content: content(0xC0, 2_048),
					kind: b"Observation".to_vec(),
					policy: Some(policy),
				},
			),
			&patient,
		)
		.await
		.events
		.find_first::<RecordRegistered>()
		.expect("a Records.RecordRegistered event")
		.expect("decodes")
		.record;
	// A malformed policy is refused with its reason.
	assert_eq!(
		node.refused(
			&api::tx()
				.consent()
				.create_policy(br#""a:x" and "b:y" or "c:z""#.to_vec()),
			&patient
		)
		.await,
		"Consent::MixedOperators"
	);

	// The patient denies the nurse; the doctor's organisation attribute gets an expiry.
	node.dispatch(
		&api::tx().consent().set_override(
			OverrideScope::Record(record),
			id(&nurse),
			OverrideKind::Deny,
			None,
			None,
		),
		&patient,
	)
	.await;
	let best = node.best_block().await.expect("best block").number as u32;
	let org_expiry = best + ORG_ATTRIBUTE_BLOCKS;
	let issued = node
		.dispatch(
			&issue(&id(&doctor), "org:hospital-a", Some(org_expiry)),
			&hospital,
		)
		.await;
	assert!(
		(issued.inclusion.block.number as u32) < org_expiry,
		"the attribute is issued before it expires"
	);

	// The matching doctor gets a ticket.
	let requested = node
		.dispatch(&request(record, Purpose::Treatment), &doctor)
		.await;
	let granted_at = requested.inclusion.block.number as u32;
	assert!(
		granted_at < org_expiry,
		"requested while the attribute counts"
	);
	let granted = requested
		.events
		.find_first::<AccessGranted>()
		.expect("a Consent.AccessGranted event")
		.expect("decodes");
	assert_eq!(granted.record, record);
	assert_eq!(granted.requester, id(&doctor));
	assert_eq!(granted.subject, id(&patient));
	assert_eq!(granted.basis, AccessBasis::Policy);
	let state = node.state_after(&requested).await;
	let ticket = live_ticket(&state, &id(&doctor), record)
		.await
		.expect("a live ticket");
	assert_eq!(
		(
			ticket.basis,
			ticket.purpose,
			ticket.issued_at,
			ticket.expires_at
		),
		(
			AccessBasis::Policy,
			Purpose::Treatment,
			granted_at,
			granted.expires_at
		)
	);
	assert_eq!(
		valid_attributes(&state, &id(&doctor)).await,
		vec![
			"org:hospital-a".to_string(),
			"role:cardiologist".to_string()
		]
	);

	// The medic does not match the policy; the nurse matches but is denied.
	assert_eq!(
		node.refused(&request(record, Purpose::Treatment), &medic)
			.await,
		"Consent::PolicyNotSatisfied"
	);
	assert_eq!(
		valid_attributes(&state, &id(&nurse)).await,
		vec![
			"org:hospital-a".to_string(),
			"role:cardiologist".to_string()
		],
		"the nurse holds every attribute the policy asks for"
	);
	assert_eq!(
		access(&state, &id(&nurse), record, Purpose::Treatment).await,
		Err(AccessDenial::ExplicitlyDenied)
	);
	assert_eq!(
		node.refused(&request(record, Purpose::Treatment), &nurse)
			.await,
		"Consent::ExplicitlyDenied"
	);
	assert!(
		live_ticket(&node.state_after(&requested).await, &id(&nurse), record)
			.await
			.is_none()
	);

	// Once the doctor's organisation attribute expires, the doctor no longer matches.
	node.wait_for_new_blocks(1, BLOCKS_TIMEOUT)
		.await
		.expect("blocks");
	while (node.best_block().await.expect("best").number as u32) < org_expiry {
		node.wait_for_new_blocks(1, BLOCKS_TIMEOUT)
			.await
			.expect("blocks");
	}
	assert_eq!(
		node.refused(&request(record, Purpose::Treatment), &doctor)
			.await,
		"Consent::PolicyNotSatisfied"
	);
	let best = node.best_block().await.expect("best");
	let state = node.state_at(&best).await.expect("client at best");
	assert_eq!(
		valid_attributes(&state, &id(&doctor)).await,
		vec!["role:cardiologist".to_string()]
	);
	assert_eq!(
		access(&state, &id(&doctor), record, Purpose::Treatment).await,
		Err(AccessDenial::PolicyNotSatisfied)
	);

	// Break-glass: the medic opens the record without the policy; flagged and listed.
	let opened_glass = node
		.dispatch(
			&api::tx()
				.consent()
				.break_glass(record, b"UNCONSCIOUS".to_vec()),
			&medic,
		)
		.await;
	let events = &opened_glass.events;
	let opened = events
		.find_first::<BreakGlassOpened>()
		.expect("a Consent.BreakGlassOpened event")
		.expect("decodes");
	assert_eq!((opened.record, opened.requester), (record, id(&medic)));
	assert_eq!(opened.justification, b"UNCONSCIOUS".to_vec());
	let granted = events
		.find_first::<AccessGranted>()
		.expect("a Consent.AccessGranted event")
		.expect("decodes");
	assert_eq!(
		(granted.basis, granted.purpose),
		(AccessBasis::BreakGlass, Purpose::Emergency)
	);
	let state = node.state_after(&opened_glass).await;
	let ticket = live_ticket(&state, &id(&medic), record)
		.await
		.expect("a live ticket");
	assert_eq!(
		ticket.basis,
		AccessBasis::BreakGlass,
		"the ticket is flagged"
	);
	let uses: Vec<(u64, BreakGlassUse)> = runtime_api(
		&state,
		api::runtime_apis()
			.consent_api()
			.break_glass_uses(id(&patient)),
	)
	.await
	.expect("ConsentApi.break_glass_uses");
	assert_eq!(uses.len(), 1, "listed for the patient");
	let (use_id, listed) = &uses[0];
	assert_eq!(*use_id, opened.id);
	assert_eq!(
		(listed.record, &listed.requester, listed.review),
		(record, &id(&medic), Review::Pending)
	);
	assert!(listed.deposit > 0, "held until reviewed");
}
