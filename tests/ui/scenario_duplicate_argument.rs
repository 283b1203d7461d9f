use musil::prelude::*;

#[derive(Debug, Default)]
struct Quiet;
impl Node<u8> for Quiet {}

#[derive(System, Debug, Default)]
struct World {
    node: Quiet,
}

#[musil::scenario(seeds = 0..3, max_steps = 10, seeds = 4..5)]
fn twice() -> World {
    World::default()
}

fn main() {}
