use musil::prelude::*;

#[derive(Debug, Default)]
struct Quiet;
impl Node<u8> for Quiet {}

#[derive(System, Debug, Default)]
struct World {
    node: Quiet,
}

fn abstract_world(_: &World) -> u8 {
    0
}

#[musil::scenario(abstraction = abstract_world)]
fn modelless() -> World {
    World::default()
}

fn main() {}
