//! The load harness behind `medchain-load` (`scripts/load.sh`): pre-signed floods of
//! transactions from many funded accounts, submitted over several RPC connections, and what
//! the chain made of them block by block.
//!
//! A flood is built and signed before it is sent (so signing costs nothing during the
//! measurement), one nonce-ordered queue per sender ([`Queues`]). [`send`] spreads the
//! senders over `tasks` submitters sharing the connections; a sender whose transaction the pool refuses
//! as invalid stops (its later nonces could never be included), one the pool refuses for
//! being full waits and sends the same transaction again. [`Watcher`] notes, every 100 ms,
//! the best and finalised block numbers; [`block_stat`] then reads each block of the window:
//! extrinsics, their events, the weight and length they used against the runtime's limits,
//! and the records and anchors they added.
//!
//! Everything is bounded: a flood's size is fixed before it starts and sending stops at a
//! deadline; all traffic goes to the URLs given (loopback in the scripts).

use std::{
	collections::BTreeMap,
	sync::{
		atomic::{AtomicBool, AtomicU32, AtomicU64, Ordering},
		Arc, Mutex,
	},
	time::{Duration, Instant},
};

use medchain_client::chain::{
	api, records, AccountId32, Chain, ClientAtBlock, MedChainConfig, UNIT,
};
use subxt::{
	config::DefaultExtrinsicParamsBuilder,
	ext::codec::{Compact, Decode},
	utils::{MultiAddress, H256},
};
use subxt_signer::{sr25519::Keypair, SecretUri};

use crate::cid_v1_raw;

/// What a flood sends.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
	/// `Balances.transfer_keep_alive` of one planck to the next sender.
	Transfer,
	/// `Records.register_record`, each sender registering records about itself.
	Register,
	/// `Records.register_records` of `batch` records, a custodian writing for `batch` patients.
	Batch,
	/// `Records.anchor_batch`: one Merkle root for `leaves` off-chain records.
	Anchor,
}

impl Kind {
	/// How many of this load's own transactions succeeded in block `s` (whatever else the block
	/// carried: a previous load's late transactions are not this one's), for batches of
	/// `batch` records.
	pub fn own(self, s: &BlockStat, batch: u32) -> u64 {
		match self {
			Kind::Transfer => s.transfers,
			Kind::Register => s.records,
			Kind::Batch => s.records.div_ceil(u64::from(batch.max(1))),
			Kind::Anchor => s.anchors,
		}
	}

	/// The name used on the command line and in reports.
	pub fn name(self) -> &'static str {
		match self {
			Kind::Transfer => "transfer",
			Kind::Register => "register",
			Kind::Batch => "batch",
			Kind::Anchor => "anchor",
		}
	}

	/// Parses [`Kind::name`].
	pub fn parse(text: &str) -> Result<Self, String> {
		match text {
			"transfer" => Ok(Kind::Transfer),
			"register" => Ok(Kind::Register),
			"batch" => Ok(Kind::Batch),
			"anchor" => Ok(Kind::Anchor),
			other => Err(format!(
				"unknown load {other:?}: transfer, register, batch or anchor"
			)),
		}
	}
}

/// The runtime's limits, read from its constants.
#[derive(Clone, Copy, Debug)]
pub struct Limits {
	/// Ref time ordinary transactions may fill in a block (ps).
	pub normal_ref_time: u64,
	/// Ref time the whole block may use (ps).
	pub block_ref_time: u64,
	/// Ref time charged for every extrinsic on top of its call (ps).
	pub base_extrinsic: u64,
	/// Bytes ordinary transactions may fill in a block.
	pub normal_length: u32,
	/// Target time between blocks.
	pub block_time: Duration,
}

impl Limits {
	/// Reads the limits from the runtime at the best block.
	pub async fn read(chain: &Chain) -> Result<Self, String> {
		let at = chain.at_best().await.map_err(|e| e.to_string())?;
		let constants = at.constants();
		let weights = constants
			.entry(api::constants().system().block_weights())
			.map_err(|e| format!("System.BlockWeights: {e}"))?;
		let length = constants
			.entry(api::constants().system().block_length())
			.map_err(|e| format!("System.BlockLength: {e}"))?;
		let period = constants
			.entry(api::constants().timestamp().minimum_period())
			.map_err(|e| format!("Timestamp.MinimumPeriod: {e}"))?;
		let normal = weights.per_class.normal;
		Ok(Limits {
			normal_ref_time: normal
				.max_total
				.map_or(weights.max_block.ref_time, |w| w.ref_time),
			block_ref_time: weights.max_block.ref_time,
			base_extrinsic: normal.base_extrinsic.ref_time,
			normal_length: length.max.normal,
			block_time: Duration::from_millis(period.saturating_mul(2)),
		})
	}
}

