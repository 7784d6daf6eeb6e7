//! The fixed order in which the tallies of a run's chunks are merged.
//!
//! Floating-point merges are not associative, so the order of merging
//! chunk tallies is part of a run's definition. It is a binary tree over
//! the chunk indexes: node `(level, index)` holds chunks
//! `index * 2^level .. (index + 1) * 2^level` (clipped to the run), and is
//! its two children merged, left then right. A run computes the root;
//! a slice of the run (a shard) computes the nodes that cover its chunks
//! exactly ([`cover`]), and [`assemble`] rebuilds the root from the
//! slices' nodes. Every node is merged from the same two children whoever
//! computes it, so any chunk-aligned split gives the same bits as the run
//! in one piece, and only `O(log chunks)` tallies per slice are kept.

use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::ops::Range;

/// A node of the merge tree.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct Node {
    /// 0 for a single chunk; a node of level `l` holds `2^l` chunks.
    pub level: u32,
    /// Position among the nodes of its level.
    pub index: u64,
}

impl Node {
    /// The root of the tree over `chunks` chunks.
    pub fn root(chunks: u64) -> Node {
        let mut level = 0;
        while (1u64 << level) < chunks {
            level += 1;
        }
        Node { level, index: 0 }
    }

    /// The chunks the node holds in a run of `chunks` chunks (possibly empty).
    pub fn chunks(&self, chunks: u64) -> Range<u64> {
        let start = (self.index << self.level).min(chunks);
        let end = ((self.index + 1) << self.level).min(chunks);
        start..end
    }

    /// Its two children, left first (`None` for a chunk).
    pub fn children(&self) -> Option<(Node, Node)> {
        (self.level > 0).then(|| {
            let child = |index| Node {
                level: self.level - 1,
                index,
            };
            (child(2 * self.index), child(2 * self.index + 1))
        })
    }
}

/// The nodes, left to right, that hold exactly the chunks `range` of a run
/// of `chunks` chunks: the largest subtrees inside the range.
pub fn cover(range: Range<u64>, chunks: u64) -> Vec<Node> {
    fn walk(node: Node, range: &Range<u64>, chunks: u64, out: &mut Vec<Node>) {
        let held = node.chunks(chunks);
        if held.is_empty() || held.end <= range.start || held.start >= range.end {
            return;
        }
        if range.start <= held.start && held.end <= range.end {
            out.push(node);
        } else if let Some((left, right)) = node.children() {
            walk(left, range, chunks, out);
            walk(right, range, chunks, out);
        }
    }
    let mut out = Vec::new();
    walk(Node::root(chunks), &range, chunks, &mut out);
    out
}

/// The value of `node` over a run of `chunks` chunks: `leaf(c)` for a
/// chunk, `merge(left, right)` above, children computed in parallel. A
/// node whose right child holds no chunk is its left child.
pub fn fold<T: Send>(
    node: Node,
    chunks: u64,
    leaf: &(dyn Fn(u64) -> T + Sync),
    merge: &(dyn Fn(T, T) -> T + Sync),
) -> T {
    match node.children() {
        None => leaf(node.index),
        Some((left, right)) if right.chunks(chunks).is_empty() => fold(left, chunks, leaf, merge),
        Some((left, right)) => {
            let (a, b) = rayon::join(
                || fold(left, chunks, leaf, merge),
                || fold(right, chunks, leaf, merge),
            );
            merge(a, b)
        }
    }
}

/// Why [`assemble`] could not rebuild the root.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AssembleError {
    /// No node holds this chunk.
    Missing(u64),
    /// These nodes were not needed: they overlap others.
    Extra(Vec<Node>),
}

/// The root of a run of `chunks` chunks from nodes that cover every chunk
/// exactly once, merged as [`fold`] merges them.
pub fn assemble<T>(
    mut nodes: BTreeMap<Node, T>,
    chunks: u64,
    merge: &dyn Fn(T, T) -> T,
) -> Result<T, AssembleError> {
    fn build<T>(
        node: Node,
        chunks: u64,
        nodes: &mut BTreeMap<Node, T>,
        merge: &dyn Fn(T, T) -> T,
    ) -> Result<T, AssembleError> {
        if let Some(t) = nodes.remove(&node) {
            return Ok(t);
        }
        match node.children() {
            None => Err(AssembleError::Missing(node.index)),
            Some((left, right)) if right.chunks(chunks).is_empty() => {
                build(left, chunks, nodes, merge)
            }
            Some((left, right)) => {
                let a = build(left, chunks, nodes, merge)?;
                let b = build(right, chunks, nodes, merge)?;
                Ok(merge(a, b))
            }
        }
    }
    let root = build(Node::root(chunks), chunks, &mut nodes, merge)?;
    if nodes.is_empty() {
        Ok(root)
    } else {
        Err(AssembleError::Extra(nodes.into_keys().collect()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A merge that records its order: "(a b)".
    fn paren(a: String, b: String) -> String {
        format!("({a} {b})")
    }

    #[test]
    fn cover_holds_each_chunk_of_the_range_once() {
        for chunks in 1..40u64 {
            for start in 0..chunks {
                for end in start + 1..=chunks {
                    let nodes = cover(start..end, chunks);
                    let held: Vec<u64> = nodes.iter().flat_map(|n| n.chunks(chunks)).collect();
                    assert_eq!(
                        held,
                        (start..end).collect::<Vec<_>>(),
                        "{start}..{end} of {chunks}"
                    );
                    // At most two nodes per level.
                    assert!(nodes.len() <= 2 * (Node::root(chunks).level as usize + 1));
                }
            }
        }
        assert_eq!(cover(0..5, 5), vec![Node::root(5)]);
    }

    #[test]
    fn any_split_assembles_to_the_fold_of_the_whole() {
        let leaf = |c: u64| c.to_string();
        for chunks in 1..30u64 {
            let whole = fold(Node::root(chunks), chunks, &leaf, &paren);
            // Every split into two, three or chunk-sized slices.
            let mut splits: Vec<Vec<u64>> = vec![(0..=chunks).collect()];
            for a in 1..chunks {
                splits.push(vec![0, a, chunks]);
                for b in a + 1..chunks {
                    splits.push(vec![0, a, b, chunks]);
                }
            }
            for bounds in splits {
                let mut nodes = BTreeMap::new();
                for w in bounds.windows(2) {
                    for n in cover(w[0]..w[1], chunks) {
                        nodes.insert(n, fold(n, chunks, &leaf, &paren));
                    }
                }
                let got = assemble(nodes, chunks, &|a, b| paren(a, b)).unwrap();
                assert_eq!(got, whole, "{bounds:?} of {chunks}");
            }
        }
        // The order is the tree's, not another: five chunks.
        assert_eq!(fold(Node::root(5), 5, &leaf, &paren), "(((0 1) (2 3)) 4)");
    }

    #[test]
    fn missing_and_overlapping_nodes_are_reported() {
        let leaf = |c: u64| c.to_string();
        let mut nodes = BTreeMap::new();
        for n in cover(0..3, 8).into_iter().chain(cover(4..8, 8)) {
            nodes.insert(n, fold(n, 8, &leaf, &paren));
        }
        assert_eq!(
            assemble(nodes.clone(), 8, &|a, b| paren(a, b)),
            Err(AssembleError::Missing(3))
        );
        for n in cover(2..4, 8) {
            nodes.insert(n, fold(n, 8, &leaf, &paren));
        }
        assert!(matches!(
            assemble(nodes, 8, &|a, b| paren(a, b)),
            Err(AssembleError::Extra(_))
        ));
    }
}
