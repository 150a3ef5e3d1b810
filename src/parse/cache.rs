//! The parse results of the last builds, kept beside the output folder
//! (`public` → `.public.parsed`), so the next `build` reads and parses only
//! the paper files that changed. An entry is used when its file's path,
//! size and modification time are as recorded; a file modified shortly
//! before its entry was written is read again anyway, as git does for its
//! index, because a second edit within one timestamp tick would otherwise
//! go unseen. A cache that is missing, damaged, or from another version or
//! parse setting is not used: the build parses everything, and says why
//! when the cache was there.
//!
//! The file is a header and then segments, one per build, each holding the
//! entries of the files that build read; a later entry for a path replaces
//! an earlier one. Appending keeps a one-paper edit from rewriting the
//! entries of every paper (456 MB at 100,000 papers); once replaced
//! entries would make up more than an eighth of the file, the build writes
//! it anew with only the live ones. A file read only because its time
//! stamp changed (every file, in a fresh CI checkout) whose text is the
//! entry's gets a stamp line, not its entry again: tens of bytes, not
//! kilobytes.

use std::io::{self, BufReader, BufWriter, Read, Write};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use rayon::prelude::*;
use rustc_hash::FxHashMap;
use serde::{Deserialize, Serialize};

use super::Paper;
use crate::cache_file::{Hashing, Pending};
use crate::diagnostic::Diagnostic;
use crate::load::Stamp;

const MAGIC: &[u8] = b"paperfeed parsed\n";
/// Changes whenever what is stored changes shape.
const FORMAT: u32 = 5;
/// How long before the cache was made a file must have last changed for
/// its time stamp to be trusted.
const RACY_NANOS: i128 = 2_000_000_000;
/// Entries decoded together.
const BATCH: u64 = 4096;

/// A paper file as last parsed.
#[derive(Serialize, Deserialize)]
struct Entry<P, D, B> {
    path: PathBuf,
    size: u64,
    mtime: i128,
    /// [`super::fingerprint`] of the file's path and text.
    fingerprint: u64,
    paper: Option<P>,
    problems: D,
    derived: Option<B>,
}

/// One line of a segment: a file's entry, or a new time stamp for the
/// entry of the same path and fingerprint.
#[derive(Serialize, Deserialize)]
enum Line<E> {
    Entry(E),
    Stamp {
        path: PathBuf,
        size: u64,
        mtime: i128,
        fingerprint: u64,
    },
}

/// An entry as read back. The paper is put in its `Arc` as it is decoded
/// (in parallel), and the map of entries holds a pointer, not the paper:
/// 400 MB less at a million papers.
type Owned = Entry<Arc<Paper>, Vec<Diagnostic>, Box<[u8]>>;

/// A file's entry, as [`ParseCache::take`] gives it back.
pub struct Cached {
    /// Whether the file's stamp says it is unchanged.
    pub unchanged: bool,
    /// The fingerprint of the text that was parsed.
    pub fingerprint: u64,
    pub parsed: Parsed,
    /// What later stages derived from the paper and asked to keep with it
    /// ([`crate::model::Memo::export`]); opaque here.
    pub derived: Option<Box<[u8]>>,
}

/// A file's entry, as [`write`] takes it.
pub struct Record<'a> {
    pub path: &'a Path,
    pub stamp: Stamp,
    pub fingerprint: u64,
    pub parsed: &'a Parsed,
    pub derived: Option<&'a [u8]>,
    /// Not as the cache file holds it: the build read the file (new,
    /// changed, or a stamp the cache could not trust), or the entry lacked
    /// `derived`. Only these are appended.
    pub fresh: bool,
    /// The file was read only for its new stamp and its text is the one
    /// the file holds an entry for: appended as a stamp line.
    pub restamp: bool,
}

/// A file's parse: the paper (unless an error stopped it) and its problems.
pub type Parsed = (Option<Arc<Paper>>, Vec<Diagnostic>);

/// The cache as read: entries by path, each with when the build that
/// wrote it started reading files.
#[derive(Default)]
pub struct ParseCache {
    entries: FxHashMap<PathBuf, (Owned, i128)>,
    stored: Option<Stored>,
}

