//! The nodes of `sim_many_seeds`: a client that sends a request, and again on a timer until it
//! is acknowledged, and a server that acknowledges every request. `tests/scenarios/retry.rs`
//! runs them too (through `#[path]`).

use musil::prelude::*;

/// The messages between client and server.
#[derive(Clone, Debug)]
pub enum Msg {
    /// The client's request.
    Req,
    /// The server's acknowledgement.
    Ack,
}

/// Sends `Req`, and again every 4 ticks until an `Ack` arrives.
#[derive(Debug, Default)]
pub struct Client {
    /// An `Ack` arrived.
    pub acked: bool,
    sends: u32,
}

impl Client {
    fn send(&mut self, ctx: &mut Context<Msg>) {
        ctx.send("server", Msg::Req);
        self.sends += 1;
        ctx.set_timer("retry", 4);
    }
}

impl Node<Msg> for Client {
    fn on_start(&mut self, ctx: &mut Context<Msg>) {
        self.send(ctx);
    }

    fn on_message(&mut self, ctx: &mut Context<Msg>, _from: NodeId, msg: Msg) {
        if matches!(msg, Msg::Ack) && !self.acked {
            self.acked = true;
            ctx.cancel_timer("retry");
        }
    }

    fn on_timer(&mut self, ctx: &mut Context<Msg>, _timer: &'static str) {
        if !self.acked {
            self.send(ctx);
        }
    }
}

/// Acknowledges every `Req`.
#[derive(Debug, Default)]
pub struct Server {
    /// The requests received.
    pub received: u32,
}

impl Node<Msg> for Server {
    fn on_message(&mut self, ctx: &mut Context<Msg>, from: NodeId, msg: Msg) {
        if matches!(msg, Msg::Req) {
            self.received += 1;
            ctx.send(from, Msg::Ack);
        }
    }
}

/// The client, then the server.
#[derive(System, Debug, Default)]
pub struct ClientServer {
    /// The retrying client.
    pub client: Client,
    /// The acknowledging server.
    pub server: Server,
}
