//! The federated-learning pallet's call arguments, events and runtime-API answers, mirrored for
//! subxt's dynamic API: fields and variants are matched by name against the runtime's metadata.

use subxt::{
	events::DecodeAsEvent,
	ext::{scale_decode::DecodeAsType, scale_encode::EncodeAsType},
	utils::{AccountId32, H256},
};

/// A model or update blob: CID and digest.
#[derive(Debug, Clone, PartialEq, Eq, EncodeAsType, DecodeAsType)]
#[encode_as_type(crate_path = "::subxt::ext::scale_encode")]
#[decode_as_type(crate_path = "::subxt::ext::scale_decode")]
pub struct ModelRef {
	pub cid: Vec<u8>,
	pub digest: H256,
}

impl ModelRef {
	/// A model whose (fake) CIDv1 raw sha2-256 and digest are `seed` repeated.
	pub fn seeded(seed: u8) -> Self {
		let mut cid = vec![0x01, 0x55, 0x12, 0x20];
		cid.extend_from_slice(&[seed; 32]);
		ModelRef {
			cid,
			digest: H256::repeat_byte(seed),
		}
	}
}

/// How updates are combined.
#[derive(Debug, Clone, Copy, PartialEq, Eq, EncodeAsType)]
#[encode_as_type(crate_path = "::subxt::ext::scale_encode")]
pub enum AggregationRule {
	FedAvg,
	Median,
	TrimmedMean,
}

/// Who publishes aggregates.
#[derive(Debug, Clone, PartialEq, Eq, EncodeAsType)]
#[encode_as_type(crate_path = "::subxt::ext::scale_encode")]
pub enum Aggregator {
	Designated(AccountId32),
	AnyParticipant,
}

/// A task's parameters (`Fl.create_task`).
#[derive(Debug, Clone, PartialEq, Eq, EncodeAsType)]
#[encode_as_type(crate_path = "::subxt::ext::scale_encode")]
pub struct TaskParams {
	pub architecture: ModelRef,
	pub initial: ModelRef,
	pub policy: u32,
	pub min_participants: u32,
	pub max_rounds: u32,
	pub round_length: u32,
	pub challenge_period: u32,
	pub rule: AggregationRule,
	pub aggregator: Aggregator,
	pub epsilon_budget: u32,
	pub reward_pool: u128,
	pub bond: u128,
}

/// An update commitment (`Fl.submit_update`).
#[derive(Debug, Clone, PartialEq, Eq, EncodeAsType, DecodeAsType)]
#[encode_as_type(crate_path = "::subxt::ext::scale_encode")]
#[decode_as_type(crate_path = "::subxt::ext::scale_decode")]
pub struct UpdateInput {
	pub model: ModelRef,
	pub samples: u64,
	pub epsilon: u32,
	pub metrics: Option<Vec<u8>>,
}

/// Where a task stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, DecodeAsType)]
#[decode_as_type(crate_path = "::subxt::ext::scale_decode")]
pub enum TaskStatus {
	Running,
	Completed,
	Cancelled,
}

/// A task (`FlApi.task`), the parts the tests read.
#[derive(Debug, Clone, PartialEq, Eq, DecodeAsType)]
#[decode_as_type(crate_path = "::subxt::ext::scale_decode")]
pub struct Task {
	pub coordinator: AccountId32,
	pub status: TaskStatus,
	pub round: u32,
	pub round_start: u32,
	pub participants: u32,
}

/// A participant's standing (`FlApi.participants`).
#[derive(Debug, Clone, PartialEq, Eq, DecodeAsType)]
#[decode_as_type(crate_path = "::subxt::ext::scale_decode")]
pub struct Participant {
	pub epsilon_spent: u32,
	pub score: u64,
	pub accepted: u32,
	pub rogue: u32,
	pub bond: u128,
}

/// A submitted update and what became of it.
#[derive(Debug, Clone, PartialEq, Eq, DecodeAsType)]
#[decode_as_type(crate_path = "::subxt::ext::scale_decode")]
pub struct Update {
	pub input: UpdateInput,
	pub submitted_at: u32,
	pub rogue: Option<Vec<u8>>,
}

