//! Open systems: a model checked together with the environments it runs in. An
//! [`EnvironmentSpec`] adds adversarial behaviours (unfair actions), guarantees (invariants named
//! `env:name`) and [`Assumption`]s; the result lists the assumptions nobody has verified, the
//! residual proof obligations.

use std::fmt::{self, Debug};
use std::hash::Hash;

use super::liveness::LivenessReport;
use super::model::{Action, Model};
use super::report::CheckReport;
use crate::property::{Invariant, InvariantOutcome, sort_by_name};

/// How far an assumption is established.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum AssumptionStatus {
    /// Taken as given (hardware, physics): still listed, as something the result rests on.
    Axiom,
    /// Proven or tested elsewhere.
    Verified,
    /// Nobody has checked it.
    Unverified,
}

impl fmt::Display for AssumptionStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            AssumptionStatus::Axiom => "axiom",
            AssumptionStatus::Verified => "verified",
            AssumptionStatus::Unverified => "unverified",
        })
    }
}

/// Something the result depends on that the model does not check.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Assumption {
    /// A short name, e.g. `k8s:eviction-rate-bounded`.
    pub name: String,
    /// What is assumed.
    pub description: String,
    /// How far it is established.
    pub status: AssumptionStatus,
    /// Where it comes from (documentation, a paper, an SLA).
    pub source: String,
}

impl Assumption {
    /// An unverified assumption.
    pub fn new(name: impl Into<String>, description: impl Into<String>) -> Self {
        Assumption {
            name: name.into(),
            description: description.into(),
            status: AssumptionStatus::Unverified,
            source: String::new(),
        }
    }

    /// Sets its status.
    pub fn status(mut self, status: AssumptionStatus) -> Self {
        self.status = status;
        self
    }

    /// Sets its source.
    pub fn source(mut self, source: impl Into<String>) -> Self {
        self.source = source.into();
        self
    }
}

/// An environment: what the platform may do to the system, what it guarantees, and what is
/// assumed about it.
pub struct EnvironmentSpec<S> {
    name: String,
    behaviours: Vec<Action<S>>,
    guarantees: Vec<Invariant<S>>,
    assumptions: Vec<Assumption>,
}

impl<S: 'static> EnvironmentSpec<S> {
    /// An environment called `name` (its actions and guarantees are prefixed `name:`).
    pub fn new(name: impl Into<String>) -> Self {
        EnvironmentSpec {
            name: name.into(),
            behaviours: Vec::new(),
            guarantees: Vec::new(),
            assumptions: Vec::new(),
        }
    }

    /// Something the environment may do at any time (an unfair action named `env:name`).
    pub fn behaviour(
        mut self,
        name: &str,
        guard: impl Fn(&S) -> bool + Send + Sync + 'static,
        apply: impl Fn(&S) -> S + Send + Sync + 'static,
    ) -> Self {
        self.behaviours
            .push(Action::new(format!("{}:{name}", self.name), guard, apply));
        self
    }

    /// Something the environment guarantees, checked as the invariant `env:name`.
    pub fn guarantee<R: InvariantOutcome>(
        mut self,
        name: &str,
        check: impl Fn(&S) -> R + Send + Sync + 'static,
    ) -> Self {
        self.guarantees
            .push(Invariant::new(format!("{}:{name}", self.name), check));
        self
    }

    /// Something assumed about the environment.
    pub fn assumption(mut self, assumption: Assumption) -> Self {
        self.assumptions.push(assumption);
        self
    }
}

/// The model with every environment's behaviours and guarantees added (nothing of the model is
/// dropped: its actions, terminal states, invariants and edge invariants all stay).
pub(crate) fn compose<S: Clone + Eq + Hash + Debug + 'static>(
    system: &Model<S>,
    envs: &[EnvironmentSpec<S>],
) -> Model<S> {
    let mut composed = system.clone();
    for env in envs {
        composed.actions.extend(env.behaviours.iter().cloned());
        composed.invariants.extend(env.guarantees.iter().cloned());
    }
    sort_by_name(&mut composed.invariants);
    composed
}

/// Every assumption that is not verified, environment by environment, without repeats.
pub(crate) fn residual<S>(envs: &[EnvironmentSpec<S>]) -> Vec<Assumption> {
    let mut out: Vec<Assumption> = Vec::new();
    for assumption in envs.iter().flat_map(|env| &env.assumptions) {
        if assumption.status != AssumptionStatus::Verified && !out.contains(assumption) {
            out.push(assumption.clone());
        }
    }
    out
}

fn write_residual(f: &mut fmt::Formatter<'_>, residual: &[Assumption]) -> fmt::Result {
    if residual.is_empty() {
        return Ok(());
    }
    write!(
        f,
        "\nResidual assumptions (not verified: the result rests on them):"
    )?;
    for a in residual {
        let source = if a.source.is_empty() {
            String::new()
        } else {
            format!("  [{}]", a.source)
        };
        write!(
            f,
            "\n  [{}] {}: {}{source}",
            a.status, a.name, a.description
        )?;
    }
    Ok(())
}

/// The result of [`Checker::open`](super::Checker::open): the check of the composed model, and
/// what it rests on.
#[derive(Clone, Debug)]
pub struct OpenReport<S> {
    /// The check of the system within its environments.
    pub report: CheckReport<S>,
    /// The assumptions that are not verified (axioms included).
    pub residual: Vec<Assumption>,
}

impl<S: Debug> fmt::Display for OpenReport<S> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(&self.report, f)?;
        write_residual(f, &self.residual)
    }
}

/// The result of [`Checker::liveness_open`](super::Checker::liveness_open).
#[derive(Clone, Debug)]
pub struct OpenLivenessReport<S> {
    /// The liveness check of the system within its environments.
    pub report: LivenessReport<S>,
    /// The assumptions that are not verified (axioms included).
    pub residual: Vec<Assumption>,
}

impl<S: Debug> fmt::Display for OpenLivenessReport<S> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(&self.report, f)?;
        write_residual(f, &self.residual)
    }
}
