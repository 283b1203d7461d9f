use musil::prelude::*;

#[derive(Debug, Default)]
struct Quiet;
impl Node<u8> for Quiet {}

#[derive(System)]
struct Cluster {
    #[nodes]
    replicas: [Quiet; 3],
}

fn main() {}
