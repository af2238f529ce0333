//! MedChain over subxt 0.51: connection, transactions, runtime-API questions and events.
//!
//! Every call, storage item, event and runtime API comes from the typed API that subxt
//! generates from the runtime's metadata ([`api`], the `medchain-chain-api` crate): a call the
//! runtime renames or retypes stops this crate compiling once `metadata/medchain.scale` is
//! regenerated. [`records`], [`consent`] and [`key_grants`] only name the generated types with
//! the runtime's concrete parameters (`AccountId32`, `u128` balances, `u32` block numbers).

pub use medchain_chain_api::api;
/// An account on chain (SS58 text with [`ss58`] and [`parse_account`]).
pub use subxt::utils::AccountId32;

/// The record registry's types and events, as generated from the metadata.
pub mod records {
	use super::api::runtime_types::pallet_records::types as t;
	use subxt::utils::AccountId32;

	pub use super::api::records::events::{RecordErased, RecordRegistered, VersionAppended};
	pub use t::{ContentInput, CustodianScope, EncryptionScheme, VersionStatus};
	/// `register_record`'s argument.
	pub type RecordInput = t::RecordInput<u32>;
	/// A record as `RecordsApi.records_of` lists it.
	pub type Record = t::Record<AccountId32, u32, u32>;
	/// One version of a record.
	pub type Version = t::Version<AccountId32, u128, u32>;
	/// What is left of an erased record.
	pub type Tombstone = t::Tombstone<AccountId32, u32>;
	/// `RecordsApi.record`'s answer.
	pub type RecordView = t::RecordView<AccountId32, u128, u32, u32>;
}

/// The consent pallet's types and events, as generated from the metadata.
pub mod consent {
	use super::api::runtime_types::pallet_consent::types as t;
	use subxt::utils::AccountId32;

	pub use super::api::consent::events::{
		AccessGranted, BreakGlassOpened, PolicyCreated, ReadFlagged, ReadRecorded, ReadsRecorded,
	};
	pub use super::api::runtime_types::medchain_primitives::{AccessBasis, AccessDenial, Purpose};
	/// The context the pallet prefixes to a read request before it is signed.
	pub use medchain_consent_primitives::READ_REQUEST_CONTEXT;
	pub use t::{
		AuthorityStatus, OverrideKind, OverrideScope, ReadBasis, ReadBatchOutcome, ReadRefusal,
		Review,
	};
	/// An access ticket (`ConsentApi.live_ticket`).
	pub type Ticket = t::Ticket<AccountId32, u128, u32>;
	/// A break-glass use (`ConsentApi.break_glass_uses`).
	pub type BreakGlassUse = t::BreakGlassUse<AccountId32, u128, u32>;
	/// A stored policy (`ConsentApi.policy`).
	pub type Policy = t::Policy<AccountId32, u128, u32>;
	/// An attribute as stored for its holder (`Consent.Attributes`).
	pub type HeldAttribute = t::HeldAttribute<AccountId32, u128, u32>;
	/// An authority's commitment to its CP-ABE public key.
	pub type AbeKeyCommitment = t::AbeKeyCommitment<u32>;
	/// What a reader signs to download a record; sent to a gateway as JSON.
	pub type ReadRequest = t::ReadRequest<AccountId32, u32>;
	/// A receipt of a served read (`ConsentApi.read_receipts`).
	pub type ReadReceipt = t::ReadReceipt<AccountId32, u128, u32>;
	/// One entry of `ConsentApi.authorities`: account, scopes, status, key commitment.
	pub type AuthorityEntry = (
		AccountId32,
		Vec<Vec<u8>>,
		AuthorityStatus,
		Option<AbeKeyCommitment>,
	);

	/// What the reader of `request` signs: the bytes `ConsentApi.read_request_message` answers
	/// (context, genesis hash, request), computed without asking the chain, so that a gateway
	/// checks the signature before spending a node round trip on a request (the end-to-end
	/// suite checks that both agree).
	pub fn read_request_message(request: &ReadRequest, genesis: &[u8; 32]) -> Vec<u8> {
		use codec::Encode;
		(READ_REQUEST_CONTEXT, genesis, request).encode()
	}

	/// The key the chain lists `request`'s receipt under for the record's subject
	/// (BLAKE2-256 of the request), so a reader or gateway can find its own read among a
	/// subject's receipts.
	pub fn receipt_key(request: &ReadRequest) -> [u8; 32] {
		use codec::Encode;
		crate::protocol::blake2_256(&request.encode())
	}

