//! PLACEHOLDER: the helper writing this crate replaces this whole file.
use harness::spec::*;
use harness::{Family, Model, ModelError};

#[derive(Debug, Clone, Copy, Default)]
pub struct Callbacks;

impl Model for Callbacks {
    fn name(&self) -> &'static str { "callbacks" }
    fn family(&self) -> Family { Family::Callbacks }
    fn summary(&self) -> &'static str { "a single-threaded mio event loop; each step registers the callback for the next" }
    fn crawl(&self, _: &CrawlSpec) -> Result<CrawlOutcome, ModelError> { Err(ModelError::unsupported("not written yet")) }
    fn pingpong(&self, _: &PingPongSpec) -> Result<Counted, ModelError> { Err(ModelError::unsupported("not written yet")) }
    fn ring(&self, _: &RingSpec) -> Result<RingOutcome, ModelError> { Err(ModelError::unsupported("not written yet")) }
    fn spawn(&self, _: &SpawnSpec) -> Result<Counted, ModelError> { Err(ModelError::unsupported("not written yet")) }
    fn fanout(&self, _: &FanoutSpec) -> Result<FanoutOutcome, ModelError> { Err(ModelError::unsupported("not written yet")) }
}
