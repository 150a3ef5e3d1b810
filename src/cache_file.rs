//! A value one build keeps for the next in a file beside the output (the
//! search postings, the related papers' scores): its kind, format and the
//! program version up front, a checksum at the end, written through a
//! temporary file so a reader never sees half of one. What cannot be used
//! says why, for the build's `note:`; the caller then works from scratch.

use std::fs::File;
use std::io::{self, BufWriter, Write};
use std::path::Path;

use serde::Serialize;
use serde::de::DeserializeOwned;

/// What a file of one `kind` starts with: `kind` names it (and is its
/// temporary file's extension); `format` changes with its layout.
fn header(kind: &str, format: u32) -> Vec<u8> {
    let version = env!("CARGO_PKG_VERSION").as_bytes();
    let mut out = format!("paperfeed {kind}\n").into_bytes();
    out.extend(format.to_le_bytes());
    out.extend((version.len() as u64).to_le_bytes());
    out.extend(version);
    out
}

/// `Ok(None)` when there is no file; `Err` says why one cannot be used.
pub fn read<T: DeserializeOwned>(
    path: &Path,
    kind: &str,
    format: u32,
) -> Result<Option<T>, String> {
    let bytes = match std::fs::read(path) {
        Ok(bytes) => bytes,
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(format!("cannot read it: {e}")),
    };
    if !bytes.starts_with(format!("paperfeed {kind}\n").as_bytes()) {
        return Err(format!("it is not a paperfeed {kind} cache"));
    }
    let Some(rest) = bytes.strip_prefix(&header(kind, format)[..]) else {
        return Err("it was made by another version of paperfeed".into());
    };
    let damaged = || "it is damaged (its checksum does not match)".to_string();
    let (payload, sum) = rest
        .split_at_checked(rest.len().wrapping_sub(8))
        .ok_or_else(damaged)?;
    if xxhash_rust::xxh3::xxh3_64(payload).to_le_bytes() != sum {
        return Err(damaged());
    }
    postcard::from_bytes(payload)
        .map(Some)
        .map_err(|e| format!("it is damaged ({e})"))
}

pub fn write<T: Serialize>(path: &Path, kind: &str, format: u32, value: &T) -> io::Result<()> {
    let payload = postcard::to_stdvec(value).map_err(io::Error::other)?;
    replace(path, &format!("{kind}-tmp"), |out| {
        out.write_all(&header(kind, format))?;
        out.write_all(&payload)?;
        out.write_all(&xxhash_rust::xxh3::xxh3_64(&payload).to_le_bytes())
    })
}

/// Writes `path` anew through a temporary file beside it (its extension
/// `temp_extension`), filled by `fill` and renamed into place, so a reader
/// sees the old file or the whole new one; the temporary is removed on
/// failure.
pub fn replace(
    path: &Path,
    temp_extension: &str,
    fill: impl FnOnce(&mut BufWriter<File>) -> io::Result<()>,
) -> io::Result<()> {
    let temp = path.with_extension(temp_extension);
    let written = (|| {
        let mut out = BufWriter::with_capacity(1 << 20, File::create(&temp)?);
        fill(&mut out)?;
        out.flush()
    })();
    match written.and_then(|()| std::fs::rename(&temp, path)) {
        Ok(()) => Ok(()),
        Err(e) => {
            let _ = std::fs::remove_file(&temp);
            Err(e)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_value_comes_back_and_a_damaged_or_foreign_file_says_why() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join(".public.things");
        assert_eq!(read::<Vec<u32>>(&path, "things", 1), Ok(None));
        write(&path, "things", 1, &vec![1u32, 2, 3]).unwrap();
        assert_eq!(
            read::<Vec<u32>>(&path, "things", 1),
            Ok(Some(vec![1, 2, 3]))
        );
        let why = |r: Result<Option<Vec<u32>>, String>| r.unwrap_err();
        assert!(why(read(&path, "things", 2)).contains("another version"));
        assert!(why(read(&path, "others", 1)).contains("not a paperfeed others cache"));
        let mut bytes = std::fs::read(&path).unwrap();
        let last = bytes.len() - 9;
        bytes[last] ^= 1;
        std::fs::write(&path, &bytes).unwrap();
        assert!(why(read(&path, "things", 1)).contains("damaged"));
        std::fs::write(&path, b"paperf").unwrap();
        assert!(why(read(&path, "things", 1)).contains("not a paperfeed"));
        assert!(!dir.path().join(".public.things-tmp").exists());
    }
}
