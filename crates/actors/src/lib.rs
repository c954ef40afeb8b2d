//! PLACEHOLDER: the helper writing this crate replaces this whole file.
use harness::spec::*;
use harness::{Family, Model, ModelError};

#[derive(Debug, Clone, Copy, Default)]
pub struct Actix;

impl Model for Actix {
    fn name(&self) -> &'static str { "actix" }
    fn family(&self) -> Family { Family::Actors }
    fn summary(&self) -> &'static str { "actors on actix: private state behind a mailbox, typed messages" }
    fn crawl(&self, _: &CrawlSpec) -> Result<CrawlOutcome, ModelError> { Err(ModelError::unsupported("not written yet")) }
    fn pingpong(&self, _: &PingPongSpec) -> Result<Counted, ModelError> { Err(ModelError::unsupported("not written yet")) }
    fn ring(&self, _: &RingSpec) -> Result<RingOutcome, ModelError> { Err(ModelError::unsupported("not written yet")) }
    fn spawn(&self, _: &SpawnSpec) -> Result<Counted, ModelError> { Err(ModelError::unsupported("not written yet")) }
    fn fanout(&self, _: &FanoutSpec) -> Result<FanoutOutcome, ModelError> { Err(ModelError::unsupported("not written yet")) }
}
