//! A system whose one node panics when its fuse burns out (its timer fires at t=3): how the
//! runner's tests see what a caught panic prints, in each mode.

use musil::prelude::*;

/// What the node's panic says.
pub const BURNT: &str = "the fuse burnt out";

/// Arms a fuse at the start; panics when it fires.
#[derive(Debug, Default)]
pub struct Bomb;

impl Node<()> for Bomb {
    fn on_start(&mut self, ctx: &mut Context<()>) {
        ctx.set_timer("fuse", 3);
    }
    fn on_timer(&mut self, _ctx: &mut Context<()>, _timer: &'static str) {
        panic!("{BURNT}");
    }
}

/// One bomb.
#[derive(System, Debug, Default)]
pub struct Fuse {
    bomb: Bomb,
}
