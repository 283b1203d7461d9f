//! Settings that may vary per seed: a network, fault schedule or storage model given as a fixed value, or as a
//! function that generates one from the seed's environment stream.

use std::sync::Arc;

use crate::decision::rng::Rng;
use crate::sim::faults::FaultSchedule;
use crate::sim::network::NetworkModel;
use crate::sim::storage::StorageModel;

/// A value fixed for every seed, or generated per seed from the environment stream.
pub enum PerSeed<T> {
    /// The same value for every seed.
    Fixed(T),
    /// Built for each seed from its randomness.
    Generated(Arc<dyn Fn(&mut Rng<'_>) -> T + Send + Sync>),
}

impl<T: Clone> PerSeed<T> {
    /// The value for one seed.
    pub fn resolve(&self, rng: &mut Rng<'_>) -> T {
        match self {
            PerSeed::Fixed(value) => value.clone(),
            PerSeed::Generated(generate) => generate(rng),
        }
    }
}

impl<T: Clone> Clone for PerSeed<T> {
    fn clone(&self) -> Self {
        match self {
            PerSeed::Fixed(value) => PerSeed::Fixed(value.clone()),
            PerSeed::Generated(generate) => PerSeed::Generated(Arc::clone(generate)),
        }
    }
}

/// What `Scenario::network`, `Scenario::faults` and `Scenario::storage` accept: a value
/// (`NetworkModel`, `FaultSchedule`, `StorageModel`), or a function `fn(&mut Rng) -> T` that builds one per seed.
pub trait IntoPerSeed<T> {
    /// The setting.
    fn into_per_seed(self) -> PerSeed<T>;
}

impl<M> IntoPerSeed<NetworkModel<M>> for NetworkModel<M> {
    fn into_per_seed(self) -> PerSeed<NetworkModel<M>> {
        PerSeed::Fixed(self)
    }
}

impl IntoPerSeed<FaultSchedule> for FaultSchedule {
    fn into_per_seed(self) -> PerSeed<FaultSchedule> {
        PerSeed::Fixed(self)
    }
}

impl IntoPerSeed<StorageModel> for StorageModel {
    fn into_per_seed(self) -> PerSeed<StorageModel> {
        PerSeed::Fixed(self)
    }
}

impl<T, F> IntoPerSeed<T> for F
where
    F: Fn(&mut Rng<'_>) -> T + Send + Sync + 'static,
{
    fn into_per_seed(self) -> PerSeed<T> {
        PerSeed::Generated(Arc::new(self))
    }
}
