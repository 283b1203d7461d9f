//! The layout of the code, checked: no import cycle between the files of `musil-core` (each
//! file is a module; `use crate::…`, `super::…` and inline `crate::…` paths are its imports,
//! resolved to the file that defines the module named), every source file of the crates opens
//! with a module doc that says what it is for, and no function of the crates, the examples or
//! the tests is 60 lines long or longer.
//!
//! `cargo test --test layout` is the command to run; a cycle is reported as the files on it.

use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};

/// The crates' source folders, relative to the repository.
const SOURCES: [&str; 4] = [
    "musil-core/src",
    "musil-macros/src",
    "musil-test/src",
    "src",
];

/// Every folder of Rust code the workspace builds and tests.
const ALL_CODE: [&str; 6] = [
    "musil-core/src",
    "musil-macros/src",
    "musil-test/src",
    "src",
    "examples",
    "tests",
];

/// How long a function may be, from its `fn` line to its closing brace, both counted.
const LONGEST_FUNCTION: usize = 60;

fn repository() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// Every `.rs` file below `dir`, sorted.
fn rust_files(dir: &Path) -> Vec<PathBuf> {
    let mut files = Vec::new();
    let mut entries: Vec<PathBuf> = fs::read_dir(dir)
        .expect("a source folder")
        .map(|entry| entry.expect("an entry").path())
        .collect();
    entries.sort();
    for path in entries {
        if path.is_dir() {
            files.extend(rust_files(&path));
        } else if path.extension().is_some_and(|e| e == "rs") {
            files.push(path);
        }
    }
    files
}

/// The module path of a file below `src`: `sim/engine.rs` is `["sim", "engine"]`,
/// `sim/mod.rs` is `["sim"]`, `lib.rs` is `[]`.
fn module_of(src: &Path, file: &Path) -> Vec<String> {
    let relative = file.strip_prefix(src).expect("below src");
    let mut parts: Vec<String> = relative
        .iter()
        .map(|part| part.to_string_lossy().trim_end_matches(".rs").to_string())
        .collect();
    if matches!(parts.last().map(String::as_str), Some("mod" | "lib")) {
        parts.pop();
    }
    parts
}

/// The code of a file without its comments (doc links name paths that are not imports) and
/// without its unit tests (a `#[cfg(test)]` module at the end: not part of the layout).
fn code_of(text: &str) -> String {
    let product = text.split("#[cfg(test)]").next().unwrap_or(text);
    let lines = product.lines().map(|line| match line.find("//") {
        Some(at) => &line[..at],
        None => line,
    });
    lines.collect::<Vec<_>>().join("\n")
}

/// Every path the code names from the crate root, from a parent or from itself: `use` trees
/// expanded, and the paths written inline in the code.
fn named_paths(code: &str) -> Vec<Vec<String>> {
    let mut paths = Vec::new();
    for statement in code.split(';') {
        let statement = statement.trim();
        let tree = ["use ", "pub use ", "pub(crate) use "]
            .iter()
            .find_map(|lead| statement.strip_prefix(lead));
        match tree {
            Some(tree) => expand_tree(&tree.replace(char::is_whitespace, ""), &mut paths),
            None => paths.extend(inline_paths(statement)),
        }
    }
    paths.retain(|path| path.len() > 1);
    paths
}

/// The paths written in code (not in a `use`): every `a::b…` that does not continue another.
fn inline_paths(code: &str) -> Vec<Vec<String>> {
    let mut paths = Vec::new();
    for (at, _) in code.match_indices("::") {
        let start = code[..at]
            .rfind(|c: char| !(c.is_alphanumeric() || c == '_'))
            .map_or(0, |i| i + 1);
        let continues = code[..start].ends_with(':');
        if start < at && !continues {
            paths.push(segments(&code[start..]));
        }
    }
    paths
}

/// The `::`-separated identifiers at the start of `text`.
fn segments(text: &str) -> Vec<String> {
    let end = text
        .find(|c: char| !(c.is_alphanumeric() || c == '_' || c == ':'))
        .unwrap_or(text.len());
    text[..end]
        .split("::")
        .filter(|s| !s.is_empty())
        .map(String::from)
        .collect()
}

/// Expands `a::{b, c::{d, e}}` into `a::b`, `a::c::d`, `a::c::e`.
fn expand_tree(tree: &str, out: &mut Vec<Vec<String>>) {
    let Some(open) = tree.find('{') else {
        out.push(segments(tree));
        return;
    };
    let prefix = &tree[..open];
    let inner = &tree[open + 1..tree.rfind('}').unwrap_or(tree.len())];
    let mut depth = 0;
    let mut start = 0;
    for (at, c) in inner.char_indices() {
        match c {
            '{' => depth += 1,
            '}' => depth -= 1,
            ',' if depth == 0 => {
                expand_tree(&format!("{prefix}{}", &inner[start..at]), out);
                start = at + 1;
            }
            _ => {}
        }
    }
    if start < inner.len() {
        expand_tree(&format!("{prefix}{}", &inner[start..]), out);
    }
}

