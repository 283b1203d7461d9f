//! Forensics: what musil does with a failure so that a person understands it in a minute —
//! recording and replaying a run's choices (`choices`, `encoding`), shrinking it (`shrink`),
//! exporting it as JSON Lines and a self-contained HTML picture (`export`) — and the fingerprint
//! of a run that tells a seed that lies (`digest`).

pub mod choices;
pub mod digest;
pub mod encoding;
pub mod export;
pub mod shrink;
