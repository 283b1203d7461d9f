//! A history as text, one event a line, in the manner of Jepsen's and Porcupine's logs, so a
//! history can be saved, read back, and checked by another tool:
//!
//! ```text
//! # musil-history v1 kv
//! invoke 0 3 put 7 42
//! invoke 1 4 get 7
//! ok 0 6 ok
//! ok 1 9 42
//! invoke 2 10 get 7
//! info 2 15
//! ```
//!
//! `invoke <client> <time> <op>` starts an operation; `ok <client> <time> <ret>`, `fail <client>
//! <time>` and `info <client> <time>` end that client's open one (completed; certainly not done;
//! unknown). A client has at most one open operation; one never ended is pending, as after
//! `info`. Register operations are `read` and `write <v>`, key-value ones `get <k>`,
//! `put <k> <v>` and `delete <k>`; returns are `ok`, a value, or `nil`. Values are `i64`, keys
//! `u64`. Blank lines and lines after `#` are ignored, but the first line names the format.

use std::collections::BTreeMap;
use std::fmt;

use super::record::{History, OpId, Outcome};
use super::spec::{KvOp, KvRet, KvSpec, Register, RegisterOp, RegisterRet, SequentialSpec};

/// A spec whose histories have a text form.
pub trait LogSpec: SequentialSpec {
    /// The name in the first line: `register`, `kv`.
    const NAME: &'static str;
    /// An operation's words.
    fn op_text(op: &Self::Op) -> String;
    /// An operation from its words.
    fn parse_op(words: &[&str]) -> Option<Self::Op>;
    /// A return's word.
    fn ret_text(ret: &Self::Ret) -> String;
    /// A return from its word, for the operation it ends.
    fn parse_ret(word: &str, op: &Self::Op) -> Option<Self::Ret>;
}

/// A line of a history log that cannot be read: its number (from 1) and why.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LogError {
    /// The line's number, from 1.
    pub line: usize,
    /// What is wrong with it.
    pub problem: String,
}

impl fmt::Display for LogError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "history log, line {}: {}", self.line, self.problem)
    }
}

impl std::error::Error for LogError {}

fn value_text(value: Option<&i64>) -> String {
    value.map_or_else(|| "nil".to_string(), i64::to_string)
}

fn parse_value(word: &str) -> Option<Option<i64>> {
    match word {
        "nil" => Some(None),
        number => number.parse().ok().map(Some),
    }
}

impl LogSpec for Register<i64> {
    const NAME: &'static str = "register";

    fn op_text(op: &RegisterOp<i64>) -> String {
        match op {
            RegisterOp::Read => "read".into(),
            RegisterOp::Write(v) => format!("write {v}"),
        }
    }

    fn parse_op(words: &[&str]) -> Option<RegisterOp<i64>> {
        match words {
            ["read"] => Some(RegisterOp::Read),
            ["write", v] => v.parse().ok().map(RegisterOp::Write),
            _ => None,
        }
    }

    fn ret_text(ret: &RegisterRet<i64>) -> String {
        match ret {
            RegisterRet::Ok => "ok".into(),
            RegisterRet::Value(v) => value_text(v.as_ref()),
        }
    }

    fn parse_ret(word: &str, op: &RegisterOp<i64>) -> Option<RegisterRet<i64>> {
        match op {
            RegisterOp::Write(_) => (word == "ok").then_some(RegisterRet::Ok),
            RegisterOp::Read => parse_value(word).map(RegisterRet::Value),
        }
    }
}

impl LogSpec for KvSpec<u64, i64> {
    const NAME: &'static str = "kv";

    fn op_text(op: &KvOp<u64, i64>) -> String {
        match op {
            KvOp::Get(k) => format!("get {k}"),
            KvOp::Put(k, v) => format!("put {k} {v}"),
            KvOp::Delete(k) => format!("delete {k}"),
        }
    }

    fn parse_op(words: &[&str]) -> Option<KvOp<u64, i64>> {
        match words {
            ["get", k] => k.parse().ok().map(KvOp::Get),
            ["put", k, v] => Some(KvOp::Put(k.parse().ok()?, v.parse().ok()?)),
            ["delete", k] => k.parse().ok().map(KvOp::Delete),
            _ => None,
        }
    }

    fn ret_text(ret: &KvRet<i64>) -> String {
        match ret {
            KvRet::Ok => "ok".into(),
            KvRet::Value(v) => value_text(v.as_ref()),
        }
    }

    fn parse_ret(word: &str, op: &KvOp<u64, i64>) -> Option<KvRet<i64>> {
        match op {
            KvOp::Put(..) | KvOp::Delete(_) => (word == "ok").then_some(KvRet::Ok),
            KvOp::Get(_) => parse_value(word).map(KvRet::Value),
        }
    }
}

