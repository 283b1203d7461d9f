//! Pod eviction — checking an open system against the platform it runs on.
//!
//! A deployment controller keeps `running` replicas up to `desired`. It does not run alone:
//! Kubernetes may evict pods at any time (node drain, preemption, memory pressure). An *open
//! system* check composes the model with an [`EnvironmentSpec`] that says
//!
//! - what the platform may do — **behaviours**, unfair actions (`k8s:evict` may fire, or never);
//! - what the platform guarantees — **guarantees**, checked as invariants (`k8s:…`);
//! - what the result rests on — **assumptions**, each with a source and a status. Verified
//!   assumptions drop out; axioms and unverified ones are printed as the residual proof
//!   obligations: what someone still has to check for the verdict to mean anything.
//!
//! `Checker::open` checks safety (the guarantee, and no deadlock) in the composed model, and
//! `Checker::liveness_open` checks that the controller converges — `running == desired`
//! eventually — with the controller weakly fair and the environment unfair. Convergence needs
//! the eviction budget (a PodDisruptionBudget): against a platform that may evict forever, the
//! same check finds the evict/restart lasso.
//!
//! Run it with `cargo run --example pod_eviction`.

use musil::check::{
    Action, Assumption, AssumptionStatus, EnvironmentSpec, Liveness, LivenessKind, Model,
    OpenLivenessReport, OpenReport,
};

/// Replicas the deployment asks for.
const DESIRED: u8 = 3;
/// Pods the cluster's nodes have room for.
const CAPACITY: u8 = 3;
/// Evictions the disruption budget allows.
const EVICTION_BUDGET: u8 = 2;

#[derive(Clone, Debug, PartialEq, Eq, Hash)]
struct Deployment {
    desired: u8,
    running: u8,
    evictions: u8,
}

fn converged(d: &Deployment) -> bool {
    d.running == d.desired
}

/// The controller: start one replica at a time while fewer than desired run (weakly fair: a
/// controller that is continuously behind eventually acts).
fn deployment() -> Model<Deployment> {
    Model::new(Deployment {
        desired: DESIRED,
        running: 0,
        evictions: 0,
    })
    .action(
        Action::new(
            "start_replica",
            |d: &Deployment| d.running < d.desired,
            |d| Deployment {
                running: d.running + 1,
                ..*d
            },
        )
        .weak(),
    )
    .terminal(converged)
}

/// Kubernetes: evicts pods (at most `budget` of them, if there is a budget), guarantees that no
/// more pods run than the nodes hold, and rests on assumptions, one of them verified.
fn kubernetes(budget: Option<u8>) -> EnvironmentSpec<Deployment> {
    let k8s = EnvironmentSpec::new("k8s")
        .behaviour(
            "evict",
            move |d: &Deployment| d.running > 0 && budget.is_none_or(|b| d.evictions < b),
            move |d| Deployment {
                running: d.running - 1,
                // Only a budget needs the count (and counting without one would never end).
                evictions: d.evictions + u8::from(budget.is_some()),
                ..*d
            },
        )
        .guarantee("running<=capacity", |d: &Deployment| {
            if d.running <= CAPACITY {
                Ok(())
            } else {
                Err(format!("{} pods on room for {CAPACITY}", d.running))
            }
        });
    let k8s = match budget {
        Some(budget) => k8s.assumption(
            Assumption::new(
                "k8s:eviction-budget",
                format!("at most {budget} voluntary evictions per rollout"),
            )
            .source(
                "kubernetes.io/docs/concepts/workloads/pods/disruptions/ (PodDisruptionBudget)",
            ),
        ),
        None => k8s,
    };
    k8s.assumption(
        Assumption::new(
            "k8s:scheduler-places-pods",
            "a started replica is scheduled while a node has room",
        )
        .source("kubernetes.io/docs/concepts/scheduling-eviction/kube-scheduler/"),
    )
    .assumption(
        Assumption::new(
            "cluster:capacity",
            format!("the node pool holds {CAPACITY} pods"),
        )
        .status(AssumptionStatus::Axiom)
        .source("infrastructure sizing"),
    )
    .assumption(
        Assumption::new(
            "k8s:api-linearizable",
            "the API server's writes are linearizable (etcd)",
        )
        .status(AssumptionStatus::Verified)
        .source("Jepsen, etcd 3.4.3 analysis"),
    )
}

/// Prints a report indented under a label.
fn show(label: &str, report: &dyn std::fmt::Display) {
    println!("  {label}");
    for line in report.to_string().lines() {
        println!("      {line}");
    }
    println!();
}

fn safety() -> OpenReport<Deployment> {
    let open = deployment()
        .checker()
        .open(&[kubernetes(Some(EVICTION_BUDGET))]);
    show("Safety within k8s (Checker::open):", &open);
    open
}

fn convergence(budget: Option<u8>, label: &str) -> OpenLivenessReport<Deployment> {
    let property = Liveness::eventually("running==desired", converged);
    let open = deployment()
        .checker()
        .liveness_open(&[kubernetes(budget)], &property)
        .expect("no fairness names to get wrong: the actions' tags are used");
    show(label, &open);
    open
}

fn main() {
    println!(
        "Pod eviction — a deployment controller ({DESIRED} replicas) in an evicting k8s cluster\n"
    );

    let open = safety();
    open.report.assert_ok();
    let residual: Vec<&str> = open.residual.iter().map(|a| a.name.as_str()).collect();
    assert_eq!(
        residual,
        [
            "k8s:eviction-budget",
            "k8s:scheduler-places-pods",
            "cluster:capacity"
        ],
        "the verified assumption is not an obligation"
    );

    let bounded = convergence(
        Some(EVICTION_BUDGET),
        "Convergence with the eviction budget (Checker::liveness_open):",
    );
    assert!(bounded.report.ok(), "{bounded}");

    let unbounded = convergence(
        None,
        "Convergence if k8s could evict without limit — the budget is load-bearing:",
    );
    assert_eq!(unbounded.report.kind(), Some(LivenessKind::FairCycle));
    assert!(
        unbounded.report.actions().1.contains(&"k8s:evict"),
        "the lasso evicts forever"
    );

    let axioms = open
        .residual
        .iter()
        .filter(|a| a.status == AssumptionStatus::Axiom)
        .count();
    println!(
        "Pod eviction: safe and convergent within k8s ({} states), resting on {} residual \
         assumptions, {axioms} of them an axiom; without the eviction budget it never converges.",
        open.report.states(),
        open.residual.len()
    );
}