/// What the cache file held when it was read: [`write`] appends to it only
/// if it is still that file.
#[derive(Clone, Copy, Debug)]
pub struct Stored {
    /// Entries in it, replaced ones included.
    records: u64,
    /// Stamp lines in it.
    stamps: u64,
    /// Its length in bytes.
    len: u64,
}

impl ParseCache {
    /// Reads the cache at `path` for a site whose parse setting hashes to
    /// `salt`. An empty cache when there is none; an empty cache and a note
    /// saying why when it is there but cannot be used.
    pub fn read(path: &Path, salt: u64) -> (ParseCache, Option<String>) {
        let file = match std::fs::File::open(path) {
            Ok(file) => file,
            Err(e) if e.kind() == io::ErrorKind::NotFound => return Default::default(),
            Err(e) => return (ParseCache::default(), Some(format!("cannot read it: {e}"))),
        };
        match read_entries(BufReader::with_capacity(1 << 20, file), salt) {
            Ok(cache) => (cache, None),
            Err(why) => (ParseCache::default(), Some(why)),
        }
    }

    /// The file as read, for [`write`]; `None` when there was none to use.
    pub fn stored(&self) -> Option<Stored> {
        self.stored
    }

    /// The recorded parse of `rel`, and whether its file's stamp says it is
    /// unchanged. When it does not (an edit, or a fresh checkout in CI that
    /// dates every file now), the caller reads the file and uses the parse
    /// only if the fingerprint of its text is the recorded one.
    pub fn take(&mut self, rel: &Path, stamp: Stamp) -> Option<Cached> {
        let (entry, made) = self.entries.remove(rel)?;
        let unchanged = entry.size == stamp.size
            && entry.mtime == stamp.mtime
            && stamp.mtime <= made - RACY_NANOS;
        Some(Cached {
            unchanged,
            fingerprint: entry.fingerprint,
            parsed: (entry.paper, entry.problems),
            derived: entry.derived,
        })
    }
}

/// Whether [`write`] writes the whole file for these `live` records, of
/// which `fresh` are [`Record::fresh`] (`restamps` of them as stamp
/// lines), rather than appending: when there
/// is no usable file, or appending would leave too many replaced entries.
/// Only then does it read the `derived` of records that are not fresh.
pub fn rewrites(stored: Option<Stored>, live: usize, fresh: usize, restamps: usize) -> bool {
    let Some(stored) = stored else {
        return true;
    };
    // Each live record is in the file once as its latest entry. A stamp
    // line is a few dozen bytes against an entry's few kilobytes.
    let full = fresh.saturating_sub(restamps) as u64;
    let replaced = (stored.records + full).saturating_sub(live as u64);
    replaced + (stored.stamps + restamps as u64) / 64 > live as u64 / 8 + 16
}

/// Saves the `live` records, in any order, as a build that started reading
/// at `made`: appends the fresh ones to the file [`ParseCache::read`] found
/// (`stored`), or writes a new file through a temporary one, so a reader
/// never sees half of it (see [`rewrites`]). If the file changed since it
/// was read, it is written anew from `live` as given: entries whose
/// `derived` the caller left out lack it, which costs the next build that
/// work once. An appended segment is in place at once (and cut off again
/// by [`Pending::abort`]); a new file waits for [`Pending::commit`].
pub fn write(
    path: &Path,
    salt: u64,
    made: i128,
    live: &[Record],
    stored: Option<Stored>,
) -> io::Result<Pending> {
    let fresh: Vec<&Record> = live.iter().filter(|r| r.fresh).collect();
    let restamps = fresh.iter().filter(|r| r.restamp).count();
    if let Some(stored) = stored.filter(|_| !rewrites(stored, live.len(), fresh.len(), restamps)) {
        if fresh.is_empty() {
            return Ok(Pending::Nothing);
        }
        if append(path, stored, made, &fresh)? {
            return Ok(Pending::Appended {
                path: path.to_path_buf(),
                len: stored.len,
            });
        }
    }
    crate::cache_file::aside(path, "parsed-tmp", |out| {
        out.write_all(MAGIC)?;
        out.write_all(&header(salt))?;
        write_segment(out, made, live.iter(), false)
    })
}

