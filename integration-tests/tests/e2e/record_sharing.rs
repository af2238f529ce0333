//! Sharing a real record end to end: a `medchain-node --dev`, three `medchain-gateway`
//! processes (one stores blobs; all three are re-encryption proxies) and the `medchain` CLI
//! for every actor.
//!
//! 1. An attribute authority (Alice) issues `role:doctor` + `org:hospital-a` to Dave and
//!    `role:nurse` + `org:hospital-a` to Eve on chain, and CP-ABE keys over exactly those.
//! 2. The patient (Bob) stores the policy `"role:doctor" and "org:hospital-a"` and authorises
//!    the hospital (Charlie), which uploads a 4 MiB record for Bob under it.
//! 3. Dave downloads and decrypts it byte-identical, with the CLI and in memory (the
//!    browser's flow); a record the hospital seals in memory opens with Dave's CLI. Eve is
//!    refused by the chain (`PolicyNotSatisfied`) and by the gateway; forged, replayed and
//!    expired requests, non-envelopes and oversize uploads are refused, and the gateway keeps
//!    serving.
//! 4. Bob grants Ferdie through 2-of-3 proxies; Ferdie decrypts. Bob revokes; the next
//!    re-encryption is refused.
//! 5. Bob lists every read receipt, erases the record, and the gateway deletes the blob.
//! 6. A scan of every storage value at the best block finds no piece of the plaintext.

use std::{
	collections::HashSet,
	time::{Duration, Instant},
};

use medchain_client::{
	chain::{
		api,
		consent::{self, ReadBasis},
		Chain,
	},
	flows,
	keystore::Keystore,
	protocol::{no_progress, GatewayClient, SignedRead},
};
use medchain_integration_tests::{
	actors::{expect_refusal, sudo, transfer, Actor, GatewayProcess, PASSPHRASE, TIMEOUT},
	TestNode,
};
use rand::RngCore;
use subxt::utils::AccountId32;
use subxt_signer::sr25519::dev;

/// Size of the shared record.
const RECORD_BYTES: usize = 4 << 20;

/// `keys`'s signed request to upload the file at `path` for `subject`.
async fn signed_upload_of(
	chain: &Chain,
	keys: &medchain_client::keystore::KeyMaterial,
	subject: AccountId32,
	path: &std::path::Path,
) -> medchain_client::protocol::SignedUpload {
	let summary = flows::summarize_file(path).unwrap();
	flows::signed_upload(chain, keys, subject, summary.cid.to_bytes(), summary.size)
		.await
		.unwrap()
}

/// Sends `head` (an HTTP/1.1 request head) to the gateway at `url` and returns the status.
async fn raw_status(url: &str, head: &str) -> u16 {
	use tokio::io::{AsyncReadExt, AsyncWriteExt};
	let address = url.trim_start_matches("http://");
	let mut stream = tokio::net::TcpStream::connect(address)
		.await
		.expect("connect");
	stream.write_all(head.as_bytes()).await.expect("send");
	let mut answer = vec![0u8; 64];
	let n = stream.read(&mut answer).await.expect("answer");
	let line = String::from_utf8_lossy(&answer[..n]).into_owned();
	line.split_whitespace()
		.nth(1)
		.and_then(|code| code.parse().ok())
		.unwrap_or_else(|| panic!("not an HTTP answer: {line}"))
}

/// 16-byte blocks of `plain` at 16-byte offsets: any leaked run of 31 bytes or more contains one.
fn plaintext_blocks(plain: &[u8]) -> HashSet<[u8; 16]> {
	plain
		.chunks_exact(16)
		.map(|block| block.try_into().unwrap())
		.collect()
}

