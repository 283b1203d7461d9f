//! A power loss on one node's disk: each unsynced change is kept, lost or torn (a
//! sector-aligned prefix kept), drawn on the node's disk stream in file-name order, then change
//! order; synced data stays.

use crate::decision::{Cause, Choice, Decision, DecisionSource, Stream, chance};
use crate::id::NodeId;
use crate::sim::storage::StorageModel;

use super::files::{DiskFiles, Unsynced};
use super::record::{Fate, UnsyncedFate};

/// Applies a power loss to `disk`; returns what became of every unsynced change.
pub(crate) fn power_loss(
    disk: &mut DiskFiles,
    model: &StorageModel,
    decisions: &mut dyn DecisionSource,
    node: NodeId,
) -> Vec<UnsyncedFate> {
    let mut fates = Vec::new();
    let mut vanished = Vec::new();
    for (name, file) in &mut disk.files {
        for change in std::mem::take(&mut file.unsynced) {
            let fate = decide(change, model, decisions, node);
            let keep = match fate {
                Fate::Kept => Some(usize::MAX),
                Fate::Lost => None,
                Fate::Torn { kept } => Some(kept as usize),
            };
            if let Some(keep) = keep {
                file.apply_durably(change, Some(keep));
            }
            fates.push(fate_of(name, change, fate));
        }
        file.revert();
        if !file.synced_once && file.durable.is_empty() {
            vanished.push(name.clone());
        }
    }
    for name in vanished {
        disk.files.remove(&name);
    }
    disk.recount();
    fates
}

/// Torn (writes only), else lost, else kept.
fn decide(
    change: Unsynced,
    model: &StorageModel,
    decisions: &mut dyn DecisionSource,
    node: NodeId,
) -> Fate {
    let stream = Stream::Disk(node);
    if let Unsynced::Write { offset, len, .. } = change
        && chance(
            decisions,
            stream,
            Cause::TornWrite,
            model.torn_write_probability(),
        )
    {
        let kept = torn_prefix(offset, len as u64, model.sector_size(), decisions, node);
        return Fate::Torn { kept };
    }
    if chance(
        decisions,
        stream,
        Cause::LostWrite,
        model.lose_unsynced_probability(),
    ) {
        Fate::Lost
    } else {
        Fate::Kept
    }
}

/// How much of a write of `len` bytes at `offset` a tear keeps: uniformly one of the prefixes
/// that end on a sector boundary inside the write, or nothing.
fn torn_prefix(
    offset: u64,
    len: u64,
    sector: u64,
    decisions: &mut dyn DecisionSource,
    node: NodeId,
) -> u64 {
    if len == 0 {
        return 0;
    }
    let first_sector = offset / sector;
    let boundaries = (offset + len - 1) / sector - first_sector;
    if boundaries == 0 {
        return 0;
    }
    let pick = decisions.decide(&Decision {
        stream: Stream::Disk(node),
        cause: Cause::TornLength,
        choice: Choice::Uniform {
            lo: 0,
            hi: boundaries,
        },
    });
    if pick == 0 {
        0
    } else {
        (first_sector + pick) * sector - offset
    }
}

fn fate_of(file: &str, change: Unsynced, fate: Fate) -> UnsyncedFate {
    let (offset, bytes, truncate) = match change {
        Unsynced::Write { offset, len, .. } => (offset, len as u64, false),
        Unsynced::Truncate { len } => (len, 0, true),
    };
    UnsyncedFate {
        file: file.to_string(),
        offset,
        bytes,
        truncate,
        fate,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::decision::seeded::Seeded;

    fn disk_with(writes: &[(&str, u64, &[u8])], synced: &[&str]) -> DiskFiles {
        let mut disk = DiskFiles::default();
        for &(name, offset, bytes) in writes {
            disk.file_mut(name).write(offset, bytes);
            if synced.contains(&name) {
                disk.file_mut(name).sync();
            }
        }
        disk
    }

    #[test]
    fn reliable_storage_loses_every_unsynced_write_and_keeps_synced_ones() {
        let mut disk = disk_with(&[("wal", 0, b"synced")], &["wal"]);
        disk.file_mut("wal").write(6, b"unsynced");
        disk.file_mut("tmp").write(0, b"never synced");
        let fates = power_loss(
            &mut disk,
            &StorageModel::reliable(),
            &mut Seeded::new(1),
            NodeId::new(0),
        );
        assert_eq!(disk.files["wal"].data.as_slice(), b"synced");
        assert!(
            !disk.files.contains_key("tmp"),
            "a never-synced file that kept nothing is gone"
        );
        assert_eq!(fates.len(), 2);
        assert!(fates.iter().all(|f| f.fate == Fate::Lost));
        assert_eq!(disk.used, 6);
    }

    #[test]
    fn torn_writes_keep_a_prefix_ending_on_a_sector_boundary() {
        let model = StorageModel::reliable().torn_writes(1.0).sector(8);
        let mut lengths = std::collections::BTreeSet::new();
        for seed in 0..200 {
            let mut disk = disk_with(&[("log", 0, b"head")], &["log"]);
            disk.file_mut("log").write(4, &[7; 40]);
            let fates = power_loss(&mut disk, &model, &mut Seeded::new(seed), NodeId::new(0));
            let Fate::Torn { kept } = fates[0].fate else {
                panic!("every write tears at torn_writes(1.0): {fates:?}")
            };
            let len = disk.files["log"].data.len() as u64;
            assert_eq!(len, 4 + kept);
            assert!(
                kept == 0 || len.is_multiple_of(8),
                "kept {kept}: file ends at {len}"
            );
            assert!(kept < 40, "a tear never keeps the whole write");
            lengths.insert(len);
        }
        assert_eq!(
            lengths.into_iter().collect::<Vec<_>>(),
            vec![4, 8, 16, 24, 32, 40],
            "every aligned prefix occurs"
        );
    }
}
