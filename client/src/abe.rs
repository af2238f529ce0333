//! Multi-authority ciphertext-policy attribute-based encryption (`rabe` 0.4, scheme AW11, the
//! Lewko–Waters decentralised scheme).
//!
//! ## Who holds what
//! - The consortium's **global parameters** are fixed: the standard generators of BN254's two
//!   source groups ([`global`]). Nobody has to be trusted to pick them.
//! - Every attribute **authority** generates its own key ([`AuthorityKeys::generate`]): per
//!   attribute it will key, a public pair and a secret pair. It publishes the BLAKE2b-256 of
//!   its public key ([`AuthorityPublic::commitment`]) on chain with `Consent.publish_abe_key`;
//!   adding attributes ([`AuthorityKeys::extend`]) or rotating means publishing again.
//! - A **reader** gets, from each authority that issued it attributes on chain, a key over
//!   exactly those attributes, bound to the reader's account ([`AuthorityKeys::user_key`]).
//!   Keys from different authorities combine because they are bound to the same account
//!   (AW11's global identifier), and keys of different accounts do not combine.
//!
//! ## What a ciphertext is encrypted under: the encoding
//! A record's policy is the chain's canonical text (see `medchain_consent_primitives::policy`), which the
//! runtime evaluates. A writer encrypts under [`abe_text`] of it, a deterministic encoding
//! that rabe accepts for every policy the chain accepts:
//! - every attribute leaf `"x"` becomes the authority-qualified name `"X@<authority>"` (the
//!   authority's account id in hex, everything upper case since AW11 upper-cases names); if
//!   several active authorities' on-chain scopes cover `x`, the leaf becomes the `or` of all of
//!   them, since the chain accepts `x` from any of them ([`Routes`]);
//! - `and` gates are written as balanced binary trees (rabe's matrix conversion refuses an
//!   `and` with other than two children), `or` gates stay n-ary;
//! - thresholds are already expanded by the chain into the `or` of the `and`s of their
//!   `k`-subsets. The expansion repeats attributes, which AW11 handles: rabe shares the secret
//!   over the policy tree and names every ciphertext row by its leaf's position, so a repeated
//!   attribute is a distinct row, and decryption uses exactly one satisfied branch of each
//!   `or`.
//!
//! So the rows of a ciphertext under attribute `x` are encrypted only with the keys of
//! authorities whose on-chain scopes cover `x`: an authority accredited for `org:lab-x` can
//! mint a key named `role:psychiatrist` under its own master key, but no writer encrypts
//! `role:psychiatrist` rows under that authority's parameters, so the key opens nothing.
//!
//! ## Limits (read before relying on it)
//! - CP-ABE keys cannot be revoked: a key keeps working on ciphertexts it already fetched.
//!   What stops a reader whose attribute was revoked is the chain (no ticket, no receipt) and
//!   the gateway (no ciphertext without a live ticket).
//! - Records written before an authority is accredited for an attribute, or before it
//!   rotates, are not encrypted for holders of its newer keys until they are re-sealed
//!   (`Records.set_policy`).
//! - rabe hashes an account into the first group as `g1 · sha3(account)`, whose discrete
//!   logarithm is public. Consequence: two holders of the same attribute who pool their keys
//!   can derive that attribute's key for any account, so collusion resistance holds only
//!   against coalitions with no two holders of a common attribute. This is rabe's, not
//!   MedChain's, and is the price of using a published implementation instead of writing
//!   pairing code.
//! - AW11 costs a pairing and two target-group exponentiations per ciphertext row: about
//!   20 ms per row on the 2-core development machine (`cargo run --release --example
//!   abe_bench`).
//!
//! `rabe` panics on inputs it does not expect; every call goes through [`guarded`], which
//! turns a panic into an error and keeps the panic message and backtrace off the terminal.

use std::{
	cell::Cell,
	collections::{BTreeMap, BTreeSet},
	sync::Once,
};