/// Appends a segment of `records` to the cache file if it is still the one
/// that was read (`Ok(false)` if not). A failed append is cut off again:
/// a half-written segment would make the whole file unusable.
fn append(path: &Path, stored: Stored, made: i128, records: &[&Record]) -> io::Result<bool> {
    let mut file = std::fs::OpenOptions::new().append(true).open(path)?;
    if file.metadata()?.len() != stored.len {
        return Ok(false);
    }
    let written = (|| {
        let mut out = BufWriter::with_capacity(1 << 20, &mut file);
        write_segment(&mut out, made, records.iter().copied(), true)?;
        out.flush()
    })();
    if let Err(e) = written {
        let _ = file.set_len(stored.len);
        return Err(e);
    }
    Ok(true)
}

/// When the build started reading, how many entries, the entries (each
/// with its length), and a checksum of all of it.
fn write_segment<'r>(
    out: &mut impl Write,
    made: i128,
    records: impl ExactSizeIterator<Item = &'r Record<'r>>,
    appending: bool,
) -> io::Result<()> {
    let mut out = Hashing::new(out);
    out.write_all(&made.to_le_bytes())?;
    out.write_all(&(records.len() as u64).to_le_bytes())?;
    let mut buf = Vec::new();
    for record in records {
        let (paper, problems) = record.parsed;
        let line = if appending && record.restamp {
            Line::Stamp {
                path: record.path.to_path_buf(),
                size: record.stamp.size,
                mtime: record.stamp.mtime,
                fingerprint: record.fingerprint,
            }
        } else {
            Line::Entry(Entry {
                path: record.path.to_path_buf(),
                size: record.stamp.size,
                mtime: record.stamp.mtime,
                fingerprint: record.fingerprint,
                paper: paper.as_deref(),
                problems: &problems[..],
                derived: record.derived,
            })
        };
        buf.clear();
        buf = postcard::to_extend(&line, buf).map_err(io::Error::other)?;
        out.write_all(&(buf.len() as u64).to_le_bytes())?;
        out.write_all(&buf)?;
    }
    let sum = out.hash();
    out.into_inner().write_all(&sum.to_le_bytes())
}

/// The program version and format, then the site's parse setting.
fn header(salt: u64) -> Vec<u8> {
    let version = env!("CARGO_PKG_VERSION").as_bytes();
    let mut out = FORMAT.to_le_bytes().to_vec();
    out.extend((version.len() as u64).to_le_bytes());
    out.extend(version);
    out.extend(salt.to_le_bytes());
    out
}

fn read_entries(reader: impl Read, salt: u64) -> Result<ParseCache, String> {
    let damaged = |e: io::Error| format!("it is damaged ({e})");
    let mut input = Hashing::new(reader);
    let mut magic = vec![0; MAGIC.len()];
    input.read_exact(&mut magic).map_err(damaged)?;
    let expected = header(salt);
    let mut got = vec![0; expected.len()];
    input.read_exact(&mut got).map_err(damaged)?;
    if magic != MAGIC {
        return Err("it is not a paperfeed parse cache".into());
    }
    if got != expected {
        return Err(
            "it was made by another version of paperfeed or another markdown setting".into(),
        );
    }
    let mut entries: FxHashMap<PathBuf, (Owned, i128)> = FxHashMap::default();
    let (mut records, mut stamps) = (0, 0);
    loop {
        input.restart();
        let mut made = [0; 16];
        // The file ends where a segment would start, or it is damaged.
        if input.read(&mut made[..1]).map_err(damaged)? == 0 {
            break;
        }
        input.read_exact(&mut made[1..]).map_err(damaged)?;
        let made = i128::from_le_bytes(made);
        let count = u64::from_le_bytes(read_array(&mut input).map_err(damaged)?);
        read_segment(&mut input, count, |line| match line {
            Line::Entry(entry) => {
                records += 1;
                entries.insert(entry.path.clone(), (entry, made));
            }
            Line::Stamp {
                path,
                size,
                mtime,
                fingerprint,
            } => {
                stamps += 1;
                if let Some((entry, at)) = entries.get_mut(&path)
                    && entry.fingerprint == fingerprint
                {
                    (entry.size, entry.mtime, *at) = (size, mtime, made);
                }
            }
        })?;
        let sum = input.hash();
        let recorded = u64::from_le_bytes(read_array(&mut input).map_err(damaged)?);
        if sum != recorded {
            return Err("it is damaged (its checksum does not match)".into());
        }
    }
    let stored = Some(Stored {
        records,
        stamps,
        len: input.count(),
    });
    Ok(ParseCache { entries, stored })
}

