//! `medchain-dapp-fixture`: the world the dApp's browser tests (`scripts/dapp.sh`) run in, built
//! with the real `medchain` CLI as a hospital and an authority would: a `medchain-node --dev`
//! (RPC open to browsers), one `medchain-gateway` (the store, and an admitted re-encryption
//! proxy) that lets the dApp's origin in, and
//!
//! - an attribute authority (//Alice) accredited for `role:*` and `org:*`, with a published
//!   CP-ABE key; the doctor (//Dave) holds `role:doctor` + `org:hospital-a`, the emergency medic
//!   (//Eve) `role:emergency`, each with their CP-ABE key in their keystore;
//! - the patient (//Bob) with the policy `("role:doctor" and "org:hospital-a") or
//!   "role:emergency"` and the hospital (//Charlie) as custodian, which uploaded four records
//!   for Bob: a short clinical note (text), a 1 MiB scan (random bytes), a small X-ray image
//!   (PNG) and a lab report (PDF), the last two from `integration-tests/fixtures/`;
//! - a key grant from Bob to the researcher (//Ferdie) on the scan, through the gateway as a
//!   1-of-1 proxy;
//! - an open council motion (a remark, threshold two; Alice is the dev council's only member).
//!
//! It writes what the tests need (URLs, accounts, keystore paths and passphrase, record ids,
//! the original files) as JSON to `--out`, then keeps everything running until it is
//! terminated (SIGTERM or Ctrl-C); every process is stopped on exit. Loopback only.

use std::{path::PathBuf, process::ExitCode};

use clap::Parser;
use medchain_client::chain::{api, UNIT};
use medchain_integration_tests::{
	actors::{sudo, transfer, Actor, GatewayProcess, PASSPHRASE, TIMEOUT},
	NodeConfig,
};
use rand::RngCore;
use serde_json::json;
use subxt_signer::sr25519::dev;

#[derive(Parser, Debug)]
#[command(
	name = "medchain-dapp-fixture",
	about = "Start a dev chain, a gateway and the dApp tests' scenario"
)]
struct Args {
	/// Where to write the fixture's JSON (written last: its presence means ready).
	#[arg(long)]
	out: PathBuf,
	/// Working directory for keystores, record files and the gateway's data.
	#[arg(long)]
	dir: PathBuf,
	/// The dApp's web origin, let in by the gateway (CORS).
	#[arg(long, default_value = "http://127.0.0.1:4173")]
	origin: String,
}

/// The policy of the patient's records.
const POLICY: &str = r#"("role:doctor" and "org:hospital-a") or "role:emergency""#;
/// The clinical note's text (the test compares what the browser shows with it).
const NOTE: &str = "Discharge summary\nPatient: Bob Example, MRN 0042-7731\n\
Diagnosis: community-acquired pneumonia, resolved.\nPlan: amoxicillin 500 mg for 5 days; \
review in clinic in two weeks.\n";
/// Size of the scan.
const SCAN_BYTES: usize = 1 << 20;
/// A 24 x 16 PNG (the browser must show it as an image).
const IMAGE: &[u8] = include_bytes!("../../fixtures/xray.png");
/// A one-page PDF (the browser must show it inline as a PDF).
const PDF: &[u8] = include_bytes!("../../fixtures/report.pdf");

#[tokio::main]
async fn main() -> ExitCode {
	let args = Args::parse();
	match run(args).await {
		Ok(()) => ExitCode::SUCCESS,
		Err(error) => {
			eprintln!("medchain-dapp-fixture: {error}");
			ExitCode::FAILURE
		}
	}
}

