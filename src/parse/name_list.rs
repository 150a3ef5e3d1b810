//! A paper's authors or tags: a list of short strings held as one string
//! and where each ends. The generated corpus has sixteen authors a paper;
//! as a `Vec<String>` each name costs its own allocation and 24 bytes of
//! header, which at a million papers is most of what the papers' fields
//! take, and decoding the parse cache made one allocation per name.

use std::fmt;

use serde::de::{self, DeserializeSeed, SeqAccess, Visitor};
use serde::{Deserialize, Deserializer, Serialize, Serializer};

#[derive(Clone, Default, PartialEq, Eq, Hash)]
pub struct NameList {
    text: Box<str>,
    /// Where each name ends in `text`.
    ends: Box<[u32]>,
}

impl NameList {
    pub fn len(&self) -> usize {
        self.ends.len()
    }

    pub fn is_empty(&self) -> bool {
        self.ends.is_empty()
    }

    pub fn get(&self, i: usize) -> Option<&str> {
        let end = *self.ends.get(i)? as usize;
        let start = i.checked_sub(1).map_or(0, |p| self.ends[p] as usize);
        self.text.get(start..end)
    }

    pub fn first(&self) -> Option<&str> {
        self.get(0)
    }

    pub fn iter(&self) -> Iter<'_> {
        Iter {
            list: self,
            front: 0,
            back: self.len(),
        }
    }

    pub fn join(&self, separator: &str) -> String {
        let mut out = String::with_capacity(self.text.len() + separator.len() * self.len());
        for (i, name) in self.iter().enumerate() {
            if i > 0 {
                out.push_str(separator);
            }
            out.push_str(name);
        }
        out
    }
}

/// Collects names into one string. Offsets are 32-bit: names past 4 GiB
/// of text in one list (no front matter comes near) are left off rather
/// than wrapped.
#[derive(Default)]
struct Collect {
    text: String,
    ends: Vec<u32>,
}

impl Collect {
    fn push(&mut self, name: &str) {
        if let Ok(end) = u32::try_from(self.text.len() + name.len()) {
            self.text.push_str(name);
            self.ends.push(end);
        }
    }

    fn finish(self) -> NameList {
        NameList {
            text: self.text.into_boxed_str(),
            ends: self.ends.into_boxed_slice(),
        }
    }
}

impl<S: AsRef<str>> FromIterator<S> for NameList {
    fn from_iter<I: IntoIterator<Item = S>>(names: I) -> Self {
        let mut list = Collect::default();
        for name in names {
            list.push(name.as_ref());
        }
        list.finish()
    }
}

impl<S: AsRef<str>, const N: usize> From<[S; N]> for NameList {
    fn from(names: [S; N]) -> Self {
        names.into_iter().collect()
    }
}

impl From<Vec<String>> for NameList {
    fn from(names: Vec<String>) -> Self {
        names.into_iter().collect()
    }
}

impl<S: AsRef<str>, const N: usize> PartialEq<[S; N]> for NameList {
    fn eq(&self, other: &[S; N]) -> bool {
        self.len() == N && self.iter().zip(other).all(|(a, b)| a == b.as_ref())
    }
}

impl<S: AsRef<str>> PartialEq<Vec<S>> for NameList {
    fn eq(&self, other: &Vec<S>) -> bool {
        self.len() == other.len() && self.iter().zip(other).all(|(a, b)| a == b.as_ref())
    }
}

impl fmt::Debug for NameList {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_list().entries(self.iter()).finish()
    }
}

#[derive(Clone)]
pub struct Iter<'a> {
    list: &'a NameList,
    front: usize,
    back: usize,
}

impl<'a> Iterator for Iter<'a> {
    type Item = &'a str;
    fn next(&mut self) -> Option<&'a str> {
        if self.front == self.back {
            return None;
        }
        self.front += 1;
        self.list.get(self.front - 1)
    }
    fn size_hint(&self) -> (usize, Option<usize>) {
        let n = self.back - self.front;
        (n, Some(n))
    }
}

impl DoubleEndedIterator for Iter<'_> {
    fn next_back(&mut self) -> Option<Self::Item> {
        if self.front == self.back {
            return None;
        }
        self.back -= 1;
        self.list.get(self.back)
    }
}

impl ExactSizeIterator for Iter<'_> {}

impl<'a> IntoIterator for &'a NameList {
    type Item = &'a str;
    type IntoIter = Iter<'a>;
    fn into_iter(self) -> Iter<'a> {
        self.iter()
    }
}

/// A list of strings, as a `Vec<String>` is.
impl Serialize for NameList {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_seq(self.iter())
    }
}

impl<'de> Deserialize<'de> for NameList {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_seq(ListVisitor)
    }
}

struct ListVisitor;

impl<'de> Visitor<'de> for ListVisitor {
    type Value = NameList;
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a list of strings")
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<NameList, A::Error> {
        let mut list = Collect::default();
        // Each name is copied from the input into the one string: no
        // allocation per name.
        while seq.next_element_seed(Append(&mut list))?.is_some() {}
        Ok(list.finish())
    }
}

struct Append<'l>(&'l mut Collect);

impl<'de> DeserializeSeed<'de> for Append<'_> {
    type Value = ();
    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<(), D::Error> {
        deserializer.deserialize_str(self)
    }
}

impl<'de> Visitor<'de> for Append<'_> {
    type Value = ();
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a string")
    }
    fn visit_str<E: de::Error>(self, name: &str) -> Result<(), E> {
        self.0.push(name);
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_come_back_in_order_from_either_end_and_through_serde() {
        let list = NameList::from(["Ada Lovelace", "", "Zoë Ng"]);
        assert_eq!(list.len(), 3);
        assert_eq!(list.get(1), Some(""));
        assert_eq!(list.get(3), None);
        assert_eq!(
            list.iter().collect::<Vec<_>>(),
            ["Ada Lovelace", "", "Zoë Ng"]
        );
        assert_eq!(list.iter().next_back(), Some("Zoë Ng"));
        assert_eq!(list.join(", "), "Ada Lovelace, , Zoë Ng");
        assert_eq!(format!("{list:?}"), r#"["Ada Lovelace", "", "Zoë Ng"]"#);
        assert!(NameList::default().is_empty());

        let bytes = postcard::to_stdvec(&list).unwrap();
        // The same bytes as the list of strings it replaced.
        let strings: Vec<String> = list.iter().map(String::from).collect();
        assert_eq!(bytes, postcard::to_stdvec(&strings).unwrap());
        assert_eq!(postcard::from_bytes::<NameList>(&bytes).unwrap(), list);
        let json = serde_json::to_string(&list).unwrap();
        assert_eq!(json, r#"["Ada Lovelace","","Zoë Ng"]"#);
        assert_eq!(serde_json::from_str::<NameList>(&json).unwrap(), list);
        assert!(serde_json::from_str::<NameList>("[1]").is_err());
    }
}
