//! Proxy re-encryption grants against a real `medchain-node --dev`: the owner and grantee publish
//! PRE keys, two proxies bond and are admitted (sudo stands in for the council), the owner
//! creates a 2-of-2 grant, both proxies' signed attestations are accepted as receipts, the owner
//! revokes the grant, a later attestation is refused, and the grantee's evidence of service
//! after revocation is adjudicated with a slash of the proxy's bond.

use std::time::Duration;

use api::{key_grants::Call as KeyGrantsCall, runtime_types::pallet_key_grants::types::Verdict};
use medchain_integration_tests::{
	account_id as id, api, ask, content,
	key_grants::{
		Attestation, AttestationRecorded, Claim, EvidenceAdjudicated, EvidenceFiled, GrantCreated,
		GrantProxy, GrantScope, Outcome, Proxy, Receipt, RequestBinding,
	},
	records::{RecordInput, RecordRegistered},
	reserved_balance, token, Dispatched, TestNode,
};
use subxt::{transactions::Payload, utils::H256};
use subxt_signer::sr25519::{dev, Keypair};

const INCLUSION_TIMEOUT: Duration = Duration::from_secs(60);
const BLOCKS_TIMEOUT: Duration = Duration::from_secs(90);
/// The runtime's proxy bond (1,000 MED).
const PROXY_BOND: u128 = 1_000 * token::UNIT;
/// What governance slashes for serving after revocation.
const SLASH: u128 = 250 * token::UNIT;

async fn submit_sudo(node: &TestNode, call: KeyGrantsCall, governance: &Keypair) -> Dispatched {
	let call = api::Call::KeyGrants(call);
	node.sudo_ok(call, governance, INCLUSION_TIMEOUT)
		.await
		.expect("the Root call succeeds")
}

fn grants_api() -> api::runtime_apis::key_grants_api::KeyGrantsApi {
	api::runtime_apis().key_grants_api()
}

/// `proxy`'s attestation of re-encrypting capsule `seed` for `grant`, signed over the message
/// the runtime defines (fetched through the runtime API, as a proxy would).
/// `served_at` is the best block unless given; `seen` is the grantee's block (none: a zero
/// hash, which proves nothing).
async fn signed_attestation(
	node: &TestNode,
	proxy: &Keypair,
	grant: u64,
	seed: u8,
	served_at: Option<u32>,
	seen: Option<(u32, H256)>,
) -> (Attestation, [u8; 64]) {
	let best = node.best_block().await.expect("best block");
	let (seen, seen_hash) = seen.unwrap_or((0, H256::zero()));
	let attestation = Attestation {
		grant,
		proxy: id(proxy),
		capsule_hash: H256::repeat_byte(seed),
		cfrag_hash: H256::repeat_byte(seed.wrapping_add(0x80)),
		served_at: served_at.unwrap_or(best.number as u32),
		request: RequestBinding {
			digest: H256::repeat_byte(seed),
			seen,
			seen_hash,
		},
	};
	let state = node.state_at(&best).await.expect("client at best");
	let message = ask(
		&state,
		grants_api().attestation_message(attestation.clone()),
	)
	.await;
	(attestation, proxy.sign(&message).0)
}

fn attest(attestation: Attestation, signature: [u8; 64]) -> impl Payload {
	api::tx()
		.key_grants()
		.submit_attestation(attestation, signature)
}

