use musil::prelude::*;

#[derive(Debug, Default)]
struct Quiet;
impl Node<u8> for Quiet {}

#[derive(System, Debug, Default)]
struct World {
    node: Quiet,
}

#[musil::scenario(converge_within = 50)]
fn converges_to_what() -> World {
    World::default()
}

fn main() {}
