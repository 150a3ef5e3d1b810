//! A value one build keeps for the next in a file beside the output (the
//! search postings, the related papers' scores): its kind, format and the
//! program version up front, a checksum at the end, written through a
//! temporary file so a reader never sees half of one. What cannot be used
//! says why, for the build's `note:`; the caller then works from scratch.

use std::fs::File;
use std::io::{self, BufRead, BufReader, BufWriter, Read, Write};
use std::path::{Path, PathBuf};

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

/// Strings and byte strings up to this size are decoded as the file is
/// read, without holding the whole file (at a million papers the search
/// postings file is hundreds of megabytes, read beside what it decodes to).
/// A file with a longer one is read whole instead.
const STREAM_SCRATCH: usize = 8 << 20;

/// `Ok(None)` when there is no file; `Err` says why one cannot be used.
pub fn read<T: DeserializeOwned>(
    path: &Path,
    kind: &str,
    format: u32,
) -> Result<Option<T>, String> {
    let file = match File::open(path) {
        Ok(file) => file,
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(format!("cannot read it: {e}")),
    };
    match read_streaming(&file, kind, format) {
        Ok(value) => Ok(Some(value)),
        // Whatever went wrong, reading the whole file gives the verdict
        // (and the value, if only the scratch was too small).
        Err(_) => read_whole(path, kind, format).map(Some),
    }
}

fn read_streaming<T: DeserializeOwned>(file: &File, kind: &str, format: u32) -> io::Result<T> {
    let len = file.metadata()?.len();
    let header = header(kind, format);
    let mut input = BufReader::with_capacity(1 << 16, file);
    let mut got = vec![0; header.len()];
    input.read_exact(&mut got)?;
    let payload = (len.checked_sub(header.len() as u64 + 8))
        .filter(|_| got == header)
        .ok_or_else(|| io::Error::other("not this kind or version"))?;
    // Hashed in the buffer's chunks, not postcard's bytes.
    let mut hashed = BufReader::with_capacity(1 << 16, Hashing::new(input.take(payload)));
    let mut scratch = vec![0; STREAM_SCRATCH];
    let (value, _) =
        postcard::from_io((&mut hashed, &mut scratch[..])).map_err(io::Error::other)?;
    if !hashed.fill_buf()?.is_empty() {
        return Err(io::Error::other("bytes after the value"));
    }
    let hashing = hashed.into_inner();
    let sum = hashing.hash();
    let mut stored = [0; 8];
    hashing.into_inner().into_inner().read_exact(&mut stored)?;
    if sum.to_le_bytes() != stored {
        return Err(io::Error::other("checksum"));
    }
    Ok(value)
}

fn read_whole<T: DeserializeOwned>(path: &Path, kind: &str, format: u32) -> Result<T, String> {
    let bytes = std::fs::read(path).map_err(|e| format!("cannot read it: {e}"))?;
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
    postcard::from_bytes(payload).map_err(|e| format!("it is damaged ({e})"))
}

/// Serialised straight into the file, never whole in memory.
pub fn write<T: Serialize>(path: &Path, kind: &str, format: u32, value: &T) -> io::Result<()> {
    write_aside(path, kind, format, value)?.commit()
}

/// Like [`write`], but the new file waits beside the old one until
/// [`Pending::commit`].
pub fn write_aside<T: Serialize>(
    path: &Path,
    kind: &str,
    format: u32,
    value: &T,
) -> io::Result<Pending> {
    aside(path, &format!("{kind}-tmp"), |out| {
        out.write_all(&header(kind, format))?;
        // Hashed in the buffer's chunks, not postcard's bytes.
        let mut hashed = BufWriter::with_capacity(1 << 16, Hashing::new(&mut *out));
        postcard::to_io(value, &mut hashed).map_err(io::Error::other)?;
        let sum = hashed.into_inner().map_err(|e| e.into_error())?.hash();
        out.write_all(&sum.to_le_bytes())
    })
}

/// Writes `path` anew through a temporary file beside it (its extension
/// `temp_extension`), filled by `fill`, for [`Pending::commit`] to rename
/// into place, so a reader sees the old file or the whole new one; the
/// temporary is removed on failure.
pub fn aside(
    path: &Path,
    temp_extension: &str,
    fill: impl FnOnce(&mut BufWriter<File>) -> io::Result<()>,
) -> io::Result<Pending> {
    let temp = path.with_extension(temp_extension);
    let written = (|| {
        let mut out = BufWriter::with_capacity(1 << 20, File::create(&temp)?);
        fill(&mut out)?;
        out.flush()
    })();
    match written {
        Ok(()) => Ok(Pending::Replace {
            temp,
            path: path.to_path_buf(),
        }),
        Err(e) => {
            let _ = std::fs::remove_file(&temp);
            Err(e)
        }
    }
}

