//! Coverage under musil's harness: each scenario's `path::coverage` trial judges its seeds. A
//! candidate elected on a coin flip passes; one that never stands fails that trial (ignored: the
//! runner's tests run it), though every seed trial passes — a green sweep that never elected
//! anyone proves nothing.

use musil::prelude::*;

/// Stands for election on a coin flip at start, if it stands at all.
#[derive(Debug, Default)]
pub struct Candidate {
    stands: bool,
    leader: bool,
}

impl Node<()> for Candidate {
    fn on_start(&mut self, ctx: &mut Context<()>) {
        self.leader = self.stands && ctx.chance(0.5);
    }
}

#[derive(System, Debug, Default)]
pub struct Election {
    candidate: Candidate,
}

/// A coverage site of every scenario of `Election`.
#[sometimes]
fn leader_elected(world: &Election) -> bool {
    world.candidate.leader
}

#[musil::scenario(seeds = 0..20)]
fn a_leader_is_sometimes_elected() -> Election {
    Election {
        candidate: Candidate {
            stands: true,
            leader: false,
        },
    }
}

#[musil::scenario(seeds = 0..20)]
#[ignore = "deliberately failing: a coverage site that never holds"]
fn nobody_ever_stands() -> Election {
    Election::default()
}
