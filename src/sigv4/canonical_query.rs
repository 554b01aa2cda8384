//! Step 1b: the canonical query string: every parameter decoded and encoded again
//! canonically, then sorted by encoded name, then encoded value (byte order).
//!
//! The encoded pairs are written to a scratch buffer first (the string-to-sign buffer,
//! which is empty at this point), sorted as ranges, and copied out joined by `&`.

use super::encode::reencode_query_component;
use super::scratch::Scratch;

/// A parameter in the scratch buffer: `name` is `start..eq`, the value `eq+1..end`.
#[derive(Clone, Copy, Default)]
pub(crate) struct ParamRange {
    start: u32,
    eq: u32,
    end: u32,
}

/// Collects encoded `name=value` pairs in a scratch buffer.
pub(crate) struct QueryParams<'s> {
    scratch: &'s mut String,
    ranges: Scratch<ParamRange, 32>,
}

impl<'s> QueryParams<'s> {
    pub(crate) fn new(scratch: &'s mut String) -> Self {
        scratch.clear();
        Self {
            scratch,
            ranges: Scratch::new(),
        }
    }

    /// Adds every parameter of a raw query string (empty `&&` segments are skipped; a
    /// name without `=` has an empty value).
    pub(crate) fn add_raw_query(&mut self, query: &str) {
        for pair in query.split('&').filter(|p| !p.is_empty()) {
            let (name, value) = pair.split_once('=').unwrap_or((pair, ""));
            self.add_with(
                |out| reencode_query_component(out, name),
                |out| reencode_query_component(out, value),
            );
        }
    }

    /// Adds a parameter whose name is canonical already and whose value `write_value`
    /// appends in canonical form.
    pub(crate) fn add_encoded(&mut self, name: &str, write_value: impl FnOnce(&mut String)) {
        self.add_with(|out| out.push_str(name), write_value);
    }

    fn add_with(
        &mut self,
        write_name: impl FnOnce(&mut String),
        write_value: impl FnOnce(&mut String),
    ) {
        let start = self.scratch.len() as u32;
        write_name(self.scratch);
        let eq = self.scratch.len() as u32;
        self.scratch.push('=');
        write_value(self.scratch);
        let end = self.scratch.len() as u32;
        self.ranges.push(ParamRange { start, eq, end });
    }

    /// Sorts the parameters and appends them to `out` joined by `&`.
    pub(crate) fn write_sorted(mut self, out: &mut String) {
        let buf = self.scratch.as_str();
        let name = |r: &ParamRange| &buf.as_bytes()[r.start as usize..r.eq as usize];
        let value = |r: &ParamRange| &buf.as_bytes()[r.eq as usize + 1..r.end as usize];
        self.ranges
            .as_mut_slice()
            .sort_unstable_by(|a, b| name(a).cmp(name(b)).then_with(|| value(a).cmp(value(b))));
        for (i, r) in self.ranges.as_slice().iter().enumerate() {
            if i > 0 {
                out.push('&');
            }
            out.push_str(&buf[r.start as usize..r.end as usize]);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn canonical(query: &str) -> String {
        let mut scratch = String::new();
        let mut params = QueryParams::new(&mut scratch);
        params.add_raw_query(query);
        let mut out = String::new();
        params.write_sorted(&mut out);
        out
    }

    #[test]
    fn sorts_by_encoded_name_then_value() {
        assert_eq!(
            canonical("Param2=value2&Param1=value1"),
            "Param1=value1&Param2=value2"
        );
        assert_eq!(
            canonical("Param1=value2&Param1=Value1"),
            "Param1=Value1&Param1=value2"
        );
        assert_eq!(
            canonical("Param-3=Value3&Param=Value2&\u{1234}=Value1"),
            "%E1%88%B4=Value1&Param=Value2&Param-3=Value3"
        );
    }

    #[test]
    fn empty_names_values_and_segments() {
        assert_eq!(canonical(""), "");
        assert_eq!(canonical("a&&b="), "a=&b=");
        assert_eq!(canonical("=x"), "=x");
        assert_eq!(canonical("k=a=b"), "k=a%3Db");
    }
}
