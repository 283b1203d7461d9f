//! Factories: how a scenario builds its system, once per seed and again for a cold restart.

use std::sync::Arc;

use crate::decision::rng::Rng;

/// A factory shared between seeds (and threads): takes the run's setup randomness.
pub type SharedFactory<S> = Arc<dyn Fn(&mut Rng<'_>) -> S + Send + Sync>;

/// Marker for factories without arguments.
#[derive(Debug)]
pub enum NoRng {}

/// Marker for factories that take `&mut Rng`.
#[derive(Debug)]
pub enum WithRng {}

/// Something that builds a system: `fn() -> S` or `fn(&mut Rng) -> S` (to build differently per
/// seed, deterministically). The marker type only tells the two shapes apart.
pub trait Factory<S, Marker>: Send + Sync + 'static {
    /// Wraps the factory for sharing.
    fn into_shared(self) -> SharedFactory<S>;
}

impl<S, F> Factory<S, NoRng> for F
where
    F: Fn() -> S + Send + Sync + 'static,
{
    fn into_shared(self) -> SharedFactory<S> {
        Arc::new(move |_: &mut Rng<'_>| self())
    }
}

impl<S, F> Factory<S, WithRng> for F
where
    F: Fn(&mut Rng<'_>) -> S + Send + Sync + 'static,
{
    fn into_shared(self) -> SharedFactory<S> {
        Arc::new(self)
    }
}
