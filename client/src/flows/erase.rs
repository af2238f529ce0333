//! Erase: a patient erases a record; the chain keeps a tombstone, gateways delete the blobs.

use crate::{
	chain::{self, api, records, Chain},
	keystore::KeyMaterial,
	Error,
};

/// Erases a record (its subject only): the chain keeps a tombstone; gateways delete the blobs.
pub async fn erase_record(
	chain: &Chain,
	material: &KeyMaterial,
	record: u64,
) -> Result<Vec<String>, Error> {
	let events = chain
		.submit(
			&api::tx().records().erase_record(record),
			&material.keypair()?,
		)
		.await?;
	let erased = chain::find_event::<records::RecordErased>(&events)?;
	Ok(erased
		.cids
		.iter()
		.map(|bytes| {
			cid::Cid::try_from(bytes.as_slice())
				.map_or_else(|_| hex::encode(bytes), |c| c.to_string())
		})
		.collect())
}
