//! # Consent pallet
//!
//! The public, auditable half of attribute-based encryption: who holds which attribute, which
//! policy guards which record, what each patient explicitly allowed or denied, and who was
//! granted access to which record, when and why. Record data never comes here: clients encrypt
//! each record's data key with CP-ABE under the same policy the chain evaluates.
//!
//! ## Overview
//!
//! - **Attribute authorities** are accredited by [`Config::AuthorityOrigin`] (the consortium
//!   council's supermajority) for a set of attributes or namespaces (`org:hospital-a`,
//!   `role:*`). Governance may suspend, reinstate or withdraw them; a suspended or withdrawn
//!   authority's attributes stop counting at once.
//! - **CP-ABE keys**: each authority publishes the BLAKE2b-256 commitment to its CP-ABE public
//!   key ([`Pallet::publish_abe_key`], versioned), so writers encrypt only under keys the
//!   authority vouched for on chain; clients encrypt every attribute of a policy for exactly the
//!   active authorities whose scopes cover it ([`Pallet::authorities`]).
//! - **Attributes** (`namespace:value`) are issued by an authority that covers them, to an
//!   account, with an optional expiry; the issuer may revoke them. They are stored per holder,
//!   sorted, so one read gives an account's attributes. The issuer pays a deposit.
//! - **Policies** are written in the CP-ABE library's syntax with threshold gates (see
//!   [`policy`]), stored once with a deposit and referenced by id from records. The chain keeps
//!   the canonical text (for CP-ABE) and a compiled form (for evaluation).
//! - **Overrides**: a patient explicitly allows (optionally for one purpose) or denies an
//!   account, for one record or all of their records, optionally until a block.
//! - **Access requests**: [`Pallet::request_access`] decides in this order: the subject always
//!   may; an explicit deny refuses; an explicit allow grants; otherwise the record's policy is
//!   evaluated against the requester's currently valid attributes. A grant stores a
//!   time-boxed [`Ticket`] and emits [`Event::AccessGranted`]: the audit trail gateways check
//!   before serving data. A refusal stores nothing and fails with a specific error.
//! - **What "takes effect" means**: a ticket is only as good as the decision behind it, made
//!   again at every block ([`Pallet::ticket_standing`]). A deny, an attribute revoked or
//!   expired, an authority suspended or withdrawn, an allow removed or the record's policy
//!   changed refuses every read from the block that includes the change on: gateways asking
//!   `ConsentApi.live_ticket` at that block get `None`, and [`Pallet::record_read`] fails with
//!   the specific reason. A deny also wins over key grants, for receipts and proxies alike.
//! - **Shared policies**: any record may name any policy, so a policy guarding a live record
//!   cannot be removed ([`Error::PolicyInUse`]). The pallet counts the live records each
//!   policy guards ([`PolicyUsers`]); the record registry counts them in and out through
//!   [`medchain_primitives::PolicyUse`].
//! - **Break-glass**: a holder of [`Config::EmergencyAttribute`] may open a record without
//!   matching its policy (an explicit deny still wins), giving a justification code. The ticket
//!   is short-lived and flagged, the use is listed for the subject, and the subject or
//!   [`Config::ReviewOrigin`] must acknowledge or dispute it; disputes stay on record.
//! - **Read receipts**: a gateway that serves a record's ciphertext submits the reader's
//!   signed [`ReadRequest`] with [`Pallet::record_read`]. The chain checks the signature and
//!   that the read is allowed right now (a live ticket, or an active key grant naming the
//!   reader, asked through [`medchain_primitives::DelegatedAccess`]) and lists a
//!   [`ReadReceipt`] for the record's subject: every served read is on chain, and a gateway
//!   cannot invent one. The gateway holds a deposit per receipt; the subject may clear a
//!   receipt at any time, anyone may after [`Config::ReceiptRetention`].
//!
//! Other pallets reuse the decisions through [`medchain_primitives::AccessInspect`]; the
//! record registry names policies through [`medchain_primitives::PolicyUse`]. Records
//! are read through [`medchain_primitives::RecordInspect`], never from another pallet's storage.
//!
//! ## Calls
//!
//! | call | who | what |
//! |---|---|---|
//! | `accredit_authority` | governance | accredit (or re-scope) an attribute authority |
//! | `suspend_authority` / `reinstate_authority` | governance | pause / resume an authority |
//! | `withdraw_authority` | governance | end an accreditation (and its CP-ABE key commitment) |
//! | `publish_abe_key` | active authority | publish or rotate the commitment to its CP-ABE key |
//! | `issue_attribute` | authority | give an account an attribute (expiry optional) |
//! | `revoke_attribute` | the issuer | take it back |
//! | `remove_attribute` | holder; anyone once it no longer counts | clean up, deposit to issuer |
//! | `create_policy` / `remove_policy` | anyone / owner | store / drop a policy |
//! | `set_override` / `remove_override` | subject | explicit allow or deny |
//! | `request_access` | anyone | get a ticket if allowed |
//! | `close_ticket` | requester; anyone after expiry | drop a ticket, deposit back |
//! | `break_glass` | emergency attribute holder | emergency ticket, flagged |
//! | `review_break_glass` | subject or review origin | acknowledge or dispute |
//! | `record_read` | the gateway named in a reader's signed request | receipt of a served read |
//! | `clear_read_receipt` | subject; anyone after retention | drop a receipt, deposit back |

#![cfg_attr(not(feature = "std"), no_std)]

extern crate alloc;

pub use pallet::*;
pub use types::*;

#[cfg(feature = "runtime-benchmarks")]
pub mod benchmarking;
pub mod migrations;
#[cfg(test)]
mod mock;
/// The policy language and authority scopes, shared with clients (`medchain-consent-primitives`).
pub use medchain_consent_primitives::{
	pattern_covers, policy, validate_pattern, READ_REQUEST_CONTEXT,
};
#[cfg(test)]
mod tests;
mod types;
pub mod weights;
pub use weights::WeightInfo;

use alloc::vec::Vec;
use frame_support::traits::fungible;
use medchain_primitives::{
	decrement_count, next_id, AccessBasis, AccessDenial, PolicyId, Purpose, RecordId,
};
use policy::{AttributeName, PolicyError};
use sp_core::H256;

/// Balance type of the currency deposits are held in.
pub type BalanceOf<T> =
	<<T as Config>::Currency as fungible::Inspect<<T as frame_system::Config>::AccountId>>::Balance;
type BlockNumberOf<T> = frame_system::pallet_prelude::BlockNumberFor<T>;
type AccountIdOf<T> = <T as frame_system::Config>::AccountId;

/// An authority as stored for runtime `T`.
pub type AuthorityOf<T> = Authority<BlockNumberOf<T>, <T as Config>::MaxScopesPerAuthority>;
/// An account's attribute as stored for runtime `T`.
pub type HeldAttributeOf<T> = HeldAttribute<AccountIdOf<T>, BalanceOf<T>, BlockNumberOf<T>>;
/// All attributes of one account, sorted by name.
pub type HeldAttributesOf<T> =
	frame_support::BoundedVec<HeldAttributeOf<T>, <T as Config>::MaxAttributesPerAccount>;
/// A policy as stored for runtime `T`.
pub type PolicyOf<T> = Policy<AccountIdOf<T>, BalanceOf<T>, BlockNumberOf<T>>;
/// An override as stored for runtime `T`.
pub type ConsentOverrideOf<T> = ConsentOverride<BalanceOf<T>, BlockNumberOf<T>>;
/// A ticket as stored for runtime `T`.
pub type TicketOf<T> = Ticket<AccountIdOf<T>, BalanceOf<T>, BlockNumberOf<T>>;
/// A break-glass use as stored for runtime `T`.
pub type BreakGlassUseOf<T> = BreakGlassUse<AccountIdOf<T>, BalanceOf<T>, BlockNumberOf<T>>;
/// A reader's signed request for runtime `T`.
pub type ReadRequestOf<T> = ReadRequest<AccountIdOf<T>, BlockNumberOf<T>>;
/// A read receipt as stored for runtime `T`.
pub type ReadReceiptOf<T> = ReadReceipt<AccountIdOf<T>, BalanceOf<T>, BlockNumberOf<T>>;
/// Scopes of an authority for runtime `T`.
pub type ScopesOf<T> =
	frame_support::BoundedVec<AttributePattern, <T as Config>::MaxScopesPerAuthority>;

#[frame_support::pallet]
pub mod pallet {
	use super::*;
	use frame_support::{
		pallet_prelude::*,
		traits::{
			fungible::{Mutate, MutateHold},
			tokens::Precision,
		},
	};
	use frame_system::pallet_prelude::*;
	use medchain_primitives::{DelegatedAccess, RecordInspect, SignatureVerifier};
	use policy::{PolicyText, MAX_POLICY_LEAVES};
	use sp_runtime::traits::{Saturating, Zero};

	/// The in-code storage version.
	const STORAGE_VERSION: StorageVersion = StorageVersion::new(2);

	#[pallet::pallet]
	#[pallet::storage_version(STORAGE_VERSION)]
	pub struct Pallet<T>(_);

	#[pallet::config]
	pub trait Config: frame_system::Config {
		/// Currency deposits are held in.
		type Currency: MutateHold<Self::AccountId, Reason = Self::RuntimeHoldReason>
			+ Mutate<Self::AccountId>;

		/// The overarching hold reason.
		type RuntimeHoldReason: From<HoldReason>;

		/// The record registry, read through its trait.
		type Records: RecordInspect<Self::AccountId, PolicyId>;

		/// Accredits, suspends, reinstates and withdraws attribute authorities.
		type AuthorityOrigin: EnsureOrigin<Self::RuntimeOrigin>;

		/// Reviews break-glass uses besides the subject (the council).
		type ReviewOrigin: EnsureOrigin<Self::RuntimeOrigin>;

		/// The attribute that allows break-glass, e.g. `role:emergency`.
		#[pallet::constant]
		type EmergencyAttribute: Get<AttributeName>;

		/// Deposit for a policy, plus [`Config::PolicyDepositPerByte`] per stored byte.
		#[pallet::constant]
		type PolicyDepositBase: Get<BalanceOf<Self>>;

		/// Deposit per byte of a stored policy (canonical text and compiled form).
		#[pallet::constant]
		type PolicyDepositPerByte: Get<BalanceOf<Self>>;

		/// Deposit held from an issuer per attribute it issued.
		#[pallet::constant]
		type AttributeDeposit: Get<BalanceOf<Self>>;

		/// Deposit held from a subject per override.
		#[pallet::constant]
		type OverrideDeposit: Get<BalanceOf<Self>>;

		/// Deposit held from a requester per open ticket.
		#[pallet::constant]
		type TicketDeposit: Get<BalanceOf<Self>>;

		/// Deposit held from a break-glass requester until the use is reviewed.
		#[pallet::constant]
		type BreakGlassDeposit: Get<BalanceOf<Self>>;

		/// Attribute patterns one authority may be accredited for.
		#[pallet::constant]
		type MaxScopesPerAuthority: Get<u32>;

		/// Attributes one account may hold.
		#[pallet::constant]
		type MaxAttributesPerAccount: Get<u32>;

		/// Policies one account may own.
		#[pallet::constant]
		type MaxPoliciesPerAccount: Get<u32>;

		/// Overrides one subject may have.
		#[pallet::constant]
		type MaxOverridesPerSubject: Get<u32>;

		/// Open tickets one requester may have.
		#[pallet::constant]
		type MaxTicketsPerAccount: Get<u32>;