	/// Every purpose, in the chain's order.
	pub const PURPOSES: [Purpose; 6] = [
		Purpose::Treatment,
		Purpose::Emergency,
		Purpose::Research,
		Purpose::PublicHealth,
		Purpose::Payment,
		Purpose::Operations,
	];

	/// A purpose's name for people and command lines: the chain's variant in kebab case
	/// (`public-health`).
	pub fn purpose_name(purpose: Purpose) -> &'static str {
		// Exhaustive, so a purpose added on chain fails to compile here until it is named.
		match purpose {
			Purpose::Treatment => "treatment",
			Purpose::Emergency => "emergency",
			Purpose::Research => "research",
			Purpose::PublicHealth => "public-health",
			Purpose::Payment => "payment",
			Purpose::Operations => "operations",
		}
	}
}

/// The key-grants pallet's types and events, as generated from the metadata.
pub mod key_grants {
	use super::api::runtime_types::pallet_key_grants::types as t;
	use subxt::utils::AccountId32;

	pub use super::api::key_grants::events::{
		AttestationRecorded, EvidenceAdjudicated, EvidenceFiled, GrantCreated,
	};
	pub use t::GrantScope;
	/// A grant's proxy and the commitment to its key fragment.
	pub type GrantProxy = t::GrantProxy<AccountId32>;
	/// What a proxy signs for one re-encryption.
	pub type Attestation = t::Attestation<AccountId32, u32>;
	/// The grantee's request an attestation answers.
	pub type RequestBinding = t::RequestBinding<u32>;
	/// Evidence against a proxy.
	pub type Claim = t::Claim<AccountId32, u32, [u8; 64]>;
	/// An accepted attestation (`KeyGrantsApi.receipts`).
	pub type Receipt = t::Receipt<AccountId32, u32>;
	/// A proxy's state (`KeyGrantsApi.proxy`).
	pub type Proxy = t::Proxy<u128, u32>;
	/// Whether a proxy may serve.
	pub type ProxyStatus = t::ProxyStatus<u32>;
	/// An account's registered Umbral keys (`KeyGrantsApi.pre_keys`).
	pub type PreKeys = t::PreKeys<u32>;
	/// A grant (`KeyGrantsApi.grant`).
	pub type Grant = t::Grant<AccountId32, u128, u32>;
	/// How a case ended.
	pub type Outcome = t::Outcome<u128>;
}

use std::time::Duration;

use subxt::{
	client::OnlineClientAtBlockImpl,
	config::{
		substrate::{MultiAddress, MultiSignature},
		Config, DefaultExtrinsicParamsBuilder, DefaultTransactionExtensions, HashFor, RpcConfigFor,
		SubstrateConfig,
	},
	error::{DispatchError, TransactionEventsError},
	events::DecodeAsEvent,
	extrinsics::ExtrinsicEvents,
	metadata::ArcMetadata,
	rpcs::{LegacyRpcMethods, RpcClient},
	transactions::{Payload, Signer, TransactionInBlock, TransactionProgress, TransactionStatus},
	OnlineClient, OnlineClientAtBlock,
};
use subxt_signer::sr25519::Keypair;

use crate::Error;

/// subxt's view of the MedChain runtime: [`SubstrateConfig`] with the runtime's address type
/// `MultiAddress<AccountId32, ()>` (no account indices).
#[derive(Debug, Clone, Default)]
pub struct MedChainConfig(SubstrateConfig);

impl Config for MedChainConfig {
	type AccountId = AccountId32;
	type Address = MultiAddress<AccountId32, ()>;
	type Signature = MultiSignature;
	type Hasher = <SubstrateConfig as Config>::Hasher;
	type Header = <SubstrateConfig as Config>::Header;
	type TransactionExtensions = DefaultTransactionExtensions<Self>;
	// Only used by `ChargeAssetTxPayment`, which MedChain does not have.
	type AssetId = u32;

	fn genesis_hash(&self) -> Option<HashFor<Self>> {
		self.0.genesis_hash()
	}

	fn spec_and_transaction_version_for_block_number(
		&self,
		block_number: u64,
	) -> Option<(u32, u32)> {
		self.0
			.spec_and_transaction_version_for_block_number(block_number)
	}

	fn metadata_for_spec_version(&self, spec_version: u32) -> Option<ArcMetadata> {
		self.0.metadata_for_spec_version(spec_version)
	}

