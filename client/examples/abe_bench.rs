//! CP-ABE wrap and unwrap times for 10-attribute policies, as the SDK runs them (rabe AW11).
//!
//! `cargo run --profile release --example abe_bench [runs]`: median over `runs` (default 10)
//! of wrapping a 32-byte data key and of unwrapping it with a satisfying reader's keys, for
//! a 10-attribute `and` and a 10-attribute `or`, each over attributes of two authorities.

use std::time::{Duration, Instant};

use medchain_client::abe::{self, AuthorityKeys, Routes};

const HOSPITAL: &str = "5GrwvaEF5zXb26Fz9rcQpDWS57CtERHpNehXCPcNoHGKutQY";
const BOARD: &str = "5FHneW46xGXgs5mUiveU4sbTyGBzmstUspZC92UhjJM694ty";
const READER: &str = "5FLSigC9HGRKVhB9FiEo4Y3koPsNmBmLJbpXg2mp1hXcS59Y";

fn median(mut times: Vec<Duration>) -> Duration {
	times.sort();
	times[times.len() / 2]
}

fn main() -> Result<(), medchain_client::Error> {
	let runs: usize = std::env::args()
		.nth(1)
		.and_then(|n| n.parse().ok())
		.unwrap_or(10);
	let ours: Vec<String> = (0..5).map(|i| format!("role:r{i}")).collect();
	let theirs: Vec<String> = (0..5).map(|i| format!("license:l{i}")).collect();
	let hospital = AuthorityKeys::generate(HOSPITAL, &ours)?;
	let board = AuthorityKeys::generate(BOARD, &theirs)?;
	let mut routes = Routes::default();
	for attribute in &ours {
		routes.add(attribute, &hospital.public)?;
	}
	for attribute in &theirs {
		routes.add(attribute, &board.public)?;
	}
	let keys = [
		hospital.user_key(READER, &ours)?,
		board.user_key(READER, &theirs)?,
	];
	let refs: Vec<&abe::UserKey> = keys.iter().collect();
	let all: Vec<String> = ours
		.iter()
		.chain(&theirs)
		.map(|a| format!("\"{a}\""))
		.collect();
	for (name, source) in [
		("10-attribute and, 2 authorities", all.join(" and ")),
		("10-attribute or, 2 authorities", all.join(" or ")),
	] {
		let validated = medchain_consent_primitives::policy::validate(source.as_bytes())
			.map_err(|e| medchain_client::Error::Invalid(format!("{e:?}")))?;
		let canonical = String::from_utf8_lossy(&validated.canonical).into_owned();
		let (mut wraps, mut unwraps) = (Vec::new(), Vec::new());
		for _ in 0..runs {
			let started = Instant::now();
			let wrapped = abe::wrap(&canonical, &routes, &[7u8; 32])?;
			wraps.push(started.elapsed());
			let started = Instant::now();
			let opened = abe::unwrap(&refs, &wrapped)?;
			unwraps.push(started.elapsed());
			assert_eq!(opened, vec![7u8; 32]);
		}
		println!(
			"{name}: wrap {:.1} ms, unwrap {:.1} ms (median of {runs})",
			median(wraps).as_secs_f64() * 1e3,
			median(unwraps).as_secs_f64() * 1e3
		);
	}
	Ok(())
}
