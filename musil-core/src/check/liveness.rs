//! Liveness: "eventually P", "always eventually P" and "P leads to Q" under weak and strong
//! fairness, with lasso counterexamples (a stem, then a cycle repeated forever).
//!
//! The graph is explored whole, then: states where the goal fails ("bad") are searched from the
//! property's seeds; a bad state that cannot reach the goal at all is reported first
//! (`p-unreachable`); otherwise Tarjan's algorithm finds the strongly connected components of the
//! reachable bad states (roots in search order, edges in action order, so the same model always
//! reports the same lasso), and the first component, in completion order, that hosts a fair
//! cycle is the counterexample.
//!
//! The cycle shown is the shortest loop through the component's entry state (the Python
//! reference's algorithm, which the lasso shapes of `bench/WORKLOADS.md` pin). The component is
//! fair — it contains a run that respects every fairness constraint — but the shortest loop itself
//! may leave out a fair action that such a run would take: read it as "these states can cycle
//! forever without the goal", not as a complete fair schedule.

use std::fmt::{self, Debug};
use std::hash::Hash;
use std::sync::Arc;

use super::graph::{Graph, explore_with, search};
use super::model::{Fair, Model};
use super::options::CheckOptions;
use super::report::{TraceStep, write_trace};

type Predicate<S> = Arc<dyn Fn(&S) -> bool + Send + Sync>;

/// Which actions are fair.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub enum Fairness {
    /// As the actions are tagged (`Action::weak`, `Action::strong`).
    #[default]
    Tags,
    /// Exactly these actions (unknown names are an error).
    Names {
        /// Weakly fair actions.
        weak: Vec<String>,
        /// Strongly fair actions.
        strong: Vec<String>,
    },
    /// No action is fair.
    None,
}

#[derive(Clone)]
enum Shape<S> {
    Eventually,
    AlwaysEventually,
    LeadsTo(Predicate<S>),
}

/// A liveness property and the fairness it is checked under.
#[derive(Clone)]
pub struct Liveness<S> {
    name: String,
    goal: Predicate<S>,
    shape: Shape<S>,
    fairness: Fairness,
}

impl<S> Liveness<S> {
    fn new(name: impl Into<String>, goal: Predicate<S>, shape: Shape<S>) -> Self {
        Liveness {
            name: name.into(),
            goal,
            shape,
            fairness: Fairness::Tags,
        }
    }

    /// `<>P`: every run from an initial state eventually reaches `goal`.
    pub fn eventually(
        name: impl Into<String>,
        goal: impl Fn(&S) -> bool + Send + Sync + 'static,
    ) -> Self {
        Self::new(name, Arc::new(goal), Shape::Eventually)
    }

    /// `[]<>P`: from every reachable state, every run reaches `goal` again.
    pub fn always_eventually(
        name: impl Into<String>,
        goal: impl Fn(&S) -> bool + Send + Sync + 'static,
    ) -> Self {
        Self::new(name, Arc::new(goal), Shape::AlwaysEventually)
    }

    /// `[](trigger -> <>goal)`: whenever `trigger` holds, `goal` eventually holds.
    pub fn leads_to(
        name: impl Into<String>,
        trigger: impl Fn(&S) -> bool + Send + Sync + 'static,
        goal: impl Fn(&S) -> bool + Send + Sync + 'static,
    ) -> Self {
        Self::new(name, Arc::new(goal), Shape::LeadsTo(Arc::new(trigger)))
    }

    /// Checks under `fairness` instead of the actions' tags.
    pub fn fairness(mut self, fairness: Fairness) -> Self {
        self.fairness = fairness;
        self
    }

    /// Makes exactly these actions weakly fair.
    pub fn weak_fair<N: Into<String>>(self, names: impl IntoIterator<Item = N>) -> Self {
        let weak = names.into_iter().map(Into::into).collect();
        self.fairness(Fairness::Names {
            weak,
            strong: Vec::new(),
        })
    }
}

/// How a liveness property fails.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LivenessKind {
    /// A reachable bad state from which the goal cannot be reached at all.
    GoalUnreachable,
    /// A fair cycle of bad states that never reaches the goal.
    FairCycle,
}

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

    /// The cycle, from the entry back to it (empty for `GoalUnreachable`).
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
    let fair = weak.0.iter().chain(&strong.0).any(|word| *word != 0);
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
        let analysis = Analysis::new(&graph, property, weak, strong);
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
            for (index, name) in known.iter().enumerate() {
                if weak_names.contains(name) {
                    weak.set(index);
                }
                if strong_names.contains(name) {
                    strong.set(index);
                }
            }
        }
    }
    Ok((weak, strong))
}

/// A small bitset (over actions or states).
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Bits(Vec<u64>);

