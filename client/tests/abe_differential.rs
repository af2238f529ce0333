//! Differential test: the runtime's policy evaluator and real CP-ABE decryption agree.
//!
//! Random policies (`and`, `or`, `k of`, nested, over attributes from one to three authorities,
//! one attribute covered by two authorities) go through the chain's own code path
//! (`medchain_consent_primitives::policy::validate`: parse, bounds, canonical text, compiled form). Every
//! policy the chain accepts must be encryptable: the data key is wrapped under the canonical
//! text with the SDK's routing (`flows::abe_routes`, the authorities whose scopes cover each
//! attribute) and rabe's AW11. Then random readers, each holding a random attribute set (each
//! attribute issued by one covering authority, as the chain requires), are asked both ways:
//! the runtime's `CompiledPolicy::evaluate` on the attributes, and whether AW11 decryption with
//! the reader's keys from those authorities returns the data key. The answers must be equal.
//!
//! Cases: `MEDCHAIN_ABE_DIFF_CASES` (default 300; `scripts/abe-differential.sh` runs
//! thousands). Seed: `MEDCHAIN_ABE_DIFF_SEED` (default: from the clock, printed, so a failure
//! can be replayed).

use std::collections::BTreeMap;

use medchain_client::{
	abe::{self, AuthorityKeys},
	chain::consent::{AbeKeyCommitment, AuthorityEntry, AuthorityStatus},
	flows,
	keystore::KeyMaterial,
};
use medchain_consent_primitives::policy::{self, AttributeName};
use rand::{rngs::StdRng, seq::SliceRandom, Rng, SeedableRng};
use subxt::utils::{AccountId32, H256};

/// The authorities: dev accounts, their scopes and the attributes their keys cover.
const AUTHORITIES: [(&str, &[&str], &[&str]); 3] = [
	(
		"5GrwvaEF5zXb26Fz9rcQpDWS57CtERHpNehXCPcNoHGKutQY",
		&["org:*", "s:shared"],
		&["org:a", "org:b", "org:c", "s:shared"],
	),
	(
		"5FHneW46xGXgs5mUiveU4sbTyGBzmstUspZC92UhjJM694ty",
		&["license:*", "s:shared"],
		&["license:md", "license:rn", "license:pharm", "s:shared"],
	),
	(
		"5FLSigC9HGRKVhB9FiEo4Y3koPsNmBmLJbpXg2mp1hXcS59Y",
		&["role:*"],
		&["role:x", "role:y", "role:z"],
	),
];
const READER: &str = "5DAAnrj7VHTznn2AWBemMuyBwZWs6FNFjdyVXUeYum3PTXFy";

struct World {
	keys: Vec<AuthorityKeys>,
	listed: Vec<AuthorityEntry>,
	material: KeyMaterial,
}

fn world() -> World {
	let mut keys = Vec::new();
	let mut listed = Vec::new();
	let mut material = KeyMaterial::new("//Dave").unwrap();
	for (account, scopes, attributes) in AUTHORITIES {
		let authority = AuthorityKeys::generate(
			account,
			&attributes.iter().map(|a| a.to_string()).collect::<Vec<_>>(),
		)
		.unwrap();
		listed.push((
			account.parse::<AccountId32>().unwrap(),
			scopes.iter().map(|s| s.as_bytes().to_vec()).collect(),
			AuthorityStatus::Active,
			Some(AbeKeyCommitment {
				hash: H256(authority.public.commitment().unwrap()),
				version: 1,
				published_at: 0,
			}),
		));
		material
			.trusted_authorities
			.insert(account.to_string(), authority.public.clone());
		keys.push(authority);
	}
	World {
		keys,
		listed,
		material,
	}
}

/// A random policy in the chain's source syntax over `pool`, `depth` gate levels at most.
fn random_policy(rng: &mut StdRng, pool: &[&str], depth: u32) -> String {
	if depth == 0 || rng.gen_bool(0.3) {
		return format!("\"{}\"", pool.choose(rng).unwrap());
	}
	let n = rng.gen_range(2..=if depth > 1 { 3 } else { 4 });
	let children: Vec<String> = (0..n)
		.map(|_| random_policy(rng, pool, depth - 1))
		.collect();
	match rng.gen_range(0..3) {
		0 => format!("({})", children.join(" and ")),
		1 => format!("({})", children.join(" or ")),
		_ => format!("{} of ({})", rng.gen_range(1..=n), children.join(", ")),
	}
}

struct Tally {
	policies: usize,
	refused_by_bounds: usize,
	readers: usize,
	allowed: usize,
	rows: usize,
}

