//! The record registry against a real `medchain-node --dev`: a patient authorises a hospital
//! as custodian, the hospital registers a record and appends a version, an unauthorised account
//! and the custodian are refused what only the patient may do, the patient erases the record,
//! and the `RecordsApi` runtime API reports the history and then the tombstone. Deposits are
//! checked in balances at each step.

use std::time::Duration;

use medchain_integration_tests::{
	api, constant, content, has_event,
	records::{
		ContentInput, CustodianScope, Record, RecordErased, RecordInput, RecordRegistered,
		RecordView, Tombstone, Version, VersionAppended, VersionStatus,
	},
	reserved_balance, runtime_api, ClientAtBlock, Dispatched, Inclusion, TestNode,
};
use subxt::utils::AccountId32;
use subxt_signer::sr25519::dev;

/// Time allowed for a submitted transaction to reach a block.
const INCLUSION_TIMEOUT: Duration = Duration::from_secs(60);

async fn at(node: &TestNode, inclusion: &Inclusion) -> ClientAtBlock {
	node.state_at(&inclusion.block)
		.await
		.expect("client at the inclusion block")
}

async fn record_view(client: &ClientAtBlock, id: u64) -> Option<RecordView> {
	runtime_api(client, api::runtime_apis().records_api().record(id))
		.await
		.expect("RecordsApi.record")
}

async fn records_of(client: &ClientAtBlock, subject: &AccountId32) -> Vec<(u64, Record)> {
	runtime_api(
		client,
		api::runtime_apis()
			.records_api()
			.records_of(*subject, None, 100),
	)
	.await
	.expect("RecordsApi.records_of")
}

