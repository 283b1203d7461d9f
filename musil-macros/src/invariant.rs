//! `#[invariant]`: registers `fn(&S) -> bool | Result<(), impl Display>` for the system type `S`.

use proc_macro2::TokenStream;
use quote::{format_ident, quote, quote_spanned};
use syn::spanned::Spanned;
use syn::{FnArg, ItemFn, ReturnType, Type};

pub(crate) fn expand(attr: TokenStream, item: ItemFn) -> TokenStream {
    match try_expand(attr, &item) {
        Ok(tokens) => tokens,
        Err(error) => {
            let error = error.into_compile_error();
            quote!(#error #item)
        }
    }
}

fn try_expand(attr: TokenStream, item: &ItemFn) -> syn::Result<TokenStream> {
    if !attr.is_empty() {
        return Err(syn::Error::new_spanned(
            attr,
            "#[invariant] takes no arguments",
        ));
    }
    let (system, output) = check_signature(item)?;
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
fn check_signature(item: &ItemFn) -> syn::Result<(&Type, &Type)> {
    let sig = &item.sig;
    let usage = "an invariant is `fn(world: &MySystem) -> bool` or `-> Result<(), impl Display>`";
    if let Some(token) = &sig.asyncness {
        return Err(syn::Error::new_spanned(
            token,
            format!("an invariant cannot be async: {usage}"),
        ));
    }
    if !sig.generics.params.is_empty() || sig.generics.where_clause.is_some() {
        return Err(syn::Error::new_spanned(
            &sig.generics,
            format!("an invariant cannot be generic: {usage}"),
        ));
    }
    let ReturnType::Type(_, output) = &sig.output else {
        return Err(syn::Error::new_spanned(
            sig,
            format!("an invariant returns its verdict: {usage}"),
        ));
    };
    if sig.inputs.len() != 1 {
        return Err(syn::Error::new_spanned(
            &sig.inputs,
            format!("an invariant takes exactly one argument: {usage}"),
        ));
    }
    match sig.inputs.first() {
        Some(FnArg::Typed(typed)) => match &*typed.ty {
            Type::Reference(reference) if reference.mutability.is_none() => {
                Ok((&reference.elem, output))
            }
            Type::Reference(reference) => Err(syn::Error::new_spanned(
                reference,
                format!(
                    "an invariant only reads the world: take `&MySystem`, not `&mut` ({usage})"
                ),
            )),
            other => Err(syn::Error::new_spanned(
                other,
                format!("an invariant borrows the world: {usage}"),
            )),
        },
        Some(receiver) => Err(syn::Error::new_spanned(
            receiver,
            format!("an invariant is a free function: {usage}"),
        )),
        None => Err(syn::Error::new_spanned(sig, usage)),
    }
}
