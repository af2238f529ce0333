//! Attacks on the sharing path, each tried against a real `medchain-node --dev`, a real
//! `medchain-gateway` and the `medchain` CLI, each asserting the specific refusal:
//!
//! 1. **CID aliasing.** Mallory, unrelated to the patient, names the patient's CID for a record
//!    about herself, or as a new version of her own record: `Records::CidInUse`. She erases
//!    her own record: the gateway keeps the patient's blob, and the patient still reads it
//!    byte-identical. `RecordsApi.content_anchor` names the patient's record.
//! 2. **A deny ends a live ticket at once.** The doctor, explicitly allowed, gets a ticket and
//!    is served the envelope. The patient denies the doctor: at the next block
//!    `ConsentApi.live_ticket` is `None` and the gateway refuses a fresh signed read under the
//!    unexpired ticket (`403 not-allowed`, with the chain's reason from
//!    `ConsentApi.check_read`: `Consent::ExplicitlyDenied`); the chain refuses a new ticket
//!    (`Consent::ExplicitlyDenied`).
//! 3. **A shared policy cannot be removed from under another patient's record**:
//!    `Consent::PolicyInUse`.
//! 4. **Uploads are bound to writers**: Mallory's signed upload for the patient is refused
//!    (`403 not-a-writer`); an envelope she uploads for herself but never anchors on chain is
//!    swept after the grace period; anchored blobs stay.
//! 5. **An unreadable erase cursor stops the gateway** with recovery advice instead of silently
//!    skipping erasures; `--rescan-erasures-from 0` recovers, and the rescan (every erasure
//!    since genesis again) still keeps the patient's blob.
//! 6. **A flooding client is rate limited** per address (`429 rate-limited`, `Retry-After`).
//! 7. **A grant reaches only the records in its scope.** The patient grants the doctor one
//!    record; the doctor's signed read of another record under that grant is refused by the
//!    gateway (`403 not-allowed`, matched on the typed code, with the chain's reason
//!    `Consent::GrantNotActive`), while the same read of the granted record is served.
//!
//! The gateway checks a read request's signature locally, before any node round trip; the
//! bytes it checks are asserted equal to `ConsentApi.read_request_message`.

use std::{io::Write, time::Duration};

use medchain_client::{
	chain::{
		api, consent,
		consent::{OverrideKind, OverrideScope, Purpose, ReadBasis, Ticket},
		key_grants::{GrantCreated, GrantProxy, GrantScope},
		records::{ContentInput, RecordInput, RecordRegistered},
		Chain,
	},
	flows,
	keystore::Keystore,
	protocol::{no_progress, ErrorCode, GatewayClient},
};
use medchain_integration_tests::{
	actors::{binary, sudo, Actor, GatewayProcess, PASSPHRASE, TIMEOUT},
	content, TestNode,
};
use rand::RngCore;
use subxt::utils::{AccountId32, H256};
use subxt_signer::sr25519::dev;

/// Seconds a blob may sit in the gateway without a live version naming it: short for the
/// test, but longer than an upload's registration takes to reach a block (a few 6 s blocks).
const GRACE_SECS: u64 = 24;

/// Polls `check` every 200 ms until it holds or `timeout` passes.
async fn eventually(what: &str, timeout: Duration, mut check: impl FnMut() -> bool) {
	let started = std::time::Instant::now();
	while !check() {
		assert!(started.elapsed() < timeout, "timed out waiting for {what}");
		tokio::time::sleep(Duration::from_millis(200)).await;
	}
}

/// The gateway's erase cursor (last finalised block it scanned), if written and readable.
fn erase_cursor(gateway: &GatewayProcess) -> Option<u64> {
	std::fs::read_to_string(gateway.data.join("erase-cursor"))
		.ok()
		.and_then(|text| text.trim().parse().ok())
}