		/// Unreviewed break-glass uses one requester may have.
		#[pallet::constant]
		type MaxOpenBreakGlassPerAccount: Get<u32>;

		/// Blocks a ticket from `request_access` stays valid.
		#[pallet::constant]
		type TicketLifetime: Get<BlockNumberFor<Self>>;

		/// Blocks a break-glass ticket stays valid (short).
		#[pallet::constant]
		type BreakGlassLifetime: Get<BlockNumberFor<Self>>;

		/// Key grants, asked whether a read served under a grant is allowed.
		type Delegations: DelegatedAccess<Self::AccountId>;

		/// Checks readers' sr25519 signatures of their download requests.
		type Verifier: SignatureVerifier<Self::AccountId>;

		/// Deposit held from a gateway per read receipt until the receipt is cleared.
		#[pallet::constant]
		type ReadReceiptDeposit: Get<BalanceOf<Self>>;

		/// Blocks after which anyone may clear a read receipt (the subject may at any time).
		#[pallet::constant]
		type ReceiptRetention: Get<BlockNumberFor<Self>>;

		/// How far ahead of the current block a read request's `valid_until` may lie, so a
		/// gateway cannot hold signed requests for long.
		#[pallet::constant]
		type MaxReadRequestLifetime: Get<BlockNumberFor<Self>>;

		/// Most served reads one [`Pallet::record_reads`] call lists: its weight, linear in
		/// the batch, must fit in one block.
		#[pallet::constant]
		type MaxReadsPerBatch: Get<u32>;

		/// Weights of this pallet's calls, from its benchmarks.
		type WeightInfo: WeightInfo;

		/// Creates the records benchmarks need (they live in another pallet).
		#[cfg(feature = "runtime-benchmarks")]
		type BenchmarkHelper: benchmarking::BenchmarkHelper<Self::AccountId>;
	}

	/// Why this pallet holds funds.
	#[pallet::composite_enum]
	pub enum HoldReason {
		/// A stored policy.
		Policy,
		/// An issued attribute.
		Attribute,
		/// A consent override.
		Override,
		/// An open access ticket.
		Ticket,
		/// An unreviewed break-glass use.
		BreakGlass,
		/// A read receipt (held from the gateway that served the read).
		ReadReceipt,
	}

	/// Accredited attribute authorities. `Blake2_128Concat`: accounts are user-chosen.
	#[pallet::storage]
	pub type Authorities<T: Config> = StorageMap<_, Blake2_128Concat, T::AccountId, AuthorityOf<T>>;

	/// Each authority's commitment to its current CP-ABE public key (see
	/// [`AbeKeyCommitment`]). `Blake2_128Concat`: accounts are user-chosen.
	#[pallet::storage]
	pub type AbeKeys<T: Config> =
		StorageMap<_, Blake2_128Concat, T::AccountId, AbeKeyCommitment<BlockNumberFor<T>>>;

	/// Every account's attributes, sorted by name, so one read gives them all.
	/// `Blake2_128Concat`: accounts are user-chosen.
	#[pallet::storage]
	pub type Attributes<T: Config> =
		StorageMap<_, Blake2_128Concat, T::AccountId, HeldAttributesOf<T>, ValueQuery>;

	/// The id the next policy gets.
	#[pallet::storage]
	pub type NextPolicyId<T> = StorageValue<_, PolicyId, ValueQuery>;

	/// Stored policies. `Twox64Concat`: ids are assigned by the chain in sequence.
	#[pallet::storage]
	pub type Policies<T: Config> = StorageMap<_, Twox64Concat, PolicyId, PolicyOf<T>>;

	/// How many live records each policy guards; an entry exists exactly while its policy
	/// does, so the record registry's one read both checks the policy and counts the record.
	/// `Twox64Concat` like [`Policies`].
	#[pallet::storage]
	pub type PolicyUsers<T: Config> = StorageMap<_, Twox64Concat, PolicyId, u32>;

	/// Policies each account owns (bounded by [`Config::MaxPoliciesPerAccount`]).
	#[pallet::storage]
	pub type PolicyCount<T: Config> =
		StorageMap<_, Blake2_128Concat, T::AccountId, u32, ValueQuery>;

	/// Explicit allows and denies: subject, scope, the account concerned. `Blake2_128Concat`
	/// on accounts (user-chosen); `Twox64Concat` on the scope (the subject's own record ids).
	#[pallet::storage]
	pub type Overrides<T: Config> = StorageNMap<
		_,
		(
			NMapKey<Blake2_128Concat, T::AccountId>,
			NMapKey<Twox64Concat, OverrideScope>,
			NMapKey<Blake2_128Concat, T::AccountId>,
		),
		ConsentOverrideOf<T>,
	>;

	/// Overrides each subject has set.
	#[pallet::storage]
	pub type OverrideCount<T: Config> =
		StorageMap<_, Blake2_128Concat, T::AccountId, u32, ValueQuery>;

	/// Access tickets by requester and record (a new grant replaces the old ticket).
	#[pallet::storage]
	pub type Tickets<T: Config> =
		StorageDoubleMap<_, Blake2_128Concat, T::AccountId, Twox64Concat, RecordId, TicketOf<T>>;

	/// Open tickets per requester.
	#[pallet::storage]
	pub type TicketCount<T: Config> =
		StorageMap<_, Blake2_128Concat, T::AccountId, u32, ValueQuery>;

	/// The id the next break-glass use gets.
	#[pallet::storage]
	pub type NextBreakGlassId<T> = StorageValue<_, BreakGlassId, ValueQuery>;

	/// Break-glass uses listed per subject, reviewed or not. `Twox64Concat` on the id
	/// (chain-assigned).
	#[pallet::storage]
	pub type BreakGlassLog<T: Config> = StorageDoubleMap<
		_,
		Blake2_128Concat,
		T::AccountId,
		Twox64Concat,
		BreakGlassId,
		BreakGlassUseOf<T>,
	>;

	/// Unreviewed break-glass uses per requester.
	#[pallet::storage]
	pub type OpenBreakGlass<T: Config> =
		StorageMap<_, Blake2_128Concat, T::AccountId, u32, ValueQuery>;

	/// Receipts of served reads, listed per record subject and keyed by the blake2-256 hash
	/// of the signed request (which also refuses a replayed request). `Blake2_128Concat` on
	/// the subject (user-chosen); `Identity` on the hash, which is already uniform.
	#[pallet::storage]
	pub type ReadReceipts<T: Config> =
		StorageDoubleMap<_, Blake2_128Concat, T::AccountId, Identity, H256, ReadReceiptOf<T>>;

	#[pallet::event]
	#[pallet::generate_deposit(pub(super) fn deposit_event)]
	pub enum Event<T: Config> {
		/// An authority was accredited, or its scopes replaced.
		AuthorityAccredited {
			/// The attribute authority.
			authority: T::AccountId,
			/// The attributes and namespaces it may issue.
			scopes: ScopesOf<T>,
		},
		/// An authority was suspended: it may not issue and its attributes do not count.
		AuthoritySuspended {
			/// The attribute authority.
			authority: T::AccountId,
		},
		/// A suspended authority was reinstated.
		AuthorityReinstated {
			/// The attribute authority.
			authority: T::AccountId,
		},
		/// An accreditation ended; the authority's attributes no longer count and its CP-ABE
		/// key commitment is gone.
		AuthorityWithdrawn {
			/// The attribute authority.
			authority: T::AccountId,
		},
		/// An authority published (or rotated) the commitment to its CP-ABE public key.
		AbeKeyPublished {
			/// The attribute authority.
			authority: T::AccountId,
			/// BLAKE2b-256 of its CP-ABE public key.
			hash: H256,
			/// The version.
			version: u32,
		},
		/// An attribute was issued (or re-issued with a new expiry).
		AttributeIssued {
			/// The attribute's holder.
			holder: T::AccountId,
			/// The attribute.
			attribute: AttributeName,
			/// The authority that issued it.
			issuer: T::AccountId,
			/// The block it ends at (exclusive; `None`: no end).
			expires_at: Option<BlockNumberFor<T>>,
		},
		/// The issuer revoked an attribute.
		AttributeRevoked {
			/// The attribute's holder.
			holder: T::AccountId,
			/// The attribute.
			attribute: AttributeName,
			/// The authority that issued it.
			issuer: T::AccountId,
		},
		/// An attribute was removed by its holder or, once it no longer counted, by anyone.
		AttributeRemoved {
			/// The attribute's holder.
			holder: T::AccountId,
			/// The attribute.
			attribute: AttributeName,
			/// Who did it.
			by: T::AccountId,
		},
		/// A policy was stored.
		PolicyCreated {
			/// The consent policy.
			policy: PolicyId,
			/// The owner.
			owner: T::AccountId,
			/// The canonical text (the CP-ABE policy).
			canonical: policy::CanonicalText,
		},
		/// A policy was removed; records still naming it are refused by policy (fail closed).
		PolicyRemoved {
			/// The consent policy.
			policy: PolicyId,
			/// The owner.
			owner: T::AccountId,
		},
		/// A subject set an explicit allow or deny.
		OverrideSet {
			/// The record's subject (the patient).
			subject: T::AccountId,
			/// What it covers.
			scope: OverrideScope,
			/// The account it concerns.
			account: T::AccountId,
			/// The record kind.
			kind: OverrideKind,
			/// The purpose of access.
			purpose: Option<Purpose>,
			/// The block it ends at (exclusive; `None`: no end).
			expires_at: Option<BlockNumberFor<T>>,
		},
		/// A subject removed an override.
		OverrideRemoved {
			/// The record's subject (the patient).
			subject: T::AccountId,
			/// What it covers.
			scope: OverrideScope,
			/// The account it concerns.
			account: T::AccountId,
		},
		/// Access was granted: the audit trail of who may read what, why and until when.
		AccessGranted {
			/// The record.
			record: RecordId,
			/// Who asked for access.
			requester: T::AccountId,
			/// The record's subject (the patient).
			subject: T::AccountId,
			/// The purpose of access.
			purpose: Purpose,
			/// On what access was allowed.
			basis: AccessBasis,
			/// The block it ends at (exclusive; `None`: no end).
			expires_at: BlockNumberFor<T>,
		},
		/// A ticket was closed and its deposit returned.
		TicketClosed {
			/// The record.
			record: RecordId,
			/// Who asked for access.
			requester: T::AccountId,
		},
		/// Emergency access was opened without the policy; it awaits review.
		BreakGlassOpened {
			/// Its id.
			id: BreakGlassId,
			/// The record.
			record: RecordId,
			/// The record's subject (the patient).
			subject: T::AccountId,
			/// Who asked for access.
			requester: T::AccountId,
			/// The emergency justification code.
			justification: JustificationCode,
			/// The block it ends at (exclusive; `None`: no end).
			expires_at: BlockNumberFor<T>,
		},
		/// A break-glass use was reviewed. `reviewer` is `None` for the review origin.
		BreakGlassReviewed {
			/// Its id.
			id: BreakGlassId,
			/// The record's subject (the patient).
			subject: T::AccountId,
			/// Who asked for access.
			requester: T::AccountId,
			/// The review.
			review: Review,
			/// Who reviewed it.
			reviewer: Option<T::AccountId>,
		},
		/// A gateway served `reader` the ciphertext of `record`; the receipt is listed for
		/// `subject` under `receipt`.
		ReadRecorded {
			/// The record's subject (the patient).
			subject: T::AccountId,
			/// The receipt's hash.
			receipt: H256,
			/// The record.
			record: RecordId,
			/// The content's sha2-256.
			digest: H256,
			/// Who read it.
			reader: T::AccountId,
			/// The gateway that served it.
			gateway: T::AccountId,
			/// On what access was allowed.
			basis: ReadBasis,
		},
		/// A gateway listed a batch of reads it served ([`Pallet::record_reads`]). Allowed
		/// reads are listed as receipts without an event each; refused ones also get
		/// [`Event::ReadFlagged`].
		ReadsRecorded {
			/// The gateway that served them.
			gateway: T::AccountId,
			/// What became of the batch's reads.
			outcome: ReadBatchOutcome,
		},
		/// A gateway served a read that the chain did not allow at the block its receipt was
		/// listed in; the receipt is listed for `subject`, flagged with `refusal`.
		ReadFlagged {
			/// The record's subject (the patient).
			subject: T::AccountId,
			/// The receipt's hash.
			receipt: H256,
			/// The record.
			record: RecordId,
			/// Who read it.
			reader: T::AccountId,
			/// The gateway that served it.
			gateway: T::AccountId,
			/// Why the chain did not allow it.
			refusal: ReadRefusal,
		},
		/// A read receipt was cleared and the gateway's deposit returned.
		ReadReceiptCleared {
			/// The record's subject (the patient).
			subject: T::AccountId,
			/// The receipt's hash.
			receipt: H256,
			/// Who did it.
			by: T::AccountId,
		},
	}

