//! `#[invariant]` and `#[sometimes]`: register a function of the world, `fn(&S) -> …`, for the
//! system type `S` — an invariant (`-> bool | Result<(), impl Display>`) or a coverage site
//! (`-> bool`).

use proc_macro2::TokenStream;
use quote::{format_ident, quote, quote_spanned};
use syn::spanned::Spanned;
use syn::{FnArg, ItemFn, ReturnType, Type};

/// Which of the two attributes, with the words its errors use.
#[derive(Clone, Copy)]
pub(crate) struct Role {
    attribute: &'static str,
    noun: &'static str,
    usage: &'static str,
    expand: fn(TokenStream, &ItemFn) -> syn::Result<TokenStream>,
}

/// `#[invariant]`.
pub(crate) const INVARIANT: Role = Role {
    attribute: "#[invariant]",
    noun: "an invariant",
    usage: "an invariant is `fn(world: &MySystem) -> bool` or `-> Result<(), impl Display>`",
    expand: try_expand,
};

/// `#[sometimes]`.
pub(crate) const SOMETIMES: Role = Role {
    attribute: "#[sometimes]",
    noun: "a sometimes site",
    usage: "a sometimes site is `fn(world: &MySystem) -> bool`",
    expand: try_expand_sometimes,
};

pub(crate) fn expand(attr: TokenStream, item: ItemFn, role: Role) -> TokenStream {
    match (role.expand)(attr, &item) {
        Ok(tokens) => tokens,
        Err(error) => {
            let error = error.into_compile_error();
            quote!(#error #item)
        }
    }
}

/// An error unless the attribute came without arguments.
fn no_arguments(attr: TokenStream, role: Role) -> syn::Result<()> {
    match attr.is_empty() {
        true => Ok(()),
        false => Err(syn::Error::new_spanned(
            attr,
            format!("{} takes no arguments", role.attribute),
        )),
    }
}

fn try_expand_sometimes(attr: TokenStream, item: &ItemFn) -> syn::Result<TokenStream> {
    no_arguments(attr, SOMETIMES)?;
    let (system, output) = check_signature(item, SOMETIMES)?;
    let returns_bool = matches!(output, Type::Path(path) if path.path.is_ident("bool"));
    if !returns_bool {
        return Err(syn::Error::new_spanned(
            output,
            format!("a sometimes site says whether it held: {}", SOMETIMES.usage),
        ));
    }
    let name = &item.sig.ident;
    let name_text = name.to_string();
    let holds = format_ident!("__musil_sometimes_{}", name);
    let verdict = quote_spanned!(output.span()=> #name(world));
    Ok(quote! {
        #item

        #[doc(hidden)]
        #[allow(non_snake_case)]
        fn #holds(world: &dyn ::core::any::Any) -> bool {
            match world.downcast_ref::<#system>() {
                ::core::option::Option::Some(world) => #verdict,
                ::core::option::Option::None => false,
            }
        }

        ::musil::__private::inventory::submit! {
            ::musil::__private::SometimesEntry {
                name: #name_text,
                module_path: ::core::module_path!(),
                system: ::core::any::TypeId::of::<#system>,
                holds: #holds,
            }
        }
    })
}

fn try_expand(attr: TokenStream, item: &ItemFn) -> syn::Result<TokenStream> {
    no_arguments(attr, INVARIANT)?;
    let (system, output) = check_signature(item, INVARIANT)?;
    let name = &item.sig.ident;
    let name_text = name.to_string();
    let check = format_ident!("__musil_invariant_{}", name);
    let outcome =
        quote_spanned!(output.span()=> ::musil::InvariantOutcome::into_verdict(#name(world)));
    Ok(quote! {
        #item

        #[doc(hidden)]
        #[allow(non_snake_case)]
        fn #check(
            world: &dyn ::core::any::Any,
        ) -> ::core::result::Result<(), ::core::option::Option<::musil::__private::String>> {
            match world.downcast_ref::<#system>() {
                ::core::option::Option::Some(world) => #outcome,
                ::core::option::Option::None => ::core::result::Result::Ok(()),
            }
        }

        ::musil::__private::inventory::submit! {
            ::musil::__private::InvariantEntry {
                name: #name_text,
                module_path: ::core::module_path!(),
                system: ::core::any::TypeId::of::<#system>,
                check: #check,
            }
        }
    })
}

/// The system type `S` of `fn(&S) -> R`, and `R`.
fn check_signature(item: &ItemFn, role: Role) -> syn::Result<(&Type, &Type)> {
    let sig = &item.sig;
    let (noun, usage) = (role.noun, role.usage);
    let error = |tokens: &dyn quote::ToTokens, message: String| {
        Err(syn::Error::new_spanned(tokens, message))
    };
    if let Some(token) = &sig.asyncness {
        return error(token, format!("{noun} cannot be async: {usage}"));
    }
    if !sig.generics.params.is_empty() || sig.generics.where_clause.is_some() {
        return error(&sig.generics, format!("{noun} cannot be generic: {usage}"));
    }
    let ReturnType::Type(_, output) = &sig.output else {
        return error(sig, format!("{noun} returns its verdict: {usage}"));
    };
    if sig.inputs.len() != 1 {
        return error(
            &sig.inputs,
            format!("{noun} takes exactly one argument: {usage}"),
        );
    }
    match sig.inputs.first() {
        Some(FnArg::Typed(typed)) => match &*typed.ty {
            Type::Reference(reference) if reference.mutability.is_none() => {
                Ok((&reference.elem, output))
            }
            Type::Reference(reference) => error(
                reference,
                format!("{noun} only reads the world: take `&MySystem`, not `&mut` ({usage})"),
            ),
            other => error(other, format!("{noun} borrows the world: {usage}")),
        },
        Some(receiver) => error(receiver, format!("{noun} is a free function: {usage}")),
        None => error(sig, usage.to_string()),
    }
}