fn run_case(world: &World, rng: &mut StdRng, tally: &mut Tally) {
	// Attributes from one to three authorities.
	let mut chosen: Vec<usize> = (0..AUTHORITIES.len()).collect();
	chosen.shuffle(rng);
	chosen.truncate(rng.gen_range(1..=AUTHORITIES.len()));
	let pool: Vec<&str> = chosen
		.iter()
		.flat_map(|&i| AUTHORITIES[i].2.iter().copied())
		.collect::<std::collections::BTreeSet<_>>()
		.into_iter()
		.collect();
	let depth = rng.gen_range(1..=3);
	let source = random_policy(rng, &pool, depth);
	let validated = match policy::validate(source.as_bytes()) {
		Ok(validated) => validated,
		// The chain's bounds apply to the normalised tree: merging nested `or`s (`and`s) can
		// make a gate wider than 16, and expanding thresholds can exceed the canonical length.
		Err(
			policy::PolicyError::ExpansionTooLarge
			| policy::PolicyError::GateTooWide
			| policy::PolicyError::TooManyLeaves
			| policy::PolicyError::TooDeep,
		) => {
			tally.refused_by_bounds += 1;
			return;
		}
		Err(e) => panic!("the chain refused a policy within its bounds: {source}: {e:?}"),
	};
	let canonical = String::from_utf8(validated.canonical.to_vec()).unwrap();
	let routes = flows::abe_routes(&world.listed, &world.material, &canonical)
		.unwrap_or_else(|e| panic!("no routes for {canonical}: {e}"));
	let secret: [u8; 32] = rng.gen();
	let wrapped = abe::wrap(&canonical, &routes, &secret)
		.unwrap_or_else(|e| panic!("the chain accepts {source} but CP-ABE cannot encrypt it: {e}"));
	tally.policies += 1;
	tally.rows += wrapped.c.len();

	for _ in 0..6 {
		// A reader: each pool attribute with probability ~0.6, from one covering authority.
		let mut held: BTreeMap<usize, Vec<String>> = BTreeMap::new();
		let mut names: Vec<AttributeName> = Vec::new();
		for attribute in &pool {
			if !rng.gen_bool(0.6) {
				continue;
			}
			let issuers: Vec<usize> = (0..AUTHORITIES.len())
				.filter(|&i| AUTHORITIES[i].2.contains(attribute))
				.collect();
			let issuer = *issuers.choose(rng).unwrap();
			held.entry(issuer).or_default().push(attribute.to_string());
			names.push(attribute.as_bytes().to_vec().try_into().unwrap());
		}
		names.sort();
		let chain_says = validated.compiled.evaluate(&names);
		let keys: Vec<abe::UserKey> = held
			.iter()
			.map(|(&i, attributes)| world.keys[i].user_key(READER, attributes).unwrap())
			.collect();
		let refs: Vec<&abe::UserKey> = keys.iter().collect();
		let opened = abe::unwrap(&refs, &wrapped);
		let cp_abe_says = match &opened {
			Ok(plain) => {
				assert_eq!(plain, &secret, "decrypted to a wrong key: {canonical}");
				true
			}
			Err(_) => false,
		};
		assert_eq!(
			chain_says, cp_abe_says,
			"disagreement on {source}\ncanonical: {canonical}\nheld: {held:?}\ncp-abe: {opened:?}"
		);
		tally.readers += 1;
		tally.allowed += usize::from(chain_says);
	}
}

#[test]
fn the_runtime_evaluator_and_cp_abe_decryption_agree() {
	let cases: usize = std::env::var("MEDCHAIN_ABE_DIFF_CASES")
		.ok()
		.and_then(|v| v.parse().ok())
		.unwrap_or(300);
	let seed: u64 = std::env::var("MEDCHAIN_ABE_DIFF_SEED")
		.ok()
		.and_then(|v| v.parse().ok())
		.unwrap_or_else(|| {
			std::time::SystemTime::now()
				.duration_since(std::time::UNIX_EPOCH)
				.map(|d| d.as_nanos() as u64)
				.unwrap_or(1)
		});
	println!("differential CP-ABE test: {cases} cases, MEDCHAIN_ABE_DIFF_SEED={seed}");
	let world = world();
	let started = std::time::Instant::now();
	let workers = std::thread::available_parallelism()
		.map_or(1, |n| n.get())
		.min(4);
	let tallies: Vec<Tally> = std::thread::scope(|scope| {
		let handles: Vec<_> = (0..workers)
			.map(|worker| {
				let world = &world;
				scope.spawn(move || {
					let mut rng = StdRng::seed_from_u64(seed.wrapping_add(worker as u64));
					let mut tally = Tally {
						policies: 0,
						refused_by_bounds: 0,
						readers: 0,
						allowed: 0,
						rows: 0,
					};
					for _ in (worker..cases).step_by(workers) {
						run_case(world, &mut rng, &mut tally);
					}
					tally
				})
			})
			.collect();
		handles.into_iter().map(|h| h.join().unwrap()).collect()
	});
	let sum = |f: fn(&Tally) -> usize| tallies.iter().map(f).sum::<usize>();
	let (policies, readers, allowed) =
		(sum(|t| t.policies), sum(|t| t.readers), sum(|t| t.allowed));
	println!(
		"differential CP-ABE test: {policies} policies encrypted ({} ciphertext rows), {} beyond \
		 the chain's bounds, {readers} readers compared ({allowed} allowed, {} refused), all \
		 agree; {:.1} s",
		sum(|t| t.rows),
		sum(|t| t.refused_by_bounds),
		readers - allowed,
		started.elapsed().as_secs_f64()
	);
	// The comparison means something only if both answers occur often.
	assert!(policies * 9 >= cases * 8, "too few policies within bounds");
	assert!(allowed * 10 >= readers && (readers - allowed) * 10 >= readers);
}
