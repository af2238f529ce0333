//! Grants: delegate decryption of a record through m-of-n re-encryption proxies.

use serde::Serialize;
use subxt::utils::{AccountId32, H256};

use crate::{
	chain::{
		self, api,
		consent::{Purpose, ReadBasis},
		key_grants::{self, GrantProxy, GrantScope},
		Chain,
	},
	keystore::KeyMaterial,
	pre,
	protocol::{no_progress, GatewayClient, KfragDelivery},
	Error,
};

/// A grant created and its fragments handed out.
#[derive(Debug, Clone, Serialize)]
pub struct GrantOutcome {
	/// The grant id on chain.
	pub grant: u64,
	/// Proxies (endpoints) that took their key fragment.
	pub delivered: Vec<String>,
	/// Proxies that did not, with why.
	pub failed: Vec<String>,
}

/// The owner delegates decryption of `record` to `grantee` through `proxies`, any `threshold`
/// of which suffice, until block `expires_at`.
///
/// The owner first reads the record (a read receipt for the owner is recorded) to recover its
/// data key, wraps that key to a fresh one-grant key and splits the grant key for the
/// grantee, so the proxies can re-encrypt this record's key and nothing else.
pub async fn create_grant(
	chain: &Chain,
	material: &KeyMaterial,
	gateway: &GatewayClient,
	grantee: &AccountId32,
	record: u64,
	proxies: &[AccountId32],
	threshold: u8,
	expires_at: u32,
) -> Result<GrantOutcome, Error> {
	let grantee_keys = chain.pre_keys_of(grantee).await?;
	// Natively through a temporary file (records may be large); in a browser, in memory.
	#[cfg(feature = "native")]
	let header = super::get::fetch_envelope(
		chain,
		material,
		gateway,
		record,
		ReadBasis::Consent(Purpose::Operations),
		&std::env::temp_dir(),
		no_progress(),
	)
	.await?
	.header;
	#[cfg(not(feature = "native"))]
	let header = super::get::fetch_envelope_bytes(
		chain,
		material,
		gateway,
		record,
		ReadBasis::Consent(Purpose::Operations),
		no_progress(),
	)
	.await?
	.header;
	let owner_keys = material.pre_keys()?;
	let data = match &header.pre {
		Some(wrap) if wrap.owner_public_key == owner_keys.public().public_key => {
			zeroize::Zeroizing::new(pre::unwrap_own(&owner_keys, &wrap.wrapped)?)
		}
		_ => return Err(Error::Decrypt(
			"only the record's owner can delegate it: its PRE wrap is not to this account's key"
				.into(),
		)),
	};
	let grant_key = pre::grant_key();
	let delegating_key = pre::public_of(&grant_key);
	let grant_capsule = pre::wrap(&delegating_key, &data)?;
	let kfrags = pre::key_fragments(
		&grant_key,
		owner_keys.signing(),
		&grantee_keys.public_key,
		usize::from(threshold),
		proxies.len(),
	)?;
	let mut deliveries = Vec::new();
	let mut entries = Vec::new();
	for (proxy, kfrag) in proxies.iter().zip(kfrags) {
		let info = chain
			.call(api::runtime_apis().key_grants_api().proxy(*proxy))
			.await?;
		let info =
			info.ok_or_else(|| Error::Invalid(format!("{proxy} is not a registered proxy")))?;
		let delivery = KfragDelivery {
			grant: 0,
			kfrag: pre::wrap(&info.public_key, &kfrag)?,
			grant_capsule: grant_capsule.clone(),
			delegating_key,
		};
		entries.push(GrantProxy {
			proxy: *proxy,
			kfrag_commitment: H256(delivery.commitment()),
		});
		deliveries.push((
			String::from_utf8_lossy(&info.endpoint).into_owned(),
			delivery,
		));
	}
	let events = chain
		.submit(
			&api::tx().key_grants().create_grant(
				*grantee,
				GrantScope::Record(record),
				entries,
				threshold,
				expires_at,
			),
			&material.keypair()?,
		)
		.await?;
	let grant = chain::find_event::<key_grants::GrantCreated>(&events)?.grant;
	let mut outcome = GrantOutcome {
		grant,
		delivered: Vec::new(),
		failed: Vec::new(),
	};
	for (endpoint, mut delivery) in deliveries {
		delivery.grant = grant;
		let result = async {
			GatewayClient::new(&endpoint)?
				.deliver_kfrag(&delivery)
				.await
		}
		.await;
		match result {
			Ok(()) => outcome.delivered.push(endpoint),
			Err(e) => outcome.failed.push(format!("{endpoint}: {e}")),
		}
	}
	Ok(outcome)
}

/// Revokes a grant: proxies refuse from the next block on.
pub async fn revoke_grant(chain: &Chain, material: &KeyMaterial, grant: u64) -> Result<(), Error> {
	chain
		.submit(
			&api::tx().key_grants().revoke_grant(grant),
			&material.keypair()?,
		)
		.await
		.map(drop)
}
