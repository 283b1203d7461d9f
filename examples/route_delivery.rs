//! Route delivery — from a checked design to simulated code that refines it.
//!
//! A controller pushes a route (a version number) to an agent over a lossy link; the agent
//! applies it and acknowledges. Two variants: **fire-and-forget** (send once) and **retry**
//! (resend on a timer until the ack arrives). This example checks both twice:
//!
//! 1. **The design** — a small model whose state includes the link (a push and an ack, each in
//!    flight or lost). [`check`] proves safety for both variants: the agent never applies a
//!    version the controller did not send. `Checker::liveness` asks whether the agent
//!    *converges* (`applied == desired` eventually): fire-and-forget fails (one lost push and
//!    nothing ever happens again); retry fails under weak fairness too — a push that is lost
//!    every time is delivered "only now and then", which weak fairness does not force — and
//!    holds once delivery is *strongly* fair: a message sent infinitely often is eventually
//!    delivered (the fair-loss link).
//! 2. **The code** — `Node` implementations of both variants run by [`Scenario`] over 50 seeds
//!    of a network that loses 30 % of messages. Each scenario also holds the code to its design
//!    with [`Scenario::refines`]: every simulated step must be a step of the design or a stutter,
//!    seen through the abstraction `(desired, applied, acked, retried)`. The simulation cannot
//!    see the link, so the model it is held to is the design with the link hidden
//!    ([`hide_link`]: one action per distinct visible step). The retrying code passes and
//!    refines its design (and, held to the fire-and-forget design instead, is caught at its
//!    first retry); the fire-and-forget code refines its design too — faithfully — and misses
//!    the goal on the first seed that loses the push.
//!
//! Run it with `cargo run --example route_delivery`.

use musil::check::{Action, CheckReport, Fairness, Liveness, LivenessKind, LivenessReport, Model};
use musil::prelude::*;

/// The route version the controller pushes.
const VERSION: u8 = 1;
/// Ticks between retries of the retrying controller.
const RETRY_AFTER: u64 = 3;

// ---------------------------------------------------------------------------------------------
// The design
// ---------------------------------------------------------------------------------------------

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Variant {
    FireAndForget,
    Retry,
}

/// The design's state: the controller, the agent, and the link between them.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
struct Route {
    /// The version the controller wants applied.
    desired: u8,
    /// The version the controller has sent, if any.
    sent: Option<u8>,
    /// A `Push(v)` in flight.
    push: Option<u8>,
    /// The version the agent has applied (0: none).
    applied: u8,
    /// An `Ack(v)` in flight.
    ack: Option<u8>,
    /// The controller has seen the ack of `desired`.
    acked: bool,
    /// The controller has resent at least once.
    retried: bool,
}

/// What the simulation can see of a `Route`: the nodes' state, not the link.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
struct View {
    desired: u8,
    applied: u8,
    acked: bool,
    retried: bool,
}

fn view(r: &Route) -> View {
    View {
        desired: r.desired,
        applied: r.applied,
        acked: r.acked,
        retried: r.retried,
    }
}

fn converged(r: &Route) -> bool {
    r.applied == r.desired
}

/// Safety: the agent applies nothing, or the version the controller sent.
fn applies_only_what_was_sent(r: &Route) -> Result<(), String> {
    if r.applied == 0 || r.sent == Some(r.applied) {
        Ok(())
    } else {
        Err(format!("applied {} but sent {:?}", r.applied, r.sent))
    }
}

/// The controller's actions (`send`, and `retry` for the retrying variant), delivery, and
/// loss (`lose_push`, `lose_ack`: never fair — a lossy link owes nothing).
fn design(variant: Variant) -> Model<Route> {
    Model::new(initial())
        .actions(controller_actions(variant))
        .actions(push_actions())
        .actions(ack_actions())
        .invariant("applies only what was sent", applies_only_what_was_sent)
        // Nothing in flight and the controller has nothing left to do.
        .terminal(move |r| {
            r.push.is_none()
                && r.ack.is_none()
                && r.sent.is_some()
                && (r.acked || variant == Variant::FireAndForget)
        })
}

