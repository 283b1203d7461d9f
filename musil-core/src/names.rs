//! [`NodeNames`]: the name table of one run, mapping names to ids and back.

use crate::error::SetupError;
use crate::node::NodeId;

/// The node names of a system, in declaration order, with a sorted index for lookups by name.
#[derive(Clone, Debug, Default)]
pub struct NodeNames {
    names: Vec<String>,
    by_name: Vec<u32>,
}

impl NodeNames {
    /// Builds the table; two nodes with one name are an error.
    pub fn new(names: Vec<String>) -> Result<Self, SetupError> {
        let mut by_name: Vec<u32> = (0..names.len() as u32).collect();
        by_name.sort_by(|&a, &b| names[a as usize].cmp(&names[b as usize]));
        for pair in by_name.windows(2) {
            if names[pair[0] as usize] == names[pair[1] as usize] {
                return Err(SetupError::DuplicateNodeName {
                    name: names[pair[0] as usize].clone(),
                });
            }
        }
        Ok(NodeNames { names, by_name })
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
        self.by_name
            .binary_search_by(|&index| self.names[index as usize].as_str().cmp(name))
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
    pub fn all(&self) -> &[String] {
        &self.names
    }

    /// Every id, in declaration order.
    pub fn ids(&self) -> impl Iterator<Item = NodeId> + '_ {
        (0..self.names.len()).map(NodeId::new)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn looks_names_up_both_ways() {
        let names = NodeNames::new(vec!["zeta".into(), "alpha".into(), "r[1]".into()]).unwrap();
        assert_eq!(names.id_of("zeta"), Some(NodeId::new(0)));
        assert_eq!(names.id_of("alpha"), Some(NodeId::new(1)));
        assert_eq!(names.id_of("r[1]"), Some(NodeId::new(2)));
        assert_eq!(names.id_of("nope"), None);
        assert_eq!(names.name(NodeId::new(1)), "alpha");
    }

    #[test]
    fn duplicate_names_are_rejected() {
        let err = NodeNames::new(vec!["a".into(), "b".into(), "a".into()]).unwrap_err();
        assert_eq!(err, SetupError::DuplicateNodeName { name: "a".into() });
    }
}
