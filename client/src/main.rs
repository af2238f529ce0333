//! `medchain`: the MedChain command-line client.
//!
//! Every command reads the account's keystore (`--keystore`, passphrase from
//! `MEDCHAIN_PASSPHRASE` or `--passphrase-file`), talks to a node (`--node`) and, for records,
//! to a gateway (`--gateway`). `--json` prints one JSON document per command instead of text.
//! See `medchain --help` and the README for a walk-through.

use std::{
	path::{Path, PathBuf},
	process::ExitCode,
};

use clap::{Parser, Subcommand};
use indicatif::{ProgressBar, ProgressStyle};
use medchain_client::{
	chain::{self, account_id, consent::Purpose, Chain},
	keystore::Keystore,
	ops::{self, IssuedKey, PutRequest, Via},
	protocol::GatewayClient,
	Error,
};
use serde_json::json;

#[derive(Parser)]
#[command(
	name = "medchain",
	version,
	about = "MedChain client: encrypted medical records shared under the patient's control"
)]
struct Cli {
	/// Node WebSocket RPC endpoint.
	#[arg(
		long,
		global = true,
		env = "MEDCHAIN_NODE",
		default_value = "ws://127.0.0.1:9944"
	)]
	node: String,
	/// Gateway base URL.
	#[arg(
		long,
		global = true,
		env = "MEDCHAIN_GATEWAY",
		default_value = "http://127.0.0.1:8787"
	)]
	gateway: String,
	/// Keystore file.
	#[arg(
		long,
		global = true,
		env = "MEDCHAIN_KEYSTORE",
		default_value = "medchain-keystore.json"
	)]
	keystore: PathBuf,
	/// File holding the keystore passphrase (else `MEDCHAIN_PASSPHRASE`).
	#[arg(long, global = true)]
	passphrase_file: Option<PathBuf>,
	/// Print JSON.
	#[arg(long, global = true)]
	json: bool,
	#[command(subcommand)]
	command: Command,
}

#[derive(Subcommand)]
enum Command {
	/// Create a keystore for an account (secret URI: `//Alice`, a mnemonic or a 0x seed).
	Init {
		#[arg(long)]
		suri: String,
	},
	/// Show the account and its public keys.
	Whoami,
	/// Register this account's PRE (Umbral) keys on chain.
	RegisterKeys,
	/// Register this account as a re-encryption proxy served at `endpoint` (bonds funds).
	RegisterProxy {
		#[arg(long)]
		endpoint: String,
	},
	/// Store a consent policy, e.g. '"role:doctor" and "org:hospital-a"'.
	CreatePolicy { text: String },
	/// Allow a custodian (hospital, lab) to write records for you.
	AuthorizeCustodian {
		custodian: String,
		/// Record kinds (all if none).
		#[arg(long = "kind")]
		kinds: Vec<String>,
	},
	/// Attribute-authority commands.
	#[command(subcommand)]
	Authority(AuthorityCommand),
	/// Import a CP-ABE key issued to you (`authority issue-key` output).
	ImportKey { file: PathBuf },
	/// Trust an authority's CP-ABE parameters (`authority export` output) to encrypt under,
	/// after checking them against the key commitment it published on chain.
	Trust { file: PathBuf },
	/// Encrypt a file, upload it to the gateway and register it as a record.
	Put {
		file: PathBuf,
		/// The patient the record is about.
		#[arg(long)]
		subject: String,
		/// Record kind (FHIR resource type).
		#[arg(long, default_value = "DocumentReference")]
		kind: String,
		/// Consent policy id (CP-ABE wrap under its text, for every active authority whose
		/// scopes cover its attributes; their keys must be trusted).
		#[arg(long)]
		policy: Option<u32>,
	},
	/// Download and decrypt a record.
	Get {
		record: u64,
		#[arg(long, short)]
		out: PathBuf,
		/// Read under this key grant (proxy re-encryption) instead of a consent ticket.
		#[arg(long)]
		grant: Option<u64>,
		#[arg(long, value_enum, default_value = "treatment")]
		purpose: Purpose,
	},
	/// Delegate decryption of a record to a grantee through m-of-n proxies.
	Grant {
		#[arg(long)]
		grantee: String,
		#[arg(long)]
		record: u64,
		/// Proxy accounts, comma-separated.
		#[arg(long, value_delimiter = ',')]
		proxies: Vec<String>,
		#[arg(long)]
		threshold: u8,
		/// Blocks from now until the grant expires.
		#[arg(long, default_value_t = 600)]
		blocks: u32,
	},
	/// Revoke a grant.
	Revoke { grant: u64 },
	/// Erase a record (crypto-shredding: gateways delete the blobs).
	Erase { record: u64 },
	/// List a patient's records.
	Records {
		#[arg(long)]
		subject: Option<String>,
	},
	/// List read receipts of a patient's records (and a grant's re-encryption receipts).
	Receipts {
		#[arg(long)]
		subject: Option<String>,
		#[arg(long)]
		grant: Option<u64>,
	},
}

