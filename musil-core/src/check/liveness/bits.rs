//! The sets the liveness analysis works with: [`Bits`], a bit set over action indices (which
//! actions are fair, enabled, taken), the actions enabled across a group of states
//! ([`enabled_sets`]), and [`Marks`], one set of state indices at a time, replaced in time
//! proportional to its size, not to the graph's.

use super::super::graph::Graph;

/// A bit set over the indices `0..len` (actions, in the analysis).
#[derive(Clone, Debug, PartialEq, Eq)]
pub(super) struct Bits(Vec<u64>);

impl Bits {
    /// The empty set over `0..len`.
    pub(super) fn new(len: usize) -> Self {
        Bits(vec![0; len.div_ceil(64)])
    }

    /// The full set `0..len`.
    pub(super) fn full(len: usize) -> Self {
        let mut bits = Bits(vec![u64::MAX; len.div_ceil(64)]);
        if !len.is_multiple_of(64)
            && let Some(last) = bits.0.last_mut()
        {
            *last = (1 << (len % 64)) - 1;
        }
        bits
    }

    /// Adds `i`.
    pub(super) fn set(&mut self, i: usize) {
        self.0[i / 64] |= 1 << (i % 64);
    }

    /// Whether `i` is in the set.
    pub(super) fn contains(&self, i: usize) -> bool {
        self.0[i / 64] & (1 << (i % 64)) != 0
    }

    /// Whether the set is empty.
    pub(super) fn is_empty(&self) -> bool {
        self.0.iter().all(|word| *word == 0)
    }

    /// Keeps only what is also in `other`.
    pub(super) fn and(&mut self, other: &Bits) {
        self.0.iter_mut().zip(&other.0).for_each(|(a, b)| *a &= b);
    }

    /// Adds what is in `other`.
    pub(super) fn or(&mut self, other: &Bits) {
        self.0.iter_mut().zip(&other.0).for_each(|(a, b)| *a |= b);
    }

    /// The lowest index in `self & mask & !minus`.
    pub(super) fn first_in(&self, mask: &Bits, minus: &Bits) -> Option<usize> {
        self.0
            .iter()
            .zip(&mask.0)
            .zip(&minus.0)
            .enumerate()
            .find_map(|(word, ((a, m), n))| {
                let bits = a & m & !n;
                (bits != 0).then(|| word * 64 + bits.trailing_zeros() as usize)
            })
    }
}

/// The actions enabled in every one of `states`, and in some of them.
pub(super) fn enabled_sets<S>(graph: &Graph<S>, states: impl Iterator<Item = u32>) -> (Bits, Bits) {
    let actions = graph.action_names.len();
    let (mut everywhere, mut somewhere) = (Bits::full(actions), Bits::new(actions));
    for state in states {
        let mut enabled = Bits::new(actions);
        for &(_, action) in graph.edges_of(state) {
            enabled.set(action as usize);
        }
        everywhere.and(&enabled);
        somewhere.or(&enabled);
    }
    (everywhere, somewhere)
}

/// One set of states at a time: a state is in the set when its mark equals the current stamp,
/// so making a new set costs its own size and never a pass over every state.
#[derive(Clone, Debug)]
pub(super) struct Marks {
    marks: Vec<u32>,
    stamp: u32,
}

impl Marks {
    /// The empty set, over the states `0..states`.
    pub(super) fn new(states: usize) -> Self {
        Marks {
            marks: vec![0; states],
            stamp: 1,
        }
    }

    /// Makes `states` the set (the previous one is forgotten).
    pub(super) fn mark(&mut self, states: &[u32]) {
        self.stamp = match self.stamp.checked_add(1) {
            Some(stamp) => stamp,
            None => {
                self.marks.fill(0);
                1
            }
        };
        let stamp = self.stamp;
        states.iter().for_each(|&s| self.marks[s as usize] = stamp);
    }

    /// Whether `state` is in the set.
    #[inline]
    pub(super) fn contains(&self, state: u32) -> bool {
        self.marks[state as usize] == self.stamp
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The set of `indices` over `0..len`.
    fn of(len: usize, indices: &[usize]) -> Bits {
        let mut bits = Bits::new(len);
        indices.iter().for_each(|&i| bits.set(i));
        bits
    }

    #[test]
    fn full_sets_exactly_the_indices_below_len() {
        for len in [0, 1, 63, 64, 65, 130] {
            let every: Vec<usize> = (0..len).collect();
            assert_eq!(Bits::full(len), of(len, &every), "len {len}");
        }
    }

    #[test]
    fn first_in_is_the_lowest_index_in_the_mask_and_not_removed() {
        let set = of(130, &[3, 70, 129]);
        let mask = of(130, &[70, 129]);
        assert_eq!(set.first_in(&mask, &Bits::new(130)), Some(70));
        assert_eq!(set.first_in(&mask, &of(130, &[70])), Some(129));
        assert_eq!(set.first_in(&mask, &of(130, &[70, 129])), None);
        assert_eq!(set.first_in(&Bits::full(130), &Bits::new(130)), Some(3));
        let members: Vec<usize> = (0..130).filter(|&i| set.contains(i)).collect();
        assert_eq!(members, [3, 70, 129]);
    }

    #[test]
    fn and_or_and_emptiness() {
        let (a, b) = (of(100, &[1, 99]), of(100, &[64, 99]));
        let mut both = a.clone();
        both.and(&b);
        assert_eq!(both, of(100, &[99]));
        let mut either = a.clone();
        either.or(&b);
        assert_eq!(either, of(100, &[1, 64, 99]));
        assert!(Bits::new(100).is_empty() && !both.is_empty());
        assert!(of(100, &[64]).first_in(&a, &Bits::new(100)).is_none());
    }

    #[test]
    fn a_new_mark_replaces_the_previous_set() {
        let mut marks = Marks::new(5);
        assert!(!(0..5).any(|s| marks.contains(s)), "empty at first");
        marks.mark(&[1, 3]);
        assert_eq!((0..5).filter(|&s| marks.contains(s)).count(), 2);
        marks.mark(&[4]);
        assert!(marks.contains(4) && !marks.contains(1) && !marks.contains(3));
    }

    #[test]
    fn marks_survive_the_stamp_wrapping_around() {
        let mut marks = Marks::new(3);
        marks.mark(&[0]);
        marks.stamp = u32::MAX;
        marks.marks[1] = u32::MAX;
        marks.mark(&[2]);
        assert!(marks.contains(2) && !marks.contains(0) && !marks.contains(1));
    }
}
