//! How a seed's mix is drawn: one 64-bit draw from the environment stream per dimension (loss,
//! duplicate, latency, partitions, crashes, storage), each seeding a private generator that
//! draws everything else of that dimension — so one dimension's bounds never move another's
//! draws.

use crate::decision::Stream;
use crate::decision::rng::Rng;
use crate::decision::seeded::Seeded;
use crate::sim::faults::{Crash, FaultSchedule, Partition};
use crate::sim::network::NetworkModel;
use crate::sim::storage::StorageModel;

use super::config::{PartitionMode, StorageBounds, Swarm};
use super::mix::{Mix, percent};

/// A drawn value and the pieces of the mix's description it adds.
pub(crate) type Drawn<T> = (T, Vec<String>);

impl Swarm {
    /// The mix one seed draws from `rng` (its environment stream) for a system whose nodes are
    /// `nodes`: network, then faults, then (when on) storage — what a scenario with
    /// [`Scenario::swarm`](crate::Scenario::swarm) runs, and describes in a failure report.
    pub fn draw<M>(&self, rng: &mut Rng<'_>, nodes: &[String]) -> Mix<M> {
        let (network, mut parts) = self.draw_network(rng);
        let (faults, fault_parts) = self.draw_faults(rng, nodes);
        let first_fault = parts.len();
        parts.extend(fault_parts);
        let fault_parts = first_fault..parts.len();
        let storage = self.draw_storage(rng).map(|(storage, storage_parts)| {
            parts.extend(storage_parts);
            storage
        });
        Mix::new(network, faults, storage, parts, fault_parts)
    }

    /// The network: three draws from `rng` (loss, duplicate, latency).
    pub(crate) fn draw_network<M>(&self, rng: &mut Rng<'_>) -> Drawn<NetworkModel<M>> {
        let loss = within(rng, |r| rate(r, self.loss));
        let duplicate = within(rng, |r| rate(r, self.duplicate));
        let max_latency = within(rng, |r| r.randint(1, as_i64(self.latency)) as u64);
        let mut parts = Vec::new();
        if loss > 0.0 {
            parts.push(format!("loss {}", percent(loss)));
        }
        if duplicate > 0.0 {
            parts.push(format!("dup {}", percent(duplicate)));
        }
        if max_latency > 1 {
            parts.push(format!("latency 1..{max_latency}"));
        }
        let network = NetworkModel::reliable()
            .loss(loss)
            .duplicate(duplicate)
            .latency(1, max_latency);
        (network, parts)
    }

    /// The faults: two draws from `rng` (partitions, crashes).
    pub(crate) fn draw_faults(&self, rng: &mut Rng<'_>, nodes: &[String]) -> Drawn<FaultSchedule> {
        let partitions = within(rng, |r| self.draw_partitions(r, nodes));
        let crashes = within(rng, |r| self.draw_crashes(r, nodes));
        let mut schedule = FaultSchedule::new();
        let mut parts = Vec::new();
        for (partition, part) in partitions {
            schedule = schedule.partition(partition);
            parts.push(part);
        }
        for (crash, part) in crashes {
            schedule = schedule.crash(crash);
            parts.push(part);
        }
        (schedule, parts)
    }

    /// The storage model, when on: one draw from `rng`; off, nothing is drawn.
    pub(crate) fn draw_storage(&self, rng: &mut Rng<'_>) -> Option<Drawn<StorageModel>> {
        let bounds = self.storage.as_ref()?;
        Some(within(rng, |r| storage(r, bounds)))
    }

    fn draw_partitions(&self, r: &mut Rng<'_>, nodes: &[String]) -> Vec<(Partition, String)> {
        if !self.draws_partitions(nodes.len()) {
            return Vec::new();
        }
        let count = r.randint(0, i64::from(self.partitions));
        let mut drawn = Vec::new();
        for _ in 0..count {
            let mode = self.partition_modes[r.pick(self.partition_modes.len())];
            let (start, end) = self.place(r);
            drawn.push(partition(r, mode, nodes, (start, end)));
        }
        drawn
    }