#[tokio::test]
async fn custodian_registers_versions_and_patient_erases() {
	let node = TestNode::dev()
		.await
		.expect("medchain-node --dev should start");
	let patient = dev::bob();
	let hospital = dev::charlie();
	let stranger = dev::dave();
	let patient_id = patient.public_key().to_account_id();
	let hospital_id = hospital.public_key().to_account_id();

	let start = node.client().at_current_block().await.expect("client");
	let version_deposit = constant(&start, api::constants().records().version_deposit());
	let custodian_deposit = constant(&start, api::constants().records().custodian_deposit());
	assert!(
		version_deposit > 0 && custodian_deposit > 0,
		"deposits guard state"
	);
	let patient_held = reserved_balance(&start, &patient_id).await.unwrap();
	let hospital_held = reserved_balance(&start, &hospital_id).await.unwrap();

	// The patient authorises the hospital for observations.
	let authorize = api::tx().records().authorize_custodian(
		hospital_id,
		CustodianScope::Kinds(vec![b"Observation".to_vec()]),
		None,
	);
	let Dispatched { inclusion, events } = node
		.submit_ok(&authorize, &patient, INCLUSION_TIMEOUT)
		.await
		.expect("authorize_custodian included and authorised");
	assert!(has_event::<api::records::events::CustodianAuthorized>(
		&events
	));
	let state = at(&node, &inclusion).await;
	assert_eq!(
		reserved_balance(&state, &patient_id).await.unwrap(),
		patient_held + custodian_deposit,
		"the patient holds the custodian deposit"
	);

	// Someone the patient never authorised cannot write into the patient's record set.
	let first = content(0xA1, 4_096);
	let register = api::tx().records().register_record(
		patient_id,
		RecordInput {
			content: first.clone(),
			kind: b"Observation".to_vec(),
			policy: None,
		},
	);
	let refused = node
		.submit_failing(&register, &stranger, INCLUSION_TIMEOUT)
		.await
		.expect("a stranger may not register records for the patient");
	assert_eq!(refused, "Records::NotAuthorized");

	// The authorised hospital registers the record.
	let Dispatched { inclusion, events } = node
		.submit_ok(&register, &hospital, INCLUSION_TIMEOUT)
		.await
		.expect("register_record included and registered");
	let registered = events
		.find_first::<RecordRegistered>()
		.expect("a Records.RecordRegistered event")
		.expect("RecordRegistered decodes");
	let id = registered.record;
	assert_eq!(
		registered,
		RecordRegistered {
			record: id,
			subject: patient_id,
			custodian: hospital_id,
			kind: b"Observation".to_vec(),
			cid: first.cid.clone(),
			digest: first.digest,
			policy: None,
		}
	);
	let registered_at = u32::try_from(inclusion.block.number).expect("block number fits u32");

	// The hospital appends a corrected version.
	let second = content(0xB2, 5_120);
	let append = api::tx().records().append_version(id, second.clone());
	let Dispatched { inclusion, events } = node
		.submit_ok(&append, &hospital, INCLUSION_TIMEOUT)
		.await
		.expect("append_version included and appended");
	let appended = events
		.find_first::<VersionAppended>()
		.expect("a Records.VersionAppended event")
		.expect("VersionAppended decodes");
	assert_eq!(
		appended,
		VersionAppended {
			record: id,
			version: 2,
			custodian: hospital_id,
			cid: second.cid.clone(),
			digest: second.digest,
		}
	);
	let appended_at = u32::try_from(inclusion.block.number).expect("block number fits u32");

	// The runtime API shows the history: version 1 superseded, version 2 active.
	let state = at(&node, &inclusion).await;
	let view = record_view(&state, id).await.expect("the record exists");
	let version = |c: &ContentInput, at: u32, previous, status| Version {
		cid: c.cid.clone(),
		digest: c.digest,
		size: c.size,
		scheme: c.scheme,
		custodian: hospital_id,
		deposit: version_deposit,
		created_at: at,
		previous,
		status,
	};
	let record = Record {
		subject: patient_id,
		kind: b"Observation".to_vec(),
		policy: None,
		created_at: registered_at,
		updated_at: appended_at,
		current_version: 2,
		__ignore: Default::default(),
	};
	assert_eq!(
		view,
		RecordView::Live {
			record: record.clone(),
			versions: vec![
				version(&first, registered_at, None, VersionStatus::Superseded),
				version(&second, appended_at, Some(1), VersionStatus::Active),
			],
		}
	);
	assert_eq!(records_of(&state, &patient_id).await, vec![(id, record)]);
	assert_eq!(
		reserved_balance(&state, &hospital_id).await.unwrap(),
		hospital_held + 2 * version_deposit,
		"the writer holds one deposit per stored version"
	);

	// Only the patient may erase: the custodian is refused.
	let erase = api::tx().records().erase_record(id);
	let refused = node
		.submit_failing(&erase, &hospital, INCLUSION_TIMEOUT)
		.await
		.expect("a custodian may not erase");
	assert_eq!(refused, "Records::NotSubject");

	// The patient erases the record: every CID is announced for deletion and leaves state.
	let Dispatched { inclusion, events } = node
		.submit_ok(&erase, &patient, INCLUSION_TIMEOUT)
		.await
		.expect("erase_record included and erased");
	let erased = events
		.find_first::<RecordErased>()
		.expect("a Records.RecordErased event")
		.expect("RecordErased decodes");
	assert_eq!(
		erased,
		RecordErased {
			record: id,
			subject: patient_id,
			cids: vec![first.cid.clone(), second.cid.clone()],
		}
	);
	let erased_at = u32::try_from(inclusion.block.number).expect("block number fits u32");
	let state = at(&node, &inclusion).await;
	assert_eq!(
		record_view(&state, id).await,
		Some(RecordView::Erased(Tombstone {
			subject: patient_id,
			digest: second.digest,
			versions: 2,
			erased_at,
		}))
	);
	assert!(records_of(&state, &patient_id).await.is_empty());
	assert_eq!(
		reserved_balance(&state, &hospital_id).await.unwrap(),
		hospital_held,
		"erasure returns the writer's deposits"
	);
	// Raw storage agrees: no live entry and no version (with its CID) is left.
	let live = state
		.storage()
		.try_fetch(api::storage().records().records(), (id,))
		.await
		.expect("reading Records.Records");
	assert!(live.is_none(), "Records.Records({id}) is gone");
	for number in 1..=2u32 {
		let version = state
			.storage()
			.try_fetch(api::storage().records().versions(), (id, number))
			.await
			.expect("reading Records.Versions");
		assert!(
			version.is_none(),
			"Records.Versions({id}, {number}) is gone"
		);
	}
	assert!(
		record_view(&state, id + 1).await.is_none(),
		"an id never assigned has no view"
	);
}
