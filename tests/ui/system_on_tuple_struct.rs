use musil::prelude::*;

#[derive(Debug, Default)]
struct Quiet;
impl Node<u8> for Quiet {}

#[derive(System)]
struct Tuple(Quiet, Quiet);

fn main() {}
