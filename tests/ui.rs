//! Macro misuse is a compile error spanned on the offending tokens: pinned with trybuild.
//! Regenerate the expected output with `TRYBUILD=overwrite cargo test --test ui` and review it.

#[test]
fn macro_misuse_is_a_spanned_compile_error() {
    trybuild::TestCases::new().compile_fail("tests/ui/*.rs");
}
