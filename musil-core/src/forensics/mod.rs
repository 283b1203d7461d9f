//! Forensics: what musil does with a failure so that a person understands it in a minute —
//! shrinking it (`shrink`), replaying recorded choices (`choices`), and exporting the run as a
//! JSON Lines file and a self-contained HTML picture (`export`).

pub mod choices;
pub mod encoding;
pub mod export;
pub mod shrink;