/// Where an aggregate stands.
#[derive(Debug, Clone, PartialEq, Eq, DecodeAsType)]
#[decode_as_type(crate_path = "::subxt::ext::scale_decode")]
pub enum CheckpointStatus {
	Published,
	Disputed { by: AccountId32, recomputed: H256 },
	Finalized,
}

/// A round's aggregate.
#[derive(Debug, Clone, PartialEq, Eq, DecodeAsType)]
#[decode_as_type(crate_path = "::subxt::ext::scale_decode")]
pub struct Checkpoint {
	pub model: ModelRef,
	pub aggregator: AccountId32,
	pub used: Vec<AccountId32>,
	pub published_at: u32,
	pub challenge_ends: u32,
	pub status: CheckpointStatus,
}

/// One round of a task's lineage (`FlApi.lineage`).
#[derive(Debug, Clone, PartialEq, Eq, DecodeAsType)]
#[decode_as_type(crate_path = "::subxt::ext::scale_decode")]
pub struct LineageEntry {
	pub round: u32,
	pub checkpoint: Checkpoint,
	pub updates: Vec<(AccountId32, Update)>,
}

/// `Fl.TaskCreated`.
#[derive(Debug, Clone, PartialEq, Eq, DecodeAsType)]
#[decode_as_type(crate_path = "::subxt::ext::scale_decode")]
pub struct TaskCreated {
	pub task: u32,
	pub coordinator: AccountId32,
	pub policy: u32,
}

impl DecodeAsEvent for TaskCreated {
	fn is_event(pallet: &str, event: &str) -> bool {
		pallet == "Fl" && event == "TaskCreated"
	}
}

/// `Fl.UpdateFlagged`.
#[derive(Debug, Clone, PartialEq, Eq, DecodeAsType)]
#[decode_as_type(crate_path = "::subxt::ext::scale_decode")]
pub struct UpdateFlagged {
	pub task: u32,
	pub round: u32,
	pub participant: AccountId32,
	pub reason: Vec<u8>,
	pub slashed: u128,
}

impl DecodeAsEvent for UpdateFlagged {
	fn is_event(pallet: &str, event: &str) -> bool {
		pallet == "Fl" && event == "UpdateFlagged"
	}
}

/// `Fl.AggregatePublished`.
#[derive(Debug, Clone, PartialEq, Eq, DecodeAsType)]
#[decode_as_type(crate_path = "::subxt::ext::scale_decode")]
pub struct AggregatePublished {
	pub task: u32,
	pub round: u32,
	pub aggregator: AccountId32,
	pub model: ModelRef,
	pub used: u32,
	pub challenge_ends: u32,
}

impl DecodeAsEvent for AggregatePublished {
	fn is_event(pallet: &str, event: &str) -> bool {
		pallet == "Fl" && event == "AggregatePublished"
	}
}

/// `Fl.CheckpointFinalized`.
#[derive(Debug, Clone, PartialEq, Eq, DecodeAsType)]
#[decode_as_type(crate_path = "::subxt::ext::scale_decode")]
pub struct CheckpointFinalized {
	pub task: u32,
	pub round: u32,
	pub model: ModelRef,
}

impl DecodeAsEvent for CheckpointFinalized {
	fn is_event(pallet: &str, event: &str) -> bool {
		pallet == "Fl" && event == "CheckpointFinalized"
	}
}

/// `Fl.RewardPaid`.
#[derive(Debug, Clone, PartialEq, Eq, DecodeAsType)]
#[decode_as_type(crate_path = "::subxt::ext::scale_decode")]
pub struct RewardPaid {
	pub task: u32,
	pub participant: AccountId32,
	pub amount: u128,
}

impl DecodeAsEvent for RewardPaid {
	fn is_event(pallet: &str, event: &str) -> bool {
		pallet == "Fl" && event == "RewardPaid"
	}
}

/// `Fl.TaskCompleted`.
#[derive(Debug, Clone, PartialEq, Eq, DecodeAsType)]
#[decode_as_type(crate_path = "::subxt::ext::scale_decode")]
pub struct TaskCompleted {
	pub task: u32,
	pub paid: u128,
	pub returned: u128,
}

impl DecodeAsEvent for TaskCompleted {
	fn is_event(pallet: &str, event: &str) -> bool {
		pallet == "Fl" && event == "TaskCompleted"
	}
}
