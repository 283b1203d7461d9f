//! [`NodeNames`]: the name table of one run, mapping names to ids and back, and
//! [`Destination`]: a node named by id or by name, resolved against it.

use std::borrow::Cow;

use crate::id::NodeId;
use crate::sim::error::SetupError;

/// The node names of a system, in declaration order. Large systems also keep a sorted index for
/// lookups by name; small ones are scanned (faster, and nothing to allocate per run).
#[derive(Clone, Debug, Default)]
pub struct NodeNames {
    names: Vec<Cow<'static, str>>,
    by_name: Vec<u32>,
}

/// Up to this many nodes, lookups scan the names instead of searching a sorted index.
const SCAN_UP_TO: usize = 16;

impl NodeNames {
    /// Builds the table; two nodes with one name are an error.
    pub fn new(names: Vec<Cow<'static, str>>) -> Result<Self, SetupError> {
        let duplicate = |a: usize, b: usize| (names[a] == names[b]).then(|| names[a].to_string());
        if names.len() <= SCAN_UP_TO {
            let mut pairs =
                (0..names.len()).flat_map(|a| (a + 1..names.len()).map(move |b| (a, b)));
            if let Some(name) = pairs.find_map(|(a, b)| duplicate(a, b)) {
                return Err(SetupError::DuplicateNodeName { name });
            }
            return Ok(NodeNames {
                names,
                by_name: Vec::new(),
            });
        }
        let mut by_name: Vec<u32> = (0..names.len() as u32).collect();
        by_name.sort_by(|&a, &b| names[a as usize].cmp(&names[b as usize]));
        if let Some(name) = by_name
            .windows(2)
            .find_map(|pair| duplicate(pair[0] as usize, pair[1] as usize))
        {
            return Err(SetupError::DuplicateNodeName { name });
        }
        Ok(NodeNames { names, by_name })
    }

    /// Makes this the table of the `count` names `name` gives, reusing its storage, and tells
    /// whether they are the names it had. Those (the usual case: a system's names do not change
    /// from seed to seed) are taken as they are, without checking them again.
    pub(crate) fn refill(
        &mut self,
        count: usize,
        name: impl Fn(usize) -> Cow<'static, str>,
    ) -> Result<bool, SetupError> {
        let same = |old: &Cow<'static, str>, new: Cow<'static, str>| {
            std::ptr::eq(old.as_ptr(), new.as_ptr()) && old.len() == new.len() || *old == new
        };
        if self.names.len() == count && (0..count).all(|i| same(&self.names[i], name(i))) {
            return Ok(true);
        }
        let mut names = std::mem::take(&mut self.names);
        names.clear();
        names.extend((0..count).map(name));
        *self = NodeNames::new(names)?;
        Ok(false)
    }

    /// How many nodes there are.
    pub fn len(&self) -> usize {
        self.names.len()
    }

    /// Whether there are no nodes.
    pub fn is_empty(&self) -> bool {
        self.names.is_empty()
    }

    /// The id of the node called `name`.
    pub fn id_of(&self, name: &str) -> Option<NodeId> {
        if self.by_name.is_empty() {
            // A name given as the same literal the system declared is found without comparing
            // bytes; any other spelling of it is found by the comparison.
            let same_literal = |n: &Cow<'static, str>| std::ptr::eq(n.as_ptr(), name.as_ptr());
            let found = self
                .names
                .iter()
                .position(|n| same_literal(n) && n.len() == name.len());
            let found = found.or_else(|| self.names.iter().position(|n| n == name));
            return found.map(NodeId::new);
        }
        self.by_name
            .binary_search_by(|&index| self.names[index as usize].as_ref().cmp(name))
            .ok()
            .map(|position| NodeId::new(self.by_name[position] as usize))
    }

    /// The name of node `id`.
    ///
    /// # Panics
    /// If `id` is not a node of this system.
    pub fn name(&self, id: NodeId) -> &str {
        match self.names.get(id.index()) {
            Some(name) => name,
            None => panic!(
                "{id} is not a node of this system ({} nodes)",
                self.names.len()
            ),
        }
    }

    /// Every name, in declaration order.
    pub fn all(&self) -> &[Cow<'static, str>] {
        &self.names
    }

    /// Every name, in declaration order, as owned strings.
    pub fn to_strings(&self) -> Vec<String> {
        self.names.iter().map(|name| name.to_string()).collect()
    }