/// The ref time (ps) a signed transaction is charged, its call and transaction extensions,
/// without the base extrinsic weight (`TransactionPaymentApi.query_info`).
pub async fn charged_weight(chain: &Chain, transaction: &[u8]) -> Result<u64, String> {
	let mut params = transaction.to_vec();
	params.extend_from_slice(&(transaction.len() as u32).to_le_bytes());
	let answer = chain
		.rpc()
		.state_call("TransactionPaymentApi_query_info", Some(&params), None)
		.await
		.map_err(|e| format!("TransactionPaymentApi.query_info: {e}"))?;
	// RuntimeDispatchInfo { weight: Weight { ref_time: Compact<u64>, proof_size: .. }, .. }
	let ref_time = Compact::<u64>::decode(&mut &answer[..])
		.map_err(|e| format!("TransactionPaymentApi.query_info's answer: {e}"))?;
	Ok(ref_time.0)
}

/// Signed transactions ready to send: per sender, its transactions in nonce order.
pub type Queues = Vec<Vec<Vec<u8>>>;

/// A key derived from //Alice for the harness: `//Alice//load//<role>//<index>`.
pub fn key(role: &str, index: usize) -> Keypair {
	let uri: SecretUri = format!("//Alice//load//{role}//{index}")
		.parse()
		.expect("a valid secret URI");
	Keypair::from_uri(&uri).expect("a derivable key")
}

/// Signs `calls` (in order) from `signer` with nonces from `first_nonce`, immortal, at the
/// chain's current version.
pub async fn sign_all<C: subxt::transactions::Payload>(
	chain: &Chain,
	signer: &Keypair,
	first_nonce: u64,
	calls: impl IntoIterator<Item = C>,
) -> Result<Vec<Vec<u8>>, String> {
	let mut signed = sign_groups(chain, [(signer, first_nonce, calls)]).await?;
	Ok(signed.pop().unwrap_or_default())
}

/// [`sign_all`] for several signers at once, with one transaction client (fetching the
/// chain's version once, not per signer): per group, its signed transactions.
pub async fn sign_groups<'a, C, I>(
	chain: &Chain,
	groups: impl IntoIterator<Item = (&'a Keypair, u64, I)>,
) -> Result<Vec<Vec<Vec<u8>>>, String>
where
	C: subxt::transactions::Payload,
	I: IntoIterator<Item = C>,
{
	let tx = chain
		.client()
		.tx()
		.await
		.map_err(|e| format!("transaction client: {e}"))?;
	let mut all = Vec::new();
	for (signer, first_nonce, calls) in groups {
		let mut signed = Vec::new();
		for (offset, call) in calls.into_iter().enumerate() {
			let params = DefaultExtrinsicParamsBuilder::<MedChainConfig>::new()
				.nonce(first_nonce + offset as u64)
				.build();
			let transaction = tx
				.create_signable_offline(&call, params)
				.and_then(|mut signable| signable.sign(signer))
				.map_err(|e| format!("signing: {e}"))?;
			signed.push(transaction.into_encoded());
		}
		all.push(signed);
	}
	Ok(all)
}

/// Which record of a run: the run, the load, the sender, its transaction and the record's
/// place in it. Packed into a CID digest, it makes every record of every run unique.
#[derive(Clone, Copy)]
struct Seed {
	run: u64,
	kind: Kind,
	sender: usize,
	transaction: usize,
	index: u32,
}

impl Seed {
	fn digest(self) -> [u8; 32] {
		let mut digest = [0u8; 32];
		digest[..8].copy_from_slice(&self.run.to_le_bytes());
		digest[8] = self.kind as u8;
		digest[9..17].copy_from_slice(&(self.sender as u64).to_le_bytes());
		digest[17..25].copy_from_slice(&(self.transaction as u64).to_le_bytes());
		digest[25..29].copy_from_slice(&self.index.to_le_bytes());
		digest
	}
}

