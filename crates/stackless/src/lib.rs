//! PLACEHOLDER: the helper writing this crate replaces this whole file.
use harness::spec::*;
use harness::{Family, Model, ModelError};

#[derive(Debug, Clone, Copy, Default)]
pub struct Tokio;

impl Model for Tokio {
    fn name(&self) -> &'static str { "tokio" }
    fn family(&self) -> Family { Family::Stackless }
    fn summary(&self) -> &'static str { "async/await on tokio's multi-thread work-stealing runtime" }
    fn crawl(&self, _: &CrawlSpec) -> Result<CrawlOutcome, ModelError> { Err(ModelError::unsupported("not written yet")) }
    fn pingpong(&self, _: &PingPongSpec) -> Result<Counted, ModelError> { Err(ModelError::unsupported("not written yet")) }
    fn ring(&self, _: &RingSpec) -> Result<RingOutcome, ModelError> { Err(ModelError::unsupported("not written yet")) }
    fn spawn(&self, _: &SpawnSpec) -> Result<Counted, ModelError> { Err(ModelError::unsupported("not written yet")) }
    fn fanout(&self, _: &FanoutSpec) -> Result<FanoutOutcome, ModelError> { Err(ModelError::unsupported("not written yet")) }
}

#[derive(Debug, Clone, Copy, Default)]
pub struct TokioCurrent;

impl Model for TokioCurrent {
    fn name(&self) -> &'static str { "tokio-current" }
    fn family(&self) -> Family { Family::Stackless }
    fn summary(&self) -> &'static str { "async/await on tokio's current-thread runtime" }
    fn crawl(&self, _: &CrawlSpec) -> Result<CrawlOutcome, ModelError> { Err(ModelError::unsupported("not written yet")) }
    fn pingpong(&self, _: &PingPongSpec) -> Result<Counted, ModelError> { Err(ModelError::unsupported("not written yet")) }
    fn ring(&self, _: &RingSpec) -> Result<RingOutcome, ModelError> { Err(ModelError::unsupported("not written yet")) }
    fn spawn(&self, _: &SpawnSpec) -> Result<Counted, ModelError> { Err(ModelError::unsupported("not written yet")) }
    fn fanout(&self, _: &FanoutSpec) -> Result<FanoutOutcome, ModelError> { Err(ModelError::unsupported("not written yet")) }
}
