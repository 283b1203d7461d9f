//! Panics in user code (a node's handler, a factory, an invariant, a goal, a generator): caught
//! where musil runs it, and turned into a message for the report.
//!
//! [`guarded`] runs a closure and returns its panic as a [`Caught`] panic: the message and, once
//! [`install_hook`] has run, the place it was raised. Code that catches every panic it runs
//! keeps its thread [`quiet`] (a seed's run does): there the hook keeps panics silent — it
//! records the place for the report instead of printing — so that a caught panic appears once,
//! inside musil's report, and a `should_fail = panic` scenario that passes prints nothing. Panics
//! elsewhere (in a user's own `#[test]`, or on a thread of their own) go to the hook that was
//! there before, unchanged.
//!
//! The only state is per thread (how many [`quiet`] guards the thread holds is, and the place of the last
//! panic); it never influences a run, only what a report says.

use std::any::Any;
use std::cell::{Cell, RefCell};
use std::fmt;
use std::marker::PhantomData;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::Once;

thread_local! {
    /// How many [`quiet`] guards this thread holds.
    static QUIET: Cell<u32> = const { Cell::new(0) };
    /// Where the last panic caught on this thread was raised (set by the hook).
    static LOCATION: RefCell<Option<String>> = const { RefCell::new(None) };
}

/// A panic that [`guarded`] caught: its message and, when the hook saw it, where it was raised.
/// (Boxed: a `Result` that may carry one stays small on the paths where nothing panics.)
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Caught(Box<(String, Option<String>)>);

impl Caught {
    /// The panic's message.
    pub fn message(&self) -> &str {
        &self.0.0
    }

    /// `file:line:column` where it was raised, when the hook saw it.
    pub fn location(&self) -> Option<&str> {
        self.0.1.as_deref()
    }
}

impl fmt::Display for Caught {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.message())?;
        match self.location() {
            Some(location) => write!(f, " (panicked at {location})"),
            None => Ok(()),
        }
    }
}

/// Runs `f`, turning a panic into a [`Caught`] one. Inside a [`quiet`] section, the panic is not
/// printed, and its place is known.
pub fn guarded<T>(f: impl FnOnce() -> T) -> Result<T, Caught> {
    catch_unwind(AssertUnwindSafe(f)).map_err(|payload| {
        // The hook records the place of every panic raised while the thread is quiet, so the
        // place taken here is this panic's.
        let location = LOCATION.with(|location| location.borrow_mut().take());
        Caught(Box::new((message_of(payload.as_ref()), location)))
    })
}

/// Keeps the panics raised on this thread silent (the hook records their place instead) until
/// the guard it returns is dropped: for code whose panics [`guarded`] all catches.
#[must_use = "the thread is quiet only while the guard lives"]
pub fn quiet() -> Quiet {
    QUIET.with(|depth| depth.set(depth.get() + 1));
    forget_location();
    Quiet {
        _this_thread: PhantomData,
    }
}

/// Forgets the place of the last panic: a quiet section starts and ends with none, so a place
/// is only ever reported for a panic raised inside the section that catches it.
fn forget_location() {
    LOCATION.with(|location| location.borrow_mut().take());
}

/// A thread kept quiet by [`quiet`]; loud again when dropped, however its scope is left.
#[derive(Debug)]
pub struct Quiet {
    /// Not `Send`: the guard must be dropped on the thread it quiets.
    _this_thread: PhantomData<*const ()>,
}

impl Drop for Quiet {
    fn drop(&mut self) {
        QUIET.with(|depth| depth.set(depth.get().saturating_sub(1)));
        forget_location();
    }
}

/// The message a panic's payload carries (`panic!` gives a `&str` or a `String`).
pub fn message_of(payload: &(dyn Any + Send)) -> String {
    if let Some(text) = payload.downcast_ref::<&str>() {
        (*text).to_string()
    } else if let Some(text) = payload.downcast_ref::<String>() {
        text.clone()
    } else {
        "a panic with a non-string payload".to_string()
    }
}

/// Installs, once per process, the hook that keeps the panics raised inside a [`quiet`] section silent
/// and records where they were raised. Every other panic goes to the previous hook.
pub fn install_hook() {
    static INSTALL: Once = Once::new();
    INSTALL.call_once(|| {
        let previous = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            if QUIET.with(Cell::get) == 0 {
                return previous(info);
            }
            let place = info.location().map(ToString::to_string);
            LOCATION.with(|location| *location.borrow_mut() = place);
        }));
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_caught_panic_keeps_its_message_and_with_the_hook_its_place() {
        install_hook();
        let _quiet = quiet();
        let caught = guarded(|| panic!("boom {}", 7)).unwrap_err();
        assert_eq!(caught.message(), "boom 7");
        let location = caught.location().expect("the hook recorded the place");
        assert!(
            location.starts_with("musil-core/src/panics.rs:"),
            "{location}"
        );
        assert!(
            caught
                .to_string()
                .starts_with("boom 7 (panicked at musil-core/src/panics.rs:")
        );
        assert_eq!(guarded(|| 3), Ok(3));
    }

    #[test]
    fn payloads_that_are_not_text_are_named() {
        let _quiet = quiet();
        let caught = guarded(|| std::panic::panic_any(42u8)).unwrap_err();
        assert_eq!(caught.message(), "a panic with a non-string payload");
    }
}