	fn set_metadata_for_spec_version(&self, spec_version: u32, metadata: ArcMetadata) {
		self.0.set_metadata_for_spec_version(spec_version, metadata)
	}
}

/// A subxt client for MedChain.
pub type Client = OnlineClient<MedChainConfig>;
/// A client pinned to one block.
pub type ClientAtBlock = OnlineClientAtBlock<MedChainConfig>;
/// The node's plain RPC methods.
pub type LegacyRpc = LegacyRpcMethods<RpcConfigFor<MedChainConfig>>;
/// A block hash.
pub type BlockHash = HashFor<MedChainConfig>;
/// Events of one extrinsic.
pub type Events = ExtrinsicEvents<MedChainConfig>;
/// The progress of a submitted transaction.
pub type TxProgress = TransactionProgress<MedChainConfig, OnlineClientAtBlockImpl<MedChainConfig>>;
/// A transaction that made it into a block.
pub type TxInBlock = TransactionInBlock<MedChainConfig, OnlineClientAtBlockImpl<MedChainConfig>>;

/// One MED in plancks (12 decimals).
pub const UNIT: u128 = 1_000_000_000_000;

/// How long a transaction may take to get into a block before we give up.
const INCLUSION_TIMEOUT: Duration = Duration::from_secs(90);

/// The account of an sr25519 key pair.
pub fn account_id(key: &Keypair) -> AccountId32 {
	key.public_key().to_account_id()
}

/// How long [`Chain::connect_reconnecting`] waits for the node at the start.
#[cfg(feature = "native")]
pub const CONNECT_TIMEOUT: Duration = Duration::from_secs(30);
/// The longest pause between two attempts of [`Chain::connect_reconnecting`] to reach a node
/// that went away (the pauses grow from 50 ms to this).
#[cfg(feature = "native")]
pub const RECONNECT_AT_MOST_EVERY: Duration = Duration::from_secs(2);

/// How long a call of a [`Chain::connect_reconnecting`] connection may wait for the node.
#[cfg(feature = "native")]
pub const CALL_TIMEOUT: Duration = Duration::from_secs(10);

/// An RPC client whose calls (and subscription requests) fail after `timeout`, as a plain
/// client error: subxt retries calls that fail with `DisconnectedWillReconnect` until they
/// succeed, so that error would not bound them.
///
/// The one exception is `chainHead_v1_follow`, the subscription subxt's block tracking lives
/// on: it fails with `DisconnectedWillReconnect`, the only error after which subxt subscribes
/// again. With a plain error there, subxt gave up following blocks for good after the node was
/// away for longer than `timeout`, and every later transaction's progress failed at once
/// ("chainHead_follow stream ended unexpectedly"): the gateway resubmitted receipt batches some
/// 600 times a minute.
#[cfg(feature = "native")]
struct Bounded<C> {
	inner: C,
	timeout: Duration,
}

#[cfg(feature = "native")]
impl<C: subxt::rpcs::client::RpcClientT> subxt::rpcs::client::RpcClientT for Bounded<C> {
	fn request_raw<'a>(
		&'a self,
		method: &'a str,
		params: Option<Box<subxt::rpcs::client::RawValue>>,
	) -> subxt::rpcs::client::RawRpcFuture<'a, Box<subxt::rpcs::client::RawValue>> {
		Box::pin(async move {
			tokio::time::timeout(self.timeout, self.inner.request_raw(method, params))
				.await
				.unwrap_or_else(|_| Err(timed_out(method, self.timeout)))
		})
	}

	fn subscribe_raw<'a>(
		&'a self,
		sub: &'a str,
		params: Option<Box<subxt::rpcs::client::RawValue>>,
		unsub: &'a str,
	) -> subxt::rpcs::client::RawRpcFuture<'a, subxt::rpcs::client::RawRpcSubscription> {
		Box::pin(async move {
			tokio::time::timeout(self.timeout, self.inner.subscribe_raw(sub, params, unsub))
				.await
				.unwrap_or_else(|_| {
					Err(if sub == FOLLOW_SUBSCRIPTION {
						subxt::rpcs::Error::DisconnectedWillReconnect(format!(
							"{sub}: the node did not answer within {:?}",
							self.timeout
						))
					} else {
						timed_out(sub, self.timeout)
					})
				})
		})
	}
}

