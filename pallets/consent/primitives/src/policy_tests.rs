//! Policy language: parser errors, canonical text, and property tests of the compiled
//! evaluator against the tree evaluator.

use crate::policy::*;
use proptest::prelude::*;

fn attrs(names: &[&str]) -> Vec<AttributeName> {
	let mut held: Vec<AttributeName> = names
		.iter()
		.map(|n| n.as_bytes().to_vec().try_into().unwrap())
		.collect();
	held.sort_by(|a, b| a.as_slice().cmp(b.as_slice()));
	held
}

fn canonical(text: &str) -> String {
	let validated = validate(text.as_bytes()).expect("valid policy");
	String::from_utf8(validated.canonical.into_inner()).unwrap()
}

fn allows(text: &str, held: &[&str]) -> bool {
	validate(text.as_bytes())
		.expect("valid policy")
		.compiled
		.evaluate(&attrs(held))
}

#[test]
fn issue_example_evaluates_as_written() {
	let policy = r#"("role:cardiologist" and "org:hospital-a") or "role:emergency""#;
	assert!(allows(policy, &["role:cardiologist", "org:hospital-a"]));
	assert!(allows(policy, &["role:emergency"]));
	assert!(!allows(policy, &["role:cardiologist"]));
	assert!(!allows(policy, &["org:hospital-a", "role:nurse"]));
	assert!(!allows(policy, &[]));
	assert_eq!(
		canonical(policy),
		r#"("role:cardiologist" and "org:hospital-a") or "role:emergency""#
	);
}