/// Content no other record has: its CID's digest is `seed`, packed.
fn unique_content(seed: Seed) -> records::ContentInput {
	let digest = seed.digest();
	records::ContentInput {
		cid: cid_v1_raw(digest),
		digest: H256(digest),
		size: 4096,
		scheme: records::EncryptionScheme::AeadCpAbe,
	}
}

/// A record of `seed`'s content guarded by `policy`.
fn record(seed: Seed, policy: Option<u32>) -> records::RecordInput {
	records::RecordInput {
		content: unique_content(seed),
		kind: b"lab".to_vec(),
		policy,
	}
}

/// Who sends and receives a flood's transactions.
pub struct Parties<'a> {
	/// The senders' accounts, in sender order (transfers go to the next one).
	pub senders: &'a [AccountId32],
	/// Per sender, the subjects it writes for as their custodian ([`Kind::Batch`]).
	pub patients: &'a [Vec<AccountId32>],
	/// Each subject's own consent policy, which its records name; empty: records without a
	/// policy.
	pub policies: &'a BTreeMap<AccountId32, u32>,
}

/// Signs `count` transactions of `kind` from sender `sender` (key `signer`), from nonce
/// `nonce`. `run` makes every CID of this run new; `batch` records go in each
/// `register_records`, `leaves` is each anchor's leaf count.
#[allow(clippy::too_many_arguments)]
pub async fn sign_queue(
	chain: &Chain,
	kind: Kind,
	run: u64,
	(sender, signer, nonce): (usize, &Keypair, u64),
	count: usize,
	batch: u32,
	leaves: u32,
	parties: &Parties<'_>,
) -> Result<Vec<Vec<u8>>, String> {
	let seed = move |transaction: usize, index: u32| Seed {
		run,
		kind,
		sender,
		transaction,
		index,
	};
	let policy_of = |subject: &AccountId32| parties.policies.get(subject).copied();
	match kind {
		Kind::Transfer => {
			let to = parties.senders[(sender + 1) % parties.senders.len()];
			let calls = (0..count).map(|_| {
				api::tx()
					.balances()
					.transfer_keep_alive(MultiAddress::Id(to), 1)
			});
			sign_all(chain, signer, nonce, calls).await
		}
		Kind::Register => {
			let subject = parties.senders[sender];
			let calls = (0..count).map(|n| {
				api::tx()
					.records()
					.register_record(subject, record(seed(n, 0), policy_of(&subject)))
			});
			sign_all(chain, signer, nonce, calls).await
		}
		Kind::Batch => {
			let patients = &parties.patients[sender];
			let calls = (0..count).map(|n| {
				api::tx().records().register_records(
					(0..batch)
						.map(|i| {
							let patient = patients[i as usize % patients.len()];
							(patient, record(seed(n, i), policy_of(&patient)))
						})
						.collect(),
				)
			});
			sign_all(chain, signer, nonce, calls).await
		}
		Kind::Anchor => {
			let calls = (0..count).map(|n| {
				api::tx()
					.records()
					.anchor_batch(H256(seed(n, 0).digest()), leaves)
			});
			sign_all(chain, signer, nonce, calls).await
		}
	}
}

/// What sending a flood met.
#[derive(Debug, Default)]
pub struct Sent {
	/// Transactions the pool accepted.
	pub accepted: u64,
	/// Times the pool was full (1016, or 1014 for a full pool) and a transaction was sent
	/// again 50 ms later.
	pub pool_full: u64,
	/// Refusals by reason (the sender stopped there).
	pub refused: BTreeMap<String, u64>,
	/// Transactions never sent because the deadline came first.
	pub unsent: u64,
}

