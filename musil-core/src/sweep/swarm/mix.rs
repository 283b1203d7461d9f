//! [`Mix`]: the environment one seed drew from a swarm, and its one-line description
//! (`swarm: loss 12%, dup 3.5%, latency 1..7, isolate replicas[1] [20,45), …`).

use std::fmt;

use crate::sim::faults::FaultSchedule;
use crate::sim::network::NetworkModel;
use crate::sim::storage::StorageModel;

/// The environment one seed drew from a [`Swarm`](super::Swarm): its network, its faults and,
/// when the swarm draws storage faults, its storage model. `Display` is its one-line
/// description, as a failure report prints it.
#[derive(Clone, Debug)]
pub struct Mix<M> {
    network: NetworkModel<M>,
    faults: FaultSchedule,
    storage: Option<StorageModel>,
    parts: Vec<String>,
}

impl<M> Mix<M> {
    /// A mix described by `parts` (joined with `, `).
    pub(crate) fn new(
        network: NetworkModel<M>,
        faults: FaultSchedule,
        storage: Option<StorageModel>,
        parts: Vec<String>,
    ) -> Self {
        Mix {
            network,
            faults,
            storage,
            parts,
        }
    }

    /// The network drawn.
    pub fn network(&self) -> &NetworkModel<M> {
        &self.network
    }

    /// The faults drawn.
    pub fn faults(&self) -> &FaultSchedule {
        &self.faults
    }

    /// The storage model drawn; `None` when the swarm draws no storage faults.
    pub fn storage(&self) -> Option<&StorageModel> {
        self.storage.as_ref()
    }

    /// The one-line description: `swarm: ` and what was drawn, or `swarm: no faults`.
    pub fn describe(&self) -> String {
        describe(&self.parts)
    }

    /// Takes the mix apart: network, faults, storage.
    pub fn into_parts(self) -> (NetworkModel<M>, FaultSchedule, Option<StorageModel>) {
        (self.network, self.faults, self.storage)
    }
}

impl<M> fmt::Display for Mix<M> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.describe())
    }
}

/// `swarm: ` and `parts` joined, or `swarm: no faults`.
pub(crate) fn describe(parts: &[String]) -> String {
    if parts.is_empty() {
        "swarm: no faults".to_string()
    } else {
        format!("swarm: {}", parts.join(", "))
    }
}

/// A probability as a percentage, with the digits that matter: `12%`, `3.5%`, `0.42%`.
pub(crate) fn percent(p: f64) -> String {
    let value = p * 100.0;
    if value >= 10.0 {
        format!("{value:.0}%")
    } else if value >= 1.0 {
        format!("{value:.1}%")
    } else {
        format!("{value:.2}%")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn percentages_keep_the_digits_that_matter() {
        assert_eq!(percent(0.123), "12%");
        assert_eq!(percent(0.035), "3.5%");
        assert_eq!(percent(0.0042), "0.42%");
        assert_eq!(describe(&[]), "swarm: no faults");
    }
}