use blake2::{digest::consts::U32, Blake2b, Digest};
use medchain_consent_primitives::policy::{parse_canonical, Expr};
use rabe::{
	schemes::aw11::{self, Aw11Ciphertext, Aw11GlobalKey, Aw11MasterKey, Aw11PublicKey},
	utils::policy::pest::PolicyLanguage,
};
use rabe_bn::{Group, G1, G2};
use serde::{Deserialize, Serialize};

use crate::Error;

/// A reader's key from one authority (AW11 secret key: the account it is bound to and one
/// group element per qualified attribute name).
pub type UserKey = aw11::Aw11SecretKey;
/// A data key wrapped under a policy.
pub type WrappedKey = Aw11Ciphertext;
/// An authority's public key as exchanged (the name kept for callers).
pub type PublicParams = AuthorityPublic;

/// The consortium's global parameters: the standard generators of G1 and G2.
pub fn global() -> Aw11GlobalKey {
	Aw11GlobalKey {
		g1: G1::one(),
		g2: G2::one(),
	}
}

/// The qualified, upper-case name of `attribute` as keyed by the authority tagged `tag`.
pub fn qualified(attribute: &str, tag: &str) -> String {
	format!("{}@{}", attribute.to_uppercase(), tag.to_uppercase())
}

/// Splits a [`qualified`] name into the attribute (lower case, as on chain) and the tag.
pub fn unqualified(name: &str) -> Option<(String, &str)> {
	name.rsplit_once('@')
		.map(|(attribute, tag)| (attribute.to_lowercase(), tag))
}

/// An authority's tag in qualified names: its account id in hex.
pub fn tag_of(authority: &str) -> Result<String, Error> {
	Ok(hex::encode(crate::chain::parse_account(authority)?.0))
}

/// An authority's public key, as exported, trusted and committed to on chain.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
pub struct AuthorityPublic {
	/// The authority's account (SS58).
	pub authority: String,
	/// rabe's public key: one entry per attribute, named [`qualified`].
	pub key: Aw11PublicKey,
}

impl AuthorityPublic {
	/// BLAKE2b-256 of the key's canonical bytes (its JSON), as published on chain.
	pub fn commitment(&self) -> Result<[u8; 32], Error> {
		let bytes = serde_json::to_vec(self).map_err(|e| Error::Crypto(e.to_string()))?;
		Ok(Blake2b::<U32>::digest(bytes).into())
	}

	/// The key's entry for `attribute`, if it has one.
	pub fn entry(&self, attribute: &str) -> Result<Option<&(String, rabe_bn::Gt, G2)>, Error> {
		let name = qualified(attribute, &tag_of(&self.authority)?);
		Ok(self.key.attr.iter().find(|(n, _, _)| *n == name))
	}

	/// The attributes (lower case, unqualified) this key has entries for.
	pub fn attributes(&self) -> Vec<String> {
		self.key
			.attr
			.iter()
			.filter_map(|(name, _, _)| unqualified(name).map(|(attribute, _)| attribute))
			.collect()
	}
}

/// An authority's public key and master secret.
#[derive(Clone, Serialize, Deserialize)]
pub struct AuthorityKeys {
	/// What it publishes.
	pub public: AuthorityPublic,
	/// Per attribute, the secret exponents.
	pub master: Aw11MasterKey,
}

fn check_attribute(attribute: &str) -> Result<(), Error> {
	medchain_consent_primitives::policy::validate_attribute(attribute.as_bytes()).map_err(|_| {
		Error::Invalid(format!(
			"`{attribute}` is not a `namespace:value` attribute"
		))
	})
}

impl AuthorityKeys {
	/// A new key for `authority` (SS58) over `attributes`.
	pub fn generate(authority: &str, attributes: &[String]) -> Result<Self, Error> {
		let mut keys = Self {
			public: AuthorityPublic {
				authority: authority.to_string(),
				key: Aw11PublicKey { attr: Vec::new() },
			},
			master: Aw11MasterKey { attr: Vec::new() },
		};
		if keys.extend(attributes)?.is_empty() {
			return Err(Error::Invalid(
				"an authority key needs at least one attribute".into(),
			));
		}
		Ok(keys)
	}

