//! `#[derive(System)]`: dispatch by `match`-like chains over the struct's node fields.

use proc_macro2::TokenStream;
use quote::{format_ident, quote, quote_spanned};
use syn::spanned::Spanned;
use syn::{Data, DeriveInput, Fields, GenericArgument, Ident, PathArguments, Type};

/// One field of the system: a single node, or a `Vec` of nodes.
struct NodeField {
    ident: Ident,
    name: String,
    node_type: Type,
    many: bool,
}

pub(crate) fn expand(input: DeriveInput) -> syn::Result<TokenStream> {
    let fields = node_fields(&input)?;
    let explicit_msg = message_type(&input)?;
    let msg_param = format_ident!("__MusilMsg");
    let message = match &explicit_msg {
        Some(ty) => quote!(#ty),
        None => quote!(#msg_param),
    };
    let mut generics = input.generics.clone();
    if explicit_msg.is_none() {
        generics
            .params
            .push(syn::parse_quote!(#msg_param: ::musil::Message));
    }
    let (impl_generics, _, _) = generics.split_for_impl();
    let (_, type_generics, where_clause) = input.generics.split_for_impl();
    let mut predicates: Vec<TokenStream> = where_clause
        .map(|w| w.predicates.iter().map(|p| quote!(#p)).collect())
        .unwrap_or_default();
    predicates.extend(fields.iter().map(|f| {
        let ty = &f.node_type;
        quote_spanned!(ty.span()=> #ty: ::musil::Node<#message>)
    }));
    let ident = &input.ident;
    let struct_name = ident.to_string();

    let count_terms = fields.iter().map(|f| {
        let field = &f.ident;
        if f.many {
            quote!(self.#field.len())
        } else {
            quote!(1usize)
        }
    });
    let name_arms = chain(&fields, |f| {
        let name = &f.name;
        if f.many {
            quote!(::std::borrow::Cow::Owned(
                ::std::format!("{}[{}]", #name, __index)
            ))
        } else {
            quote!(::std::borrow::Cow::Borrowed(#name))
        }
    });
    let visit_arms = chain(&fields, |f| {
        let field = &f.ident;
        if f.many {
            quote!(__visitor.visit(&mut self.#field[__index]))
        } else {
            quote!(__visitor.visit(&mut self.#field))
        }
    });
    let replace_arms = chain(&fields, |f| {
        let field = &f.ident;
        let name = &f.name;
        if f.many {
            quote!(match __fresh.#field.get_mut(__index) {
                ::core::option::Option::Some(__node) => ::core::mem::swap(&mut self.#field[__index], __node),
                ::core::option::Option::None => ::core::panic!(
                    "cold restart of `{}[{}]`: the factory built only {} nodes in `{}`",
                    #name, __index, __fresh.#field.len(), #name
                ),
            })
        } else {
            quote!(::core::mem::swap(&mut self.#field, &mut __fresh.#field))
        }
    });
    let out_of_range = quote! {
        ::core::panic!("{} is not a node of `{}`", __id, #struct_name)
    };

    Ok(quote! {
        #[automatically_derived]
        impl #impl_generics ::musil::System<#message> for #ident #type_generics
        where #(#predicates,)*
        {
            fn node_count(&self) -> usize {
                0usize #(+ #count_terms)*
            }

            fn node_name(&self, __id: ::musil::NodeId) -> ::std::borrow::Cow<'static, str> {
                let mut __index = __id.index();
                #(#name_arms)*
                #out_of_range
            }

            fn visit_node<__V: ::musil::NodeVisitor<#message>>(
                &mut self,
                __id: ::musil::NodeId,
                __visitor: __V,
            ) -> __V::Output {
                let mut __index = __id.index();
                #(#visit_arms)*
                #out_of_range
            }

            fn replace_node(&mut self, __id: ::musil::NodeId, __fresh: &mut Self) {
                let mut __index = __id.index();
                #(#replace_arms)*
                #out_of_range
            }
        }
    })
}

/// For each field, "if the index falls in this field, `action`; else skip past it".
fn chain(fields: &[NodeField], action: impl Fn(&NodeField) -> TokenStream) -> Vec<TokenStream> {
    fields
        .iter()
        .map(|f| {
            let body = action(f);
            let field = &f.ident;
            if f.many {
                quote! {
                    if __index < self.#field.len() { return #body; }
                    __index -= self.#field.len();
                }
            } else {
                quote! {
                    if __index == 0 { return #body; }
                    __index -= 1;
                }
            }
        })
        .collect()
}

fn node_fields(input: &DeriveInput) -> syn::Result<Vec<NodeField>> {
    let shape_error = "#[derive(System)] needs a struct with named fields, one per node \
                       (or `#[nodes] name: Vec<Node>` for a group of nodes)";
    let Data::Struct(data) = &input.data else {
        return Err(syn::Error::new_spanned(&input.ident, shape_error));
    };
    let Fields::Named(named) = &data.fields else {
        return Err(syn::Error::new_spanned(&input.ident, shape_error));
    };
    named
        .named
        .iter()
        .map(|field| {
            let Some(ident) = field.ident.clone() else {
                return Err(syn::Error::new_spanned(field, shape_error));
            };
            let many = field.attrs.iter().any(|a| a.path().is_ident("nodes"));
            let node_type = if many {
                vec_element(&field.ty)?
            } else {
                field.ty.clone()
            };
            let name = syn::ext::IdentExt::unraw(&ident).to_string();
            Ok(NodeField {
                ident,
                name,
                node_type,
                many,
            })
        })
        .collect()
}

/// `N` from `Vec<N>`.
fn vec_element(ty: &Type) -> syn::Result<Type> {
    let error = || {
        syn::Error::new_spanned(
            ty,
            "#[nodes] marks a group of nodes: its type must be `Vec<N>` where `N: Node<Msg>`",
        )
    };
    let Type::Path(path) = ty else {
        return Err(error());
    };
    let Some(last) = path.path.segments.last() else {
        return Err(error());
    };
    if last.ident != "Vec" {
        return Err(error());
    }
    let PathArguments::AngleBracketed(args) = &last.arguments else {
        return Err(error());
    };
    match args.args.first() {
        Some(GenericArgument::Type(element)) if args.args.len() == 1 => Ok(element.clone()),
        _ => Err(error()),
    }
}

/// The `msg = Type` of `#[system(msg = Type)]`, if given.
fn message_type(input: &DeriveInput) -> syn::Result<Option<Type>> {
    let mut message = None;
    for attr in input.attrs.iter().filter(|a| a.path().is_ident("system")) {
        attr.parse_nested_meta(|meta| {
            if meta.path.is_ident("msg") {
                if message.is_some() {
                    return Err(meta.error("`msg` is given twice"));
                }
                message = Some(meta.value()?.parse::<Type>()?);
                Ok(())
            } else {
                Err(meta.error("unknown `system` argument: the only one is `msg = MessageType`"))
            }
        })?;
    }
    Ok(message)
}
