//! A client retries its request on a timer over a network that loses 30 % of messages: every
//! seed converges, and the server never acknowledges more requests than it received.

use musil::prelude::*;

#[derive(Clone, Debug, PartialEq)]
enum Msg {
    Request,
    Ack,
}

#[derive(Debug, Default)]
struct Client {
    acked: bool,
    sends: u32,
}

impl Client {
    fn send(&mut self, ctx: &mut Context<Msg>) {
        self.sends += 1;
        ctx.send("server", Msg::Request);
        ctx.set_timer("retry", 4);
    }
}

impl Node<Msg> for Client {
    fn on_start(&mut self, ctx: &mut Context<Msg>) {
        self.send(ctx);
    }

    fn on_timer(&mut self, ctx: &mut Context<Msg>, _timer: &'static str) {
        if !self.acked {
            self.send(ctx);
        }
    }

    fn on_message(&mut self, ctx: &mut Context<Msg>, _from: NodeId, _msg: Msg) {
        self.acked = true;
        ctx.cancel_timer("retry");
    }
}

#[derive(Debug, Default)]
struct Server {
    received: u32,
}

impl Node<Msg> for Server {
    fn on_message(&mut self, ctx: &mut Context<Msg>, from: NodeId, _msg: Msg) {
        self.received += 1;
        ctx.send(from, Msg::Ack);
    }
}

#[derive(System, Debug, Default)]
struct RequestReply {
    client: Client,
    server: Server,
}

#[invariant]
fn ack_implies_received(w: &RequestReply) -> Result<(), String> {
    if w.client.acked && w.server.received == 0 {
        return Err("the client was acknowledged before the server received anything".into());
    }
    Ok(())
}

fn acked(w: &RequestReply) -> bool {
    w.client.acked
}

fn lossy() -> NetworkModel<Msg> {
    NetworkModel::reliable().loss(0.3).latency(1, 3)
}

#[musil::scenario(seeds = 0..100, network = lossy(), goal = acked)]
fn retrying_client_converges() -> RequestReply {
    RequestReply::default()
}
