//! Receipts of served reads: written to a journal on disk before a read is served, listed on
//! chain afterwards in batches (`Consent.record_reads`), and kept in the journal until the
//! block that lists them is finalised.
//!
//! - **Journal** (`<data>/reads.journal`): one JSON line per served read, appended and
//!   `fsync`ed before the first byte of the read is sent, and one line per finalised batch
//!   naming the receipts it listed. One thread owns the file and commits in groups: every
//!   read that arrives while a write is under way goes into the next write and its one `fsync`,
//!   so many concurrent reads share one disk flush. Only reads whose line is on disk are served,
//!   so a line cut short by a crash (the last one) was never served and is dropped on replay.
//!   The file is rewritten with only the pending reads when it has grown to many times them.
//! - **Submitter**: collects served reads and submits them as one `record_reads` transaction
//!   when a batch is full or its oldest read has waited [`BatchConfig::flush_after`]. Batches
//!   are submitted one after another without waiting for inclusion (the gateway's transactions
//!   take their nonces in turn, see `Gateway::submit_watch`), each followed until its block is
//!   finalised; then the journal marks its reads done. A batch that is dropped, invalid, not
//!   finalised in time, or retracted with its block is submitted again: the chain lists each
//!   request once and counts the others as duplicates, so resubmission is always safe.
//! - **Restart**: the reads pending in the journal are submitted again first, and count as
//!   served for the replay check.

use std::{
	collections::{HashMap, VecDeque},
	fs::{File, OpenOptions},
	io::{BufRead, BufReader, Write},
	path::{Path, PathBuf},
	time::{Duration, Instant},
};

use medchain_client::{
	chain::{self, api, consent, Chain},
	protocol::SignedRead,
	Error,
};
use serde::{Deserialize, Serialize};
use tokio::sync::{mpsc, oneshot};

use crate::service::Shared;

/// The journal's file name in the data directory.
const JOURNAL: &str = "reads.journal";
/// Reads one group commit takes at most.
const MAX_GROUP: usize = 4096;
/// The journal is rewritten when it holds this many more lines than pending reads.
const COMPACT_AFTER_LINES: usize = 100_000;
/// How long a submitted batch may take to be finalised before it is submitted again.
const FINALITY_TIMEOUT: Duration = Duration::from_secs(180);
/// How long to wait before submitting again a batch the chain refused as a whole (the
/// gateway could not cover the deposits, say): the operator must act, and retrying at once
/// would only spend fees.
const REFUSED_BACKOFF: Duration = Duration::from_secs(30);
/// How long to wait before submitting again a batch that was not finalised (dropped from the
/// pool, retracted, or lost track of when the node went away): about a block, so that a fault
/// that fails every submission at once cannot turn into a loop of submissions.
const RESUBMIT_AFTER: Duration = Duration::from_secs(2);

/// How the submitter forms batches.
#[derive(Clone, Copy, Debug)]
pub struct BatchConfig {
	/// Reads per `record_reads` call at most (the runtime's `Consent.MaxReadsPerBatch` caps it).
	pub max_reads: usize,
	/// A batch is submitted once its oldest read has waited this long, full or not.
	pub flush_after: Duration,
}

/// One line of the journal.
#[derive(Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
enum Line {
	/// A read about to be served.
	Served(SignedRead),
	/// Receipts (hex of their keys) listed in a finalised block.
	Done(Vec<String>),
}

/// A served read waiting for its receipt.
#[derive(Clone)]
pub struct Pending {
	/// The read.
	pub read: SignedRead,
	/// Its receipt's key on chain.
	pub key: [u8; 32],
	/// When it was handed to the submitter.
	since: Instant,
}

impl Pending {
	fn new(read: SignedRead) -> Self {
		Self {
			key: consent::receipt_key(&read.request),
			read,
			since: Instant::now(),
		}
	}
}

enum Command {
	Append(Box<Pending>, oneshot::Sender<Result<(), String>>),
	Done(Vec<[u8; 32]>),
}

