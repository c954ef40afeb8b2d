//! pingpong: two tasks pass a counter back and forth.
//!
//! The rules: each round trip is two hand-overs, one message each, on the model's
//! own library's standard channel or mailbox (threads: std only). Sends never wait:
//! the protocol holds at most one message per channel, so every model uses the
//! library's unbounded channel (or, for a shared-memory slot, one the protocol keeps
//! empty) and no model pays for back-pressure the protocol does not need. The model
//! names the primitive it used ([`crate::Model::primitive`]). The run ends with a
//! stop message, not by dropping a sender, so every model ends the same way.

use super::{Counted, Probe, VerifyError, check, default_threads};

/// Two tasks pass a counter back and forth: each round trip the counter goes
/// ping -> pong (+1) -> ping. The final counter must equal `rounds`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PingPongSpec {
    pub rounds: u64,
    pub threads: usize,
    /// Where the model marks its measured phase.
    pub probe: Probe,
}

impl PingPongSpec {
    pub fn new(rounds: u64) -> Self {
        Self {
            rounds,
            threads: default_threads(),
            probe: Probe::default(),
        }
    }

    pub fn verify(&self, outcome: &Counted) -> Result<(), VerifyError> {
        check(outcome.count == self.rounds, || {
            format!(
                "final counter {} after {} rounds",
                outcome.count, self.rounds
            )
        })
    }
}
