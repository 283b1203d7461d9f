//! Sweeps that find more: a different fault mix per seed (`swarm`), faults injected inside the
//! code under test (`buggify`), and coverage that fails a scenario whose rare paths were never
//! reached (`coverage`), and how far a sweep of open length has come (`progress`).

pub mod buggify;
pub mod coverage;
pub mod progress;
pub mod swarm;