/// The handle the read handler uses: [`Receipts::served`] makes a read durable and queues its
/// receipt.
pub struct Receipts {
	journal: mpsc::Sender<Command>,
	queue: mpsc::UnboundedSender<Pending>,
	/// Served reads whose receipts are in no block yet (see [`Receipts::unlisted`]).
	unlisted: std::sync::Arc<std::sync::atomic::AtomicUsize>,
}

/// What [`open`] gives the caller to start: the handle, the reads still pending in the journal
/// (already queued again), and the submitter's end of the queue.
pub struct Opened {
	/// For the read handler.
	pub receipts: Receipts,
	/// Reads served before a restart whose receipts are not yet finalised.
	pub pending: Vec<Pending>,
	/// For [`run_submitter`].
	pub queue: mpsc::UnboundedReceiver<Pending>,
}

/// Opens (or creates) the journal in `data_dir`, replays it and starts its writer thread.
pub fn open(data_dir: &Path) -> Result<Opened, Error> {
	let (file, pending) = JournalFile::open(&data_dir.join(JOURNAL))?;
	let (journal, commands) = mpsc::channel(MAX_GROUP);
	std::thread::Builder::new()
		.name("reads-journal".into())
		.spawn(move || file.run(commands))
		.map_err(Error::from)?;
	let (queue, receiver) = mpsc::unbounded_channel();
	for read in &pending {
		let _ = queue.send(read.clone());
	}
	let unlisted = std::sync::Arc::new(std::sync::atomic::AtomicUsize::new(pending.len()));
	Ok(Opened {
		receipts: Receipts {
			journal,
			queue,
			unlisted,
		},
		pending,
		queue: receiver,
	})
}

impl Receipts {
	/// Writes `read` to the journal (on disk when this returns `Ok`) and queues its receipt.
	/// The read may be served only after this succeeded.
	pub async fn served(&self, read: SignedRead) -> Result<(), Error> {
		let pending = Pending::new(read);
		let (reply, written) = oneshot::channel();
		let stopped = || Error::Io(std::io::Error::other("the reads journal has stopped"));
		self.journal
			.send(Command::Append(Box::new(pending.clone()), reply))
			.await
			.map_err(|_| stopped())?;
		written
			.await
			.map_err(|_| stopped())?
			.map_err(|e| Error::Io(std::io::Error::other(format!("reads journal: {e}"))))?;
		self.unlisted
			.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
		self.queue
			.send(pending)
			.map_err(|_| Error::Io(std::io::Error::other("the receipt submitter has stopped")))
	}
}

/// The journal file, owned by its writer thread.
struct JournalFile {
	path: PathBuf,
	file: File,
	/// Pending reads by receipt key, with their journal line.
	pending: HashMap<[u8; 32], String>,
	/// Lines in the file.
	lines: usize,
}

impl JournalFile {
	/// Opens the journal, replays it and rewrites it with only the pending reads.
	fn open(path: &Path) -> Result<(Self, Vec<Pending>), Error> {
		let mut pending: HashMap<[u8; 32], (String, SignedRead)> = HashMap::new();
		let mut order: Vec<[u8; 32]> = Vec::new();
		if path.exists() {
			let reader = BufReader::new(File::open(path)?);
			let lines: Vec<String> = reader.lines().collect::<Result<_, _>>()?;
			let count = lines.len();
			for (index, text) in lines.into_iter().enumerate() {
				match serde_json::from_str::<Line>(&text) {
					Ok(Line::Served(read)) => {
						let key = consent::receipt_key(&read.request);
						if pending.insert(key, (text, read)).is_none() {
							order.push(key);
						}
					}
					Ok(Line::Done(keys)) => {
						for key in keys.iter().filter_map(|k| parse_key(k)) {
							pending.remove(&key);
						}
					}
					// A crash while the last line was written: that read was never served.
					Err(error) if index + 1 == count => {
						tracing::warn!(%error, "dropping the journal's last line, cut short");
					}
					Err(error) => {
						return Err(Error::Invalid(format!(
							"{}: line {} is not a journal line ({error}); refusing to start, \
							 since reads served before it may lack receipts",
							path.display(),
							index + 1
						)))
					}
				}
			}
		}
		let replayed: Vec<Pending> = order
			.iter()
			.filter_map(|key| pending.get(key))
			.map(|(_, read)| Pending::new(read.clone()))
			.collect();
		let pending: HashMap<_, _> = pending
			.into_iter()
			.map(|(key, (line, _))| (key, line))
			.collect();
		let file = rewrite(path, order.iter().filter_map(|key| pending.get(key)))?;
		if !replayed.is_empty() {
			tracing::info!(
				reads = replayed.len(),
				"reads served before the restart await their receipts"
			);
		}
		Ok((
			Self {
				path: path.to_path_buf(),
				file,
				lines: pending.len(),
				pending,
			},
			replayed,
		))
	}