	#[pallet::error]
	pub enum Error<T> {
		/// The policy text is empty.
		PolicyEmpty,
		/// The policy text is longer than the allowed maximum.
		PolicyTooLong,
		/// The policy text is not in the policy syntax.
		PolicySyntax,
		/// `and` and `or` are mixed at one level: add parentheses.
		MixedOperators,
		/// An attribute or pattern is not `namespace:value` in lowercase letters, digits, `-`
		/// and `.` (no `_`).
		InvalidAttribute,
		/// A threshold gate needs 1 <= k <= number of children.
		InvalidThreshold,
		/// The policy has more attribute leaves than allowed.
		TooManyLeaves,
		/// A gate has more children than allowed.
		GateTooWide,
		/// Gates are nested deeper than allowed.
		PolicyTooDeep,
		/// Expanding threshold gates for CP-ABE makes the policy too large.
		ExpansionTooLarge,
		/// No policy with this id.
		PolicyNotFound,
		/// Only the policy's owner may remove it.
		NotPolicyOwner,
		/// The account owns as many policies as allowed.
		TooManyPolicies,
		/// The account is not an accredited authority.
		NotAuthority,
		/// The authority is suspended.
		AuthorityNotActive,
		/// The authority is not suspended.
		AuthorityNotSuspended,
		/// An authority needs at least one scope.
		NoScopes,
		/// The CP-ABE key commitment is the one already published.
		KeyUnchanged,
		/// The authority rotated its CP-ABE key as many times as a `u32` counts.
		KeyVersionOverflow,
		/// The authority's scopes do not cover this attribute.
		OutsideScope,
		/// The holder has as many attributes as allowed.
		TooManyAttributes,
		/// The holder has this attribute from another authority whose issue still counts.
		HeldFromOtherIssuer,
		/// The holder has no such attribute.
		AttributeNotFound,
		/// Only the issuer may revoke an attribute.
		NotIssuer,
		/// The attribute still counts: only its holder or issuer may remove it.
		AttributeStillValid,
		/// An expiry block must lie in the future.
		ExpiryInPast,
		/// No live record with this id.
		RecordNotFound,
		/// Only the record's subject may do this.
		NotSubject,
		/// A subject needs no override for themself.
		OverrideForSelf,
		/// The subject has as many overrides as allowed.
		TooManyOverrides,
		/// No such override.
		OverrideNotFound,
		/// The subject explicitly denied the requester.
		ExplicitlyDenied,
		/// The record names a policy that no longer exists; access fails closed.
		RecordPolicyMissing,
		/// The record has no policy and the requester is neither subject nor allowed.
		NoPolicy,
		/// The requester's valid attributes do not satisfy the record's policy.
		PolicyNotSatisfied,
		/// The requester has as many open tickets as allowed.
		TooManyTickets,
		/// No such ticket.
		TicketNotFound,
		/// Only the requester may close a ticket before it expires.
		TicketStillValid,
		/// Break-glass needs the emergency attribute, currently valid.
		NotEmergencyStaff,
		/// Justification codes are 1-32 uppercase letters, digits or `-`.
		InvalidJustification,
		/// The requester has as many unreviewed break-glass uses as allowed.
		TooManyOpenBreakGlass,
		/// No such break-glass use for this subject.
		BreakGlassNotFound,
		/// This break-glass use was already reviewed.
		AlreadyReviewed,
		/// Only the gateway named in a read request may submit it.
		NotRequestGateway,
		/// The read request's `valid_until` has passed.
		ReadRequestExpired,
		/// The read request's `valid_until` lies further ahead than allowed.
		ReadRequestTooLong,
		/// The signature is not the reader's signature of the request.
		BadSignature,
		/// The reader has no live ticket for the record.
		NoLiveTicket,
		/// The grant is not active, does not name the reader or does not cover the record.
		GrantNotActive,
		/// This request was already recorded.
		AlreadyRecorded,
		/// No such read receipt for this subject.
		ReceiptNotFound,
		/// Only the subject may clear a receipt before its retention period ends.
		ReceiptRetained,
		/// A live record is guarded by this policy: it cannot be removed from under it.
		PolicyInUse,
		/// An id counter reached its maximum.
		IdOverflow,
	}

	impl<T> From<PolicyError> for Error<T> {
		fn from(error: PolicyError) -> Self {
			match error {
				PolicyError::Empty => Self::PolicyEmpty,
				PolicyError::TooLong => Self::PolicyTooLong,
				PolicyError::Syntax => Self::PolicySyntax,
				PolicyError::MixedOperators => Self::MixedOperators,
				PolicyError::InvalidAttribute => Self::InvalidAttribute,
				PolicyError::InvalidThreshold => Self::InvalidThreshold,
				PolicyError::TooManyLeaves => Self::TooManyLeaves,
				PolicyError::GateTooWide => Self::GateTooWide,
				PolicyError::TooDeep => Self::PolicyTooDeep,
				PolicyError::ExpansionTooLarge => Self::ExpansionTooLarge,
			}
		}
	}

	impl<T> From<Error<T>> for ReadRefusal {
		fn from(error: Error<T>) -> Self {
			match error {
				Error::ReadRequestExpired => Self::RequestExpired,
				Error::ReadRequestTooLong => Self::RequestTooLong,
				Error::NoLiveTicket => Self::NoLiveTicket,
				Error::ExplicitlyDenied => Self::ExplicitlyDenied,
				Error::PolicyNotSatisfied => Self::PolicyNotSatisfied,
				Error::NoPolicy => Self::NoPolicy,
				Error::RecordPolicyMissing => Self::RecordPolicyMissing,
				Error::NotEmergencyStaff => Self::NotEmergencyStaff,
				Error::GrantNotActive => Self::GrantNotActive,
				_ => Self::Other,
			}
		}
	}

	impl<T> From<AccessDenial> for Error<T> {
		fn from(denial: AccessDenial) -> Self {
			match denial {
				AccessDenial::RecordNotFound => Self::RecordNotFound,
				AccessDenial::ExplicitlyDenied => Self::ExplicitlyDenied,
				AccessDenial::RecordPolicyMissing => Self::RecordPolicyMissing,
				AccessDenial::NoPolicy => Self::NoPolicy,
				AccessDenial::PolicyNotSatisfied => Self::PolicyNotSatisfied,
			}
		}
	}

	#[pallet::hooks]
	impl<T: Config> Hooks<BlockNumberFor<T>> for Pallet<T> {
		#[cfg(feature = "try-runtime")]
		fn try_state(_: BlockNumberFor<T>) -> Result<(), sp_runtime::TryRuntimeError> {
			Self::do_try_state()
		}
	}

	#[pallet::call]
	impl<T: Config> Pallet<T> {
		/// Accredit `authority` for `scopes` (attributes such as `org:hospital-a` or namespaces
		/// such as `role:*`), or replace an accredited authority's scopes. The authority
		/// becomes active. Attributes it issued outside the new scopes stop counting.
		///
		/// `AuthorityOrigin` only (the council).
		///
		/// # Events
		/// [`Event::AuthorityAccredited`].
		///
		/// # Errors
		/// - `BadOrigin`: not `AuthorityOrigin`.
		/// - [`Error::NoScopes`]: `scopes` is empty.
		/// - [`Error::InvalidAttribute`]: a scope is neither an attribute nor a `namespace:*`.
		#[pallet::call_index(0)]
		#[pallet::weight(T::WeightInfo::accredit_authority(scopes.len() as u32))]
		pub fn accredit_authority(
			origin: OriginFor<T>,
			authority: T::AccountId,
			scopes: ScopesOf<T>,
		) -> DispatchResult {
			T::AuthorityOrigin::ensure_origin(origin)?;
			ensure!(!scopes.is_empty(), Error::<T>::NoScopes);
			for pattern in scopes.iter() {
				validate_pattern(pattern).map_err(|_| Error::<T>::InvalidAttribute)?;
			}
			Authorities::<T>::insert(
				&authority,
				Authority {
					scopes: scopes.clone(),
					status: AuthorityStatus::Active,
					accredited_at: frame_system::Pallet::<T>::block_number(),
				},
			);
			Self::deposit_event(Event::AuthorityAccredited { authority, scopes });
			Ok(())
		}

		/// Suspend an active authority: it may not issue, and its attributes do not count
		/// until it is reinstated.
		///
		/// `AuthorityOrigin` only.
		///
		/// # Events
		/// [`Event::AuthoritySuspended`].
		///
		/// # Errors
		/// - `BadOrigin`: not `AuthorityOrigin`.
		/// - [`Error::NotAuthority`]: `authority` is not accredited.
		/// - [`Error::AuthorityNotActive`]: it is suspended already.
		#[pallet::call_index(1)]
		#[pallet::weight(T::WeightInfo::suspend_authority())]
		pub fn suspend_authority(origin: OriginFor<T>, authority: T::AccountId) -> DispatchResult {
			T::AuthorityOrigin::ensure_origin(origin)?;
			Authorities::<T>::try_mutate(&authority, |stored| {
				let stored = stored.as_mut().ok_or(Error::<T>::NotAuthority)?;
				ensure!(
					stored.status == AuthorityStatus::Active,
					Error::<T>::AuthorityNotActive
				);
				stored.status = AuthorityStatus::Suspended;
				Ok::<_, DispatchError>(())
			})?;
			Self::deposit_event(Event::AuthoritySuspended { authority });
			Ok(())
		}

		/// Reinstate a suspended authority.
		///
		/// `AuthorityOrigin` only.
		///
		/// # Events
		/// [`Event::AuthorityReinstated`].
		///
		/// # Errors
		/// - `BadOrigin`: not `AuthorityOrigin`.
		/// - [`Error::NotAuthority`]: `authority` is not accredited.
		/// - [`Error::AuthorityNotSuspended`]: it is not suspended.
		#[pallet::call_index(2)]
		#[pallet::weight(T::WeightInfo::reinstate_authority())]
		pub fn reinstate_authority(
			origin: OriginFor<T>,
			authority: T::AccountId,
		) -> DispatchResult {
			T::AuthorityOrigin::ensure_origin(origin)?;
			Authorities::<T>::try_mutate(&authority, |stored| {
				let stored = stored.as_mut().ok_or(Error::<T>::NotAuthority)?;
				ensure!(
					stored.status == AuthorityStatus::Suspended,
					Error::<T>::AuthorityNotSuspended
				);
				stored.status = AuthorityStatus::Active;
				Ok::<_, DispatchError>(())
			})?;
			Self::deposit_event(Event::AuthorityReinstated { authority });
			Ok(())
		}

