//! Keys and roles: PRE keys, proxies, policies, custodians, attributes and the CP-ABE keys of
//! attribute authorities, checked against what the chain committed to.

use serde::Serialize;
use subxt::utils::{AccountId32, H256};

use crate::{
	abe,
	chain::{self, account_id, api, consent, records::CustodianScope, Chain},
	keystore::KeyMaterial,
	pre, Error,
};

/// Registers the account's Umbral keys on chain (needed to own records with PRE, to be a
/// grantee, to receive CP-ABE keys).
pub async fn register_pre_keys(chain: &Chain, material: &KeyMaterial) -> Result<(), Error> {
	let keys = material.pre_keys()?.public();
	chain
		.submit(
			&api::tx()
				.key_grants()
				.register_pre_keys(keys.public_key, keys.verifying_key),
			&material.keypair()?,
		)
		.await
		.map(drop)
}

/// Registers the account as a re-encryption proxy reachable at `endpoint` (its gateway),
/// bonding [`KeyGrants` ProxyBond]; governance must then admit it.
pub async fn register_proxy(
	chain: &Chain,
	material: &KeyMaterial,
	endpoint: &str,
) -> Result<(), Error> {
	let keys = material.pre_keys()?.public();
	chain
		.submit(
			&api::tx()
				.key_grants()
				.register_proxy(keys.public_key, endpoint.as_bytes().to_vec()),
			&material.keypair()?,
		)
		.await
		.map(drop)
}

/// Stores a consent policy; returns its id.
pub async fn create_policy(
	chain: &Chain,
	material: &KeyMaterial,
	text: &str,
) -> Result<u32, Error> {
	let events = chain
		.submit(
			&api::tx().consent().create_policy(text.as_bytes().to_vec()),
			&material.keypair()?,
		)
		.await?;
	Ok(chain::find_event::<consent::PolicyCreated>(&events)?.policy)
}

/// A patient authorises `custodian` to write records of `kinds` (all kinds if empty).
pub async fn authorize_custodian(
	chain: &Chain,
	material: &KeyMaterial,
	custodian: &AccountId32,
	kinds: &[String],
) -> Result<(), Error> {
	let scope = if kinds.is_empty() {
		CustodianScope::AllKinds
	} else {
		CustodianScope::Kinds(kinds.iter().map(|k| k.as_bytes().to_vec()).collect())
	};
	chain
		.submit(
			&api::tx()
				.records()
				.authorize_custodian(*custodian, scope, None),
			&material.keypair()?,
		)
		.await
		.map(drop)
}

/// An authority issues `attribute` to `holder` on chain.
pub async fn issue_attribute(
	chain: &Chain,
	material: &KeyMaterial,
	holder: &AccountId32,
	attribute: &str,
	expires_at: Option<u32>,
) -> Result<(), Error> {
	chain
		.submit(
			&api::tx().consent().issue_attribute(
				*holder,
				attribute.as_bytes().to_vec(),
				expires_at,
			),
			&material.keypair()?,
		)
		.await
		.map(drop)
}

/// A CP-ABE user key as handed to its holder: encrypted to the holder's Umbral key, with the
/// authority's public key (which the holder checks against the chain).
#[derive(Debug, Clone, Serialize, serde::Deserialize)]
pub struct IssuedKey {
	/// The issuing authority (SS58).
	pub authority: String,
	/// The holder the key is bound to (SS58).
	pub holder: String,
	/// The attributes the key covers.
	pub attributes: Vec<String>,
	/// The authority's public CP-ABE parameters.
	pub public: abe::AuthorityPublic,
	/// The user key, encrypted to the holder's Umbral key.
	pub key: pre::Wrapped,
}

/// `authority`'s entry in `listed`, or why it cannot be used for CP-ABE.
fn committed<'a>(
	listed: &'a [consent::AuthorityEntry],
	authority: &str,
) -> Result<(&'a consent::AuthorityEntry, &'a consent::AbeKeyCommitment), Error> {
	let account = chain::parse_account(authority)?;
	let entry = listed
		.iter()
		.find(|(who, ..)| *who == account)
		.ok_or_else(|| {
			Error::Invalid(format!(
				"{authority} is not an accredited authority on chain"
			))
		})?;
	let commitment = entry.3.as_ref().ok_or_else(|| {
		Error::Invalid(format!(
			"{authority} has published no CP-ABE key on chain (medchain authority publish)"
		))
	})?;
	Ok((entry, commitment))
}

