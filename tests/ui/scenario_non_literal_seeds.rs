use musil::prelude::*;

#[derive(Debug, Default)]
struct Quiet;
impl Node<u8> for Quiet {}

#[derive(System, Debug, Default)]
struct World {
    node: Quiet,
}

const N: u64 = 10;

#[musil::scenario(seeds = 0..N)]
fn computed() -> World {
    World::default()
}

fn main() {}
