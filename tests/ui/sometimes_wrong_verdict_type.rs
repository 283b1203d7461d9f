use musil::prelude::*;

#[derive(Debug, Default)]
struct Quiet;
impl Node<u8> for Quiet {}

#[derive(System, Debug, Default)]
struct World {
    node: Quiet,
}

#[sometimes]
fn counts(w: &World) -> u32 {
    let _ = w;
    3
}

fn main() {}
