//! [`Mix`]: the environment one seed drew from a swarm, and its one-line description
//! (`swarm: loss 12%, dup 3.5%, latency 1..7, isolate replicas[1] [20,45), …`).

use std::fmt;
use std::ops::Range;

use crate::forensics::choices::FaultEdits;
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
    /// Which of `parts` describe the faults, in schedule order (each ends with its window,
    /// `[start,end)`).
    fault_parts: Range<usize>,
}

impl<M> Mix<M> {
    /// A mix described by `parts` (joined with `, `), of which `fault_parts` describe its
    /// faults, in schedule order.
    pub(crate) fn new(
        network: NetworkModel<M>,
        faults: FaultSchedule,
        storage: Option<StorageModel>,
        parts: Vec<String>,
        fault_parts: Range<usize>,
    ) -> Self {
        Mix {
            network,
            faults,
            storage,
            parts,
            fault_parts,
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

    /// The description of the mix after a shrinker's `edits` of its faults: the faults left
    /// out are gone, the ones made shorter show their new window.
    pub fn describe_edited(&self, edits: &FaultEdits) -> String {
        let parts: Vec<String> = self
            .parts
            .iter()
            .enumerate()
            .filter_map(|(at, part)| match at.checked_sub(self.fault_parts.start) {
                Some(index) if self.fault_parts.contains(&at) => edited(part, index as u32, edits),
                _ => Some(part.clone()),
            })
            .collect();
        describe(&parts)
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

/// Fault `index`'s description `part` (ending with `[start,end)`) under `edits`: `None` if left
/// out, its new window if made shorter.
fn edited(part: &str, index: u32, edits: &FaultEdits) -> Option<String> {
    if edits.drops(index) {
        return None;
    }
    let window = part.rsplit_once(" [").and_then(|(what, window)| {
        let (start, end) = window.strip_suffix(')')?.split_once(',')?;
        Some((what, start.parse::<u64>().ok()?, end.parse::<u64>().ok()?))
    });
    match window {
        Some((what, start, end)) => {
            let end = start.saturating_add(edits.length(index, end - start));
            Some(format!("{what} [{start},{end})"))
        }
        None => Some(part.to_string()),
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

    #[test]
    fn a_shrunk_mix_leaves_out_dropped_faults_and_shows_shortened_windows() {
        let parts = ["loss 5.0%", "isolate a [10,40)", "crash power b [20,25)"];
        let parts: Vec<String> = parts.iter().map(|p| p.to_string()).collect();
        let mix = Mix::<u8>::new(
            NetworkModel::reliable(),
            FaultSchedule::new(),
            None,
            parts,
            1..3,
        );
        let mut edits = FaultEdits::default();
        assert_eq!(mix.describe_edited(&edits), mix.describe());
        edits.dropped.insert(1);
        edits.lengths.insert(0, 12);
        assert_eq!(
            mix.describe_edited(&edits),
            "swarm: loss 5.0%, isolate a [10,22)"
        );
    }
}