/// Reads a segment's `count` entries, in order (the checksum runs over
/// them), decoding them in parallel a batch at a time, so memory stays
/// near the cache's size.
fn read_segment(
    input: &mut impl Read,
    count: u64,
    mut each: impl FnMut(Line<Owned>),
) -> Result<(), String> {
    let damaged = |e: io::Error| format!("it is damaged ({e})");
    let mut left = count;
    // One buffer for a batch's records, kept from batch to batch: a
    // buffer per record cost a tenth of a second at 100,000 papers.
    let mut bytes = Vec::new();
    let mut ends = Vec::with_capacity(BATCH as usize);
    while left > 0 {
        let batch = left.min(BATCH);
        left -= batch;
        bytes.clear();
        ends.clear();
        for _ in 0..batch {
            let len = u64::from_le_bytes(read_array(input).map_err(damaged)?);
            // A length no entry can have is damage, not an allocation to try.
            let len = usize::try_from(len)
                .ok()
                .filter(|&len| len <= 1 << 30)
                .ok_or("it is damaged (an entry's length)")?;
            let start = bytes.len();
            bytes.resize(start + len, 0);
            input.read_exact(&mut bytes[start..]).map_err(damaged)?;
            ends.push(bytes.len());
        }
        let starts = std::iter::once(0).chain(ends.iter().copied());
        let records: Vec<&[u8]> = starts.zip(&ends).map(|(a, &b)| &bytes[a..b]).collect();
        let decoded: Vec<Line<Owned>> = records
            .par_iter()
            .map(|record| postcard::from_bytes(record))
            .collect::<Result<_, _>>()
            .map_err(|e| format!("it is damaged ({e})"))?;
        decoded.into_iter().for_each(&mut each);
    }
    Ok(())
}

