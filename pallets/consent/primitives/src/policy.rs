//! Consent policies: parsing, canonical text, compiled form and evaluation.
//!
//! ## Syntax
//!
//! The human policy language of the `rabe` CP-ABE library, plus threshold gates:
//!
//! ```text
//! policy   := expr
//! expr     := operand ( and operand )*  |  operand ( or operand )*
//! operand  := "attribute"  |  ( expr )  |  k of ( expr , expr , ... )
//! and      := and | AND | &&          or := or | OR | ||
//! ```
//!
//! `and` and `or` may not be mixed at one level without parentheses (rabe rejects that too), so
//! every policy has exactly one reading. Attributes are quoted `namespace:value` strings (see
//! [`validate_attribute`]). Example: `("role:cardiologist" and "org:hospital-a") or
//! "role:emergency"`, or `2 of ("role:nurse", "role:physician", "org:hospital-a")`.
//!
//! ## Three forms
//!
//! - The **tree** ([`Expr`]): every gate is a threshold `k` of `n` children (`and` is `n` of
//!   `n`, `or` is 1 of `n`), normalised so single-child gates disappear and nested `and`s
//!   (`or`s) merge.
//! - The **canonical text** ([`canonical_text`]): what clients encrypt under. rabe has no
//!   threshold gates, so `k of n` is written as the `or` of the `and`s of all `k`-subsets,
//!   which grants exactly the same attribute sets. Re-parsing it gives an equivalent policy.
//!   Clients encode it for CP-ABE deterministically (attribute names qualified by the
//!   authorities covering them, `and`s as binary trees; see the client's `abe` module), and a
//!   differential test checks that CP-ABE decryption succeeds exactly when
//!   [`CompiledPolicy::evaluate`] allows.
//! - The **compiled form** ([`CompiledPolicy`]): a post-order list of nodes over a sorted table
//!   of distinct attributes, stored on chain and evaluated with a small stack in time linear in
//!   its size.
//!
//! Everything here is bounded: input length, leaves, gate width, nesting depth and the length of
//! the canonical text. Nothing panics on any input.

use alloc::vec::Vec;
use bounded_collections::{BoundedVec, ConstU32};
use codec::{Decode, DecodeWithMemTracking, Encode, MaxEncodedLen};
use scale_info::TypeInfo;

/// Longest attribute name in bytes, e.g. `role:cardiologist`.
pub const MAX_ATTRIBUTE_LEN: u32 = 64;
/// Longest policy text accepted from a caller, in bytes.
pub const MAX_POLICY_TEXT_LEN: u32 = 1024;
/// Longest canonical text (thresholds expanded), in bytes.
pub const MAX_CANONICAL_LEN: u32 = 4096;
/// Most attribute leaves a policy may have (repeats count).
pub const MAX_POLICY_LEAVES: u32 = 32;
/// Deepest gate nesting a policy may have (a single attribute has depth 0).
pub const MAX_POLICY_DEPTH: u32 = 8;
/// Most children one gate may have.
pub const MAX_GATE_CHILDREN: u32 = 16;
/// Most nodes of a compiled policy: every gate has at least two children, so gates are fewer
/// than leaves.
pub const MAX_POLICY_NODES: u32 = 2 * MAX_POLICY_LEAVES;

/// Bounds a parse enforces.
#[derive(Clone, Copy, Debug)]
pub struct Limits {
	/// Longest text, bytes.
	pub text: u32,
	/// Most attribute leaves.
	pub leaves: u32,
	/// Most children of one gate.
	pub children: u32,
	/// Deepest gate nesting.
	pub depth: u32,
}

/// Bounds on policies submitted to the chain.
pub const SOURCE_LIMITS: Limits = Limits {
	text: MAX_POLICY_TEXT_LEN,
	leaves: MAX_POLICY_LEAVES,
	children: MAX_GATE_CHILDREN,
	depth: MAX_POLICY_DEPTH,
};

/// Bounds on canonical texts: expanding thresholds widens `or` gates, repeats leaves and adds
/// one level per expanded gate. Only used to re-read canonical text (checks and clients).
pub const CANONICAL_LIMITS: Limits = Limits {
	text: MAX_CANONICAL_LEN,
	leaves: MAX_CANONICAL_LEN / 5,
	children: MAX_CANONICAL_LEN / 5,
	depth: 2 * MAX_POLICY_DEPTH,
};

