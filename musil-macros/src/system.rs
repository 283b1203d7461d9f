//! `#[derive(System)]`: dispatch by `match`-like chains over the struct's node fields.

use proc_macro2::TokenStream;
use quote::{ToTokens, format_ident, quote, quote_spanned};
use syn::spanned::Spanned;
use syn::{Data, DeriveInput, Fields, GenericArgument, Generics, Ident, PathArguments, Type};

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
    let message = match &explicit_msg {
        Some(ty) => quote!(#ty),
        None => message_param().into_token_stream(),
    };
    let generics = impl_generics(&input, explicit_msg.is_none());
    let (impl_generics, _, _) = generics.split_for_impl();
    let (_, type_generics, _) = input.generics.split_for_impl();
    let predicates = predicates(&input, &fields, &message);
    let ident = &input.ident;
    let out_of_range = out_of_range(ident);
    let node_count = node_count(&fields);
    let node_name = node_name(&fields, &out_of_range);
    let visit_node = visit_node(&fields, &message, &out_of_range);
    let replace_node = replace_node(&fields, &out_of_range);

    Ok(quote! {
        #[automatically_derived]
        impl #impl_generics ::musil::System<#message> for #ident #type_generics
        where #(#predicates,)*
        {
            #node_count

            #node_name

            #visit_node

            #replace_node
        }
    })
}

/// `__MusilMsg`: the message type parameter the impl adds when no `#[system(msg = ..)]` names
/// the message type.
fn message_param() -> Ident {
    format_ident!("__MusilMsg")
}

/// The struct's generics, plus the message type parameter when `generic_message`.
fn impl_generics(input: &DeriveInput, generic_message: bool) -> Generics {
    let mut generics = input.generics.clone();
    if generic_message {
        let param = message_param();
        generics
            .params
            .push(syn::parse_quote!(#param: ::musil::Message));
    }
    generics
}

/// The struct's own where-clause predicates, then `Field: Node<Message>` for every node type.
fn predicates(
    input: &DeriveInput,
    fields: &[NodeField],
    message: &TokenStream,
) -> Vec<TokenStream> {
    let (_, _, where_clause) = input.generics.split_for_impl();
    let mut predicates: Vec<TokenStream> = where_clause
        .map(|w| w.predicates.iter().map(|p| quote!(#p)).collect())
        .unwrap_or_default();
    predicates.extend(fields.iter().map(|f| {
        let ty = &f.node_type;
        quote_spanned!(ty.span()=> #ty: ::musil::Node<#message>)
    }));
    predicates
}

/// The panic that ends every chain: the id is past the last node.
fn out_of_range(ident: &Ident) -> TokenStream {
    let struct_name = ident.to_string();
    quote! {
        ::core::panic!("{} is not a node of `{}`", __id, #struct_name)
    }
}

/// `node_count`: one per single node, the length of each group.
fn node_count(fields: &[NodeField]) -> TokenStream {
    let count_terms = fields.iter().map(|f| {
        let field = &f.ident;
        if f.many {
            quote!(self.#field.len())
        } else {
            quote!(1usize)
        }
    });
    quote! {
        fn node_count(&self) -> usize {
            0usize #(+ #count_terms)*
        }
    }
}

/// `node_name`: the field's name, with `[index]` in a group.
fn node_name(fields: &[NodeField], out_of_range: &TokenStream) -> TokenStream {
    let name_arms = chain(fields, |f| {
        let name = &f.name;
        if f.many {
            quote!(::std::borrow::Cow::Owned(
                ::std::format!("{}[{}]", #name, __index)
            ))
        } else {
            quote!(::std::borrow::Cow::Borrowed(#name))
        }
    });
    quote! {
        fn node_name(&self, __id: ::musil::NodeId) -> ::std::borrow::Cow<'static, str> {
            let mut __index = __id.index();
            #(#name_arms)*
            #out_of_range
        }
    }
}

/// `visit_node`: the visitor visits the node the id stands for.
fn visit_node(
    fields: &[NodeField],
    message: &TokenStream,
    out_of_range: &TokenStream,
) -> TokenStream {
    let visit_arms = chain(fields, |f| {
        let field = &f.ident;
        if f.many {
            quote!(__visitor.visit(&mut self.#field[__index]))
        } else {
            quote!(__visitor.visit(&mut self.#field))
        }
    });
    quote! {
        fn visit_node<__V: ::musil::NodeVisitor<#message>>(
            &mut self,
            __id: ::musil::NodeId,
            __visitor: __V,
        ) -> __V::Output {
            let mut __index = __id.index();
            #(#visit_arms)*
            #out_of_range
        }
    }
}

/// `replace_node`: swaps the node with its counterpart in a freshly built system.
fn replace_node(fields: &[NodeField], out_of_range: &TokenStream) -> TokenStream {
    let replace_arms = chain(fields, |f| {
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
    quote! {
        fn replace_node(&mut self, __id: ::musil::NodeId, __fresh: &mut Self) {
            let mut __index = __id.index();
            #(#replace_arms)*
            #out_of_range
        }
    }
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
