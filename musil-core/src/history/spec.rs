//! [`SequentialSpec`]: what an object does when its operations run one at a time — the model a
//! history is checked against — and the ready-made ones: [`Register`], [`KvSpec`], [`Counter`],
//! [`SetSpec`] and [`QueueSpec`].

use std::collections::{BTreeMap, BTreeSet, VecDeque};
use std::fmt::Debug;
use std::hash::{Hash, Hasher};

/// A sequential specification: the object's state, and what each operation returns when
/// applied to it alone. The state is `Clone + Eq + Hash` so a checker can remember the states
/// it has seen.
///
/// ```
/// use musil_core::history::{Register, RegisterOp, RegisterRet, SequentialSpec};
///
/// let mut register = Register::<u32>::default();
/// assert_eq!(register.apply(&RegisterOp::Write(3)), RegisterRet::Ok);
/// assert_eq!(register.apply(&RegisterOp::Read), RegisterRet::Value(Some(3)));
/// ```
pub trait SequentialSpec: Clone + Eq + Hash + Debug + Send + Sync + 'static {
    /// An operation, as a client invokes it.
    type Op: Clone + Debug + Send + Sync + 'static;
    /// What an operation returns.
    type Ret: Clone + Debug + PartialEq + Send + Sync + 'static;

    /// Applies `op` to the state and returns its result.
    fn apply(&mut self, op: &Self::Op) -> Self::Ret;

    /// The independent part of the object `op` touches (a key), if the object is a collection
    /// of independent parts: the operations of each part are then checked on their own
    /// (P-compositionality), which is exponentially cheaper. `None` for any operation checks
    /// the history whole.
    fn partition(op: &Self::Op) -> Option<u64> {
        let _ = op;
        None
    }
}

/// A stable 64-bit hash of `value`, for [`SequentialSpec::partition`] (FNV-1a over what
/// `Hash` writes): the same on every run.
pub fn partition_key(value: &impl Hash) -> u64 {
    let mut hasher = Fnv(0xcbf2_9ce4_8422_2325);
    value.hash(&mut hasher);
    hasher.finish()
}

/// FNV-1a: small, and the same everywhere.
pub(crate) struct Fnv(pub(crate) u64);

impl Hasher for Fnv {
    fn finish(&self) -> u64 {
        self.0
    }

    fn write(&mut self, bytes: &[u8]) {
        for &byte in bytes {
            self.0 = (self.0 ^ u64::from(byte)).wrapping_mul(0x0100_0000_01b3);
        }
    }
}

/// A single value that is read and written; `None` until the first write.
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash)]
pub struct Register<V> {
    value: Option<V>,
}

impl<V> Register<V> {
    /// A register holding `value` from the start.
    pub fn new(value: V) -> Self {
        Register { value: Some(value) }
    }
}

/// An operation of a [`Register`].
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum RegisterOp<V> {
    /// Reads the value.
    Read,
    /// Writes a value.
    Write(V),
}

/// What a [`Register`] operation returns.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum RegisterRet<V> {
    /// A write is done.
    Ok,
    /// A read's value (`None`: never written).
    Value(Option<V>),
}

impl<V> SequentialSpec for Register<V>
where
    V: Clone + Debug + Eq + Hash + Send + Sync + 'static,
{
    type Op = RegisterOp<V>;
    type Ret = RegisterRet<V>;

    fn apply(&mut self, op: &RegisterOp<V>) -> RegisterRet<V> {
        match op {
            RegisterOp::Read => RegisterRet::Value(self.value.clone()),
            RegisterOp::Write(value) => {
                self.value = Some(value.clone());
                RegisterRet::Ok
            }
        }
    }
}

/// A map of independent registers: checked key by key.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct KvSpec<K, V> {
    map: BTreeMap<K, V>,
}

impl<K, V> Default for KvSpec<K, V> {
    fn default() -> Self {
        KvSpec {
            map: BTreeMap::new(),
        }
    }
}

/// An operation of a [`KvSpec`].
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum KvOp<K, V> {
    /// Reads a key.
    Get(K),
    /// Writes a key.
    Put(K, V),
    /// Removes a key.
    Delete(K),
}

/// What a [`KvSpec`] operation returns.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum KvRet<V> {
    /// A write or a removal is done.
    Ok,
    /// A read's value (`None`: absent).
    Value(Option<V>),
}

impl<K, V> SequentialSpec for KvSpec<K, V>
where
    K: Clone + Debug + Ord + Hash + Send + Sync + 'static,
    V: Clone + Debug + Eq + Hash + Send + Sync + 'static,
{
    type Op = KvOp<K, V>;
    type Ret = KvRet<V>;

    fn apply(&mut self, op: &KvOp<K, V>) -> KvRet<V> {
        match op {
            KvOp::Get(key) => KvRet::Value(self.map.get(key).cloned()),
            KvOp::Put(key, value) => {
                self.map.insert(key.clone(), value.clone());
                KvRet::Ok
            }
            KvOp::Delete(key) => {
                self.map.remove(key);
                KvRet::Ok
            }
        }
    }

    fn partition(op: &KvOp<K, V>) -> Option<u64> {
        match op {
            KvOp::Get(key) | KvOp::Put(key, _) | KvOp::Delete(key) => Some(partition_key(key)),
        }
    }
}

