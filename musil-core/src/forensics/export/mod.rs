//! Exports of a run: a JSON Lines file and a self-contained HTML message-sequence chart.