/// Sends `queues` over `chains` from `tasks` concurrent submitters until all is sent or
/// `stop` is set, at most `rate` transactions a second in all if given. (Unpaced, a flood
/// twice the chain's rate left ~20,000 accepted transactions in the fork-aware pool, which
/// then dropped them all at once without a word to the submitter.)
pub async fn send(
	chains: &[Chain],
	queues: Queues,
	tasks: usize,
	rate: Option<f64>,
	stop: Arc<AtomicBool>,
) -> Sent {
	let tasks = tasks.max(1);
	// Each submitter keeps its share of the rate: one transaction every `interval`.
	let interval = rate
		.filter(|r| *r > 0.0)
		.map(|r| Duration::from_secs_f64(tasks as f64 / r));
	let total = queues.iter().map(Vec::len).sum::<usize>() as u64;
	let accepted = Arc::new(AtomicU64::new(0));
	let pool_full = Arc::new(AtomicU64::new(0));
	let refused = Arc::new(Mutex::new(BTreeMap::<String, u64>::new()));
	let mut owned: Vec<Vec<Vec<Vec<u8>>>> = (0..tasks).map(|_| Vec::new()).collect();
	for (index, queue) in queues.into_iter().enumerate() {
		owned[index % tasks].push(queue);
	}
	let mut handles = Vec::new();
	for (task, queues) in owned.into_iter().enumerate() {
		let chain = chains[task % chains.len()].clone();
		let (accepted, pool_full, refused, stop) = (
			accepted.clone(),
			pool_full.clone(),
			refused.clone(),
			stop.clone(),
		);
		handles.push(tokio::spawn(async move {
			let mut queues: Vec<std::vec::IntoIter<Vec<u8>>> =
				queues.into_iter().map(Vec::into_iter).collect();
			let mut live: Vec<bool> = vec![true; queues.len()];
			let mut next = tokio::time::Instant::now();
			while live.iter().any(|l| *l) {
				for (queue, alive) in queues.iter_mut().zip(live.iter_mut()) {
					if !*alive {
						continue;
					}
					let Some(transaction) = queue.next() else {
						*alive = false;
						continue;
					};
					if let Some(interval) = interval {
						tokio::time::sleep_until(next).await;
						next += interval;
					}
					loop {
						if stop.load(Ordering::Relaxed) {
							return;
						}
						match chain.rpc().author_submit_extrinsic(&transaction).await {
							Ok(_) => {
								accepted.fetch_add(1, Ordering::Relaxed);
								break;
							}
							Err(error) => {
								let text = error.to_string();
								// 1016 "Immediately Dropped": the pool is at its limit; 1014
								// "Priority is too low": a full pool keeps what it has.
								if text.contains("1016") || text.contains("1014") {
									pool_full.fetch_add(1, Ordering::Relaxed);
									tokio::time::sleep(Duration::from_millis(50)).await;
									continue;
								}
								*refused
									.lock()
									.expect("not poisoned")
									.entry(text.chars().take(160).collect())
									.or_default() += 1;
								*alive = false;
								break;
							}
						}
					}
				}
			}
		}));
	}
	for handle in handles {
		let _ = handle.await;
	}
	let accepted = accepted.load(Ordering::Relaxed);
	let refused = std::mem::take(&mut *refused.lock().expect("not poisoned"));
	let refused_count: u64 = refused.values().sum();
	Sent {
		accepted,
		pool_full: pool_full.load(Ordering::Relaxed),
		unsent: total.saturating_sub(accepted + refused_count),
		refused,
	}
}

/// Best and finalised block numbers as seen every 100 ms.
#[derive(Clone)]
pub struct Watcher {
	best: Arc<AtomicU32>,
	finalized: Arc<AtomicU32>,
	samples: Arc<Mutex<Vec<(Instant, u32, u32)>>>,
}

impl Watcher {
	/// Starts watching `chain` (runs until the process ends).
	pub async fn start(chain: Chain) -> Result<Self, String> {
		let (best, _) = chain.best().await.map_err(|e| e.to_string())?;
		let (finalized, _) = chain.finalized().await.map_err(|e| e.to_string())?;
		let watcher = Watcher {
			best: Arc::new(AtomicU32::new(best)),
			finalized: Arc::new(AtomicU32::new(finalized)),
			samples: Arc::new(Mutex::new(Vec::new())),
		};
		let shared = watcher.clone();
		tokio::spawn(async move {
			loop {
				tokio::time::sleep(Duration::from_millis(100)).await;
				if let (Ok((best, _)), Ok((finalized, _))) =
					(chain.best().await, chain.finalized().await)
				{
					shared.best.store(best, Ordering::Relaxed);
					shared.finalized.store(finalized, Ordering::Relaxed);
					shared.samples.lock().expect("not poisoned").push((
						Instant::now(),
						best,
						finalized,
					));
				}
			}
		});
		Ok(watcher)
	}

