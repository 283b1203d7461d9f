use musil::prelude::*;

#[derive(Debug, Default)]
struct Quiet;
impl Node<u8> for Quiet {}

#[derive(System)]
#[system(message = u8)]
struct Pair {
    a: Quiet,
    b: Quiet,
}

fn main() {}