impl Bits {
    pub(crate) fn new(len: usize) -> Self {
        Bits(vec![0; len.div_ceil(64)])
    }

    pub(crate) fn full(len: usize) -> Self {
        let mut bits = Bits(vec![u64::MAX; len.div_ceil(64)]);
        if !len.is_multiple_of(64)
            && let Some(last) = bits.0.last_mut()
        {
            *last = (1 << (len % 64)) - 1;
        }
        bits
    }

    pub(crate) fn set(&mut self, i: usize) {
        self.0[i / 64] |= 1 << (i % 64);
    }

    fn and(&mut self, other: &Bits) {
        self.0.iter_mut().zip(&other.0).for_each(|(a, b)| *a &= b);
    }

    fn or(&mut self, other: &Bits) {
        self.0.iter_mut().zip(&other.0).for_each(|(a, b)| *a |= b);
    }

    /// The lowest bit set in `self & mask & !minus`.
    fn first_in(&self, mask: &Bits, minus: &Bits) -> Option<usize> {
        self.0
            .iter()
            .zip(&mask.0)
            .zip(&minus.0)
            .enumerate()
            .find_map(|(word, ((a, m), n))| {
                let bits = a & m & !n;
                (bits != 0).then(|| word * 64 + bits.trailing_zeros() as usize)
            })
    }
}

/// A counterexample: its kind, stem and cycle.
type Lasso<S> = (LivenessKind, Vec<TraceStep<S>>, Vec<TraceStep<S>>);

/// The liveness analysis over an explored graph.
struct Analysis<'g, S> {
    graph: &'g Graph<S>,
    goal: Vec<bool>,
    /// Bad states in search order, and the search's parent links (for stems).
    order: Vec<u32>,
    parents: Vec<(u32, u32)>,
    /// Stems of `LeadsTo` start with a path through the whole graph to the seed.
    through_tree: bool,
    weak: Bits,
    strong: Bits,
    /// Each state's position in `order` (`u32::MAX` if not in it).
    rank: Vec<u32>,
    /// Marks for sets of states: a set is the states whose mark is its stamp, so marking a new
    /// set needs no clearing.
    marks: std::cell::RefCell<Vec<u32>>,
    next_stamp: std::cell::Cell<u32>,
    tarjan: std::cell::RefCell<TarjanScratch>,
}

impl<'g, S: Clone + Debug> Analysis<'g, S> {
    fn new(graph: &'g Graph<S>, property: &Liveness<S>, weak: Bits, strong: Bits) -> Self {
        let goal: Vec<bool> = graph.states.iter().map(|s| (property.goal)(s)).collect();
        let bad = |i: u32| !goal[i as usize];
        // `order`: the bad states the property is about, in search order (the components are
        // sought among them, rooted in this order).
        let (order, parents, through_tree) = match &property.shape {
            Shape::AlwaysEventually => {
                let (order, parents, _) = search(graph, graph.initial.iter().copied(), |_| true);
                (
                    order.into_iter().filter(|&i| bad(i)).collect(),
                    parents,
                    false,
                )
            }
            Shape::Eventually => {
                let seeds = graph.initial.iter().copied().filter(|&i| bad(i));
                let (order, parents, _) = search(graph, seeds, bad);
                (order, parents, false)
            }
            Shape::LeadsTo(trigger) => {
                let seeds = (0..graph.len() as u32)
                    .filter(|&i| bad(i) && trigger(&graph.states[i as usize]));
                let (order, parents, _) = search(graph, seeds, bad);
                (order, parents, true)
            }
        };
        let n = graph.len();
        let mut rank = vec![u32::MAX; n];
        order
            .iter()
            .enumerate()
            .for_each(|(position, &state)| rank[state as usize] = position as u32);
        Analysis {
            graph,
            goal,
            order,
            parents,
            through_tree,
            weak,
            strong,
            rank,
            marks: std::cell::RefCell::new(vec![0; n]),
            next_stamp: std::cell::Cell::new(0),
            tarjan: std::cell::RefCell::new(TarjanScratch::new(n)),
        }
    }

    /// Marks `states` as a new set; returns its stamp.
    fn mark(&self, states: &[u32]) -> u32 {
        let stamp = self.next_stamp.get() + 1;
        self.next_stamp.set(stamp);
        let mut marks = self.marks.borrow_mut();
        states.iter().for_each(|&s| marks[s as usize] = stamp);
        stamp
    }

