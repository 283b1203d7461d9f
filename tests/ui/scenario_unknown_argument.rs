use musil::prelude::*;

#[derive(Debug, Default)]
struct Quiet;
impl Node<u8> for Quiet {}

#[derive(System, Debug, Default)]
struct World {
    node: Quiet,
}

#[musil::scenario(seed = 0..3)]
fn typo() -> World {
    World::default()
}

fn main() {}
