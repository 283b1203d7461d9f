//! `#[musil::scenario(...)]`: parses the arguments, checks the factory's signature, and emits
//! the same `Scenario` builder calls a user would write, registered through inventory and
//! wrapped in a `#[test]`.

use proc_macro2::{Span, TokenStream};
use quote::{format_ident, quote, quote_spanned};
use syn::meta::ParseNestedMeta;
use syn::spanned::Spanned;
use syn::{
    Attribute, Expr, ExprLit, FnArg, Ident, ItemFn, Lit, LitInt, Path, RangeLimits, ReturnType,
    Type, Visibility,
};

const KNOWN: &str = "seeds, network, faults, storage, nemesis, nemesis_until, goal, \
                     converge_within, converge_within_time, invariants, max_steps, should_fail, \
                     model, abstraction, trace_hide, buggify, sometimes, history";
const KINDS: [&str; 8] = [
    "invariant",
    "goal",
    "liveness",
    "refinement",
    "panic",
    "coverage",
    "linearizability",
    "any",
];

/// The parsed arguments of one `#[musil::scenario(...)]`.
#[derive(Default)]
struct Args {
    seeds: Option<TokenStream>,
    network: Option<Expr>,
    faults: Option<Expr>,
    storage: Option<Expr>,
    history: Option<Expr>,
    nemesis: Option<Expr>,
    nemesis_until: Option<(LitInt, Span)>,
    hide_timers: bool,
    buggify: bool,
    goal: Option<Path>,
    converge_within: Option<(LitInt, Span)>,
    converge_within_time: Option<(LitInt, Span)>,
    invariants: Vec<Path>,
    sometimes: Vec<Path>,
    max_steps: Option<LitInt>,
    should_fail: Option<Ident>,
    model: Option<(Expr, Span)>,
    abstraction: Option<(Path, Span)>,
    seen: Vec<String>,
}

impl Args {
    fn parse_one(&mut self, meta: ParseNestedMeta<'_>) -> syn::Result<()> {
        let Some(key) = meta.path.get_ident().map(Ident::to_string) else {
            return Err(meta.error(format!(
                "unknown scenario argument; the arguments are: {KNOWN}"
            )));
        };
        if self.seen.contains(&key) {
            return Err(meta.error(format!("`{key}` is given twice")));
        }
        let span = meta.path.span();
        match key.as_str() {
            "seeds" => self.seeds = Some(seeds(&meta.value()?.parse::<Expr>()?)?),
            "network" => self.network = Some(meta.value()?.parse()?),
            "faults" => self.faults = Some(meta.value()?.parse()?),
            "storage" => self.storage = Some(meta.value()?.parse()?),
            "history" => self.history = Some(meta.value()?.parse()?),
            "nemesis" => self.nemesis = Some(meta.value()?.parse()?),
            "trace_hide" => self.hide_timers = hidden(meta.value()?.parse()?)?,
            "buggify" => self.buggify = flag(&meta)?,
            "nemesis_until" => {
                self.nemesis_until = Some((count(&meta.value()?.parse()?, "nemesis_until")?, span))
            }
            "goal" => self.goal = Some(function_path(meta.value()?.parse()?, "goal")?),
            "converge_within_time" => {
                self.converge_within_time = Some((
                    count(&meta.value()?.parse()?, "converge_within_time")?,
                    span,
                ))
            }
            "converge_within" => {
                self.converge_within =
                    Some((count(&meta.value()?.parse()?, "converge_within")?, span))
            }
            "invariants" => self.invariants = invariant_list(meta.value()?.parse()?)?,
            "sometimes" => self.sometimes = invariant_list(meta.value()?.parse()?)?,
            "max_steps" => self.max_steps = Some(count(&meta.value()?.parse()?, "max_steps")?),
            "should_fail" => self.should_fail = Some(failure_kind(meta.value()?.parse()?)?),
            "model" => self.model = Some((meta.value()?.parse()?, span)),
            "abstraction" => {
                self.abstraction =
                    Some((function_path(meta.value()?.parse()?, "abstraction")?, span))
            }
            other => {
                return Err(meta.error(format!(
                    "unknown scenario argument `{other}`; the arguments are: {KNOWN}"
                )));
            }
        }
        self.seen.push(key);
        Ok(())
    }