#[derive(Subcommand)]
enum AuthorityCommand {
	/// Generate this authority's CP-ABE key over the attributes it will key (kept in the
	/// keystore); then `authority publish`.
	Init {
		/// Attributes, comma-separated (e.g. `role:doctor,org:hospital-a`).
		#[arg(long, value_delimiter = ',', required = true)]
		attributes: Vec<String>,
	},
	/// Add attributes to this authority's CP-ABE key (keys issued before stay valid); then
	/// `authority publish` and hand writers the new `authority export`.
	Extend {
		#[arg(long, value_delimiter = ',', required = true)]
		attributes: Vec<String>,
	},
	/// Publish (or rotate) the commitment to this authority's CP-ABE key on chain.
	Publish,
	/// Write this authority's public CP-ABE parameters to a file.
	Export {
		#[arg(long, short)]
		out: PathBuf,
	},
	/// Issue an attribute on chain.
	Issue {
		holder: String,
		attribute: String,
		#[arg(long)]
		expires_at: Option<u32>,
	},
	/// Issue a CP-ABE key over the holder's valid attributes from this authority.
	IssueKey {
		holder: String,
		#[arg(long, short)]
		out: PathBuf,
	},
}

/// Reads a JSON file another party handed over (a key, an authority's parameters).
fn read_json<T: serde::de::DeserializeOwned>(file: &Path) -> Result<T, Error> {
	serde_json::from_slice(&std::fs::read(file)?)
		.map_err(|e| Error::Invalid(format!("{}: {e}", file.display())))
}

fn passphrase(cli: &Cli) -> Result<String, Error> {
	if let Some(path) = &cli.passphrase_file {
		return Ok(std::fs::read_to_string(path)?
			.trim_end_matches(['\n', '\r'])
			.to_string());
	}
	std::env::var("MEDCHAIN_PASSPHRASE")
		.map_err(|_| Error::Keystore("set MEDCHAIN_PASSPHRASE or pass --passphrase-file".into()))
}

fn progress_bar(json: bool, total: Option<u64>, what: &str) -> ProgressBar {
	if json {
		return ProgressBar::hidden();
	}
	let bar = match total {
		Some(total) => ProgressBar::new(total),
		None => ProgressBar::no_length(),
	};
	bar.set_style(
		ProgressStyle::with_template("{msg} [{bar:30}] {bytes}/{total_bytes} {bytes_per_sec}")
			.unwrap_or_else(|_| ProgressStyle::default_bar()),
	);
	bar.set_message(what.to_string());
	bar
}

fn print(json: bool, value: serde_json::Value, text: impl FnOnce() -> String) {
	if json {
		println!("{value}");
	} else {
		println!("{}", text());
	}
}