/// Nothing sent, nothing applied.
fn initial() -> Route {
    Route {
        desired: VERSION,
        sent: None,
        push: None,
        applied: 0,
        ack: None,
        acked: false,
        retried: false,
    }
}

/// `send`, then for the retrying variant `retry`.
fn controller_actions(variant: Variant) -> Vec<Action<Route>> {
    let send = Action::new(
        "send",
        |r: &Route| r.sent.is_none(),
        |r| Route {
            sent: Some(r.desired),
            push: Some(r.desired),
            ..r.clone()
        },
    );
    if variant == Variant::FireAndForget {
        return vec![send];
    }
    // The timer (RETRY_AFTER ticks) outlasts a round trip (2 ticks): by the time it fires,
    // the last push and its ack have arrived or been lost.
    let retry = Action::new(
        "retry",
        |r: &Route| r.sent.is_some() && !r.acked && r.push.is_none() && r.ack.is_none(),
        |r| Route {
            push: Some(r.desired),
            retried: true,
            ..r.clone()
        },
    );
    vec![send, retry]
}

/// The push in flight is delivered (the agent applies it and acks), or lost.
fn push_actions() -> [Action<Route>; 2] {
    [
        Action::new(
            "deliver_push",
            |r: &Route| r.push.is_some(),
            |r| Route {
                push: None,
                applied: r.push.unwrap_or(r.applied),
                ack: r.push,
                ..r.clone()
            },
        ),
        Action::new(
            "lose_push",
            |r: &Route| r.push.is_some(),
            |r| Route {
                push: None,
                ..r.clone()
            },
        ),
    ]
}

/// The ack in flight is delivered (the controller sees it), or lost.
fn ack_actions() -> [Action<Route>; 2] {
    [
        Action::new(
            "deliver_ack",
            |r: &Route| r.ack.is_some(),
            |r| Route {
                ack: None,
                acked: r.acked || r.ack == Some(r.desired),
                ..r.clone()
            },
        ),
        Action::new(
            "lose_ack",
            |r: &Route| r.ack.is_some(),
            |r| Route {
                ack: None,
                ..r.clone()
            },
        ),
    ]
}

/// The controller's actions are weakly fair; delivery is weakly or strongly fair.
fn fairness(variant: Variant, strong_delivery: bool) -> Fairness {
    let mut controller = vec!["send".to_string()];
    if variant == Variant::Retry {
        controller.push("retry".into());
    }
    let delivery = vec!["deliver_push".to_string(), "deliver_ack".to_string()];
    if strong_delivery {
        Fairness::Names {
            weak: controller,
            strong: delivery,
        }
    } else {
        controller.extend(delivery);
        Fairness::Names {
            weak: controller,
            strong: Vec::new(),
        }
    }
}

fn convergence(variant: Variant, strong_delivery: bool) -> LivenessReport<Route> {
    let property = Liveness::eventually("applied==desired", converged)
        .fairness(fairness(variant, strong_delivery));
    design(variant)
        .checker()
        .liveness(&property)
        .expect("the fairness names are the design's")
}

/// The design with the link hidden: a model over [`View`]s with one action per distinct
/// visible step of the design (a step that changes only the link is a stutter).
fn hide_link(design: &Model<Route>) -> Model<View> {
    let graph = design.checker().explore();
    let mut steps: Vec<(String, View, View)> = Vec::new();
    for (index, state) in graph.states().iter().enumerate() {
        for (action, next) in graph.successors(index) {
            let step = (action.to_string(), view(state), view(next));
            if step.1 != step.2 && !steps.contains(&step) {
                steps.push(step);
            }
        }
    }
    let mut inits = design.initial_states().iter().map(view);
    let first = inits.next().expect("a model has an initial state");
    let model = inits.fold(Model::new(first), Model::init);
    model.actions(
        steps.into_iter().map(|(name, from, to)| {
            Action::new(name, move |v: &View| *v == from, move |_| to.clone())
        }),
    )
}

// ---------------------------------------------------------------------------------------------
// The code
// ---------------------------------------------------------------------------------------------

