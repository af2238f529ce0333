//! Signed extrinsics for the `benchmark overhead` and `benchmark extrinsic` commands, which
//! measure the base cost of a block and of an extrinsic on this machine.

use std::{sync::Arc, time::Duration};

use medchain_runtime::{self as runtime, AccountId, Balance, BalancesCall, SystemCall};
use sc_client_api::UsageProvider;
use sp_core::{Encode, Pair};
use sp_inherents::{InherentData, InherentDataProvider};
use sp_keyring::Sr25519Keyring;
use sp_runtime::{generic::Era, OpaqueExtrinsic, SaturatedConversion};

use crate::service::FullClient;

/// Builds one kind of signed call from Bob, with increasing nonces.
pub struct SignedCallBuilder {
	client: Arc<FullClient>,
	pallet: &'static str,
	extrinsic: &'static str,
	call: runtime::RuntimeCall,
}

impl SignedCallBuilder {
	/// `System::remark` with an empty payload: the cheapest extrinsic.
	pub fn remark(client: Arc<FullClient>) -> Self {
		Self {
			client,
			pallet: "system",
			extrinsic: "remark",
			call: SystemCall::remark { remark: Vec::new() }.into(),
		}
	}

	/// `Balances::transfer_keep_alive` of `value` to `dest`.
	pub fn transfer_keep_alive(client: Arc<FullClient>, dest: AccountId, value: Balance) -> Self {
		Self {
			client,
			pallet: "balances",
			extrinsic: "transfer_keep_alive",
			call: BalancesCall::transfer_keep_alive {
				dest: dest.into(),
				value,
			}
			.into(),
		}
	}
}

impl frame_benchmarking_cli::ExtrinsicBuilder for SignedCallBuilder {
	fn pallet(&self) -> &str {
		self.pallet
	}

	fn extrinsic(&self) -> &str {
		self.extrinsic
	}

	fn build(&self, nonce: u32) -> Result<OpaqueExtrinsic, &'static str> {
		let sender = Sr25519Keyring::Bob.pair();
		Ok(signed_extrinsic(&self.client, sender, self.call.clone(), nonce).into())
	}
}

/// Signs `call` by `sender` with every transaction extension the runtime requires.
fn signed_extrinsic(
	client: &FullClient,
	sender: sp_core::sr25519::Pair,
	call: runtime::RuntimeCall,
	nonce: u32,
) -> runtime::UncheckedExtrinsic {
	let info = client.usage_info().chain;
	let genesis_hash = info.genesis_hash;
	let best_hash = info.best_hash;
	let period = runtime::configs::BlockHashCount::get()
		.checked_next_power_of_two()
		.map(|c| c / 2)
		.unwrap_or(2) as u64;

	let tx_ext: runtime::TxExtension = (
		frame_system::AuthorizeCall::<runtime::Runtime>::new(),
		frame_system::CheckNonZeroSender::<runtime::Runtime>::new(),
		frame_system::CheckSpecVersion::<runtime::Runtime>::new(),
		frame_system::CheckTxVersion::<runtime::Runtime>::new(),
		frame_system::CheckGenesis::<runtime::Runtime>::new(),
		frame_system::CheckEra::<runtime::Runtime>::from(Era::mortal(
			period,
			info.best_number.saturated_into(),
		)),
		frame_system::CheckNonce::<runtime::Runtime>::from(nonce),
		frame_system::CheckWeight::<runtime::Runtime>::new(),
		pallet_transaction_payment::ChargeTransactionPayment::<runtime::Runtime>::from(0),
		frame_metadata_hash_extension::CheckMetadataHash::<runtime::Runtime>::new(false),
		frame_system::WeightReclaim::<runtime::Runtime>::new(),
	);
	// What each extension adds to the signed payload without putting it in the extrinsic.
	let implicit = (
		(),
		(),
		runtime::VERSION.spec_version,
		runtime::VERSION.transaction_version,
		genesis_hash,
		best_hash,
		(),
		(),
		(),
		None,
		(),
	);
	let payload = runtime::SignedPayload::from_raw(call.clone(), tx_ext.clone(), implicit);
	let signature = payload.using_encoded(|bytes| sender.sign(bytes));

	runtime::UncheckedExtrinsic::new_signed(
		call,
		sp_runtime::AccountId32::from(sender.public()).into(),
		runtime::Signature::Sr25519(signature),
		tx_ext,
	)
}

/// Inherent data for benchmark blocks: a zero timestamp.
pub fn inherent_benchmark_data() -> sc_cli::Result<InherentData> {
	let mut inherent_data = InherentData::new();
	let timestamp = sp_timestamp::InherentDataProvider::new(Duration::from_millis(0).into());
	futures::executor::block_on(timestamp.provide_inherent_data(&mut inherent_data))
		.map_err(|e| format!("creating inherent data: {e:?}"))?;
	Ok(inherent_data)
}
