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
                let operations = smallest
                    .iter()
                    .map(|&at| OpId(partition[at] as u32))
                    .collect();
                return Err(Violation {
                    consistency,
                    operations,
                    partition_len: ops.len(),
                });
            }
        }
        Ok(checked)
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
    match consistency {
        Consistency::Linearizable => linearizable::search(spec, ops),
        Consistency::SequentiallyConsistent => sequential::search(spec, ops),
    }
}

/// The smallest inconsistent subset of the inconsistent `ops` the search finds, as indices
/// into `ops`: the shortest inconsistent prefix by invocation, then each operation whose
/// absence keeps the rest inconsistent left out.
fn smallest<S: SequentialSpec>(
    spec: &S,
    ops: &[&Operation<S::Op, S::Ret>],
    consistency: Consistency,
) -> Vec<usize> {
    let mut order: Vec<usize> = (0..ops.len()).collect();
    order.sort_by_key(|&i| (ops[i].invoked, i));
    let holds = |subset: &[usize], cut: u64| {
        let cut_ops: Vec<Operation<S::Op, S::Ret>> =
            subset.iter().map(|&i| cut_at(ops[i], cut)).collect();
        let refs: Vec<&Operation<S::Op, S::Ret>> = cut_ops.iter().collect();
        consistent(spec, &refs, consistency).0
    };
    // The shortest inconsistent prefix: inconsistency only grows with the prefix.
    let (mut low, mut high) = (1, order.len());
    while low < high {
        let mid = (low + high) / 2;
        if holds(&order[..mid], ops[order[mid - 1]].invoked) {
            low = mid + 1;
        } else {
            high = mid;
        }
    }
    let cut = ops[order[high - 1]].invoked;
    let mut kept = order[..high].to_vec();
    for at in (0..kept.len()).rev() {
        let mut without = kept.clone();
        without.remove(at);
        if !holds(&without, cut) {
            kept = without;
        }
    }
    kept.sort_unstable();
    kept
}

/// `operation` as a history cut at time `cut` shows it: pending if it returned after.
fn cut_at<Op: Clone, Ret: Clone>(operation: &Operation<Op, Ret>, cut: u64) -> Operation<Op, Ret> {
    let mut seen = operation.clone();
    if operation.returned().is_some_and(|at| at > cut) {
        seen.outcome = Outcome::Pending;
    }
    seen
}

/// The operations `ids` of `history` as a timeline, one line each in invocation order: the
/// client (named by `client_name`), a bar from invocation to return over the span they cover,
/// the times, the operation and what it returned.
pub fn timeline<Op: Debug, Ret: Debug>(
    history: &History<Op, Ret>,
    ids: &[OpId],
    client_name: &dyn Fn(usize) -> String,
) -> String {
    const WIDTH: u64 = 24;
    let ops: Vec<&Operation<Op, Ret>> = ids.iter().filter_map(|&id| history.get(id)).collect();
    let start = ops.iter().map(|op| op.invoked).min().unwrap_or(0);
    let end = ops
        .iter()
        .map(|op| op.returned().unwrap_or(op.invoked))
        .max()
        .unwrap_or(start)
        .max(start + 1);
    let column = |t: u64| ((t - start) * (WIDTH - 1) / (end - start)) as usize;
    let names: Vec<String> = ops.iter().map(|op| client_name(op.client)).collect();
    let name_width = names.iter().map(|n| n.chars().count()).max().unwrap_or(0);
    let mut text = String::new();
    for (op, name) in ops.iter().zip(&names) {
        let from = column(op.invoked);
        let (to, times, result) = match &op.outcome {
            Outcome::Ok { at, ret } => (
                column(*at),
                format!("t={}..{at}", op.invoked),
                format!("{ret:?}"),
            ),
            _ => (
                WIDTH as usize - 1,
                format!("t={}..", op.invoked),
                "pending".to_string(),
            ),
        };
        let bar: String = (0..WIDTH as usize)
            .map(|c| match c {
                c if c == from => '├',
                c if c == to => '┤',
                c if c > from && c < to => '─',
                _ => ' ',
            })
            .collect();
        let pad = name_width - name.chars().count();
        text.push_str(&format!(
            "{name}{:pad$}  {bar}  {times:<10} {:?} → {result}\n",
            "", op.op
        ));
    }
    text
}
