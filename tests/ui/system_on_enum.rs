use musil::prelude::*;

#[derive(System)]
enum NotAStruct {
    A,
}

fn main() {}