/// A counter that is added to and read.
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash)]
pub struct Counter {
    value: i64,
}

/// An operation of a [`Counter`].
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum CounterOp {
    /// Adds to the counter.
    Add(i64),
    /// Reads it.
    Read,
}

/// What a [`Counter`] operation returns.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum CounterRet {
    /// An addition is done.
    Ok,
    /// A read's value.
    Value(i64),
}

impl SequentialSpec for Counter {
    type Op = CounterOp;
    type Ret = CounterRet;

    fn apply(&mut self, op: &CounterOp) -> CounterRet {
        match op {
            CounterOp::Add(n) => {
                self.value = self.value.wrapping_add(*n);
                CounterRet::Ok
            }
            CounterOp::Read => CounterRet::Value(self.value),
        }
    }
}

/// A set of elements, checked element by element.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct SetSpec<T> {
    elements: BTreeSet<T>,
}

impl<T> Default for SetSpec<T> {
    fn default() -> Self {
        SetSpec {
            elements: BTreeSet::new(),
        }
    }
}

/// An operation of a [`SetSpec`].
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum SetOp<T> {
    /// Adds an element.
    Insert(T),
    /// Removes an element.
    Remove(T),
    /// Asks whether an element is in the set.
    Contains(T),
}

/// What a [`SetSpec`] operation returns.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum SetRet {
    /// An insertion or removal is done.
    Ok,
    /// Whether the element is in the set.
    Present(bool),
}

impl<T> SequentialSpec for SetSpec<T>
where
    T: Clone + Debug + Ord + Hash + Send + Sync + 'static,
{
    type Op = SetOp<T>;
    type Ret = SetRet;

    fn apply(&mut self, op: &SetOp<T>) -> SetRet {
        match op {
            SetOp::Insert(element) => {
                self.elements.insert(element.clone());
                SetRet::Ok
            }
            SetOp::Remove(element) => {
                self.elements.remove(element);
                SetRet::Ok
            }
            SetOp::Contains(element) => SetRet::Present(self.elements.contains(element)),
        }
    }

    fn partition(op: &SetOp<T>) -> Option<u64> {
        match op {
            SetOp::Insert(e) | SetOp::Remove(e) | SetOp::Contains(e) => Some(partition_key(e)),
        }
    }
}

/// A first-in, first-out queue.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct QueueSpec<T> {
    items: VecDeque<T>,
}

impl<T> Default for QueueSpec<T> {
    fn default() -> Self {
        QueueSpec {
            items: VecDeque::new(),
        }
    }
}

/// An operation of a [`QueueSpec`].
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum QueueOp<T> {
    /// Adds an item at the back.
    Enqueue(T),
    /// Takes the item at the front.
    Dequeue,
}

/// What a [`QueueSpec`] operation returns.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum QueueRet<T> {
    /// An item is enqueued.
    Ok,
    /// The item dequeued (`None`: the queue was empty).
    Value(Option<T>),
}

impl<T> SequentialSpec for QueueSpec<T>
where
    T: Clone + Debug + Eq + Hash + Send + Sync + 'static,
{
    type Op = QueueOp<T>;
    type Ret = QueueRet<T>;

    fn apply(&mut self, op: &QueueOp<T>) -> QueueRet<T> {
        match op {
            QueueOp::Enqueue(item) => {
                self.items.push_back(item.clone());
                QueueRet::Ok
            }
            QueueOp::Dequeue => QueueRet::Value(self.items.pop_front()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_ready_made_specs_do_what_their_names_say() {
        let mut kv = KvSpec::<u8, u8>::default();
        assert_eq!(kv.apply(&KvOp::Put(1, 9)), KvRet::Ok);
        assert_eq!(kv.apply(&KvOp::Get(1)), KvRet::Value(Some(9)));
        assert_eq!(kv.apply(&KvOp::Delete(1)), KvRet::Ok);
        assert_eq!(kv.apply(&KvOp::Get(1)), KvRet::Value(None));
        let mut counter = Counter::default();
        counter.apply(&CounterOp::Add(5));
        counter.apply(&CounterOp::Add(-2));
        assert_eq!(counter.apply(&CounterOp::Read), CounterRet::Value(3));
        let mut set = SetSpec::default();
        set.apply(&SetOp::Insert('a'));
        assert_eq!(set.apply(&SetOp::Contains('a')), SetRet::Present(true));
        set.apply(&SetOp::Remove('a'));
        assert_eq!(set.apply(&SetOp::Contains('a')), SetRet::Present(false));
        let mut queue = QueueSpec::default();
        queue.apply(&QueueOp::Enqueue(1));
        queue.apply(&QueueOp::Enqueue(2));
        assert_eq!(queue.apply(&QueueOp::Dequeue), QueueRet::Value(Some(1)));
        let same = KvSpec::<u8, u8>::partition(&KvOp::Get(7));
        assert_eq!(same, KvSpec::<u8, u8>::partition(&KvOp::Put(7, 1)));
        assert_ne!(same, KvSpec::<u8, u8>::partition(&KvOp::Get(8)));
        assert_eq!(Register::<u8>::partition(&RegisterOp::Read), None);
    }
}