	/// The last best block number seen.
	pub fn best(&self) -> u32 {
		self.best.load(Ordering::Relaxed)
	}

	/// Waits until the best block is at least `number`.
	pub async fn wait_for_best(&self, number: u32, timeout: Duration) -> Result<(), String> {
		let deadline = Instant::now() + timeout;
		while self.best() < number {
			if Instant::now() > deadline {
				return Err(format!("block #{number} did not come within {timeout:?}"));
			}
			tokio::time::sleep(Duration::from_millis(100)).await;
		}
		Ok(())
	}

	/// Blocks finality was behind best, sampled between `from` and `to`: (max, mean).
	pub fn lag(&self, from: Instant, to: Instant) -> (u32, f64) {
		let samples = self.samples.lock().expect("not poisoned");
		let lags: Vec<u32> = samples
			.iter()
			.filter(|(at, _, _)| *at >= from && *at <= to)
			.map(|(_, best, finalized)| best.saturating_sub(*finalized))
			.collect();
		let max = lags.iter().copied().max().unwrap_or(0);
		let mean = lags.iter().map(|l| f64::from(*l)).sum::<f64>() / lags.len().max(1) as f64;
		(max, mean)
	}
}

/// One block as the harness measured it.
#[derive(Clone, Debug, Default)]
pub struct BlockStat {
	/// Its number.
	pub number: u32,
	/// Its timestamp (ms).
	pub timestamp: u64,
	/// Signed extrinsics in it.
	pub signed: u32,
	/// Extrinsics whose dispatch failed.
	pub failed: u32,
	/// Records registered in it.
	pub records: u64,
	/// Anchors made in it.
	pub anchors: u64,
	/// Successful balance transfers in it (`Balances.Transfer` events).
	pub transfers: u64,
	/// Ordinary transactions' ref time (ps).
	pub normal_ref_time: u64,
	/// Bytes of its extrinsics.
	pub length: u64,
}

/// A storage value at `at` (`None` if absent).
async fn value<A: subxt::storage::Address>(
	at: &ClientAtBlock,
	item: A,
	key: A::KeyParts,
) -> Result<Option<A::Value>, String> {
	let name = format!("{}.{}", item.pallet_name(), item.entry_name());
	let found = at
		.storage()
		.try_fetch(item, key)
		.await
		.map_err(|e| format!("{name}: {e}"))?;
	found
		.map(|v| v.decode().map_err(|e| format!("{name}: {e}")))
		.transpose()
}

/// The records and anchors made up to block `at`.
async fn made(at: &ClientAtBlock) -> Result<(u64, u64), String> {
	let records = value(at, api::storage().records().next_record_id(), ()).await?;
	let anchors = value(at, api::storage().records().next_anchor_id(), ()).await?;
	Ok((records.unwrap_or(0), anchors.unwrap_or(0)))
}

/// Whether an encoded extrinsic (with its length prefix) is signed: bit 7 of its version byte.
fn is_signed(mut extrinsic: &[u8]) -> bool {
	Compact::<u32>::decode(&mut extrinsic).is_ok()
		&& extrinsic.first().is_some_and(|version| version & 0x80 != 0)
}

/// Reads block `number` of the best chain.
pub async fn block_stat(chain: &Chain, number: u32) -> Result<BlockStat, String> {
	let hash = chain
		.block_hash(number)
		.await
		.map_err(|e| e.to_string())?
		.ok_or_else(|| format!("no block #{number}"))?;
	let at = chain
		.at_number(u64::from(number))
		.await
		.map_err(|e| e.to_string())?;
	let parent = chain
		.at_number(u64::from(number.saturating_sub(1)))
		.await
		.map_err(|e| e.to_string())?;
	let timestamp = value(&at, api::storage().timestamp().now(), ())
		.await?
		.unwrap_or(0);
	let weight = value(&at, api::storage().system().block_weight(), ())
		.await?
		.ok_or_else(|| format!("no System.BlockWeight at #{number}"))?;
	let (records, anchors) = made(&at).await?;
	let (records_before, anchors_before) = made(&parent).await?;
	let block = chain
		.rpc()
		.chain_get_block(Some(hash))
		.await
		.map_err(|e| format!("chain_getBlock(#{number}): {e}"))?
		.ok_or_else(|| format!("no body for #{number}"))?;
	let mut stat = BlockStat {
		number,
		timestamp,
		records: records.saturating_sub(records_before),
		anchors: anchors.saturating_sub(anchors_before),
		normal_ref_time: weight.normal.ref_time,
		..Default::default()
	};
	for extrinsic in &block.block.extrinsics {
		stat.length += extrinsic.0.len() as u64;
		if is_signed(&extrinsic.0) {
			stat.signed += 1;
		}
	}
	let events = at
		.events()
		.fetch()
		.await
		.map_err(|e| format!("events of #{number}: {e}"))?;
	for event in events.iter().flatten() {
		match (event.pallet_name(), event.event_name()) {
			("System", "ExtrinsicFailed") => stat.failed += 1,
			("Balances", "Transfer") => stat.transfers += 1,
			_ => {}
		}
	}
	Ok(stat)
}

