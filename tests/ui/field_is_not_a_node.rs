use musil::prelude::*;

#[derive(Debug, Default)]
struct Quiet;
impl Node<u8> for Quiet {}

#[derive(Debug, Default)]
struct NotANode;

#[derive(System, Debug, Default)]
#[system(msg = u8)]
struct Pair {
    a: Quiet,
    b: NotANode,
}

fn main() {}
