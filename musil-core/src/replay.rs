//! Replaying one seed: reading `MUSIL_SEED` and printing the command that replays a failure.

use std::path::Path;

/// The environment variable that narrows every scenario run to exactly one seed.
pub const SEED_VAR: &str = "MUSIL_SEED";

/// Parses a `MUSIL_SEED` value.
pub fn parse_seed(value: &str) -> Result<u64, String> {
    value.trim().parse::<u64>().map_err(|_| {
        format!(
            "{SEED_VAR}={value:?} is not a seed: expected an unsigned integer, e.g. {SEED_VAR}=7"
        )
    })
}

/// The seed `MUSIL_SEED` asks for, if set; an unparsable value is an error.
pub fn seed_from_env() -> Result<Option<u64>, String> {
    match std::env::var(SEED_VAR) {
        Ok(value) => parse_seed(&value).map(Some),
        Err(std::env::VarError::NotPresent) => Ok(None),
        Err(std::env::VarError::NotUnicode(raw)) => {
            Err(format!("{SEED_VAR}={raw:?} is not valid unicode"))
        }
    }
}

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
    fn parses_seeds_and_rejects_garbage_loudly() {
        assert_eq!(parse_seed("7"), Ok(7));
        assert_eq!(parse_seed(" 12 "), Ok(12));
        let err = parse_seed("seven").unwrap_err();
        assert!(err.contains("MUSIL_SEED=\"seven\" is not a seed"), "{err}");
        assert!(parse_seed("-1").is_err());
    }

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