	/// Adds entries for those of `attributes` the key does not have yet (existing entries,
	/// and so the user keys issued under them, stay valid). Returns the added ones. The
	/// public key changes: publish its new commitment.
	pub fn extend(&mut self, attributes: &[String]) -> Result<Vec<String>, Error> {
		let tag = tag_of(&self.public.authority)?;
		let mut added = Vec::new();
		let mut names = Vec::new();
		for attribute in attributes.iter().collect::<BTreeSet<_>>() {
			check_attribute(attribute)?;
			if self.public.entry(attribute)?.is_none() {
				names.push(qualified(attribute, &tag));
				added.push(attribute.clone());
			}
		}
		if names.is_empty() {
			return Ok(added);
		}
		let refs: Vec<&str> = names.iter().map(String::as_str).collect();
		let (public, master) =
			guarded("CP-ABE authority setup", || aw11::authgen(&global(), &refs))?
				.ok_or_else(|| Error::Crypto("CP-ABE authority setup returned nothing".into()))?;
		self.public.key.attr.extend(public.attr);
		self.master.attr.extend(master.attr);
		Ok(added)
	}

	/// A key for the account `holder` (SS58) over `attributes` (names as on chain).
	pub fn user_key(&self, holder: &str, attributes: &[String]) -> Result<UserKey, Error> {
		if attributes.is_empty() {
			return Err(Error::Invalid(
				"a user key needs at least one attribute".into(),
			));
		}
		crate::chain::parse_account(holder)?;
		let tag = tag_of(&self.public.authority)?;
		let mut names = Vec::new();
		for attribute in attributes {
			check_attribute(attribute)?;
			let name = qualified(attribute, &tag);
			if !self.master.attr.iter().any(|(n, _, _)| *n == name) {
				return Err(Error::Invalid(format!(
					"`{attribute}` is not in this authority's CP-ABE key: extend it \
					 (medchain authority extend --attributes {attribute}) and publish again"
				)));
			}
			names.push(name);
		}
		let refs: Vec<&str> = names.iter().map(String::as_str).collect();
		guarded("CP-ABE key generation", || {
			aw11::keygen(&global(), &self.master, holder, &refs)
		})?
		.map_err(|e| Error::Crypto(format!("CP-ABE key generation: {e}")))
	}
}

/// For each attribute of a policy, the public keys of the authorities whose readers the
/// chain lets in for it: the writer encrypts the attribute's rows for each of them.
#[derive(Clone, Debug, Default)]
pub struct Routes {
	by_attribute: BTreeMap<String, Vec<(String, (String, rabe_bn::Gt, G2))>>,
}

impl Routes {
	/// Routes `attribute` to `public`'s authority. Fails if its key has no entry for it.
	pub fn add(&mut self, attribute: &str, public: &AuthorityPublic) -> Result<(), Error> {
		let entry = public.entry(attribute)?.cloned().ok_or_else(|| {
			Error::Invalid(format!(
				"authority {}'s CP-ABE key has no entry for `{attribute}`: it must extend \
					 its key to it and publish again",
				public.authority
			))
		})?;
		let routes = self.by_attribute.entry(attribute.to_string()).or_default();
		if !routes.iter().any(|(a, _)| *a == public.authority) {
			routes.push((public.authority.clone(), entry));
		}
		Ok(())
	}

	/// The authorities (SS58) some attribute is routed to, sorted.
	pub fn authorities(&self) -> Vec<String> {
		self.by_attribute
			.values()
			.flatten()
			.map(|(authority, _)| authority.clone())
			.collect::<BTreeSet<_>>()
			.into_iter()
			.collect()
	}

