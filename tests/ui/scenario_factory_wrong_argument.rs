use musil::prelude::*;

#[derive(Debug, Default)]
struct Quiet;
impl Node<u8> for Quiet {}

#[derive(System, Debug, Default)]
struct World {
    node: Quiet,
}

#[musil::scenario]
fn by_value(seed: u64) -> World {
    let _ = seed;
    World::default()
}

fn main() {}