	/// The writer thread: group commits until every handle is gone.
	fn run(mut self, mut commands: mpsc::Receiver<Command>) {
		while let Some(first) = commands.blocking_recv() {
			let mut group = vec![first];
			while group.len() < MAX_GROUP {
				match commands.try_recv() {
					Ok(command) => group.push(command),
					Err(_) => break,
				}
			}
			let mut text = String::new();
			let mut waiting = Vec::new();
			for command in group {
				match command {
					Command::Append(read, reply) => {
						match serde_json::to_string(&Line::Served(read.read)) {
							Ok(line) => {
								text.push_str(&line);
								text.push('\n');
								self.pending.insert(read.key, line);
								waiting.push(reply);
							}
							Err(error) => {
								let _ = reply.send(Err(error.to_string()));
							}
						}
					}
					Command::Done(keys) => {
						for key in &keys {
							self.pending.remove(key);
						}
						let hex: Vec<String> = keys.iter().map(hex::encode).collect();
						if let Ok(line) = serde_json::to_string(&Line::Done(hex)) {
							text.push_str(&line);
							text.push('\n');
						}
					}
				}
				self.lines = self.lines.saturating_add(1);
			}
			let written = self.file.write_all(text.as_bytes()).and_then(|()| {
				if waiting.is_empty() {
					Ok(())
				} else {
					self.file.sync_data()
				}
			});
			let answer = written.map_err(|e| e.to_string());
			if let Err(error) = &answer {
				tracing::error!(%error, "the reads journal cannot be written: reads are refused");
			}
			for reply in waiting {
				let _ = reply.send(answer.clone());
			}
			if self.lines > self.pending.len().saturating_mul(2) + COMPACT_AFTER_LINES {
				match rewrite(&self.path, self.pending.values()) {
					Ok(file) => {
						self.file = file;
						self.lines = self.pending.len();
					}
					Err(error) => tracing::warn!(%error, "could not compact the reads journal"),
				}
			}
		}
	}
}

fn parse_key(text: &str) -> Option<[u8; 32]> {
	hex::decode(text).ok()?.try_into().ok()
}

/// Replaces the journal at `path` with `lines` (written and synced to a temporary file first,
/// then renamed over it) and opens it for appending.
fn rewrite<'a>(path: &Path, lines: impl Iterator<Item = &'a String>) -> Result<File, Error> {
	let temporary = path.with_extension("journal.new");
	{
		let mut file = File::create(&temporary)?;
		let mut text = String::new();
		for line in lines {
			text.push_str(line);
			text.push('\n');
		}
		file.write_all(text.as_bytes())?;
		file.sync_all()?;
	}
	std::fs::rename(&temporary, path)?;
	if let Some(dir) = path.parent() {
		File::open(dir)?.sync_all()?;
	}
	Ok(OpenOptions::new().append(true).open(path)?)
}