	fn qualified_names(&self, attribute: &[u8]) -> Result<Vec<String>, Error> {
		let attribute = String::from_utf8_lossy(attribute);
		match self.by_attribute.get(attribute.as_ref()) {
			Some(routes) if !routes.is_empty() => Ok(routes
				.iter()
				.map(|(_, (name, _, _))| name.clone())
				.collect()),
			_ => Err(Error::Invalid(format!(
				"no authority to encrypt `{attribute}` for: no trusted, active authority whose \
				 on-chain scopes cover it has a published key for it"
			))),
		}
	}

	/// One public key holding exactly the routed entries: rabe looks names up in it, so
	/// nothing outside the routes can be used.
	fn public_key(&self) -> Aw11PublicKey {
		Aw11PublicKey {
			attr: self
				.by_attribute
				.values()
				.flatten()
				.map(|(_, entry)| entry.clone())
				.collect(),
		}
	}
}

/// The text a policy's data key is encrypted under (see the module docs): `canonical` is the
/// chain's canonical text. Fails if an attribute has no route.
pub fn abe_text(canonical: &str, routes: &Routes) -> Result<String, Error> {
	let tree = parse_canonical(canonical.as_bytes())
		.map_err(|e| Error::Invalid(format!("not a canonical policy text ({e:?}): {canonical}")))?;
	let mut out = String::new();
	render(&tree, routes, true, &mut out)?;
	Ok(out)
}

fn render(expr: &Expr, routes: &Routes, top: bool, out: &mut String) -> Result<(), Error> {
	let open = |out: &mut String| {
		if !top {
			out.push('(')
		}
	};
	let close = |out: &mut String| {
		if !top {
			out.push(')')
		}
	};
	match expr {
		Expr::Attribute(name) => {
			let names = routes.qualified_names(name)?;
			if names.len() > 1 {
				open(out);
			}
			for (i, name) in names.iter().enumerate() {
				if i > 0 {
					out.push_str(" or ");
				}
				out.push('"');
				out.push_str(name);
				out.push('"');
			}
			if names.len() > 1 {
				close(out);
			}
		}
		Expr::Gate {
			threshold,
			children,
		} if *threshold == 1 => {
			open(out);
			for (i, child) in children.iter().enumerate() {
				if i > 0 {
					out.push_str(" or ");
				}
				render(child, routes, false, out)?;
			}
			close(out);
		}
		Expr::Gate {
			threshold,
			children,
		} if *threshold as usize == children.len() => {
			render_and(children, routes, top, out)?;
		}
		Expr::Gate { .. } => {
			return Err(Error::Invalid(
				"a threshold gate in a canonical text (the chain expands them)".into(),
			))
		}
	}
	Ok(())
}

/// `children` joined by `and` as a balanced binary tree.
fn render_and(
	children: &[Expr],
	routes: &Routes,
	top: bool,
	out: &mut String,
) -> Result<(), Error> {
	match children {
		[] => Err(Error::Invalid("an empty gate".into())),
		[only] => render(only, routes, top, out),
		_ => {
			let (left, right) = children.split_at(children.len() / 2);
			if !top {
				out.push('(');
			}
			render_and(left, routes, false, out)?;
			out.push_str(" and ");
			render_and(right, routes, false, out)?;
			if !top {
				out.push(')');
			}
			Ok(())
		}
	}
}

fn leaf_count(text: &str) -> usize {
	text.matches('"').count() / 2
}

/// Wraps `secret` under the chain's canonical policy text `canonical`, for the authorities in
/// `routes`.
pub fn wrap(canonical: &str, routes: &Routes, secret: &[u8]) -> Result<WrappedKey, Error> {
	let text = abe_text(canonical, routes)?;
	let public = routes.public_key();
	let wrapped = guarded("CP-ABE encryption", || {
		aw11::encrypt(
			&global(),
			&[&public],
			&text,
			PolicyLanguage::HumanPolicy,
			secret,
		)
	})?
	.map_err(|e| Error::Crypto(format!("CP-ABE encryption under {canonical}: {e}")))?;
	// rabe silently skips a row whose attribute it finds in no key: refuse such a ciphertext.
	if wrapped.c.len() != leaf_count(&text) {
		return Err(Error::Crypto(format!(
			"CP-ABE encryption under {canonical} left rows out"
		)));
	}
	Ok(wrapped)
}

