//! Types stored by the federated-learning pallet and accepted by its calls.

use codec::{Decode, DecodeWithMemTracking, Encode, MaxEncodedLen};
use frame_support::{
	pallet_prelude::ConstU32, BoundedVec, CloneNoBound, DebugNoBound, EqNoBound, PartialEqNoBound,
};
use medchain_primitives::PolicyId;
use scale_info::TypeInfo;
use sp_core::{Get, H256};

/// Identifies a task. Assigned by the chain in sequence.
pub type TaskId = u32;
/// A round of a task, from 1. Round 0 is the initial model.
pub type Round = u32;
/// Differential-privacy epsilon in thousandths (1_000 = ε 1.0).
pub type MilliEpsilon = u32;

/// Longest CID accepted for models and updates, in bytes (CIDv1 sha2-256 is 36).
pub const MAX_CID_LEN: u32 = 96;
/// A content identifier (binary CIDv1) of a model or update blob stored off-chain.
pub type ContentId = BoundedVec<u8, ConstU32<MAX_CID_LEN>>;
/// Longest optional metrics blob (e.g. SCALE-encoded loss/accuracy), in bytes.
pub const MAX_METRICS_LEN: u32 = 64;
/// Local metrics a participant reports with an update.
pub type Metrics = BoundedVec<u8, ConstU32<MAX_METRICS_LEN>>;
/// A short reason code for flagging an update as rogue (e.g. `NAN-WEIGHTS`).
pub type ReasonCode = BoundedVec<u8, ConstU32<32>>;

/// A model checkpoint: where it lives and its fingerprint.
#[derive(
	Encode, Decode, DecodeWithMemTracking, Clone, PartialEq, Eq, Debug, TypeInfo, MaxEncodedLen,
)]
pub struct ModelRef {
	/// CID of the serialised weights (e.g. safetensors).
	pub cid: ContentId,
	/// Digest of the weights.
	pub digest: H256,
}

/// How updates are combined.
#[derive(
	Encode,
	Decode,
	DecodeWithMemTracking,
	Clone,
	Copy,
	PartialEq,
	Eq,
	Debug,
	TypeInfo,
	MaxEncodedLen,
)]
pub enum AggregationRule {
	/// Sample-weighted mean.
	FedAvg,
	/// Coordinate-wise median.
	Median,
	/// Coordinate-wise trimmed mean.
	TrimmedMean,
}

/// Who may publish a round's aggregate.
#[derive(
	Encode, Decode, DecodeWithMemTracking, Clone, PartialEq, Eq, Debug, TypeInfo, MaxEncodedLen,
)]
pub enum Aggregator<AccountId> {
	/// Only this account.
	Designated(AccountId),
	/// Any participant of the task.
	AnyParticipant,
}

/// What a coordinator fixes when opening a task.
#[derive(
	Encode, Decode, DecodeWithMemTracking, Clone, PartialEq, Eq, Debug, TypeInfo, MaxEncodedLen,
)]
pub struct TaskParams<AccountId, Balance, BlockNumber> {
	/// Architecture description (CID + digest).
	pub architecture: ModelRef,
	/// The initial global checkpoint (round 0).
	pub initial: ModelRef,
	/// Consent policy a participant's attributes must satisfy to join and to submit.
	pub policy: PolicyId,
	/// Accepted updates an aggregate must use, at least.
	pub min_participants: u32,
	/// Rounds until completion.
	pub max_rounds: Round,
	/// Blocks a round accepts updates.
	pub round_length: BlockNumber,
	/// Blocks a published aggregate may be disputed (at least the runtime's
	/// `MinChallengePeriod`). Participants accept it by joining.
	pub challenge_period: BlockNumber,
	/// How updates are combined (a tag for the off-chain aggregator).
	pub rule: AggregationRule,
	/// Who publishes aggregates.
	pub aggregator: Aggregator<AccountId>,
	/// Total epsilon each participant may spend on the task.
	pub epsilon_budget: MilliEpsilon,
	/// Paid out by contribution score at completion (held from the coordinator until then).
	pub reward_pool: Balance,
	/// Held from each participant; rogue updates slash part of it.
	pub bond: Balance,
	/// Most training samples one update may claim. Scores, and so rewards, grow by the samples
	/// behind each used update; a site's sample count cannot be checked on chain, so the
	/// coordinator bounds what any one update can claim (e.g. the largest site's cohort).
	pub max_samples: u64,
}

/// Where a task stands.
#[derive(
	Encode,
	Decode,
	DecodeWithMemTracking,
	Clone,
	Copy,
	PartialEq,
	Eq,
	Debug,
	TypeInfo,
	MaxEncodedLen,
)]
pub enum TaskStatus {
	/// Rounds are running.
	Running,
	/// Every round finalised; rewards paid and bonds released.
	Completed,
	/// Cancelled by the coordinator before any round finalised; funds returned.
	Cancelled,
}