/// Submits the queued reads' receipts in batches until the queue closes.
pub async fn run_submitter(
	gateway: Shared,
	mut queue: mpsc::UnboundedReceiver<Pending>,
	config: BatchConfig,
) {
	let (retry, mut retried) = mpsc::unbounded_channel::<Vec<Pending>>();
	let mut unsent: VecDeque<Pending> = VecDeque::new();
	let mut tick = tokio::time::interval(Duration::from_millis(100));
	tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
	loop {
		tokio::select! {
			read = queue.recv() => match read {
				Some(read) => unsent.push_back(read),
				None => return,
			},
			Some(batch) = retried.recv() => unsent.extend(batch),
			_ = tick.tick() => {}
		}
		take_queued(&mut queue, &mut retried, &mut unsent);
		while let Some(batch) = next_batch(&mut unsent, config) {
			let call = record_reads(&batch);
			match gateway.submit_watch(&call).await {
				Ok(progress) => {
					tracing::debug!(reads = batch.len(), "receipts submitted");
					tokio::spawn(follow(gateway.clone(), progress, batch, retry.clone()));
				}
				Err(error) => {
					tracing::warn!(%error, reads = batch.len(), "submitting receipts failed; retrying");
					retry_later(retry.clone(), batch, Duration::from_secs(2));
					break;
				}
			}
		}
	}
}

/// Moves every read already queued (new or handed back) into `unsent`. Batches are formed
/// only after this: otherwise, once the oldest read is past `flush_after` (reads replayed
/// after a restart are), every read received would be sent alone (seen: 2,245 batches of one
/// read after a restart).
fn take_queued(
	queue: &mut mpsc::UnboundedReceiver<Pending>,
	retried: &mut mpsc::UnboundedReceiver<Vec<Pending>>,
	unsent: &mut VecDeque<Pending>,
) {
	while let Ok(read) = queue.try_recv() {
		unsent.push_back(read);
	}
	while let Ok(batch) = retried.try_recv() {
		unsent.extend(batch);
	}
}

/// The next batch to submit: up to `max_reads` of the oldest reads, once there are that many
/// or the oldest has waited `flush_after`.
fn next_batch(unsent: &mut VecDeque<Pending>, config: BatchConfig) -> Option<Vec<Pending>> {
	let oldest = unsent.front()?;
	if unsent.len() < config.max_reads && oldest.since.elapsed() < config.flush_after {
		return None;
	}
	let take = unsent.len().min(config.max_reads);
	Some(unsent.drain(..take).collect())
}

fn record_reads(batch: &[Pending]) -> impl subxt::transactions::Payload {
	let reads = batch
		.iter()
		.map(|p| (p.read.request.clone(), p.read.signature))
		.collect();
	api::tx().consent().record_reads(reads)
}

/// Follows one submitted batch to finality; marks its reads done in the journal, or hands the
/// batch back to be submitted again. Once the batch is in a block its reads no longer count
/// as unlisted (see [`Receipts::unlisted`]); they count again if it must be resubmitted.
async fn follow(
	gateway: Shared,
	mut progress: chain::TxProgress,
	batch: Vec<Pending>,
	retry: mpsc::UnboundedSender<Vec<Pending>>,
) {
	let count = batch.len();
	let mut included = false;
	let finalised = chain::within(FINALITY_TIMEOUT, async {
		let (in_block, finalised) = Chain::wait_in_block(&mut progress, FINALITY_TIMEOUT).await?;
		gateway.receipts.listed(count);
		included = true;
		if finalised {
			return Ok(in_block);
		}
		progress
			.wait_for_finalized()
			.await
			.map_err(|e| Error::Chain(e.to_string()))
	})
	.await;
	let finalised = finalised.unwrap_or_else(|| Err(Error::Chain("not in time".into())));
	let in_block = match finalised {
		Ok(in_block) => in_block,
		Err(error) => {
			if included {
				gateway.receipts.unlisted_again(count);
			}
			// Its nonce may be free again: the next submission takes the node's count.
			gateway.forget_nonce().await;
			tracing::warn!(%error, reads = count, "a receipt batch was not finalised; resubmitting");
			retry_later(retry, batch, RESUBMIT_AFTER);
			return;
		}
	};
	match chain::dispatched(&in_block).await {
		Ok(events) => {
			if let Ok(recorded) = chain::find_event::<consent::ReadsRecorded>(&events) {
				let outcome = &recorded.outcome;
				tracing::info!(
					allowed = outcome.allowed,
					refused = outcome.refused,
					duplicates = outcome.duplicates,
					rejected = outcome.rejected,
					block = ?in_block.block_hash(),
					"receipts finalised"
				);
			}
			let keys = batch.iter().map(|p| p.key).collect();
			gateway.receipts.done(keys).await;
		}
		Err(error) => {
			tracing::error!(%error, reads = batch.len(), "the chain refused a receipt batch; retrying later");
			retry_later(retry, batch, REFUSED_BACKOFF);
		}
	}
}