    fn draw_crashes(&self, r: &mut Rng<'_>, nodes: &[String]) -> Vec<(Crash, String)> {
        if !self.draws_crashes(nodes.len()) {
            return Vec::new();
        }
        let count = r.randint(0, i64::from(self.crashes));
        let mut drawn = Vec::new();
        for _ in 0..count {
            let kind = self.crash_kinds[r.pick(self.crash_kinds.len())];
            let node = &nodes[r.pick(nodes.len())];
            let (start, end) = self.place(r);
            let part = format!("crash {} {node} [{start},{end})", kind.as_str());
            drawn.push((Crash::of_kind(kind, node.as_str(), start, end), part));
        }
        drawn
    }

    /// A fault window: a start in `[0, horizon)`, a length in `1..=window`.
    fn place(&self, r: &mut Rng<'_>) -> (u64, u64) {
        let start = r.randint(0, as_i64(self.horizon) - 1) as u64;
        let length = r.randint(1, as_i64(self.window)) as u64;
        (start, start.saturating_add(length))
    }
}

/// Runs `draw` on a private generator seeded by one draw from `rng`.
fn within<T>(rng: &mut Rng<'_>, draw: impl FnOnce(&mut Rng<'_>) -> T) -> T {
    let mut source = Seeded::new(rng.next_u64());
    draw(&mut Rng::new(&mut source, Stream::Environment))
}

/// A rate: 0 for half the draws, else uniform in `[0, max)`; always 0 when `max` is.
fn rate(r: &mut Rng<'_>, max: f64) -> f64 {
    if max > 0.0 && r.chance(0.5) {
        r.random() * max
    } else {
        0.0
    }
}

/// `n` as an `i64` (saturating), for `randint`.
fn as_i64(n: u64) -> i64 {
    i64::try_from(n).unwrap_or(i64::MAX)
}

/// A partition of `mode` over `nodes` (at least two) during `window`, with its description.
fn partition(
    r: &mut Rng<'_>,
    mode: PartitionMode,
    nodes: &[String],
    (start, end): (u64, u64),
) -> (Partition, String) {
    let at = format!("[{start},{end})");
    match mode {
        PartitionMode::Isolate => {
            let node = &nodes[r.pick(nodes.len())];
            (
                Partition::isolate(node.as_str(), start, end),
                format!("isolate {node} {at}"),
            )
        }
        PartitionMode::OneWay => {
            let from = r.pick(nodes.len());
            let to = (from + 1 + r.pick(nodes.len() - 1)) % nodes.len();
            let (from, to) = (&nodes[from], &nodes[to]);
            (
                Partition::one_way(from.as_str(), to.as_str(), start, end),
                format!("one-way {from}->{to} {at}"),
            )
        }
        PartitionMode::Halves => halves(r, nodes, (start, end)),
    }
}

/// Two non-empty halves of `nodes` (at least two) that cannot reach each other.
fn halves(r: &mut Rng<'_>, nodes: &[String], (start, end): (u64, u64)) -> (Partition, String) {
    let mut order: Vec<usize> = (0..nodes.len()).collect();
    for i in (1..order.len()).rev() {
        order.swap(i, r.pick(i + 1));
    }
    let size = 1 + r.pick(nodes.len() - 1);
    let (mut left, mut right) = (order[..size].to_vec(), order[size..].to_vec());
    left.sort_unstable();
    right.sort_unstable();
    let mut cut = Partition::between(
        nodes[left[0]].as_str(),
        nodes[right[0]].as_str(),
        start,
        end,
    );
    for &a in &left {
        for &b in &right {
            cut = cut
                .and_one_way(nodes[a].as_str(), nodes[b].as_str())
                .and_one_way(nodes[b].as_str(), nodes[a].as_str());
        }
    }
    let group = |side: &[usize]| {
        let names: Vec<&str> = side.iter().map(|&i| nodes[i].as_str()).collect();
        format!("{{{}}}", names.join(","))
    };
    let part = format!("halves {}|{} [{start},{end})", group(&left), group(&right));
    (cut, part)
}

