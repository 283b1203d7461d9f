//! The scenario's side of swarm testing: [`Scenario::swarm`], which learns the system's node
//! names from one probe system and installs per-seed generators that draw from the swarm, and
//! [`mix_of`], the one-line description of the mix a seed of such a scenario ran with (for the
//! failure report).
//!
//! The scenario keeps, beside the generators, a function that redraws a seed's mix: `mix_of`
//! calls it (a later `.faults(..)` forgets it).

use std::fmt::Debug;
use std::sync::{Arc, OnceLock};

use crate::decision::Stream;
use crate::decision::rng::Rng;
use crate::decision::seeded::Seeded;
use crate::forensics::choices::FaultEdits;
use crate::id::{Message, NodeId};
use crate::panics::guarded;
use crate::scenario::Scenario;
use crate::scenario::per_seed::PerSeed;
use crate::sim::faults::FaultSchedule;
use crate::system::System;
use crate::system::factory::SharedFactory;

use super::config::Swarm;

/// A per-seed fault generator, as a scenario holds it.
type FaultsFn = dyn Fn(&mut Rng<'_>) -> FaultSchedule + Send + Sync;

/// A swarm bound to a system factory: the names of its nodes are learnt once, on first use.
struct Plan<S> {
    swarm: Swarm,
    factory: SharedFactory<S>,
    names: OnceLock<Vec<String>>,
}

impl<S> Plan<S> {
    /// The node names of the system the factory builds on the setup stream of seed 0 (a factory
    /// that names its nodes differently per seed gets fault schedules for seed 0's names).
    fn names<M: Message>(&self) -> &[String]
    where
        S: System<M>,
    {
        self.names.get_or_init(|| {
            let mut source = Seeded::new(0);
            let probe = (self.factory)(&mut Rng::new(&mut source, Stream::Setup));
            (0..probe.node_count())
                .map(|index| probe.node_name(NodeId::new(index)).into_owned())
                .collect()
        })
    }

    /// The description of the mix `seed` draws, over its own environment stream, with `edits`
    /// of its faults.
    fn describe<M: Message>(&self, seed: u64, edits: &FaultEdits) -> Option<String>
    where
        S: System<M>,
    {
        let names = guarded(|| self.names::<M>().to_vec()).ok()?;
        let mut source = Seeded::new(seed);
        let mut rng = Rng::new(&mut source, Stream::Environment);
        Some(
            self.swarm
                .draw::<M>(&mut rng, &names)
                .describe_edited(edits),
        )
    }
}

impl<S: System<M> + Debug + 'static, M: Message> Scenario<S, M> {
    /// Swarm testing: every seed draws its own network, faults and (unless
    /// [`Swarm::storage`]`(false)`) storage model from `swarm`, on its environment stream, so
    /// each seed's mix is a pure function of the seed. This replaces the scenario's network,
    /// faults and storage settings (with `storage(false)`, its storage is left alone); call it
    /// before any of them you mean to keep. Faults name the nodes of the system the factory
    /// builds for seed 0, built once, on the first seed. [`mix_of`] describes a seed's mix.
    pub fn swarm(mut self, swarm: Swarm) -> Self {
        let plan = Arc::new(Plan {
            swarm,
            factory: Arc::clone(&self.factory),
            names: OnceLock::new(),
        });
        let network = Arc::clone(&plan);
        self.network = PerSeed::Generated(Arc::new(move |rng: &mut Rng<'_>| {
            network.swarm.draw_network(rng).0
        }));
        let faults = Arc::clone(&plan);
        let faults: Arc<FaultsFn> =
            Arc::new(move |rng: &mut Rng<'_>| faults.swarm.draw_faults(rng, faults.names::<M>()).0);
        if plan.swarm.storage.is_some() {
            let storage = Arc::clone(&plan);
            self.storage = Some(PerSeed::Generated(Arc::new(move |rng: &mut Rng<'_>| {
                storage
                    .swarm
                    .draw_storage(rng)
                    .map(|(model, _)| model)
                    .unwrap_or_default()
            })));
        }
        self.faults = PerSeed::Generated(faults);
        self.describe_mix = Some(Arc::new(move |seed, edits| plan.describe::<M>(seed, edits)));
        self
    }
}

/// The one-line description of the mix `seed` runs with in `scenario`
/// (`swarm: loss 12%, isolate replicas[1] [20,45), crash power replicas[0] [60,72), …`), or
/// `None` when its faults do not come from [`Scenario::swarm`]. The mix is redrawn from the
/// seed's environment stream, as the run drew it; a failure's report shows it as its shrinking
/// left it ([`shrunk_mix_of`]).
pub fn mix_of<S, M>(scenario: &Scenario<S, M>, seed: u64) -> Option<String> {
    shrunk_mix_of(scenario, seed, &FaultEdits::default())
}

/// The description of `seed`'s mix after shrinking's `edits` of its faults: the faults it left
/// out are gone, the ones it shortened show their new window.
pub fn shrunk_mix_of<S, M>(
    scenario: &Scenario<S, M>,
    seed: u64,
    edits: &FaultEdits,
) -> Option<String> {
    scenario.describe_mix.as_ref()?(seed, edits)
}