/// Opens a wrapped secret with the reader's keys (from one or several authorities, all bound
/// to the same account) whose attributes satisfy its policy.
pub fn unwrap(keys: &[&UserKey], wrapped: &WrappedKey) -> Result<Vec<u8>, Error> {
	let Some(first) = keys.first() else {
		return Err(Error::Decrypt("no CP-ABE key in this keystore".into()));
	};
	if keys.iter().any(|key| key.gid != first.gid) {
		return Err(Error::Invalid(
			"CP-ABE keys bound to different accounts do not combine".into(),
		));
	}
	let combined = UserKey {
		gid: first.gid.clone(),
		attr: keys
			.iter()
			.flat_map(|key| key.attr.iter().cloned())
			.collect(),
	};
	guarded("CP-ABE decryption", || {
		aw11::decrypt(&global(), &combined, wrapped)
	})?
	.map_err(|_| {
		let held: Vec<String> = combined
			.attr
			.iter()
			.filter_map(|(name, _)| unqualified(name).map(|(attribute, _)| attribute))
			.collect();
		Error::Decrypt(format!(
			"these keys' attributes {held:?} do not satisfy the record's policy"
		))
	})
}

thread_local! {
	static QUIET: Cell<bool> = const { Cell::new(false) };
}

/// Runs `f`, turning a panic inside `rabe` into an error. The panic hook stays silent while
/// `f` runs on this thread, so a caught library panic reaches the user once, as the error.
pub fn guarded<R>(what: &str, f: impl FnOnce() -> R) -> Result<R, Error> {
	static HOOK: Once = Once::new();
	HOOK.call_once(|| {
		let previous = std::panic::take_hook();
		std::panic::set_hook(Box::new(move |info| {
			if !QUIET.with(Cell::get) {
				previous(info)
			}
		}));
	});
	QUIET.with(|quiet| quiet.set(true));
	let result = std::panic::catch_unwind(std::panic::AssertUnwindSafe(f));
	QUIET.with(|quiet| quiet.set(false));
	result.map_err(|_| Error::Crypto(format!("{what} failed on malformed input")))
}

#[cfg(test)]
mod tests {
	use super::*;

	const A: &str = "5GrwvaEF5zXb26Fz9rcQpDWS57CtERHpNehXCPcNoHGKutQY"; // //Alice
	const B: &str = "5FHneW46xGXgs5mUiveU4sbTyGBzmstUspZC92UhjJM694ty"; // //Bob
	const READER: &str = "5FLSigC9HGRKVhB9FiEo4Y3koPsNmBmLJbpXg2mp1hXcS59Y"; // //Charlie
	const OTHER: &str = "5DAAnrj7VHTznn2AWBemMuyBwZWs6FNFjdyVXUeYum3PTXFy"; // //Dave

	fn names(list: &[&str]) -> Vec<String> {
		list.iter().map(|s| s.to_string()).collect()
	}

	fn canonical(source: &str) -> String {
		let validated = medchain_consent_primitives::policy::validate(source.as_bytes()).unwrap();
		String::from_utf8(validated.canonical.into_inner()).unwrap()
	}

	fn routes_for(attributes: &[&str], keys: &AuthorityKeys) -> Routes {
		let mut routes = Routes::default();
		for attribute in attributes {
			routes.add(attribute, &keys.public).unwrap();
		}
		routes
	}

