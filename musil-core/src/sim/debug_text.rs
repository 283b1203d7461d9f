//! Reading a world's pretty `Debug` (`{:#?}`) for people: blocks short enough collapsed onto one
//! line, the world a node a line, and the lines that changed from one snapshot to the next, each
//! with the path of fields it sits in (`client.accepted: Some(42)`).

/// Blocks whose one-line form is at most this long are shown on one line.
const ONE_LINE: usize = 72;

/// One line of a pretty `Debug`, with the block it opens (if it ends with `{`, `[` or `(`).
#[derive(Clone, Debug)]
struct Entry {
    text: String,
    children: Vec<Entry>,
    closer: Option<String>,
}

/// Parses pretty `Debug` lines into entries by indentation.
fn parse(lines: &[&str]) -> Vec<Entry> {
    let mut entries = Vec::new();
    let mut index = 0;
    while index < lines.len() {
        let (entry, next) = parse_one(lines, index);
        entries.push(entry);
        index = next;
    }
    entries
}

fn indent(line: &str) -> usize {
    line.len() - line.trim_start().len()
}

/// The entry starting at `lines[start]`, and the index after it.
fn parse_one(lines: &[&str], start: usize) -> (Entry, usize) {
    let line = lines[start];
    let text = line.trim().to_string();
    if !text.ends_with(['{', '[', '(']) {
        return (entry(text), start + 1);
    }
    let level = indent(line);
    let end = (start + 1..lines.len())
        .find(|&i| indent(lines[i]) == level && lines[i].trim().starts_with(['}', ']', ')']))
        .unwrap_or(lines.len());
    let children = parse(&lines[start + 1..end]);
    let closer = lines.get(end).map(|l| l.trim().to_string());
    let entry = Entry {
        text,
        children,
        closer,
    };
    (entry, end + 1)
}

fn entry(text: String) -> Entry {
    Entry {
        text,
        children: Vec::new(),
        closer: None,
    }
}

/// The entry on one line: `Name { a: 1, b: 2 }`, `Some(3)`, `[1, 2]`, with its trailing comma.
fn one_line(entry: &Entry) -> String {
    let Some(closer) = &entry.closer else {
        return entry.text.clone();
    };
    let inner: Vec<String> = entry
        .children
        .iter()
        .map(|child| one_line(child).trim_end_matches(',').to_string())
        .collect();
    let joined = inner.join(", ");
    if entry.text.ends_with('{') {
        format!("{} {joined} {closer}", entry.text)
    } else {
        format!("{}{joined}{closer}", entry.text)
    }
}

/// The entries as lines, a block collapsed when its one-line form is short, each line with the
/// path of the fields that enclose it.
fn flatten(entries: &[Entry], path: &[String], out: &mut Vec<String>) {
    for entry in entries {
        let line = one_line(entry);
        if entry.closer.is_none() || line.len() <= ONE_LINE {
            out.push(with_path(path, line.trim_end_matches(',')));
            continue;
        }
        out.push(with_path(path, &entry.text));
        let mut inner = path.to_vec();
        inner.push(field_name(&entry.text));
        flatten(&entry.children, &inner, out);
    }
}

/// `a.b.line`, or the line alone at the top.
fn with_path(path: &[String], line: &str) -> String {
    let named: Vec<&str> = path
        .iter()
        .map(String::as_str)
        .filter(|p| !p.is_empty())
        .collect();
    if named.is_empty() {
        line.to_string()
    } else {
        format!("{}.{line}", named.join("."))
    }
}

/// The field a block is the value of (`client` in `client: Client {`), empty for an element.
fn field_name(opening: &str) -> String {
    match opening.split_once(": ") {
        Some((field, _)) => field.to_string(),
        None => String::new(),
    }
}

/// The world's pretty `Debug` as readable lines: short blocks on one line.
pub(crate) fn readable_lines(pretty: &str) -> Vec<String> {
    let lines: Vec<&str> = pretty.lines().collect();
    let mut out = Vec::new();
    for top in parse(&lines) {
        // The world itself: its fields, not its name, carry the paths.
        flatten(&top.children, &[], &mut out);
    }
    out
}

/// The world a node a line: each field of the world on one line, each element of a list field
/// (`#[nodes]`) on its own line, as `name[i]: value`.
pub fn one_node_a_line(pretty: &str) -> Vec<String> {
    let lines: Vec<&str> = pretty.lines().collect();
    let mut out = Vec::new();
    for top in parse(&lines) {
        if top.closer.is_none() {
            out.push(top.text.clone());
            continue;
        }
        for field in &top.children {
            let name = field_name(&field.text);
            if field.text.ends_with('[') {
                for (i, element) in field.children.iter().enumerate() {
                    out.push(format!(
                        "{name}[{i}]: {}",
                        one_line(element).trim_end_matches(',')
                    ));
                }
            } else {
                out.push(one_line(field).trim_end_matches(',').to_string());
            }
        }
    }
    out
}

/// The readable lines of `after` that are not in `before` at the same place: what is left
/// between the two texts' common first and last lines.
pub(crate) fn changed_lines(before: &str, after: &str) -> Vec<String> {
    let old = readable_lines(before);
    let new = readable_lines(after);
    let prefix = old.iter().zip(&new).take_while(|(a, b)| a == b).count();
    let room = old.len().min(new.len()) - prefix;
    let suffix = old
        .iter()
        .rev()
        .zip(new.iter().rev())
        .take(room)
        .take_while(|(a, b)| a == b)
        .count();
    // A block's opening line says nothing its lines (which carry its path) do not.
    new[prefix..new.len() - suffix]
        .iter()
        .filter(|line| !line.ends_with(['{', '[', '(']))
        .cloned()
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[allow(dead_code)] // read through Debug only
    #[derive(Debug)]
    struct Client {
        accepted: Option<i64>,
        log: Vec<u8>,
    }

    #[allow(dead_code)] // read through Debug only
    #[derive(Debug)]
    struct World {
        client: Client,
        replicas: Vec<Client>,
    }

    fn world(accepted: Option<i64>) -> String {
        let client = |accepted| Client {
            accepted,
            log: vec![1, 2],
        };
        format!(
            "{:#?}",
            World {
                client: client(accepted),
                replicas: vec![client(None), client(Some(7))],
            }
        )
    }

    #[test]
    fn a_change_reads_as_its_path_and_new_value() {
        assert_eq!(
            changed_lines(&world(None), &world(Some(-1))),
            ["client: Client { accepted: Some(-1), log: [1, 2] }"]
        );
    }

    #[test]
    fn the_world_reads_a_node_a_line() {
        assert_eq!(
            one_node_a_line(&world(Some(3))),
            [
                "client: Client { accepted: Some(3), log: [1, 2] }",
                "replicas[0]: Client { accepted: None, log: [1, 2] }",
                "replicas[1]: Client { accepted: Some(7), log: [1, 2] }",
            ]
        );
    }
}
