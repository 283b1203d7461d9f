use musil::prelude::*;

#[derive(Debug, Default)]
struct Quiet;
impl Node<u8> for Quiet {}

#[derive(System, Debug, Default)]
struct World {
    node: Quiet,
}

#[sometimes(often)]
fn elected(w: &World) -> bool {
    let _ = w;
    true
}

fn main() {}