	#[test]
	fn three_attribute_and_and_thresholds_open_for_exactly_the_chains_readers() {
		let attributes = ["a:x", "b:y", "c:z"];
		let authority = AuthorityKeys::generate(A, &names(&attributes)).unwrap();
		let routes = routes_for(&attributes, &authority);
		for (source, allowed, refused) in [
			(
				r#""a:x" and "b:y" and "c:z""#,
				vec![vec!["a:x", "b:y", "c:z"]],
				vec![vec!["a:x", "b:y"], vec!["c:z"]],
			),
			(
				r#"2 of ("a:x", "b:y", "c:z")"#,
				vec![
					vec!["a:x", "b:y"],
					vec!["a:x", "c:z"],
					vec!["b:y", "c:z"],
					vec!["a:x", "b:y", "c:z"],
				],
				vec![vec!["a:x"], vec!["c:z"]],
			),
		] {
			let text = canonical(source);
			let wrapped = wrap(&text, &routes, &[9u8; 32]).unwrap();
			for set in allowed {
				let key = authority.user_key(READER, &names(&set)).unwrap();
				assert_eq!(
					unwrap(&[&key], &wrapped).unwrap(),
					vec![9u8; 32],
					"{source} {set:?}"
				);
			}
			for set in refused {
				let key = authority.user_key(READER, &names(&set)).unwrap();
				assert!(
					matches!(unwrap(&[&key], &wrapped), Err(Error::Decrypt(_))),
					"{source} {set:?}"
				);
			}
		}
	}

