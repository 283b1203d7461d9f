//! A client retries its request on a timer over a network that loses 30 % of messages: every
//! seed converges, and the server never acknowledges more requests than it received.

use musil::prelude::*;

#[path = "../../examples/bench/client_server.rs"]
mod client_server;

use client_server::{ClientServer, Msg};

#[invariant]
fn ack_implies_received(w: &ClientServer) -> Result<(), String> {
    if w.client.acked && w.server.received == 0 {
        return Err("the client was acknowledged before the server received anything".into());
    }
    Ok(())
}

fn acked(w: &ClientServer) -> bool {
    w.client.acked
}

fn lossy() -> NetworkModel<Msg> {
    NetworkModel::reliable().loss(0.3).latency(1, 3)
}

#[musil::scenario(seeds = 0..100, network = lossy(), goal = acked)]
fn retrying_client_converges() -> ClientServer {
    ClientServer::default()
}