/// Every storage value at the best block; panics if any contains a plaintext block.
async fn scan_state_for(
	node: &TestNode,
	blocks: &HashSet<[u8; 16]>,
	marker: &[u8],
) -> (usize, usize) {
	let best = node.best_block().await.unwrap();
	let rpc = node.rpc();
	let (mut keys_seen, mut bytes_seen) = (0usize, 0usize);
	let mut start: Option<Vec<u8>> = None;
	loop {
		let keys = rpc
			.state_get_keys_paged(&[], 500, start.as_deref(), Some(best.hash))
			.await
			.expect("state_getKeysPaged");
		if keys.is_empty() {
			break;
		}
		for key in &keys {
			let value = rpc
				.state_get_storage(key, Some(best.hash))
				.await
				.expect("state_getStorage")
				.unwrap_or_default();
			keys_seen += 1;
			bytes_seen += value.len();
			assert!(
				!value.windows(marker.len()).any(|w| w == marker),
				"the plaintext marker is in storage key 0x{}",
				hex::encode(key)
			);
			if let Some(window) = value
				.windows(16)
				.find(|w| blocks.contains(<&[u8; 16]>::try_from(*w).unwrap()))
			{
				panic!(
					"plaintext {} in storage key 0x{}",
					hex::encode(window),
					hex::encode(key)
				);
			}
		}
		start = keys.last().cloned();
	}
	(keys_seen, bytes_seen)
}

/// The patient's receipts (`record receipts --grant`) once their listed reads satisfy `done`,
/// or as they are after 60 s: gateways list receipts in batches, a block or two after serving.
async fn receipts_once(
	patient: &Actor,
	node: &TestNode,
	grant: &str,
	done: impl Fn(&[serde_json::Value]) -> bool,
) -> serde_json::Value {
	let deadline = std::time::Instant::now() + Duration::from_secs(60);
	loop {
		let listed = patient
			.ok(
				node,
				"http://127.0.0.1:9",
				&["record", "receipts", "--grant", grant],
			)
			.await;
		if done(listed["reads"].as_array().unwrap()) || std::time::Instant::now() > deadline {
			return listed;
		}
		tokio::time::sleep(Duration::from_secs(1)).await;
	}
}

