//! BUGGIFY as users meet it: `ctx.buggify` never fires unless the scenario enables it; enabled,
//! a site is on in about a quarter of the runs and fires about a quarter of the times it is
//! evaluated while on; a failure lists the sites that fired.

use musil::RunSettings;
use musil::prelude::*;

/// Evaluates the site `flaky` a hundred times at start and counts how often it fired.
#[derive(Debug, Default)]
struct Probe {
    fired: u32,
}

impl Node<()> for Probe {
    fn on_start(&mut self, ctx: &mut Context<()>) {
        for _ in 0..100 {
            self.fired += u32::from(ctx.buggify("flaky"));
        }
    }
}

#[derive(System, Debug, Default)]
struct Solo {
    probe: Probe,
}

fn fired(buggify: bool, seed: u64) -> u32 {
    let sim = Simulation::new(Solo::default()).seed(seed);
    let mut sim = if buggify { sim.buggify() } else { sim };
    sim.run(10).expect("valid");
    sim.world().probe.fired
}

#[test]
fn buggify_never_fires_unless_enabled() {
    assert!((0..200).all(|seed| fired(false, seed) == 0));
}

#[test]
fn an_enabled_site_is_on_in_a_quarter_of_the_runs_and_fires_a_quarter_of_the_time() {
    let runs: Vec<u32> = (0..400).map(|seed| fired(true, seed)).collect();
    let on = runs.iter().filter(|&&n| n > 0).count();
    // 400 runs at 1/4: 100 expected, standard deviation about 8.7.
    assert!((60..=140).contains(&on), "on in {on} of 400 runs");
    let fires: u32 = runs.iter().sum();
    let per_evaluation = f64::from(fires) / (on as f64 * 100.0);
    assert!(
        (0.2..=0.3).contains(&per_evaluation),
        "fires at {per_evaluation} while on"
    );
    assert_eq!(
        runs,
        (0..400).map(|seed| fired(true, seed)).collect::<Vec<_>>(),
        "replays"
    );
}

fn quiet(world: &Solo) -> bool {
    world.probe.fired == 0
}

/// Evaluates sixteen sites a hundred times each: some is on in nearly every run ((3/4)^16, about
/// 1 %, of runs have none on), so the scenario below fails on whichever seed runs (the suite also
/// runs under `MUSIL_SEED=7`).
#[derive(Debug, Default)]
struct Busy {
    fired: u32,
}

const SITES: [&str; 16] = [
    "s0", "s1", "s2", "s3", "s4", "s5", "s6", "s7", "s8", "s9", "s10", "s11", "s12", "s13", "s14",
    "s15",
];

impl Node<()> for Busy {
    fn on_start(&mut self, ctx: &mut Context<()>) {
        for site in SITES {
            for _ in 0..100 {
                self.fired += u32::from(ctx.buggify(site));
            }
        }
    }
}

#[derive(System, Debug, Default)]
struct Sites {
    busy: Busy,
}

fn nothing_fired(world: &Sites) -> bool {
    world.busy.fired == 0
}

#[musil::scenario(seeds = 0..50, buggify, invariants = [nothing_fired], should_fail = invariant)]
fn a_buggify_flag_enables_the_sites() -> Sites {
    Sites::default()
}

#[test]
fn a_failure_lists_the_sites_that_fired() {
    let report = Scenario::new(Solo::default)
        .buggify()
        .invariant("quiet", quiet)
        .execute(&RunSettings::seeds(0..50));
    let text = report
        .failure()
        .expect("some run has the site on")
        .to_string();
    assert!(text.contains("  buggify fired: flaky ("), "{text}");
    assert!(text.contains("probe 🐞 buggify flaky"), "{text}");
}
