//! Per-seed environment plans: a network or fault schedule given as a fixed value or as a
//! function of the seed's randomness.

use std::sync::Arc;

use crate::decision::Rng;
use crate::faults::FaultSchedule;
use crate::network::NetworkModel;

/// A value fixed for every seed, or generated per seed from the environment stream.
pub enum Plan<T> {
    /// The same value for every seed.
    Fixed(T),
    /// Built for each seed from its randomness.
    PerSeed(Arc<dyn Fn(&mut Rng<'_>) -> T + Send + Sync>),
}

impl<T: Clone> Plan<T> {
    /// The value for one seed.
    pub fn resolve(&self, rng: &mut Rng<'_>) -> T {
        match self {
            Plan::Fixed(value) => value.clone(),
            Plan::PerSeed(generate) => generate(rng),
        }
    }
}

impl<T: Clone> Clone for Plan<T> {
    fn clone(&self) -> Self {
        match self {
            Plan::Fixed(value) => Plan::Fixed(value.clone()),
            Plan::PerSeed(generate) => Plan::PerSeed(Arc::clone(generate)),
        }
    }
}

/// What `Scenario::network` and `Scenario::faults` accept: a value (`NetworkModel`,
/// `FaultSchedule`), or a function `fn(&mut Rng) -> T` that builds one per seed.
pub trait IntoPlan<T> {
    /// The plan.
    fn into_plan(self) -> Plan<T>;
}

impl<M> IntoPlan<NetworkModel<M>> for NetworkModel<M> {
    fn into_plan(self) -> Plan<NetworkModel<M>> {
        Plan::Fixed(self)
    }
}

impl IntoPlan<FaultSchedule> for FaultSchedule {
    fn into_plan(self) -> Plan<FaultSchedule> {
        Plan::Fixed(self)
    }
}

impl<T, F> IntoPlan<T> for F
where
    F: Fn(&mut Rng<'_>) -> T + Send + Sync + 'static,
{
    fn into_plan(self) -> Plan<T> {
        Plan::PerSeed(Arc::new(self))
    }
}
