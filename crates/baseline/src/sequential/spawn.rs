//! spawn, sequentially: there is nothing to spawn onto, so each "task" runs to the
//! end (sleeps, reports) before the next begins. `n` tasks take `n × sleep`.

use harness::ModelError;
use harness::spec::{Counted, SpawnSpec};

use super::within_wait_budget;

pub(crate) fn run(spec: &SpawnSpec) -> Result<Counted, ModelError> {
    within_wait_budget(
        spec.sleep * u32::try_from(spec.n).unwrap_or(u32::MAX),
        "sleeping these tasks",
    )?;
    let mut reported = 0;
    for _ in 0..spec.n {
        std::thread::sleep(spec.sleep);
        reported += 1;
    }
    Ok(Counted { count: reported })
}
