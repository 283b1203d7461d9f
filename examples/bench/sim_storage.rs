//! sim_storage: a write-ahead-logged key-value server under a client issuing writes, with a
//! power loss of the server every 300 time units, in one long run of `--steps` steps. Each write
//! is appended to the log and synced before it is acknowledged; every 64 writes the server
//! writes a snapshot and truncates the log; after a power loss it recovers from both.
//!
//! `--mode disk` is the workload. `--mode none` runs the same protocol without the disk, and
//! `--mode send` replaces the disk operations by one extra message per write: the three runs
//! price a disk operation against a message send (see BENCHMARKS.md).

use std::collections::BTreeMap;

use musil::prelude::*;

use crate::harness::{Counts, Options, Workload};

pub const WORKLOAD: Workload = Workload {
    run,
    throughput: &[("steps_per_s", "steps"), ("disk_ops_per_s", "disk_ops")],
    params: |o| {
        format!(
            "\"steps\": {}, \"mode\": \"{}\", \"seed\": 1, \"crash\": \"power every 300\"",
            o.steps, o.mode
        )
    },
};

/// Keys the client writes, round robin.
const KEYS: u64 = 16;

/// Writes between snapshots.
const SNAPSHOT_EVERY: u64 = 64;

#[derive(Clone, Debug)]
enum Msg {
    Put(u64, u64),
    Ack,
    Note,
}

/// What the server does with each write.
#[derive(Clone, Copy, Debug, PartialEq)]
enum Mode {
    Disk,
    None,
    Send,
}

#[derive(Debug)]
struct Client {
    next: u64,
    acked: u64,
}

impl Node<Msg> for Client {
    fn on_start(&mut self, ctx: &mut Context<Msg>) {
        ctx.set_timer("put", 1);
    }

    fn on_timer(&mut self, ctx: &mut Context<Msg>, _: &'static str) {
        ctx.send("server", Msg::Put(self.next % KEYS, self.next));
        self.next += 1;
        ctx.set_timer("put", 1);
    }

    fn on_message(&mut self, _: &mut Context<Msg>, _: NodeId, msg: Msg) {
        if let Msg::Ack = msg {
            self.acked += 1;
        }
    }
}

#[derive(Debug)]
struct Server {
    mode: Mode,
    map: BTreeMap<u64, u64>,
    logged: u64,
}

impl Server {
    fn log(&mut self, ctx: &mut Context<Msg>, key: u64, value: u64) {
        let disk = &mut ctx.disk();
        let mut record = [0u8; 24];
        record[..8].copy_from_slice(&key.to_le_bytes());
        record[8..16].copy_from_slice(&value.to_le_bytes());
        record[16..].copy_from_slice(&(key ^ value).to_le_bytes());
        disk.append("wal", &record).expect("reliable storage");
        disk.sync("wal").expect("reliable storage");
        self.logged += 1;
        if self.logged.is_multiple_of(SNAPSHOT_EVERY) {
            let snapshot: Vec<u8> = self
                .map
                .iter()
                .flat_map(|(k, v)| [*k, *v])
                .flat_map(u64::to_le_bytes)
                .collect();
            disk.write("snap", 0, &snapshot).expect("reliable storage");
            disk.sync("snap").expect("reliable storage");
            disk.truncate("wal", 0).expect("reliable storage");
            disk.sync("wal").expect("reliable storage");
        }
    }

    fn recover(&mut self, ctx: &mut Context<Msg>) {
        let disk = &mut ctx.disk();
        let words = |bytes: Vec<u8>| -> Vec<u64> {
            bytes
                .chunks_exact(8)
                .map(|w| u64::from_le_bytes(w.try_into().expect("8 bytes")))
                .collect()
        };
        for pair in words(disk.read_all("snap").unwrap_or_default()).chunks_exact(2) {
            self.map.insert(pair[0], pair[1]);
        }
        for record in words(disk.read_all("wal").unwrap_or_default()).chunks_exact(3) {
            if record[0] ^ record[1] == record[2] {
                self.map.insert(record[0], record[1]);
            }
        }
    }
}

impl Node<Msg> for Server {
    fn on_start(&mut self, ctx: &mut Context<Msg>) {
        if self.mode == Mode::Disk {
            self.recover(ctx);
        }
    }

    fn on_message(&mut self, ctx: &mut Context<Msg>, from: NodeId, msg: Msg) {
        let Msg::Put(key, value) = msg else { return };
        match self.mode {
            Mode::Disk => self.log(ctx, key, value),
            Mode::Send => ctx.send("sink", Msg::Note),
            Mode::None => {}
        }
        self.map.insert(key, value);
        ctx.send(from, Msg::Ack);
    }
}

/// Receives the extra messages of `--mode send`, and ignores them.
#[derive(Debug)]
struct Sink;

impl Node<Msg> for Sink {}

#[derive(System, Debug)]
struct Store {
    client: Client,
    server: Server,
    sink: Sink,
}

fn run(options: &Options) -> Counts {
    let mode = match options.mode.as_str() {
        "disk" => Mode::Disk,
        "none" => Mode::None,
        "send" => Mode::Send,
        other => panic!("sim_storage: unknown --mode {other} (disk, none, send)"),
    };
    let factory = move || Store {
        client: Client { next: 0, acked: 0 },
        server: Server {
            mode,
            map: BTreeMap::new(),
            logged: 0,
        },
        sink: Sink,
    };
    let faults = (1..=options.steps / 300)
        .map(|i| Crash::power("server", i * 300, i * 300 + 3))
        .fold(FaultSchedule::new(), FaultSchedule::crash);
    let mut sim = Simulation::from_factory(factory, 1).faults(faults);
    let result = sim.run(options.steps).expect("a valid setup");
    vec![
        ("steps", result.steps),
        ("delivered", result.delivered),
        ("dropped", result.dropped),
        ("disk_ops", sim.disk_ops()),
        ("acked", sim.world().client.acked),
        ("time", result.time),
    ]
}