fn retry_later(retry: mpsc::UnboundedSender<Vec<Pending>>, batch: Vec<Pending>, after: Duration) {
	tokio::spawn(async move {
		tokio::time::sleep(after).await;
		let _ = retry.send(batch);
	});
}

impl Receipts {
	/// Marks receipts listed in a finalised block (no `fsync`: a lost mark only means the
	/// reads are submitted again after a restart, and counted as duplicates).
	async fn done(&self, keys: Vec<[u8; 32]>) {
		let _ = self.journal.send(Command::Done(keys)).await;
	}

	/// `count` served reads' receipts are in a block.
	fn listed(&self, count: usize) {
		let _ = self.unlisted.fetch_update(
			std::sync::atomic::Ordering::Relaxed,
			std::sync::atomic::Ordering::Relaxed,
			|unlisted| Some(unlisted.saturating_sub(count)),
		);
	}

	/// `count` receipts seen in a block must be submitted again (their block was retracted
	/// or never finalised).
	fn unlisted_again(&self, count: usize) {
		self.unlisted
			.fetch_add(count, std::sync::atomic::Ordering::Relaxed);
	}

	/// Served reads whose receipts are in no block yet: these must still be listed inside
	/// their requests' validity windows, so the gateway stops serving while there are too
	/// many (`max_waiting_receipts`). Reads replayed after a restart count until their batch
	/// is in a block again.
	pub fn unlisted(&self) -> usize {
		self.unlisted.load(std::sync::atomic::Ordering::Relaxed)
	}
}

/// The largest batch the runtime takes, from its metadata constant at the best block.
pub async fn max_reads_per_batch(chain: &Chain) -> Result<usize, Error> {
	let max = chain
		.at_best()
		.await?
		.constants()
		.entry(api::constants().consent().max_reads_per_batch())
		.map_err(|e| Error::Chain(format!("Consent.MaxReadsPerBatch: {e}")))?;
	Ok(max as usize)
}

#[cfg(test)]
mod tests {
	use super::*;
	use subxt::utils::{AccountId32, H256};

	fn read(nonce: u64) -> SignedRead {
		SignedRead {
			request: consent::ReadRequest {
				record: 7,
				digest: H256::repeat_byte(1),
				reader: AccountId32([2; 32]),
				gateway: AccountId32([3; 32]),
				basis: consent::ReadBasis::Ticket,
				valid_until: 100,
				nonce,
			},
			signature: [4; 64],
		}
	}

	fn line(entry: &Line) -> String {
		serde_json::to_string(entry).unwrap() + "\n"
	}

	fn nonces(pending: &[Pending]) -> Vec<u64> {
		pending.iter().map(|p| p.read.request.nonce).collect()
	}

