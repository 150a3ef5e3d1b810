//! Text a build holds from start to end (each paper's body, each card),
//! kept LZ4-compressed and unpacked where it is used: a few microseconds,
//! against a third to a half of the memory. A patch's files wait in the
//! spool the same way (see `write`). A block may take its repeats
//! from a dictionary, bytes the reader passes again to unpack it: the
//! body's HTML takes its words from its text, a card its markup from
//! another card.

/// `bytes` as one block of their own, for [`unpack_bytes`].
pub fn pack_bytes(bytes: &[u8]) -> Vec<u8> {
    lz4_flex::block::compress(bytes)
}

/// The `len` bytes [`pack_bytes`] made `block` of, or `None` when it does
/// not unpack to them (a damaged or truncated file).
pub fn unpack_bytes(block: &[u8], len: usize) -> Option<Vec<u8>> {
    if len > block.len().saturating_mul(255).max(16) {
        return None;
    }
    lz4_flex::block::decompress(block, len)
        .ok()
        .filter(|bytes| bytes.len() == len)
}

/// `text` as one block, against `dict` (empty for none).
pub fn pack(text: &str, dict: &[u8]) -> Box<[u8]> {
    if text.is_empty() {
        return Box::default();
    }
    lz4_flex::block::compress_with_dict(text.as_bytes(), dict).into_boxed_slice()
}

/// The `len` bytes [`pack`] made `block` of, with the same `dict`.
///
/// A block that does not unpack can only come from a damaged cache, whose
/// checksum turns it away before it gets here, or from a bug: the empty
/// string is the answer that cannot crash a build. LZ4 expands at most 255
/// times, so a length beyond that is damage too, and is not allocated.
pub fn unpack(block: &[u8], len: usize, dict: &[u8]) -> String {
    if block.is_empty() || len > block.len().saturating_mul(255) {
        return String::new();
    }
    let bytes = lz4_flex::block::decompress_with_dict(block, len, dict).unwrap_or_default();
    String::from_utf8(bytes).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_comes_back_with_or_without_a_dictionary() {
        let text = "<p>Offline RL with <math><mi>x</mi></math> — naïve.</p>";
        assert_eq!(unpack(&pack(text, b""), text.len(), b""), text);
        let dict = b"Offline RL naive";
        assert_eq!(unpack(&pack(text, dict), text.len(), dict), text);
        assert!(pack("", b"").is_empty());
        assert_eq!(unpack(&[], 0, b""), "");
    }

    #[test]
    fn a_dictionary_holds_the_repeats() {
        let card = |n: usize| {
            format!(
                "<article class=\"card\"><h3 class=\"card-title\"><a href=\"/papers/p-{n}/\">Paper {n}</a></h3><p class=\"card-summary\">words</p></article>"
            )
        };
        let dict = card(1);
        let alone = pack(&card(2), b"").len();
        let against = pack(&card(2), dict.as_bytes()).len();
        assert!(
            against * 2 < alone,
            "{against} bytes with the dictionary, {alone} without"
        );
    }

    #[test]
    fn bytes_come_back_and_damage_is_refused() {
        let bytes = b"<p>abc abc abc abc</p>\x00\xff".repeat(50);
        let block = pack_bytes(&bytes);
        assert!(block.len() * 4 < bytes.len(), "{} bytes", block.len());
        assert_eq!(
            unpack_bytes(&block, bytes.len()).as_deref(),
            Some(&bytes[..])
        );
        assert_eq!(unpack_bytes(&pack_bytes(b""), 0).as_deref(), Some(&b""[..]));
        assert_eq!(unpack_bytes(&block[..block.len() / 2], bytes.len()), None);
        assert_eq!(unpack_bytes(&block, bytes.len() + 1), None);
        assert_eq!(unpack_bytes(&block, usize::MAX), None);
    }

    #[test]
    fn damage_unpacks_to_the_empty_string_not_a_crash() {
        let text = "abc abc abc abc";
        let block = pack(text, b"");
        assert_eq!(unpack(&[0xff; 3], text.len(), b""), "");
        assert_eq!(unpack(&block, usize::MAX, b""), "");
    }
}