		/// End an accreditation. The attributes the authority issued stop counting at once;
		/// anyone may then remove them (deposits go back to the authority).
		///
		/// `AuthorityOrigin` only.
		///
		/// # Events
		/// [`Event::AuthorityWithdrawn`].
		///
		/// # Errors
		/// - `BadOrigin`: not `AuthorityOrigin`.
		/// - [`Error::NotAuthority`]: `authority` is not accredited.
		#[pallet::call_index(3)]
		#[pallet::weight(T::WeightInfo::withdraw_authority())]
		pub fn withdraw_authority(origin: OriginFor<T>, authority: T::AccountId) -> DispatchResult {
			T::AuthorityOrigin::ensure_origin(origin)?;
			Authorities::<T>::take(&authority).ok_or(Error::<T>::NotAuthority)?;
			AbeKeys::<T>::remove(&authority);
			Self::deposit_event(Event::AuthorityWithdrawn { authority });
			Ok(())
		}

		/// Issue `attribute` to `holder` until `expires_at` (exclusive; `None`: no expiry).
		/// Re-issuing an attribute the caller issued updates its expiry. The caller must be an
		/// active authority covering the attribute; it pays [`Config::AttributeDeposit`].
		///
		/// # Events
		/// [`Event::AttributeIssued`].
		///
		/// # Errors
		/// - [`Error::InvalidAttribute`]: `attribute` is not `namespace:value` in the allowed alphabet.
		/// - [`Error::NotAuthority`] / [`Error::AuthorityNotActive`]: the caller is not an active
		///   authority.
		/// - [`Error::OutsideScope`]: its scopes do not cover `attribute`.
		/// - [`Error::ExpiryInPast`]: `expires_at` is not after the current block.
		/// - [`Error::HeldFromOtherIssuer`]: `holder` holds `attribute` from another authority, still
		///   counting.
		/// - [`Error::TooManyAttributes`]: `holder` holds [`Config::MaxAttributesPerAccount`] attributes.
		/// - `Token(FundsUnavailable)`: the caller cannot hold the deposit.
		#[pallet::call_index(4)]
		#[pallet::weight(T::WeightInfo::issue_attribute(T::MaxAttributesPerAccount::get()))]
		pub fn issue_attribute(
			origin: OriginFor<T>,
			holder: T::AccountId,
			attribute: AttributeName,
			expires_at: Option<BlockNumberFor<T>>,
		) -> DispatchResult {
			let issuer = ensure_signed(origin)?;
			policy::validate_attribute(&attribute).map_err(|_| Error::<T>::InvalidAttribute)?;
			let authority = Authorities::<T>::get(&issuer).ok_or(Error::<T>::NotAuthority)?;
			ensure!(
				authority.status == AuthorityStatus::Active,
				Error::<T>::AuthorityNotActive
			);
			ensure!(authority.covers(&attribute), Error::<T>::OutsideScope);
			let now = frame_system::Pallet::<T>::block_number();
			ensure!(
				expires_at.is_none_or(|at| at > now),
				Error::<T>::ExpiryInPast
			);

			let mut held = Attributes::<T>::get(&holder);
			match held.binary_search_by(|h| h.name.as_slice().cmp(attribute.as_slice())) {
				Ok(index) => {
					let existing = held.get_mut(index).ok_or(Error::<T>::AttributeNotFound)?;
					if existing.issuer != issuer {
						ensure!(
							!Self::counts(existing, now, &mut Default::default()),
							Error::<T>::HeldFromOtherIssuer
						);
						// The other issue no longer counts: replace it, returning its deposit.
						Self::release(&HoldReason::Attribute, &existing.issuer, existing.deposit);
						existing.deposit = Self::hold(
							&HoldReason::Attribute,
							&issuer,
							T::AttributeDeposit::get(),
						)?;
						existing.issuer = issuer.clone();
					}
					existing.issued_at = now;
					existing.expires_at = expires_at;
				}
				Err(index) => {
					ensure!(
						(held.len() as u32) < T::MaxAttributesPerAccount::get(),
						Error::<T>::TooManyAttributes
					);
					let deposit =
						Self::hold(&HoldReason::Attribute, &issuer, T::AttributeDeposit::get())?;
					held.try_insert(
						index,
						HeldAttribute {
							name: attribute.clone(),
							issuer: issuer.clone(),
							issued_at: now,
							expires_at,
							deposit,
						},
					)
					.map_err(|_| Error::<T>::TooManyAttributes)?;
				}
			}
			Attributes::<T>::insert(&holder, held);
			Self::deposit_event(Event::AttributeIssued {
				holder,
				attribute,
				issuer,
				expires_at,
			});
			Ok(())
		}

		/// Revoke an attribute the caller issued; it stops counting at once.
		///
		/// # Events
		/// [`Event::AttributeRevoked`].
		///
		/// # Errors
		/// - [`Error::AttributeNotFound`]: `holder` does not hold `attribute`.
		/// - [`Error::NotIssuer`]: the caller did not issue it.
		#[pallet::call_index(5)]
		#[pallet::weight(T::WeightInfo::revoke_attribute(T::MaxAttributesPerAccount::get()))]
		pub fn revoke_attribute(
			origin: OriginFor<T>,
			holder: T::AccountId,
			attribute: AttributeName,
		) -> DispatchResult {
			let issuer = ensure_signed(origin)?;
			let removed = Self::take_attribute(&holder, &attribute, |held| {
				ensure!(held.issuer == issuer, Error::<T>::NotIssuer);
				Ok(())
			})?;
			Self::release(&HoldReason::Attribute, &removed.issuer, removed.deposit);
			Self::deposit_event(Event::AttributeRevoked {
				holder,
				attribute,
				issuer,
			});
			Ok(())
		}

		/// Remove an attribute of `holder`: the holder may always (renouncing it); anyone may
		/// once it no longer counts (expired, issuer withdrawn or out of scope). The deposit
		/// goes back to the issuer.
		///
		/// # Events
		/// [`Event::AttributeRemoved`].
		///
		/// # Errors
		/// - [`Error::AttributeNotFound`]: `holder` does not hold `attribute`.
		/// - [`Error::AttributeStillValid`]: the caller is not the holder and the attribute still
		///   counts.
		#[pallet::call_index(6)]
		#[pallet::weight(T::WeightInfo::remove_attribute(T::MaxAttributesPerAccount::get()))]
		pub fn remove_attribute(
			origin: OriginFor<T>,
			holder: T::AccountId,
			attribute: AttributeName,
		) -> DispatchResult {
			let who = ensure_signed(origin)?;
			let now = frame_system::Pallet::<T>::block_number();
			let removed = Self::take_attribute(&holder, &attribute, |held| {
				ensure!(
					who == holder || Self::is_stale(held, now),
					Error::<T>::AttributeStillValid
				);
				Ok(())
			})?;
			Self::release(&HoldReason::Attribute, &removed.issuer, removed.deposit);
			Self::deposit_event(Event::AttributeRemoved {
				holder,
				attribute,
				by: who,
			});
			Ok(())
		}

		/// Store a consent policy. The text is parsed, bounds-checked, canonicalised and
		/// compiled; the owner pays [`Config::PolicyDepositBase`] plus
		/// [`Config::PolicyDepositPerByte`] per stored byte.
		///
		/// # Events
		/// [`Event::PolicyCreated`], with the canonical text (the CP-ABE policy).
		///
		/// # Errors
		/// - [`Error::PolicyEmpty`], [`Error::PolicyTooLong`], [`Error::PolicySyntax`],
		///   [`Error::MixedOperators`], [`Error::InvalidAttribute`], [`Error::InvalidThreshold`],
		///   [`Error::TooManyLeaves`], [`Error::GateTooWide`], [`Error::PolicyTooDeep`],
		///   [`Error::ExpansionTooLarge`]: the text is not a policy within the bounds (see
		///   [`policy`]).
		/// - [`Error::TooManyPolicies`]: the caller owns [`Config::MaxPoliciesPerAccount`] policies.
		/// - `Token(FundsUnavailable)`: the caller cannot hold the deposit.
		/// - [`Error::IdOverflow`]: policy ids are exhausted.
		#[pallet::call_index(7)]
		#[pallet::weight(T::WeightInfo::create_policy(text.len() as u32))]
		pub fn create_policy(origin: OriginFor<T>, text: PolicyText) -> DispatchResult {
			let owner = ensure_signed(origin)?;
			let count = PolicyCount::<T>::get(&owner);
			ensure!(
				count < T::MaxPoliciesPerAccount::get(),
				Error::<T>::TooManyPolicies
			);
			let validated = policy::validate(&text).map_err(Error::<T>::from)?;
			let bytes = (validated.canonical.len() + validated.compiled.encoded_size()) as u32;
			let amount = T::PolicyDepositBase::get()
				.saturating_add(T::PolicyDepositPerByte::get().saturating_mul(bytes.into()));
			let id = NextPolicyId::<T>::try_mutate(next_id).map_err(|_| Error::<T>::IdOverflow)?;
			let deposit = Self::hold(&HoldReason::Policy, &owner, amount)?;
			Policies::<T>::insert(
				id,
				Policy {
					owner: owner.clone(),
					canonical: validated.canonical.clone(),
					compiled: validated.compiled,
					deposit,
					created_at: frame_system::Pallet::<T>::block_number(),
				},
			);
			PolicyUsers::<T>::insert(id, 0);
			PolicyCount::<T>::insert(&owner, count.saturating_add(1));
			Self::deposit_event(Event::PolicyCreated {
				policy: id,
				owner,
				canonical: validated.canonical,
			});
			Ok(())
		}

		/// Remove a policy the caller owns, releasing its deposit. Policies are shared: any
		/// patient's record may name one, so a policy that guards a live record stays until
		/// every such record has moved to another policy or been erased.
		///
		/// # Events
		/// [`Event::PolicyRemoved`].
		///
		/// # Errors
		/// - [`Error::PolicyNotFound`]: no policy `policy`.
		/// - [`Error::NotPolicyOwner`]: the caller does not own it.
		/// - [`Error::PolicyInUse`]: a live record is guarded by it.
		#[pallet::call_index(8)]
		#[pallet::weight(T::WeightInfo::remove_policy())]
		pub fn remove_policy(origin: OriginFor<T>, policy: PolicyId) -> DispatchResult {
			let who = ensure_signed(origin)?;
			let stored = Policies::<T>::get(policy).ok_or(Error::<T>::PolicyNotFound)?;
			ensure!(stored.owner == who, Error::<T>::NotPolicyOwner);
			ensure!(
				PolicyUsers::<T>::get(policy).unwrap_or(0) == 0,
				Error::<T>::PolicyInUse
			);
			Policies::<T>::remove(policy);
			PolicyUsers::<T>::remove(policy);
			PolicyCount::<T>::mutate_exists(&who, decrement_count);
			Self::release(&HoldReason::Policy, &who, stored.deposit);
			Self::deposit_event(Event::PolicyRemoved { policy, owner: who });
			Ok(())
		}

