//! End to end, through the real CLI, node and gateway: the policies a user writes are the
//! policies CP-ABE enforces, across two attribute authorities.
//!
//! 1. Two authorities (a hospital's HR for `org:`, `role:`, `dept:`; a medical board for
//!    `license:`) generate CP-ABE keys and publish their commitments on chain.
//! 2. Attacks on trust: a parameters file labelled as the board but holding another key is
//!    refused by `trust`; a key issued to another account is refused by `import-key`; `put`
//!    refuses while an authority covering the policy is untrusted or suspended, or while an
//!    authority's key lacks an attribute of the policy; after the authority extends its key
//!    and publishes version 2, the writer's old copy is refused until it trusts the new one.
//! 3. A hospital seals three records, under a 3-attribute `and`, a `2 of 3` threshold and a
//!    policy mixing both authorities. A matching reader opens each through the CLI; a
//!    near-miss reader is refused by the chain, and its keys do not open the ciphertext either.
//!
//! No refusal may show a panic backtrace.

use api::consent::Call as ConsentCall;
use medchain_client::{envelope, keystore::Keystore};
use medchain_integration_tests::{
	actors::{
		expect_refusal, sudo, transfer, Actor, CliResult, GatewayProcess, PASSPHRASE, TIMEOUT,
	},
	api, TestNode,
};
use subxt_signer::sr25519::dev;

/// A refusal that is a clear one-line error, not a panic.
fn refused(result: CliResult, needle: &str) -> String {
	let error = expect_refusal(result, needle);
	assert!(
		!error.contains("panicked") && !error.contains("backtrace"),
		"a panic reached the user: {error}"
	);
	error
}

async fn accredit(node: &TestNode, authority: &Actor, scopes: &[&str]) {
	sudo(
		node,
		api::Call::Consent(ConsentCall::accredit_authority {
			authority: authority.account,
			scopes: scopes.iter().map(|s| s.as_bytes().to_vec()).collect(),
		}),
	)
	.await;
}

async fn set_suspended(node: &TestNode, authority: &Actor, suspended: bool) {
	let authority = authority.account;
	let call = if suspended {
		ConsentCall::suspend_authority { authority }
	} else {
		ConsentCall::reinstate_authority { authority }
	};
	sudo(node, api::Call::Consent(call)).await;
}