/// The subscription subxt follows blocks with; see [`Bounded`].
#[cfg(feature = "native")]
const FOLLOW_SUBSCRIPTION: &str = "chainHead_v1_follow";

#[cfg(feature = "native")]
fn timed_out(method: &str, after: Duration) -> subxt::rpcs::Error {
	subxt::rpcs::Error::Client(
		format!("{method}: the node did not answer within {after:?} (reconnecting)").into(),
	)
}

/// A connection to a MedChain node.
#[derive(Clone)]
pub struct Chain {
	client: Client,
	rpc: LegacyRpc,
}

impl Chain {
	/// Connects to the node's WebSocket RPC endpoint (`ws://127.0.0.1:9944`).
	pub async fn connect(url: &str) -> Result<Self, Error> {
		let rpc_client = RpcClient::from_insecure_url(url)
			.await
			.map_err(|e| Error::Chain(format!("connecting to {url}: {e}")))?;
		Self::from_rpc_client(rpc_client)
			.await
			.map_err(|e| Error::Chain(format!("connecting to {url}: {e}")))
	}

	/// Connects like [`Chain::connect`] over a WebSocket that reconnects by itself when the
	/// node goes away (a crash, a restart to upgrade its binary), for long-running services
	/// such as the gateway: calls and subscriptions under way when the connection drops fail
	/// (subxt's `DisconnectedWillReconnect`), and later ones succeed once the node answers
	/// again, tried every [`RECONNECT_AT_MOST_EVERY`] at most. Without it, one restart of the
	/// node left the gateway refusing every read ("restart required") until it was restarted
	/// too. While the node is away, a call fails after [`CALL_TIMEOUT`] (the reconnecting
	/// client alone holds calls until it is back, which left a read waiting for minutes).
	/// Fails if the node does not answer within [`CONNECT_TIMEOUT`] at the start.
	#[cfg(feature = "native")]
	pub async fn connect_reconnecting(url: &str) -> Result<Self, Error> {
		use subxt::rpcs::client::{
			reconnecting_rpc_client::ExponentialBackoff, ReconnectingRpcClient,
		};
		let failed = |e: &dyn std::fmt::Display| Error::Chain(format!("connecting to {url}: {e}"));
		let connecting = ReconnectingRpcClient::builder()
			.retry_policy(ExponentialBackoff::from_millis(50).max_delay(RECONNECT_AT_MOST_EVERY))
			.build(url);
		let reconnecting = tokio::time::timeout(CONNECT_TIMEOUT, connecting)
			.await
			.map_err(|_| failed(&format!("no answer within {CONNECT_TIMEOUT:?}")))?
			.map_err(|e| failed(&e))?;
		Self::from_rpc_client(RpcClient::new(Bounded {
			inner: reconnecting,
			timeout: CALL_TIMEOUT,
		}))
		.await
		.map_err(|e| failed(&e))
	}

	/// A connection over an RPC client already connected to a node.
	pub async fn from_rpc_client(rpc_client: RpcClient) -> Result<Self, Error> {
		let client =
			Client::from_rpc_client_with_config(MedChainConfig::default(), rpc_client.clone())
				.await
				.map_err(|e| Error::Chain(e.to_string()))?;
		Ok(Self {
			client,
			rpc: LegacyRpc::new(rpc_client),
		})
	}

	/// The subxt client.
	pub fn client(&self) -> &Client {
		&self.client
	}

	/// The node's plain RPC methods.
	pub fn rpc(&self) -> &LegacyRpc {
		&self.rpc
	}

	/// The genesis hash of the chain this connection serves.
	pub fn genesis_hash(&self) -> BlockHash {
		self.client.genesis_hash()
	}

	/// The number of block `hash`.
	pub async fn number_of(&self, hash: BlockHash) -> Result<u32, Error> {
		let header = self
			.rpc
			.chain_get_header(Some(hash))
			.await
			.map_err(|e| Error::Chain(format!("chain_getHeader({hash:?}): {e}")))?
			.ok_or_else(|| Error::Chain(format!("block {hash:?} is unknown")))?;
		Ok(header.number as u32)
	}

	/// The best block's number and hash.
	pub async fn best(&self) -> Result<(u32, BlockHash), Error> {
		let hash = self
			.rpc
			.chain_get_block_hash(None)
			.await
			.map_err(|e| Error::Chain(format!("chain_getBlockHash: {e}")))?
			.ok_or_else(|| Error::Chain("the node reported no best block".into()))?;
		Ok((self.number_of(hash).await?, hash))
	}