#[tokio::test]
async fn attacks_on_the_sharing_path_are_refused() {
	let node = TestNode::dev().await.expect("dev node");
	let dir = tempfile::tempdir().unwrap();
	let d = dir.path();
	let chain = Chain::connect(node.ws_url()).await.unwrap();
	let none = "http://127.0.0.1:9"; // commands that need no gateway

	let patient = Actor::new(&node, d, "patient", "//Bob").await;
	let mallory = Actor::new(&node, d, "mallory", "//Eve").await;
	let doctor = Actor::new(&node, d, "doctor", "//Dave").await;
	let gateway_actor = Actor::new(&node, d, "gateway", "//Ferdie").await;
	for actor in [&patient, &mallory, &doctor] {
		actor.ok(&node, none, &["keys", "register"]).await;
	}
	let grace = GRACE_SECS.to_string();
	let mut gateway = GatewayProcess::start_with(
		&node,
		d,
		&gateway_actor,
		16 << 20,
		&[
			"--unanchored-grace-secs",
			&grace,
			"--sweep-interval-secs",
			"1",
		],
	)
	.await;
	let url = gateway.url.clone();
	let gateway_client = GatewayClient::new(&url).unwrap();
	let gateway_account: AccountId32 = gateway_client
		.info()
		.await
		.unwrap()
		.account
		.parse()
		.unwrap();

	// The patient stores a record of her own.
	let mut plain = vec![0u8; 300 * 1024];
	rand::rngs::OsRng.fill_bytes(&mut plain);
	let original = d.join("record.bin");
	std::fs::write(&original, &plain).unwrap();
	let put = patient
		.ok(
			&node,
			&url,
			&[
				"record",
				"put",
				original.to_str().unwrap(),
				"--subject",
				&patient.ss58(),
				"--kind",
				"Observation",
			],
		)
		.await;
	let record = put["record"].as_u64().unwrap();
	let cid = put["cid"].as_str().unwrap().to_string();
	let stored = std::fs::read(gateway.blob(&cid)).expect("the gateway stores the blob");
	let (_, version, _) = chain.current_version(record).await.unwrap();
	let victim_content = || ContentInput {
		cid: version.cid.clone(),
		digest: version.digest,
		size: version.size,
		scheme: version.scheme,
	};

	// --- 1. CID aliasing ------------------------------------------------------------------
	let alias = api::tx().records().register_record(
		mallory.account,
		RecordInput {
			content: victim_content(),
			kind: b"Observation".to_vec(),
			policy: None,
		},
	);
	let refused = node
		.submit_failing(&alias, &dev::eve(), TIMEOUT)
		.await
		.expect("the alias fails in dispatch");
	assert_eq!(refused, "Records::CidInUse");
	println!("attack 1a (alias the victim's CID in a new record): refused with {refused}");

	let own = node
		.submit_ok(
			&api::tx().records().register_record(
				mallory.account,
				RecordInput {
					content: content(0xE1, 1_024),
					kind: b"Observation".to_vec(),
					policy: None,
				},
			),
			&dev::eve(),
			TIMEOUT,
		)
		.await
		.expect("Mallory registers a record of her own");
	let mallory_record = own
		.events
		.find_first::<RecordRegistered>()
		.expect("RecordRegistered")
		.expect("decodes")
		.record;
	let refused = node
		.submit_failing(
			&api::tx()
				.records()
				.append_version(mallory_record, victim_content()),
			&dev::eve(),
			TIMEOUT,
		)
		.await
		.expect("the aliasing version fails in dispatch");
	assert_eq!(refused, "Records::CidInUse");
	println!("attack 1b (alias the victim's CID as a new version): refused with {refused}");

	let erased = node
		.submit_ok(
			&api::tx().records().erase_record(mallory_record),
			&dev::eve(),
			TIMEOUT,
		)
		.await
		.expect("Mallory erases her own record");
	let erased_in = erased.inclusion.block.number;
	eventually(
		"the gateway to scan past Mallory's erasure",
		Duration::from_secs(90),
		|| erase_cursor(&gateway).is_some_and(|at| at >= erased_in),
	)
	.await;
	assert_eq!(
		std::fs::read(gateway.blob(&cid)).expect("the victim's blob is still stored"),
		stored
	);
	let anchor = chain
		.call(
			api::runtime_apis()
				.records_api()
				.content_anchor(version.cid.clone()),
		)
		.await
		.unwrap();
	assert_eq!(anchor, Some((record, 1)));
	let copy = d.join("patient-copy.bin");
	patient
		.ok(
			&node,
			&url,
			&[
				"record",
				"get",
				&record.to_string(),
				"--out",
				copy.to_str().unwrap(),
			],
		)
		.await;
	assert_eq!(
		std::fs::read(&copy).unwrap(),
		plain,
		"the patient still reads her record"
	);
	println!("attack 1c (erase an alias): the victim's blob is kept and served");

	// --- The gateway's local signing bytes are the chain's --------------------------------
	let doctor_keys = Keystore::new(&doctor.keystore, PASSPHRASE).load().unwrap();
	let signed = flows::signed_read(
		&chain,
		&doctor_keys,
		gateway_account,
		record,
		version.digest,
		ReadBasis::Ticket,
	)
	.await
	.unwrap();
	let from_chain = chain
		.call(
			api::runtime_apis()
				.consent_api()
				.read_request_message(signed.request.clone()),
		)
		.await
		.unwrap();
	assert_eq!(
		consent::read_request_message(&signed.request, &chain.genesis_hash().0),
		from_chain
	);

	// --- 2. A deny ends a live ticket at once ----------------------------------------------
	let set_override = |kind| {
		api::tx().consent().set_override(
			OverrideScope::Record(record),
			doctor.account,
			kind,
			None,
			None,
		)
	};
	node.submit_ok(&set_override(OverrideKind::Allow), &dev::bob(), TIMEOUT)
		.await
		.expect("the patient allows the doctor");
	node.submit_ok(
		&api::tx()
			.consent()
			.request_access(record, Purpose::Treatment),
		&dev::dave(),
		TIMEOUT,
	)
	.await
	.expect("the allowed doctor gets a ticket");
	let served = d.join("served.env");
	gateway_client
		.read(&signed, &served, u64::MAX, no_progress())
		.await
		.expect("the doctor's signed read is served under the ticket");
	assert_eq!(std::fs::read(&served).unwrap(), stored);

	node.submit_ok(&set_override(OverrideKind::Deny), &dev::bob(), TIMEOUT)
		.await
		.expect("the patient denies the doctor");
	let ticket: Option<Ticket> = chain
		.call(
			api::runtime_apis()
				.consent_api()
				.live_ticket(doctor.account, record),
		)
		.await
		.unwrap();
	assert_eq!(ticket, None, "the unexpired ticket no longer stands");
	let again = flows::signed_read(
		&chain,
		&doctor_keys,
		gateway_account,
		record,
		version.digest,
		ReadBasis::Ticket,
	)
	.await
	.unwrap();
	let refused = gateway_client
		.read(&again, &d.join("denied.env"), u64::MAX, no_progress())
		.await
		.unwrap_err()
		.to_string();
	// The gateway asks the chain (`ConsentApi.check_read`) and passes on its reason.
	assert!(
		refused.contains("403")
			&& refused.contains("not-allowed")
			&& refused.contains("Consent::ExplicitlyDenied"),
		"{refused}"
	);
	assert!(
		!d.join("denied.env").exists(),
		"nothing is served after the deny"
	);
	let refused = node
		.submit_failing(
			&api::tx()
				.consent()
				.request_access(record, Purpose::Treatment),
			&dev::dave(),
			TIMEOUT,
		)
		.await
		.unwrap();
	assert_eq!(refused, "Consent::ExplicitlyDenied");
	println!(
		"attack 2 (read under a ticket after a deny): refused by the gateway at the next block"
	);

	// --- 3. A shared policy cannot be removed from under another patient's record ----------
	let policy = patient
		.ok(
			&node,
			none,
			&["policy", "create", r#""role:doctor" and "org:hospital-a""#],
		)
		.await["policy"]
		.as_u64()
		.unwrap() as u32;
	node.submit_ok(
		&api::tx().records().register_record(
			mallory.account,
			RecordInput {
				content: content(0xE2, 1_024),
				kind: b"Observation".to_vec(),
				policy: Some(policy),
			},
		),
		&dev::eve(),
		TIMEOUT,
	)
	.await
	.expect("another patient's record names the policy");
	let refused = node
		.submit_failing(
			&api::tx().consent().remove_policy(policy),
			&dev::bob(),
			TIMEOUT,
		)
		.await
		.unwrap();
	assert_eq!(refused, "Consent::PolicyInUse");
	println!("attack 3 (remove a policy another record uses): refused with {refused}");

	// --- 7. A grant reaches only the records in its scope -----------------------------------
	// The gateway's account becomes a proxy, so the patient can grant the doctor one record.
	gateway_actor
		.ok(&node, none, &["proxy", "register", "--endpoint", &url])
		.await;
	sudo(
		&node,
		api::Call::KeyGrants(api::key_grants::Call::admit_proxy {
			proxy: gateway_actor.account,
		}),
	)
	.await;
	let put_own = |name: &'static str| {
		let path = d.join(name);
		let mut bytes = vec![0u8; 64 * 1024];
		rand::rngs::OsRng.fill_bytes(&mut bytes);
		std::fs::write(&path, &bytes).unwrap();
		path
	};
	let (in_scope_file, outside_file) = (put_own("in-scope.bin"), put_own("outside.bin"));
	let mut records = Vec::new();
	for file in [&in_scope_file, &outside_file] {
		let put = patient
			.ok(
				&node,
				&url,
				&[
					"record",
					"put",
					file.to_str().unwrap(),
					"--subject",
					&patient.ss58(),
				],
			)
			.await;
		records.push((
			put["record"].as_u64().unwrap(),
			put["cid"].as_str().unwrap().to_string(),
		));
	}
	let [(in_scope, in_scope_cid), (outside, _)] = [records[0].clone(), records[1].clone()];
	let best = node.best_block().await.unwrap().number as u32;
	let created = node
		.submit_ok(
			&api::tx().key_grants().create_grant(
				doctor.account,
				GrantScope::Record(in_scope),
				vec![GrantProxy {
					proxy: gateway_actor.account,
					kfrag_commitment: H256::repeat_byte(0x77),
				}],
				1,
				best + 100,
			),
			&dev::bob(),
			TIMEOUT,
		)
		.await
		.expect("the patient grants the doctor one record");
	let grant = created
		.events
		.find_first::<GrantCreated>()
		.expect("GrantCreated")
		.expect("decodes")
		.grant;
	let grant_read = |record: u64| {
		let (chain, doctor_keys) = (&chain, &doctor_keys);
		async move {
			let (_, version, _) = chain.current_version(record).await.unwrap();
			flows::signed_read(
				chain,
				doctor_keys,
				gateway_account,
				record,
				version.digest,
				ReadBasis::Grant(grant),
			)
			.await
			.unwrap()
		}
	};
	let outside_out = d.join("outside.env");
	let refused = gateway_client
		.read(
			&grant_read(outside).await,
			&outside_out,
			u64::MAX,
			no_progress(),
		)
		.await
		.unwrap_err();
	assert_eq!(
		refused.gateway_code(),
		Some(ErrorCode::NotAllowed),
		"{refused}"
	);
	assert!(
		refused.to_string().contains("Consent::GrantNotActive"),
		"the chain's reason is passed on: {refused}"
	);
	assert!(!outside_out.exists(), "nothing is served outside the grant");
	// The same request for the record the grant covers is served: the refusal above is the
	// scope's, not a broken grant's.
	let in_scope_out = d.join("in-scope.env");
	gateway_client
		.read(
			&grant_read(in_scope).await,
			&in_scope_out,
			u64::MAX,
			no_progress(),
		)
		.await
		.expect("a read inside the grant's scope is served");
	assert_eq!(
		std::fs::read(&in_scope_out).unwrap(),
		std::fs::read(gateway.blob(&in_scope_cid)).unwrap()
	);
	println!(
		"attack 7 (a grantee's signed read outside the grant's scope): refused with {refused}"
	);

	// --- 4. Uploads: only writers for the subject; never-anchored uploads are swept --------
	let mut junk = medchain_client::envelope::MAGIC.to_vec();
	junk.extend((0..4096).map(|i| (i % 251) as u8));
	let junk_path = d.join("junk.env");
	std::fs::write(&junk_path, &junk).unwrap();
	let junk_summary = flows::summarize_file(&junk_path).unwrap();
	let mallory_keys = Keystore::new(&mallory.keystore, PASSPHRASE).load().unwrap();
	let for_patient = flows::signed_upload(
		&chain,
		&mallory_keys,
		patient.account,
		junk_summary.cid.to_bytes(),
		junk_summary.size,
	)
	.await
	.unwrap();
	let refused = gateway_client
		.upload(&junk_path, &for_patient, no_progress())
		.await
		.unwrap_err()
		.to_string();
	assert!(
		refused.contains("403") && refused.contains("not-a-writer"),
		"{refused}"
	);
	println!("attack 4a (store blobs in a stranger's name): refused with not-a-writer");
	let for_herself = flows::signed_upload(
		&chain,
		&mallory_keys,
		mallory.account,
		junk_summary.cid.to_bytes(),
		junk_summary.size,
	)
	.await
	.unwrap();
	let uploaded = gateway_client
		.upload(&junk_path, &for_herself, no_progress())
		.await
		.expect("the gateway accepts Mallory's envelope-shaped upload for herself");
	assert!(gateway.blob(&uploaded.cid).is_file());
	eventually(
		"the unanchored upload to be swept",
		Duration::from_secs(GRACE_SECS + 30),
		|| !gateway.blob(&uploaded.cid).exists(),
	)
	.await;
	assert!(gateway.blob(&cid).is_file(), "the anchored blob stays");
	println!("attack 4b (park an upload never anchored): swept after {GRACE_SECS} s");

	// --- 5. An unreadable erase cursor stops the gateway -----------------------------------
	gateway.child.kill().await.unwrap();
	let cursor_path = gateway.data.join("erase-cursor");
	std::fs::File::create(&cursor_path)
		.unwrap()
		.write_all(b"not a block\n")
		.unwrap();
	let refused = tokio::time::timeout(
		TIMEOUT,
		tokio::process::Command::new(binary("medchain-gateway"))
			.args(["--node", node.ws_url(), "--listen", "127.0.0.1:0"])
			.arg("--data-dir")
			.arg(&gateway.data)
			.arg("--keystore")
			.arg(&gateway_actor.keystore)
			.env("MEDCHAIN_PASSPHRASE", PASSPHRASE)
			.output(),
	)
	.await
	.expect("the gateway exits")
	.unwrap();
	assert!(!refused.status.success());
	let said = format!(
		"{}{}",
		String::from_utf8_lossy(&refused.stdout),
		String::from_utf8_lossy(&refused.stderr)
	);
	assert!(said.contains("--rescan-erasures-from"), "{said}");
	let gateway = GatewayProcess::start_with(
		&node,
		d,
		&gateway_actor,
		16 << 20,
		&[
			"--rescan-erasures-from",
			"0",
			"--requests-per-second-per-client",
			"2",
			"--burst-per-client",
			"5",
		],
	)
	.await;
	let best = node.finalized_block().await.unwrap().number;
	eventually(
		"the rescan to pass the finalised head",
		Duration::from_secs(90),
		|| erase_cursor(&gateway).is_some_and(|at| at >= best),
	)
	.await;
	assert!(
		gateway.blob(&cid).is_file(),
		"rescanning every erasure keeps the anchored blob"
	);
	println!("attack 5 (corrupt the erase cursor): the gateway refused to start; --rescan-erasures-from 0 recovered");

	// 6. A client flooding the gateway (here limited to 2 requests/s, bursts of 5) is refused
	//    with 429 `rate-limited` and a Retry-After, before any work; after waiting it is served.
	let http = reqwest::Client::new();
	let info = format!("{}/v1/info", gateway.url);
	let (mut served, mut limited) = (0, 0);
	for _ in 0..30 {
		let answer = http.get(&info).send().await.unwrap();
		match answer.status().as_u16() {
			200 => served += 1,
			429 => {
				assert!(answer.headers().contains_key("retry-after"));
				let body: serde_json::Value = answer.json().await.unwrap();
				assert_eq!(body["error"], "rate-limited", "{body}");
				limited += 1;
			}
			other => panic!("unexpected status {other}"),
		}
	}
	assert!(
		(5..=7).contains(&served) && limited == 30 - served,
		"served {served}, limited {limited}"
	);
	tokio::time::sleep(Duration::from_secs(2)).await;
	assert_eq!(http.get(&info).send().await.unwrap().status().as_u16(), 200);
	println!(
		"attack 6 (flood): {served} of 30 requests served, {limited} refused with 429 rate-limited"
	);
}
