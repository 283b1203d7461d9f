use musil::prelude::*;

#[derive(Debug, Default)]
struct Bytes;
impl Node<u8> for Bytes {}

#[derive(Debug, Default)]
struct Words;
impl Node<String> for Words {}

#[derive(System, Debug, Default)]
struct Mixed {
    a: Bytes,
    b: Words,
}

fn main() {
    let _ = Simulation::new(Mixed::default()).run(10);
}