/// Checks `public` against its authority's commitment on chain.
fn check_commitment(
	listed: &[consent::AuthorityEntry],
	public: &abe::AuthorityPublic,
) -> Result<u32, Error> {
	let (_, commitment) = committed(listed, &public.authority)?;
	let hash = public.commitment()?;
	if commitment.hash.0 != hash {
		return Err(Error::Tampered(format!(
			"this CP-ABE key of {} (hash 0x{}) is not the one it published on chain (version {}, \
			 hash 0x{}): refusing it",
			public.authority,
			hex::encode(hash),
			commitment.version,
			hex::encode(commitment.hash.0)
		)));
	}
	Ok(commitment.version)
}

/// Publishes the commitment to this authority's CP-ABE public key (first publication or
/// rotation). Returns the version on chain.
pub async fn publish_abe_key(chain: &Chain, material: &KeyMaterial) -> Result<u32, Error> {
	let authority = material.authority.as_ref().ok_or_else(|| {
		Error::Invalid("this keystore holds no authority keys (medchain authority init)".into())
	})?;
	let hash = authority.public.commitment()?;
	chain
		.submit(
			&api::tx().consent().publish_abe_key(H256(hash)),
			&material.keypair()?,
		)
		.await?;
	let listed = chain.authorities().await?;
	check_commitment(&listed, &authority.public)
}

/// What trusting an authority's key did.
#[derive(Debug, Clone, Serialize)]
pub struct Trusted {
	/// The authority (SS58).
	pub authority: String,
	/// The key's version on chain.
	pub version: u32,
	/// Whether it replaced a different copy held before (an older version).
	pub replaced: bool,
}

/// Trusts `public` for encrypting, after checking it is the key its authority committed to
/// on chain. A different copy held before is replaced only because the chain says this one
/// is current, and the outcome says so.
pub fn trust_checked(
	listed: &[consent::AuthorityEntry],
	material: &mut KeyMaterial,
	public: &abe::AuthorityPublic,
) -> Result<Trusted, Error> {
	let version = check_commitment(listed, public)?;
	let previous = material
		.trusted_authorities
		.insert(public.authority.clone(), public.clone());
	Ok(Trusted {
		authority: public.authority.clone(),
		version,
		replaced: previous.is_some_and(|old| old != *public),
	})
}

/// The authority side of CP-ABE: a user key over exactly the attributes this authority
/// issued to `holder` that are valid on chain now, encrypted to the holder's Umbral key.
/// The authority's key must be the one it published on chain.
pub async fn issue_abe_key(
	chain: &Chain,
	material: &KeyMaterial,
	holder: &AccountId32,
) -> Result<IssuedKey, Error> {
	let authority = material.authority.as_ref().ok_or_else(|| {
		Error::Invalid("this keystore holds no authority keys (medchain authority init)".into())
	})?;
	let me = account_id(&material.keypair()?);
	check_commitment(&chain.authorities().await?, &authority.public).map_err(|e| {
		Error::Invalid(format!(
			"{e}; publish the current key first (medchain authority publish)"
		))
	})?;
	let valid = chain
		.call(api::runtime_apis().consent_api().valid_attributes(*holder))
		.await?;
	let held = chain
		.read(api::storage().consent().attributes(), (*holder,))
		.await?
		.unwrap_or_default();
	let attributes: Vec<String> = held
		.into_iter()
		.filter(|a| a.issuer == me && valid.contains(&a.name))
		.map(|a| String::from_utf8_lossy(&a.name).into_owned())
		.collect();
	if attributes.is_empty() {
		return Err(Error::Invalid(format!(
			"{holder} holds no valid attribute issued by {me}"
		)));
	}
	let user_key = authority.user_key(&holder.to_string(), &attributes)?;
	let holder_keys = chain.pre_keys_of(holder).await?;
	let plain = zeroize::Zeroizing::new(
		serde_json::to_vec(&user_key).map_err(|e| Error::Crypto(e.to_string()))?,
	);
	Ok(IssuedKey {
		authority: me.to_string(),
		holder: holder.to_string(),
		attributes,
		public: authority.public.clone(),
		key: pre::wrap(&holder_keys.public_key, &plain)?,
	})
}

/// What importing a key did.
#[derive(Debug, Clone, Serialize)]
pub struct Imported {
	/// The issuing authority (SS58).
	pub authority: String,
	/// The attributes the key covers.
	pub attributes: Vec<String>,
	/// Whether it replaced a key from the same authority.
	pub replaced: bool,
	/// The authority's key version on chain.
	pub version: u32,
}

