//! # Federated-learning runtime API
//!
//! What coordinators, sites, aggregators and auditors ask without a transaction:
//!
//! - [`FlApi::task`]: a task's parameters, status and current round.
//! - [`FlApi::participants`]: each participant's DP-budget ledger, score, rogue count and bond.
//! - [`FlApi::lineage`]: the task's checkpoint chain, round by round, with every update
//!   submitted in each round (used ones are listed in the checkpoint, rogue ones carry their
//!   reason). Round 0, the initial model, is in the task's parameters.

#![cfg_attr(not(feature = "std"), no_std)]

extern crate alloc;

use alloc::vec::Vec;
use codec::Codec;
pub use pallet_fl::{Participant, TaskId};

sp_api::decl_runtime_apis! {
	/// Read access to federated-learning tasks.
	pub trait FlApi<AccountId, Balance, TaskInfo, LineageInfo>
	where
		AccountId: Codec,
		Balance: Codec,
		TaskInfo: Codec,
		LineageInfo: Codec,
	{
		/// Task `task`, if it exists.
		fn task(task: TaskId) -> Option<TaskInfo>;

		/// The participants of `task` with their standing (storage order).
		fn participants(task: TaskId) -> Vec<(AccountId, Participant<Balance>)>;

		/// The lineage of `task`, by round.
		fn lineage(task: TaskId) -> Vec<LineageInfo>;
	}
}