async fn run(args: Args) -> Result<(), String> {
	let d = args.dir.as_path();
	std::fs::create_dir_all(d).map_err(|e| format!("{}: {e}", d.display()))?;
	let node = NodeConfig::dev()
		.arg("--rpc-cors")
		.arg("all")
		.spawn()
		.await
		.map_err(|e| format!("starting the dev node: {e}"))?;
	let none = "http://127.0.0.1:9"; // commands that need no gateway

	let authority = Actor::new(&node, d, "authority", "//Alice").await;
	let patient = Actor::new(&node, d, "patient", "//Bob").await;
	let hospital = Actor::new(&node, d, "hospital", "//Charlie").await;
	let doctor = Actor::new(&node, d, "doctor", "//Dave").await;
	let medic = Actor::new(&node, d, "medic", "//Eve").await;
	let researcher = Actor::new(&node, d, "researcher", "//Ferdie").await;
	let proxy = Actor::new(&node, d, "gateway", "//Gateway1").await;
	node.submit_ok(
		&transfer(&proxy.account, 5_000 * UNIT),
		&dev::alice(),
		TIMEOUT,
	)
	.await
	.map_err(|e| format!("funding the gateway: {e}"))?;
	for actor in [&patient, &doctor, &medic, &researcher] {
		actor.ok(&node, none, &["keys", "register"]).await;
	}

	let gateway =
		GatewayProcess::start_with(&node, d, &proxy, 64 << 20, &["--cors-origin", &args.origin])
			.await;
	proxy
		.ok(
			&node,
			none,
			&["proxy", "register", "--endpoint", &gateway.url],
		)
		.await;
	sudo(
		&node,
		api::Call::KeyGrants(api::key_grants::Call::admit_proxy {
			proxy: proxy.account,
		}),
	)
	.await;

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
				"role:doctor,role:emergency,org:hospital-a",
			],
		)
		.await;
	authority.ok(&node, none, &["authority", "publish"]).await;
	let params = d.join("authority-params.json");
	authority
		.ok(
			&node,
			none,
			&["authority", "export", "--out", &path(&params)],
		)
		.await;
	for (holder, attributes) in [
		(&doctor, &["role:doctor", "org:hospital-a"][..]),
		(&medic, &["role:emergency"][..]),
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
		authority
			.ok(
				&node,
				none,
				&[
					"authority",
					"issue-key",
					&holder.ss58(),
					"--out",
					&path(&key),
				],
			)
			.await;
		holder
			.ok(&node, none, &["keys", "import", &path(&key)])
			.await;
	}
	hospital
		.ok(&node, none, &["keys", "trust", &path(&params)])
		.await;

	let policy = patient.ok(&node, none, &["policy", "create", POLICY]).await["policy"]
		.as_u64()
		.ok_or("policy create: no policy id")?;
	patient
		.ok(&node, none, &["custodian", "authorize", &hospital.ss58()])
		.await;

	let note_file = d.join("note.txt");
	std::fs::write(&note_file, NOTE).map_err(|e| e.to_string())?;
	let mut scan = vec![0u8; SCAN_BYTES];
	rand::rngs::OsRng.fill_bytes(&mut scan);
	let scan_file = d.join("scan.bin");
	std::fs::write(&scan_file, &scan).map_err(|e| e.to_string())?;
	let image_file = d.join("xray.png");
	std::fs::write(&image_file, IMAGE).map_err(|e| e.to_string())?;
	let pdf_file = d.join("report.pdf");
	std::fs::write(&pdf_file, PDF).map_err(|e| e.to_string())?;
	let mut records = Vec::new();
	for (file, kind) in [
		(&note_file, "ClinicalNote"),
		(&scan_file, "ImagingStudy"),
		(&image_file, "Media"),
		(&pdf_file, "DiagnosticReport"),
	] {
		let put = hospital
			.ok(
				&node,
				&gateway.url,
				&[
					"record",
					"put",
					&path(file),
					"--subject",
					&patient.ss58(),
					"--kind",
					kind,
					"--policy",
					&policy.to_string(),
				],
			)
			.await;
		records.push(put["record"].as_u64().ok_or("record put: no record id")?);
	}
	let grant = patient
		.ok(
			&node,
			&gateway.url,
			&[
				"grant",
				"create",
				"--grantee",
				&researcher.ss58(),
				"--record",
				&records[1].to_string(),
				"--proxies",
				&proxy.ss58(),
				"--threshold",
				"1",
			],
		)
		.await["grant"]
		.as_u64()
		.ok_or("grant create: no grant id")?;

	// An open council motion for the council view: Alice, the dev chain's only member, proposes
	// a remark with a threshold of two, so it stays open until voted down and closed.
	let remark = api::Call::System(api::system::Call::remark {
		remark: b"MedChain dApp test motion".to_vec(),
	});
	node.submit_ok(
		&api::tx().council().propose(2, remark, 10_000),
		&dev::alice(),
		TIMEOUT,
	)
	.await
	.map_err(|e| format!("proposing the council motion: {e}"))?;

	let person = |actor: &Actor, suri: &str| {
		json!({
			"suri": suri,
			"address": actor.ss58(),
			"keystore": path(&actor.keystore),
		})
	};
	let fixture = json!({
		"node": node.ws_url(),
		"gateway": gateway.url,
		"passphrase": PASSPHRASE,
		"policy": policy,
		"policyText": POLICY,
		"patient": person(&patient, "//Bob"),
		"hospital": person(&hospital, "//Charlie"),
		"doctor": person(&doctor, "//Dave"),
		"medic": person(&medic, "//Eve"),
		"researcher": person(&researcher, "//Ferdie"),
		"gatewayAccount": proxy.ss58(),
		"note": { "record": records[0], "file": path(&note_file), "text": NOTE },
		"scan": { "record": records[1], "file": path(&scan_file), "bytes": SCAN_BYTES },
		"image": { "record": records[2], "file": path(&image_file) },
		"pdf": { "record": records[3], "file": path(&pdf_file) },
		"grant": grant,
		"councilMember": person(&authority, "//Alice"),
	});
	let tmp = args.out.with_extension("tmp");
	std::fs::write(
		&tmp,
		serde_json::to_vec_pretty(&fixture).map_err(|e| e.to_string())?,
	)
	.and_then(|()| std::fs::rename(&tmp, &args.out))
	.map_err(|e| format!("{}: {e}", args.out.display()))?;
	eprintln!(
		"medchain-dapp-fixture: ready ({}; node {}, gateway {})",
		args.out.display(),
		node.ws_url(),
		gateway.url
	);

	let mut terminate = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())
		.map_err(|e| format!("SIGTERM handler: {e}"))?;
	tokio::select! {
		_ = terminate.recv() => {}
		_ = tokio::signal::ctrl_c() => {}
	}
	drop(gateway);
	drop(node);
	Ok(())
}

/// A path as the CLI's argument.
fn path(p: &std::path::Path) -> String {
	p.to_string_lossy().into_owned()
}