/// A federated-learning task.
#[derive(Encode, Decode, Clone, PartialEq, Eq, Debug, TypeInfo, MaxEncodedLen)]
pub struct TrainingTask<AccountId, Balance, BlockNumber> {
	/// Who opened it.
	pub coordinator: AccountId,
	/// Its parameters.
	pub params: TaskParams<AccountId, Balance, BlockNumber>,
	/// Running, completed or cancelled.
	pub status: TaskStatus,
	/// The round now open for updates (or awaiting its aggregate).
	pub round: Round,
	/// First block of the current round.
	pub round_start: BlockNumber,
	/// Participants joined.
	pub participants: u32,
	/// Held from the coordinator for the task and its lineage, for as long as they are
	/// stored (the lineage is kept for audit).
	pub deposit: Balance,
}

/// A participant's standing in a task.
#[derive(Encode, Decode, Clone, PartialEq, Eq, Debug, TypeInfo, MaxEncodedLen, Default)]
pub struct Participant<Balance> {
	/// DP budget spent so far (the ledger).
	pub epsilon_spent: MilliEpsilon,
	/// Contribution: samples behind its accepted updates in finalised rounds.
	pub score: u64,
	/// Updates used in finalised aggregates.
	pub accepted: u32,
	/// Updates flagged rogue.
	pub rogue: u32,
	/// Bond still held.
	pub bond: Balance,
}

/// A participant's commitment to its update for one round.
#[derive(
	Encode, Decode, DecodeWithMemTracking, Clone, PartialEq, Eq, Debug, TypeInfo, MaxEncodedLen,
)]
pub struct UpdateInput {
	/// The update blob (CID + digest).
	pub model: ModelRef,
	/// Local training samples.
	pub samples: u64,
	/// Epsilon spent on this update.
	pub epsilon: MilliEpsilon,
	/// Optional local metrics.
	pub metrics: Option<Metrics>,
}

/// A submitted update and what became of it.
#[derive(Encode, Decode, Clone, PartialEq, Eq, Debug, TypeInfo, MaxEncodedLen)]
pub struct Update<Balance, BlockNumber> {
	/// What was submitted.
	pub input: UpdateInput,
	/// Block of submission.
	pub submitted_at: BlockNumber,
	/// Flagged rogue by the aggregator, with its reason.
	pub rogue: Option<ReasonCode>,
	/// Held from the participant until the update is purged after the task ended.
	pub deposit: Balance,
}

/// Where a published aggregate stands.
#[derive(
	Encode, Decode, DecodeWithMemTracking, Clone, PartialEq, Eq, Debug, TypeInfo, MaxEncodedLen,
)]
pub enum CheckpointStatus<AccountId> {
	/// In its challenge window, or past it and awaiting finalisation.
	Published,
	/// Disputed by a participant who recomputed another digest; awaits governance.
	Disputed {
		/// The disputer.
		by: AccountId,
		/// The digest the disputer recomputed.
		recomputed: H256,
	},
	/// Final: the base of the next round.
	Finalized,
}

/// A round's aggregate: the next global model and the updates behind it.
#[derive(
	Encode, Decode, CloneNoBound, PartialEqNoBound, EqNoBound, DebugNoBound, TypeInfo, MaxEncodedLen,
)]
#[scale_info(skip_type_params(MaxParticipants))]
pub struct Checkpoint<AccountId, BlockNumber, MaxParticipants>
where
	AccountId: Clone + PartialEq + Eq + core::fmt::Debug,
	BlockNumber: Clone + PartialEq + Eq + core::fmt::Debug,
	MaxParticipants: Get<u32>,
{
	/// The new global model.
	pub model: ModelRef,
	/// Who published it.
	pub aggregator: AccountId,
	/// Participants whose updates it used.
	pub used: BoundedVec<AccountId, MaxParticipants>,
	/// Block of publication.
	pub published_at: BlockNumber,
	/// First block after the challenge window.
	pub challenge_ends: BlockNumber,
	/// Published, disputed or final.
	pub status: CheckpointStatus<AccountId>,
}

/// One round of a task's lineage: its checkpoint and every update submitted in the round.
#[derive(Encode, Decode, CloneNoBound, PartialEqNoBound, EqNoBound, DebugNoBound, TypeInfo)]
#[scale_info(skip_type_params(MaxParticipants))]
pub struct LineageEntry<AccountId, Balance, BlockNumber, MaxParticipants>
where
	AccountId: Clone + PartialEq + Eq + core::fmt::Debug,
	Balance: Clone + PartialEq + Eq + core::fmt::Debug,
	BlockNumber: Clone + PartialEq + Eq + core::fmt::Debug,
	MaxParticipants: Get<u32>,
{
	/// The round (from 1).
	pub round: Round,
	/// The round's aggregate; `checkpoint.used` names the updates it combined.
	pub checkpoint: Checkpoint<AccountId, BlockNumber, MaxParticipants>,
	/// Every update submitted in the round: used, flagged rogue (`rogue` is set) or ignored.
	pub updates: alloc::vec::Vec<(AccountId, Update<Balance, BlockNumber>)>,
}
