//! Liveness: "eventually P", "always eventually P" and "P leads to Q" under weak and strong
//! fairness, with lasso counterexamples (a stem, then a cycle repeated forever). This module is
//! the report ([`LivenessReport`]) and the entry point behind
//! [`Checker::liveness`](super::Checker::liveness); the properties ([`Liveness`], [`Fairness`])
//! are in `property`, the analysis in `analysis`, with Tarjan's algorithm in `tarjan`, its sets
//! in `bits`, and the lasso's cycle in `lasso`.
//!
//! The graph is explored whole, then: states where the goal fails ("bad") are searched from the
//! property's seeds; a bad state that cannot reach the goal at all is reported first
//! ([`LivenessKind::GoalUnreachable`]); otherwise Tarjan's algorithm finds the strongly connected
//! components of the reachable bad states (roots in search order, edges in action order, so the
//! same model always reports the same lasso), and the first component, in completion order, that
//! hosts a fair cycle is the counterexample.
//!
//! The lasso's stem follows the property's breadth-first search to the component's entry state
//! (the component's first state in that search). Its cycle is a fair run: repeated forever, it
//! takes every weakly fair action that stays enabled all along it, and every strongly fair action
//! it enables anywhere. It is the shortest loop through the entry when that loop is fair already,
//! and otherwise that loop followed by one detour through the component per fair action the loop
//! would starve (so a state may occur more than once in the cycle).

use std::fmt::{self, Debug};
use std::hash::Hash;

mod analysis;
mod bits;
mod lasso;
mod property;
mod tarjan;

use super::graph::explore_with;
use super::model::{Fair, Model};
use super::options::CheckOptions;
use super::report::{TraceStep, write_trace};
use analysis::Analysis;
use bits::Bits;
pub use property::{Fairness, Liveness, LivenessKind};

/// The outcome of [`Checker::liveness`](super::Checker::liveness).
#[derive(Clone, Debug)]
pub struct LivenessReport<S> {
    name: String,
    states: usize,
    transitions: usize,
    truncated: Option<usize>,
    kind: Option<LivenessKind>,
    /// Whether any action was fair (the cycle is then "fair").
    fair: bool,
    stem: Vec<TraceStep<S>>,
    cycle: Vec<TraceStep<S>>,
}

impl<S> LivenessReport<S> {
    /// Whether the property holds on the whole state space (false when truncated).
    pub fn ok(&self) -> bool {
        self.kind.is_none() && self.truncated.is_none()
    }

    /// Whether the exploration stopped at `max_states`, which leaves no verdict.
    pub fn inconclusive(&self) -> bool {
        self.truncated.is_some()
    }

    /// How it fails.
    pub fn kind(&self) -> Option<LivenessKind> {
        self.kind
    }

    /// From an initial state to the entry of the cycle (or to the state that cannot reach the
    /// goal).
    pub fn stem(&self) -> &[TraceStep<S>] {
        &self.stem
    }

    /// The cycle, from the entry back to it (empty for `GoalUnreachable`): a fair run when
    /// repeated forever — every weakly fair action enabled in all its states and every strongly
    /// fair action enabled in one of them is taken on it.
    pub fn cycle_steps(&self) -> &[TraceStep<S>] {
        &self.cycle
    }

    /// The actions of the stem, then of the cycle.
    pub fn actions(&self) -> (Vec<&str>, Vec<&str>) {
        fn names<S>(steps: &[TraceStep<S>]) -> Vec<&str> {
            steps.iter().filter_map(|s| s.action.as_deref()).collect()
        }
        (names(&self.stem), names(&self.cycle))
    }

    /// Distinct states explored.
    pub fn states(&self) -> usize {
        self.states
    }

    /// Transitions explored.
    pub fn transitions(&self) -> usize {
        self.transitions
    }
}