/// Pays each `(account, amount)` from `funder` (a flood of transfers of its own, one
/// settlement for all), and waits until the last one is in a finalised block.
pub async fn fund(
	chains: &[Chain],
	funder: &Keypair,
	payments: &[(AccountId32, u128)],
) -> Result<(), String> {
	let chain = &chains[0];
	let who = medchain_client::chain::account_id(funder);
	let nonce = chain.next_nonce(&who).await.map_err(|e| e.to_string())?;
	let calls = payments.iter().map(|(to, amount)| {
		api::tx()
			.balances()
			.transfer_keep_alive(MultiAddress::Id(*to), *amount)
	});
	let signed = sign_all(chain, funder, nonce, calls).await?;
	let expected = nonce + signed.len() as u64;
	settle(chains, vec![signed], &[(who, expected)]).await
}

/// The consent policy every `--policies` owner creates (its own copy, its own id).
const LOAD_POLICY: &str = r#"("role:cardiologist" and "org:hospital-a") or "role:emergency""#;

/// Each of `owners` creates one consent policy (one settlement for all); returns each owner's
/// policy id, read back from `Consent.Policies` over the ids made meanwhile.
pub async fn create_policies(
	chains: &[Chain],
	owners: &[&Keypair],
) -> Result<BTreeMap<AccountId32, u32>, String> {
	let chain = &chains[0];
	let at_best = || async { chain.at_best().await.map_err(|e| e.to_string()) };
	let first = next_policy_id(&at_best().await?).await?;
	let call = || {
		api::tx()
			.consent()
			.create_policy(LOAD_POLICY.as_bytes().to_vec())
	};
	one_call_each(chains, owners.iter().map(|owner| (*owner, call()))).await?;
	let at = at_best().await?;
	let end = next_policy_id(&at).await?;
	let wanted: std::collections::BTreeSet<AccountId32> = owners
		.iter()
		.map(|owner| medchain_client::chain::account_id(owner))
		.collect();
	let mut policies = BTreeMap::new();
	for id in first..end {
		if let Some(policy) = value(&at, api::storage().consent().policies(), (id,)).await? {
			if wanted.contains(&policy.owner) {
				policies.insert(policy.owner, id);
			}
		}
	}
	if policies.len() != owners.len() {
		return Err(format!(
			"{} of {} policies found after creating them",
			policies.len(),
			owners.len()
		));
	}
	Ok(policies)
}

/// The id the next consent policy gets, at `at`.
async fn next_policy_id(at: &ClientAtBlock) -> Result<u32, String> {
	value(at, api::storage().consent().next_policy_id(), ())
		.await
		.map(|id| id.unwrap_or(0))
}

/// Each signer sends its one call (at its next nonce; one settlement for all), and waits until
/// every one is in a finalised block.
pub async fn one_call_each<'a, C: subxt::transactions::Payload>(
	chains: &[Chain],
	calls: impl IntoIterator<Item = (&'a Keypair, C)>,
) -> Result<(), String> {
	let mut groups = Vec::new();
	let mut expected = Vec::new();
	for (signer, call) in calls {
		let who = medchain_client::chain::account_id(signer);
		let nonce = chains[0]
			.next_nonce(&who)
			.await
			.map_err(|e| e.to_string())?;
		groups.push((signer, nonce, [call]));
		expected.push((who, nonce + 1));
	}
	let queues = sign_groups(&chains[0], groups).await?;
	settle(chains, queues, &expected).await
}