/// An attribute: `namespace:value`, lowercase ASCII letters, digits, `-` and `.`.
pub type AttributeName = BoundedVec<u8, ConstU32<MAX_ATTRIBUTE_LEN>>;
/// Policy text as submitted.
pub type PolicyText = BoundedVec<u8, ConstU32<MAX_POLICY_TEXT_LEN>>;
/// Canonical policy text (rabe's syntax, no thresholds).
pub type CanonicalText = BoundedVec<u8, ConstU32<MAX_CANONICAL_LEN>>;

/// Why a policy or an attribute was rejected.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum PolicyError {
	/// No policy text, only whitespace.
	Empty,
	/// The text is longer than [`MAX_POLICY_TEXT_LEN`].
	TooLong,
	/// Not the policy syntax: unexpected character or token, unbalanced parentheses, an
	/// unterminated string, or text after the policy.
	Syntax,
	/// `and` and `or` mixed at one level without parentheses.
	MixedOperators,
	/// A quoted attribute is not `namespace:value` in the allowed characters.
	InvalidAttribute,
	/// A threshold `k of (n children)` with `k` = 0 or `k` > `n`.
	InvalidThreshold,
	/// More than [`MAX_POLICY_LEAVES`] attributes.
	TooManyLeaves,
	/// A gate with more than [`MAX_GATE_CHILDREN`] children.
	GateTooWide,
	/// Gates nested deeper than [`MAX_POLICY_DEPTH`].
	TooDeep,
	/// Expanding thresholds makes the canonical text longer than [`MAX_CANONICAL_LEN`].
	ExpansionTooLarge,
}

