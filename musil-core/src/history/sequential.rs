//! Sequential consistency: some interleaving of the clients' operations, each client's in the
//! order it invoked them, explains every return — real time between clients does not count. A
//! depth-first search over how far each client has got, remembering the `(positions, state)`
//! pairs explored. A pending operation may take effect or not.

use std::collections::HashSet;
use std::hash::BuildHasherDefault;

use super::bits::Fx;
use super::record::{Operation, Outcome};
use super::spec::SequentialSpec;

/// Whether `ops` (no failed operation) are sequentially consistent from `spec` (`None`: the
/// search gave up after remembering `limit` pairs), and how many `(positions, state)` pairs it
/// remembered.
pub(crate) fn search<S: SequentialSpec>(
    spec: &S,
    ops: &[&Operation<S::Op, S::Ret>],
    limit: usize,
) -> (Option<bool>, usize) {
    let clients = by_client(ops);
    let mut seen: HashSet<(Vec<u32>, S), BuildHasherDefault<Fx>> = HashSet::default();
    let mut stack = vec![(vec![0u32; clients.len()], spec.clone())];
    while let Some((positions, state)) = stack.pop() {
        let done = clients
            .iter()
            .zip(&positions)
            .all(|(client, &at)| at as usize == client.len());
        if done {
            return (Some(true), seen.len());
        }
        if seen.len() >= limit {
            return (None, seen.len());
        }
        if !seen.insert((positions.clone(), state.clone())) {
            continue;
        }
        // Pushed in reverse, so that the first client is tried first.
        for (index, client) in clients.iter().enumerate().rev() {
            let Some(operation) = client.get(positions[index] as usize) else {
                continue;
            };
            let mut advanced = positions.clone();
            advanced[index] += 1;
            let pending = matches!(operation.outcome, Outcome::Pending);
            if pending {
                stack.push((advanced.clone(), state.clone()));
            }
            let mut after = state.clone();
            let ret = after.apply(&operation.op);
            let explained = match &operation.outcome {
                Outcome::Ok { ret: returned, .. } => *returned == ret,
                _ => true,
            };
            if explained {
                stack.push((advanced, after));
            }
        }
    }
    (Some(false), seen.len())
}

/// Each client's operations, in the order it invoked them; clients in order of number.
fn by_client<'a, Op, Ret>(ops: &[&'a Operation<Op, Ret>]) -> Vec<Vec<&'a Operation<Op, Ret>>> {
    let mut numbers: Vec<usize> = ops.iter().map(|op| op.client).collect();
    numbers.sort_unstable();
    numbers.dedup();
    let mut clients: Vec<Vec<&Operation<Op, Ret>>> = vec![Vec::new(); numbers.len()];
    for &operation in ops {
        if let Ok(at) = numbers.binary_search(&operation.client) {
            clients[at].push(operation);
        }
    }
    for client in &mut clients {
        client.sort_by_key(|operation| (operation.invoked, operation.order.map(|(call, _)| call)));
    }
    clients
}