#[test]
fn operators_in_every_spelling_canonicalise_alike() {
	for text in [
		r#""a:x" and "b:y" and "c:z""#,
		r#""a:x" AND "b:y" && "c:z""#,
		r#"("a:x" and ("b:y" and "c:z"))"#,
		r#"  ( ( "a:x" ) and "b:y" and "c:z" )  "#,
		r#"3 of ("a:x", "b:y", "c:z")"#,
	] {
		assert_eq!(canonical(text), r#""a:x" and "b:y" and "c:z""#, "{text}");
	}
	assert_eq!(
		canonical(r#""a:x" || "b:y" OR "c:z""#),
		r#""a:x" or "b:y" or "c:z""#
	);
	assert_eq!(canonical(r#"1 of ("a:x", "b:y")"#), r#""a:x" or "b:y""#);
	assert_eq!(canonical(r#""a:x""#), r#""a:x""#);
}

#[test]
fn thresholds_expand_to_all_subsets() {
	let policy = r#"2 of ("role:nurse", "role:physician", "org:hospital-a")"#;
	assert_eq!(
		canonical(policy),
		r#"("role:nurse" and "role:physician") or ("role:nurse" and "org:hospital-a") or ("role:physician" and "org:hospital-a")"#
	);
	assert!(allows(policy, &["role:nurse", "org:hospital-a"]));
	assert!(!allows(policy, &["role:nurse"]));
	// The compiled form keeps the gate: 3 leaves, one gate.
	let compiled = validate(policy.as_bytes()).unwrap().compiled;
	assert_eq!(compiled.leaf_count(), 3);
	assert_eq!(compiled.nodes.len(), 4);
	assert_eq!(compiled.attributes.len(), 3);
}

#[test]
fn malformed_policies_are_refused_with_the_reason() {
	let cases: &[(&str, PolicyError)] = &[
		("", PolicyError::Empty),
		("   \n\t", PolicyError::Empty),
		(r#""a:x" and"#, PolicyError::Syntax),
		(r#"("a:x" and "b:y""#, PolicyError::Syntax),
		(r#""a:x" and "b:y")"#, PolicyError::Syntax),
		(r#""a:x"#, PolicyError::Syntax),
		(r#"a:x"#, PolicyError::Syntax),
		(r#""a:x" "b:y""#, PolicyError::Syntax),
		(r#""a:x" xor "b:y""#, PolicyError::Syntax),
		(r#""a:x" andy "b:y""#, PolicyError::Syntax),
		(r#"2 ("a:x", "b:y")"#, PolicyError::Syntax),
		(r#"2 of ("a:x" "b:y")"#, PolicyError::Syntax),
		(r#""a:x" and "b:y" or "c:z""#, PolicyError::MixedOperators),
		(r#""role_x:a""#, PolicyError::InvalidAttribute),
		(r#""Role:a""#, PolicyError::InvalidAttribute),
		(r#""role""#, PolicyError::InvalidAttribute),
		(r#""role:""#, PolicyError::InvalidAttribute),
		(r#"":a""#, PolicyError::InvalidAttribute),
		(r#""1role:a""#, PolicyError::InvalidAttribute),
		(r#""role:a b""#, PolicyError::InvalidAttribute),
		(r#"0 of ("a:x", "b:y")"#, PolicyError::InvalidThreshold),
		(r#"3 of ("a:x", "b:y")"#, PolicyError::InvalidThreshold),
		(r#"99999999999 of ("a:x")"#, PolicyError::InvalidThreshold),
	];
	for (text, expected) in cases {
		assert_eq!(
			validate(text.as_bytes()).map(|_| ()),
			Err(*expected),
			"{text:?}"
		);
	}
}

#[test]
fn bounds_are_enforced() {
	// Too long.
	let long = format!(r#""a:{}""#, "x".repeat(MAX_POLICY_TEXT_LEN as usize));
	assert_eq!(parse(long.as_bytes()), Err(PolicyError::TooLong));
	// An attribute name over the limit.
	let name = format!(r#""a:{}""#, "x".repeat(MAX_ATTRIBUTE_LEN as usize));
	assert_eq!(parse(name.as_bytes()), Err(PolicyError::InvalidAttribute));
	// 33 leaves (in two gates so no gate is too wide).
	let leaves: Vec<String> = (0..33).map(|i| format!(r#""a:v{i}""#)).collect();
	let text = format!(
		"({}) or ({})",
		leaves[..16].join(" and "),
		leaves[16..].join(" and ")
	);
	assert_eq!(parse(text.as_bytes()), Err(PolicyError::TooManyLeaves));
	// 32 leaves are fine.
	let text = format!(
		"({}) or ({})",
		leaves[..16].join(" and "),
		leaves[16..32].join(" and ")
	);
	assert_eq!(validate(text.as_bytes()).unwrap().compiled.leaf_count(), 32);
	// 17 children in one gate.
	let wide = leaves[..17].join(" or ");
	assert_eq!(parse(wide.as_bytes()), Err(PolicyError::GateTooWide));
	// Alternating and/or nested 9 deep.
	let mut deep = r#""a:x""#.to_string();
	for level in 0..9 {
		let op = if level % 2 == 0 { "and" } else { "or" };
		deep = format!(r#"({deep} {op} "b:y{level}")"#);
	}
	assert_eq!(parse(deep.as_bytes()), Err(PolicyError::TooDeep));
	// Redundant parentheses beyond the recursion bound.
	let parens = format!("{}\"a:x\"{}", "(".repeat(40), ")".repeat(40));
	assert_eq!(parse(parens.as_bytes()), Err(PolicyError::TooDeep));
	// A threshold whose expansion is too large for the canonical text.
	let many: Vec<String> = (0..16)
		.map(|i| format!(r#""namespace:value{i:02}""#))
		.collect();
	let text = format!("8 of ({})", many.join(", "));
	assert_eq!(
		validate(text.as_bytes()).map(|_| ()),
		Err(PolicyError::ExpansionTooLarge)
	);
}

#[test]
fn malformed_compiled_forms_fail_closed() {
	let mut compiled = validate(br#""a:x" and "b:y""#).unwrap().compiled;
	let held = attrs(&["a:x", "b:y"]);
	assert!(compiled.evaluate(&held));
	// A gate popping more than the stack holds.
	compiled
		.nodes
		.try_push(PolicyNode::Gate {
			threshold: 1,
			children: 5,
		})
		.unwrap();
	assert!(!compiled.evaluate(&held));
	// A leaf pointing outside the attribute table.
	let bad = CompiledPolicy {
		attributes: Default::default(),
		nodes: vec![PolicyNode::Attribute(3)].try_into().unwrap(),
	};
	assert!(!bad.evaluate(&held));
	// Two results left on the stack.
	let two = CompiledPolicy {
		attributes: vec![b"a:x".to_vec().try_into().unwrap()]
			.try_into()
			.unwrap(),
		nodes: vec![PolicyNode::Attribute(0), PolicyNode::Attribute(0)]
			.try_into()
			.unwrap(),
	};
	assert!(!two.evaluate(&held));
}

// --- Property tests ---

/// A small attribute alphabet, so random policies and attribute sets overlap often.
const ALPHABET: [&str; 6] = [
	"role:doctor",
	"role:nurse",
	"org:a",
	"org:b",
	"irb:approved",
	"x:y",
];

/// Random policy trees within the bounds, as (source text, tree).
fn arb_policy() -> impl Strategy<Value = Expr> {
	let leaf = (0..ALPHABET.len()).prop_map(|i| Expr::Attribute(ALPHABET[i].as_bytes().to_vec()));
	leaf.prop_recursive(4, 24, 4, |inner| {
		prop::collection::vec(inner, 2..=4).prop_flat_map(|children| {
			let n = children.len() as u32;
			(1..=n).prop_map(move |threshold| Expr::Gate {
				threshold,
				children: children.clone(),
			})
		})
	})
}

/// Writes a tree in the policy syntax, varying operator spellings and spacing.
fn source(expr: &Expr, style: u8) -> String {
	match expr {
		Expr::Attribute(name) => format!("\"{}\"", String::from_utf8_lossy(name)),
		Expr::Gate {
			threshold,
			children,
		} => {
			let parts: Vec<String> = children
				.iter()
				.map(|c| source(c, style.rotate_left(1)))
				.collect();
			let n = children.len() as u32;
			if *threshold == n && !style.is_multiple_of(3) {
				let op = ["and", "AND", "&&"][style as usize % 3];
				format!("({})", parts.join(&format!(" {op} ")))
			} else if *threshold == 1 && style % 3 != 1 {
				let op = ["or", "OR", "||"][style as usize % 3];
				format!("( {} )", parts.join(&format!("  {op}\n")))
			} else {
				format!("{threshold} of ({})", parts.join(", "))
			}
		}
	}
}

fn subset(mask: u8) -> Vec<AttributeName> {
	let names: Vec<&str> = ALPHABET
		.iter()
		.enumerate()
		.filter(|(i, _)| mask & (1 << i) != 0)
		.map(|(_, n)| *n)
		.collect();
	attrs(&names)
}

proptest! {
	#![proptest_config(ProptestConfig::with_cases(512))]

	/// The compiled evaluator agrees with the tree evaluator on every attribute set, and the
	/// canonical text (what CP-ABE gets) grants exactly the same sets.
	#[test]
	fn compiled_and_canonical_agree_with_reference(tree in arb_policy(), style in any::<u8>()) {
		let text = source(&tree, style);
		let validated = match validate(text.as_bytes()) {
			Ok(v) => v,
			// Random trees may expand beyond the canonical bound; that is the only refusal.
			Err(e) => {
				prop_assert_eq!(e, PolicyError::ExpansionTooLarge, "{}", text);
				return Ok(());
			},
		};
		let reparsed = parse_canonical(&validated.canonical).expect("canonical text re-parses");
		let rendered = canonical_text(&reparsed).expect("re-rendered");
		prop_assert_eq!(&rendered, &validated.canonical, "canonical text is a fixed point");
		for mask in 0u8..64 {
			let held = subset(mask);
			let has = |name: &[u8]| held.iter().any(|h| h.as_slice() == name);
			let reference = tree.holds(&has);
			prop_assert_eq!(validated.compiled.evaluate(&held), reference, "{} on {:?}", text, mask);
			prop_assert_eq!(reparsed.holds(&has), reference, "canonical of {}", text);
		}
	}

	/// No input makes the parser panic; anything accepted respects every bound.
	#[test]
	fn arbitrary_bytes_never_panic(bytes in prop::collection::vec(any::<u8>(), 0..300)) {
		if let Ok(validated) = validate(&bytes) {
			prop_assert!(validated.compiled.leaf_count() <= MAX_POLICY_LEAVES);
			prop_assert!(validated.canonical.len() <= MAX_CANONICAL_LEN as usize);
		}
	}

	/// Near-miss policies (random edits of valid ones) never panic either.
	#[test]
	fn edited_policies_never_panic(tree in arb_policy(), cut in any::<prop::sample::Index>(), byte in any::<u8>()) {
		let mut text = source(&tree, 0).into_bytes();
		let at = cut.index(text.len());
		text.insert(at, byte);
		let _ = validate(&text);
		text.truncate(at);
		let _ = validate(&text);
	}
}