    /// Every id, in declaration order.
    pub fn ids(&self) -> impl Iterator<Item = NodeId> + '_ {
        (0..self.names.len()).map(NodeId::new)
    }
}

/// A node named by its [`NodeId`] or its name (`&str` or `String`): where a message goes, or
/// which node a nemesis or a disk accessor means.
pub trait Destination {
    /// Resolves the node against the system's names, or `Err(name)` for a name no node has.
    /// An id resolves to itself: whoever uses it checks that it is in range.
    fn resolve(&self, names: &NodeNames) -> Result<NodeId, String>;

    /// The id, when it is one already (so that sending to an id looks up no name table).
    #[doc(hidden)]
    #[inline]
    fn known_id(&self) -> Option<NodeId> {
        None
    }
}

impl Destination for NodeId {
    #[inline]
    fn resolve(&self, _names: &NodeNames) -> Result<NodeId, String> {
        Ok(*self)
    }

    #[inline]
    fn known_id(&self) -> Option<NodeId> {
        Some(*self)
    }
}

impl Destination for &str {
    #[inline]
    fn resolve(&self, names: &NodeNames) -> Result<NodeId, String> {
        names.id_of(self).ok_or_else(|| self.to_string())
    }
}

impl Destination for String {
    #[inline]
    fn resolve(&self, names: &NodeNames) -> Result<NodeId, String> {
        self.as_str().resolve(names)
    }
}

impl Destination for &String {
    #[inline]
    fn resolve(&self, names: &NodeNames) -> Result<NodeId, String> {
        self.as_str().resolve(names)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_refilled_table_is_the_table_of_its_new_names() {
        let mut names = NodeNames::default();
        let first = ["a", "b", "c"];
        assert!(!names.refill(3, |i| first[i].into()).unwrap());
        assert!(names.refill(3, |i| first[i].into()).unwrap());
        assert_eq!(names.all(), first.map(Cow::from));
        let many: Vec<String> = (0..20).rev().map(|i| format!("n{i}")).collect();
        assert!(!names.refill(20, |i| many[i].clone().into()).unwrap());
        assert!(names.refill(20, |i| many[i].clone().into()).unwrap());
        assert_eq!(names.id_of("n0"), Some(NodeId::new(19)));
        assert_eq!(names.len(), 20);
        let twice = ["x", "y", "x"];
        assert!(matches!(
            names.refill(3, |i| twice[i].into()),
            Err(SetupError::DuplicateNodeName { name }) if name == "x"
        ));
    }

    #[test]
    fn looks_names_up_both_ways() {
        let names = NodeNames::new(vec!["zeta".into(), "alpha".into(), "r[1]".into()]).unwrap();
        assert_eq!(names.id_of("zeta"), Some(NodeId::new(0)));
        assert_eq!(names.id_of("alpha"), Some(NodeId::new(1)));
        assert_eq!(names.id_of("r[1]"), Some(NodeId::new(2)));
        assert_eq!(names.id_of("nope"), None);
        assert_eq!(names.name(NodeId::new(1)), "alpha");
        // Another allocation of the same name, and a name that is a prefix of the literal.
        assert_eq!(names.id_of(&String::from("alpha")), Some(NodeId::new(1)));
        let zeta = names.name(NodeId::new(0));
        assert_eq!(names.id_of(&zeta[..2]), None);
    }

    #[test]
    fn large_systems_are_searched_through_a_sorted_index() {
        let names: Vec<Cow<'static, str>> =
            (0..40).rev().map(|i| Cow::Owned(format!("n{i}"))).collect();
        let table = NodeNames::new(names).unwrap();
        assert_eq!(table.id_of("n39"), Some(NodeId::new(0)));
        assert_eq!(table.id_of("n0"), Some(NodeId::new(39)));
        assert_eq!(table.id_of("n40"), None);
        let mut twice: Vec<Cow<'static, str>> =
            (0..40).map(|i| Cow::Owned(format!("n{i}"))).collect();
        twice.push("n7".into());
        assert_eq!(
            NodeNames::new(twice).unwrap_err(),
            SetupError::DuplicateNodeName { name: "n7".into() }
        );
    }

    #[test]
    fn duplicate_names_are_rejected() {
        let err = NodeNames::new(vec!["a".into(), "b".into(), "a".into()]).unwrap_err();
        assert_eq!(err, SetupError::DuplicateNodeName { name: "a".into() });
    }
}
