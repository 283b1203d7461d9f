//! The turmoil ports of bench/WORKLOADS.md's simulation workloads (`src/bin/`), and what they
//! share: the measurement harness and the workloads' definitions (`bench/peers/common/`, shared
//! with the madsim ports), and turmoil's network setup and lossy send (`net`).

#[path = "../../common/harness.rs"]
pub mod harness;
pub mod net;
#[path = "../../common/workloads.rs"]
pub mod workloads;
