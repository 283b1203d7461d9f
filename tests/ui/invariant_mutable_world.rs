use musil::prelude::*;

#[derive(Debug, Default)]
struct Quiet;
impl Node<u8> for Quiet {}

#[derive(System, Debug, Default)]
struct World {
    node: Quiet,
}

#[invariant]
fn mutates(w: &mut World) -> bool {
    let _ = w;
    true
}

fn main() {}