fn read_array<const N: usize>(input: &mut impl Read) -> io::Result<[u8; N]> {
    let mut bytes = [0; N];
    input.read_exact(&mut bytes)?;
    Ok(bytes)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn paper(title: &str) -> Paper {
        let file = crate::load::SourceFile {
            path: PathBuf::from("content/papers/a.md"),
            text: format!("---\ntitle: {title}\ndate: 2024-01-02\nauthors: [A]\n---\nBody $x$.\n"),
        };
        let tools = super::super::Tools::default();
        super::super::parse_paper(&file, &tools.renderers(false, "/"))
            .0
            .unwrap()
    }

    const OLD: Stamp = Stamp {
        size: 10,
        mtime: 1_000_000_000_000,
    };
    const MADE: i128 = 2_000_000_000_000;
    /// Modified just before [`MADE`]: not to be trusted in an entry made then.
    const RACY: Stamp = Stamp {
        size: 10,
        mtime: MADE - 1,
    };

    fn written(dir: &Path) -> PathBuf {
        let path = dir.join(".public.parsed");
        let parsed: Parsed = (Some(Arc::new(paper("One"))), vec![]);
        let failed: Parsed = (None, vec![Diagnostic::error(Path::new("b.md"), "bad")]);
        write(
            &path,
            7,
            MADE,
            &[
                Record {
                    path: Path::new("a.md"),
                    stamp: OLD,
                    fingerprint: 1,
                    parsed: &parsed,
                    derived: Some(&[1, 2, 3]),
                    fresh: true,
                    restamp: false,
                },
                Record {
                    path: Path::new("b.md"),
                    stamp: OLD,
                    fingerprint: 2,
                    parsed: &failed,
                    derived: None,
                    fresh: true,
                    restamp: false,
                },
            ],
            None,
        )
        .unwrap()
        .commit()
        .unwrap();
        path
    }

    #[test]
    fn entries_come_back_while_their_files_are_unchanged() {
        let dir = tempfile::tempdir().unwrap();
        let path = written(dir.path());
        let (mut cache, note) = ParseCache::read(&path, 7);
        assert!(note.is_none());
        let a = cache.take(Path::new("a.md"), OLD).unwrap();
        assert!(a.unchanged);
        assert_eq!(a.fingerprint, 1);
        assert_eq!(a.derived.as_deref(), Some(&[1, 2, 3][..]));
        let (paper, problems) = a.parsed;
        let paper = paper.unwrap();
        assert_eq!((paper.title.as_str(), problems.len()), ("One", 0));
        assert_eq!(paper.body, self::paper("One").body);
        let b = cache.take(Path::new("b.md"), OLD).unwrap();
        assert!(b.derived.is_none());
        let (none, problems) = b.parsed;
        assert!(none.is_none() && problems[0].message == "bad");

        let stale = |stamp: Stamp| {
            let (mut cache, _) = ParseCache::read(&path, 7);
            !cache.take(Path::new("a.md"), stamp).unwrap().unchanged
        };
        assert!(stale(Stamp { size: 11, ..OLD }));
        assert!(stale(Stamp {
            mtime: OLD.mtime + 1,
            ..OLD
        }));
        // Changed within the racy window before the cache was made: the
        // time stamp cannot tell, so the file is read again.
        assert!(stale(Stamp {
            mtime: MADE - 1,
            ..OLD
        }));
        assert!(cache.take(Path::new("c.md"), OLD).is_none());
    }

    #[test]
    fn entries_in_many_batches_all_come_back() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join(".public.parsed");
        let parsed: Parsed = (Some(Arc::new(paper("One"))), vec![]);
        // Read back a batch at a time, the last one short.
        let count = BATCH as usize * 2 + 3;
        let paths: Vec<PathBuf> = (0..count)
            .map(|i| PathBuf::from(format!("{i}.md")))
            .collect();
        let records: Vec<Record> = paths
            .iter()
            .enumerate()
            .map(|(i, path)| Record {
                path,
                stamp: OLD,
                fingerprint: i as u64,
                parsed: &parsed,
                derived: None,
                fresh: true,
                restamp: false,
            })
            .collect();
        write(&path, 7, MADE, &records, None)
            .unwrap()
            .commit()
            .unwrap();
        let (mut cache, note) = ParseCache::read(&path, 7);
        assert!(note.is_none(), "{note:?}");
        for (i, path) in paths.iter().enumerate() {
            assert_eq!(cache.take(path, OLD).unwrap().fingerprint, i as u64);
        }
    }

    /// Entries for `paths`, fingerprinted by number, `edited` ones fresh
    /// and with fingerprints of their own, all stamped [`RACY`].
    fn records<'a>(paths: &'a [PathBuf], parsed: &'a Parsed, edited: &[usize]) -> Vec<Record<'a>> {
        paths
            .iter()
            .enumerate()
            .map(|(i, path)| Record {
                path,
                stamp: RACY,
                fingerprint: i as u64 + if edited.contains(&i) { 1000 } else { 0 },
                parsed,
                derived: None,
                fresh: edited.contains(&i),
                restamp: false,
            })
            .collect()
    }

    /// A cache of 100 entries in `dir`, made at [`MADE`]: its path, the
    /// parse every entry holds, the files' paths and the file's length.
    fn hundred(dir: &Path) -> (PathBuf, Parsed, Vec<PathBuf>, u64) {
        let path = dir.join(".public.parsed");
        let parsed: Parsed = (Some(Arc::new(paper("One"))), vec![]);
        let paths: Vec<PathBuf> = (0..100).map(|i| PathBuf::from(format!("{i}.md"))).collect();
        write(&path, 7, MADE, &records(&paths, &parsed, &[]), None)
            .unwrap()
            .commit()
            .unwrap();
        let whole = std::fs::metadata(&path).unwrap().len();
        (path, parsed, paths, whole)
    }

    #[test]
    fn a_build_appends_only_what_it_read_until_replaced_entries_pile_up() {
        let dir = tempfile::tempdir().unwrap();
        let (path, parsed, paths, whole) = hundred(dir.path());
        let (cache, _) = ParseCache::read(&path, 7);
        let stored = cache.stored().unwrap();
        assert_eq!((stored.records, stored.len), (100, whole));

        // One edited file: one entry appended, a later segment with a later
        // `made`; it replaces the first entry for that path.
        let later = MADE + 10 * RACY_NANOS;
        write(
            &path,
            7,
            later,
            &records(&paths, &parsed, &[3]),
            Some(stored),
        )
        .unwrap()
        .commit()
        .unwrap();
        let grown = std::fs::metadata(&path).unwrap().len();
        assert!(
            grown > whole && grown < whole + whole / 50,
            "{whole} -> {grown}"
        );
        let (mut cache, note) = ParseCache::read(&path, 7);
        assert!(note.is_none(), "{note:?}");
        assert_eq!(cache.stored().unwrap().records, 101);
        // Each entry is judged by when its own build started: a stamp
        // too close to the first build is trusted in the second's entry.
        let three = cache.take(&paths[3], RACY).unwrap();
        assert_eq!((three.fingerprint, three.unchanged), (1003, true));
        let four = cache.take(&paths[4], RACY).unwrap();
        assert_eq!((four.fingerprint, four.unchanged), (4, false));

        // Written but not committed: an appended segment is cut off again,
        // a new file never replaces the old.
        let stored = ParseCache::read(&path, 7).0.stored();
        let before = std::fs::read(&path).unwrap();
        let appended = write(&path, 7, later, &records(&paths, &parsed, &[5]), stored).unwrap();
        assert!(matches!(appended, Pending::Appended { .. }), "{appended:?}");
        assert!(std::fs::metadata(&path).unwrap().len() > grown);
        appended.abort();
        let replaced = write(&path, 7, later, &records(&paths, &parsed, &[5]), None).unwrap();
        assert!(matches!(replaced, Pending::Replace { .. }), "{replaced:?}");
        replaced.abort();
        assert_eq!(std::fs::read(&path).unwrap(), before);
        assert_eq!(
            std::fs::read_dir(dir.path()).unwrap().count(),
            1,
            "no temporary left"
        );

        // Nothing fresh: nothing written.
        write(&path, 7, later, &records(&paths, &parsed, &[]), stored)
            .unwrap()
            .commit()
            .unwrap();
        assert_eq!(std::fs::metadata(&path).unwrap().len(), grown);

        // Replaced entries past an eighth of the live ones (plus 16): the
        // file is written anew with only the live entries.
        let many: Vec<usize> = (0..40).collect();
        assert!(rewrites(stored, 100, 40, 0) && !rewrites(stored, 100, 20, 0));
        write(&path, 7, later, &records(&paths, &parsed, &many), stored)
            .unwrap()
            .commit()
            .unwrap();
        let (mut cache, _) = ParseCache::read(&path, 7);
        assert_eq!(cache.stored().unwrap().records, 100);
        assert_eq!(cache.take(&paths[39], RACY).unwrap().fingerprint, 1039);
        assert_eq!(cache.take(&paths[40], RACY).unwrap().fingerprint, 40);
    }

    #[test]
    fn a_new_stamp_on_the_same_text_is_a_stamp_line_not_a_new_entry() {
        let dir = tempfile::tempdir().unwrap();
        let (path, parsed, paths, whole) = hundred(dir.path());
        // A fresh checkout: every file stamped anew, texts unchanged, but
        // for file 5, which has a new text (a new fingerprint).
        let checkout = Stamp {
            size: 10,
            mtime: MADE + RACY_NANOS,
        };
        let later = MADE + 10 * RACY_NANOS;
        let mut restamped = records(&paths, &parsed, &[5]);
        for (i, r) in restamped.iter_mut().enumerate() {
            r.stamp = checkout;
            r.fresh = true;
            r.restamp = i != 5;
        }
        let stored = ParseCache::read(&path, 7).0.stored();
        assert!(!rewrites(stored, 100, 100, 99));
        write(&path, 7, later, &restamped, stored)
            .unwrap()
            .commit()
            .unwrap();
        let grown = std::fs::metadata(&path).unwrap().len();
        // Appending the 100 entries again would double the file; these
        // entries are small, so a stamp line is a fifth of one here.
        assert!(grown < whole + whole / 3, "{whole} -> {grown}");
        let (mut cache, note) = ParseCache::read(&path, 7);
        assert!(note.is_none(), "{note:?}");
        let stored = cache.stored().unwrap();
        assert_eq!((stored.records, stored.stamps), (101, 99));
        // The new stamp is trusted, as of the later build; the old one not.
        let two = cache.take(&paths[2], checkout).unwrap();
        assert_eq!((two.fingerprint, two.unchanged), (2, true));
        assert!(two.parsed.0.is_some());
        assert!(
            !ParseCache::read(&path, 7)
                .0
                .take(&paths[2], RACY)
                .unwrap()
                .unchanged
        );
        let five = cache.take(&paths[5], checkout).unwrap();
        assert_eq!((five.fingerprint, five.unchanged), (1005, true));
        // A stamp line for a text the entry does not hold changes nothing.
        let again = Stamp {
            size: 11,
            ..checkout
        };
        let mut wrong = records(&paths, &parsed, &[]);
        wrong[7].fingerprint = 99;
        (wrong[7].stamp, wrong[7].fresh, wrong[7].restamp) = (again, true, true);
        write(&path, 7, later, &wrong, Some(stored))
            .unwrap()
            .commit()
            .unwrap();
        let seven = ParseCache::read(&path, 7).0.take(&paths[7], again).unwrap();
        assert!(!seven.unchanged, "the entry keeps its own stamp");
        // Stamp lines pile up too: past an eighth of the entries' worth,
        // the file is written anew.
        let piled = Stored {
            stamps: 64 * 30,
            ..stored
        };
        assert!(rewrites(Some(piled), 100, 0, 0) && !rewrites(Some(stored), 100, 0, 0));
    }

    #[test]
    fn a_file_changed_since_it_was_read_is_written_anew_not_appended_to() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join(".public.parsed");
        let parsed: Parsed = (Some(Arc::new(paper("One"))), vec![]);
        let paths: Vec<PathBuf> = (0..10).map(|i| PathBuf::from(format!("{i}.md"))).collect();
        write(&path, 7, MADE, &records(&paths, &parsed, &[]), None)
            .unwrap()
            .commit()
            .unwrap();
        let stored = ParseCache::read(&path, 7).0.stored();
        // Another build rewrote it meanwhile, with fewer files.
        write(&path, 7, MADE, &records(&paths[..5], &parsed, &[]), None)
            .unwrap()
            .commit()
            .unwrap();
        write(&path, 7, MADE, &records(&paths, &parsed, &[7]), stored)
            .unwrap()
            .commit()
            .unwrap();
        let (mut cache, note) = ParseCache::read(&path, 7);
        assert!(note.is_none(), "{note:?}");
        assert_eq!(cache.stored().unwrap().records, 10);
        assert_eq!(cache.take(&paths[7], RACY).unwrap().fingerprint, 1007);
        assert_eq!(cache.take(&paths[8], RACY).unwrap().fingerprint, 8);
    }

    #[test]
    fn a_damaged_or_foreign_cache_is_not_used_and_says_why() {
        let dir = tempfile::tempdir().unwrap();
        let path = written(dir.path());
        let (cache, note) = ParseCache::read(&path, 8);
        assert!(cache.entries.is_empty());
        assert!(note.unwrap().contains("another version"));

        // A second segment: damage in either makes the whole file unusable.
        let parsed: Parsed = (Some(Arc::new(paper("Two"))), vec![]);
        let stored = ParseCache::read(&path, 7).0.stored();
        let record = |fresh| Record {
            path: Path::new("a.md"),
            stamp: OLD,
            fingerprint: 3,
            parsed: &parsed,
            derived: None,
            fresh,
            restamp: false,
        };
        write(
            &path,
            7,
            MADE,
            &[
                record(true),
                Record {
                    fingerprint: 2,
                    ..record(false)
                },
            ],
            stored,
        )
        .unwrap()
        .commit()
        .unwrap();
        assert_eq!(ParseCache::read(&path, 7).0.stored().unwrap().records, 3);
        let bytes = std::fs::read(&path).unwrap();
        for cut in [0, 5, bytes.len() / 2, bytes.len() - 1] {
            std::fs::write(&path, &bytes[..cut]).unwrap();
            let (cache, note) = ParseCache::read(&path, 7);
            assert!(cache.entries.is_empty(), "cut at {cut}");
            assert!(note.is_some(), "cut at {cut}");
        }
        for at in [bytes.len() / 3, bytes.len() - 40, bytes.len() - 3] {
            let mut flipped = bytes.clone();
            flipped[at] ^= 0x20;
            std::fs::write(&path, &flipped).unwrap();
            let (cache, note) = ParseCache::read(&path, 7);
            assert!(cache.entries.is_empty(), "flipped at {at}");
            assert!(note.unwrap().contains("damaged"), "flipped at {at}");
        }
        let missing = ParseCache::read(&dir.path().join("none"), 7);
        assert!(missing.0.entries.is_empty() && missing.1.is_none());
    }
}