/// Checks an attribute name: `namespace:value`, where the namespace starts with a letter and
/// both parts use lowercase ASCII letters, digits, `-` and `.` (the value may be empty only
/// in an authority's `namespace:*` pattern, which is not an attribute). `_` is refused:
/// rabe's encryption cuts attribute names at `_`, which would make ciphertexts undecryptable.
pub fn validate_attribute(name: &[u8]) -> Result<(), PolicyError> {
	if name.len() > MAX_ATTRIBUTE_LEN as usize {
		return Err(PolicyError::InvalidAttribute);
	}
	let mut parts = name.splitn(2, |&b| b == b':');
	let (Some(namespace), Some(value)) = (parts.next(), parts.next()) else {
		return Err(PolicyError::InvalidAttribute);
	};
	let part_ok = |part: &[u8]| {
		!part.is_empty()
			&& part
				.iter()
				.all(|&b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-' || b == b'.')
	};
	let starts_with_letter = namespace.first().is_some_and(|b| b.is_ascii_lowercase());
	if starts_with_letter && part_ok(namespace) && part_ok(value) {
		Ok(())
	} else {
		Err(PolicyError::InvalidAttribute)
	}
}

/// A parsed policy. Every gate is a threshold: `and` is `n` of `n`, `or` is 1 of `n`.
#[derive(Clone, PartialEq, Eq, Debug)]
pub enum Expr {
	/// Holds if the requester has this attribute.
	Attribute(Vec<u8>),
	/// Holds if at least `threshold` children hold.
	Gate {
		/// How many children must hold.
		threshold: u32,
		/// Its children.
		children: Vec<Expr>,
	},
}

impl Expr {
	/// Gate nesting depth: 0 for an attribute.
	pub fn depth(&self) -> u32 {
		match self {
			Self::Attribute(_) => 0,
			Self::Gate { children, .. } => 1 + children.iter().map(Self::depth).max().unwrap_or(0),
		}
	}

	/// Number of attribute leaves, repeats included.
	pub fn leaves(&self) -> u32 {
		match self {
			Self::Attribute(_) => 1,
			Self::Gate { children, .. } => children.iter().map(Self::leaves).sum(),
		}
	}

	/// Direct evaluation on the tree; the reference the compiled form is tested against.
	pub fn holds(&self, has: &impl Fn(&[u8]) -> bool) -> bool {
		match self {
			Self::Attribute(name) => has(name),
			Self::Gate {
				threshold,
				children,
			} => children.iter().filter(|child| child.holds(has)).count() >= *threshold as usize,
		}
	}

	fn is_and(&self) -> bool {
		matches!(self, Self::Gate { threshold, children } if *threshold as usize == children.len())
	}

	fn is_or(&self) -> bool {
		matches!(self, Self::Gate { threshold: 1, .. })
	}
}

/// Parses and normalises policy text, checking every bound of [`SOURCE_LIMITS`].
pub fn parse(text: &[u8]) -> Result<Expr, PolicyError> {
	parse_with(text, &SOURCE_LIMITS)
}

/// Parses and normalises canonical text (as produced by [`canonical_text`]).
pub fn parse_canonical(text: &[u8]) -> Result<Expr, PolicyError> {
	parse_with(text, &CANONICAL_LIMITS)
}

/// Parses and normalises `text` within `limits`.
pub fn parse_with(text: &[u8], limits: &Limits) -> Result<Expr, PolicyError> {
	if text.len() > limits.text as usize {
		return Err(PolicyError::TooLong);
	}
	let mut parser = Parser {
		input: text,
		pos: 0,
		leaves: 0,
		limits,
	};
	parser.skip_whitespace();
	if parser.pos == text.len() {
		return Err(PolicyError::Empty);
	}
	let expr = parser.expr(0)?;
	parser.skip_whitespace();
	if parser.pos != text.len() {
		return Err(PolicyError::Syntax);
	}
	let expr = normalize(expr, limits)?;
	if expr.depth() > limits.depth {
		return Err(PolicyError::TooDeep);
	}
	Ok(expr)
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Operator {
	And,
	Or,
}

struct Parser<'a> {
	input: &'a [u8],
	pos: usize,
	leaves: u32,
	limits: &'a Limits,
}

impl Parser<'_> {
	fn peek(&self) -> Option<u8> {
		self.input.get(self.pos).copied()
	}

	fn rest(&self) -> &[u8] {
		self.input.get(self.pos..).unwrap_or_default()
	}

	fn skip_whitespace(&mut self) {
		while self.peek().is_some_and(|b| b.is_ascii_whitespace()) {
			self.pos += 1;
		}
	}

	/// Consumes `word` if it comes next and is not the start of a longer word.
	fn eat_word(&mut self, word: &[u8]) -> bool {
		let rest = self.rest();
		let ends_word = |next: Option<&u8>| next.is_none_or(|b| !b.is_ascii_alphanumeric());
		let is_word = word.first().is_some_and(u8::is_ascii_alphabetic);
		if rest
			.get(..word.len())
			.is_some_and(|next| next.eq_ignore_ascii_case(word))
			&& (!is_word || ends_word(rest.get(word.len())))
		{
			self.pos += word.len();
			true
		} else {
			false
		}
	}

	fn eat(&mut self, byte: u8) -> bool {
		self.skip_whitespace();
		if self.peek() == Some(byte) {
			self.pos += 1;
			true
		} else {
			false
		}
	}

	fn operator(&mut self) -> Option<Operator> {
		self.skip_whitespace();
		// rabe accepts `and`/`AND`/`&&` and `or`/`OR`/`||`; mixed case is accepted here too and
		// never appears in canonical text.
		if self.eat_word(b"and") || self.eat_word(b"&&") {
			Some(Operator::And)
		} else if self.eat_word(b"or") || self.eat_word(b"||") {
			Some(Operator::Or)
		} else {
			None
		}
	}

	/// `nesting` counts enclosing parentheses, bounding recursion on any input.
	fn expr(&mut self, nesting: u32) -> Result<Expr, PolicyError> {
		let first = self.operand(nesting)?;
		let mut children = alloc::vec![first];
		let mut operator = None;
		while let Some(next) = self.operator() {
			if operator.is_some_and(|seen| seen != next) {
				return Err(PolicyError::MixedOperators);
			}
			operator = Some(next);
			children.push(self.operand(nesting)?);
			if children.len() > self.limits.children as usize {
				return Err(PolicyError::GateTooWide);
			}
		}
		let count = children.len() as u32;
		Ok(match operator {
			None => children.pop().ok_or(PolicyError::Syntax)?,
			Some(Operator::And) => Expr::Gate {
				threshold: count,
				children,
			},
			Some(Operator::Or) => Expr::Gate {
				threshold: 1,
				children,
			},
		})
	}

	fn operand(&mut self, nesting: u32) -> Result<Expr, PolicyError> {
		self.skip_whitespace();
		match self.peek() {
			Some(b'"') => self.attribute(),
			Some(b'(') => {
				let nesting = self.enter(nesting)?;
				self.pos += 1;
				let inner = self.expr(nesting)?;
				if self.eat(b')') {
					Ok(inner)
				} else {
					Err(PolicyError::Syntax)
				}
			}
			Some(b) if b.is_ascii_digit() => self.threshold(nesting),
			_ => Err(PolicyError::Syntax),
		}
	}

	fn enter(&self, nesting: u32) -> Result<u32, PolicyError> {
		// Parentheses may be redundant, so allow some slack over the gate depth; the gate
		// depth itself is checked after normalisation.
		if nesting >= 2 * self.limits.depth {
			Err(PolicyError::TooDeep)
		} else {
			Ok(nesting + 1)
		}
	}

	fn attribute(&mut self) -> Result<Expr, PolicyError> {
		self.pos += 1; // opening quote
		let start = self.pos;
		while let Some(b) = self.peek() {
			if b == b'"' {
				let name = self.input.get(start..self.pos).unwrap_or_default().to_vec();
				self.pos += 1;
				validate_attribute(&name)?;
				self.leaves += 1;
				if self.leaves > self.limits.leaves {
					return Err(PolicyError::TooManyLeaves);
				}
				return Ok(Expr::Attribute(name));
			}
			self.pos += 1;
		}
		Err(PolicyError::Syntax)
	}

	fn threshold(&mut self, nesting: u32) -> Result<Expr, PolicyError> {
		let mut threshold: u32 = 0;
		while let Some(digit) = self.peek().filter(u8::is_ascii_digit) {
			threshold = threshold
				.checked_mul(10)
				.and_then(|t| t.checked_add(u32::from(digit - b'0')))
				.ok_or(PolicyError::InvalidThreshold)?;
			self.pos += 1;
		}
		self.skip_whitespace();
		if !self.eat_word(b"of") || !self.eat(b'(') {
			return Err(PolicyError::Syntax);
		}
		let nesting = self.enter(nesting)?;
		let mut children = alloc::vec![self.expr(nesting)?];
		while self.eat(b',') {
			children.push(self.expr(nesting)?);
			if children.len() > self.limits.children as usize {
				return Err(PolicyError::GateTooWide);
			}
		}
		if !self.eat(b')') {
			return Err(PolicyError::Syntax);
		}
		if threshold == 0 || threshold as usize > children.len() {
			return Err(PolicyError::InvalidThreshold);
		}
		Ok(Expr::Gate {
			threshold,
			children,
		})
	}
}

