use musil::prelude::*;

#[derive(Debug, Default)]
struct Quiet;
impl Node<u8> for Quiet {}

#[derive(System, Debug, Default)]
struct World {
    node: Quiet,
}

#[musil::scenario(nemesis_until = 500)]
fn stops_what() -> World {
    World::default()
}

fn main() {}
