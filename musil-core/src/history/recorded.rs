//! The history a run records (`ctx.invoke`, `ctx.complete`, `ctx.fail`), with its operations and
//! returns type-erased — the engine does not know the spec's types — and made typed again, with
//! a clear error when a node recorded a type the spec does not have.

use std::any::Any;

use crate::id::NodeId;

use super::record::{History, OpId, Outcome};

/// A value and the name of its type.
struct Erased {
    value: Box<dyn Any + Send>,
    type_name: &'static str,
}

impl Erased {
    fn new<T: Any + Send>(value: T) -> Self {
        Erased {
            value: Box::new(value),
            type_name: std::any::type_name::<T>(),
        }
    }

    /// The value as a `T`, or what it is instead.
    fn get<T: Any + Clone>(&self, what: &str, id: usize) -> Result<T, String> {
        self.value.downcast_ref::<T>().cloned().ok_or_else(|| {
            format!(
                "operation #{id} recorded {what} of type `{}`, but the history is checked against a \
                 spec whose {what}s are `{}`",
                self.type_name,
                std::any::type_name::<T>()
            )
        })
    }
}

/// How a recorded operation ended, so far.
enum Ended {
    Open,
    Failed,
    Returned { at: u64, ret: Erased },
}

/// One recorded operation.
struct Recorded {
    client: NodeId,
    invoked: u64,
    op: Erased,
    ended: Ended,
}

/// The operations of a run, as recorded.
#[derive(Default)]
pub struct RecordedHistory {
    operations: Vec<Recorded>,
}

impl std::fmt::Debug for RecordedHistory {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "RecordedHistory({} operations)", self.operations.len())
    }
}

impl RecordedHistory {
    /// Records that `client` invoked `op` at `now`: operation number `id`.
    pub(crate) fn invoke<O: Any + Send>(&mut self, id: OpId, client: NodeId, now: u64, op: O) {
        debug_assert_eq!(id.index(), self.operations.len());
        self.operations.push(Recorded {
            client,
            invoked: now,
            op: Erased::new(op),
            ended: Ended::Open,
        });
    }

    /// Records that operation `id` returned `ret` at `now`, or says why it cannot.
    pub(crate) fn complete<R: Any + Send>(
        &mut self,
        id: OpId,
        now: u64,
        ret: R,
    ) -> Result<(), String> {
        self.open(id, "complete")?.ended = Ended::Returned {
            at: now,
            ret: Erased::new(ret),
        };
        Ok(())
    }

    /// Records that operation `id` certainly did not take effect, or says why it cannot.
    pub(crate) fn fail(&mut self, id: OpId) -> Result<(), String> {
        self.open(id, "fail")?.ended = Ended::Failed;
        Ok(())
    }

    fn open(&mut self, id: OpId, what: &str) -> Result<&mut Recorded, String> {
        let known = self.operations.len();
        let operation = self
            .operations
            .get_mut(id.index())
            .ok_or_else(|| format!("ctx.{what}: no operation #{} (only {known} invoked)", id.0))?;
        match operation.ended {
            Ended::Open => Ok(operation),
            _ => Err(format!(
                "ctx.{what}: operation #{} (a `{}` invoked at t={}) already ended",
                id.0, operation.op.type_name, operation.invoked
            )),
        }
    }

    /// The history with its operations and returns as `Op` and `Ret` (clients are node
    /// indices), or which recorded value is of another type.
    pub fn typed<Op: Any + Clone, Ret: Any + Clone>(&self) -> Result<History<Op, Ret>, String> {
        let mut operations = Vec::with_capacity(self.operations.len());
        for (id, recorded) in self.operations.iter().enumerate() {
            let outcome = match &recorded.ended {
                Ended::Open => Outcome::Pending,
                Ended::Failed => Outcome::Failed,
                Ended::Returned { at, ret } => Outcome::Ok {
                    at: *at,
                    ret: ret.get::<Ret>("a return", id)?,
                },
            };
            operations.push(super::record::Operation {
                client: recorded.client.index(),
                invoked: recorded.invoked,
                op: recorded.op.get::<Op>("an operation", id)?,
                outcome,
            });
        }
        Ok(History::from_operations(operations))
    }

    /// How many operations were invoked.
    pub fn len(&self) -> usize {
        self.operations.len()
    }

    /// Whether none was.
    pub fn is_empty(&self) -> bool {
        self.operations.is_empty()
    }
}