/// Removes single-child gates and merges an `and` inside an `and` (an `or` inside an `or`):
/// the same policy with fewer nodes and one canonical shape.
fn normalize(expr: Expr, limits: &Limits) -> Result<Expr, PolicyError> {
	let Expr::Gate {
		threshold,
		children,
	} = expr
	else {
		return Ok(expr);
	};
	let count = children.len();
	let is_and = threshold as usize == count;
	let is_or = threshold == 1;
	let mut merged = Vec::with_capacity(count);
	for child in children {
		let child = normalize(child, limits)?;
		let merge = (is_and && child.is_and()) || (is_or && child.is_or());
		match child {
			Expr::Gate {
				children: grandchildren,
				..
			} if merge => merged.extend(grandchildren),
			other => merged.push(other),
		}
	}
	if merged.len() > limits.children as usize {
		return Err(PolicyError::GateTooWide);
	}
	if merged.len() == 1 {
		return merged.pop().ok_or(PolicyError::Syntax);
	}
	let threshold = if is_and {
		merged.len() as u32
	} else {
		threshold
	};
	Ok(Expr::Gate {
		threshold,
		children: merged,
	})
}

/// Most `k`-subsets one threshold gate may expand into in the canonical text.
const MAX_THRESHOLD_SUBSETS: u64 = 256;

/// The canonical text of a normalised policy: rabe's human syntax, lowercase operators, every
/// nested gate in parentheses, thresholds expanded into the `or` of the `and`s of their
/// `k`-subsets and the result normalised again, so that re-parsing and re-rendering it gives
/// the same text.
pub fn canonical_text(expr: &Expr) -> Result<CanonicalText, PolicyError> {
	let mut budget = CANONICAL_LIMITS.leaves;
	let expanded = normalize(expand(expr, &mut budget)?, &CANONICAL_LIMITS)
		.map_err(|_| PolicyError::ExpansionTooLarge)?;
	let mut out = Vec::new();
	render(&expanded, true, &mut out)?;
	CanonicalText::try_from(out).map_err(|_| PolicyError::ExpansionTooLarge)
}