    /// The path from an initial state to `index` along the search's links (for `leads_to`,
    /// through the breadth-first tree to the seed first).
    fn stem(&self, index: u32) -> Vec<TraceStep<S>> {
        let path = self.graph.path_by(&self.parents, index);
        if !self.through_tree {
            return path;
        }
        let mut seed = index;
        while self.parents[seed as usize].0 != u32::MAX {
            seed = self.parents[seed as usize].0;
        }
        let mut to_seed = self.graph.tree_path(seed);
        to_seed.extend(path.into_iter().skip(1));
        to_seed
    }

    fn counterexample(&self) -> Option<Lasso<S>> {
        let can_reach_goal = self.backward_from_goal();
        if let Some(&stuck) = self.order.iter().find(|&&i| !can_reach_goal[i as usize]) {
            return Some((LivenessKind::GoalUnreachable, self.stem(stuck), Vec::new()));
        }
        let scc = self.fair_component(&self.order)?;
        let entry = *scc.iter().min_by_key(|&&state| self.rank[state as usize])?;
        Some((
            LivenessKind::FairCycle,
            self.stem(entry),
            self.cycle(entry, &scc),
        ))
    }

    /// Which states can reach a goal state (backward search over reversed edges).
    fn backward_from_goal(&self) -> Vec<bool> {
        let n = self.graph.len();
        let mut incoming: Vec<Vec<u32>> = vec![Vec::new(); n];
        for source in 0..n as u32 {
            for &(target, _) in self.graph.edges_of(source) {
                incoming[target as usize].push(source);
            }
        }
        let mut reached: Vec<bool> = self.goal.clone();
        let mut stack: Vec<u32> = (0..n as u32).filter(|&i| self.goal[i as usize]).collect();
        while let Some(at) = stack.pop() {
            for &source in &incoming[at as usize] {
                if !reached[source as usize] {
                    reached[source as usize] = true;
                    stack.push(source);
                }
            }
        }
        reached
    }

    /// The first strongly connected component (completion order) of the states in `members`
    /// that hosts a fair cycle, refining for strong fairness.
    fn fair_component(&self, members: &[u32]) -> Option<Vec<u32>> {
        for scc in self.components(members) {
            if !self.nontrivial(&scc) {
                continue;
            }
            let (enabled_everywhere, enabled_somewhere, taken) = self.action_sets(&scc);
            if enabled_everywhere.first_in(&self.weak, &taken).is_some() {
                continue; // a weakly fair action is always enabled here but never taken
            }
            if let Some(action) = enabled_somewhere.first_in(&self.strong, &taken) {
                // Strong fairness: the cycle must avoid the states that enable `action`.
                let mut rest: Vec<u32> = scc
                    .iter()
                    .copied()
                    .filter(|&state| !self.enables(state, action))
                    .collect();
                rest.sort_by_key(|&state| self.rank[state as usize]);
                if let Some(inner) = self.fair_component(&rest) {
                    return Some(inner);
                }
                continue;
            }
            return Some(scc);
        }
        None
    }

    /// More than one state, or one state with an edge to itself.
    fn nontrivial(&self, scc: &[u32]) -> bool {
        scc.len() > 1
            || self
                .graph
                .edges_of(scc[0])
                .iter()
                .any(|&(target, _)| target == scc[0])
    }

    fn enables(&self, state: u32, action: usize) -> bool {
        self.graph
            .edges_of(state)
            .iter()
            .any(|&(_, a)| a as usize == action)
    }

    /// Actions enabled in every state of `scc`, in some state, and taken inside it.
    fn action_sets(&self, scc: &[u32]) -> (Bits, Bits, Bits) {
        let actions = self.graph.action_names.len();
        let stamp = self.mark(scc);
        let marks = self.marks.borrow();
        let inside = |state: u32| marks[state as usize] == stamp;
        let (mut everywhere, mut somewhere, mut taken) =
            (Bits::full(actions), Bits::new(actions), Bits::new(actions));
        for &state in scc {
            let mut enabled = Bits::new(actions);
            for &(target, action) in self.graph.edges_of(state) {
                enabled.set(action as usize);
                if inside(target) {
                    taken.set(action as usize);
                }
            }
            everywhere.and(&enabled);
            somewhere.or(&enabled);
        }
        (everywhere, somewhere, taken)
    }

