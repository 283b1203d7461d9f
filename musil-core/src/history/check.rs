//! Checking a [`History`] against a [`SequentialSpec`]: linearizability (partitioned by key
//! when the spec says how) or sequential consistency, and — when the history is not
//! consistent — the smallest inconsistent sub-history the checker can find: the shortest
//! inconsistent prefix (by invocation; operations returning after its cut count as pending),
//! then every operation left out whose absence keeps it inconsistent.

use std::collections::BTreeMap;
use std::fmt::Debug;

use super::record::{History, OpId, Operation, Outcome};
use super::spec::SequentialSpec;
use super::{linearizable, sequential};

/// The consistency a history is checked for.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Consistency {
    /// Each operation takes effect at one instant between its invocation and its return.
    Linearizable,
    /// Some interleaving that keeps each client's order explains every return (real time
    /// between clients does not count). Not compositional: checked whole.
    SequentiallyConsistent,
}

impl Consistency {
    /// `linearizable` or `sequentially consistent`.
    pub fn as_str(self) -> &'static str {
        match self {
            Consistency::Linearizable => "linearizable",
            Consistency::SequentiallyConsistent => "sequentially consistent",
        }
    }
}

/// What a passing check did.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Checked {
    /// Partitions checked apart.
    pub partitions: usize,
    /// Operations checked (failed ones are left out).
    pub operations: usize,
    /// `(operations done, state)` pairs the searches remembered, in all.
    pub states: usize,
}

/// A history that is not consistent: the smallest inconsistent sub-history found.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Violation {
    /// The consistency it breaks.
    pub consistency: Consistency,
    /// The operations of the sub-history, in invocation order (shown with their real returns).
    pub operations: Vec<OpId>,
    /// Those of them whose returns the contradiction needs (the others' could be anything).
    pub returns_needed: Vec<OpId>,
    /// How many operations the inconsistent partition had.
    pub partition_len: usize,
}

impl<Op: Clone + Debug, Ret: Clone + Debug> History<Op, Ret> {
    /// Checks the history for `consistency` against `spec`.
    ///
    /// ```
    /// use musil_core::history::{Consistency, History, Register, RegisterOp, RegisterRet};
    ///
    /// let mut history = History::new();
    /// let write = history.invoke(0, 0, RegisterOp::Write(1));
    /// history.complete(write, 1, RegisterRet::Ok);
    /// let read = history.invoke(1, 2, RegisterOp::Read);
    /// history.complete(read, 3, RegisterRet::Value(None));
    /// let spec = Register::default();
    /// let violation = history.check(&spec, Consistency::Linearizable).unwrap_err();
    /// assert_eq!(violation.operations.len(), 2);
    /// assert!(history.check(&spec, Consistency::SequentiallyConsistent).is_ok());
    /// ```
    pub fn check<S>(&self, spec: &S, consistency: Consistency) -> Result<Checked, Violation>
    where
        S: SequentialSpec<Op = Op, Ret = Ret>,
    {
        let partitions = self.partitions::<S>(consistency);
        let mut checked = Checked {
            partitions: partitions.len(),
            operations: 0,
            states: 0,
        };
        for partition in &partitions {
            let ops: Vec<&Operation<Op, Ret>> =
                partition.iter().map(|&i| &self.operations()[i]).collect();
            let (consistent, states) = consistent(spec, &ops, consistency);
            checked.operations += ops.len();
            checked.states += states;
            if !consistent {
                let smallest = smallest(spec, &ops, consistency);
                let id = |at: usize| OpId(partition[at] as u32);
                return Err(Violation {
                    consistency,
                    operations: smallest.iter().map(|&(at, _)| id(at)).collect(),
                    returns_needed: smallest
                        .iter()
                        .filter(|(_, needed)| *needed)
                        .map(|&(at, _)| id(at))
                        .collect(),
                    partition_len: ops.len(),
                });
            }
        }
        Ok(checked)
    }

    /// Whether the history is consistent, without looking for the smallest inconsistent part
    /// when it is not.
    pub fn is_consistent<S>(&self, spec: &S, consistency: Consistency) -> bool
    where
        S: SequentialSpec<Op = Op, Ret = Ret>,
    {
        self.partitions::<S>(consistency).iter().all(|partition| {
            let ops: Vec<&Operation<Op, Ret>> =
                partition.iter().map(|&i| &self.operations()[i]).collect();
            consistent(spec, &ops, consistency).0
        })
    }

    /// The operations checked together: failed ones left out; for linearizability, grouped by
    /// [`SequentialSpec::partition`] in order of first invocation (all together if any
    /// operation has no partition).
    fn partitions<S>(&self, consistency: Consistency) -> Vec<Vec<usize>>
    where
        S: SequentialSpec<Op = Op, Ret = Ret>,
    {
        let live: Vec<usize> = (0..self.len())
            .filter(|&i| !matches!(self.operations()[i].outcome, Outcome::Failed))
            .collect();
        let keys: Option<Vec<u64>> = match consistency {
            Consistency::Linearizable => live
                .iter()
                .map(|&i| S::partition(&self.operations()[i].op))
                .collect(),
            Consistency::SequentiallyConsistent => None,
        };
        let Some(keys) = keys else {
            return vec![live];
        };
        let mut group_of: BTreeMap<u64, usize> = BTreeMap::new();
        let mut groups: Vec<Vec<usize>> = Vec::new();
        for (&index, key) in live.iter().zip(keys) {
            let next = groups.len();
            let group = *group_of.entry(key).or_insert(next);
            if group == next {
                groups.push(Vec::new());
            }
            groups[group].push(index);
        }
        groups
    }
}