#[tokio::test]
async fn two_of_two_grant_attestations_revocation_and_slash() {
	let node = TestNode::dev()
		.await
		.expect("medchain-node --dev should start");
	let governance = dev::alice();
	let owner = dev::bob();
	let grantee = dev::charlie();
	let proxy_a = dev::dave();
	let proxy_b = dev::eve();

	// PRE keys (Umbral public keys are 33-byte compressed points; the chain stores them).
	for (who, key) in [(&owner, 0x02u8), (&grantee, 0x03u8)] {
		let mut public_key = [7u8; 33];
		public_key[0] = key;
		node.dispatch(
			&api::tx()
				.key_grants()
				.register_pre_keys(public_key, public_key),
			who,
		)
		.await;
	}

	// Two proxies bond and are admitted.
	for proxy in [&proxy_a, &proxy_b] {
		let before = reserved_balance(&node.client().at_current_block().await.unwrap(), &id(proxy))
			.await
			.unwrap();
		let dispatched = node
			.dispatch(
				&api::tx()
					.key_grants()
					.register_proxy([2u8; 33], b"https://proxy.medchain.example".to_vec()),
				proxy,
			)
			.await;
		let state = node.state_after(&dispatched).await;
		assert_eq!(
			reserved_balance(&state, &id(proxy)).await.unwrap(),
			before + PROXY_BOND
		);
		let admit = KeyGrantsCall::admit_proxy { proxy: id(proxy) };
		submit_sudo(&node, admit, &governance).await;
	}

	// A record of the owner, and a 2-of-2 grant over all the owner's records.
	let dispatched = node
		.dispatch(
			&api::tx().records().register_record(
				id(&owner),
				RecordInput {
					content: content(0x5A, 1 << 20),
					kind: b"ImagingStudy".to_vec(),
					policy: None,
				},
			),
			&owner,
		)
		.await;
	let record = dispatched
		.events
		.find_first::<RecordRegistered>()
		.expect("RecordRegistered")
		.expect("decodes")
		.record;
	let best = node.best_block().await.unwrap().number as u32;
	let dispatched = node
		.dispatch(
			&api::tx().key_grants().create_grant(
				id(&grantee),
				GrantScope::AllRecords,
				vec![
					GrantProxy {
						proxy: id(&proxy_a),
						kfrag_commitment: H256::repeat_byte(0xA1),
					},
					GrantProxy {
						proxy: id(&proxy_b),
						kfrag_commitment: H256::repeat_byte(0xB2),
					},
				],
				2,
				best + 1_000,
			),
			&owner,
		)
		.await;
	let created = dispatched
		.events
		.find_first::<GrantCreated>()
		.expect("GrantCreated")
		.expect("decodes");
	assert_eq!(
		(created.owner, created.grantee, created.threshold),
		(id(&owner), id(&grantee), 2)
	);
	let grant = created.grant;
	let state = node.state_after(&dispatched).await;
	assert!(
		ask(
			&state,
			grants_api().grant_active_for(grant, id(&proxy_a), record)
		)
		.await
	);
	assert!(
		!ask(
			&state,
			grants_api().grant_active_for(grant, id(&dev::ferdie()), record)
		)
		.await,
		"not one of the grant's proxies"
	);

	// Both proxies attest their re-encryption of the same capsule.
	let mut receipts = Vec::new();
	for proxy in [&proxy_a, &proxy_b] {
		let (attestation, signature) =
			signed_attestation(&node, proxy, grant, 0x11, None, None).await;
		let dispatched = node
			.dispatch(&attest(attestation.clone(), signature), proxy)
			.await;
		let recorded = dispatched
			.events
			.find_first::<AttestationRecorded>()
			.expect("AttestationRecorded")
			.expect("decodes");
		assert_eq!((recorded.grant, recorded.proxy), (grant, id(proxy)));
		receipts.push((attestation, dispatched.inclusion.block.number as u32));
	}
	let best = node.best_block().await.expect("best block");
	let state = node.state_at(&best).await.expect("client at best");
	let listed: Vec<Receipt> = ask(&state, grants_api().receipts(grant)).await;
	assert_eq!(
		listed
			.iter()
			.map(|r| (r.proxy, r.capsule_hash, r.served_at))
			.collect::<Vec<_>>(),
		receipts
			.iter()
			.map(|(a, _)| (a.proxy, a.capsule_hash, a.served_at))
			.collect::<Vec<_>>()
	);

	// The owner revokes; a later attestation is refused.
	let dispatched = node
		.dispatch(&api::tx().key_grants().revoke_grant(grant), &owner)
		.await;
	let revoked_at = dispatched.inclusion.block.number as u32;
	assert!(
		!ask(
			&node.state_after(&dispatched).await,
			grants_api().grant_active_for(grant, id(&proxy_a), record)
		)
		.await,
		"a revoked grant is not active"
	);
	node.wait_for_new_blocks(1, BLOCKS_TIMEOUT)
		.await
		.expect("a block");
	let (late, late_signature) = signed_attestation(&node, &proxy_a, grant, 0x22, None, None).await;
	assert!(late.served_at >= revoked_at);
	let refused = node
		.submit_failing(
			&attest(late.clone(), late_signature),
			&proxy_a,
			INCLUSION_TIMEOUT,
		)
		.await
		.expect("refused");
	assert_eq!(refused, "KeyGrants::GrantNotActive");

	// The proxy served anyway but dated its attestation one block before the revocation. On
	// its own that proves nothing; bound to a block the grantee had seen, the revocation's
	// own block, it does.
	let revocation_block = (revoked_at, H256(dispatched.inclusion.block.hash.0));
	let (backdated, signature) =
		signed_attestation(&node, &proxy_a, grant, 0x23, Some(revoked_at - 1), None).await;
	let refused = node
		.submit_failing(
			&api::tx().key_grants().file_evidence(
				grant,
				id(&proxy_a),
				Claim::ServedAfterRevocation {
					attestation: backdated,
					signature,
				},
			),
			&grantee,
			INCLUSION_TIMEOUT,
		)
		.await
		.expect("refused");
	assert_eq!(refused, "KeyGrants::NotAfterRevocation");
	let (backdated, signature) = signed_attestation(
		&node,
		&proxy_a,
		grant,
		0x23,
		Some(revoked_at - 1),
		Some(revocation_block),
	)
	.await;
	let claim = Claim::ServedAfterRevocation {
		attestation: backdated,
		signature,
	};
	let dispatched = node
		.dispatch(
			&api::tx()
				.key_grants()
				.file_evidence(grant, id(&proxy_a), claim),
			&grantee,
		)
		.await;
	let filed = dispatched
		.events
		.find_first::<EvidenceFiled>()
		.expect("EvidenceFiled")
		.expect("decodes");
	assert_eq!(
		(filed.grant, filed.proxy, filed.filer),
		(grant, id(&proxy_a), id(&grantee))
	);
	let state = node.state_after(&dispatched).await;
	let proxy: Option<Proxy> = ask(&state, grants_api().proxy(id(&proxy_a))).await;
	assert_eq!(proxy.map(|p| p.open_cases), Some(1));

	// Governance upholds it and slashes part of the bond.
	let adjudicate = KeyGrantsCall::adjudicate {
		case: filed.case,
		verdict: Verdict::Uphold { slash: SLASH },
	};
	let dispatched = submit_sudo(&node, adjudicate, &governance).await;
	let adjudicated = dispatched
		.events
		.find_first::<EvidenceAdjudicated>()
		.expect("EvidenceAdjudicated")
		.expect("decodes");
	assert_eq!(adjudicated.outcome, Outcome::Upheld { slashed: SLASH });
	let state = node.state_after(&dispatched).await;
	let proxy: Proxy = ask(&state, grants_api().proxy(id(&proxy_a)))
		.await
		.expect("still registered");
	assert_eq!((proxy.bond, proxy.open_cases), (PROXY_BOND - SLASH, 0));
	assert_eq!(
		reserved_balance(&state, &id(&proxy_a)).await.unwrap(),
		PROXY_BOND - SLASH,
		"the slashed part of the bond is gone"
	);
}