/// A storage model within `bounds`, with its description.
fn storage(r: &mut Rng<'_>, bounds: &StorageBounds) -> (StorageModel, Vec<String>) {
    let torn = rate(r, bounds.torn);
    let lose = bounds.lose_min + r.random() * (1.0 - bounds.lose_min);
    let read = rate(r, bounds.errors);
    let write = rate(r, bounds.errors);
    let sync = rate(r, bounds.errors);
    let corrupt = rate(r, bounds.corrupt);
    let mut parts = vec![format!("storage lose {}", percent(lose))];
    let named = [
        ("torn", torn),
        ("read err", read),
        ("write err", write),
        ("sync err", sync),
        ("corrupt", corrupt),
    ];
    for (name, p) in named.into_iter().filter(|(_, p)| *p > 0.0) {
        parts.push(format!("{name} {}", percent(p)));
    }
    let model = StorageModel::reliable()
        .torn_writes(torn)
        .lose_unsynced(lose)
        .read_errors(read)
        .write_errors(write)
        .sync_errors(sync)
        .corrupt_reads(corrupt);
    (model, parts)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names(n: usize) -> Vec<String> {
        (0..n).map(|i| format!("n{i}")).collect()
    }

    fn mix_of_seed(swarm: &Swarm, seed: u64, n: usize) -> Mix<u8> {
        let mut source = Seeded::new(seed);
        swarm.draw(&mut Rng::new(&mut source, Stream::Environment), &names(n))
    }

    #[test]
    fn the_same_seed_draws_the_same_mix_and_seeds_differ() {
        let swarm = Swarm::default();
        let a = mix_of_seed(&swarm, 7, 3).to_string();
        assert_eq!(a, mix_of_seed(&swarm, 7, 3).to_string());
        let distinct: std::collections::BTreeSet<String> = (0..20)
            .map(|s| mix_of_seed(&swarm, s, 3).to_string())
            .collect();
        assert!(distinct.len() > 15, "{distinct:?}");
    }

    #[test]
    fn disabling_crashes_leaves_everything_else_alone() {
        let all = Swarm::default();
        let calm = Swarm::default().crashes(0);
        for seed in 0..200 {
            let (a, b) = (mix_of_seed(&all, seed, 4), mix_of_seed(&calm, seed, 4));
            assert!(b.faults().crashes().is_empty());
            assert_eq!(a.faults().partitions(), b.faults().partitions());
            assert_eq!(a.storage(), b.storage());
            assert_eq!(
                a.network().loss_probability(),
                b.network().loss_probability()
            );
            assert_eq!(a.network().latency_range(), b.network().latency_range());
        }
    }

    #[test]
    fn disabled_storage_faults_never_appear_and_bounds_hold() {
        let quiet = Swarm::default()
            .torn_writes(0.0)
            .storage_errors(0.0)
            .corrupt_reads(0.0)
            .lose_unsynced_at_least(0.9);
        for seed in 0..200 {
            let mix = mix_of_seed(&quiet, seed, 3);
            let storage = mix.storage().expect("storage faults on");
            assert_eq!(storage.torn_write_probability(), 0.0);
            assert!(storage.lose_unsynced_probability() >= 0.9);
            let text = mix.to_string();
            for absent in ["torn", "err", "corrupt"] {
                assert!(!text.contains(absent), "{text}");
            }
        }
        let off = Swarm::default().storage(false);
        assert!((0..50).all(|seed| mix_of_seed(&off, seed, 3).storage().is_none()));
        let on_again = off.corrupt_reads(0.5);
        assert!((0..50).any(|seed| {
            mix_of_seed(&on_again, seed, 3)
                .to_string()
                .contains("corrupt")
        }));
    }

    #[test]
    fn halves_are_both_non_empty_and_cut_every_cross_link() {
        let swarm = Swarm::default().partition_modes(&[PartitionMode::Halves]);
        let mut seen = 0;
        for seed in 0..100 {
            let mix = mix_of_seed(&swarm, seed, 2);
            for p in mix.faults().partitions() {
                seen += 1;
                assert!(p.start() < p.end());
            }
            assert!(!mix.to_string().contains("{}"), "{mix}");
        }
        assert!(seen > 20);
    }
}