/// The file a path written in the module `me` names: the deepest module file its segments
/// reach (`super` is the parent of `me`, `self` is `me`, `crate` the root, and a bare first
/// segment a child of `me`), or `None` for a path outside the crate (`std::…`, another crate, a
/// type's associated item).
fn resolve(
    modules: &BTreeMap<Vec<String>, PathBuf>,
    me: &[String],
    path: &[String],
) -> Option<PathBuf> {
    let child = |name: &String| modules.contains_key(&[me, std::slice::from_ref(name)].concat());
    let (mut absolute, mut rest) = match path[0].as_str() {
        "crate" => (Vec::new(), &path[1..]),
        "self" => (me.to_vec(), &path[1..]),
        "super" => (me.to_vec(), path),
        _ if child(&path[0]) => (me.to_vec(), path),
        _ => return None,
    };
    while rest.first().map(String::as_str) == Some("super") {
        absolute.pop();
        rest = &rest[1..];
    }
    let mut best = modules[&absolute].clone();
    for segment in rest {
        absolute.push(segment.clone());
        match modules.get(&absolute) {
            Some(file) => best = file.clone(),
            None => break,
        }
    }
    Some(best)
}

/// The import graph of the files of `src`: each file and the files it imports from.
fn import_graph(src: &Path) -> BTreeMap<PathBuf, Vec<PathBuf>> {
    let files = rust_files(src);
    let modules: BTreeMap<Vec<String>, PathBuf> = files
        .iter()
        .map(|file| (module_of(src, file), file.clone()))
        .collect();
    let mut graph = BTreeMap::new();
    for file in &files {
        let code = code_of(&fs::read_to_string(file).expect("a readable file"));
        let me = module_of(src, file);
        let mut targets: Vec<PathBuf> = named_paths(&code)
            .iter()
            .filter_map(|path| resolve(&modules, &me, path))
            .filter(|target| target != file)
            .collect();
        targets.sort();
        targets.dedup();
        graph.insert(file.clone(), targets);
    }
    graph
}

/// A cycle in `graph`, as the files on it, if there is one.
fn find_cycle(graph: &BTreeMap<PathBuf, Vec<PathBuf>>) -> Option<Vec<PathBuf>> {
    // 0: not seen, 1: on the current path, 2: done.
    let mut state: BTreeMap<&PathBuf, u8> = BTreeMap::new();
    let mut path: Vec<&PathBuf> = Vec::new();
    fn visit<'g>(
        node: &'g PathBuf,
        graph: &'g BTreeMap<PathBuf, Vec<PathBuf>>,
        state: &mut BTreeMap<&'g PathBuf, u8>,
        path: &mut Vec<&'g PathBuf>,
    ) -> Option<Vec<PathBuf>> {
        state.insert(node, 1);
        path.push(node);
        for next in graph.get(node).into_iter().flatten() {
            match state.get(next).copied().unwrap_or(0) {
                1 => {
                    let start = path.iter().position(|p| *p == next).unwrap_or(0);
                    return Some(path[start..].iter().map(|p| (*p).clone()).collect());
                }
                0 => {
                    if let Some(cycle) = visit(next, graph, state, path) {
                        return Some(cycle);
                    }
                }
                _ => {}
            }
        }
        path.pop();
        state.insert(node, 2);
        None
    }
    for node in graph.keys() {
        if state.get(node).copied().unwrap_or(0) == 0
            && let Some(cycle) = visit(node, graph, &mut state, &mut path)
        {
            return Some(cycle);
        }
    }
    None
}

#[test]
fn musil_core_has_no_import_cycle() {
    let src = repository().join("musil-core/src");
    let graph = import_graph(&src);
    assert!(graph.len() > 30, "the files were found: {}", graph.len());
    if let Some(cycle) = find_cycle(&graph) {
        let names: Vec<String> = cycle
            .iter()
            .map(|file| {
                file.strip_prefix(&src)
                    .unwrap_or(file)
                    .display()
                    .to_string()
            })
            .collect();
        panic!("an import cycle: {}", names.join(" → "));
    }
}

#[test]
fn the_checker_of_cycles_finds_one() {
    let (a, b, c) = (PathBuf::from("a"), PathBuf::from("b"), PathBuf::from("c"));
    let mut graph = BTreeMap::new();
    graph.insert(a.clone(), vec![b.clone()]);
    graph.insert(b.clone(), vec![c.clone()]);
    graph.insert(c.clone(), vec![]);
    assert_eq!(find_cycle(&graph), None);
    graph.insert(c.clone(), vec![a.clone()]);
    assert_eq!(find_cycle(&graph), Some(vec![a, b, c]));
}