	/// Reads replayed after a restart are all past `flush_after` and reach the submitter one
	/// by one: they must still go out in full batches, in order, not one per transaction.
	#[test]
	fn replayed_reads_go_out_in_full_batches() {
		let config = BatchConfig {
			max_reads: 512,
			flush_after: Duration::from_millis(1),
		};
		let (queue, mut received) = mpsc::unbounded_channel();
		let (retry, mut retried) = mpsc::unbounded_channel::<Vec<Pending>>();
		for nonce in 0..1_000 {
			queue.send(Pending::new(read(nonce))).unwrap();
		}
		std::thread::sleep(Duration::from_millis(5));
		retry.send(vec![Pending::new(read(1_000))]).unwrap();
		// What the submitter's loop does after one read arrived.
		let mut unsent = VecDeque::from([received.try_recv().unwrap()]);
		take_queued(&mut received, &mut retried, &mut unsent);
		let mut batches = Vec::new();
		while let Some(batch) = next_batch(&mut unsent, config) {
			batches.push(nonces(&batch));
		}
		assert_eq!(
			batches.iter().map(Vec::len).collect::<Vec<_>>(),
			[512, 489],
			"full batches, the rest in one"
		);
		assert_eq!(
			batches.concat(),
			(0..=1_000).collect::<Vec<u64>>(),
			"in order"
		);
		assert!(unsent.is_empty());

		// Young reads below a full batch wait for more.
		let slow = BatchConfig {
			max_reads: 512,
			flush_after: Duration::from_secs(60),
		};
		let mut young = VecDeque::from([Pending::new(read(1)), Pending::new(read(2))]);
		assert!(next_batch(&mut young, slow).is_none());
		assert_eq!(young.len(), 2);
	}

	/// What a restart finds: served reads not yet marked done, in the order they were
	/// served; a last line cut short by a crash is dropped (that read was never served).
	#[test]
	fn a_restart_finds_every_read_without_a_finalised_receipt() {
		let dir = tempfile::tempdir().unwrap();
		let path = dir.path().join(JOURNAL);
		let done = hex::encode(consent::receipt_key(&read(2).request));
		let text = [
			line(&Line::Served(read(1))),
			line(&Line::Served(read(2))),
			line(&Line::Served(read(3))),
			line(&Line::Done(vec![done])),
		]
		.concat();
		let torn = line(&Line::Served(read(4)));
		std::fs::write(&path, format!("{text}{}", &torn[..torn.len() / 2])).unwrap();

		let (file, pending) = JournalFile::open(&path).unwrap();
		assert_eq!(nonces(&pending), vec![1, 3]);
		assert_eq!(file.pending.len(), 2);
		// Rewritten with only the pending reads.
		drop(file);
		let (_, again) = JournalFile::open(&path).unwrap();
		assert_eq!(nonces(&again), vec![1, 3]);
		assert_eq!(std::fs::read_to_string(&path).unwrap().lines().count(), 2);
	}

	/// A damaged line before the last could hide served reads: the gateway refuses to start
	/// instead of serving on without their receipts.
	#[test]
	fn a_damaged_journal_stops_the_gateway() {
		let dir = tempfile::tempdir().unwrap();
		let path = dir.path().join(JOURNAL);
		let text = [
			line(&Line::Served(read(1))),
			"{\"served\": garbage\n".to_string(),
			line(&Line::Served(read(3))),
		]
		.concat();
		std::fs::write(&path, text).unwrap();
		let error = JournalFile::open(&path).err().expect("refused").to_string();
		assert!(error.contains("line 2"), "{error}");
	}

	/// A read is on disk when `served` returns, and marked done by a finalised batch: a
	/// restart then finds only the reads still waiting.
	#[tokio::test]
	async fn served_reads_survive_a_restart_until_marked_done() {
		let dir = tempfile::tempdir().unwrap();
		let opened = open(dir.path()).unwrap();
		assert!(opened.pending.is_empty());
		for nonce in 1..=3 {
			opened.receipts.served(read(nonce)).await.unwrap();
		}
		let mut queue = opened.queue;
		let mut queued = Vec::new();
		for _ in 0..3 {
			queued.push(queue.recv().await.unwrap());
		}
		assert_eq!(nonces(&queued), vec![1, 2, 3]);
		opened
			.receipts
			.done(vec![consent::receipt_key(&read(1).request)])
			.await;
		// The journal thread writes in order: a further append returns after the mark.
		opened.receipts.served(read(4)).await.unwrap();
		drop(opened.receipts);

		let (_, pending) = JournalFile::open(&dir.path().join(JOURNAL)).unwrap();
		assert_eq!(nonces(&pending), vec![2, 3, 4]);
	}
}
