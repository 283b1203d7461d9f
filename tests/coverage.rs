//! Coverage that fails: a `ctx.sometimes` site or a scenario's `sometimes` on the world that
//! never holds over all the seeds of a call fails it with kind `Coverage`, naming the site and
//! the runs; one that holds passes, and the report counts the hits per site.

use musil::RunSettings;
use musil::prelude::*;

/// A node that elects itself leader on a random draw (`chance`), and says so.
#[derive(Debug, Default)]
struct Candidate {
    chance: f64,
    leader: bool,
}

impl Node<()> for Candidate {
    fn on_start(&mut self, ctx: &mut Context<()>) {
        self.leader = ctx.chance(self.chance);
        ctx.sometimes("elected", self.leader);
    }
}

#[derive(System, Debug, Default)]
struct One {
    candidate: Candidate,
}

fn never() -> One {
    One::default()
}

fn often() -> One {
    One {
        candidate: Candidate {
            chance: 0.5,
            leader: false,
        },
    }
}

fn has_leader(world: &One) -> bool {
    world.candidate.leader
}

#[test]
fn a_site_that_never_holds_fails_the_scenario_naming_it() {
    let report = Scenario::new(never)
        .name("silent")
        .execute(&RunSettings::seeds(0..30));
    let failure = report.failure().expect("nobody is ever elected");
    assert_eq!(failure.kind(), FailureKind::Coverage);
    assert_eq!(failure.detail(), "`elected` never held in 30 runs");
    assert!(
        failure
            .to_string()
            .starts_with("COVERAGE `elected` never held in 30 runs")
    );
    let world = Scenario::new(never)
        .sometimes("has_leader", has_leader)
        .execute(&RunSettings::seeds(0..5));
    let detail = world.failure().expect("fails").detail().to_string();
    assert_eq!(detail, "`elected`, `has_leader` never held in 5 runs");
}

#[test]
fn a_site_that_holds_passes_and_the_hits_are_counted() {
    let report = Scenario::new(often)
        .sometimes("has_leader", has_leader)
        .execute(&RunSettings::seeds(0..40));
    assert!(report.ok(), "{report}");
    let hits: Vec<(&str, u64)> = report.coverage().sites().collect();
    assert_eq!(hits.len(), 2);
    assert!(
        hits.iter().all(|(_, n)| (8..=32).contains(n)),
        "about half of 40: {hits:?}"
    );
    assert!(
        report
            .to_string()
            .contains("coverage (observations that held): elected: ")
    );
}

#[musil::scenario(seeds = 0..20, sometimes = [has_leader], should_fail = coverage)]
fn the_attribute_takes_sometimes() -> One {
    never()
}

#[musil::scenario(seeds = 0..20, sometimes = [has_leader])]
fn a_covered_attribute_scenario_passes() -> One {
    often()
}

#[derive(System, Debug, Default)]
struct Two {
    candidate: Candidate,
}

/// A coverage site of every scenario of `Two`.
#[sometimes]
fn two_has_leader(world: &Two) -> bool {
    world.candidate.leader
}

#[test]
fn a_sometimes_function_is_a_site_of_every_scenario_of_its_system() {
    let silent = Scenario::new(Two::default).execute(&RunSettings::seeds(0..10));
    let failure = silent.failure().expect("nobody is ever elected");
    assert_eq!(failure.kind(), FailureKind::Coverage);
    assert_eq!(
        failure.detail(),
        "`elected`, `two_has_leader` never held in 10 runs"
    );
    let often = || Two {
        candidate: Candidate {
            chance: 0.5,
            leader: false,
        },
    };
    let report = Scenario::new(often).execute(&RunSettings::seeds(0..40));
    assert!(report.ok(), "{report}");
    let hits = report
        .coverage()
        .sites()
        .find(|(site, _)| *site == "two_has_leader");
    assert!(matches!(hits, Some((_, n)) if n > 0), "{report}");
}