/// Rewrites every threshold gate with 1 < k < n as an `or` of `and`s. `budget` is the number of
/// leaves the result may still have; every copy of a child counts.
fn expand(expr: &Expr, budget: &mut u32) -> Result<Expr, PolicyError> {
	let (threshold, children) = match expr {
		Expr::Attribute(name) => {
			*budget = budget
				.checked_sub(1)
				.ok_or(PolicyError::ExpansionTooLarge)?;
			return Ok(Expr::Attribute(name.clone()));
		}
		Expr::Gate {
			threshold,
			children,
		} => (*threshold as usize, children),
	};
	if threshold == children.len() || threshold == 1 {
		let children = children
			.iter()
			.map(|child| expand(child, budget))
			.collect::<Result<Vec<_>, _>>()?;
		return Ok(Expr::Gate {
			threshold: threshold as u32,
			children,
		});
	}
	if binomial(children.len() as u64, threshold as u64) > MAX_THRESHOLD_SUBSETS {
		return Err(PolicyError::ExpansionTooLarge);
	}
	// Expand each child once (bounded by a scratch budget); copies are charged below.
	let mut scratch = *budget;
	let expanded = children
		.iter()
		.map(|child| expand(child, &mut scratch))
		.collect::<Result<Vec<_>, _>>()?;
	let mut terms = Vec::new();
	let mut subset: Vec<usize> = (0..threshold).collect();
	loop {
		let mut term = Vec::with_capacity(threshold);
		for &index in &subset {
			let child = expanded.get(index).ok_or(PolicyError::Syntax)?;
			*budget = budget
				.checked_sub(child.leaves())
				.ok_or(PolicyError::ExpansionTooLarge)?;
			term.push(child.clone());
		}
		terms.push(Expr::Gate {
			threshold: threshold as u32,
			children: term,
		});
		if !next_subset(&mut subset, children.len()) {
			break;
		}
	}
	Ok(Expr::Gate {
		threshold: 1,
		children: terms,
	})
}

fn push(out: &mut Vec<u8>, bytes: &[u8]) -> Result<(), PolicyError> {
	if out.len() + bytes.len() > MAX_CANONICAL_LEN as usize {
		return Err(PolicyError::ExpansionTooLarge);
	}
	out.extend_from_slice(bytes);
	Ok(())
}

/// Writes an expanded policy (only `and` and `or` gates).
fn render(expr: &Expr, top: bool, out: &mut Vec<u8>) -> Result<(), PolicyError> {
	let (threshold, children) = match expr {
		Expr::Attribute(name) => {
			push(out, b"\"")?;
			push(out, name)?;
			return push(out, b"\"");
		}
		Expr::Gate {
			threshold,
			children,
		} => (*threshold as usize, children),
	};
	let separator: &[u8] = if threshold == children.len() {
		b" and "
	} else if threshold == 1 {
		b" or "
	} else {
		// `expand` leaves no other gate.
		return Err(PolicyError::Syntax);
	};
	if !top {
		push(out, b"(")?;
	}
	for (i, child) in children.iter().enumerate() {
		if i > 0 {
			push(out, separator)?;
		}
		render(child, false, out)?;
	}
	if !top {
		push(out, b")")?;
	}
	Ok(())
}

/// `n` choose `k`, saturating.
fn binomial(n: u64, k: u64) -> u64 {
	let k = k.min(n.saturating_sub(k));
	(0..k).fold(1u64, |acc, i| acc.saturating_mul(n - i) / (i + 1))
}

/// Advances `subset` (sorted indices into `0..n`) to the next `k`-subset in lexicographic
/// order; `false` after the last one.
fn next_subset(subset: &mut [usize], n: usize) -> bool {
	let k = subset.len();
	// The rightmost index that can still move right; everything after it restarts just
	// behind it.
	let Some(i) = (0..k)
		.rev()
		.find(|&i| subset.get(i).is_some_and(|&s| s + k < n + i))
	else {
		return false;
	};
	let Some((head, tail)) = subset.split_at_mut_checked(i + 1) else {
		return false;
	};
	let Some(moved) = head.last_mut() else {
		return false;
	};
	*moved += 1;
	let mut next = *moved;
	for slot in tail {
		next += 1;
		*slot = next;
	}
	true
}

/// One node of a compiled policy, in post-order.
#[derive(
	Encode,
	Decode,
	DecodeWithMemTracking,
	Clone,
	Copy,
	PartialEq,
	Eq,
	Debug,
	TypeInfo,
	MaxEncodedLen,
)]
pub enum PolicyNode {
	/// Pushes whether the requester holds `attributes[index]`.
	Attribute(u8),
	/// Pops `children` results and pushes whether at least `threshold` of them hold.
	Gate {
		/// How many of the popped results must hold.
		threshold: u8,
		/// How many results to pop.
		children: u8,
	},
}

