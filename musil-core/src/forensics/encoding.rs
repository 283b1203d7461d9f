//! The text form of [`Choices`], as a regressions file stores it: one word without spaces,
//! `;`-separated parts, each `name=values`, every part optional:
//!
//! | part | values |
//! |---|---|
//! | `steps=N` | the step bound |
//! | `faults=…`, `nemesis=…` | edits of the schedule's / the nemesis's faults by index: `-3` leaves fault 3 out, `2:5` makes fault 2 last 5 |
//! | `net=…`, `nem=…`, `bug=…`, `n<i>=…`, `d<i>=…` | the answers on the network, nemesis, buggify, node `i` and disk `i` streams, in order: a number, `_` for the quiet answer, `x*k` for `k` times `x` |
//!
//! For example `faults=-0,1:3;net=_*4,2;n1=7`. Version 1 of the format; a regressions line says
//! which version it is in.

use crate::decision::Stream;
use crate::id::NodeId;

use super::choices::{Choices, FaultEdits};

impl Choices {
    /// The one-word text form (see the module documentation).
    pub fn encode(&self) -> String {
        let mut parts = Vec::new();
        if let Some(steps) = self.max_steps {
            parts.push(format!("steps={steps}"));
        }
        for (name, edits) in [("faults", &self.faults), ("nemesis", &self.nemesis)] {
            if !edits.is_empty() {
                parts.push(format!("{name}={}", encode_edits(edits)));
            }
        }
        for (stream, answers) in &self.streams {
            if let Some(name) = stream_name(*stream) {
                parts.push(format!("{name}={}", encode_answers(answers)));
            }
        }
        parts.join(";")
    }

    /// Reads the text form back; an error says what is wrong.
    pub fn decode(text: &str) -> Result<Choices, String> {
        let mut choices = Choices::default();
        for part in text.split(';').filter(|p| !p.is_empty()) {
            let (name, values) = part
                .split_once('=')
                .ok_or_else(|| format!("`{part}` is not name=values"))?;
            match name {
                "steps" => choices.max_steps = Some(number(values)?),
                "faults" => choices.faults = decode_edits(values)?,
                "nemesis" => choices.nemesis = decode_edits(values)?,
                _ => {
                    let stream = stream_of(name)?;
                    choices.streams.insert(stream, decode_answers(values)?);
                }
            }
        }
        Ok(choices)
    }
}

fn stream_name(stream: Stream) -> Option<String> {
    match stream {
        Stream::Network => Some("net".to_string()),
        Stream::Nemesis => Some("nem".to_string()),
        Stream::Buggify => Some("bug".to_string()),
        Stream::Node(id) => Some(format!("n{}", id.index())),
        Stream::Disk(id) => Some(format!("d{}", id.index())),
        Stream::Setup | Stream::Environment => None,
    }
}

fn stream_of(name: &str) -> Result<Stream, String> {
    let node = |rest: &str| -> Result<NodeId, String> {
        let index: usize = rest
            .parse()
            .map_err(|_| format!("`{name}` is not a stream (net, nem, n<i>, d<i>)"))?;
        Ok(NodeId::new(index))
    };
    match name {
        "net" => Ok(Stream::Network),
        "nem" => Ok(Stream::Nemesis),
        "bug" => Ok(Stream::Buggify),
        _ => match name.split_at_checked(1) {
            Some(("n", rest)) => Ok(Stream::Node(node(rest)?)),
            Some(("d", rest)) => Ok(Stream::Disk(node(rest)?)),
            _ => Err(format!("`{name}` is not a stream (net, nem, n<i>, d<i>)")),
        },
    }
}

fn number(text: &str) -> Result<u64, String> {
    text.parse()
        .map_err(|_| format!("`{text}` is not a number"))
}

fn encode_edits(edits: &FaultEdits) -> String {
    let dropped = edits.dropped.iter().map(|i| format!("-{i}"));
    let lengths = edits.lengths.iter().map(|(i, l)| format!("{i}:{l}"));
    dropped.chain(lengths).collect::<Vec<_>>().join(",")
}

fn decode_edits(text: &str) -> Result<FaultEdits, String> {
    let mut edits = FaultEdits::default();
    for edit in text.split(',').filter(|e| !e.is_empty()) {
        if let Some(index) = edit.strip_prefix('-') {
            edits.dropped.insert(number(index)? as u32);
        } else if let Some((index, length)) = edit.split_once(':') {
            edits.lengths.insert(number(index)? as u32, number(length)?);
        } else {
            return Err(format!("`{edit}` is not a fault edit (-i or i:length)"));
        }
    }
    Ok(edits)
}

fn encode_answers(answers: &[Option<u64>]) -> String {
    let word = |a: &Option<u64>| a.map_or("_".to_string(), |v| v.to_string());
    let mut out: Vec<String> = Vec::new();
    let mut index = 0;
    while index < answers.len() {
        let run = answers[index..]
            .iter()
            .take_while(|a| **a == answers[index])
            .count();
        match run {
            1 => out.push(word(&answers[index])),
            _ => out.push(format!("{}*{run}", word(&answers[index]))),
        }
        index += run;
    }
    out.join(",")
}

fn decode_answers(text: &str) -> Result<Vec<Option<u64>>, String> {
    let mut answers = Vec::new();
    for word in text.split(',').filter(|w| !w.is_empty()) {
        let (value, times) = match word.split_once('*') {
            Some((value, times)) => (value, number(times)?),
            None => (word, 1),
        };
        let answer = match value {
            "_" => None,
            _ => Some(number(value)?),
        };
        answers.extend(std::iter::repeat_n(answer, times.min(1 << 24) as usize));
    }
    Ok(answers)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn choices_survive_their_text_form() {
        let mut choices = Choices {
            max_steps: Some(40),
            ..Choices::default()
        };
        choices.faults.dropped.insert(0);
        choices.faults.lengths.insert(1, 3);
        choices.nemesis.dropped.insert(2);
        choices
            .streams
            .insert(Stream::Network, vec![None, None, None, None, Some(2)]);
        choices
            .streams
            .insert(Stream::Node(NodeId::new(1)), vec![Some(7)]);
        choices
            .streams
            .insert(Stream::Disk(NodeId::new(0)), vec![Some(1), Some(1), None]);
        let text = choices.encode();
        assert_eq!(
            text,
            "steps=40;faults=-0,1:3;nemesis=-2;net=_*4,2;n1=7;d0=1*2,_"
        );
        assert_eq!(Choices::decode(&text), Ok(choices));
    }

    #[test]
    fn a_bad_text_says_what_is_wrong() {
        assert_eq!(
            Choices::decode("net=1,x"),
            Err("`x` is not a number".to_string())
        );
        assert!(
            Choices::decode("zz=1")
                .unwrap_err()
                .contains("`zz` is not a stream")
        );
        assert!(
            Choices::decode("faults=3")
                .unwrap_err()
                .contains("not a fault edit")
        );
        assert!(
            Choices::decode("steps")
                .unwrap_err()
                .contains("not name=values")
        );
    }
}
