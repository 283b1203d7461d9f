//! Coverage that fails: `ctx.sometimes("site", cond)` and a scenario's `sometimes(name, f)` on
//! the world record that something happened; after all of a call's seeds, a declared site that
//! never held fails the scenario (`FailureKind::Coverage`), for a green run that exercised
//! nothing proves nothing. The hits per site are reported either way.

use std::collections::BTreeMap;

/// The sites of one run or of many: how many observations each held in (0: declared, never
/// held), by name.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Hits {
    sites: BTreeMap<String, u64>,
}

impl Hits {
    /// Declares `site`, and counts a hit if `held`.
    pub(crate) fn record(&mut self, site: &str, held: bool) {
        self.add(site, u64::from(held));
    }

    /// Declares `site`, and counts `hits` hits.
    pub(crate) fn add(&mut self, site: &str, hits: u64) {
        match self.sites.get_mut(site) {
            Some(count) => *count += hits,
            None => {
                self.sites.insert(site.to_string(), hits);
            }
        }
    }

    /// Adds another run's hits.
    pub fn absorb(&mut self, other: &Hits) {
        for (site, hits) in &other.sites {
            *self.sites.entry(site.clone()).or_insert(0) += hits;
        }
    }

    /// The sites and their hits, in name order.
    pub fn sites(&self) -> impl Iterator<Item = (&str, u64)> {
        self.sites.iter().map(|(site, hits)| (site.as_str(), *hits))
    }

    /// The declared sites that never held, in name order.
    pub fn never_held(&self) -> Vec<&str> {
        self.sites()
            .filter(|(_, hits)| *hits == 0)
            .map(|(site, _)| site)
            .collect()
    }

    /// Whether no site was declared.
    pub fn is_empty(&self) -> bool {
        self.sites.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hits_add_up_and_a_declared_site_that_never_held_is_named() {
        let mut run = Hits::default();
        run.record("elected", false);
        run.record("elected", true);
        run.record("split", false);
        let mut all = Hits::default();
        all.absorb(&run);
        all.absorb(&run);
        assert_eq!(
            all.sites().collect::<Vec<_>>(),
            [("elected", 2), ("split", 0)]
        );
        assert_eq!(all.never_held(), ["split"]);
    }
}
