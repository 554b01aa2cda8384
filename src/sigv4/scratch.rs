//! A small vector that lives on the stack up to `N` items and moves to the heap past
//! that, so the signer sorts headers and query parameters without allocating.

/// A growable list: `N` items inline, then a `Vec`.
pub(crate) enum Scratch<T: Copy + Default, const N: usize> {
    Inline { items: [T; N], len: usize },
    Heap(Vec<T>),
}

impl<T: Copy + Default, const N: usize> Scratch<T, N> {
    pub(crate) fn new() -> Self {
        Scratch::Inline {
            items: [T::default(); N],
            len: 0,
        }
    }

    pub(crate) fn push(&mut self, item: T) {
        match self {
            Scratch::Inline { items, len } if *len < N => {
                items[*len] = item;
                *len += 1;
            }
            Scratch::Inline { items, len } => {
                let mut v = Vec::with_capacity(N * 4);
                v.extend_from_slice(&items[..*len]);
                v.push(item);
                *self = Scratch::Heap(v);
            }
            Scratch::Heap(v) => v.push(item),
        }
    }

    pub(crate) fn as_slice(&self) -> &[T] {
        match self {
            Scratch::Inline { items, len } => &items[..*len],
            Scratch::Heap(v) => v,
        }
    }

    pub(crate) fn as_mut_slice(&mut self) -> &mut [T] {
        match self {
            Scratch::Inline { items, len } => &mut items[..*len],
            Scratch::Heap(v) => v,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spills_to_heap_keeping_order() {
        let mut s: Scratch<u32, 2> = Scratch::new();
        for i in 0..5 {
            s.push(i);
        }
        assert_eq!(s.as_slice(), &[0, 1, 2, 3, 4]);
        assert!(matches!(s, Scratch::Heap(_)));
    }
}