	/// State at the best block: what gateways check, so a revocation counts from the block
	/// that includes it.
	pub async fn at_best(&self) -> Result<ClientAtBlock, Error> {
		let (_, hash) = self.best().await?;
		self.client
			.at_block(hash)
			.await
			.map_err(|e| Error::Chain(format!("state at the best block: {e}")))
	}

	/// State at block `number` of the finalised chain.
	pub async fn at_number(&self, number: u64) -> Result<ClientAtBlock, Error> {
		self.client
			.at_block(number)
			.await
			.map_err(|e| Error::Chain(format!("state at block #{number}: {e}")))
	}

	/// The finalised block's number.
	pub async fn finalized_number(&self) -> Result<u64, Error> {
		Ok(self.finalized().await?.0.into())
	}

	/// The finalised block's number and hash.
	pub async fn finalized(&self) -> Result<(u32, BlockHash), Error> {
		let hash = self
			.rpc
			.chain_get_finalized_head()
			.await
			.map_err(|e| Error::Chain(format!("chain_getFinalizedHead: {e}")))?;
		Ok((self.number_of(hash).await?, hash))
	}

	/// The hash of block `number` on the node's best chain, if it has one.
	pub async fn block_hash(&self, number: u32) -> Result<Option<BlockHash>, Error> {
		self.rpc
			.chain_get_block_hash(Some(u64::from(number).into()))
			.await
			.map_err(|e| Error::Chain(format!("chain_getBlockHash({number}): {e}")))
	}

	/// Signs `call` with the signer's next nonce as the node counts it
	/// (`system_accountNextIndex`, which includes its transactions still in the pool, so
	/// several can be sent in a row) and submits it; returns its progress to follow.
	pub async fn sign_and_watch<Call: Payload, S: Signer<MedChainConfig>>(
		&self,
		call: &Call,
		signer: &S,
	) -> Result<TxProgress, Error> {
		let nonce = self.next_nonce(&signer.account_id()).await?;
		self.sign_and_watch_with_nonce(call, signer, nonce).await
	}

	/// The nonce the node expects next from `account` (`system_accountNextIndex`: its
	/// transactions in the pool counted once the pool has validated them; a sender of many
	/// transactions in quick succession must count its own, see the gateway).
	pub async fn next_nonce(&self, account: &AccountId32) -> Result<u64, Error> {
		self.rpc
			.system_account_next_index(account)
			.await
			.map_err(|e| Error::Chain(format!("system_accountNextIndex({account}): {e}")))
	}

	/// Signs `call` with `nonce` and submits it; returns its progress to follow.
	pub async fn sign_and_watch_with_nonce<Call: Payload, S: Signer<MedChainConfig>>(
		&self,
		call: &Call,
		signer: &S,
		nonce: u64,
	) -> Result<TxProgress, Error> {
		let account = signer.account_id();
		let params = DefaultExtrinsicParamsBuilder::<MedChainConfig>::new()
			.nonce(nonce)
			.build();
		self.client
			.tx()
			.await
			.map_err(|e| Error::Chain(format!("transaction client: {e}")))?
			.sign_and_submit_then_watch(call, signer, params)
			.await
			.map_err(|e| Error::Chain(format!("submitting a transaction from {account}: {e}")))
	}

	/// Follows a submitted transaction until it is in a block: the transaction there, and
	/// whether the first status seen was already "finalised". Fails if the pool reports it
	/// invalid or dropped, or after `timeout`.
	pub async fn wait_in_block(
		progress: &mut TxProgress,
		timeout: Duration,
	) -> Result<(TxInBlock, bool), Error> {
		let hash = progress.extrinsic_hash();
		let watch = async {
			loop {
				let status = progress
					.next()
					.await
					.ok_or_else(|| {
						Error::Chain(format!(
							"the status stream of transaction {hash:?} ended before inclusion"
						))
					})?
					.map_err(|e| Error::Chain(format!("watching transaction {hash:?}: {e}")))?;
				match status {
					TransactionStatus::InBestBlock(in_block) => return Ok((in_block, false)),
					TransactionStatus::InFinalizedBlock(in_block) => return Ok((in_block, true)),
					TransactionStatus::Invalid { message } => {
						return Err(Error::Chain(format!(
							"transaction {hash:?} is invalid: {message}"
						)))
					}
					TransactionStatus::Dropped { message } => {
						return Err(Error::Chain(format!(
							"transaction {hash:?} was dropped: {message}"
						)))
					}
					TransactionStatus::Error { message } => {
						return Err(Error::Chain(format!(
							"transaction {hash:?} failed: {message}"
						)))
					}
					// Validated, Broadcasted, NoLongerInBestBlock: keep waiting.
					_ => continue,
				}
			}
		};
		within(timeout, watch).await.unwrap_or_else(|| {
			Err(Error::Chain(format!(
				"transaction {hash:?} was not included within {timeout:?}"
			)))
		})
	}