#[derive(Clone, Debug, PartialEq)]
enum Msg {
    Push(u8),
    Ack(u8),
}

/// Applies every pushed route and acknowledges it.
#[derive(Debug, Default)]
struct Agent {
    applied: u8,
}

impl Node<Msg> for Agent {
    fn on_message(&mut self, ctx: &mut Context<Msg>, from: NodeId, msg: Msg) {
        if let Msg::Push(version) = msg {
            self.applied = version;
            ctx.send(from, Msg::Ack(version));
        }
    }
}

/// Sends the route once and hopes.
#[derive(Debug)]
struct OneShotController {
    desired: u8,
    acked: bool,
}

impl Node<Msg> for OneShotController {
    fn on_start(&mut self, ctx: &mut Context<Msg>) {
        ctx.send("agent", Msg::Push(self.desired));
    }

    fn on_message(&mut self, _ctx: &mut Context<Msg>, _from: NodeId, msg: Msg) {
        if msg == Msg::Ack(self.desired) {
            self.acked = true;
        }
    }
}

/// Sends the route, and again every `RETRY_AFTER` ticks until it is acknowledged.
#[derive(Debug)]
struct RetryingController {
    desired: u8,
    acked: bool,
    retries: u32,
}

impl RetryingController {
    fn push(&self, ctx: &mut Context<Msg>) {
        ctx.send("agent", Msg::Push(self.desired));
        ctx.set_timer("retry", RETRY_AFTER);
    }
}

impl Node<Msg> for RetryingController {
    fn on_start(&mut self, ctx: &mut Context<Msg>) {
        self.push(ctx);
    }

    fn on_timer(&mut self, ctx: &mut Context<Msg>, _timer: &'static str) {
        if !self.acked {
            self.retries += 1;
            self.push(ctx);
        }
    }

    fn on_message(&mut self, ctx: &mut Context<Msg>, _from: NodeId, msg: Msg) {
        if msg == Msg::Ack(self.desired) {
            self.acked = true;
            ctx.cancel_timer("retry");
        }
    }
}

#[derive(System, Debug)]
struct OneShot {
    controller: OneShotController,
    agent: Agent,
}

#[derive(System, Debug)]
struct Retried {
    controller: RetryingController,
    agent: Agent,
}

fn one_shot() -> OneShot {
    OneShot {
        controller: OneShotController {
            desired: VERSION,
            acked: false,
        },
        agent: Agent::default(),
    }
}

fn retried() -> Retried {
    Retried {
        controller: RetryingController {
            desired: VERSION,
            acked: false,
            retries: 0,
        },
        agent: Agent::default(),
    }
}

/// The abstraction: what the design's `View` is in a simulated world.
fn view_one_shot(w: &OneShot) -> View {
    View {
        desired: w.controller.desired,
        applied: w.agent.applied,
        acked: w.controller.acked,
        retried: false,
    }
}

fn view_retried(w: &Retried) -> View {
    View {
        desired: w.controller.desired,
        applied: w.agent.applied,
        acked: w.controller.acked,
        retried: w.controller.retries > 0,
    }
}

fn simulate_one_shot() -> SimReport<OneShot> {
    Scenario::new(one_shot)
        .name("fire_and_forget")
        .seeds(0..50)
        .network(NetworkModel::reliable().loss(0.3))
        .invariant("applies only what was sent", |w: &OneShot| {
            w.agent.applied == 0 || w.agent.applied == w.controller.desired
        })
        .goal("applied==desired", |w: &OneShot| {
            w.agent.applied == w.controller.desired
        })
        .refines(&hide_link(&design(Variant::FireAndForget)), view_one_shot)
        .run()
}

/// The retrying code, held to the design of `variant`.
fn simulate_retried(variant: Variant) -> SimReport<Retried> {
    let name = match variant {
        Variant::Retry => "retry_until_acked",
        Variant::FireAndForget => "retry_code_vs_fire_and_forget_design",
    };
    Scenario::new(retried)
        .name(name)
        .seeds(0..50)
        .network(NetworkModel::reliable().loss(0.3))
        .invariant("applies only what was sent", |w: &Retried| {
            w.agent.applied == 0 || w.agent.applied == w.controller.desired
        })
        .goal("applied==desired", |w: &Retried| {
            w.agent.applied == w.controller.desired
        })
        .refines(&hide_link(&design(variant)), view_retried)
        .run()
}