/// The holder side: opens an issued key, checks it is bound to this account and issued under
/// the key its authority committed to on chain, and keeps it (trusting that public key).
pub fn import_abe_key(
	listed: &[consent::AuthorityEntry],
	material: &mut KeyMaterial,
	issued: &IssuedKey,
) -> Result<Imported, Error> {
	if issued.public.authority != issued.authority {
		return Err(Error::Tampered(
			"the issued key names another authority than its public key".into(),
		));
	}
	let version = check_commitment(listed, &issued.public)?;
	let plain = zeroize::Zeroizing::new(pre::unwrap_own(&material.pre_keys()?, &issued.key)?);
	let key: abe::UserKey =
		serde_json::from_slice(&plain).map_err(|e| Error::Invalid(format!("issued key: {e}")))?;
	let me = account_id(&material.keypair()?).to_string();
	if key.gid != me {
		return Err(Error::Invalid(format!(
			"this CP-ABE key is bound to {}, not to this account {me}",
			key.gid
		)));
	}
	let tag = abe::tag_of(&issued.authority)?.to_uppercase();
	let mut attributes = Vec::new();
	for (name, _) in &key.attr {
		match abe::unqualified(name) {
			Some((attribute, by)) if by == tag => attributes.push(attribute),
			_ => {
				return Err(Error::Tampered(format!(
					"the key holds `{name}`, which is not an attribute of {}",
					issued.authority
				)))
			}
		}
	}
	let replaced = material
		.abe_keys
		.insert(issued.authority.clone(), key)
		.is_some();
	material
		.trusted_authorities
		.insert(issued.authority.clone(), issued.public.clone());
	Ok(Imported {
		authority: issued.authority.clone(),
		attributes,
		replaced,
		version,
	})
}

/// For each attribute of the canonical policy text, the public keys to encrypt it for: every
/// active authority whose on-chain scopes cover it (the chain lets in holders from any of
/// them). Each must have published a key, the keystore must trust exactly that key, and the
/// key must have an entry for the attribute; otherwise nothing is encrypted.
pub fn abe_routes(
	listed: &[consent::AuthorityEntry],
	material: &KeyMaterial,
	canonical: &str,
) -> Result<abe::Routes, Error> {
	let tree = medchain_consent_primitives::policy::parse_canonical(canonical.as_bytes())
		.map_err(|e| Error::Invalid(format!("not a canonical policy text ({e:?})")))?;
	let mut attributes = std::collections::BTreeSet::new();
	collect_attributes(&tree, &mut attributes);
	let mut routes = abe::Routes::default();
	for attribute in attributes {
		let covering: Vec<_> = listed
			.iter()
			.filter(|(_, scopes, ..)| {
				scopes.iter().any(|pattern| {
					medchain_consent_primitives::pattern_covers(pattern, attribute.as_bytes())
				})
			})
			.collect();
		let active: Vec<_> = covering
			.iter()
			.filter(|(_, _, status, _)| *status == consent::AuthorityStatus::Active)
			.collect();
		if active.is_empty() {
			return Err(Error::Invalid(if covering.is_empty() {
				format!(
					"no accredited authority covers `{attribute}`: nobody could read this record \
					 under its policy"
				)
			} else {
				format!(
					"every authority covering `{attribute}` is suspended: refusing to encrypt \
					 under a suspended authority"
				)
			}));
		}
		for (account, ..) in active {
			let authority = account.to_string();
			let public = material
				.trusted_authorities
				.get(&authority)
				.ok_or_else(|| {
					Error::Invalid(format!(
						"authority {authority} covers `{attribute}` but its CP-ABE key is not \
					 trusted by this keystore (medchain keys trust <its parameters file>)"
					))
				})?;
			check_commitment(listed, public).map_err(|e| {
				Error::Invalid(format!(
					"{e}; trust {authority}'s current parameters before writing"
				))
			})?;
			routes.add(&attribute, public)?;
		}
	}
	Ok(routes)
}

fn collect_attributes(
	expr: &medchain_consent_primitives::policy::Expr,
	out: &mut std::collections::BTreeSet<String>,
) {
	match expr {
		medchain_consent_primitives::policy::Expr::Attribute(name) => {
			out.insert(String::from_utf8_lossy(name).into_owned());
		}
		medchain_consent_primitives::policy::Expr::Gate { children, .. } => children
			.iter()
			.for_each(|child| collect_attributes(child, out)),
	}
}
