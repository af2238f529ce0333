//! Runtime APIs: what the node, RPC and clients (polkadot.js, subxt) may call on a block's state
//! without a transaction.

use alloc::vec::Vec;
use frame_support::{
	genesis_builder_helper::{build_state, get_preset},
	weights::Weight,
};
use pallet_grandpa::AuthorityId as GrandpaId;
use sp_api::impl_runtime_apis;
use sp_consensus_aura::sr25519::AuthorityId as AuraId;
use sp_core::{crypto::KeyTypeId, OpaqueMetadata};
use sp_runtime::{
	traits::{Block as BlockT, NumberFor},
	transaction_validity::{TransactionSource, TransactionValidity},
	ApplyExtrinsicResult,
};
use sp_version::RuntimeVersion;

use super::{
	configs::PolicyId, AccountId, Aura, Balance, Block, BlockNumber, Consent, Executive, Fl,
	Grandpa, InherentDataExt, KeyGrants, Nonce, Records, Runtime, RuntimeCall,
	RuntimeGenesisConfig, SessionKeys, System, TransactionPayment, VERSION,
};

impl_runtime_apis! {
	impl sp_api::Core<Block> for Runtime {
		fn version() -> RuntimeVersion {
			VERSION
		}

		fn execute_block(block: <Block as BlockT>::LazyBlock) {
			Executive::execute_block(block);
		}

		fn initialize_block(header: &<Block as BlockT>::Header) -> sp_runtime::ExtrinsicInclusionMode {
			Executive::initialize_block(header)
		}
	}

	impl sp_api::Metadata<Block> for Runtime {
		fn metadata() -> OpaqueMetadata {
			OpaqueMetadata::new(Runtime::metadata().into())
		}

		fn metadata_at_version(version: u32) -> Option<OpaqueMetadata> {
			Runtime::metadata_at_version(version)
		}

		fn metadata_versions() -> Vec<u32> {
			Runtime::metadata_versions()
		}
	}

	impl frame_support::view_functions::runtime_api::RuntimeViewFunction<Block> for Runtime {
		fn execute_view_function(
			id: frame_support::view_functions::ViewFunctionId,
			input: Vec<u8>,
		) -> Result<Vec<u8>, frame_support::view_functions::ViewFunctionDispatchError> {
			Runtime::execute_view_function(id, input)
		}
	}

	impl sp_block_builder::BlockBuilder<Block> for Runtime {
		fn apply_extrinsic(extrinsic: <Block as BlockT>::Extrinsic) -> ApplyExtrinsicResult {
			Executive::apply_extrinsic(extrinsic)
		}

		fn finalize_block() -> <Block as BlockT>::Header {
			Executive::finalize_block()
		}

		fn inherent_extrinsics(data: sp_inherents::InherentData) -> Vec<<Block as BlockT>::Extrinsic> {
			data.create_extrinsics()
		}

		fn check_inherents(
			block: <Block as BlockT>::LazyBlock,
			data: sp_inherents::InherentData,
		) -> sp_inherents::CheckInherentsResult {
			data.check_extrinsics(&block)
		}
	}

	impl sp_transaction_pool::runtime_api::TaggedTransactionQueue<Block> for Runtime {
		fn validate_transaction(
			source: TransactionSource,
			tx: <Block as BlockT>::Extrinsic,
			block_hash: <Block as BlockT>::Hash,
		) -> TransactionValidity {
			Executive::validate_transaction(source, tx, block_hash)
		}
	}

	impl sp_offchain::OffchainWorkerApi<Block> for Runtime {
		fn offchain_worker(header: &<Block as BlockT>::Header) {
			Executive::offchain_worker(header)
		}
	}

	impl sp_consensus_aura::AuraApi<Block, AuraId> for Runtime {
		fn slot_duration() -> sp_consensus_aura::SlotDuration {
			sp_consensus_aura::SlotDuration::from_millis(Aura::slot_duration())
		}

		fn authorities() -> Vec<AuraId> {
			pallet_aura::Authorities::<Runtime>::get().into_inner()
		}
	}

	impl sp_session::SessionKeys<Block> for Runtime {
		fn generate_session_keys(
			owner: Vec<u8>,
			seed: Option<Vec<u8>>,
		) -> sp_session::OpaqueGeneratedSessionKeys {
			SessionKeys::generate(&owner, seed).into()
		}

		fn decode_session_keys(encoded: Vec<u8>) -> Option<Vec<(Vec<u8>, KeyTypeId)>> {
			SessionKeys::decode_into_raw_public_keys(&encoded)
		}
	}

	impl sp_consensus_grandpa::GrandpaApi<Block> for Runtime {
		fn grandpa_authorities() -> sp_consensus_grandpa::AuthorityList {
			Grandpa::grandpa_authorities()
		}

		fn current_set_id() -> sp_consensus_grandpa::SetId {
			Grandpa::current_set_id()
		}

		fn submit_report_equivocation_unsigned_extrinsic(
			_equivocation_proof: sp_consensus_grandpa::EquivocationProof<
				<Block as BlockT>::Hash,
				NumberFor<Block>,
			>,
			_key_owner_proof: sp_consensus_grandpa::OpaqueKeyOwnershipProof,
		) -> Option<()> {
			// Equivocation reports need session-bound key ownership proofs; see configs.
			None
		}

		fn generate_key_ownership_proof(
			_set_id: sp_consensus_grandpa::SetId,
			_authority_id: GrandpaId,
		) -> Option<sp_consensus_grandpa::OpaqueKeyOwnershipProof> {
			None
		}
	}

	impl frame_system_rpc_runtime_api::AccountNonceApi<Block, AccountId, Nonce> for Runtime {
		fn account_nonce(account: AccountId) -> Nonce {
			System::account_nonce(account)
		}
	}

	impl pallet_transaction_payment_rpc_runtime_api::TransactionPaymentApi<Block, Balance> for Runtime {
		fn query_info(
			uxt: <Block as BlockT>::Extrinsic,
			len: u32,
		) -> pallet_transaction_payment_rpc_runtime_api::RuntimeDispatchInfo<Balance> {
			TransactionPayment::query_info(uxt, len)
		}
		fn query_fee_details(
			uxt: <Block as BlockT>::Extrinsic,
			len: u32,
		) -> pallet_transaction_payment::FeeDetails<Balance> {
			TransactionPayment::query_fee_details(uxt, len)
		}
		fn query_weight_to_fee(weight: Weight) -> Balance {
			TransactionPayment::weight_to_fee(weight)
		}
		fn query_length_to_fee(length: u32) -> Balance {
			TransactionPayment::length_to_fee(length)
		}
	}

	impl pallet_records_runtime_api::RecordsApi<Block, AccountId, Balance, BlockNumber, PolicyId>
		for Runtime
	{
		fn records_of(
			subject: AccountId,
			start_after: Option<pallet_records::RecordId>,
			limit: u32,
		) -> Vec<(pallet_records::RecordId, pallet_records::RecordOf<Runtime>)> {
			// The pallet caps a page at `pallet_records::MAX_PAGE`, whatever the caller asks.
			Records::records_of(&subject, start_after, limit)
		}

		fn record(id: pallet_records::RecordId) -> Option<pallet_records::RecordViewOf<Runtime>> {
			Records::record_view(id)
		}

		fn content_anchor(
			cid: Vec<u8>,
		) -> Option<(pallet_records::RecordId, pallet_records::VersionNumber)> {
			Records::content_anchor(&cid)
		}

		fn may_write(writer: AccountId, subject: AccountId) -> bool {
			Records::may_write(&writer, &subject)
		}

		fn tombstones_of(
			subject: AccountId,
			start_after: Option<pallet_records::RecordId>,
			limit: u32,
		) -> Vec<(pallet_records::RecordId, pallet_records::TombstoneOf<Runtime>)> {
			// Capped like records_of's pages.
			Records::tombstones_of(&subject, start_after, limit)
		}
	}

	impl pallet_consent_runtime_api::ConsentApi<Block, AccountId, Balance, BlockNumber> for Runtime {
		fn access(
			who: AccountId,
			record: medchain_primitives::RecordId,
			purpose: medchain_primitives::Purpose,
		) -> Result<medchain_primitives::AccessBasis, medchain_primitives::AccessDenial> {
			<Consent as medchain_primitives::AccessInspect<AccountId>>::access(&who, record, purpose)
		}

		fn live_ticket(
			who: AccountId,
			record: medchain_primitives::RecordId,
		) -> Option<pallet_consent::TicketOf<Runtime>> {
			Consent::live_ticket(&who, record)
		}

		fn valid_attributes(who: AccountId) -> Vec<pallet_consent::policy::AttributeName> {
			Consent::valid_attributes_at(&who, System::block_number())
		}

		fn policy(id: medchain_primitives::PolicyId) -> Option<pallet_consent::PolicyOf<Runtime>> {
			Consent::policy(id)
		}

		fn break_glass_uses(
			subject: AccountId,
		) -> Vec<(pallet_consent::BreakGlassId, pallet_consent::BreakGlassUseOf<Runtime>)> {
			Consent::break_glass_uses(&subject)
		}

		fn read_receipts(
			subject: AccountId,
		) -> Vec<(sp_core::H256, pallet_consent::ReadReceiptOf<Runtime>)> {
			Consent::read_receipts(&subject)
		}

		fn read_request_message(request: pallet_consent::ReadRequestOf<Runtime>) -> Vec<u8> {
			Consent::read_request_message(&request)
		}

		fn authorities() -> Vec<(
			AccountId,
			Vec<pallet_consent::policy::AttributeName>,
			pallet_consent::AuthorityStatus,
			Option<pallet_consent::AbeKeyCommitment<BlockNumber>>,
		)> {
			Consent::authorities()
		}

		fn check_read(
			request: pallet_consent::ReadRequestOf<Runtime>,
			signature: sp_core::sr25519::Signature,
		) -> Result<(), sp_runtime::DispatchError> {
			Consent::decide_read(&request, &signature, System::block_number())
				.map(|_| ())
				.map_err(Into::into)
		}

		fn check_reads(
			reads: Vec<(pallet_consent::ReadRequestOf<Runtime>, sp_core::sr25519::Signature)>,
		) -> Vec<Result<(), sp_runtime::DispatchError>> {
			let now = System::block_number();
			reads
				.iter()
				.map(|(request, signature)| {
					Consent::decide_read(request, signature, now)
						.map(|_| ())
						.map_err(Into::into)
				})
				.collect()
		}
	}

	impl pallet_key_grants_runtime_api::KeyGrantsApi<
		Block,
		AccountId,
		Balance,
		BlockNumber,
		pallet_key_grants::GrantOf<Runtime>,
	> for Runtime {
		fn grant_active_for(
			grant: pallet_key_grants::GrantId,
			proxy: AccountId,
			record: medchain_primitives::RecordId,
		) -> bool {
			KeyGrants::grant_active_for(grant, &proxy, record)
		}

		fn attestation_message(attestation: pallet_key_grants::AttestationOf<Runtime>) -> Vec<u8> {
			KeyGrants::attestation_message(&attestation)
		}

		fn grant(grant: pallet_key_grants::GrantId) -> Option<pallet_key_grants::GrantOf<Runtime>> {
			pallet_key_grants::Grants::<Runtime>::get(grant)
		}

		fn receipts(grant: pallet_key_grants::GrantId) -> Vec<pallet_key_grants::ReceiptOf<Runtime>> {
			KeyGrants::receipts(grant)
		}

		fn proxy(who: AccountId) -> Option<pallet_key_grants::ProxyOf<Runtime>> {
			pallet_key_grants::Proxies::<Runtime>::get(&who)
		}

		fn pre_keys(who: AccountId) -> Option<pallet_key_grants::PreKeysOf<Runtime>> {
			pallet_key_grants::Keys::<Runtime>::get(&who)
		}

		fn grant_active(grant: pallet_key_grants::GrantId) -> bool {
			pallet_key_grants::Grants::<Runtime>::get(grant)
				.is_some_and(|g| KeyGrants::is_active(&g, System::block_number()))
		}

		fn grants_of(owner: AccountId) -> Vec<(pallet_key_grants::GrantId, pallet_key_grants::GrantOf<Runtime>)> {
			KeyGrants::grants_of(&owner)
		}
	}

	impl pallet_fl_runtime_api::FlApi<
		Block,
		AccountId,
		Balance,
		pallet_fl::TaskOf<Runtime>,
		pallet_fl::LineageEntryOf<Runtime>,
	> for Runtime {
		fn task(task: pallet_fl::TaskId) -> Option<pallet_fl::TaskOf<Runtime>> {
			pallet_fl::Tasks::<Runtime>::get(task)
		}

		fn participants(task: pallet_fl::TaskId) -> Vec<(AccountId, pallet_fl::ParticipantOf<Runtime>)> {
			Fl::participants(task)
		}

		fn lineage(task: pallet_fl::TaskId) -> Vec<pallet_fl::LineageEntryOf<Runtime>> {
			Fl::lineage(task)
		}
	}

	impl pallet_transaction_payment_rpc_runtime_api::TransactionPaymentCallApi<Block, Balance, RuntimeCall>
		for Runtime
	{
		fn query_call_info(
			call: RuntimeCall,
			len: u32,
		) -> pallet_transaction_payment::RuntimeDispatchInfo<Balance> {
			TransactionPayment::query_call_info(call, len)
		}
		fn query_call_fee_details(
			call: RuntimeCall,
			len: u32,
		) -> pallet_transaction_payment::FeeDetails<Balance> {
			TransactionPayment::query_call_fee_details(call, len)
		}
		fn query_weight_to_fee(weight: Weight) -> Balance {
			TransactionPayment::weight_to_fee(weight)
		}
		fn query_length_to_fee(length: u32) -> Balance {
			TransactionPayment::length_to_fee(length)
		}
	}

	#[cfg(feature = "runtime-benchmarks")]
	impl frame_benchmarking::Benchmark<Block> for Runtime {
		fn benchmark_metadata(extra: bool) -> (
			Vec<frame_benchmarking::BenchmarkList>,
			Vec<frame_support::traits::StorageInfo>,
		) {
			use frame_benchmarking::BenchmarkList;
			use frame_support::traits::StorageInfoTrait;
			use crate::benchmarks::*;

			let mut list = Vec::<BenchmarkList>::new();
			list_benchmarks!(list, extra);
			let storage_info = crate::AllPalletsWithSystem::storage_info();
			(list, storage_info)
		}

		#[allow(non_local_definitions)]
		fn dispatch_benchmark(
			config: frame_benchmarking::BenchmarkConfig,
		) -> Result<Vec<frame_benchmarking::BenchmarkBatch>, alloc::string::String> {
			use frame_benchmarking::BenchmarkBatch;
			use frame_support::traits::WhitelistedStorageKeys;
			use sp_storage::TrackedStorageKey;
			use crate::benchmarks::*;

			impl frame_system_benchmarking::Config for Runtime {}
			impl frame_benchmarking::baseline::Config for Runtime {}

			let whitelist: Vec<TrackedStorageKey> =
				crate::AllPalletsWithSystem::whitelisted_storage_keys();
			let mut batches = Vec::<BenchmarkBatch>::new();
			let params = (&config, &whitelist);
			add_benchmarks!(params, batches);
			Ok(batches)
		}
	}

	#[cfg(feature = "try-runtime")]
	impl frame_try_runtime::TryRuntime<Block> for Runtime {
		fn on_runtime_upgrade(checks: frame_try_runtime::UpgradeCheckSelect) -> (Weight, Weight) {
			// try-runtime is an off-chain tool: failing loudly is the point.
			let weight = Executive::try_runtime_upgrade(checks).expect("runtime upgrade checks failed");
			(weight, super::configs::RuntimeBlockWeights::get().max_block)
		}

		fn execute_block(
			block: <Block as BlockT>::LazyBlock,
			state_root_check: bool,
			signature_check: bool,
			select: frame_try_runtime::TryStateSelect,
		) -> Weight {
			Executive::try_execute_block(block, state_root_check, signature_check, select)
				.expect("execute-block failed")
		}
	}

	impl sp_genesis_builder::GenesisBuilder<Block> for Runtime {
		fn build_state(config: Vec<u8>) -> sp_genesis_builder::Result {
			build_state::<RuntimeGenesisConfig>(config)
		}

		fn get_preset(id: &Option<sp_genesis_builder::PresetId>) -> Option<Vec<u8>> {
			get_preset::<RuntimeGenesisConfig>(id, crate::genesis_config_presets::get_preset)
		}

		fn preset_names() -> Vec<sp_genesis_builder::PresetId> {
			crate::genesis_config_presets::preset_names()
		}
	}
}