/// Whether `ops` are consistent, and the states remembered.
fn consistent<S: SequentialSpec>(
    spec: &S,
    ops: &[&Operation<S::Op, S::Ret>],
    consistency: Consistency,
) -> (bool, usize) {
    let (verdict, states) = search(spec, ops, consistency, usize::MAX);
    (verdict.unwrap_or(true), states)
}

/// Whether `ops` are consistent, unless telling would take remembering more than `limit`
/// states (`None`).
fn consistent_within<S: SequentialSpec>(
    spec: &S,
    ops: &[&Operation<S::Op, S::Ret>],
    consistency: Consistency,
    limit: usize,
) -> Option<bool> {
    search(spec, ops, consistency, limit).0
}

fn search<S: SequentialSpec>(
    spec: &S,
    ops: &[&Operation<S::Op, S::Ret>],
    consistency: Consistency,
    limit: usize,
) -> (Option<bool>, usize) {
    match consistency {
        Consistency::Linearizable => linearizable::search(spec, ops, limit),
        Consistency::SequentiallyConsistent => sequential::search(spec, ops, limit),
    }
}

/// Search effort, in remembered states, one step of the search for the smallest inconsistent
/// part may spend before it gives that step up (keeping the larger part).
const STEP_STATES: usize = 20_000;

/// The same for each check of a prefix (a longer prefix is then kept).
const PREFIX_STATES: usize = 200_000;

/// The smallest inconsistent part of the inconsistent `ops` the search finds, as indices into
/// `ops` with whether each one's return is needed: the shortest inconsistent prefix by
/// invocation; then each operation that changes no state (a read) left out, and each other
/// one's return forgotten (made pending), wherever the rest stays inconsistent. Operations
/// that change state are never left out: a read would then return a value nobody wrote, an
/// inconsistency of the checker's making. A step whose check would cost more than
/// [`STEP_STATES`] is not taken, so the search stays cheap; the part found is then larger.
fn smallest<S: SequentialSpec>(
    spec: &S,
    ops: &[&Operation<S::Op, S::Ret>],
    consistency: Consistency,
) -> Vec<(usize, bool)> {
    let mut order: Vec<usize> = (0..ops.len()).collect();
    order.sort_by_key(|&i| (ops[i].invoked, i));
    let inconsistent = |kept: &[(usize, bool)], cut: u64, limit: usize| {
        let seen: Vec<Operation<S::Op, S::Ret>> = kept
            .iter()
            .map(|&(i, needed)| seen_as(ops[i], cut, needed))
            .collect();
        let refs: Vec<&Operation<S::Op, S::Ret>> = seen.iter().collect();
        consistent_within(spec, &refs, consistency, limit) == Some(false)
    };
    // The shortest inconsistent prefix: inconsistency only grows with the prefix.
    let all = |k: usize| order[..k].iter().map(|&i| (i, true)).collect::<Vec<_>>();
    let cut_of = |k: usize| ops[order[k - 1]].invoked;
    let (mut low, mut high) = (1, order.len());
    while low < high {
        let mid = (low + high) / 2;
        if inconsistent(&all(mid), cut_of(mid), PREFIX_STATES) {
            high = mid;
        } else {
            low = mid + 1;
        }
    }
    let cut = cut_of(high);
    let readers = reads(spec, ops, &order[..high]);
    let mut kept = all(high);
    for at in (0..kept.len()).rev() {
        if readers.contains(&kept[at].0) {
            let mut smaller = kept.clone();
            smaller.remove(at);
            if inconsistent(&smaller, cut, STEP_STATES) {
                kept = smaller;
            }
        }
    }
    for at in (0..kept.len()).rev() {
        let mut smaller = kept.clone();
        smaller[at].1 = false;
        if inconsistent(&smaller, cut, STEP_STATES) {
            kept = smaller;
        }
    }
    kept.sort_unstable();
    kept
}

/// Which of `prefix` change no state: applied to every state the prefix passes through (in
/// invocation order, from `spec`), each leaves it as it was.
fn reads<S: SequentialSpec>(
    spec: &S,
    ops: &[&Operation<S::Op, S::Ret>],
    prefix: &[usize],
) -> Vec<usize> {
    let mut states = vec![spec.clone()];
    for &index in prefix {
        let mut next = states[states.len() - 1].clone();
        next.apply(&ops[index].op);
        states.push(next);
    }
    prefix
        .iter()
        .copied()
        .filter(|&index| {
            states.iter().all(|state| {
                let mut after = state.clone();
                after.apply(&ops[index].op);
                after == *state
            })
        })
        .collect()
}

/// `operation` as the prefix up to `cut` shows it: pending if it returned after the cut, or if
/// its return is not `needed`.
fn seen_as<Op: Clone, Ret: Clone>(
    operation: &Operation<Op, Ret>,
    cut: u64,
    needed: bool,
) -> Operation<Op, Ret> {
    let mut seen = cut_at(operation, cut);
    if !needed && !matches!(seen.outcome, Outcome::Failed) {
        seen.outcome = Outcome::Pending;
    }
    seen
}

/// `operation` as a history cut at time `cut` shows it: pending if it returned after.
fn cut_at<Op: Clone, Ret: Clone>(operation: &Operation<Op, Ret>, cut: u64) -> Operation<Op, Ret> {
    let mut seen = operation.clone();
    if operation.returned().is_some_and(|at| at > cut) {
        seen.outcome = Outcome::Pending;
    }
    seen
}