/// A cache file written but not yet final. `build` writes its caches
/// before the output, so what they hold can be freed before rendering, and
/// commits them only once the output is written: a build that fails
/// leaves nothing beside the output changed.
#[must_use]
#[derive(Debug)]
pub enum Pending {
    /// Nothing was written.
    Nothing,
    /// A whole new file at `temp`, to be renamed over `path`.
    Replace { temp: PathBuf, path: PathBuf },
    /// `path` was `len` bytes long before a segment was appended to it.
    Appended { path: PathBuf, len: u64 },
}

impl Pending {
    pub fn commit(self) -> io::Result<()> {
        match self {
            Pending::Replace { temp, path } => std::fs::rename(&temp, &path).inspect_err(|_| {
                let _ = std::fs::remove_file(&temp);
            }),
            Pending::Nothing | Pending::Appended { .. } => Ok(()),
        }
    }

    /// Leaves the file as it was before.
    pub fn abort(self) {
        match self {
            Pending::Replace { temp, .. } => {
                let _ = std::fs::remove_file(&temp);
            }
            Pending::Appended { path, len } => {
                let _ = std::fs::OpenOptions::new()
                    .write(true)
                    .open(&path)
                    .and_then(|f| f.set_len(len));
            }
            Pending::Nothing => {}
        }
    }
}

/// A reader or writer that hashes and counts what passes through it: the
/// checksums of this module's files and of the parse cache.
pub(crate) struct Hashing<T> {
    inner: T,
    hasher: xxhash_rust::xxh3::Xxh3,
    count: u64,
}

impl<T> Hashing<T> {
    pub(crate) fn new(inner: T) -> Self {
        Hashing {
            inner,
            hasher: xxhash_rust::xxh3::Xxh3::new(),
            count: 0,
        }
    }
    /// Hashes from here on only; the count goes on.
    pub(crate) fn restart(&mut self) {
        self.hasher.reset();
    }
    pub(crate) fn hash(&self) -> u64 {
        self.hasher.digest()
    }
    /// Bytes passed through since it was made.
    pub(crate) fn count(&self) -> u64 {
        self.count
    }
    pub(crate) fn into_inner(self) -> T {
        self.inner
    }
}

impl<R: Read> Read for Hashing<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.hasher.update(&buf[..n]);
        self.count += n as u64;
        Ok(n)
    }
}

impl<W: Write> Write for Hashing<W> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        let n = self.inner.write(buf)?;
        self.hasher.update(&buf[..n]);
        self.count += n as u64;
        Ok(n)
    }
    fn flush(&mut self) -> io::Result<()> {
        self.inner.flush()
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

    #[test]
    fn a_file_written_aside_replaces_the_old_one_only_when_committed() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join(".public.things");
        write(&path, "things", 1, &vec![1u32]).unwrap();
        write_aside(&path, "things", 1, &vec![2u32])
            .unwrap()
            .abort();
        assert_eq!(read(&path, "things", 1), Ok(Some(vec![1u32])));
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 1);
        let pending = write_aside(&path, "things", 1, &vec![3u32]).unwrap();
        assert_eq!(read(&path, "things", 1), Ok(Some(vec![1u32])));
        pending.commit().unwrap();
        assert_eq!(read(&path, "things", 1), Ok(Some(vec![3u32])));
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 1);
    }

    #[test]
    fn a_file_is_decoded_as_it_is_read_unless_a_string_outgrows_the_scratch() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join(".public.things");
        let small = vec!["word".to_string(); 3];
        write(&path, "things", 1, &small).unwrap();
        let file = || File::open(&path).unwrap();
        let streamed: Vec<String> = read_streaming(&file(), "things", 1).unwrap();
        assert_eq!(streamed, small);
        // A damaged payload, a short file and bytes after the value are
        // all refused by the streaming reader itself.
        let good = std::fs::read(&path).unwrap();
        for bad in [
            [
                &good[..good.len() - 9],
                &[good[good.len() - 9] ^ 1],
                &good[good.len() - 8..],
            ]
            .concat(),
            good[..good.len() - 1].to_vec(),
            [&good[..good.len() - 8], &[0], &good[good.len() - 8..]].concat(),
        ] {
            std::fs::write(&path, &bad).unwrap();
            assert!(read_streaming::<Vec<String>>(&file(), "things", 1).is_err());
        }
        // Longer than the scratch: the whole-file reader takes over.
        let large = vec!["x".repeat(STREAM_SCRATCH + 1)];
        write(&path, "things", 1, &large).unwrap();
        assert!(read_streaming::<Vec<String>>(&file(), "things", 1).is_err());
        assert_eq!(read(&path, "things", 1), Ok(Some(large)));
    }
}