		/// Explicitly allow or deny `account` access to the caller's records (`scope`): one
		/// record or all of them. An allow may be limited to one `purpose`. Replaces an
		/// existing override for the same scope and account. Holds
		/// [`Config::OverrideDeposit`] once per override.
		///
		/// # Events
		/// [`Event::OverrideSet`].
		///
		/// # Errors
		/// - [`Error::OverrideForSelf`]: `account` is the caller.
		/// - [`Error::RecordNotFound`]: a `Record` scope names no live record.
		/// - [`Error::NotSubject`]: the caller is not that record's subject.
		/// - [`Error::ExpiryInPast`]: `expires_at` is not after the current block.
		/// - [`Error::TooManyOverrides`]: the caller has [`Config::MaxOverridesPerSubject`] overrides.
		/// - `Token(FundsUnavailable)`: the caller cannot hold the deposit.
		#[pallet::call_index(9)]
		#[pallet::weight(T::WeightInfo::set_override())]
		pub fn set_override(
			origin: OriginFor<T>,
			scope: OverrideScope,
			account: T::AccountId,
			kind: OverrideKind,
			purpose: Option<Purpose>,
			expires_at: Option<BlockNumberFor<T>>,
		) -> DispatchResult {
			let subject = ensure_signed(origin)?;
			ensure!(subject != account, Error::<T>::OverrideForSelf);
			if let OverrideScope::Record(record) = scope {
				let summary = T::Records::record(record).ok_or(Error::<T>::RecordNotFound)?;
				ensure!(summary.subject == subject, Error::<T>::NotSubject);
			}
			let now = frame_system::Pallet::<T>::block_number();
			ensure!(
				expires_at.is_none_or(|at| at > now),
				Error::<T>::ExpiryInPast
			);
			let key = (&subject, scope, &account);
			let deposit = match Overrides::<T>::get(key) {
				Some(existing) => existing.deposit,
				None => {
					let count = OverrideCount::<T>::get(&subject);
					ensure!(
						count < T::MaxOverridesPerSubject::get(),
						Error::<T>::TooManyOverrides
					);
					OverrideCount::<T>::insert(&subject, count.saturating_add(1));
					Self::hold(&HoldReason::Override, &subject, T::OverrideDeposit::get())?
				}
			};
			Overrides::<T>::insert(
				key,
				ConsentOverride {
					kind,
					purpose,
					expires_at,
					deposit,
				},
			);
			Self::deposit_event(Event::OverrideSet {
				subject,
				scope,
				account,
				kind,
				purpose,
				expires_at,
			});
			Ok(())
		}

		/// Remove one of the caller's overrides, releasing its deposit.
		///
		/// # Events
		/// [`Event::OverrideRemoved`].
		///
		/// # Errors
		/// - [`Error::OverrideNotFound`]: the caller has no such override.
		#[pallet::call_index(10)]
		#[pallet::weight(T::WeightInfo::remove_override())]
		pub fn remove_override(
			origin: OriginFor<T>,
			scope: OverrideScope,
			account: T::AccountId,
		) -> DispatchResult {
			let subject = ensure_signed(origin)?;
			let removed = Overrides::<T>::take((&subject, scope, &account))
				.ok_or(Error::<T>::OverrideNotFound)?;
			OverrideCount::<T>::mutate_exists(&subject, decrement_count);
			Self::release(&HoldReason::Override, &subject, removed.deposit);
			Self::deposit_event(Event::OverrideRemoved {
				subject,
				scope,
				account,
			});
			Ok(())
		}

