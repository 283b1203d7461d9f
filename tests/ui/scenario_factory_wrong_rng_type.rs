use musil::prelude::*;

#[derive(Debug, Default)]
struct Quiet;
impl Node<u8> for Quiet {}

#[derive(System, Debug, Default)]
struct World {
    node: Quiet,
}

#[musil::scenario]
fn wrong_rng(rng: &mut String) -> World {
    let _ = rng;
    World::default()
}

fn main() {}
