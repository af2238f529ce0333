//! Read decisions asked of the chain together. Each read is decided by the chain's own rule
//! (`ConsentApi.check_reads`, the code `Consent.record_reads` runs) at the best block; reads
//! that arrive while a question is with the node wait for the next one, which asks for all of
//! them in one runtime call. Under load one call decides many reads; a lone read is asked at
//! once, with no timer.

use medchain_client::{
	chain::{api, RuntimeError},
	protocol::SignedRead,
	Error,
};
use tokio::sync::{mpsc, oneshot};

use crate::service::Shared;

/// Reads one runtime call decides at most.
const MAX_GROUP: usize = 256;

/// The chain's answer for one read: allowed, or the error `record_reads` would flag it with.
pub type Decision = Result<(), RuntimeError>;

type Reply = oneshot::Sender<Result<Decision, String>>;

/// The handle the read handler asks through.
pub struct Decider {
	questions: mpsc::Sender<(SignedRead, Reply)>,
}

impl Decider {
	/// A decider and the end [`run`] answers from.
	pub fn channel() -> (Self, mpsc::Receiver<(SignedRead, Reply)>) {
		let (questions, receiver) = mpsc::channel(4 * MAX_GROUP);
		(Self { questions }, receiver)
	}

	/// The chain's decision on `read` at the best block; an error only if the node did not
	/// answer.
	pub async fn decide(&self, read: SignedRead) -> Result<Decision, Error> {
		let (reply, answer) = oneshot::channel();
		let stopped = || Error::Chain("the read decider has stopped".into());
		self.questions
			.send((read, reply))
			.await
			.map_err(|_| stopped())?;
		answer.await.map_err(|_| stopped())?.map_err(Error::Chain)
	}
}

/// Answers the questions, as many as have arrived in one runtime call each time.
pub async fn run(gateway: Shared, mut questions: mpsc::Receiver<(SignedRead, Reply)>) {
	while let Some(first) = questions.recv().await {
		let mut group = vec![first];
		while group.len() < MAX_GROUP {
			match questions.try_recv() {
				Ok(question) => group.push(question),
				Err(_) => break,
			}
		}
		let (reads, replies): (Vec<_>, Vec<_>) = group
			.into_iter()
			.map(|(read, reply)| ((read.request, read.signature), reply))
			.unzip();
		let asked = reads.len();
		let answers = match gateway.at_best().await {
			Ok(at) => at
				.call(api::runtime_apis().consent_api().check_reads(reads))
				.await
				.map_err(|e| e.to_string()),
			Err(error) => Err(error.to_string()),
		};
		match answers {
			Ok(decisions) if decisions.len() == asked => {
				for (reply, decision) in replies.into_iter().zip(decisions) {
					let _ = reply.send(Ok(decision));
				}
			}
			Ok(decisions) => {
				let error = format!(
					"ConsentApi.check_reads answered {} decisions for {asked} reads",
					decisions.len()
				);
				for reply in replies {
					let _ = reply.send(Err(error.clone()));
				}
			}
			Err(error) => {
				for reply in replies {
					let _ = reply.send(Err(error.clone()));
				}
			}
		}
	}
}
