use musil::prelude::*;

#[derive(Debug, Default)]
struct Quiet;
impl Node<u8> for Quiet {}

#[derive(System, Debug, Default)]
struct World {
    node: Quiet,
}

fn model() -> musil::check::Model<u8> {
    musil::check::Model::new(0)
}

#[musil::scenario(model = model())]
fn unabstracted() -> World {
    World::default()
}

fn main() {}