// ---------------------------------------------------------------------------------------------

/// Prints a report indented under a label.
fn show(label: &str, report: &dyn std::fmt::Display) {
    println!("  {label}");
    for line in report.to_string().lines() {
        println!("      {line}");
    }
    println!();
}

type DesignVerdicts = (
    [CheckReport<Route>; 2],
    [LivenessReport<Route>; 3],
    Model<View>,
);

fn check_design() -> DesignVerdicts {
    println!("1. The design (model checking, the link included)\n");
    let safety = [
        design(Variant::FireAndForget).checker().check(),
        design(Variant::Retry).checker().check(),
    ];
    show("Safety, fire-and-forget:", &safety[0]);
    show("Safety, retry:", &safety[1]);
    let liveness = [
        convergence(Variant::FireAndForget, true),
        convergence(Variant::Retry, false),
        convergence(Variant::Retry, true),
    ];
    show(
        "Convergence, fire-and-forget (even with delivery strongly fair) — one lost push and \
         nothing ever happens again:",
        &liveness[0],
    );
    show(
        "Convergence, retry, send/retry/deliver weakly fair — every retry may be lost: delivery \
         is enabled only on and off, which weak fairness does not force:",
        &liveness[1],
    );
    show(
        "Convergence, retry, delivery strongly fair (a push sent infinitely often is eventually \
         delivered — the fair-loss link):",
        &liveness[2],
    );
    let hidden = hide_link(&design(Variant::Retry));
    println!(
        "  The retry design with the link hidden, for refinement: {} visible states, {} visible \
         steps.\n",
        hidden.checker().explore().len(),
        hidden.action_list().len()
    );
    (safety, liveness, hidden)
}

fn main() {
    println!(
        "Route delivery — a controller pushes route v{VERSION} to an agent over a lossy link\n"
    );

    let ([one_shot_safety, retry_safety], [one_shot, retry_weak, retry_strong], _) = check_design();
    one_shot_safety.assert_ok();
    retry_safety.assert_ok();
    assert_eq!(one_shot.kind(), Some(LivenessKind::GoalUnreachable));
    assert_eq!(one_shot.actions().0, ["send", "lose_push"]);
    assert_eq!(retry_weak.kind(), Some(LivenessKind::FairCycle));
    assert!(retry_weak.actions().1.contains(&"lose_push"));
    assert!(retry_strong.ok(), "{retry_strong}");

    println!("2. The code (simulation over seeds 0..50, 30% loss, refining the design)\n");
    let retrying = simulate_retried(Variant::Retry);
    show("Retry until acked:", &retrying);
    assert!(retrying.ok(), "{retrying}");

    // Refinement is a real check: the same code held to the other design is caught retrying.
    let mismatched = simulate_retried(Variant::FireAndForget);
    let mismatch = mismatched
        .failure()
        .expect("the fire-and-forget design never retries");
    println!(
        "  Retry code held to the fire-and-forget design: {}\n",
        mismatch.headline()
    );
    assert_eq!(mismatch.kind(), FailureKind::Refinement);

    let fire_and_forget = simulate_one_shot();
    let failure = fire_and_forget
        .failure()
        .expect("some seed loses the only push");
    show(
        &format!(
            "Fire-and-forget: {} found by seed {}",
            failure.kind().label(),
            failure.seed()
        ),
        failure,
    );
    assert_eq!(
        failure.kind(),
        FailureKind::Goal,
        "a missed goal, not a refinement failure: the code is faithful to a design that is wrong"
    );

    println!(
        "Route delivery: the design predicted it and the code confirms it — fire-and-forget \
         loses the route (seed {}), retry-until-acked converges on all {} seeds and refines its design.",
        failure.seed(),
        retrying.runs()
    );
}
