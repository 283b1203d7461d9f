use musil::prelude::*;

#[derive(Debug, Default)]
struct Quiet;
impl Node<u8> for Quiet {}

#[derive(System, Debug, Default)]
struct World {
    node: Quiet,
}

#[invariant]
fn says_nothing(w: &World) {
    let _ = w;
}

fn main() {}