async fn run(cli: Cli) -> Result<(), Error> {
	let store = Keystore::new(&cli.keystore, &passphrase(&cli)?);
	if let Command::Init { suri } = &cli.command {
		let material = store.create(suri)?;
		let account = account_id(&material.keypair()?);
		print(
			cli.json,
			json!({ "account": account.to_string(), "keystore": cli.keystore }),
			|| format!("created {} for {account}", cli.keystore.display()),
		);
		return Ok(());
	}
	let material = store.load()?;
	let me = account_id(&material.keypair()?);
	if let Command::Whoami = &cli.command {
		let keys = material.pre_keys()?.public();
		print(
			cli.json,
			json!({
				"account": me.to_string(),
				"pre_public_key": hex::encode(keys.public_key),
				"pre_verifying_key": hex::encode(keys.verifying_key),
				"abe_keys": material.abe_keys.keys().collect::<Vec<_>>(),
				"authority": material.authority.is_some(),
			}),
			|| format!("{me}\nPRE public key {}", hex::encode(keys.public_key)),
		);
		return Ok(());
	}
	if let Command::Authority(AuthorityCommand::Export { out }) = &cli.command {
		let keys = material
			.authority
			.as_ref()
			.ok_or_else(|| Error::Invalid("this keystore holds no authority keys".into()))?;
		let bytes = serde_json::to_vec(&keys.public).map_err(|e| Error::Invalid(e.to_string()))?;
		std::fs::write(out, bytes)?;
		print(
			cli.json,
			json!({ "authority": me.to_string(), "file": out }),
			|| format!("parameters written to {}", out.display()),
		);
		return Ok(());
	}
	if let Command::Authority(AuthorityCommand::Init { attributes }) = &cli.command {
		if material.authority.is_some() {
			return Err(Error::Invalid(
				"this keystore already holds authority keys (authority extend adds attributes)"
					.into(),
			));
		}
		let keys = medchain_client::abe::AuthorityKeys::generate(&me.to_string(), attributes)?;
		let hash = keys.public.commitment()?;
		store.update(|m| {
			m.authority = Some(keys);
			Ok(())
		})?;
		print(
			cli.json,
			json!({ "authority": me.to_string(), "commitment": hex::encode(hash) }),
			|| {
				format!(
					"generated a CP-ABE key for {me} over {attributes:?}; now `authority publish`"
				)
			},
		);
		return Ok(());
	}
	if let Command::Authority(AuthorityCommand::Extend { attributes }) = &cli.command {
		let (added, hash) = store.update(|m| {
			let keys = m
				.authority
				.as_mut()
				.ok_or_else(|| Error::Invalid("this keystore holds no authority keys".into()))?;
			let added = keys.extend(attributes)?;
			Ok((added, keys.public.commitment()?))
		})?;
		print(
			cli.json,
			json!({ "added": added, "commitment": hex::encode(hash) }),
			|| format!("added {added:?}; now `authority publish`"),
		);
		return Ok(());
	}

	let chain = Chain::connect(&cli.node).await?;
	let gateway = GatewayClient::new(&cli.gateway)?;
	let subject_or_me = |subject: &Option<String>| -> Result<_, Error> {
		subject.as_deref().map_or(Ok(me), chain::parse_account)
	};
	match &cli.command {
		Command::RegisterKeys => {
			ops::register_pre_keys(&chain, &material).await?;
			print(cli.json, json!({ "registered": me.to_string() }), || {
				"PRE keys registered".into()
			});
		}
		Command::RegisterProxy { endpoint } => {
			ops::register_proxy(&chain, &material, endpoint).await?;
			print(
				cli.json,
				json!({ "proxy": me.to_string(), "endpoint": endpoint }),
				|| format!("{me} registered as a proxy at {endpoint}; governance must admit it"),
			);
		}
		Command::ImportKey { file } => {
			let issued: IssuedKey = read_json(file)?;
			let listed = ops::authorities(&chain).await?;
			let imported = store.update(|m| ops::import_abe_key(&listed, m, &issued))?;
			print(cli.json, json!(imported), || {
				format!(
					"imported a key from {} (key version {}) over {:?}{}",
					imported.authority,
					imported.version,
					imported.attributes,
					if imported.replaced {
						"; it replaced the key held from this authority"
					} else {
						""
					}
				)
			});
		}
		Command::Trust { file } => {
			let public: medchain_client::abe::AuthorityPublic = read_json(file)?;
			let listed = ops::authorities(&chain).await?;
			let trusted = store.update(|m| ops::trust_checked(&listed, m, &public))?;
			print(cli.json, json!(trusted), || {
				format!(
					"trusting the CP-ABE key of {} (version {} on chain){}",
					trusted.authority,
					trusted.version,
					if trusted.replaced {
						"; it replaced an older copy"
					} else {
						""
					}
				)
			});
		}
		Command::Authority(AuthorityCommand::Publish) => {
			let version = ops::publish_abe_key(&chain, &material).await?;
			print(
				cli.json,
				json!({ "authority": me.to_string(), "version": version }),
				|| format!("CP-ABE key version {version} published for {me}"),
			);
		}
		Command::CreatePolicy { text } => {
			let id = ops::create_policy(&chain, &material, text).await?;
			print(cli.json, json!({ "policy": id }), || format!("policy {id}"));
		}
		Command::AuthorizeCustodian { custodian, kinds } => {
			ops::authorize_custodian(&chain, &material, &chain::parse_account(custodian)?, kinds)
				.await?;
			print(cli.json, json!({ "custodian": custodian }), || {
				format!("{custodian} may write records for you")
			});
		}
		Command::Authority(AuthorityCommand::Issue {
			holder,
			attribute,
			expires_at,
		}) => {
			ops::issue_attribute(
				&chain,
				&material,
				&chain::parse_account(holder)?,
				attribute,
				*expires_at,
			)
			.await?;
			print(
				cli.json,
				json!({ "holder": holder, "attribute": attribute }),
				|| format!("issued {attribute} to {holder}"),
			);
		}
		Command::Authority(AuthorityCommand::IssueKey { holder, out }) => {
			let issued =
				ops::issue_abe_key(&chain, &material, &chain::parse_account(holder)?).await?;
			let bytes = serde_json::to_vec(&issued).map_err(|e| Error::Invalid(e.to_string()))?;
			medchain_client::keystore::write_private(out, &bytes)?;
			print(
				cli.json,
				json!({ "holder": holder, "attributes": issued.attributes, "file": out }),
				|| {
					format!(
						"key over {:?} for {holder} written to {}",
						issued.attributes,
						out.display()
					)
				},
			);
		}
		Command::Put {
			file,
			subject,
			kind,
			policy,
		} => {
			let size = std::fs::metadata(file)?.len();
			let bar = progress_bar(cli.json, Some(size), "upload");
			let outcome = ops::put_record(
				&chain,
				&material,
				&gateway,
				PutRequest {
					input: file,
					subject: chain::parse_account(subject)?,
					kind,
					policy: *policy,
				},
				{
					let bar = bar.clone();
					std::sync::Arc::new(move |sent| bar.set_position(sent))
				},
			)
			.await?;
			bar.finish_and_clear();
			print(cli.json, json!(outcome), || {
				format!(
					"record {} ({}, {} bytes encrypted as {})",
					outcome.record, outcome.cid, outcome.plaintext_size, outcome.scheme
				)
			});
		}
		Command::Get {
			record,
			out,
			grant,
			purpose,
		} => {
			let via = grant.map_or(Via::Ticket(*purpose), Via::Grant);
			let bar = progress_bar(cli.json, None, "download");
			let outcome = ops::get_record(&chain, &material, &gateway, *record, via, out, {
				let bar = bar.clone();
				std::sync::Arc::new(move |n| bar.set_position(n))
			})
			.await?;
			bar.finish_and_clear();
			print(cli.json, json!(outcome), || {
				format!(
					"record {} v{} ({} bytes) written to {} [{}]",
					outcome.record,
					outcome.version,
					outcome.plaintext_size,
					outcome.output.display(),
					outcome.key_from
				)
			});
		}
		Command::Grant {
			grantee,
			record,
			proxies,
			threshold,
			blocks,
		} => {
			let proxies = proxies
				.iter()
				.map(|p| chain::parse_account(p))
				.collect::<Result<Vec<_>, _>>()?;
			let (best, _) = chain.best().await?;
			let outcome = ops::create_grant(
				&chain,
				&material,
				&gateway,
				&chain::parse_account(grantee)?,
				*record,
				&proxies,
				*threshold,
				best.saturating_add(*blocks),
			)
			.await?;
			print(cli.json, json!(outcome), || {
				format!(
					"grant {} ({} fragments delivered, {} failed)",
					outcome.grant,
					outcome.delivered.len(),
					outcome.failed.len()
				)
			});
			if !outcome.failed.is_empty() {
				return Err(Error::Gateway(format!(
					"grant {} created, but key fragments were not delivered: {}",
					outcome.grant,
					outcome.failed.join("; ")
				)));
			}
		}
		Command::Revoke { grant } => {
			ops::revoke_grant(&chain, &material, *grant).await?;
			print(cli.json, json!({ "revoked": grant }), || {
				format!("grant {grant} revoked")
			});
		}
		Command::Erase { record } => {
			let cids = ops::erase_record(&chain, &material, *record).await?;
			print(cli.json, json!({ "erased": record, "cids": cids }), || {
				format!("record {record} erased")
			});
		}
		Command::Records { subject } => {
			let listed = ops::list_records(&chain, &subject_or_me(subject)?).await?;
			print(cli.json, json!(listed), || {
				listed
					.iter()
					.map(|r| {
						format!(
							"{}\t{}\tv{}\tpolicy {:?}",
							r.record, r.kind, r.current_version, r.policy
						)
					})
					.collect::<Vec<_>>()
					.join("\n")
			});
		}
		Command::Receipts { subject, grant } => {
			let reads = ops::list_read_receipts(&chain, &subject_or_me(subject)?).await?;
			let reencryptions = match grant {
				Some(g) => ops::list_grant_receipts(&chain, *g)
					.await?
					.into_iter()
					.map(|r| json!({ "proxy": r.proxy.to_string(), "capsule_hash": format!("{:?}", r.capsule_hash), "served_at": r.served_at, "recorded_at": r.recorded_at }))
					.collect(),
				None => Vec::new(),
			};
			print(
				cli.json,
				json!({ "reads": reads, "reencryptions": reencryptions }),
				|| {
					reads
						.iter()
						.map(|r| {
							format!(
								"#{} record {} read by {} via {} ({})",
								r.recorded_at, r.record, r.reader, r.gateway, r.basis
							)
						})
						.collect::<Vec<_>>()
						.join("\n")
				},
			);
		}
		Command::Init { .. }
		| Command::Whoami
		| Command::Authority(
			AuthorityCommand::Init { .. }
			| AuthorityCommand::Extend { .. }
			| AuthorityCommand::Export { .. },
		) => {}
	}
	Ok(())
}

#[tokio::main]
async fn main() -> ExitCode {
	// A bug must not put a backtrace in front of a user: one line, then the error exit.
	// (Panics that libraries raise on bad input are caught where they are called and arrive
	// as errors; see `abe::guarded`.)
	std::panic::set_hook(Box::new(|info| {
		eprintln!("internal error (please report it): {info}");
	}));
	let cli = Cli::parse();
	let json = cli.json;
	match run(cli).await {
		Ok(()) => ExitCode::SUCCESS,
		Err(error) => {
			if json {
				eprintln!("{}", json!({ "error": error.to_string() }));
			} else {
				eprintln!("error: {error}");
			}
			ExitCode::FAILURE
		}
	}
}
