//! BUGGIFY: faults injected inside the code under test. `ctx.buggify("site")` is false unless
//! the scenario enables it; then each site is switched on for the run with probability 1/4 at
//! its first evaluation, and an active site fires with probability 1/4 each time — every draw on
//! the run's buggify stream, so a site's fate replays with the seed (FoundationDB's BUGGIFY).

use crate::decision::{Cause, DecisionSource, Stream, chance};

/// The chance a site is on for a run, and that an active site fires.
pub const ODDS: f64 = 0.25;

/// The sites of one run: whether each is on, and how often it fired.
#[derive(Clone, Debug, Default)]
pub(crate) struct Sites {
    sites: Vec<(&'static str, bool, u32)>,
}

impl Sites {
    /// Whether `site` fires now (deciding whether it is on at its first evaluation).
    pub(crate) fn fires(&mut self, site: &'static str, decisions: &mut dyn DecisionSource) -> bool {
        let index = match self.sites.iter().position(|(name, ..)| *name == site) {
            Some(index) => index,
            None => {
                let on = chance(decisions, Stream::Buggify, Cause::BuggifyOn, ODDS);
                self.sites.push((site, on, 0));
                self.sites.len() - 1
            }
        };
        let (_, on, fired) = &mut self.sites[index];
        let fires = *on && chance(decisions, Stream::Buggify, Cause::BuggifyFires, ODDS);
        *fired += u32::from(fires);
        fires
    }

    /// The sites that fired, with how often, in the order first evaluated.
    pub(crate) fn fired(&self) -> Vec<(&'static str, u32)> {
        self.sites
            .iter()
            .filter(|(_, _, fired)| *fired > 0)
            .map(|&(name, _, fired)| (name, fired))
            .collect()
    }
}