    /// The shortest loop from `entry` back to itself inside `scc` (breadth-first, edges in
    /// action order): the entry, each step, and the entry again.
    fn cycle(&self, entry: u32, scc: &[u32]) -> Vec<TraceStep<S>> {
        let stamp = self.mark(scc);
        let marks = self.marks.borrow();
        let inside = |state: u32| marks[state as usize] == stamp;
        // Looked up only, never iterated: the order of the search is the queue's.
        let mut parents: std::collections::HashMap<u32, (u32, u32)> =
            std::collections::HashMap::new();
        let mut queue = std::collections::VecDeque::from([entry]);
        let mut closing = None;
        'search: while let Some(at) = queue.pop_front() {
            for &(target, action) in self.graph.edges_of(at) {
                if target == entry {
                    closing = Some((at, action));
                    break 'search;
                }
                // `entry` closes the loop above, so it never needs a parent of its own.
                if inside(target) && !parents.contains_key(&target) {
                    parents.insert(target, (at, action));
                    queue.push_back(target);
                }
            }
        }
        let Some((last, closing_action)) = closing else {
            return Vec::new();
        };
        let mut hops = Vec::new();
        let mut at = last;
        while at != entry {
            let (parent, action) = parents[&at];
            hops.push((action, at));
            at = parent;
        }
        let step = |action: Option<u32>, state: u32| TraceStep {
            action: action.map(|a| self.graph.action_names[a as usize].clone()),
            state: self.graph.states[state as usize].clone(),
        };
        let mut steps = vec![step(None, entry)];
        steps.extend(
            hops.iter()
                .rev()
                .map(|&(action, state)| step(Some(action), state)),
        );
        steps.push(step(Some(closing_action), entry));
        steps
    }

    /// Tarjan's algorithm over the states in `members` (also the roots, in this order): the
    /// components in completion order.
    fn components(&self, members: &[u32]) -> Vec<Vec<u32>> {
        let stamp = self.mark(members);
        let marks = self.marks.borrow();
        let mut scratch = self.tarjan.borrow_mut();
        scratch.run(self.graph, |state| marks[state as usize] == stamp, members)
    }
}

/// Iterative Tarjan, with arrays kept between runs (only the states a run touched are reset).
struct TarjanScratch {
    index: Vec<u32>,
    low: Vec<u32>,
    on_stack: Vec<bool>,
    touched: Vec<u32>,
}

const UNVISITED: u32 = u32::MAX;

impl TarjanScratch {
    fn new(n: usize) -> Self {
        TarjanScratch {
            index: vec![UNVISITED; n],
            low: vec![0; n],
            on_stack: vec![false; n],
            touched: Vec::new(),
        }
    }

    fn run<S>(
        &mut self,
        graph: &Graph<S>,
        member: impl Fn(u32) -> bool,
        roots: &[u32],
    ) -> Vec<Vec<u32>> {
        let mut run = TarjanRun {
            scratch: self,
            graph,
            member: &member,
            stack: Vec::new(),
            next: 0,
            out: Vec::new(),
        };
        for &root in roots {
            if run.scratch.index[root as usize] == UNVISITED {
                run.visit(root);
            }
        }
        let out = std::mem::take(&mut run.out);
        for state in self.touched.drain(..) {
            self.index[state as usize] = UNVISITED;
            self.on_stack[state as usize] = false;
        }
        out
    }
}

struct TarjanRun<'t, 'g, S, F> {
    scratch: &'t mut TarjanScratch,
    graph: &'g Graph<S>,
    member: &'t F,
    stack: Vec<u32>,
    next: u32,
    out: Vec<Vec<u32>>,
}

impl<S, F: Fn(u32) -> bool> TarjanRun<'_, '_, S, F> {
    fn open(&mut self, v: u32) {
        let scratch = &mut *self.scratch;
        scratch.index[v as usize] = self.next;
        scratch.low[v as usize] = self.next;
        scratch.touched.push(v);
        self.next += 1;
        self.stack.push(v);
        scratch.on_stack[v as usize] = true;
    }

    fn visit(&mut self, root: u32) {
        // Frames: (state, position in its edge list).
        let mut frames: Vec<(u32, usize)> = vec![(root, 0)];
        self.open(root);
        while let Some(&mut (v, ref mut position)) = frames.last_mut() {
            let edges = self.graph.edges_of(v);
            if let Some(&(w, _)) = edges.get(*position) {
                *position += 1;
                if !(self.member)(w) {
                    continue;
                }
                if self.scratch.index[w as usize] == UNVISITED {
                    self.open(w);
                    frames.push((w, 0));
                } else if self.scratch.on_stack[w as usize] {
                    let low = self.scratch.low[v as usize].min(self.scratch.index[w as usize]);
                    self.scratch.low[v as usize] = low;
                }
                continue;
            }
            frames.pop();
            if let Some(&(parent, _)) = frames.last() {
                let low = self.scratch.low[parent as usize].min(self.scratch.low[v as usize]);
                self.scratch.low[parent as usize] = low;
            }
            if self.scratch.low[v as usize] == self.scratch.index[v as usize] {
                let mut component = Vec::new();
                while let Some(w) = self.stack.pop() {
                    self.scratch.on_stack[w as usize] = false;
                    component.push(w);
                    if w == v {
                        break;
                    }
                }
                self.out.push(component);
            }
        }
    }
}
