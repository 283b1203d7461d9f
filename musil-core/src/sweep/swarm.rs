//! Swarm testing: a different fault mix per seed, drawn from the environment stream.
//!
//! A [`Swarm`] says what may be drawn — loss, duplication, latency, partitions, crashes, storage
//! faults — and within which bounds; [`Scenario::swarm`](crate::Scenario::swarm) makes every
//! seed draw its own [`Mix`] of them. Each seed's mix is a pure function of the seed, and a
//! failure's mix is printed by [`mix_of`]. Its children: `config` (the swarm and its bounds), `draw`
//! (how a mix is drawn), `mix` (the mix and its one-line description) and `scenario` (the
//! scenario's side: the node names, the per-seed generators, and `mix_of`).
//!
//! **What stays put when a bound changes.** Every dimension — loss, duplicate, latency,
//! partitions, crashes, in this order, then storage when it is on — takes exactly one 64-bit
//! draw from the environment stream, enabled or not, and derives everything it draws from that
//! one value. So changing the bounds of one dimension, or disabling it, never changes what any
//! other dimension draws for the same seed (storage, being last, draws nothing when off).
//! The node names matter too: partitions and crashes pick among them, so a system with other
//! nodes draws other faults.

mod config;
mod draw;
mod mix;
mod scenario;

pub use config::{PartitionMode, Swarm, swarm};
pub use mix::Mix;
pub use scenario::{mix_of, shrunk_mix_of};