#[test]
fn use_trees_and_inline_paths_are_found() {
    let code = "use crate::sim::{engine::Engine, context::{Context, EngineHandle}};\n\
                use super::report::SimReport; // crate::not::this\n\
                fn f() { crate::panics::guarded(|| super::execute::run()); execute::go(); }";
    let paths: Vec<String> = named_paths(&code_of(code))
        .iter()
        .map(|path| path.join("::"))
        .collect();
    let expected = [
        "crate::sim::engine::Engine",
        "crate::sim::context::Context",
        "crate::sim::context::EngineHandle",
        "super::report::SimReport",
        "crate::panics::guarded",
        "super::execute::run",
        "execute::go",
    ];
    assert_eq!(paths, expected);
}

/// `a/b` as a module path.
fn module(path: &str) -> Vec<String> {
    let parts = path.split('/').filter(|s| !s.is_empty());
    parts.map(String::from).collect()
}

#[test]
fn paths_resolve_to_the_files_that_define_them() {
    let modules: BTreeMap<Vec<String>, PathBuf> = [
        ("", "lib.rs"),
        ("scenario", "scenario/mod.rs"),
        ("scenario/report", "scenario/report.rs"),
        ("sim", "sim/mod.rs"),
        ("sim/context", "sim/context.rs"),
    ]
    .into_iter()
    .map(|(m, f)| (module(m), PathBuf::from(f)))
    .collect();
    let resolved = |from: &str, path: &str| {
        let path = module(&path.replace("::", "/"));
        resolve(&modules, &module(from), &path)
    };
    let file = |path: &str| Some(PathBuf::from(path));
    let execute = "scenario/execute";
    let cases = [
        (
            execute,
            "super::report::SimReport",
            file("scenario/report.rs"),
        ),
        (execute, "super::Scenario", file("scenario/mod.rs")),
        (
            execute,
            "crate::sim::context::Context",
            file("sim/context.rs"),
        ),
        (execute, "crate::sim::Simulation", file("sim/mod.rs")),
        ("scenario", "report::SimReport", file("scenario/report.rs")),
        ("scenario", "std::env::var", None),
        ("scenario", "Vec::new", None),
    ];
    for (from, path, expected) in cases {
        assert_eq!(resolved(from, path), expected, "{path} from {from}");
    }
}

#[test]
fn every_source_file_opens_with_a_module_doc() {
    for folder in SOURCES {
        for file in rust_files(&repository().join(folder)) {
            let text = fs::read_to_string(&file).expect("a readable file");
            assert!(
                text.starts_with("//!"),
                "{} has no module doc saying what it is for",
                file.display()
            );
        }
    }
}

/// The functions of `text` as `(name, first line, lines)`: from a `fn` line to the brace that
/// closes it at the same indent (the code is rustfmt-formatted); declarations without a body
/// and one-line functions are skipped.
fn functions(text: &str) -> Vec<(String, usize, usize)> {
    let lines: Vec<&str> = text.lines().collect();
    let mut found = Vec::new();
    for (at, line) in lines.iter().enumerate() {
        let trimmed = line.trim_start();
        let signature = [
            "pub fn ",
            "pub(crate) fn ",
            "pub(super) fn ",
            "fn ",
            "const fn ",
        ]
        .iter()
        .find_map(|lead| trimmed.strip_prefix(lead));
        let Some(rest) = signature else { continue };
        let indent = &line[..line.len() - trimmed.len()];
        let opens = lines[at..].iter().position(|l| {
            let l = l.trim_end();
            l.ends_with('{') || l.ends_with(';') || l.ends_with('}')
        });
        let Some(opens) = opens.map(|offset| at + offset) else {
            continue;
        };
        if !lines[opens].trim_end().ends_with('{') {
            continue;
        }
        let closing = format!("{indent}}}");
        if let Some(offset) = lines[opens + 1..].iter().position(|l| *l == closing) {
            let name = rest
                .split(|c: char| !(c.is_alphanumeric() || c == '_'))
                .next();
            let length = opens + 1 + offset - at + 1;
            found.push((name.unwrap_or("?").to_string(), at + 1, length));
        }
    }
    found
}

#[test]
fn no_function_is_60_lines_or_longer() {
    let mut long = Vec::new();
    for folder in ALL_CODE {
        for file in rust_files(&repository().join(folder)) {
            let text = fs::read_to_string(&file).expect("a readable file");
            for (name, line, length) in functions(&text) {
                if length >= LONGEST_FUNCTION {
                    let place = file.strip_prefix(repository()).unwrap_or(&file).display();
                    long.push(format!("{place}:{line} `{name}`: {length} lines"));
                }
            }
        }
    }
    assert!(
        long.is_empty(),
        "split these functions:\n{}",
        long.join("\n")
    );
}

#[test]
fn function_lengths_are_measured_from_fn_to_its_closing_brace() {
    let code = "fn short() {}\n\
                pub fn three(\n    a: u8,\n) -> u8 {\n    a\n}\n\
                trait T {\n    fn declared(&self);\n    fn body(&self) {\n        let _ = 1;\n    }\n}\n";
    let found: Vec<(String, usize, usize)> = functions(code);
    let expected = [("three".to_string(), 2, 5), ("body".to_string(), 9, 3)];
    assert_eq!(found, expected);
}
