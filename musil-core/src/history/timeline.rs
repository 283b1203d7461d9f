//! [`SubHistory`]: the operations of a [`Violation`] as a person reads them — client, times,
//! operation, return, and whether the contradiction needs that return — drawn as a timeline a
//! line per operation (`Display`), written into the `.jsonl` export, and drawn per client in the
//! HTML picture.

use std::fmt::{self, Debug};

use super::check::Violation;
use super::record::{History, Outcome};

/// One operation of a sub-history, in words.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct HistoryRow {
    /// Who invoked it.
    pub client: String,
    /// When.
    pub invoked: u64,
    /// When it returned (`None`: pending).
    pub returned: Option<u64>,
    /// What was invoked (`Debug`).
    pub op: String,
    /// What it returned (`Debug`; `None`: pending).
    pub ret: Option<String>,
    /// Whether the contradiction needs this return (otherwise it could be anything).
    pub needed: bool,
}

/// The smallest inconsistent part of a history, in invocation order.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SubHistory {
    /// Its operations.
    pub rows: Vec<HistoryRow>,
}

impl SubHistory {
    /// The operations of `violation` in `history`, clients named by `client_name`.
    pub fn of<Op: Debug, Ret: Debug>(
        history: &History<Op, Ret>,
        violation: &Violation,
        client_name: &dyn Fn(usize) -> String,
    ) -> Self {
        let rows = violation
            .operations
            .iter()
            .filter_map(|&id| Some((id, history.get(id)?)))
            .map(|(id, op)| {
                let ret = match &op.outcome {
                    Outcome::Ok { ret, .. } => Some(format!("{ret:?}")),
                    _ => None,
                };
                HistoryRow {
                    client: client_name(op.client),
                    invoked: op.invoked,
                    returned: op.returned(),
                    op: format!("{:?}", op.op),
                    ret,
                    needed: violation.returns_needed.contains(&id),
                }
            })
            .collect();
        SubHistory { rows }
    }

    /// The span of time it covers: the first invocation, the last return or invocation.
    pub fn span(&self) -> (u64, u64) {
        let start = self.rows.iter().map(|r| r.invoked).min().unwrap_or(0);
        let end = self
            .rows
            .iter()
            .map(|r| r.returned.unwrap_or(r.invoked))
            .max()
            .unwrap_or(start);
        (start, end.max(start + 1))
    }
}

/// The width of the drawn bars, in characters.
const WIDTH: u64 = 24;

impl fmt::Display for SubHistory {
    /// A line per operation: the client, a bar from invocation to return over the span they
    /// cover (`…` to the end when pending), the times, the operation and what it returned — in
    /// parentheses when the contradiction does not need that return.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let (start, end) = self.span();
        let column = |t: u64| ((t - start) * (WIDTH - 1) / (end - start)) as usize;
        let name_width = self
            .rows
            .iter()
            .map(|r| r.client.chars().count())
            .max()
            .unwrap_or(0);
        for row in &self.rows {
            let from = column(row.invoked);
            let (to, end_mark) = match row.returned {
                Some(at) => (column(at), '┤'),
                None => (WIDTH as usize - 1, '…'),
            };
            let bar: String = (0..WIDTH as usize)
                .map(|c| match c {
                    c if c == from && c == to => '│',
                    c if c == from => '├',
                    c if c == to => end_mark,
                    c if c > from && c < to => '─',
                    _ => ' ',
                })
                .collect();
            let times = match row.returned {
                Some(at) => format!("t={}..{at}", row.invoked),
                None => format!("t={}..", row.invoked),
            };
            let result = match (&row.ret, row.needed) {
                (Some(ret), true) => ret.clone(),
                (Some(ret), false) => format!("({ret})"),
                (None, _) => "pending".to_string(),
            };
            let pad = name_width - row.client.chars().count();
            writeln!(
                f,
                "{}{:pad$}  {bar}  {times:<10} {} → {result}",
                row.client, "", row.op
            )?;
        }
        Ok(())
    }
}

/// The operations of `violation` as a timeline, one line each in invocation order
/// ([`SubHistory`]'s `Display`).
pub fn timeline<Op: Debug, Ret: Debug>(
    history: &History<Op, Ret>,
    violation: &Violation,
    client_name: &dyn Fn(usize) -> String,
) -> String {
    SubHistory::of(history, violation, client_name).to_string()
}