/// The history as a log (events in time order; at one instant, returns before invocations, so
/// the log reads back as the same history). Each operation must have a client with no other
/// operation open at its invocation.
pub fn write_log<S: LogSpec>(history: &History<S::Op, S::Ret>) -> String {
    let mut events: Vec<(u64, u8, usize, String)> = Vec::new();
    for (index, operation) in history.operations().iter().enumerate() {
        let client = operation.client;
        let op = S::op_text(&operation.op);
        events.push((
            operation.invoked,
            1,
            index,
            format!("invoke {client} {} {op}", operation.invoked),
        ));
        let end = match &operation.outcome {
            Outcome::Ok { at, ret } => {
                Some((*at, format!("ok {client} {at} {}", S::ret_text(ret))))
            }
            Outcome::Failed => Some((
                operation.invoked,
                format!("fail {client} {}", operation.invoked),
            )),
            Outcome::Pending => None,
        };
        if let Some((at, line)) = end {
            events.push((at, if at == operation.invoked { 2 } else { 0 }, index, line));
        }
    }
    events.sort();
    let mut text = format!("# musil-history v1 {}\n", S::NAME);
    for (_, _, _, line) in events {
        text.push_str(&line);
        text.push('\n');
    }
    text
}

/// Reads a log written for `S`.
pub fn read_log<S: LogSpec>(text: &str) -> Result<History<S::Op, S::Ret>, LogError> {
    let mut lines = text.lines().enumerate();
    let header = format!("# musil-history v1 {}", S::NAME);
    match lines.next() {
        Some((_, first)) if first.trim() == header => {}
        first => {
            let found = first.map_or("nothing", |(_, line)| line);
            return Err(LogError {
                line: 1,
                problem: format!("expected `{header}`, found `{found}`"),
            });
        }
    }
    let mut history = History::new();
    let mut open: BTreeMap<usize, OpId> = BTreeMap::new();
    for (at, line) in lines {
        let line = line.split('#').next().unwrap_or("").trim();
        if line.is_empty() {
            continue;
        }
        read_event::<S>(line, &mut history, &mut open).map_err(|problem| LogError {
            line: at + 1,
            problem,
        })?;
    }
    Ok(history)
}

/// The most words an event line may have (a line is read without allocating).
const MAX_WORDS: usize = 16;

/// Applies one event line to `history`.
fn read_event<S: LogSpec>(
    line: &str,
    history: &mut History<S::Op, S::Ret>,
    open: &mut BTreeMap<usize, OpId>,
) -> Result<(), String> {
    let mut words = [""; MAX_WORDS];
    let mut count = 0;
    for word in line.split_whitespace() {
        if count == MAX_WORDS {
            return Err(format!("`{line}`: more than {MAX_WORDS} words"));
        }
        words[count] = word;
        count += 1;
    }
    let [kind, client, time, rest @ ..] = &words[..count] else {
        return Err(format!(
            "`{line}`: expected `<invoke|ok|fail|info> <client> <time> …`"
        ));
    };
    let client: usize = client
        .parse()
        .map_err(|_| format!("`{client}` is not a client number"))?;
    let time: u64 = time
        .parse()
        .map_err(|_| format!("`{time}` is not a time"))?;
    if *kind == "invoke" {
        let op = S::parse_op(rest)
            .ok_or_else(|| format!("`{}` is not a {} operation", rest.join(" "), S::NAME))?;
        if open.contains_key(&client) {
            return Err(format!(
                "client {client} invokes while its last operation is open"
            ));
        }
        open.insert(client, history.invoke(client, time, op));
        return Ok(());
    }
    let id = open
        .remove(&client)
        .ok_or_else(|| format!("client {client} has no open operation"))?;
    match (*kind, rest) {
        ("ok", [word]) => {
            let op = &history.operations()[id.index()].op;
            let ret = S::parse_ret(word, op)
                .ok_or_else(|| format!("`{word}` is not what {op:?} returns"))?;
            if time < history.operations()[id.index()].invoked {
                return Err(format!(
                    "client {client} returns at t={time}, before it invoked"
                ));
            }
            history.complete(id, time, ret);
        }
        ("fail", []) => history.fail(id),
        ("info", []) => {}
        _ => return Err(format!("`{line}`: expected `ok <ret>`, `fail` or `info`")),
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_log_reads_back_as_the_history_it_was_written_from() {
        let mut history = History::new();
        let put = history.invoke(0, 3, KvOp::Put(7, 42));
        let get = history.invoke(1, 4, KvOp::Get(7));
        history.complete(put, 6, KvRet::Ok);
        history.complete(get, 9, KvRet::Value(Some(42)));
        let lost = history.invoke(2, 10, KvOp::Get(7));
        let failed = history.invoke(0, 11, KvOp::Delete(7));
        history.fail(failed);
        let text = write_log::<KvSpec<u64, i64>>(&history);
        assert!(
            text.starts_with("# musil-history v1 kv\ninvoke 0 3 put 7 42\n"),
            "{text}"
        );
        let back = read_log::<KvSpec<u64, i64>>(&text).unwrap();
        assert_eq!(back, history);
        assert_eq!(
            back.get(lost).map(|op| &op.outcome),
            Some(&Outcome::Pending)
        );
    }

    #[test]
    fn a_bad_line_is_named() {
        let text = "# musil-history v1 register\ninvoke 0 1 write 3\nok 1 2 ok\n";
        let err = read_log::<Register<i64>>(text).unwrap_err();
        assert_eq!(
            (err.line, err.problem.as_str()),
            (3, "client 1 has no open operation")
        );
        let wrong = read_log::<Register<i64>>("# musil-history v1 kv\n").unwrap_err();
        assert!(
            wrong
                .to_string()
                .contains("expected `# musil-history v1 register`"),
            "{wrong}"
        );
    }
}