/// Sends set-up transactions and waits until each `(account, nonce)` is reached.
pub async fn settle(
	chains: &[Chain],
	queues: Queues,
	expected: &[(AccountId32, u64)],
) -> Result<(), String> {
	let sent = send(chains, queues, 4, None, Arc::new(AtomicBool::new(false))).await;
	if !sent.refused.is_empty() {
		return Err(format!("set-up transactions refused: {:?}", sent.refused));
	}
	let deadline = Instant::now() + Duration::from_secs(300);
	let mut waiting: Vec<&(AccountId32, u64)> = expected.iter().collect();
	while !waiting.is_empty() {
		// One finalised block for every account still waited for.
		let at = chains[0]
			.client()
			.at_current_block()
			.await
			.map_err(|e| e.to_string())?;
		let mut still = Vec::new();
		for entry in waiting {
			let (account, nonce) = entry;
			let now = at
				.tx()
				.account_nonce(account)
				.await
				.map_err(|e| e.to_string())?;
			if now < *nonce {
				still.push(entry);
			}
		}
		waiting = still;
		if let Some((account, nonce)) = waiting.first() {
			if Instant::now() > deadline {
				return Err(format!(
					"{} accounts' set-up transactions not finalised after 300 s (first: {account}, nonce {nonce})",
					waiting.len()
				));
			}
			tokio::time::sleep(Duration::from_millis(1000)).await;
		}
	}
	Ok(())
}

/// `UNIT`s, for funding.
pub const fn units(n: u128) -> u128 {
	n * UNIT
}

/// How the authoring node built a block, from its log.
#[derive(Clone, Debug)]
pub struct Proposal {
	/// Milliseconds it took.
	pub millis: u64,
	/// Why building stopped (`HitBlockWeightLimit`, `HitDeadline`, `NoMoreTransactions`...).
	pub end: String,
}

/// The blocks a node's log says it proposed: "Prepared block for proposing at N (X ms) ...
/// end: Reason; ...", by block number.
pub fn proposals(log: &str) -> BTreeMap<u32, Proposal> {
	let mut found = BTreeMap::new();
	for line in log.lines() {
		let Some((_, rest)) = line.split_once("Prepared block for proposing at ") else {
			continue;
		};
		let mut words = rest.split_whitespace();
		let number = words.next().and_then(|n| n.parse::<u32>().ok());
		let millis = words
			.next()
			.and_then(|ms| ms.strip_prefix('('))
			.and_then(|ms| ms.parse::<u64>().ok());
		let end = rest
			.split_once("end: ")
			.map(|(_, end)| end.split(';').next().unwrap_or("").trim().to_string())
			.unwrap_or_default();
		if let (Some(number), Some(millis)) = (number, millis) {
			found.insert(number, Proposal { millis, end });
		}
	}
	found
}

#[cfg(test)]
mod tests {
	use super::*;

	#[test]
	fn proposals_are_read_from_the_authoring_log() {
		let log = "2026-12-06 03:40:01 🎁 Prepared block for proposing at 42 (1234 ms) hash: 0xab; parent_hash: 0x12…34; end: HitBlockWeightLimit; extrinsics_count: 2398\n\
		           2026-12-06 03:40:02 💤 Idle (0 peers)\n\
		           2026-12-06 03:40:07 🎁 Prepared block for proposing at 43 (3 ms) hash: 0xcd; parent_hash: 0xab…cd; end: NoMoreTransactions; extrinsics_count: 1\n";
		let found = proposals(log);
		assert_eq!(found.len(), 2);
		assert_eq!(found[&42].millis, 1234);
		assert_eq!(found[&42].end, "HitBlockWeightLimit");
		assert_eq!(found[&43].end, "NoMoreTransactions");
	}

	#[test]
	fn only_signed_extrinsics_count_as_load() {
		// A bare timestamp inherent (v4, unsigned) and a signed v4 transaction, each with its
		// compact length prefix.
		assert!(!is_signed(&[0x28, 0x04, 0x03, 0x00]));
		assert!(is_signed(&[0x28, 0x84, 0x00]));
		assert!(!is_signed(&[]));
	}
}
