//! PLACEHOLDER: the helper writing this crate replaces this whole file.
use harness::spec::*;
use harness::{Family, Model, ModelError};

#[derive(Debug, Clone, Copy, Default)]
pub struct May;

impl Model for May {
    fn name(&self) -> &'static str { "may" }
    fn family(&self) -> Family { Family::Stackful }
    fn summary(&self) -> &'static str { "stackful coroutines on may: blocking-style code, switched in user space" }
    fn crawl(&self, _: &CrawlSpec) -> Result<CrawlOutcome, ModelError> { Err(ModelError::unsupported("not written yet")) }
    fn pingpong(&self, _: &PingPongSpec) -> Result<Counted, ModelError> { Err(ModelError::unsupported("not written yet")) }
    fn ring(&self, _: &RingSpec) -> Result<RingOutcome, ModelError> { Err(ModelError::unsupported("not written yet")) }
    fn spawn(&self, _: &SpawnSpec) -> Result<Counted, ModelError> { Err(ModelError::unsupported("not written yet")) }
    fn fanout(&self, _: &FanoutSpec) -> Result<FanoutOutcome, ModelError> { Err(ModelError::unsupported("not written yet")) }
}