		/// Ask for access to `record` for `purpose`. Decided in order: the subject; an explicit
		/// deny (refused); an explicit allow; the record's policy against the caller's valid
		/// attributes. If allowed, stores a ticket valid for [`Config::TicketLifetime`] blocks
		/// (replacing the caller's previous ticket for the record) and emits
		/// [`Event::AccessGranted`]. If refused, fails with the reason and stores nothing.
		///
		/// # Events
		/// [`Event::AccessGranted`], with the basis (the audit trail of the decision).
		///
		/// # Errors
		/// - [`Error::RecordNotFound`]: no live record `record`.
		/// - [`Error::ExplicitlyDenied`]: the subject denies the caller.
		/// - [`Error::RecordPolicyMissing`]: the record names a policy that no longer exists.
		/// - [`Error::NoPolicy`]: the record has no policy and the caller is neither its subject nor
		///   allowed.
		/// - [`Error::PolicyNotSatisfied`]: the caller's valid attributes do not satisfy the policy.
		/// - [`Error::TooManyTickets`]: the caller holds [`Config::MaxTicketsPerAccount`] tickets.
		/// - `Token(FundsUnavailable)`: the caller cannot hold the deposit.
		#[pallet::call_index(11)]
		#[pallet::weight(T::WeightInfo::request_access(
			T::MaxAttributesPerAccount::get(),
			MAX_POLICY_LEAVES,
		))]
		pub fn request_access(
			origin: OriginFor<T>,
			record: RecordId,
			purpose: Purpose,
		) -> DispatchResultWithPostInfo {
			let requester = ensure_signed(origin)?;
			let now = frame_system::Pallet::<T>::block_number();
			let decision = Self::decide(&requester, record, purpose, now);
			let (basis, subject) = decision.outcome.map_err(Error::<T>::from)?;
			let expires_at = now.saturating_add(T::TicketLifetime::get());
			Self::open_ticket(
				&requester, record, &subject, purpose, basis, now, expires_at,
			)?;
			Self::deposit_event(Event::AccessGranted {
				record,
				requester,
				subject,
				purpose,
				basis,
				expires_at,
			});
			Ok(Some(T::WeightInfo::request_access(
				decision.attributes,
				decision.leaves,
			))
			.into())
		}

		/// Close a ticket and return its deposit: the requester at any time, anyone once it
		/// has expired.
		///
		/// # Events
		/// [`Event::TicketClosed`].
		///
		/// # Errors
		/// - [`Error::TicketNotFound`]: `requester` has no ticket for `record`.
		/// - [`Error::TicketStillValid`]: the caller is not the requester and the ticket has not
		///   expired.
		#[pallet::call_index(12)]
		#[pallet::weight(T::WeightInfo::close_ticket())]
		pub fn close_ticket(
			origin: OriginFor<T>,
			requester: T::AccountId,
			record: RecordId,
		) -> DispatchResult {
			let who = ensure_signed(origin)?;
			let ticket = Tickets::<T>::get(&requester, record).ok_or(Error::<T>::TicketNotFound)?;
			let now = frame_system::Pallet::<T>::block_number();
			ensure!(
				who == requester || now >= ticket.expires_at,
				Error::<T>::TicketStillValid
			);
			Tickets::<T>::remove(&requester, record);
			TicketCount::<T>::mutate_exists(&requester, decrement_count);
			Self::release(&HoldReason::Ticket, &requester, ticket.deposit);
			Self::deposit_event(Event::TicketClosed { record, requester });
			Ok(())
		}

		/// Emergency access to `record` without its policy, for a holder of
		/// [`Config::EmergencyAttribute`]. An explicit deny still refuses. Stores a flagged
		/// ticket valid for [`Config::BreakGlassLifetime`] blocks and a use listed for the
		/// subject, holding [`Config::BreakGlassDeposit`] until the use is reviewed.
		///
		/// # Events
		/// [`Event::AccessGranted`] (basis `BreakGlass`), then [`Event::BreakGlassOpened`].
		///
		/// # Errors
		/// - [`Error::InvalidJustification`]: `justification` is not 1-32 uppercase letters, digits or `-`.
		/// - [`Error::RecordNotFound`]: no live record `record`.
		/// - [`Error::NotEmergencyStaff`]: the caller does not hold a valid emergency attribute.
		/// - [`Error::ExplicitlyDenied`]: the subject denies the caller.
		/// - [`Error::TooManyOpenBreakGlass`]: the subject has [`Config::MaxOpenBreakGlassPerAccount`] unreviewed uses.
		/// - [`Error::TooManyTickets`]: the caller holds [`Config::MaxTicketsPerAccount`] tickets.
		/// - `Token(FundsUnavailable)`: the caller cannot hold the deposit.
		/// - [`Error::IdOverflow`]: break-glass ids are exhausted.
		#[pallet::call_index(13)]
		#[pallet::weight(T::WeightInfo::break_glass(T::MaxAttributesPerAccount::get()))]
		pub fn break_glass(
			origin: OriginFor<T>,
			record: RecordId,
			justification: JustificationCode,
		) -> DispatchResultWithPostInfo {
			let requester = ensure_signed(origin)?;
			ensure!(
				valid_justification(&justification),
				Error::<T>::InvalidJustification
			);
			let now = frame_system::Pallet::<T>::block_number();
			let summary = T::Records::record(record).ok_or(Error::<T>::RecordNotFound)?;
			let (held, examined) = Self::valid_attributes_examined(&requester, now);
			let emergency = T::EmergencyAttribute::get();
			ensure!(
				held.binary_search_by(|h| h.as_slice().cmp(emergency.as_slice()))
					.is_ok(),
				Error::<T>::NotEmergencyStaff
			);
			ensure!(
				!Self::denied(&summary.subject, record, &requester, now),
				Error::<T>::ExplicitlyDenied
			);
			let open = OpenBreakGlass::<T>::get(&requester);
			ensure!(
				open < T::MaxOpenBreakGlassPerAccount::get(),
				Error::<T>::TooManyOpenBreakGlass
			);
			let expires_at = now.saturating_add(T::BreakGlassLifetime::get());
			let subject = summary.subject;
			Self::open_ticket(
				&requester,
				record,
				&subject,
				Purpose::Emergency,
				AccessBasis::BreakGlass,
				now,
				expires_at,
			)?;
			let deposit = Self::hold(
				&HoldReason::BreakGlass,
				&requester,
				T::BreakGlassDeposit::get(),
			)?;
			let id =
				NextBreakGlassId::<T>::try_mutate(next_id).map_err(|_| Error::<T>::IdOverflow)?;
			BreakGlassLog::<T>::insert(
				&subject,
				id,
				BreakGlassUse {
					record,
					requester: requester.clone(),
					justification: justification.clone(),
					opened_at: now,
					review: Review::Pending,
					deposit,
				},
			);
			OpenBreakGlass::<T>::insert(&requester, open.saturating_add(1));
			Self::deposit_event(Event::AccessGranted {
				record,
				requester: requester.clone(),
				subject: subject.clone(),
				purpose: Purpose::Emergency,
				basis: AccessBasis::BreakGlass,
				expires_at,
			});
			Self::deposit_event(Event::BreakGlassOpened {
				id,
				record,
				subject,
				requester,
				justification,
				expires_at,
			});
			// Every stored attribute and its issuer were read, valid or not.
			Ok(Some(T::WeightInfo::break_glass(examined)).into())
		}

		/// Acknowledge or dispute break-glass use `id` of `subject`: by the subject (signed) or
		/// by [`Config::ReviewOrigin`]. The requester's deposit is released either way; a
		/// dispute stays on record.
		///
		/// # Events
		/// [`Event::BreakGlassReviewed`].
		///
		/// # Errors
		/// - [`Error::NotSubject`]: signed by someone other than `subject` (and not `ReviewOrigin`).
		/// - [`Error::BreakGlassNotFound`]: no use `id` of `subject`.
		/// - [`Error::AlreadyReviewed`]: it was reviewed already.
		#[pallet::call_index(14)]
		#[pallet::weight(T::WeightInfo::review_break_glass())]
		pub fn review_break_glass(
			origin: OriginFor<T>,
			subject: T::AccountId,
			id: BreakGlassId,
			verdict: Verdict,
		) -> DispatchResult {
			let reviewer = match T::ReviewOrigin::try_origin(origin) {
				Ok(_) => None,
				Err(origin) => {
					let who = ensure_signed(origin)?;
					ensure!(who == subject, Error::<T>::NotSubject);
					Some(who)
				}
			};
			let mut used =
				BreakGlassLog::<T>::get(&subject, id).ok_or(Error::<T>::BreakGlassNotFound)?;
			ensure!(used.review == Review::Pending, Error::<T>::AlreadyReviewed);
			used.review = match verdict {
				Verdict::Acknowledge => Review::Acknowledged,
				Verdict::Dispute => Review::Disputed,
			};
			Self::release(&HoldReason::BreakGlass, &used.requester, used.deposit);
			used.deposit = Zero::zero();
			OpenBreakGlass::<T>::mutate_exists(&used.requester, decrement_count);
			let (requester, review) = (used.requester.clone(), used.review);
			BreakGlassLog::<T>::insert(&subject, id, used);
			Self::deposit_event(Event::BreakGlassReviewed {
				id,
				subject,
				requester,
				review,
				reviewer,
			});
			Ok(())
		}

		/// Record that this gateway served `request.reader` the ciphertext of
		/// `request.record`: `signature` is the reader's sr25519 signature of the request
		/// (see [`Pallet::read_request_message`]). Allowed only while the read is, decided
		/// again at this block: under a ticket, the ticket is unexpired **and** its decision
		/// still holds now (see [`Pallet::ticket_standing`]: a deny set, an attribute revoked
		/// or expired, an authority suspended or a policy change since the ticket was issued
		/// ends it); under a grant, the subject has not denied the reader and the grant is
		/// active for them and the record. Lists a receipt for the record's subject and holds
		/// [`Config::ReadReceiptDeposit`] from the gateway.
		///
		/// # Events
		/// [`Event::ReadRecorded`].
		///
		/// # Errors
		/// - [`Error::NotRequestGateway`], [`Error::ReadRequestExpired`],
		///   [`Error::ReadRequestTooLong`], [`Error::BadSignature`]: the request itself.
		/// - [`Error::RecordNotFound`]: no live record.
		/// - [`Error::NoLiveTicket`]: no unexpired ticket; [`Error::ExplicitlyDenied`],
		///   [`Error::PolicyNotSatisfied`], [`Error::NoPolicy`], [`Error::RecordPolicyMissing`],
		///   [`Error::NotEmergencyStaff`]: the ticket's decision no longer holds.
		/// - [`Error::GrantNotActive`]: the grant is revoked, expired or does not cover the
		///   record for this reader.
		/// - [`Error::AlreadyRecorded`]: a replayed request.
		#[pallet::call_index(15)]
		#[pallet::weight(T::WeightInfo::record_read())]
		pub fn record_read(
			origin: OriginFor<T>,
			request: ReadRequestOf<T>,
			signature: sp_core::sr25519::Signature,
		) -> DispatchResult {
			let gateway = ensure_signed(origin)?;
			ensure!(gateway == request.gateway, Error::<T>::NotRequestGateway);
			let now = frame_system::Pallet::<T>::block_number();
			let (subject, receipt) = Self::decide_read(&request, &signature, now)?;
			let deposit = T::ReadReceiptDeposit::get();
			T::Currency::hold(&HoldReason::ReadReceipt.into(), &gateway, deposit)?;
			Self::list_receipt(&subject, receipt, &request, now, deposit, None);
			Self::deposit_event(Event::ReadRecorded {
				subject,
				receipt,
				record: request.record,
				digest: request.digest,
				reader: request.reader,
				gateway,
				basis: request.basis,
			});
			Ok(())
		}

		/// Clear a read receipt of `subject` and return its deposit to the gateway: the
		/// subject at any time, anyone after [`Config::ReceiptRetention`] blocks.
		///
		/// # Events
		/// [`Event::ReadReceiptCleared`].
		///
		/// # Errors
		/// - [`Error::ReceiptNotFound`]: `subject` has no receipt `receipt`.
		/// - [`Error::ReceiptRetained`]: the caller is not `subject` and the retention period has not
		///   passed.
		#[pallet::call_index(16)]
		#[pallet::weight(T::WeightInfo::clear_read_receipt())]
		pub fn clear_read_receipt(
			origin: OriginFor<T>,
			subject: T::AccountId,
			receipt: H256,
		) -> DispatchResult {
			let who = ensure_signed(origin)?;
			let stored =
				ReadReceipts::<T>::get(&subject, receipt).ok_or(Error::<T>::ReceiptNotFound)?;
			let now = frame_system::Pallet::<T>::block_number();
			ensure!(
				who == subject
					|| now
						>= stored
							.recorded_at
							.saturating_add(T::ReceiptRetention::get()),
				Error::<T>::ReceiptRetained
			);
			ReadReceipts::<T>::remove(&subject, receipt);
			Self::release(&HoldReason::ReadReceipt, &stored.gateway, stored.deposit);
			Self::deposit_event(Event::ReadReceiptCleared {
				subject,
				receipt,
				by: who,
			});
			Ok(())
		}

		/// Publish the commitment `hash` to the caller's CP-ABE public key (BLAKE2b-256 of the
		/// key's canonical bytes), or rotate it: the first publication is version 1, every
		/// later one the next version. Writers encrypt only under a key whose hash is the
		/// current commitment of an active authority, so a rotation takes effect for every
		/// record written after it; records written before stay readable with the keys
		/// issued under the old parameters until re-sealed.
		///
		/// # Errors
		/// - [`Error::NotAuthority`]: the caller is not accredited.
		/// - [`Error::AuthorityNotActive`]: the caller is suspended.
		/// - [`Error::KeyUnchanged`]: `hash` is already the current commitment.
		/// - [`Error::KeyVersionOverflow`]: no version number is left.
		///
		/// # Events
		/// [`Event::AbeKeyPublished`].
		#[pallet::call_index(17)]
		#[pallet::weight(T::WeightInfo::publish_abe_key())]
		pub fn publish_abe_key(origin: OriginFor<T>, hash: H256) -> DispatchResult {
			let authority = ensure_signed(origin)?;
			let stored = Authorities::<T>::get(&authority).ok_or(Error::<T>::NotAuthority)?;
			ensure!(
				stored.status == AuthorityStatus::Active,
				Error::<T>::AuthorityNotActive
			);
			let version = match AbeKeys::<T>::get(&authority) {
				Some(current) => {
					ensure!(current.hash != hash, Error::<T>::KeyUnchanged);
					current
						.version
						.checked_add(1)
						.ok_or(Error::<T>::KeyVersionOverflow)?
				}
				None => 1,
			};
			AbeKeys::<T>::insert(
				&authority,
				AbeKeyCommitment {
					hash,
					version,
					published_at: frame_system::Pallet::<T>::block_number(),
				},
			);
			Self::deposit_event(Event::AbeKeyPublished {
				authority,
				hash,
				version,
			});
			Ok(())
		}

		/// List a batch of reads this gateway has already served: each entry is a reader's
		/// signed [`ReadRequest`] and its signature, as for [`Pallet::record_read`]. A gateway
		/// serves as soon as `ConsentApi.check_read` allows a read at its best block and lists
		/// its receipts here afterwards, many per transaction.
		///
		/// Each read is decided again at this block, by the rule `record_read` applies
		/// ([`Pallet::decide_read`]), and listed for the record's subject either way: allowed
		/// (`refused: None`) or flagged with the chain's reason ([`Event::ReadFlagged`]), so a
		/// gateway cannot hide a read it served. A request already recorded counts as a
		/// duplicate, so a gateway may submit a batch again after a crash or a reorg. A request
		/// that proves nothing is dropped: one not signed by its reader, naming another
		/// gateway, for a record no longer live, or whose `valid_until` lies more than
		/// [`Config::ReceiptRetention`] blocks back (its receipt may have been cleared).
		/// Holds [`Config::ReadReceiptDeposit`] per listed receipt from the gateway, at once.
		/// Charged as `n` reads each deciding the worst case (the benchmark's); the part of
		/// that a read's decision did not look at (fewer attributes, a shorter policy, a grant,
		/// a dropped read) is refunded, so blocks hold as many reads as they really can.
		///
		/// # Events
		/// [`Event::ReadsRecorded`]; [`Event::ReadFlagged`] for each refused read.
		///
		/// # Errors
		/// - The hold's error (e.g. `FundsUnavailable`) if the gateway cannot cover the
		///   deposits: nothing is listed.
		#[pallet::call_index(18)]
		#[pallet::weight(T::WeightInfo::record_reads(reads.len() as u32))]
		pub fn record_reads(
			origin: OriginFor<T>,
			reads: BoundedVec<(ReadRequestOf<T>, sp_core::sr25519::Signature), T::MaxReadsPerBatch>,
		) -> DispatchResultWithPostInfo {
			let gateway = ensure_signed(origin)?;
			let now = frame_system::Pallet::<T>::block_number();
			let deposit = T::ReadReceiptDeposit::get();
			let mut outcome = ReadBatchOutcome::default();
			let charged = T::WeightInfo::record_reads(reads.len() as u32);
			// Each read is charged as the worst decision; what its own decision did not look
			// at is refunded (a read dropped or a duplicate decided nothing).
			let mut unused = Weight::zero();
			for (request, signature) in reads {
				let mut looked = Looked::default();
				let authentic = (request.gateway == gateway)
					.then(|| Self::authenticate_read(&request, &signature).ok())
					.flatten()
					.filter(|_| {
						now <= request
							.valid_until
							.saturating_add(T::ReceiptRetention::get())
					});
				let Some((subject, receipt)) = authentic else {
					outcome.rejected.saturating_inc();
					unused.saturating_accrue(Self::unused_decision_weight(&looked));
					continue;
				};
				if ReadReceipts::<T>::contains_key(&subject, receipt) {
					outcome.duplicates.saturating_inc();
					unused.saturating_accrue(Self::unused_decision_weight(&looked));
					continue;
				}
				let refused = Self::check_read_window(&request, now)
					.and_then(|()| Self::decide_basis(&request, &subject, now, &mut looked))
					.err()
					.map(ReadRefusal::from);
				unused.saturating_accrue(Self::unused_decision_weight(&looked));
				Self::list_receipt(&subject, receipt, &request, now, deposit, refused);
				match refused {
					None => outcome.allowed.saturating_inc(),
					Some(refusal) => {
						outcome.refused.saturating_inc();
						Self::deposit_event(Event::ReadFlagged {
							subject,
							receipt,
							record: request.record,
							reader: request.reader,
							gateway: gateway.clone(),
							refusal,
						});
					}
				}
			}
			let listed = outcome.allowed.saturating_add(outcome.refused);
			if listed > 0 {
				T::Currency::hold(
					&HoldReason::ReadReceipt.into(),
					&gateway,
					deposit.saturating_mul(listed.into()),
				)?;
			}
			Self::deposit_event(Event::ReadsRecorded { gateway, outcome });
			Ok(Some(charged.saturating_sub(unused)).into())
		}
	}

	/// What deciding a read looked at: the reader's stored attributes validated and the
	/// policy leaves evaluated. [`Pallet::record_reads`] refunds what its reads did not cost.
	#[derive(Default)]
	struct Looked {
		attributes: u32,
		leaves: u32,
	}

	impl Looked {
		fn add<AccountId>(&mut self, decision: &Decision<AccountId>) {
			self.attributes = self.attributes.saturating_add(decision.attributes);
			self.leaves = self.leaves.saturating_add(decision.leaves);
		}
	}

	/// The outcome of an access decision and what it cost to reach.
	pub struct Decision<AccountId> {
		/// The basis and the record's subject, or why access is refused.
		pub outcome: Result<(AccessBasis, AccountId), AccessDenial>,
		/// Attributes of the requester that were looked at.
		pub attributes: u32,
		/// Leaves of the policy that was evaluated.
		pub leaves: u32,
	}

	impl<T: Config> Pallet<T> {
		/// Decides whether `who` may access `record` for `purpose` at block `now`.
		pub fn decide(
			who: &T::AccountId,
			record: RecordId,
			purpose: Purpose,
			now: BlockNumberFor<T>,
		) -> Decision<T::AccountId> {
			let mut decision = Decision {
				outcome: Err(AccessDenial::RecordNotFound),
				attributes: 0,
				leaves: 0,
			};
			let Some(summary) = T::Records::record(record) else {
				return decision;
			};
			let subject = summary.subject;
			if *who == subject {
				decision.outcome = Ok((AccessBasis::Subject, subject));
				return decision;
			}
			if Self::denied(&subject, record, who, now) {
				decision.outcome = Err(AccessDenial::ExplicitlyDenied);
				return decision;
			}
			if Self::allowed(&subject, record, who, purpose, now) {
				decision.outcome = Ok((AccessBasis::ExplicitAllow, subject));
				return decision;
			}
			let Some(policy_id) = summary.policy else {
				decision.outcome = Err(AccessDenial::NoPolicy);
				return decision;
			};
			let Some(policy) = Policies::<T>::get(policy_id) else {
				decision.outcome = Err(AccessDenial::RecordPolicyMissing);
				return decision;
			};
			let (held, examined) = Self::valid_attributes_examined(who, now);
			// Every stored attribute and its issuer were read, valid or not.
			decision.attributes = examined;
			decision.leaves = policy.compiled.leaf_count();
			decision.outcome = if policy.compiled.evaluate(&held) {
				Ok((AccessBasis::Policy, subject))
			} else {
				Err(AccessDenial::PolicyNotSatisfied)
			};
			decision
		}

		/// The attributes of `who` that count at block `now`, sorted: not expired, issued by
		/// an accredited, active authority that still covers them.
		pub fn valid_attributes_at(
			who: &T::AccountId,
			now: BlockNumberFor<T>,
		) -> Vec<AttributeName> {
			Self::valid_attributes_examined(who, now).0
		}

		/// [`Pallet::valid_attributes_at`], with the number of stored attributes examined
		/// (each cost a validity check and possibly an authority read), for weight refunds.
		pub fn valid_attributes_examined(
			who: &T::AccountId,
			now: BlockNumberFor<T>,
		) -> (Vec<AttributeName>, u32) {
			let mut authorities = alloc::collections::BTreeMap::new();
			let stored = Attributes::<T>::get(who);
			let examined = stored.len() as u32;
			let valid = stored
				.into_iter()
				.filter(|held| Self::counts(held, now, &mut authorities))
				.map(|held| held.name)
				.collect();
			(valid, examined)
		}

		/// Whether `held` counts at `now`. `authorities` caches authority lookups.
		fn counts(
			held: &HeldAttributeOf<T>,
			now: BlockNumberFor<T>,
			authorities: &mut alloc::collections::BTreeMap<T::AccountId, Option<AuthorityOf<T>>>,
		) -> bool {
			if held.expires_at.is_some_and(|at| now >= at) {
				return false;
			}
			let authority = authorities
				.entry(held.issuer.clone())
				.or_insert_with(|| Authorities::<T>::get(&held.issuer));
			authority
				.as_ref()
				.is_some_and(|a| a.status == AuthorityStatus::Active && a.covers(&held.name))
		}

		/// Whether `held` can never count again: expired, or its issuer withdrawn or no longer
		/// covering it. (A suspended issuer may be reinstated, so that alone is not stale.)
		fn is_stale(held: &HeldAttributeOf<T>, now: BlockNumberFor<T>) -> bool {
			held.expires_at.is_some_and(|at| now >= at)
				|| Authorities::<T>::get(&held.issuer).is_none_or(|a| !a.covers(&held.name))
		}

		/// Overrides of `subject` for `who` that apply to `record` at `now` (at most two:
		/// record scope and all-records scope).
		fn overrides(
			subject: &T::AccountId,
			record: RecordId,
			who: &T::AccountId,
			now: BlockNumberFor<T>,
		) -> Vec<ConsentOverrideOf<T>> {
			[OverrideScope::Record(record), OverrideScope::AllRecords]
				.into_iter()
				.filter_map(|scope| Overrides::<T>::get((subject, scope, who)))
				.filter(|o| o.expires_at.is_none_or(|at| now < at))
				.collect()
		}

		fn denied(
			subject: &T::AccountId,
			record: RecordId,
			who: &T::AccountId,
			now: BlockNumberFor<T>,
		) -> bool {
			Self::overrides(subject, record, who, now)
				.iter()
				.any(|o| o.kind == OverrideKind::Deny)
		}

		fn allowed(
			subject: &T::AccountId,
			record: RecordId,
			who: &T::AccountId,
			purpose: Purpose,
			now: BlockNumberFor<T>,
		) -> bool {
			Self::overrides(subject, record, who, now).iter().any(|o| {
				o.kind == OverrideKind::Allow && o.purpose.is_none_or(|only| only == purpose)
			})
		}

		fn open_ticket(
			requester: &T::AccountId,
			record: RecordId,
			subject: &T::AccountId,
			purpose: Purpose,
			basis: AccessBasis,
			now: BlockNumberFor<T>,
			expires_at: BlockNumberFor<T>,
		) -> DispatchResult {
			let deposit = match Tickets::<T>::get(requester, record) {
				Some(previous) => previous.deposit,
				None => {
					let count = TicketCount::<T>::get(requester);
					ensure!(
						count < T::MaxTicketsPerAccount::get(),
						Error::<T>::TooManyTickets
					);
					TicketCount::<T>::insert(requester, count.saturating_add(1));
					Self::hold(&HoldReason::Ticket, requester, T::TicketDeposit::get())?
				}
			};
			Tickets::<T>::insert(
				requester,
				record,
				Ticket {
					subject: subject.clone(),
					purpose,
					basis,
					issued_at: now,
					expires_at,
					deposit,
				},
			);
			Ok(())
		}

		/// Removes `attribute` from `holder` if `allowed` accepts the stored issue.
		fn take_attribute(
			holder: &T::AccountId,
			attribute: &AttributeName,
			allowed: impl FnOnce(&HeldAttributeOf<T>) -> DispatchResult,
		) -> Result<HeldAttributeOf<T>, DispatchError> {
			let mut held = Attributes::<T>::get(holder);
			let index = held
				.binary_search_by(|h| h.name.as_slice().cmp(attribute.as_slice()))
				.map_err(|_| Error::<T>::AttributeNotFound)?;
			allowed(held.get(index).ok_or(Error::<T>::AttributeNotFound)?)?;
			let removed = held.remove(index);
			if held.is_empty() {
				Attributes::<T>::remove(holder);
			} else {
				Attributes::<T>::insert(holder, held);
			}
			Ok(removed)
		}

		fn hold(
			reason: &HoldReason,
			who: &T::AccountId,
			amount: BalanceOf<T>,
		) -> Result<BalanceOf<T>, DispatchError> {
			T::Currency::hold(&(*reason).into(), who, amount)?;
			Ok(amount)
		}

		/// Releases a deposit held by this pallet. It was held when the item was stored, so
		/// the release cannot fall short; a shortfall would only leave funds on hold.
		fn release(reason: &HoldReason, who: &T::AccountId, amount: BalanceOf<T>) {
			let _ = T::Currency::release(&(*reason).into(), who, amount, Precision::BestEffort);
		}

		/// `who`'s ticket for `record` if it still stands at the current block (see
		/// [`Pallet::ticket_standing`]).
		pub fn live_ticket(who: &T::AccountId, record: RecordId) -> Option<TicketOf<T>> {
			let now = frame_system::Pallet::<T>::block_number();
			Self::ticket_standing(who, record, now).ok()
		}

		/// `who`'s ticket for `record` if it still stands at block `now`, or why not. A ticket
		/// stands while it is unexpired (valid before its `expires_at`) and the decision that
		/// issued it is still what the chain decides now:
		/// - a break-glass ticket: the subject has not denied `who`, and `who` still holds a
		///   valid [`Config::EmergencyAttribute`];
		/// - any other ticket: [`Pallet::decide`] still allows `who` for the ticket's purpose
		///   (on any basis: a ticket issued under an allow stands under the policy too).
		///
		/// So a deny, a revoked or expired attribute, a suspended authority, a removed allow or
		/// a policy change takes effect for reads in the very next block, not when the ticket
		/// expires.
		pub fn ticket_standing(
			who: &T::AccountId,
			record: RecordId,
			now: BlockNumberFor<T>,
		) -> Result<TicketOf<T>, Error<T>> {
			Self::ticket_decision(who, record, now, &mut Looked::default())
		}

		/// [`Pallet::ticket_standing`], adding what the decision looked at to `looked`.
		fn ticket_decision(
			who: &T::AccountId,
			record: RecordId,
			now: BlockNumberFor<T>,
			looked: &mut Looked,
		) -> Result<TicketOf<T>, Error<T>> {
			let ticket = Tickets::<T>::get(who, record)
				.filter(|ticket| now < ticket.expires_at)
				.ok_or(Error::<T>::NoLiveTicket)?;
			if ticket.basis == AccessBasis::BreakGlass {
				ensure!(
					!Self::denied(&ticket.subject, record, who, now),
					Error::<T>::ExplicitlyDenied
				);
				let emergency = T::EmergencyAttribute::get();
				let (held, examined) = Self::valid_attributes_examined(who, now);
				looked.attributes = looked.attributes.saturating_add(examined);
				ensure!(
					held.binary_search_by(|h| h.as_slice().cmp(emergency.as_slice()))
						.is_ok(),
					Error::<T>::NotEmergencyStaff
				);
			} else {
				Self::consent_decision(who, record, ticket.purpose, now, looked)?;
			}
			Ok(ticket)
		}

		/// A policy with its canonical text, for queries.
		pub fn policy(id: PolicyId) -> Option<PolicyOf<T>> {
			Policies::<T>::get(id)
		}

		/// The message a reader signs for `request`: context, genesis hash, request.
		pub fn read_request_message(request: &ReadRequestOf<T>) -> Vec<u8> {
			let genesis = frame_system::Pallet::<T>::block_hash(BlockNumberFor::<T>::zero());
			(READ_REQUEST_CONTEXT, genesis, request).encode()
		}

		/// Decides a read at block `now` exactly as [`Pallet::record_read`] does, without
		/// recording it: the request's window and signature, the record, the basis (a ticket
		/// whose decision still holds, or a grant active for the reader and record with no
		/// deny), and that the request was not recorded before. Returns the record's subject
		/// and the receipt's key. This is the one rule: the call uses it, and gateways ask it
		/// through `ConsentApi::check_read` before they serve.
		///
		/// # Errors
		/// As [`Pallet::record_read`], except [`Error::NotRequestGateway`] (the call's origin).
		pub fn decide_read(
			request: &ReadRequestOf<T>,
			signature: &sp_core::sr25519::Signature,
			now: BlockNumberFor<T>,
		) -> Result<(T::AccountId, H256), Error<T>> {
			Self::check_read_window(request, now)?;
			let (subject, receipt) = Self::authenticate_read(request, signature)?;
			Self::decide_basis(request, &subject, now, &mut Looked::default())?;
			ensure!(
				!ReadReceipts::<T>::contains_key(&subject, receipt),
				Error::<T>::AlreadyRecorded
			);
			Ok((subject, receipt))
		}

		/// Whether block `now` lies in the request's validity window.
		fn check_read_window(
			request: &ReadRequestOf<T>,
			now: BlockNumberFor<T>,
		) -> Result<(), Error<T>> {
			ensure!(now <= request.valid_until, Error::<T>::ReadRequestExpired);
			ensure!(
				request.valid_until <= now.saturating_add(T::MaxReadRequestLifetime::get()),
				Error::<T>::ReadRequestTooLong
			);
			Ok(())
		}

		/// That the reader signed the request and its record is live: the record's subject
		/// and the receipt's key (blake2-256 of the request).
		fn authenticate_read(
			request: &ReadRequestOf<T>,
			signature: &sp_core::sr25519::Signature,
		) -> Result<(T::AccountId, H256), Error<T>> {
			ensure!(
				T::Verifier::verify(
					&request.reader,
					&Self::read_request_message(request),
					signature
				),
				Error::<T>::BadSignature
			);
			let subject = T::Records::record(request.record)
				.ok_or(Error::<T>::RecordNotFound)?
				.subject;
			Ok((subject, H256(sp_io::hashing::blake2_256(&request.encode()))))
		}

		/// Whether the request's basis allows the read at block `now`: a ticket whose decision
		/// still holds, or a grant active for the reader and record with no deny.
		fn decide_basis(
			request: &ReadRequestOf<T>,
			subject: &T::AccountId,
			now: BlockNumberFor<T>,
			looked: &mut Looked,
		) -> Result<(), Error<T>> {
			match request.basis {
				ReadBasis::Ticket => {
					Self::ticket_decision(&request.reader, request.record, now, looked)?;
				}
				ReadBasis::Grant(grant) => {
					// Deny wins over grants too.
					ensure!(
						!Self::denied(subject, request.record, &request.reader, now),
						Error::<T>::ExplicitlyDenied
					);
					ensure!(
						T::Delegations::delegated_read(grant, &request.reader, request.record),
						Error::<T>::GrantNotActive
					);
				}
				ReadBasis::Consent(purpose) => {
					Self::consent_decision(&request.reader, request.record, purpose, now, looked)?;
				}
			}
			Ok(())
		}

		/// [`Pallet::decide`] as a result, adding what the decision looked at to `looked`.
		fn consent_decision(
			who: &T::AccountId,
			record: RecordId,
			purpose: Purpose,
			now: BlockNumberFor<T>,
			looked: &mut Looked,
		) -> Result<(), Error<T>> {
			let decision = Self::decide(who, record, purpose, now);
			looked.add(&decision);
			decision.outcome.map(|_| ()).map_err(Error::<T>::from)
		}

		/// Lists `subject`'s receipt `key` of the read `request` (served by its gateway), made
		/// at block `now` against `deposit`: allowed, or flagged with `refused`.
		fn list_receipt(
			subject: &T::AccountId,
			key: H256,
			request: &ReadRequestOf<T>,
			now: BlockNumberFor<T>,
			deposit: BalanceOf<T>,
			refused: Option<ReadRefusal>,
		) {
			ReadReceipts::<T>::insert(
				subject,
				key,
				ReadReceipt {
					record: request.record,
					digest: request.digest,
					reader: request.reader.clone(),
					gateway: request.gateway.clone(),
					basis: request.basis,
					recorded_at: now,
					deposit,
					refused,
				},
			);
		}

		/// What [`Pallet::record_reads`] need not charge for a read whose decision looked at
		/// `looked`: the batch's weight assumes every read validates
		/// [`Config::MaxAttributesPerAccount`] attributes against a policy of
		/// [`MAX_POLICY_LEAVES`] leaves; the cost of each attribute and leaf is
		/// `request_access`'s, which makes the same decision.
		fn unused_decision_weight(looked: &Looked) -> Weight {
			let (most_attributes, most_leaves) =
				(T::MaxAttributesPerAccount::get(), MAX_POLICY_LEAVES);
			T::WeightInfo::request_access(most_attributes, most_leaves).saturating_sub(
				T::WeightInfo::request_access(
					looked.attributes.min(most_attributes),
					looked.leaves.min(most_leaves),
				),
			)
		}

		/// Read receipts listed for `subject`, oldest first.
		pub fn read_receipts(subject: &T::AccountId) -> Vec<(H256, ReadReceiptOf<T>)> {
			let mut receipts: Vec<_> = ReadReceipts::<T>::iter_prefix(subject).collect();
			receipts.sort_by_key(|(hash, receipt)| (receipt.recorded_at, *hash));
			receipts
		}

		/// Break-glass uses listed for `subject`, oldest first.
		pub fn break_glass_uses(subject: &T::AccountId) -> Vec<(BreakGlassId, BreakGlassUseOf<T>)> {
			let mut uses: Vec<_> = BreakGlassLog::<T>::iter_prefix(subject).collect();
			uses.sort_by_key(|(id, _)| *id);
			uses
		}

		/// Every accredited authority with its scopes, status and current CP-ABE key
		/// commitment: what a writer needs to find, for each attribute of a policy, the
		/// authorities whose keys its readers hold. Off-chain use only (it reads every
		/// authority; a consortium has few).
		#[allow(clippy::type_complexity)]
		pub fn authorities() -> Vec<(
			T::AccountId,
			Vec<AttributeName>,
			AuthorityStatus,
			Option<AbeKeyCommitment<BlockNumberOf<T>>>,
		)> {
			Authorities::<T>::iter()
				.map(|(account, authority)| {
					let key = AbeKeys::<T>::get(&account);
					(
						account,
						authority.scopes.into_inner(),
						authority.status,
						key,
					)
				})
				.collect()
		}

		/// Checks the storage invariants; run by `try-runtime` and after every unit test.
		#[cfg(any(feature = "try-runtime", test))]
		pub fn do_try_state() -> Result<(), sp_runtime::TryRuntimeError> {
			use alloc::collections::btree_map::BTreeMap;
			for (_, held) in Attributes::<T>::iter() {
				ensure!(!held.is_empty(), "empty attribute list stored");
				ensure!(
					held.windows(2).all(|pair| {
						pair.first().map(|a| a.name.as_slice())
							< pair.get(1).map(|b| b.name.as_slice())
					}),
					"attributes not sorted and distinct"
				);
				for attribute in held.iter() {
					ensure!(
						policy::validate_attribute(&attribute.name).is_ok(),
						"invalid attribute stored"
					);
				}
			}
			for (authority, _) in AbeKeys::<T>::iter() {
				ensure!(
					Authorities::<T>::contains_key(&authority),
					"CP-ABE key commitment of an authority that is not accredited"
				);
			}
			let next_policy = NextPolicyId::<T>::get();
			let mut policies = BTreeMap::<T::AccountId, u32>::new();
			for (id, stored) in Policies::<T>::iter() {
				ensure!(id < next_policy, "policy id not below NextPolicyId");
				ensure!(
					policy::parse_canonical(&stored.canonical)
						.and_then(|tree| policy::canonical_text(&tree))
						.is_ok_and(|text| text == stored.canonical),
					"stored canonical text is not canonical"
				);
				ensure!(
					PolicyUsers::<T>::contains_key(id),
					"a policy has no user count"
				);
				*policies.entry(stored.owner).or_default() += 1;
			}
			for (id, _) in PolicyUsers::<T>::iter() {
				ensure!(Policies::<T>::contains_key(id), "a user count of no policy");
			}
			ensure!(
				policies
					.into_iter()
					.eq(PolicyCount::<T>::iter().collect::<BTreeMap<_, _>>()),
				"PolicyCount does not match Policies"
			);
			let mut overrides = BTreeMap::<T::AccountId, u32>::new();
			for ((subject, _, _), _) in Overrides::<T>::iter() {
				*overrides.entry(subject).or_default() += 1;
			}
			ensure!(
				overrides
					.into_iter()
					.eq(OverrideCount::<T>::iter().collect::<BTreeMap<_, _>>()),
				"OverrideCount does not match Overrides"
			);
			let mut tickets = BTreeMap::<T::AccountId, u32>::new();
			for (requester, _, _) in Tickets::<T>::iter() {
				*tickets.entry(requester).or_default() += 1;
			}
			ensure!(
				tickets
					.into_iter()
					.eq(TicketCount::<T>::iter().collect::<BTreeMap<_, _>>()),
				"TicketCount does not match Tickets"
			);
			let next_use = NextBreakGlassId::<T>::get();
			let mut open = BTreeMap::<T::AccountId, u32>::new();
			for (_, id, used) in BreakGlassLog::<T>::iter() {
				ensure!(id < next_use, "break-glass id not below NextBreakGlassId");
				if used.review == Review::Pending {
					*open.entry(used.requester).or_default() += 1;
				} else {
					ensure!(used.deposit.is_zero(), "reviewed use still holds a deposit");
				}
			}
			ensure!(
				open.into_iter()
					.eq(OpenBreakGlass::<T>::iter().collect::<BTreeMap<_, _>>()),
				"OpenBreakGlass does not match pending uses"
			);
			let now = frame_system::Pallet::<T>::block_number();
			let mut held = BTreeMap::<T::AccountId, BalanceOf<T>>::new();
			for (_, _, receipt) in ReadReceipts::<T>::iter() {
				ensure!(
					receipt.recorded_at <= now,
					"read receipt recorded in the future"
				);
				let sum = held.entry(receipt.gateway).or_default();
				*sum = sum.saturating_add(receipt.deposit);
			}
			for (gateway, sum) in held {
				use frame_support::traits::fungible::InspectHold;
				ensure!(
					T::Currency::balance_on_hold(&HoldReason::ReadReceipt.into(), &gateway) == sum,
					"receipt deposits do not match the gateway's hold"
				);
			}
			Ok(())
		}
	}

	impl<T: Config> medchain_primitives::PolicyUse<PolicyId> for Pallet<T> {
		fn acquire(policy: &PolicyId) -> bool {
			PolicyUsers::<T>::mutate_exists(policy, |users| match users {
				Some(count) => {
					*count = count.saturating_add(1);
					true
				}
				None => false,
			})
		}

		fn release(policy: &PolicyId) {
			PolicyUsers::<T>::mutate_extant(policy, |count| *count = count.saturating_sub(1));
		}

		fn users(policy: &PolicyId) -> Option<u32> {
			PolicyUsers::<T>::get(policy)
		}
	}

	impl<T: Config> medchain_primitives::AccessInspect<T::AccountId> for Pallet<T> {
		fn access(
			who: &T::AccountId,
			record: RecordId,
			purpose: Purpose,
		) -> Result<AccessBasis, AccessDenial> {
			let now = frame_system::Pallet::<T>::block_number();
			Self::decide(who, record, purpose, now)
				.outcome
				.map(|(basis, _)| basis)
		}

		fn satisfies(who: &T::AccountId, policy: PolicyId) -> bool {
			let now = frame_system::Pallet::<T>::block_number();
			Policies::<T>::get(policy)
				.is_some_and(|p| p.compiled.evaluate(&Self::valid_attributes_at(who, now)))
		}

		fn denied(who: &T::AccountId, record: RecordId) -> bool {
			let now = frame_system::Pallet::<T>::block_number();
			T::Records::record(record)
				.is_some_and(|summary| Self::denied(&summary.subject, record, who, now))
		}
	}
}
