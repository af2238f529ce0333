//! # MedChain consent primitives
//!
//! What the chain and its clients must read identically, without FRAME, so that a browser (the
//! dApp's WebAssembly client) and the runtime parse and evaluate a consent policy the same way:
//!
//! - [`policy`]: the policy language: parsing, the canonical text clients encrypt under with
//!   CP-ABE, the compiled form stored on chain, and its evaluation;
//! - [`validate_pattern`] and [`pattern_covers`]: an attribute authority's scope (`org:a`, or a
//!   namespace `role:*`) and what it covers;
//! - [`READ_REQUEST_CONTEXT`]: the domain separation of a reader's signed download request.
//!
//! `pallet-consent` re-exports all of it under its old paths.

#![cfg_attr(not(feature = "std"), no_std)]
#![deny(missing_docs, rustdoc::broken_intra_doc_links)]

extern crate alloc;

pub mod policy;
#[cfg(test)]
mod policy_tests;

/// Checks an authority scope: an attribute (`org:hospital-a`) or a namespace (`role:*`).
///
/// # Errors
/// [`policy::PolicyError`] for what [`policy::validate_attribute`] refuses (for a namespace,
/// of the namespace with a one-letter value).
pub fn validate_pattern(pattern: &[u8]) -> Result<(), policy::PolicyError> {
	match pattern.strip_suffix(b"*") {
		// `ns:*` is valid if `ns:x` is a valid attribute.
		Some(prefix) if prefix.ends_with(b":") => {
			let mut probe = prefix.to_vec();
			probe.push(b'x');
			policy::validate_attribute(&probe)
		}
		_ => policy::validate_attribute(pattern),
	}
}

/// Whether `pattern` (`ns:value` or `ns:*`) covers `attribute`.
pub fn pattern_covers(pattern: &[u8], attribute: &[u8]) -> bool {
	match pattern.strip_suffix(b"*") {
		// `ns:*`: the prefix keeps its colon, so `role:*` does not cover `roles:x`.
		Some(prefix) => attribute.len() > prefix.len() && attribute.starts_with(prefix),
		None => pattern == attribute,
	}
}

/// Domain separation for a reader's signed download request: signatures over it cannot be
/// replayed as any other MedChain statement, nor on another chain (the genesis hash follows).
pub const READ_REQUEST_CONTEXT: &[u8] = b"medchain/read-request/v1";

#[cfg(test)]
mod tests {
	use super::*;

	#[test]
	fn scope_patterns_cover_their_namespace_only() {
		assert!(pattern_covers(b"role:*", b"role:nurse"));
		assert!(!pattern_covers(b"role:*", b"roles:nurse"));
		assert!(!pattern_covers(b"role:*", b"role:"));
		assert!(pattern_covers(b"org:a", b"org:a"));
		assert!(!pattern_covers(b"org:a", b"org:ab"));
	}

	#[test]
	fn scope_patterns_are_attributes_or_namespaces() {
		assert!(validate_pattern(b"role:*").is_ok());
		assert!(validate_pattern(b"org:hospital-a").is_ok());
		// A bare star, a star inside a value, and a namespace without its colon are refused.
		assert!(validate_pattern(b"*").is_err());
		assert!(validate_pattern(b"role:nu*rse").is_err());
		assert!(validate_pattern(b"role*").is_err());
	}
}
