//! Listings: a patient's records, the reads of them, a grant's re-encryptions.

use serde::Serialize;
use subxt::utils::{AccountId32, H256};

use crate::{
	chain::{
		api,
		consent::{self, ReadBasis, ReadReceipt},
		key_grants, Chain,
	},
	Error,
};

/// A record as listed for its subject.
#[derive(Debug, Clone, Serialize)]
pub struct ListedRecord {
	/// The record id.
	pub record: u64,
	/// Its kind.
	pub kind: String,
	/// The policy guarding it.
	pub policy: Option<u32>,
	/// Its current version.
	pub current_version: u32,
	/// The block it last changed in.
	pub updated_at: u32,
}

/// The live records of `subject`.
pub async fn list_records(
	chain: &Chain,
	subject: &AccountId32,
) -> Result<Vec<ListedRecord>, Error> {
	let mut listed = Vec::new();
	let mut after: Option<u64> = None;
	loop {
		let page = chain
			.call(
				api::runtime_apis()
					.records_api()
					.records_of(*subject, after, 100),
			)
			.await?;
		let last = page.last().map(|(id, _)| *id);
		listed.extend(page.into_iter().map(|(record, r)| ListedRecord {
			record,
			kind: String::from_utf8_lossy(&r.kind).into_owned(),
			policy: r.policy,
			current_version: r.current_version,
			updated_at: r.updated_at,
		}));
		match last {
			Some(id) if Some(id) != after => after = Some(id),
			_ => break,
		}
	}
	Ok(listed)
}

/// A read receipt as listed for its subject.
#[derive(Debug, Clone, Serialize)]
pub struct ListedReceipt {
	/// The receipt hash.
	pub receipt: String,
	/// The record read.
	pub record: u64,
	/// Who read it (SS58).
	pub reader: String,
	/// The gateway that served it (SS58).
	pub gateway: String,
	/// `ticket` or `grant N`.
	pub basis: String,
	/// The digest of the version read.
	pub digest: String,
	/// The block the read was recorded in.
	pub recorded_at: u32,
	/// `None` if the chain allowed the read in that block; otherwise why it did not
	/// (`ExplicitlyDenied`, `RequestExpired`, …): the gateway served it all the same, or just
	/// before a change, and the receipt is flagged.
	pub refused: Option<String>,
}

/// Every read of `subject`'s records served by a gateway, oldest first.
pub async fn list_read_receipts(
	chain: &Chain,
	subject: &AccountId32,
) -> Result<Vec<ListedReceipt>, Error> {
	let receipts: Vec<(H256, ReadReceipt)> = chain
		.call(api::runtime_apis().consent_api().read_receipts(*subject))
		.await?;
	Ok(receipts
		.into_iter()
		.map(|(hash, r)| ListedReceipt {
			receipt: format!("{hash:?}"),
			record: r.record,
			reader: r.reader.to_string(),
			gateway: r.gateway.to_string(),
			basis: match r.basis {
				ReadBasis::Ticket => "ticket".into(),
				ReadBasis::Consent(purpose) => {
					format!("consent {}", consent::purpose_name(purpose))
				}
				ReadBasis::Grant(g) => format!("grant {g}"),
			},
			digest: format!("{:?}", r.digest),
			recorded_at: r.recorded_at,
			refused: r.refused.map(|refusal| format!("{refusal:?}")),
		})
		.collect())
}

/// The proxies' attestations of re-encryptions under `grant`.
pub async fn list_grant_receipts(
	chain: &Chain,
	grant: u64,
) -> Result<Vec<key_grants::Receipt>, Error> {
	chain
		.call(api::runtime_apis().key_grants_api().receipts(grant))
		.await
}
