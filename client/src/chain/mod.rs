//! MedChain over subxt 0.51: connection, transactions, runtime-API questions and events.
//!
//! Calls, storage and runtime APIs are used dynamically: argument and answer types are the
//! mirrors in [`records`], [`consent`] and [`key_grants`], matched by name against the
//! metadata the node serves, so this crate follows the runtime it talks to without a
//! generated metadata file.

pub mod consent;
pub mod key_grants;
pub mod records;

use std::time::Duration;

use subxt::{
	config::{
		substrate::{AccountId32, MultiAddress, MultiSignature},
		Config, DefaultExtrinsicParamsBuilder, DefaultTransactionExtensions, HashFor, RpcConfigFor,
		SubstrateConfig,
	},
	error::{DispatchError, TransactionEventsError},
	events::DecodeAsEvent,
	ext::scale_decode::DecodeAsType,
	extrinsics::ExtrinsicEvents,
	metadata::ArcMetadata,
	rpcs::{LegacyRpcMethods, RpcClient},
	transactions::{Payload, TransactionStatus},
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

/// One MED in plancks (12 decimals).
pub const UNIT: u128 = 1_000_000_000_000;

/// How long a transaction may take to get into a block before we give up.
const INCLUSION_TIMEOUT: Duration = Duration::from_secs(90);

/// The account of an sr25519 key pair.
pub fn account_id(key: &Keypair) -> AccountId32 {
	key.public_key().to_account_id()
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
		let client =
			Client::from_rpc_client_with_config(MedChainConfig::default(), rpc_client.clone())
				.await
				.map_err(|e| Error::Chain(format!("connecting to {url}: {e}")))?;
		Ok(Self {
			client,
			rpc: LegacyRpc::new(rpc_client),
		})
	}

	pub fn client(&self) -> &Client {
		&self.client
	}

	pub fn genesis_hash(&self) -> BlockHash {
		self.client.genesis_hash()
	}

	/// The best block's number and hash.
	pub async fn best(&self) -> Result<(u32, BlockHash), Error> {
		let hash = self
			.rpc
			.chain_get_block_hash(None)
			.await
			.map_err(|e| Error::Chain(format!("chain_getBlockHash: {e}")))?
			.ok_or_else(|| Error::Chain("the node reported no best block".into()))?;
		let header = self
			.rpc
			.chain_get_header(Some(hash))
			.await
			.map_err(|e| Error::Chain(format!("chain_getHeader: {e}")))?
			.ok_or_else(|| Error::Chain("the best block has no header".into()))?;
		Ok((header.number as u32, hash))
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
		let header = self
			.rpc
			.chain_get_header(Some(hash))
			.await
			.map_err(|e| Error::Chain(format!("chain_getHeader: {e}")))?
			.ok_or_else(|| Error::Chain("the finalised block has no header".into()))?;
		Ok((header.number as u32, hash))
	}

	/// The hash of block `number` on the node's best chain, if it has one.
	pub async fn block_hash(&self, number: u32) -> Result<Option<BlockHash>, Error> {
		self.rpc
			.chain_get_block_hash(Some(u64::from(number).into()))
			.await
			.map_err(|e| Error::Chain(format!("chain_getBlockHash({number}): {e}")))
	}

	/// Signs `call`, submits it and waits until it is in a best block and dispatched. A
	/// dispatch failure is [`Error::Refused`] with the pallet error (`"Consent::NoLiveTicket"`).
	pub async fn submit<Call: Payload>(
		&self,
		call: &Call,
		signer: &Keypair,
	) -> Result<Events, Error> {
		let account = account_id(signer);
		let nonce = self
			.rpc
			.system_account_next_index(&account)
			.await
			.map_err(|e| Error::Chain(format!("system_accountNextIndex: {e}")))?;
		let params = DefaultExtrinsicParamsBuilder::<MedChainConfig>::new()
			.nonce(nonce)
			.build();
		let mut progress = self
			.client
			.tx()
			.await
			.map_err(|e| Error::Chain(format!("transaction client: {e}")))?
			.sign_and_submit_then_watch(call, signer, params)
			.await
			.map_err(|e| Error::Chain(format!("submitting a transaction: {e}")))?;
		let in_block = tokio::time::timeout(INCLUSION_TIMEOUT, async {
			loop {
				let status = progress
					.next()
					.await
					.ok_or_else(|| Error::Chain("the transaction status stream ended".into()))?
					.map_err(|e| Error::Chain(format!("watching the transaction: {e}")))?;
				match status {
					TransactionStatus::InBestBlock(in_block)
					| TransactionStatus::InFinalizedBlock(in_block) => return Ok(in_block),
					TransactionStatus::Invalid { message }
					| TransactionStatus::Dropped { message }
					| TransactionStatus::Error { message } => {
						return Err(Error::Chain(format!("transaction rejected: {message}")))
					}
					_ => continue,
				}
			}
		})
		.await
		.map_err(|_| Error::Chain("the transaction was not included in time".into()))??;
		in_block
			.wait_for_success()
			.await
			.map_err(|error| match &error {
				TransactionEventsError::ExtrinsicFailed(DispatchError::Module(module)) => {
					Error::Refused(module.details_string())
				}
				_ => Error::Chain(format!("transaction failed: {error}")),
			})
	}

	/// Calls runtime API `api.method` on the best block.
	pub async fn api<R: DecodeAsType>(
		&self,
		api: &str,
		method: &str,
		args: impl subxt::ext::frame_decode::storage::IntoEncodableValues,
	) -> Result<R, Error> {
		self.at_best()
			.await?
			.runtime_apis()
			.call(subxt::dynamic::runtime_api_call::<_, R>(api, method, args))
			.await
			.map_err(|e| Error::Chain(format!("{api}.{method}: {e}")))
	}

	/// Reads storage `pallet.item(key)` at the best block (`None` if absent).
	pub async fn storage<K, V>(&self, pallet: &str, item: &str, key: K) -> Result<Option<V>, Error>
	where
		K: subxt::ext::frame_decode::storage::IntoEncodableValues
			+ subxt::ext::frame_decode::storage::IntoDecodableValues
			+ Clone,
		V: DecodeAsType,
	{
		let address = subxt::dynamic::storage::<K, V>(pallet, item);
		let at = self.at_best().await?;
		let value = at
			.storage()
			.try_fetch(address, key)
			.await
			.map_err(|e| Error::Chain(format!("{pallet}.{item}: {e}")))?;
		value
			.map(|v| {
				v.decode()
					.map_err(|e| Error::Chain(format!("{pallet}.{item}: {e}")))
			})
			.transpose()
	}

	/// Waits until the best block is at least `number`.
	pub async fn wait_for_block(&self, number: u32, timeout: Duration) -> Result<(), Error> {
		let started = std::time::Instant::now();
		while self.best().await?.0 < number {
			if started.elapsed() > timeout {
				return Err(Error::Chain(format!(
					"block #{number} did not arrive in time"
				)));
			}
			tokio::time::sleep(Duration::from_millis(500)).await;
		}
		Ok(())
	}
}

/// The chain's own dispatch error type (`sp_runtime::DispatchError`, generated from the
/// metadata): what runtime APIs such as `ConsentApi.check_read` answer with.
pub use medchain_chain_api::api::runtime_types::sp_runtime::DispatchError as RuntimeError;

impl Chain {
	/// The name of a pallet error as the chain's metadata gives it (`"Consent::GrantNotActive"`),
	/// the same text a failed transaction reports in [`Error::Refused`]; other dispatch errors
	/// by their variant.
	pub async fn error_name(&self, error: &RuntimeError) -> Result<String, Error> {
		let RuntimeError::Module(module) = error else {
			return Ok(format!("{error:?}"));
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
		Ok(format!("{}::{}", pallet.name(), variant.name))
	}
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
