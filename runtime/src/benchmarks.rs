//! Pallets whose benchmarks the node's `benchmark pallet` command runs.

pub use frame_benchmarking::baseline::Pallet as BaselineBench;
pub use frame_system_benchmarking::{
	extensions::Pallet as SystemExtensionsBench, Pallet as SystemBench,
};

#[allow(unused_imports)]
pub use crate::*;

/// The fee extension's benchmark needs no set-up beyond the funded caller it makes itself.
impl pallet_transaction_payment::BenchmarkConfig for Runtime {}

frame_benchmarking::define_benchmarks!(
	[frame_benchmarking, BaselineBench::<Runtime>]
	[frame_system, SystemBench::<Runtime>]
	[frame_system_extensions, SystemExtensionsBench::<Runtime>]
	[pallet_balances, Balances]
	[pallet_timestamp, Timestamp]
	[pallet_transaction_payment, TransactionPayment]
	[pallet_sudo, Sudo]
	[pallet_upgrades, Upgrades]
	[pallet_validators, Validators]
	[pallet_records, Records]
	[pallet_consent, Consent]
	[pallet_key_grants, KeyGrants]
	[pallet_fl, Fl]
);
