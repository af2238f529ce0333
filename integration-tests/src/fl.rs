//! The federated-learning pallet's types and events as generated from the runtime's metadata,
//! named with the runtime's concrete parameters, and a model fixture.

use subxt::utils::{AccountId32, H256};

use crate::api::runtime_types::pallet_fl::types as t;

pub use crate::api::fl::events::{
	AggregatePublished, BondSlashed, CheckpointFinalized, DisputeDismissed, RewardPaid,
	TaskCompleted, TaskCreated, UpdateFlagged,
};
pub use t::{AggregationRule, ModelRef, TaskStatus, UpdateInput};

/// Who publishes aggregates.
pub type Aggregator = t::Aggregator<AccountId32>;
/// A task's parameters (`Fl.create_task`).
pub type TaskParams = t::TaskParams<AccountId32, u128, u32>;
/// A task (`FlApi.task`).
pub type Task = t::TrainingTask<AccountId32, u128, u32>;
/// A participant's ledger (`FlApi.participant`).
pub type Participant = t::Participant<u128>;
/// A submitted update.
pub type Update = t::Update<u128, u32>;
/// Where a checkpoint stands.
pub type CheckpointStatus = t::CheckpointStatus<AccountId32>;
/// A published aggregate.
pub type Checkpoint = t::Checkpoint<AccountId32, u32>;
/// One round of a task's lineage (`FlApi.lineage`).
pub type LineageEntry = t::LineageEntry<AccountId32, u128, u32>;

/// A model whose (fake) CIDv1 raw sha2-256 and digest are `seed` repeated.
pub fn seeded_model(seed: u8) -> ModelRef {
	ModelRef {
		cid: crate::cid_v1_raw([seed; 32]),
		digest: H256::repeat_byte(seed),
	}
}
