//! Procedural macros for musil. Use them through the `musil` facade crate
//! (`use musil::prelude::*;`), which the generated code refers to as `::musil`.
//!
//! - `#[derive(System)]`: a struct of nodes becomes a simulated system.
//! - `#[musil::scenario(...)]`: a factory becomes a scenario, run as a test.
//! - `#[invariant]`: a property checked by every scenario of its system type.
//!
//! The macros stay thin: they check the input and emit the builder calls a user would write
//! (`musil::Scenario::new(..)...`); the logic lives in `musil-core` and `musil-test`.
#![deny(missing_docs)]

mod invariant;
mod scenario;
mod system;

use proc_macro::TokenStream;

/// Implements `musil::System` for a struct whose fields are nodes.
///
/// Fields are nodes in declaration order, named after the field; a field marked `#[nodes]` of
/// type `Vec<N>` contributes nodes `field[0]`, `field[1]`, …. The message type is inferred from
/// the fields' `Node<M>` implementations; write `#[system(msg = Msg)]` on the struct when no
/// field pins it down (for instance when every node is generic over its message type).
///
/// ```ignore
/// #[derive(System, Debug)]
/// struct Cluster {
///     client: Client,
///     #[nodes]
///     replicas: Vec<Replica>,
/// }
/// ```
#[proc_macro_derive(System, attributes(nodes, system))]
pub fn derive_system(input: TokenStream) -> TokenStream {
    let input = syn::parse_macro_input!(input as syn::DeriveInput);
    system::expand(input)
        .unwrap_or_else(syn::Error::into_compile_error)
        .into()
}

/// Turns a factory `fn() -> S` (or `fn(rng: &mut musil::Rng) -> S`) into a scenario: registered
/// for `musil::main!()` (one trial per seed in a `harness = false` target) and emitted as a
/// `#[test]` that runs every seed (default harness).
///
/// Arguments, all optional: `seeds = 0..20 | 0..=19 | [1, 5, 9]` (default `0..100`),
/// `network = <NetworkModel or fn(&mut Rng) -> NetworkModel>`,
/// `faults = <FaultSchedule or fn(&mut Rng) -> FaultSchedule>`, `goal = path`,
/// `converge_within = N`, `invariants = [path, ...]`, `max_steps = N`,
/// `history = linearizable(spec) | sequentially_consistent(spec)`,
/// `should_fail = invariant | goal | liveness | refinement | panic | coverage | linearizability | any`,
/// `model = <Model expr>, abstraction = path` (refinement: every step must be a model step or a
/// stutter). `#[ignore]` on the
/// factory is honoured. The factory itself is renamed; the scenario's name is the test's.
///
/// ```ignore
/// #[musil::scenario(seeds = 0..20, goal = accepted_expected, should_fail = goal)]
/// fn trusting_client_is_fooled() -> Lookup {
///     Lookup { client: Client::default(), service: liar() }
/// }
/// ```
#[proc_macro_attribute]
pub fn scenario(attr: TokenStream, item: TokenStream) -> TokenStream {
    let item = syn::parse_macro_input!(item as syn::ItemFn);
    scenario::expand(attr.into(), item).into()
}

/// Registers `fn(&S) -> bool` or `fn(&S) -> Result<(), impl Display>` as an invariant of the
/// system type `S`: every scenario of `S` checks it after the start and after every step, with
/// all invariants in name order. The error of a `Result` is the reason shown in the report.
///
/// ```ignore
/// #[invariant]
/// fn single_leader(w: &Cluster) -> Result<(), String> { ... }
/// ```
#[proc_macro_attribute]
pub fn invariant(attr: TokenStream, item: TokenStream) -> TokenStream {
    let item = syn::parse_macro_input!(item as syn::ItemFn);
    invariant::expand(attr.into(), item, invariant::INVARIANT).into()
}

/// Registers `fn(&S) -> bool` as a coverage site on the world of the system type `S`: every
/// scenario of `S` observes it after the start and after every step, and fails with kind
/// `Coverage` if it never held over all the scenario's seeds (a green run that never reached the
/// interesting state proves nothing). The site is named after the function.
///
/// ```ignore
/// #[sometimes]
/// fn leader_elected(w: &Cluster) -> bool { w.replicas.iter().any(|r| r.is_leader()) }
/// ```
#[proc_macro_attribute]
pub fn sometimes(attr: TokenStream, item: TokenStream) -> TokenStream {
    let item = syn::parse_macro_input!(item as syn::ItemFn);
    invariant::expand(attr.into(), item, invariant::SOMETIMES).into()
}