	/// Signs `call`, submits it and waits until it is in a best block and dispatched. A
	/// dispatch failure is [`Error::Refused`] with the pallet error (`"Consent::NoLiveTicket"`).
	pub async fn submit<Call: Payload, S: Signer<MedChainConfig>>(
		&self,
		call: &Call,
		signer: &S,
	) -> Result<Events, Error> {
		let mut progress = self.sign_and_watch(call, signer).await?;
		let (in_block, _) = Self::wait_in_block(&mut progress, INCLUSION_TIMEOUT).await?;
		dispatched(&in_block).await
	}

	/// Asks a runtime API question at the best block, e.g.
	/// `chain.call(api::runtime_apis().consent_api().policy(id))`.
	pub async fn call<P: subxt::runtime_apis::Payload>(
		&self,
		question: P,
	) -> Result<P::ReturnType, Error> {
		let name = format!("{}.{}", question.trait_name(), question.method_name());
		self.at_best()
			.await?
			.runtime_apis()
			.call(question)
			.await
			.map_err(|e| Error::Chain(format!("{name}: {e}")))
	}

	/// Reads a storage item at the best block (`None` if absent), e.g.
	/// `chain.read(api::storage().consent().attributes(), (holder,))`.
	pub async fn read<A: subxt::storage::Address>(
		&self,
		item: A,
		key: A::KeyParts,
	) -> Result<Option<A::Value>, Error> {
		let name = format!("{}.{}", item.pallet_name(), item.entry_name());
		let at = self.at_best().await?;
		let value = at
			.storage()
			.try_fetch(item, key)
			.await
			.map_err(|e| Error::Chain(format!("{name}: {e}")))?;
		value
			.map(|v| v.decode().map_err(|e| Error::Chain(format!("{name}: {e}"))))
			.transpose()
	}
}

/// `work`'s output, or `None` if `timeout` passed first. A timer of `futures-timer`, so that it
/// works natively and in a browser alike (tokio's timers need tokio's runtime and a clock that
/// WebAssembly in a browser does not have).
pub async fn within<T>(timeout: Duration, work: impl std::future::Future<Output = T>) -> Option<T> {
	use futures::future::{select, Either};
	let work = std::pin::pin!(work);
	match select(work, futures_timer::Delay::new(timeout)).await {
		Either::Left((output, _)) => Some(output),
		Either::Right(_) => None,
	}
}

/// The chain's own dispatch error type (`sp_runtime::DispatchError`, generated from the
/// metadata): what runtime APIs such as `ConsentApi.check_read` answer with.
pub use medchain_chain_api::api::runtime_types::sp_runtime::DispatchError as RuntimeError;

/// Questions every flow and the gateway ask, answered at the best block.
impl Chain {
	/// The registered Umbral keys of `who`.
	pub async fn pre_keys_of(&self, who: &AccountId32) -> Result<crate::pre::PrePublicKeys, Error> {
		let keys = self
			.call(api::runtime_apis().key_grants_api().pre_keys(*who))
			.await?
			.ok_or_else(|| {
				Error::Invalid(format!(
					"{who} has registered no PRE keys (medchain keys register)"
				))
			})?;
		Ok(crate::pre::PrePublicKeys {
			public_key: keys.public_key,
			verifying_key: keys.verifying_key,
		})
	}

	/// Every accredited authority with its scopes, status and key commitment.
	pub async fn authorities(&self) -> Result<Vec<consent::AuthorityEntry>, Error> {
		self.call(api::runtime_apis().consent_api().authorities())
			.await
	}