#[tokio::test]
async fn a_record_is_shared_by_policy_and_by_grant_and_erased() {
	let node = TestNode::dev().await.expect("dev node");
	let dir = tempfile::tempdir().unwrap();
	let d = dir.path();
	let chain = Chain::connect(node.ws_url()).await.unwrap();

	// --- actors -------------------------------------------------------------------------
	let authority = Actor::new(&node, d, "authority", "//Alice").await;
	let patient = Actor::new(&node, d, "patient", "//Bob").await;
	let hospital = Actor::new(&node, d, "hospital", "//Charlie").await;
	let doctor = Actor::new(&node, d, "doctor", "//Dave").await;
	let nurse = Actor::new(&node, d, "nurse", "//Eve").await;
	let researcher = Actor::new(&node, d, "researcher", "//Ferdie").await;
	let mut proxies = Vec::new();
	for (name, suri) in [
		("gateway1", "//Gateway1"),
		("gateway2", "//Gateway2"),
		("gateway3", "//Gateway3"),
	] {
		let actor = Actor::new(&node, d, name, suri).await;
		node.submit_ok(
			&transfer(&actor.account, 5_000 * medchain_client::chain::UNIT),
			&dev::alice(),
			TIMEOUT,
		)
		.await
		.expect("funding a gateway");
		proxies.push(actor);
	}
	let none = "http://127.0.0.1:9"; // commands that need no gateway
	for actor in [&patient, &doctor, &nurse, &researcher] {
		actor.ok(&node, none, &["keys", "register"]).await;
	}

	// --- gateways: start, register as proxies, admitted by governance ---------------------
	let mut gateways = Vec::new();
	for actor in &proxies {
		gateways.push(GatewayProcess::start(&node, d, actor, 64 << 20).await);
	}
	for (actor, gateway) in proxies.iter().zip(&gateways) {
		actor
			.ok(
				&node,
				none,
				&["proxy", "register", "--endpoint", &gateway.url],
			)
			.await;
		sudo(
			&node,
			api::Call::KeyGrants(api::key_grants::Call::admit_proxy {
				proxy: actor.account,
			}),
		)
		.await;
	}
	let store = gateways[0].url.clone();

	// --- the authority: accredited, issues attributes and CP-ABE keys ----------------------
	sudo(
		&node,
		api::Call::Consent(api::consent::Call::accredit_authority {
			authority: authority.account,
			scopes: vec![b"org:*".to_vec(), b"role:*".to_vec()],
		}),
	)
	.await;
	authority
		.ok(
			&node,
			none,
			&[
				"authority",
				"init",
				"--attributes",
				"role:doctor,role:nurse,org:hospital-a",
			],
		)
		.await;
	let published = authority.ok(&node, none, &["authority", "publish"]).await;
	assert_eq!(published["version"], 1);
	let params = d.join("authority-params.json");
	authority
		.ok(
			&node,
			none,
			&["authority", "export", "--out", params.to_str().unwrap()],
		)
		.await;
	for (holder, attributes) in [
		(&doctor, ["role:doctor", "org:hospital-a"]),
		(&nurse, ["role:nurse", "org:hospital-a"]),
	] {
		for attribute in attributes {
			authority
				.ok(
					&node,
					none,
					&["authority", "issue", &holder.ss58(), attribute],
				)
				.await;
		}
		let key = d.join(format!("{}.abe-key.json", holder.name));
		let issued = authority
			.ok(
				&node,
				none,
				&[
					"authority",
					"issue-key",
					&holder.ss58(),
					"--out",
					key.to_str().unwrap(),
				],
			)
			.await;
		assert_eq!(issued["attributes"].as_array().unwrap().len(), 2);
		let imported = holder
			.ok(&node, none, &["keys", "import", key.to_str().unwrap()])
			.await;
		assert_eq!(imported["authority"], authority.ss58());
		assert_eq!(imported["replaced"], false);
	}
	let trusted = hospital
		.ok(&node, none, &["keys", "trust", params.to_str().unwrap()])
		.await;
	assert_eq!(trusted["version"], 1);

	// --- the patient's policy and custodian; the hospital uploads -------------------------
	let policy = patient
		.ok(
			&node,
			none,
			&["policy", "create", r#""role:doctor" and "org:hospital-a""#],
		)
		.await["policy"]
		.as_u64()
		.unwrap();
	patient
		.ok(&node, none, &["custodian", "authorize", &hospital.ss58()])
		.await;

	let marker = b"PATIENT: Jane Example, MRN 0042-7731, diagnosis: hypertension";
	let mut plain = vec![0u8; RECORD_BYTES];
	rand::rngs::OsRng.fill_bytes(&mut plain);
	plain[..marker.len()].copy_from_slice(marker);
	let original = d.join("record.bin");
	std::fs::write(&original, &plain).unwrap();
	let put = hospital
		.ok(
			&node,
			&store,
			&[
				"record",
				"put",
				original.to_str().unwrap(),
				"--subject",
				&patient.ss58(),
				"--kind",
				"Observation",
				"--policy",
				&policy.to_string(),
			],
		)
		.await;
	let record = put["record"].as_u64().unwrap();
	let cid = put["cid"].as_str().unwrap().to_string();
	assert_eq!(put["scheme"], "AeadCpAbeAndPre");
	assert!(
		gateways[0].blob(&cid).is_file(),
		"the store gateway keeps the blob under its CID"
	);
	let stored = std::fs::read(gateways[0].blob(&cid)).unwrap();
	assert!(
		!stored.windows(marker.len()).any(|w| w == marker),
		"the gateway holds ciphertext only"
	);

	// --- a matching doctor reads; a non-matching nurse is refused by chain and gateway ------
	let out = d.join("doctor.bin");
	let got = doctor
		.ok(
			&node,
			&store,
			&[
				"record",
				"get",
				&record.to_string(),
				"--out",
				out.to_str().unwrap(),
			],
		)
		.await;
	assert_eq!(
		std::fs::read(&out).unwrap(),
		plain,
		"the doctor's copy is byte-identical"
	);
	assert!(got["key_from"].as_str().unwrap().starts_with("CP-ABE"));

	// A blob changed on the gateway's disk is caught before anything is decrypted.
	let blob = gateways[0].blob(&cid);
	let middle = stored.len() / 2;
	let mut tampered = stored.clone();
	tampered[middle] ^= 0x01;
	std::fs::write(&blob, &tampered).unwrap();
	let tampered_out = d.join("tampered.bin");
	expect_refusal(
		doctor
			.run(
				&node,
				&store,
				&[
					"record",
					"get",
					&record.to_string(),
					"--out",
					tampered_out.to_str().unwrap(),
				],
			)
			.await,
		"tampered",
	);
	assert!(
		!tampered_out.exists(),
		"no plaintext from a tampered envelope"
	);
	std::fs::write(&blob, &stored).unwrap();

	// The browser's flows (in memory, no files): the same record read into memory is
	// byte-identical; a record sealed in memory by the hospital is read by the doctor's CLI;
	// the nurse is refused by the chain exactly as on the CLI.
	let store_gateway = GatewayClient::new(&store).unwrap();
	let doctor_material = Keystore::new(&doctor.keystore, PASSPHRASE).load().unwrap();
	let in_memory = flows::get_record_bytes(
		&chain,
		&doctor_material,
		&store_gateway,
		record,
		flows::Via::Consent(consent::Purpose::Treatment),
		no_progress(),
	)
	.await
	.expect("the doctor reads the record into memory");
	assert!(
		in_memory.plaintext == plain,
		"the in-memory copy is byte-identical"
	);
	assert_eq!(in_memory.cid, cid);
	assert!(
		in_memory.key_from.starts_with("CP-ABE"),
		"{}",
		in_memory.key_from
	);
	let nurse_material = Keystore::new(&nurse.keystore, PASSPHRASE).load().unwrap();
	let refused = flows::get_record_bytes(
		&chain,
		&nurse_material,
		&store_gateway,
		record,
		flows::Via::Consent(consent::Purpose::Treatment),
		no_progress(),
	)
	.await
	.err()
	.expect("the nurse is refused");
	// Refused by the gateway, from the chain's decision at its best block, with the chain's
	// reason: no transaction, no ticket.
	assert_eq!(
		refused.gateway_code(),
		Some(medchain_client::protocol::ErrorCode::NotAllowed),
		"{refused}"
	);
	assert!(
		refused.to_string().contains("Consent::PolicyNotSatisfied"),
		"{refused}"
	);
	let hospital_material = Keystore::new(&hospital.keystore, PASSPHRASE)
		.load()
		.unwrap();
	let small = plain[..100_000].to_vec();
	let sealed_in_memory = flows::put_record_bytes(
		&chain,
		&hospital_material,
		&store_gateway,
		flows::PutBytesRequest {
			plaintext: &small,
			subject: patient.account,
			kind: "Observation",
			policy: Some(policy as u32),
		},
		no_progress(),
	)
	.await
	.expect("the hospital puts a record from memory");
	assert_eq!(sealed_in_memory.scheme, "AeadCpAbeAndPre");
	let small_out = d.join("small.bin");
	doctor
		.ok(
			&node,
			&store,
			&[
				"record",
				"get",
				&sealed_in_memory.record.to_string(),
				"--out",
				small_out.to_str().unwrap(),
			],
		)
		.await;
	assert!(
		std::fs::read(&small_out).unwrap() == small,
		"a record sealed in memory opens with the CLI"
	);

	let nurse_out = d.join("nurse.bin");
	expect_refusal(
		nurse
			.run(
				&node,
				&store,
				&[
					"record",
					"get",
					&record.to_string(),
					"--out",
					nurse_out.to_str().unwrap(),
				],
			)
			.await,
		"Consent::PolicyNotSatisfied",
	);
	assert!(!nurse_out.exists(), "nothing is written on refusal");
	let nurse_keys = Keystore::new(&nurse.keystore, PASSPHRASE).load().unwrap();
	let store_client = GatewayClient::new(&store).unwrap();
	let store_account: AccountId32 = store_client.info().await.unwrap().account.parse().unwrap();
	let (_, version, _) = chain.current_version(record).await.unwrap();
	let nurse_read = flows::signed_read(
		&chain,
		&nurse_keys,
		store_account,
		record,
		version.digest,
		ReadBasis::Consent(consent::Purpose::Treatment),
	)
	.await
	.unwrap();
	let refused = store_client
		.read(&nurse_read, &d.join("x"), u64::MAX, no_progress())
		.await
		.unwrap_err()
		.to_string();
	assert!(
		refused.contains("403") && refused.contains("not-allowed"),
		"{refused}"
	);

	// Forged, replayed and expired requests; the nurse's key on the doctor's ciphertext.
	let doctor_keys = Keystore::new(&doctor.keystore, PASSPHRASE).load().unwrap();
	let good = flows::signed_read(
		&chain,
		&doctor_keys,
		store_account,
		record,
		version.digest,
		ReadBasis::Consent(consent::Purpose::Treatment),
	)
	.await
	.unwrap();
	let mut forged = good.clone();
	forged.signature[0] ^= 1;
	let answer = store_client
		.read(&forged, &d.join("x"), u64::MAX, no_progress())
		.await
		.unwrap_err()
		.to_string();
	assert!(answer.contains("bad-signature"), "{answer}");
	let mut impostor = good.clone();
	impostor.request.reader = nurse.account;
	let answer = store_client
		.read(&impostor, &d.join("x"), u64::MAX, no_progress())
		.await
		.unwrap_err()
		.to_string();
	assert!(answer.contains("bad-signature"), "{answer}");
	let served = d.join("served.env");
	store_client
		.read(&good, &served, version.size, no_progress())
		.await
		.expect("a fresh signed request is served");
	assert_eq!(
		std::fs::read(&served).unwrap(),
		stored,
		"the served bytes are the stored envelope"
	);
	let answer = store_client
		.read(&good, &d.join("x"), u64::MAX, no_progress())
		.await
		.unwrap_err()
		.to_string();
	assert!(answer.contains("replayed"), "{answer}");
	// Correctly signed, but valid only until block 1 (the signature is checked first).
	let mut expired: SignedRead = good.clone();
	expired.request.valid_until = 1;
	expired.signature = doctor_keys
		.keypair()
		.unwrap()
		.sign(&consent::read_request_message(
			&expired.request,
			&chain.genesis_hash().0,
		))
		.0;
	let answer = store_client
		.read(&expired, &d.join("x"), u64::MAX, no_progress())
		.await
		.unwrap_err()
		.to_string();
	assert!(answer.contains("expired"), "{answer}");
	let answer = medchain_client::envelope::read_header(&mut std::io::Cursor::new(&stored))
		.map(|(h, _)| h)
		.unwrap();
	let nurse_abe = nurse_keys.abe_keys.values().next().unwrap();
	assert!(medchain_client::abe::unwrap(&[nurse_abe], &answer.abe.unwrap().wrapped).is_err());

	// Bad uploads: unsigned, from a non-writer, plaintext, another CID, oversize; the gateway
	// keeps running.
	let http = reqwest::Client::new();
	let response = http
		.post(format!("{store}/v1/blobs"))
		.body(plain[..1024].to_vec())
		.send()
		.await
		.unwrap();
	assert_eq!(response.status(), 401, "an unsigned upload is refused");
	let plain_path = d.join("plain.bin");
	std::fs::write(&plain_path, &plain[..1024]).unwrap();
	let hospital_keys = Keystore::new(&hospital.keystore, PASSPHRASE)
		.load()
		.unwrap();
	let answer = store_client
		.upload(
			&plain_path,
			&signed_upload_of(&chain, &nurse_keys, patient.account, &plain_path).await,
			no_progress(),
		)
		.await
		.unwrap_err()
		.to_string();
	assert!(
		answer.contains("403") && answer.contains("not-a-writer"),
		"a nurse may not store for the patient: {answer}"
	);
	let answer = store_client
		.upload(
			&plain_path,
			&signed_upload_of(&chain, &hospital_keys, patient.account, &plain_path).await,
			no_progress(),
		)
		.await
		.unwrap_err()
		.to_string();
	assert!(
		answer.contains("422") && answer.contains("not-an-envelope"),
		"plaintext is refused: {answer}"
	);
	// Signed for the record's CID, but the bytes differ in their last byte.
	let envelope_copy = d.join("envelope-copy.env");
	let mut other = stored.clone();
	other[stored.len() - 1] ^= 0x01;
	std::fs::write(&envelope_copy, &other).unwrap();
	let mut wrong_cid =
		signed_upload_of(&chain, &hospital_keys, patient.account, &envelope_copy).await;
	wrong_cid.request.cid = version.cid.clone();
	wrong_cid.signature = hospital_keys
		.keypair()
		.unwrap()
		.sign(&wrong_cid.request.message(&chain.genesis_hash().0))
		.0;
	let answer = store_client
		.upload(&envelope_copy, &wrong_cid, no_progress())
		.await
		.unwrap_err()
		.to_string();
	assert!(
		answer.contains("422") && answer.contains("cid-mismatch"),
		"bytes that are not the signed CID are refused: {answer}"
	);
	// An oversize upload is refused from its declared length, before any body is read.
	let head = format!(
		"POST /v1/blobs HTTP/1.1\r\nHost: gateway\r\nContent-Length: {}\r\n\r\n",
		(64u64 << 20) + 1
	);
	assert_eq!(raw_status(&store, &head).await, 413);
	assert_eq!(
		std::fs::read_dir(gateways[0].data.join("tmp"))
			.unwrap()
			.count(),
		0,
		"nothing left behind"
	);
	assert!(gateways[0].alive().await, "the gateway survives bad input");

	// --- delegation: 2-of-3 proxies; revocation -------------------------------------------
	let proxy_list = proxies
		.iter()
		.map(Actor::ss58)
		.collect::<Vec<_>>()
		.join(",");
	let grant = patient
		.ok(
			&node,
			&store,
			&[
				"grant",
				"create",
				"--grantee",
				&researcher.ss58(),
				"--record",
				&record.to_string(),
				"--proxies",
				&proxy_list,
				"--threshold",
				"2",
			],
		)
		.await;
	assert_eq!(grant["delivered"].as_array().unwrap().len(), 3);
	let grant = grant["grant"].as_u64().unwrap().to_string();
	let research_out = d.join("research.bin");
	let got = researcher
		.ok(
			&node,
			&store,
			&[
				"record",
				"get",
				&record.to_string(),
				"--grant",
				&grant,
				"--out",
				research_out.to_str().unwrap(),
			],
		)
		.await;
	assert_eq!(
		std::fs::read(&research_out).unwrap(),
		plain,
		"the researcher's copy is byte-identical"
	);
	assert!(got["key_from"]
		.as_str()
		.unwrap()
		.contains("proxy re-encryption"));

	// Its receipt is listed, allowed, before the grant is revoked: a receipt listed after the
	// revocation would be flagged (the chain decides each receipt again at its block).
	receipts_once(&patient, &node, &grant, |reads| {
		reads.iter().any(|r| r["basis"] == format!("grant {grant}"))
	})
	.await;
	patient.ok(&node, none, &["grant", "revoke", &grant]).await;
	let after = d.join("after-revoke.bin");
	let error = expect_refusal(
		researcher
			.run(
				&node,
				&store,
				&[
					"record",
					"get",
					&record.to_string(),
					"--grant",
					&grant,
					"--out",
					after.to_str().unwrap(),
				],
			)
			.await,
		"grant-not-active",
	);
	assert!(error.contains("0 of the 2"), "{error}");
	assert!(!after.exists());

	// --- the patient's audit trail ----------------------------------------------------------
	// Gateways serve at once and list receipts in batches, so the last read's receipt may
	// still be on its way: wait for all seven (a batch is flushed within a second and
	// included in one of the next blocks).
	let receipts = receipts_once(&patient, &node, &grant, |reads| reads.len() >= 7).await;
	let reads = receipts["reads"].as_array().unwrap();
	// Reads listed in one block are ordered by receipt hash, not by when they were served.
	let mut readers: Vec<(&str, &str)> = reads
		.iter()
		.map(|r| (r["reader"].as_str().unwrap(), r["basis"].as_str().unwrap()))
		.collect();
	readers.sort();
	assert!(
		reads.iter().all(|r| r["refused"].is_null()),
		"the chain allowed every read it lists: {receipts}"
	);
	let expected_grant = format!("grant {grant}");
	let (doctor_id, patient_id, researcher_id) = (doctor.ss58(), patient.ss58(), researcher.ss58());
	// Every read on the chain's consent decision, no ticket: the doctor's for treatment, the
	// patient's (reading its own record to delegate it) for operations.
	let mut expected = vec![
		(doctor_id.as_str(), "consent treatment"),
		(doctor_id.as_str(), "consent treatment"),
		(doctor_id.as_str(), "consent treatment"),
		(doctor_id.as_str(), "consent treatment"),
		(doctor_id.as_str(), "consent treatment"),
		(patient_id.as_str(), "consent operations"),
		(researcher_id.as_str(), expected_grant.as_str()),
	];
	expected.sort();
	assert_eq!(readers, expected, "every served read: {receipts}");
	assert_eq!(
		receipts["reencryptions"].as_array().unwrap().len(),
		2,
		"two proxies attested"
	);
	let audit = std::fs::read_to_string(gateways[0].data.join("audit.jsonl")).unwrap();
	// The five reads above and the doctor's CLI read of the record sealed in memory.
	assert_eq!(audit.lines().filter(|l| l.contains("\"read\"")).count(), 7);

	// --- erasure ----------------------------------------------------------------------------
	let erased = patient
		.ok(&node, none, &["record", "erase", &record.to_string()])
		.await;
	assert_eq!(erased["cids"][0], cid.as_str());
	let started = Instant::now();
	while gateways[0].blob(&cid).exists() {
		assert!(
			started.elapsed() < TIMEOUT * 2,
			"the gateway did not delete the erased blob"
		);
		tokio::time::sleep(Duration::from_millis(500)).await;
	}
	println!(
		"blob deleted {:.1} s after the erase was submitted",
		started.elapsed().as_secs_f64()
	);
	expect_refusal(
		doctor
			.run(
				&node,
				&store,
				&[
					"record",
					"get",
					&record.to_string(),
					"--out",
					d.join("gone").to_str().unwrap(),
				],
			)
			.await,
		"erased",
	);

	// --- no plaintext anywhere in chain state ------------------------------------------------
	let (keys, bytes) = scan_state_for(&node, &plaintext_blocks(&plain), marker).await;
	println!("scanned {keys} storage values ({bytes} bytes): no plaintext");
	assert!(keys > 100);
	for gateway in &mut gateways {
		assert!(
			gateway.alive().await,
			"{} stopped: see {}",
			gateway.url,
			gateway.log.display()
		);
	}
}

/// Put and get of a 100 MB record through one gateway: the closing note's throughput.
#[tokio::test]
async fn throughput_of_a_100_mb_record() {
	let node = TestNode::dev().await.expect("dev node");
	let dir = tempfile::tempdir().unwrap();
	let d = dir.path();
	let patient = Actor::new(&node, d, "patient", "//Bob").await;
	let gateway_actor = Actor::new(&node, d, "gateway", "//Ferdie").await;
	let gateway = GatewayProcess::start(&node, d, &gateway_actor, 256 << 20).await;
	patient
		.ok(&node, "http://127.0.0.1:9", &["keys", "register"])
		.await;
	let size = 100_000_000usize;
	let mut plain = vec![0u8; size];
	rand::rngs::OsRng.fill_bytes(&mut plain);
	let original = d.join("big.bin");
	std::fs::write(&original, &plain).unwrap();

	let started = Instant::now();
	let put = patient
		.ok(
			&node,
			&gateway.url,
			&[
				"record",
				"put",
				original.to_str().unwrap(),
				"--subject",
				&patient.ss58(),
				"--kind",
				"ImagingStudy",
			],
		)
		.await;
	let put_time = started.elapsed();
	let record = put["record"].as_u64().unwrap().to_string();

	let out = d.join("big.out");
	let started = Instant::now();
	patient
		.ok(
			&node,
			&gateway.url,
			&["record", "get", &record, "--out", out.to_str().unwrap()],
		)
		.await;
	let get_time = started.elapsed();
	assert!(std::fs::read(&out).unwrap() == plain, "byte-identical");
	let mb = size as f64 / 1e6;
	let rate = |d: Duration| mb / d.as_secs_f64();
	println!(
		"100 MB record with the CLI: put {:.1} s ({:.1} MB/s), get {:.1} s ({:.1} MB/s), each including chain transactions",
		put_time.as_secs_f64(),
		rate(put_time),
		get_time.as_secs_f64(),
		rate(get_time)
	);

	// The data path alone, with the SDK: seal, upload, download (the gateway first waits for
	// the read receipt's block), verify and open.
	let keys = Keystore::new(&patient.keystore, PASSPHRASE).load().unwrap();
	let owner = keys.pre_keys().unwrap().public().public_key;
	let sealed = d.join("big.env");
	let started = Instant::now();
	{
		let mut input =
			std::io::BufReader::with_capacity(1 << 20, std::fs::File::open(&original).unwrap());
		let mut output =
			std::io::BufWriter::with_capacity(1 << 20, std::fs::File::create(&sealed).unwrap());
		let recipients = medchain_client::envelope::Recipients {
			abe: None,
			pre_owner: Some(owner),
		};
		let key = medchain_client::envelope::fresh_data_key();
		medchain_client::envelope::seal(
			&mut input,
			size as u64,
			&mut output,
			"s",
			"k",
			&recipients,
			&key,
		)
		.unwrap();
	}
	let seal_time = started.elapsed();
	let started = Instant::now();
	let summary = flows::summarize_file(&sealed).unwrap();
	let cid_time = started.elapsed();
	let client = GatewayClient::new(&gateway.url).unwrap();
	let chain = Chain::connect(node.ws_url()).await.unwrap();
	let signed = flows::signed_upload(
		&chain,
		&keys,
		patient.account,
		summary.cid.to_bytes(),
		summary.size,
	)
	.await
	.unwrap();
	let started = Instant::now();
	let stored = client
		.upload(&sealed, &signed, no_progress())
		.await
		.unwrap();
	let upload_time = started.elapsed();
	assert_eq!(
		stored.cid,
		summary.cid.to_string(),
		"gateway and client agree on the CID"
	);

	let gateway_account: AccountId32 = gateway_actor.account;
	let record: u64 = record.parse().unwrap();
	let (_, version, _) = chain.current_version(record).await.unwrap();
	let signed = flows::signed_read(
		&chain,
		&keys,
		gateway_account,
		record,
		version.digest,
		ReadBasis::Consent(consent::Purpose::Treatment),
	)
	.await
	.unwrap();
	let fetched = d.join("big.fetched");
	let first_byte = std::sync::Arc::new(std::sync::Mutex::new(None::<Instant>));
	let marker = first_byte.clone();
	let started = Instant::now();
	client
		.read(
			&signed,
			&fetched,
			version.size,
			std::sync::Arc::new(move |_| {
				marker.lock().unwrap().get_or_insert_with(Instant::now);
			}),
		)
		.await
		.unwrap();
	let done = Instant::now();
	let first = first_byte.lock().unwrap().expect("bytes arrived");
	let transfer_time = done - first;
	let receipt_wait = first - started;
	println!(
		"100 MB data path: seal {:.0} MB/s, CID+digest {:.0} MB/s, upload {:.0} MB/s, download {:.0} MB/s after {:.1} s waiting for the read receipt's block",
		rate(seal_time),
		rate(cid_time),
		rate(upload_time),
		rate(transfer_time),
		receipt_wait.as_secs_f64()
	);
}