impl<S: Debug> fmt::Display for LivenessReport<S> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let name = &self.name;
        if let Some(cap) = self.truncated {
            return write!(
                f,
                "INCONCLUSIVE — `{name}`: the exploration stopped at max_states = {cap} ({} states); liveness needs the whole graph",
                self.states
            );
        }
        match self.kind {
            None => write!(
                f,
                "OK — `{name}` holds on every run ({} states, {} transitions)",
                self.states, self.transitions
            ),
            Some(LivenessKind::GoalUnreachable) => {
                writeln!(
                    f,
                    "LIVENESS VIOLATED: `{name}` is unreachable from a reachable state"
                )?;
                write_trace(f, &self.stem, "→")?;
                write!(f, "({} states explored)", self.states)
            }
            Some(LivenessKind::FairCycle) => {
                let cycle = if self.fair { "a fair cycle" } else { "a cycle" };
                writeln!(f, "LIVENESS VIOLATED: {cycle} never reaches `{name}`")?;
                write_trace(f, &self.stem, "→")?;
                writeln!(f, "  --- loops forever ---")?;
                write_trace(f, &self.cycle[1..], "↺")?;
                write!(f, "({} states explored)", self.states)
            }
        }
    }
}

/// A fairness setting that names actions the model does not have.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct UnknownActions {
    /// The names that match no action.
    pub unknown: Vec<String>,
    /// The model's actions.
    pub known: Vec<String>,
}

impl fmt::Display for UnknownActions {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "fairness names {:?}, which match no action (known: {:?})",
            self.unknown, self.known
        )
    }
}

impl std::error::Error for UnknownActions {}

/// Checks `property` on `model` with `options`.
pub(crate) fn check_liveness_with<S: Clone + Eq + Hash + Debug + 'static>(
    model: &Model<S>,
    property: &Liveness<S>,
    options: CheckOptions,
) -> Result<LivenessReport<S>, UnknownActions> {
    let (weak, strong) = fair_masks(model, &property.fairness)?;
    let fair = !weak.is_empty() || !strong.is_empty();
    let graph = explore_with(model, options);
    let mut report = LivenessReport {
        name: property.name.clone(),
        states: graph.len(),
        transitions: graph.transitions(),
        truncated: graph.truncated,
        kind: None,
        fair,
        stem: Vec::new(),
        cycle: Vec::new(),
    };
    if report.truncated.is_none() {
        let mut analysis = Analysis::new(&graph, property, weak, strong);
        if let Some((kind, stem, cycle)) = analysis.counterexample() {
            report.kind = Some(kind);
            report.stem = stem;
            report.cycle = cycle;
        }
    }
    Ok(report)
}

/// Bitsets over actions: which are weakly and strongly fair.
fn fair_masks<S>(model: &Model<S>, fairness: &Fairness) -> Result<(Bits, Bits), UnknownActions> {
    let count = model.actions.len();
    let (mut weak, mut strong) = (Bits::new(count), Bits::new(count));
    match fairness {
        Fairness::None => {}
        Fairness::Tags => {
            for (index, action) in model.actions.iter().enumerate() {
                match action.fairness() {
                    Fair::Weak => weak.set(index),
                    Fair::Strong => strong.set(index),
                    Fair::Unfair => {}
                }
            }
        }
        Fairness::Names {
            weak: weak_names,
            strong: strong_names,
        } => {
            let known: Vec<String> = model.actions.iter().map(|a| a.name().to_string()).collect();
            let unknown: Vec<String> = weak_names
                .iter()
                .chain(strong_names)
                .filter(|n| !known.contains(n))
                .cloned()
                .collect();
            if !unknown.is_empty() {
                return Err(UnknownActions { unknown, known });
            }
            weak = named(&known, weak_names);
            strong = named(&known, strong_names);
        }
    }
    Ok((weak, strong))
}

/// The indices in `known` of the actions called one of `names`.
fn named(known: &[String], names: &[String]) -> Bits {
    let mut bits = Bits::new(known.len());
    known
        .iter()
        .enumerate()
        .filter(|(_, name)| names.contains(name))
        .for_each(|(index, _)| bits.set(index));
    bits
}
