//! Sweeps that find more: a different fault mix per seed (`swarm`), faults injected inside the
//! code under test (`buggify`), and coverage that fails a scenario whose rare paths were never
//! reached (`coverage`).

pub mod buggify;
pub mod coverage;
pub mod swarm;