/// A policy ready for evaluation: a sorted table of its distinct attributes and its nodes in
/// post-order.
#[derive(
	Encode, Decode, DecodeWithMemTracking, Clone, PartialEq, Eq, Debug, TypeInfo, MaxEncodedLen,
)]
pub struct CompiledPolicy {
	/// Distinct attributes the policy mentions, sorted.
	pub attributes: BoundedVec<AttributeName, ConstU32<MAX_POLICY_LEAVES>>,
	/// The tree in post-order.
	pub nodes: BoundedVec<PolicyNode, ConstU32<MAX_POLICY_NODES>>,
}

impl CompiledPolicy {
	/// Compiles a normalised policy (as returned by [`parse`]).
	pub fn compile(expr: &Expr) -> Result<Self, PolicyError> {
		let mut names = Vec::new();
		collect_attributes(expr, &mut names);
		names.sort();
		names.dedup();
		let attributes = names
			.iter()
			.map(|name| AttributeName::try_from(name.clone()))
			.collect::<Result<Vec<_>, _>>()
			.map_err(|_| PolicyError::InvalidAttribute)?;
		let attributes =
			BoundedVec::try_from(attributes).map_err(|_| PolicyError::TooManyLeaves)?;
		let mut nodes = Vec::new();
		emit(expr, &names, &mut nodes)?;
		let nodes = BoundedVec::try_from(nodes).map_err(|_| PolicyError::TooManyLeaves)?;
		Ok(Self { attributes, nodes })
	}

	/// Number of attribute leaves (evaluation cost grows with it).
	pub fn leaf_count(&self) -> u32 {
		self.nodes
			.iter()
			.filter(|node| matches!(node, PolicyNode::Attribute(_)))
			.count() as u32
	}

	/// Whether a requester holding exactly the attributes `held` (sorted, as returned by the
	/// pallet's attribute lookup) satisfies the policy. A malformed node list evaluates to
	/// `false`: access fails closed.
	pub fn evaluate(&self, held: &[AttributeName]) -> bool {
		let satisfied: Vec<bool> = self
			.attributes
			.iter()
			.map(|name| {
				held.binary_search_by(|h| h.as_slice().cmp(name.as_slice()))
					.is_ok()
			})
			.collect();
		let mut stack: Vec<bool> = Vec::with_capacity(self.nodes.len());
		for node in self.nodes.iter() {
			match *node {
				PolicyNode::Attribute(index) => {
					let Some(&value) = satisfied.get(index as usize) else {
						return false;
					};
					stack.push(value);
				}
				PolicyNode::Gate {
					threshold,
					children,
				} => {
					let Some(start) = stack.len().checked_sub(children as usize) else {
						return false;
					};
					let holding = stack.drain(start..).filter(|&held| held).count();
					stack.push(holding >= threshold as usize);
				}
			}
		}
		stack.len() == 1 && stack.first() == Some(&true)
	}
}

fn collect_attributes(expr: &Expr, names: &mut Vec<Vec<u8>>) {
	match expr {
		Expr::Attribute(name) => names.push(name.clone()),
		Expr::Gate { children, .. } => children.iter().for_each(|c| collect_attributes(c, names)),
	}
}

fn emit(expr: &Expr, names: &[Vec<u8>], nodes: &mut Vec<PolicyNode>) -> Result<(), PolicyError> {
	match expr {
		Expr::Attribute(name) => {
			let index = names.binary_search(name).map_err(|_| PolicyError::Syntax)?;
			let index = u8::try_from(index).map_err(|_| PolicyError::TooManyLeaves)?;
			nodes.push(PolicyNode::Attribute(index));
		}
		Expr::Gate {
			threshold,
			children,
		} => {
			for child in children {
				emit(child, names, nodes)?;
			}
			nodes.push(PolicyNode::Gate {
				threshold: u8::try_from(*threshold).map_err(|_| PolicyError::GateTooWide)?,
				children: u8::try_from(children.len()).map_err(|_| PolicyError::GateTooWide)?,
			});
		}
	}
	Ok(())
}

/// A validated policy in both stored forms.
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct Validated {
	/// Text for CP-ABE.
	pub canonical: CanonicalText,
	/// Form the chain evaluates.
	pub compiled: CompiledPolicy,
}

/// Parses, bounds-checks, canonicalises and compiles `text`.
pub fn validate(text: &[u8]) -> Result<Validated, PolicyError> {
	let expr = parse(text)?;
	Ok(Validated {
		canonical: canonical_text(&expr)?,
		compiled: CompiledPolicy::compile(&expr)?,
	})
}