	/// The current version of live record `record`: its number, the version, the subject.
	pub async fn current_version(
		&self,
		record: u64,
	) -> Result<(u32, records::Version, AccountId32), Error> {
		use records::RecordView;
		let view = self
			.call(api::runtime_apis().records_api().record(record))
			.await?;
		match view {
			Some(RecordView::Live {
				record: live,
				versions,
			}) => {
				let version = versions
					.into_iter()
					.last()
					.ok_or_else(|| Error::Chain(format!("record {record} has no versions")))?;
				Ok((live.current_version, version, live.subject))
			}
			Some(RecordView::Erased(_)) => {
				Err(Error::Invalid(format!("record {record} was erased")))
			}
			Some(RecordView::__Ignore(_)) => Err(Error::Chain(format!(
				"record {record}: an answer no runtime gives"
			))),
			None => Err(Error::Invalid(format!("no record {record} on chain"))),
		}
	}
}

/// A dispatch error explained from the chain's metadata.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Explained {
	/// `"Consent::GrantNotActive"`: the text a failed transaction reports in
	/// [`Error::Refused`]; other dispatch errors by their variant.
	pub name: String,
	/// The pallet error itself, typed (`api::Error::Consent(..)`), for callers to match on.
	pub pallet: Option<api::Error>,
}

impl Chain {
	/// Explains a dispatch error a runtime API answered with: its name and, for a pallet
	/// error, the typed error.
	pub async fn explain(&self, error: &RuntimeError) -> Result<Explained, Error> {
		use subxt::ext::scale_decode::DecodeAsType;
		let RuntimeError::Module(module) = error else {
			return Ok(Explained {
				name: format!("{error:?}"),
				pallet: None,
			});
		};
		let at = self.at_best().await?;
		let metadata = at.metadata_ref();
		let pallet = metadata
			.pallet_by_error_index(module.index)
			.ok_or_else(|| {
				Error::Chain(format!(
					"the chain has no pallet with index {}",
					module.index
				))
			})?;
		let variant = pallet
			.error_variant_by_index(module.error[0])
			.ok_or_else(|| {
				Error::Chain(format!(
					"{} has no error with index {}",
					pallet.name(),
					module.error[0]
				))
			})?;
		// The runtime's outer error enum is indexed by pallet, then by the pallet's error.
		let bytes = [
			module.index,
			module.error[0],
			module.error[1],
			module.error[2],
			module.error[3],
		];
		let typed = api::Error::decode_as_type(
			&mut &bytes[..],
			metadata.outer_enums().error_enum_ty(),
			metadata.types(),
		)
		.map_err(|e| Error::Chain(format!("decoding a pallet error: {e}")))?;
		Ok(Explained {
			name: format!("{}::{}", pallet.name(), variant.name),
			pallet: Some(typed),
		})
	}
}

/// The events of a transaction in its block if it dispatched; its pallet error as
/// [`Error::Refused`] if not.
pub async fn dispatched(in_block: &TxInBlock) -> Result<Events, Error> {
	in_block
		.wait_for_success()
		.await
		.map_err(|error| match &error {
			TransactionEventsError::ExtrinsicFailed(DispatchError::Module(module)) => {
				Error::Refused(Explained {
					name: module.details_string(),
					pallet: module.as_root_error::<api::Error>().ok(),
				})
			}
			_ => Error::Chain(format!("transaction failed: {error}")),
		})
}

/// The first event of type `E` among an extrinsic's events.
pub fn find_event<E: DecodeAsEvent>(events: &Events) -> Result<E, Error> {
	events
		.find_first::<E>()
		.ok_or_else(|| Error::Chain("an expected event is missing".into()))?
		.map_err(|e| Error::Chain(format!("decoding an event: {e}")))
}

/// The SS58 text of an account.
pub fn ss58(account: &AccountId32) -> String {
	account.to_string()
}

/// Parses an SS58 account.
pub fn parse_account(text: &str) -> Result<AccountId32, Error> {
	text.parse()
		.map_err(|e| Error::Invalid(format!("not an SS58 account: {text}: {e:?}")))
}

#[cfg(test)]
mod tests {
	use super::*;

	#[test]
	fn within_returns_work_that_finishes_in_time() {
		let out = futures::executor::block_on(within(Duration::from_secs(5), async { 7 }));
		assert_eq!(out, Some(7));
	}

	#[test]
	fn within_gives_up_on_work_that_never_finishes() {
		let started = std::time::Instant::now();
		let out = futures::executor::block_on(within(
			Duration::from_millis(50),
			futures::future::pending::<u8>(),
		));
		assert_eq!(out, None);
		assert!(started.elapsed() >= Duration::from_millis(50));
	}
}