	#[test]
	fn a_policy_mixing_two_authorities_needs_keys_from_both_bound_to_one_account() {
		let hospital = AuthorityKeys::generate(A, &names(&["org:hospital-a"])).unwrap();
		let board = AuthorityKeys::generate(B, &names(&["license:md"])).unwrap();
		let mut routes = Routes::default();
		routes.add("org:hospital-a", &hospital.public).unwrap();
		routes.add("license:md", &board.public).unwrap();
		let text = canonical(r#""org:hospital-a" and "license:md""#);
		let wrapped = wrap(&text, &routes, b"data key").unwrap();
		assert_eq!(routes.authorities().len(), 2);

		let from_hospital = hospital
			.user_key(READER, &names(&["org:hospital-a"]))
			.unwrap();
		let from_board = board.user_key(READER, &names(&["license:md"])).unwrap();
		assert_eq!(
			unwrap(&[&from_hospital, &from_board], &wrapped).unwrap(),
			b"data key"
		);
		assert!(unwrap(&[&from_hospital], &wrapped).is_err());
		// Collusion: another account's board key does not complete this reader's key.
		let others = board.user_key(OTHER, &names(&["license:md"])).unwrap();
		assert!(unwrap(&[&from_hospital, &others], &wrapped).is_err());
		// Forged combination: the same elements relabelled with one account still fail.
		let mut relabelled = others.clone();
		relabelled.gid = READER.to_string();
		assert!(unwrap(&[&from_hospital, &relabelled], &wrapped).is_err());
	}

	#[test]
	fn an_authority_minting_a_name_outside_its_routes_opens_nothing() {
		// The lab is accredited for `org:lab-x` only; the writer routes `role:psychiatrist`
		// to the hospital. The lab mints a key with that name under its own master key.
		let hospital = AuthorityKeys::generate(A, &names(&["role:psychiatrist"])).unwrap();
		let lab = AuthorityKeys::generate(B, &names(&["org:lab-x", "role:psychiatrist"])).unwrap();
		let mut routes = Routes::default();
		routes.add("role:psychiatrist", &hospital.public).unwrap();
		let wrapped = wrap(&canonical(r#""role:psychiatrist""#), &routes, b"k").unwrap();
		let minted = lab
			.user_key(READER, &names(&["role:psychiatrist"]))
			.unwrap();
		assert!(unwrap(&[&minted], &wrapped).is_err());
		// Even renamed to look like the hospital's entry it is the lab's exponent.
		let mut renamed = minted.clone();
		renamed.attr = renamed
			.attr
			.into_iter()
			.map(|(_, point)| (qualified("role:psychiatrist", &tag_of(A).unwrap()), point))
			.collect();
		assert!(unwrap(&[&renamed], &wrapped).is_err());
		let genuine = hospital
			.user_key(READER, &names(&["role:psychiatrist"]))
			.unwrap();
		assert_eq!(unwrap(&[&genuine], &wrapped).unwrap(), b"k");
	}

	#[test]
	fn an_attribute_covered_by_two_authorities_opens_with_either() {
		let one = AuthorityKeys::generate(A, &names(&["role:doctor"])).unwrap();
		let two = AuthorityKeys::generate(B, &names(&["role:doctor"])).unwrap();
		let mut routes = Routes::default();
		routes.add("role:doctor", &one.public).unwrap();
		routes.add("role:doctor", &two.public).unwrap();
		let text = canonical(r#""role:doctor""#);
		assert!(abe_text(&text, &routes).unwrap().contains(" or "));
		let wrapped = wrap(&text, &routes, b"k").unwrap();
		for keys in [&one, &two] {
			let key = keys.user_key(READER, &names(&["role:doctor"])).unwrap();
			assert_eq!(unwrap(&[&key], &wrapped).unwrap(), b"k");
		}
	}

	#[test]
	fn unroutable_policies_bad_keys_and_malformed_input_are_errors_not_panics() {
		let authority = AuthorityKeys::generate(A, &names(&["a:x"])).unwrap();
		let routes = routes_for(&["a:x"], &authority);
		// An attribute nobody routes.
		assert!(matches!(
			wrap(&canonical(r#""a:x" and "b:y""#), &routes, b"k"),
			Err(Error::Invalid(_))
		));
		// A key without the attribute cannot be routed to.
		assert!(Routes::default().add("b:y", &authority.public).is_err());
		// Not a canonical text.
		assert!(wrap(r#""a:x" and"#, &routes, b"k").is_err());
		assert!(wrap("", &routes, b"k").is_err());
		// Keys: no attributes, attributes the key lacks, bad names, bad accounts.
		assert!(authority.user_key(READER, &[]).is_err());
		assert!(authority.user_key(READER, &names(&["b:y"])).is_err());
		assert!(authority
			.user_key("not-an-account", &names(&["a:x"]))
			.is_err());
		assert!(AuthorityKeys::generate(A, &names(&["Bad_Name"])).is_err());
		assert!(AuthorityKeys::generate(A, &[]).is_err());
		// A tampered ciphertext or a key from nowhere: errors.
		let mut wrapped = wrap(&canonical(r#""a:x""#), &routes, b"k").unwrap();
		let key = authority.user_key(READER, &names(&["a:x"])).unwrap();
		wrapped.c.clear();
		assert!(unwrap(&[&key], &wrapped).is_err());
		assert!(unwrap(&[], &wrapped).is_err());
	}

	#[test]
	fn extending_keeps_issued_keys_valid_and_changes_the_commitment() {
		let mut authority = AuthorityKeys::generate(A, &names(&["a:x"])).unwrap();
		let before = authority.public.commitment().unwrap();
		let old_key = authority.user_key(READER, &names(&["a:x"])).unwrap();
		assert_eq!(
			authority.extend(&names(&["a:x", "b:y"])).unwrap(),
			names(&["b:y"])
		);
		assert_ne!(authority.public.commitment().unwrap(), before);
		assert_eq!(
			authority.extend(&names(&["b:y"])).unwrap(),
			Vec::<String>::new()
		);
		let routes = routes_for(&["a:x", "b:y"], &authority);
		let wrapped = wrap(&canonical(r#""a:x" or "b:y""#), &routes, b"k").unwrap();
		assert_eq!(unwrap(&[&old_key], &wrapped).unwrap(), b"k");
		assert_eq!(authority.public.attributes(), names(&["a:x", "b:y"]));
	}
}