    /// The builder calls these arguments stand for, after `.seeds(..)`.
    fn builder_calls(&self) -> syn::Result<Vec<TokenStream>> {
        let mut calls = Vec::new();
        if let Some(network) = &self.network {
            calls.push(quote_spanned!(network.span()=> .network(#network)));
        }
        if let Some(faults) = &self.faults {
            match is_swarm(faults) {
                true => calls.push(quote_spanned!(faults.span()=> .swarm(#faults))),
                false => calls.push(quote_spanned!(faults.span()=> .faults(#faults))),
            }
        }
        if let Some(storage) = &self.storage {
            calls.push(quote_spanned!(storage.span()=> .storage(#storage)));
        }
        if let Some(history) = &self.history {
            calls.push(quote_spanned!(history.span()=> .history(#history)));
        }
        calls.extend(self.nemesis_calls()?);
        if self.hide_timers {
            calls.push(quote!(.hide_timers()));
        }
        if self.buggify {
            calls.push(quote!(.buggify()));
        }
        for invariant in &self.invariants {
            let name = last_segment(invariant);
            calls.push(quote_spanned!(invariant.span()=> .invariant(#name, #invariant)));
        }
        for site in &self.sometimes {
            let name = last_segment(site);
            calls.push(quote_spanned!(site.span()=> .sometimes(#name, #site)));
        }
        if let Some(goal) = &self.goal {
            let name = last_segment(goal);
            calls.push(quote_spanned!(goal.span()=> .goal(#name, #goal)));
        }
        calls.extend(self.converge_call()?);
        if let Some(steps) = &self.max_steps {
            calls.push(quote!(.max_steps(#steps)));
        }
        calls.extend(self.refinement_call()?);
        calls.extend(self.should_fail_call());
        Ok(calls)
    }

    /// `.nemesis(f)` and `.nemesis_until(t)`, which needs a nemesis.
    fn nemesis_calls(&self) -> syn::Result<Vec<TokenStream>> {
        let mut calls = Vec::new();
        if let Some(nemesis) = &self.nemesis {
            calls.push(quote_spanned!(nemesis.span()=> .nemesis(#nemesis)));
        }
        match (&self.nemesis_until, &self.nemesis) {
            (Some((until, _)), Some(_)) => calls.push(quote!(.nemesis_until(#until))),
            (Some((_, span)), None) => {
                return Err(syn::Error::new(
                    *span,
                    "`nemesis_until` says when the nemesis stops: add `nemesis = ...`",
                ));
            }
            (None, _) => {}
        }
        Ok(calls)
    }

    /// `.converge_within(n)` or `.converge_within_time(t)`, which need a goal (and exclude each
    /// other).
    fn converge_call(&self) -> syn::Result<Option<TokenStream>> {
        let (call, bound, span) = match (&self.converge_within, &self.converge_within_time) {
            (None, None) => return Ok(None),
            (Some(_), Some((_, span))) => {
                return Err(syn::Error::new(
                    *span,
                    "`converge_within` bounds steps, `converge_within_time` time: give one",
                ));
            }
            (Some((steps, span)), None) => (quote!(converge_within), steps, span),
            (None, Some((time, span))) => (quote!(converge_within_time), time, span),
        };
        if self.goal.is_none() {
            return Err(syn::Error::new(
                *span,
                "`converge_within` bounds the steps until the goal holds: add `goal = ...`",
            ));
        }
        Ok(Some(quote!(.#call(#bound))))
    }

    /// `.refines(&model, abstraction)`: `model` and `abstraction` come together or not at all.
    fn refinement_call(&self) -> syn::Result<Option<TokenStream>> {
        match (&self.model, &self.abstraction) {
            (Some((model, _)), Some((abstraction, _))) => Ok(Some(
                quote_spanned!(model.span()=> .refines(&(#model), #abstraction)),
            )),
            (Some((_, span)), None) => Err(syn::Error::new(
                *span,
                "`model` needs `abstraction = f`, a function from the system to a model state",
            )),
            (None, Some((_, span))) => Err(syn::Error::new(
                *span,
                "`abstraction` needs `model = ...`, the model the system must refine",
            )),
            (None, None) => Ok(None),
        }
    }

    /// `.should_fail(kind)`, `any` standing for `ShouldFail::Any`.
    fn should_fail_call(&self) -> Option<TokenStream> {
        let kind = self.should_fail.as_ref()?;
        let variant = format_ident!("{}", capitalized(&kind.to_string()), span = kind.span());
        let expected = if kind == "any" {
            quote!(::musil::ShouldFail::Any)
        } else {
            quote!(::musil::FailureKind::#variant)
        };
        Some(quote!(.should_fail(#expected)))
    }
}

pub(crate) fn expand(attr: TokenStream, item: ItemFn) -> TokenStream {
    match try_expand(attr, &item) {
        Ok(tokens) => tokens,
        // Keep the user's function so that a mistake in the attribute does not cascade.
        Err(error) => {
            let error = error.into_compile_error();
            quote!(#error #[allow(dead_code)] #item)
        }
    }
}

fn try_expand(attr: TokenStream, item: &ItemFn) -> syn::Result<TokenStream> {
    let mut args = Args::default();
    let parser = syn::meta::parser(|meta| args.parse_one(meta));
    syn::parse::Parser::parse2(parser, attr)?;
    let with_rng = check_signature(item)?;
    let calls = args.builder_calls()?;

    let names = Names::of(&item.sig.ident);
    let (ignore_attrs, other_attrs): (Vec<_>, Vec<_>) =
        item.attrs.iter().partition(|a| a.path().is_ident("ignore"));
    let mut factory_fn = item.clone();
    factory_fn.sig.ident = names.factory.clone();
    factory_fn.attrs = other_attrs.into_iter().cloned().collect();
    let entry = names.entry(&args, !ignore_attrs.is_empty());
    let build = names.build_fn(with_rng, &calls);
    let test = names.test_fn(&item.vis, &ignore_attrs);

    Ok(quote! {
        #[doc(hidden)]
        #[allow(non_snake_case, dead_code)]
        #factory_fn

        #entry

        #build

        #test
    })
}

/// The names of what one scenario expands to, after the user's function `name`.
struct Names<'a> {
    /// The user's function: the scenario's and the test's name.
    name: &'a Ident,
    /// The user's function, renamed.
    factory: Ident,
    /// The function that builds the scenario.
    build: Ident,
    /// The registered `ScenarioEntry`.
    entry: Ident,
}

impl<'a> Names<'a> {
    fn of(name: &'a Ident) -> Self {
        Names {
            name,
            factory: format_ident!("__musil_factory_{}", name),
            build: format_ident!("__musil_build_{}", name),
            entry: format_ident!("__musil_scenario_{}", name),
        }
    }

    /// The `ScenarioEntry` constant, submitted to inventory.
    fn entry(&self, args: &Args, ignored: bool) -> TokenStream {
        let Names {
            name, build, entry, ..
        } = self;
        let name_text = name.to_string();
        let expects_failure = args.should_fail.is_some();
        let seeds = args
            .seeds
            .clone()
            .unwrap_or_else(|| quote!(::musil::__private::DeclaredSeeds::DEFAULT));
        quote! {
            #[doc(hidden)]
            #[allow(non_upper_case_globals)]
            const #entry: ::musil::__private::ScenarioEntry = ::musil::__private::ScenarioEntry {
                name: #name_text,
                module_path: ::core::module_path!(),
                file: ::core::file!(),
                line: ::core::line!(),
                ignore: #ignored,
                expects_failure: #expects_failure,
                seeds: #seeds,
                target: ::musil::__private::Target {
                    package: ::core::env!("CARGO_PKG_NAME"),
                    krate: ::core::env!("CARGO_CRATE_NAME"),
                    integration_test: ::core::option_env!("CARGO_TARGET_TMPDIR").is_some(),
                    manifest_dir: ::core::env!("CARGO_MANIFEST_DIR"),
                },
                build: #build,
            };

            ::musil::__private::inventory::submit! { #entry }
        }
    }

    /// The function that builds the scenario: the factory, then the builder calls.
    fn build_fn(&self, with_rng: Option<&Type>, calls: &[TokenStream]) -> TokenStream {
        let Names {
            factory,
            build,
            entry,
            ..
        } = self;
        // Coerce to the factory's fn-pointer type first, so that a wrong argument type is one
        // error pointing at the user's function rather than a trait-bound error inside the
        // expansion.
        let coerced = match with_rng {
            Some(ty) => {
                quote_spanned!(ty.span()=> let __musil_factory: fn(&mut ::musil::Rng<'_>) -> _ = #factory;)
            }
            None => quote!(let __musil_factory: fn() -> _ = #factory;),
        };
        quote! {
            #[doc(hidden)]
            #[allow(non_snake_case)]
            fn #build() -> ::musil::__private::Box<dyn ::musil::__private::ErasedScenario> {
                #coerced
                ::musil::__private::Box::new(
                    ::musil::Scenario::new(__musil_factory)
                        .name(#entry.path())
                        .seeds(#entry.seeds.to_vec())
                        #(#calls)*
                )
            }
        }
    }

    /// The `#[test]` that runs every seed, under the user's name and `#[ignore]`.
    fn test_fn(&self, vis: &Visibility, ignore_attrs: &[&Attribute]) -> TokenStream {
        let Names { name, entry, .. } = self;
        quote! {
            #[::core::prelude::v1::test]
            #(#ignore_attrs)*
            #vis fn #name() {
                ::musil::__private::run_test(&#entry)
            }
        }
    }
}

/// Checks the factory's signature; returns the `&mut Rng` parameter's type if it takes one.
fn check_signature(item: &ItemFn) -> syn::Result<Option<&Type>> {
    let sig = &item.sig;
    if let Some(token) = &sig.asyncness {
        return Err(syn::Error::new_spanned(
            token,
            "a scenario factory cannot be async: it builds the system synchronously, `fn name() -> MySystem`",
        ));
    }
    if !sig.generics.params.is_empty() || sig.generics.where_clause.is_some() {
        return Err(syn::Error::new_spanned(
            &sig.generics,
            "a scenario factory cannot be generic: write one scenario per system type",
        ));
    }
    if let Some(attr) = item.attrs.iter().find(|a| {
        a.path().is_ident("test") || a.path().segments.last().is_some_and(|s| s.ident == "test")
    }) {
        return Err(syn::Error::new_spanned(
            attr,
            "remove this test attribute: #[musil::scenario] generates the #[test] itself",
        ));
    }
    if let ReturnType::Default = sig.output {
        return Err(syn::Error::new_spanned(
            sig,
            "a scenario factory returns the system it builds: `fn name() -> MySystem`",
        ));
    }
    let mut inputs = sig.inputs.iter();
    let first = inputs.next();
    if let Some(extra) = inputs.next() {
        return Err(syn::Error::new_spanned(
            extra,
            "a scenario factory takes no argument, or one: `rng: &mut musil::Rng`",
        ));
    }
    match first {
        None => Ok(None),
        Some(FnArg::Receiver(receiver)) => Err(syn::Error::new_spanned(
            receiver,
            "a scenario factory is a free function, not a method",
        )),
        Some(FnArg::Typed(typed)) => match &*typed.ty {
            Type::Reference(reference) if reference.mutability.is_some() => Ok(Some(&*typed.ty)),
            other => Err(syn::Error::new_spanned(
                other,
                "a scenario factory's argument must be `&mut musil::Rng`, the seed's randomness",
            )),
        },
    }
}

/// `0..20`, `0..=19` or `[1, 5, 9]`, as a `DeclaredSeeds` expression.
fn seeds(expr: &Expr) -> syn::Result<TokenStream> {
    let expected =
        "seeds are a range or a list of integer literals: `seeds = 0..20`, `0..=19` or `[1, 5, 9]`";
    match expr {
        Expr::Range(range) => {
            let (Some(start), Some(end)) = (&range.start, &range.end) else {
                return Err(syn::Error::new_spanned(expr, expected));
            };
            let (first, last) = (seed_literal(start)?, seed_literal(end)?);
            let inclusive = matches!(range.limits, RangeLimits::Closed(_));
            if first > last || (!inclusive && first == last) {
                let range = if inclusive {
                    format!("{first}..={last}")
                } else {
                    format!("{first}..{last}")
                };
                return Err(syn::Error::new_spanned(
                    expr,
                    format!("the seed range {range} is empty: {expected}"),
                ));
            }
            Ok(if inclusive {
                quote!(::musil::__private::DeclaredSeeds::Inclusive(#first, #last))
            } else {
                quote!(::musil::__private::DeclaredSeeds::Range(#first, #last))
            })
        }
        Expr::Array(array) => {
            let mut seeds = Vec::new();
            for element in &array.elems {
                let seed = seed_literal(element)?;
                if seeds.contains(&seed) {
                    return Err(syn::Error::new_spanned(
                        element,
                        format!("seed {seed} is listed twice"),
                    ));
                }
                seeds.push(seed);
            }
            if seeds.is_empty() {
                return Err(syn::Error::new_spanned(
                    expr,
                    format!("the seed list is empty: {expected}"),
                ));
            }
            Ok(quote!(::musil::__private::DeclaredSeeds::List(&[#(#seeds),*])))
        }
        _ => Err(syn::Error::new_spanned(expr, expected)),
    }
}

fn seed_literal(expr: &Expr) -> syn::Result<u64> {
    match expr {
        Expr::Lit(ExprLit {
            lit: Lit::Int(int), ..
        }) => int.base10_parse::<u64>(),
        other => Err(syn::Error::new_spanned(
            other,
            "a seed must be an integer literal (seeds are fixed at compile time; use MUSIL_SEEDS to change them at run time)",
        )),
    }
}

/// A positive integer literal.
/// A flag: `buggify` alone, or `buggify = true | false`.
fn flag(meta: &ParseNestedMeta<'_>) -> syn::Result<bool> {
    if meta.input.peek(syn::Token![=]) {
        let value: syn::LitBool = meta.value()?.parse()?;
        return Ok(value.value);
    }
    Ok(true)
}

/// `trace_hide = timers`: the one thing a text trace can hide.
fn hidden(expr: Expr) -> syn::Result<bool> {
    match &expr {
        Expr::Path(path) if path.path.is_ident("timers") => Ok(true),
        _ => Err(syn::Error::new_spanned(
            expr,
            "`trace_hide` hides `timers` from the text trace: `trace_hide = timers`",
        )),
    }
}

fn count(expr: &Expr, what: &str) -> syn::Result<LitInt> {
    match expr {
        Expr::Lit(ExprLit {
            lit: Lit::Int(int), ..
        }) if int.base10_parse::<u64>()? > 0 => Ok(int.clone()),
        other => Err(syn::Error::new_spanned(
            other,
            format!("`{what}` is a positive integer literal, e.g. `{what} = 100`"),
        )),
    }
}

fn function_path(expr: Expr, what: &str) -> syn::Result<Path> {
    match expr {
        Expr::Path(path) => Ok(path.path),
        other => Err(syn::Error::new_spanned(
            other,
            format!("`{what}` names a function `fn(&MySystem) -> bool`, e.g. `{what} = all_acked`"),
        )),
    }
}

fn invariant_list(expr: Expr) -> syn::Result<Vec<Path>> {
    let expected =
        "`invariants` is a list of functions, e.g. `invariants = [no_double_spend, single_leader]`";
    let Expr::Array(array) = expr else {
        return Err(syn::Error::new_spanned(expr, expected));
    };
    array
        .elems
        .into_iter()
        .map(|element| function_path(element, "invariants"))
        .collect()
}

fn failure_kind(expr: Expr) -> syn::Result<Ident> {
    let expected = format!("`should_fail` is one of: {}", KINDS.join(", "));
    match &expr {
        Expr::Path(path) => match path.path.get_ident() {
            Some(ident) if KINDS.contains(&ident.to_string().as_str()) => Ok(ident.clone()),
            _ => Err(syn::Error::new_spanned(expr, expected)),
        },
        _ => Err(syn::Error::new_spanned(expr, expected)),
    }
}

/// Whether a `faults = …` expression builds a swarm: its leftmost call is `swarm(…)` (or
/// `Swarm::new()`, `Swarm::default()`), possibly followed by method calls (`swarm().crashes(1)`).
fn is_swarm(expr: &Expr) -> bool {
    match expr {
        Expr::MethodCall(call) => is_swarm(&call.receiver),
        Expr::Paren(inner) => is_swarm(&inner.expr),
        Expr::Group(inner) => is_swarm(&inner.expr),
        Expr::Call(call) => match &*call.func {
            Expr::Path(path) => {
                let segments: Vec<String> = path
                    .path
                    .segments
                    .iter()
                    .map(|s| s.ident.to_string())
                    .collect();
                match segments.as_slice() {
                    [.., last] if last == "swarm" => true,
                    [.., ty, f] => ty == "Swarm" && (f == "new" || f == "default"),
                    _ => false,
                }
            }
            _ => false,
        },
        _ => false,
    }
}

fn last_segment(path: &Path) -> String {
    path.segments
        .last()
        .map(|s| s.ident.to_string())
        .unwrap_or_default()
}

fn capitalized(word: &str) -> String {
    let mut chars = word.chars();
    chars
        .next()
        .map(|c| c.to_uppercase().chain(chars).collect())
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::is_swarm;

    #[test]
    fn a_swarm_is_told_by_its_leftmost_call() {
        let swarm = |text: &str| is_swarm(&syn::parse_str(text).expect("an expression"));
        assert!(swarm("swarm()"));
        assert!(swarm("musil::swarm().crashes(1).storage(false)"));
        assert!(swarm("Swarm::new().loss(0.1)"));
        assert!(!swarm("FaultSchedule::new()"));
        assert!(!swarm("my_faults"));
        assert!(!swarm("schedule(3).crash(swarm())"));
    }
}
