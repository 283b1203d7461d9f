//! Procedural macros for musil. Use them through the `musil` facade crate
//! (`use musil::prelude::*;`), which the generated code refers to as `::musil`.
//!
//! - `#[derive(System)]`: a struct of nodes becomes a simulated system.
#![deny(missing_docs)]

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
