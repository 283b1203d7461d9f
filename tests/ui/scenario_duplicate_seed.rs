use musil::prelude::*;

#[derive(Debug, Default)]
struct Quiet;
impl Node<u8> for Quiet {}

#[derive(System, Debug, Default)]
struct World {
    node: Quiet,
}

#[musil::scenario(seeds = [1, 5, 1])]
fn repeated() -> World {
    World::default()
}

fn main() {}
