//! The command printed to replay a failure, when the scenario does not name one.

use std::path::Path;

/// The command that re-runs the current program: `cargo run --example NAME` for an example,
/// otherwise the program's path.
pub fn current_program_command() -> String {
    let Some(program) = std::env::args_os().next() else {
        return "<this program>".to_string();
    };
    command_for_program(Path::new(&program))
}

fn command_for_program(program: &Path) -> String {
    let in_examples = program
        .parent()
        .and_then(Path::file_name)
        .is_some_and(|dir| dir == "examples");
    match program.file_stem().and_then(|stem| stem.to_str()) {
        Some(name) if in_examples && !name.contains('-') => format!("cargo run --example {name}"),
        _ => program.display().to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn examples_replay_through_cargo() {
        let example = Path::new("/repo/target/debug/examples/byzantine_service");
        assert_eq!(
            command_for_program(example),
            "cargo run --example byzantine_service"
        );
        let test_binary = Path::new("/repo/target/debug/deps/engine-0123abcd");
        assert_eq!(
            command_for_program(test_binary),
            "/repo/target/debug/deps/engine-0123abcd"
        );
    }
}