#[tokio::test]
async fn thresholds_conjunctions_and_two_authorities_are_enforced_by_cp_abe() {
	let node = TestNode::dev().await.expect("dev node");
	let dir = tempfile::tempdir().unwrap();
	let d = dir.path();
	let none = "http://127.0.0.1:9";

	let hr = Actor::new(&node, d, "hr", "//Alice").await;
	let board = Actor::new(&node, d, "board", "//Bob").await;
	let patient = Actor::new(&node, d, "patient", "//Charlie").await;
	let hospital = Actor::new(&node, d, "hospital", "//Dave").await;
	let reader = Actor::new(&node, d, "reader", "//Eve").await;
	let near_miss = Actor::new(&node, d, "near-miss", "//Ferdie").await;
	let store_actor = Actor::new(&node, d, "store", "//Gateway1").await;
	node.submit_ok(
		&transfer(&store_actor.account, 5_000 * medchain_client::chain::UNIT),
		&dev::alice(),
		TIMEOUT,
	)
	.await
	.expect("funding the gateway");
	let gateway = GatewayProcess::start(&node, d, &store_actor, 16 << 20).await;
	let store = gateway.url.clone();
	for actor in [&reader, &near_miss] {
		actor.ok(&node, none, &["keys", "register"]).await;
	}

	// --- 1. two authorities publish their keys --------------------------------------------
	accredit(&node, &hr, &["org:*", "role:*", "dept:*"]).await;
	accredit(&node, &board, &["license:*"]).await;
	hr.ok(
		&node,
		none,
		&[
			"authority",
			"init",
			"--attributes",
			"org:hospital-a,role:doctor,dept:cardiology",
		],
	)
	.await;
	board
		.ok(
			&node,
			none,
			&["authority", "init", "--attributes", "license:md"],
		)
		.await;
	let mut params = Vec::new();
	for authority in [&hr, &board] {
		assert_eq!(
			authority.ok(&node, none, &["authority", "publish"]).await["version"],
			1
		);
		let file = d.join(format!("{}.params.json", authority.name));
		authority
			.ok(
				&node,
				none,
				&["authority", "export", "--out", file.to_str().unwrap()],
			)
			.await;
		params.push(file);
	}

	// --- 2. attacks on trust ------------------------------------------------------------------
	// A forged parameters file: the board's name, another key (the forger holds its master).
	let forger = Actor::new(&node, d, "forger", "//Forger").await;
	forger
		.ok(
			&node,
			none,
			&["authority", "init", "--attributes", "license:md"],
		)
		.await;
	let forged = d.join("forged.params.json");
	forger
		.ok(
			&node,
			none,
			&["authority", "export", "--out", forged.to_str().unwrap()],
		)
		.await;
	let mut forged_json: serde_json::Value =
		serde_json::from_slice(&std::fs::read(&forged).unwrap()).unwrap();
	forged_json["authority"] = board.ss58().into();
	std::fs::write(&forged, serde_json::to_vec(&forged_json).unwrap()).unwrap();
	let error = refused(
		hospital
			.run(&node, none, &["keys", "trust", forged.to_str().unwrap()])
			.await,
		"is not the one it published on chain",
	);
	println!("attack: forged parameters file refused: {error}");
	// The forger's own key: it is no accredited authority.
	let own = d.join("forger-own.params.json");
	forger
		.ok(
			&node,
			none,
			&["authority", "export", "--out", own.to_str().unwrap()],
		)
		.await;
	refused(
		hospital
			.run(&node, none, &["keys", "trust", own.to_str().unwrap()])
			.await,
		"is not an accredited authority",
	);

	// Attributes on chain, CP-ABE keys over exactly them.
	for (authority, holder, attributes) in [
		(
			&hr,
			&reader,
			&["org:hospital-a", "role:doctor", "dept:cardiology"][..],
		),
		(&board, &reader, &["license:md"][..]),
		(&hr, &near_miss, &["org:hospital-a", "role:doctor"][..]),
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
	}
	// An attribute revoked on chain is left out of the key an authority issues.
	hr.ok(
		&node,
		none,
		&["authority", "issue", &near_miss.ss58(), "dept:cardiology"],
	)
	.await;
	node.submit_ok(
		&api::tx()
			.consent()
			.revoke_attribute(near_miss.account, b"dept:cardiology".to_vec()),
		&dev::alice(),
		TIMEOUT,
	)
	.await
	.expect("HR revokes dept:cardiology");
	let mut issued = Vec::new();
	for (authority, holder) in [(&hr, &reader), (&board, &reader), (&hr, &near_miss)] {
		let file = d.join(format!("{}-{}.key.json", authority.name, holder.name));
		let answer = authority
			.ok(
				&node,
				none,
				&[
					"authority",
					"issue-key",
					&holder.ss58(),
					"--out",
					file.to_str().unwrap(),
				],
			)
			.await;
		issued.push((holder, file, answer));
	}
	// Keys carry exactly the holder's valid attributes from that authority.
	assert_eq!(issued[0].2["attributes"].as_array().unwrap().len(), 3);
	assert_eq!(issued[1].2["attributes"].as_array().unwrap().len(), 1);
	assert_eq!(
		issued[2].2["attributes"],
		serde_json::json!(["org:hospital-a", "role:doctor"]),
		"the revoked attribute is not keyed"
	);
	// A key issued to the reader cannot be imported by the near-miss reader (it is encrypted
	// to the reader's Umbral key, and bound to the reader's account).
	refused(
		near_miss
			.run(
				&node,
				none,
				&["keys", "import", issued[0].1.to_str().unwrap()],
			)
			.await,
		"does not open with this key",
	);
	for (holder, file, _) in &issued {
		let imported = holder
			.ok(&node, none, &["keys", "import", file.to_str().unwrap()])
			.await;
		assert_eq!(imported["replaced"], false);
	}

	// --- 3. three policies, sealed by the hospital ----------------------------------------
	patient
		.ok(&node, none, &["custodian", "authorize", &hospital.ss58()])
		.await;
	let policies = [
		(
			"3-attribute and",
			r#""org:hospital-a" and "role:doctor" and "dept:cardiology""#,
		),
		(
			"2 of 3",
			r#"2 of ("dept:cardiology", "license:md", "role:surgeon")"#,
		),
		("two authorities", r#""org:hospital-a" and "license:md""#),
	];
	// Trusting only HR: a policy naming `license:` cannot be sealed yet.
	hospital
		.ok(&node, none, &["keys", "trust", params[0].to_str().unwrap()])
		.await;
	let plain = d.join("note.txt");
	std::fs::write(&plain, b"cardiology follow-up, 2026-12-02").unwrap();
	let mut records = Vec::new();
	let mut board_trusted = false;
	for (name, text) in policies {
		let policy = patient.ok(&node, none, &["policy", "create", text]).await["policy"]
			.as_u64()
			.unwrap()
			.to_string();
		let put = |store: String, policy: String| {
			let hospital = &hospital;
			let node = &node;
			let patient = patient.ss58();
			let plain = plain.clone();
			async move {
				hospital
					.run(
						node,
						&store,
						&[
							"record",
							"put",
							plain.to_str().unwrap(),
							"--subject",
							&patient,
							"--policy",
							&policy,
						],
					)
					.await
			}
		};
		if text.contains("license:") && !board_trusted {
			refused(
				put(store.clone(), policy.clone()).await,
				"is not trusted by this keystore",
			);
			board_trusted = true;
			hospital
				.ok(&node, none, &["keys", "trust", params[1].to_str().unwrap()])
				.await;
			// A suspended authority is not encrypted under.
			set_suspended(&node, &board, true).await;
			refused(put(store.clone(), policy.clone()).await, "suspended");
			set_suspended(&node, &board, false).await;
		}
		if text.contains("role:surgeon") {
			// HR's scopes cover `role:surgeon` but its key has no entry for it yet: holders
			// the chain would let in could not decrypt, so nothing is sealed.
			refused(
				put(store.clone(), policy.clone()).await,
				"has no entry for `role:surgeon`",
			);
			let extended = hr
				.ok(
					&node,
					none,
					&["authority", "extend", "--attributes", "role:surgeon"],
				)
				.await;
			assert_eq!(extended["added"][0], "role:surgeon");
			assert_eq!(
				hr.ok(&node, none, &["authority", "publish"]).await["version"],
				2
			);
			// The hospital's copy is now outdated: refused until it trusts the new one.
			refused(
				put(store.clone(), policy.clone()).await,
				"is not the one it published on chain",
			);
			hr.ok(
				&node,
				none,
				&["authority", "export", "--out", params[0].to_str().unwrap()],
			)
			.await;
			let trusted = hospital
				.ok(&node, none, &["keys", "trust", params[0].to_str().unwrap()])
				.await;
			assert_eq!(trusted["version"], 2);
			assert_eq!(trusted["replaced"], true);
		}
		let put = put(store.clone(), policy.clone())
			.await
			.unwrap_or_else(|e| panic!("{name}: put: {e}"));
		println!("{name}: sealed as record {} ({})", put["record"], text);
		records.push((
			name,
			put["record"].as_u64().unwrap(),
			put["cid"].as_str().unwrap().to_string(),
		));
	}

	let reader_keys = Keystore::new(&reader.keystore, PASSPHRASE).load().unwrap();
	let near_keys = Keystore::new(&near_miss.keystore, PASSPHRASE)
		.load()
		.unwrap();
	for (name, record, cid) in &records {
		let out = d.join(format!("{record}.reader.txt"));
		let got = reader
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
		assert_eq!(std::fs::read(&out).unwrap(), std::fs::read(&plain).unwrap());
		assert!(
			got["key_from"].as_str().unwrap().starts_with("CP-ABE"),
			"{got}"
		);
		println!("{name}: opened by the matching reader through the CLI");

		let out = d.join(format!("{record}.near.txt"));
		let error = refused(
			near_miss
				.run(
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
				.await,
			"Consent::PolicyNotSatisfied",
		);
		assert!(!out.exists());
		// The chain refused; the ciphertext itself refuses the near-miss reader's keys too,
		// and opens with the matching reader's.
		let stored = std::fs::read(gateway.blob(cid)).unwrap();
		let (header, _) = envelope::read_header(&mut std::io::Cursor::new(&stored)).unwrap();
		let wrap = header.abe.expect("a CP-ABE wrap");
		let near: Vec<_> = near_keys.abe_keys.values().collect();
		assert!(matches!(
			medchain_client::abe::unwrap(&near, &wrap.wrapped),
			Err(medchain_client::Error::Decrypt(_))
		));
		let matching: Vec<_> = reader_keys.abe_keys.values().collect();
		assert_eq!(
			medchain_client::abe::unwrap(&matching, &wrap.wrapped)
				.unwrap()
				.len(),
			32
		);
		println!("{name}: near-miss reader refused ({error}); its keys do not open the wrap");
	}
	assert_eq!(records.len(), 3);
}
