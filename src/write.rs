//! Stage 5: put the rendered files on disk. The only code that touches the
//! output folder. A manifest beside the output records each unit's key and
//! each file's hash, so the next build renders only units whose inputs
//! changed and writes only files whose bytes changed. Without a manifest,
//! everything goes to a staging folder that replaces the output once
//! complete. Nothing is written before every changed unit rendered, so a
//! failed build never leaves a half-written or emptied site behind.

use std::collections::HashMap;
use std::io;
use std::path::{Component, Path, PathBuf};

use rayon::prelude::*;
use rustc_hash::{FxHashMap, FxHashSet};

use crate::diagnostic::Diagnostic;
use crate::engine::{Keyed, Render, Store};
use crate::packed;
use crate::render::Output;

#[derive(Debug, thiserror::Error)]
pub enum WriteError {
    #[error("refusing to write the site into {path}: {reason}")]
    UnsafeOutput { path: PathBuf, reason: &'static str },
    #[error("{action} {path}: {source}")]
    Io {
        action: &'static str,
        path: PathBuf,
        source: io::Error,
    },
    #[error("output path `{0}` would leave the output folder")]
    EscapingPath(String),
    #[error("updating some units of the output needs the manifest of a full build")]
    Partial,
    /// A failure after every new byte was on disk, while moving files into
    /// place: the only way the output can end up between two builds.
    #[error(
        "{action} {path}: {source}; the output is partly updated, and the next build rewrites it in full"
    )]
    Interrupted {
        action: &'static str,
        path: PathBuf,
        source: io::Error,
    },
}

impl WriteError {
    /// Whether the output folder is still exactly as the last build left it.
    pub fn output_untouched(&self) -> bool {
        !matches!(self, WriteError::Interrupted { .. })
    }

    /// What to do about it, when the error says.
    pub fn help(&self) -> Option<&'static str> {
        let source = match self {
            WriteError::Io { source, .. } | WriteError::Interrupted { source, .. } => source,
            _ => return None,
        };
        Some(match source.kind() {
            io::ErrorKind::StorageFull | io::ErrorKind::QuotaExceeded => {
                "free space on the output's disk (or pass --output on another one), then build again"
            }
            io::ErrorKind::PermissionDenied | io::ErrorKind::ReadOnlyFilesystem => {
                "make the output folder writable, or pass --output to build elsewhere"
            }
            _ => return None,
        })
    }
}

impl Failure {
    /// Whether the output folder is still exactly as the last build left it.
    pub fn output_untouched(&self) -> bool {
        match self {
            Failure::Render(_) => true,
            Failure::Write(e) => e.output_untouched(),
        }
    }

    /// The failure as the problem to report; a write error is located at
    /// `output` (the folder or store written to) and says what to do.
    pub fn into_diagnostic(self, output: &Path) -> Diagnostic {
        match self {
            Failure::Render(d) => d,
            Failure::Write(e) => {
                let d = Diagnostic::error(output, e.to_string());
                match e.help() {
                    Some(help) => d.with_help(help),
                    None => d,
                }
            }
        }
    }
}

fn io_err(action: &'static str, path: &Path) -> impl FnOnce(io::Error) -> WriteError {
    let path = path.to_path_buf();
    move |source| WriteError::Io {
        action,
        path,
        source,
    }
}

fn interrupted(action: &'static str, path: &Path) -> impl FnOnce(io::Error) -> WriteError {
    let path = path.to_path_buf();
    move |source| WriteError::Interrupted {
        action,
        path,
        source,
    }
}

/// Where the writer's bytes go. Everything that takes space (files,
/// folders) goes through it; renames and removals need none and go straight
/// to the file system. The tests put a disk that fills up behind it.
pub trait Disk: Sync {
    fn write(&self, path: &Path, bytes: &[u8]) -> io::Result<()>;
    fn append(&self, path: &Path, bytes: &[u8]) -> io::Result<()>;
    fn create_dir_all(&self, path: &Path) -> io::Result<()>;
}

/// The real file system.
pub struct FileSystem;

impl Disk for FileSystem {
    fn write(&self, path: &Path, bytes: &[u8]) -> io::Result<()> {
        std::fs::write(path, bytes)
    }
    fn append(&self, path: &Path, bytes: &[u8]) -> io::Result<()> {
        use std::io::Write;
        std::fs::OpenOptions::new()
            .append(true)
            .open(path)?
            .write_all(bytes)
    }
    fn create_dir_all(&self, path: &Path) -> io::Result<()> {
        std::fs::create_dir_all(path)
    }
}

/// Refuses output folders whose replacement would destroy the site's own
/// sources: the site root, `content/`, anything containing them, or `/`.
pub fn check_output_dir(root: &Path, output: &Path) -> Result<(), WriteError> {
    let refuse = |reason| {
        Err(WriteError::UnsafeOutput {
            path: output.to_path_buf(),
            reason,
        })
    };
    let output_abs = absolute(output);
    let root_abs = absolute(root);
    if output_abs.parent().is_none() {
        return refuse("it is the file-system root");
    }
    if root_abs.starts_with(&output_abs) {
        return refuse("it is the site folder or contains it");
    }
    for source in ["content", "themes", "templates", "static"] {
        if output_abs.starts_with(root_abs.join(source)) {
            return refuse("it is inside one of the site's source folders");
        }
    }
    Ok(())
}

/// Absolute, with `.` and `..` resolved lexically (the folder may not exist).
fn absolute(path: &Path) -> PathBuf {
    let joined = std::path::absolute(path).unwrap_or_else(|_| path.to_path_buf());
    let mut out = PathBuf::new();
    for c in joined.components() {
        match c {
            Component::ParentDir => {
                out.pop();
            }
            Component::CurDir => {}
            other => out.push(other),
        }
    }
    out
}

/// Why writing stopped.
#[derive(Debug)]
pub enum Failure {
    Render(Diagnostic),
    Write(WriteError),
}

impl From<WriteError> for Failure {
    fn from(e: WriteError) -> Self {
        Failure::Write(e)
    }
}

/// What an update of a store did, for the summary line.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct WriteReport {
    /// Files the site has.
    pub files: usize,
    /// Files created or changed on disk.
    pub written: usize,
    /// Stale files deleted (incremental builds only).
    pub removed: usize,
    /// Units rendered (the rest were unchanged since the last build).
    pub rendered: usize,
}

/// A patch renders changed units this many at a time, writing each batch's
/// files as temporaries before rendering the next, so memory holds one
/// batch, however much of the site changed.
const PATCH_BATCH: usize = 2048;

/// The output folder and its manifest: the store `build` drives the
/// engine over. With a manifest from an earlier build, only the changed
/// units are rendered and only files whose bytes changed are written;
/// otherwise every unit is rendered and written into a staging folder that
/// then replaces the output. Either way every new byte is on disk before
/// the first existing file is replaced, so a render error or a full disk
/// leaves the output as it was (and no temporary file behind); only a
/// failing rename can leave it between builds, and says so
/// ([`WriteError::Interrupted`]).
pub struct DiskStore<D: Disk = FileSystem> {
    disk: D,
    output: PathBuf,
    /// What the last build wrote; `None` means "rebuild in full".
    manifest: Option<Manifest>,
    /// Recorded in the manifest for the next build's early exit.
    inputs: Option<Inputs>,
}

impl DiskStore<FileSystem> {
    pub fn open(output: &Path, inputs: Option<Inputs>) -> Self {
        DiskStore::open_on(FileSystem, output, inputs)
    }
}

impl<D: Disk> DiskStore<D> {
    /// The store at `output` on `disk`, reading its manifest if any.
    pub fn open_on(disk: D, output: &Path, inputs: Option<Inputs>) -> Self {
        let manifest = output
            .is_dir()
            .then(|| Manifest::read(&manifest_path(output)))
            .flatten();
        DiskStore {
            disk,
            output: output.to_path_buf(),
            manifest,
            inputs,
        }
    }

    /// The key unit `id` was last written with.
    pub fn recorded(&self, id: &str) -> Option<u64> {
        Some(self.manifest.as_ref()?.units.get(id)?.0)
    }

    /// [`Store::apply`] for units of any kind. A partial update (no `site`)
    /// keeps every unit the manifest lists.
    pub fn write<U: Copy + Send + Sync>(
        &mut self,
        site: Option<&[Keyed<U>]>,
        changed: &[&Keyed<U>],
        render: &(dyn Fn(U) -> Result<Vec<Output>, Diagnostic> + Sync),
    ) -> Result<WriteReport, Failure> {
        // The units the site has now; without a site, every unit stays.
        let wanted: Option<FxHashSet<&str>> =
            site.map(|site| site.iter().map(|k| k.id.as_str()).collect());
        // With a manifest, a patch, whatever share of the site changed:
        // it writes only files whose bytes changed, where a staged rebuild
        // writes every file and then deletes the whole old tree (seconds
        // per ten thousand files on a slow disk).
        let (report, manifest) = match (self.manifest.take(), site) {
            (Some(mut old), _) => {
                let inputs_changed = old.inputs != self.inputs;
                old.inputs = self.inputs;
                patch(
                    &self.disk,
                    &self.output,
                    wanted.as_ref(),
                    changed,
                    old,
                    inputs_changed,
                    render,
                )
            }
            (None, Some(site)) => rebuild(&self.disk, &self.output, self.inputs, site, render),
            (None, None) => Err(Failure::Write(WriteError::Partial)),
        }
        .inspect_err(|_| {
            // What is on disk is what the last good build wrote.
            self.manifest = Manifest::read(&manifest_path(&self.output));
        })?;
        self.manifest = Some(manifest);
        Ok(report)
    }
}

impl<D: Disk> Store for DiskStore<D> {
    fn key_of(&self, id: &str) -> Option<u64> {
        self.recorded(id)
    }

    fn apply(
        &mut self,
        site: Option<&[Keyed]>,
        changed: &[&Keyed],
        render: &Render,
    ) -> Result<WriteReport, Failure> {
        self.write(site, changed, render)
    }
}

/// A summary of everything a build reads (config, theme, every paper
/// file), recorded in the manifest: when the next build reads the same,
/// its output would be the same, so it can stop before parsing anything.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Inputs {
    pub key: u64,
    /// The same from file sizes and times, which need no reading.
    pub stat: u64,
    pub files: usize,
    pub papers: usize,
    pub tags: usize,
}

/// The recorded [`Inputs`] of the build that wrote `output`, when it is
/// still there. Reads only the manifest's first lines.
pub fn recorded_inputs(output: &Path) -> Option<Inputs> {
    use std::io::BufRead;
    if !output.is_dir() {
        return None;
    }
    use std::io::{Read, Seek};
    let mut file = std::fs::File::open(manifest_path(output)).ok()?;
    let mut first = String::new();
    io::BufReader::new(&mut file).read_line(&mut first).ok()?;
    if first.trim_end_matches('\n') != MANIFEST_HEADER {
        return None;
    }
    // The last line: an inputs line is well under this long.
    let len = file.metadata().ok()?.len();
    file.seek(io::SeekFrom::Start(len.saturating_sub(256)))
        .ok()?;
    let mut tail = Vec::new();
    file.read_to_end(&mut tail).ok()?;
    let tail = String::from_utf8_lossy(&tail);
    parse_inputs(
        tail.strip_suffix('\n')?
            .rsplit('\n')
            .next()?
            .strip_prefix("I ")?,
    )
}

/// An inputs line without its `I `.
fn parse_inputs(line: &str) -> Option<Inputs> {
    let mut parts = line.split(' ');
    let mut next = || parts.next();
    Some(Inputs {
        key: u64::from_str_radix(next()?, 16).ok()?,
        stat: u64::from_str_radix(next()?, 16).ok()?,
        files: next()?.parse().ok()?,
        papers: next()?.parse().ok()?,
        tags: next()?.parse().ok()?,
    })
}

/// Renders every unit into a staging folder, streaming (nothing is held in
/// memory but the manifest), then swaps it in.
fn rebuild<U: Copy + Send + Sync>(
    disk: &impl Disk,
    output: &Path,
    inputs: Option<Inputs>,
    planned: &[Keyed<U>],
    render: &(dyn Fn(U) -> Result<Vec<Output>, Diagnostic> + Sync),
) -> Result<(WriteReport, Manifest), Failure> {
    let staging = sibling(output, "staging");
    let old = sibling(output, "old");
    for leftover in [&staging, &old] {
        if leftover.exists() {
            std::fs::remove_dir_all(leftover).map_err(io_err("cannot remove", leftover))?;
        }
    }
    std::fs::create_dir_all(&staging).map_err(io_err("cannot create", &staging))?;
    let written: Result<Vec<(String, UnitRecord)>, Failure> = planned
        .par_iter()
        .map(|p| {
            let files = render(p.unit).map_err(Failure::Render)?;
            let mut record = Vec::with_capacity(files.len());
            let mut parent_done = "";
            for file in &files {
                check_relative(&file.path)?;
                let parent = file.path.rsplit_once('/').map_or("", |(dir, _)| dir);
                if !parent.is_empty() && parent != parent_done {
                    let dir = staging.join(parent);
                    disk.create_dir_all(&dir)
                        .map_err(io_err("cannot create", &dir))?;
                    parent_done = parent;
                }
                let bytes = bytes_of(file)?;
                let path = staging.join(&file.path);
                disk.write(&path, &bytes)
                    .map_err(io_err("cannot write", &path))?;
                record.push((file.path.clone(), content_hash(&bytes)));
            }
            Ok((p.id.clone(), (p.key, record)))
        })
        .collect();
    let records = match written {
        Ok(records) => records,
        Err(e) => {
            let _ = std::fs::remove_dir_all(&staging);
            return Err(e);
        }
    };
    let manifest = Manifest {
        units: records.into_iter().collect(),
        inputs,
        stored: None,
    };
    let manifest_file = manifest_path(output);
    let manifest_temp = match manifest.write_temp(disk, &manifest_file) {
        Ok(temp) => temp,
        Err(e) => {
            let _ = std::fs::remove_dir_all(&staging);
            return Err(e.into());
        }
    };
    // The old manifest describes the old output: gone before the swap.
    let swapped = remove_if_present(&manifest_file).and_then(|()| swap_in(&staging, output, &old));
    if let Err(e) = swapped {
        let _ = std::fs::remove_dir_all(&staging);
        let _ = std::fs::remove_file(&manifest_temp);
        return Err(e.into());
    }
    std::fs::rename(&manifest_temp, &manifest_file)
        .map_err(interrupted("cannot move into place", &manifest_file))?;
    let files = manifest.files();
    let report = WriteReport {
        files,
        written: files,
        removed: 0,
        rendered: planned.len(),
    };
    Ok((report, manifest))
}

/// Renders the changed units in memory, then writes the files whose bytes
/// differ from the manifest's and deletes files no unit produces any more.
fn patch<U: Copy + Send + Sync>(
    disk: &impl Disk,
    output: &Path,
    wanted: Option<&FxHashSet<&str>>,
    changed: &[&Keyed<U>],
    mut manifest: Manifest,
    inputs_changed: bool,
    render: &(dyn Fn(U) -> Result<Vec<Output>, Diagnostic> + Sync),
) -> Result<(WriteReport, Manifest), Failure> {
    let gone: Vec<String> = match wanted {
        Some(wanted) => manifest
            .units
            .keys()
            .filter(|id| !wanted.contains(id.as_str()))
            .cloned()
            .collect(),
        None => Vec::new(),
    };
    if changed.is_empty() && gone.is_empty() {
        // Nothing to write, but record the inputs for the next build.
        if inputs_changed {
            let file = manifest_path(output);
            let temp = put_manifest(disk, &mut manifest, &file, &[])?;
            std::fs::rename(&temp, &file).map_err(|e| {
                let _ = std::fs::remove_file(&temp);
                io_err("cannot move into place", &file)(e)
            })?;
        }
        let report = WriteReport {
            files: manifest.files(),
            ..WriteReport::default()
        };
        return Ok((report, manifest));
    }
    // A unit's files are compared with what the same unit wrote last time
    // (a file that moved to another unit is written again, unchanged).
    let old_files = |id: &str| -> HashMap<&str, u64> {
        let files = manifest.units.get(id).map(|(_, files)| &files[..]);
        files
            .unwrap_or_default()
            .iter()
            .map(|(path, hash)| (path.as_str(), *hash))
            .collect()
    };
    // Every byte first, beside its target, so a full disk stops the build
    // before anything in the output changed.
    let mut staged = Staged::default();
    let mut records: Vec<(String, UnitRecord)> = Vec::with_capacity(changed.len());
    let mut written = 0;
    for batch in changed.chunks(PATCH_BATCH) {
        let done = render_batch(batch, render).and_then(|rendered| {
            let to_write: Vec<(&str, &[u8])> = rendered
                .iter()
                .flat_map(|(id, _, files)| {
                    let old = old_files(id);
                    files
                        .iter()
                        .filter(move |(path, _, hash)| old.get(path.as_str()) != Some(hash))
                        .map(|(path, bytes, _)| (path.as_str(), &bytes[..]))
                })
                .collect();
            written += to_write.len();
            staged.add(disk, output, &to_write)?;
            Ok(rendered)
        });
        match done {
            Ok(rendered) => records.extend(rendered.into_iter().map(|(id, key, files)| {
                let files = files.into_iter().map(|(path, _, hash)| (path, hash));
                (id, (key, files.collect()))
            })),
            Err(e) => {
                staged.discard(output);
                return Err(e);
            }
        }
    }

    let mut dropped: Vec<(String, u64)> = Vec::new();
    for id in &gone {
        dropped.extend(
            manifest
                .units
                .remove(id)
                .map(|(_, files)| files)
                .unwrap_or_default(),
        );
    }
    let units = records.len();
    let touched: Vec<String> = records
        .iter()
        .map(|(id, _)| id.clone())
        .chain(gone)
        .collect();
    for (id, record) in records {
        if let Some((_, old_files)) = manifest.units.insert(id, record) {
            dropped.extend(old_files);
        }
    }
    let manifest_file = manifest_path(output);
    let manifest_temp = staged
        .reserve(disk, output)
        .and_then(|()| put_manifest(disk, &mut manifest, &manifest_file, &touched));
    let manifest_temp = match manifest_temp {
        Ok(temp) => temp,
        Err(e) => {
            staged.discard(output);
            return Err(e.into());
        }
    };
    // Then what needs no more room. Until the new manifest is in place the
    // output matches neither; a build that stops in between finds no
    // manifest and rebuilds in full.
    staged.commit(output)?;
    let removed = remove_stale(output, &manifest, &touched, dropped)?;
    std::fs::rename(&manifest_temp, &manifest_file)
        .map_err(interrupted("cannot move into place", &manifest_file))?;
    let report = WriteReport {
        files: manifest.files(),
        written,
        removed,
        rendered: units,
    };
    Ok((report, manifest))
}

/// The manifest as it is now, after the `touched` units changed, at a
/// temporary path for the caller to rename into place once the output
/// matches it, and no manifest in place meanwhile: appended to the file as
/// read, or written whole (see [`Manifest::rewrites`]).
fn put_manifest(
    disk: &impl Disk,
    manifest: &mut Manifest,
    file: &Path,
    touched: &[String],
) -> Result<PathBuf, WriteError> {
    let (temp, records) = match manifest.stored {
        Some((_, records)) if !manifest.rewrites(touched.len()) => {
            let ids: Vec<&str> = touched.iter().map(String::as_str).collect();
            let lines = manifest.appended(&ids);
            (
                append_manifest(disk, manifest, file, &lines)?,
                records + ids.len(),
            )
        }
        _ => (
            rewrite_manifest(disk, manifest, file)?,
            manifest.units.len(),
        ),
    };
    manifest.stored = std::fs::metadata(&temp).ok().map(|m| (m.len(), records));
    Ok(temp)
}

/// The whole new manifest in a temporary file, and the old one removed:
/// the temporary's path, for renaming into place once the output matches.
fn rewrite_manifest(
    disk: &impl Disk,
    manifest: &Manifest,
    file: &Path,
) -> Result<PathBuf, WriteError> {
    let temp = manifest.write_temp(disk, file)?;
    remove_if_present(file).inspect_err(|_| {
        let _ = std::fs::remove_file(&temp);
    })?;
    Ok(temp)
}

/// The manifest moved aside to its temporary path and `lines` appended
/// there, if it is still the file that was read; on failure it is put back
/// as it was. Like [`rewrite_manifest`], leaves no manifest in place.
fn append_manifest(
    disk: &impl Disk,
    manifest: &Manifest,
    file: &Path,
    lines: &str,
) -> Result<PathBuf, WriteError> {
    let temp = temp_path(file);
    let read_len = manifest.stored.map(|(len, _)| len);
    if std::fs::metadata(file).ok().map(|m| m.len()) != read_len {
        // Changed since read (another build?): write it whole.
        return rewrite_manifest(disk, manifest, file);
    }
    std::fs::rename(file, &temp).map_err(io_err("cannot move aside", file))?;
    if let Err(e) = disk.append(&temp, lines.as_bytes()) {
        let restored = std::fs::OpenOptions::new()
            .write(true)
            .open(&temp)
            .and_then(|f| f.set_len(read_len.unwrap_or(0)))
            .and_then(|()| std::fs::rename(&temp, file));
        if restored.is_err() {
            let _ = std::fs::remove_file(&temp);
        }
        return Err(io_err("cannot write", &temp)(e));
    }
    Ok(temp)
}

/// The units of `batch` rendered: each with its files' paths, bytes and
/// hashes.
fn render_batch<U: Copy + Send + Sync>(
    batch: &[&Keyed<U>],
    render: &(dyn Fn(U) -> Result<Vec<Output>, Diagnostic> + Sync),
) -> Result<Vec<RenderedUnit>, Failure> {
    batch
        .par_iter()
        .map(|p| {
            let files = render(p.unit)
                .map_err(Failure::Render)?
                .into_iter()
                .map(|f| {
                    check_relative(&f.path)?;
                    let bytes = bytes_of(&f)?.into_owned();
                    let hash = content_hash(&bytes);
                    Ok((f.path, bytes, hash))
                })
                .collect::<Result<_, Failure>>()?;
            Ok((p.id.clone(), p.key, files))
        })
        .collect()
}

/// A unit's id, key, and files with their bytes and hashes.
type RenderedUnit = (String, u64, Vec<(String, Vec<u8>, u64)>);

/// The bytes of a patch, written where they wait to be put in place (see
/// [`Staged::add`]), and the folders made for them: either all put in
/// place, or all removed.
#[derive(Default)]
struct Staged {
    /// Temporary and target of files renamed into place.
    files: Vec<(PathBuf, PathBuf)>,
    /// Targets written over in place from the spool, in the spool's order,
    /// with their lengths and their packed lengths there.
    spooled: Vec<(PathBuf, usize, usize)>,
    /// The spool file, once made.
    spool: Option<PathBuf>,
    /// The room the spooled files take beyond the blocks they have now.
    growth: u64,
    dirs: Vec<PathBuf>,
}

/// What [`Staged::reserve`] counts a file's room in: the block of ext4,
/// XFS, APFS and NTFS alike.
const BLOCK: u64 = 4096;

impl Staged {
    /// Writes `files` where they wait to be put in place, and records them.
    /// A file that exists and is a plain file of its own waits in the spool
    /// beside the output, to be written over in place: renaming a new file
    /// over it costs a new inode and the old one's eviction, which on ext4
    /// took ten times as long as writing in place (30,000 pages, 10.4 s
    /// against 0.9 s). It waits LZ4-packed: a spool as large as the pages
    /// took longer to write than the pages did, all in fresh page cache
    /// (50 new papers at 100k, 933 MB of pages, 37% of the build). Any
    /// other file (new, a symlink, a hard link) waits beside its target,
    /// to be renamed over it. On an error what was written stays recorded,
    /// for the caller to discard.
    fn add(
        &mut self,
        disk: &impl Disk,
        output: &Path,
        files: &[(&str, &[u8])],
    ) -> Result<(), WriteError> {
        // Folders one by one (few, and each must be known to be ours to
        // remove again); files in parallel.
        let mut parents: Vec<&Path> = files
            .iter()
            .filter_map(|(path, _)| Path::new(path).parent())
            .filter(|p| !p.as_os_str().is_empty())
            .collect();
        parents.sort();
        parents.dedup();
        for parent in parents {
            let mut missing = Vec::new();
            let mut dir = Some(parent);
            while let Some(d) = dir.filter(|d| !d.as_os_str().is_empty()) {
                if output.join(d).is_dir() {
                    break;
                }
                missing.push(output.join(d));
                dir = d.parent();
            }
            for d in missing.into_iter().rev() {
                disk.create_dir_all(&d)
                    .map_err(|e| io_err("cannot create", &d)(e))?;
                self.dirs.push(d);
            }
        }
        // Each file's length now, when it is written over in place.
        let in_place: Vec<Option<u64>> = files
            .par_iter()
            .map(|(path, _)| overwritable(&output.join(path)))
            .collect();
        let spooled: Vec<(&str, Vec<u8>, u64)> = (files.iter().zip(&in_place))
            .filter_map(|((path, bytes), old)| old.map(|old| (*path, *bytes, old)))
            .collect::<Vec<_>>()
            .par_iter()
            .map(|(path, bytes, old)| {
                let more = blocks(bytes.len() as u64).saturating_sub(blocks(*old));
                (*path, packed::pack_bytes(bytes), more * BLOCK)
            })
            .collect();
        if !spooled.is_empty() {
            let spool = beside(output, "spool");
            let packed = spooled.iter().map(|(_, p, _)| &p[..]).collect::<Vec<_>>();
            let result = match self.spool {
                Some(_) => disk.append(&spool, &packed.concat()),
                None => disk.write(&spool, &packed.concat()),
            };
            self.spool = Some(spool.clone());
            result.map_err(|e| io_err("cannot write", &spool)(e))?;
            let lens = (files.iter().zip(&in_place)).filter(|(_, old)| old.is_some());
            for ((path, packed, more), ((_, bytes), _)) in spooled.iter().zip(lens) {
                self.spooled
                    .push((output.join(path), bytes.len(), packed.len()));
                self.growth += more;
            }
        }
        let results: Vec<(PathBuf, PathBuf, io::Result<()>)> = (files.iter().zip(&in_place))
            .filter(|(_, old)| old.is_none())
            .collect::<Vec<_>>()
            .par_iter()
            .map(|((path, bytes), _)| {
                let target = output.join(path);
                let temp = temp_path(&target);
                let result = disk.write(&temp, bytes);
                (temp, target, result)
            })
            .collect();
        let mut first_error = None;
        for (temp, target, result) in results {
            match result {
                Ok(()) => self.files.push((temp, target)),
                Err(e) => {
                    // A partial temporary may exist.
                    let _ = std::fs::remove_file(&temp);
                    first_error.get_or_insert_with(|| io_err("cannot write", &temp)(e));
                }
            }
        }
        first_error.map_or(Ok(()), Err)
    }

    /// Holds the room the spooled files will grow by in a file of zeros,
    /// given back just before they are written over: with the spool packed,
    /// a full disk would otherwise be found halfway through the output.
    fn reserve(&self, disk: &impl Disk, output: &Path) -> Result<(), WriteError> {
        if self.growth == 0 {
            return Ok(());
        }
        let file = beside(output, "reserve");
        let zeros = vec![0; self.growth.min(1 << 23) as usize];
        let mut left = self.growth;
        let mut first = true;
        while left > 0 {
            let n = left.min(zeros.len() as u64);
            let bytes = &zeros[..n as usize];
            let result = match first {
                true => disk.write(&file, bytes),
                false => disk.append(&file, bytes),
            };
            result.map_err(|e| io_err("cannot write", &file)(e))?;
            (left, first) = (left - n, false);
        }
        Ok(())
    }

    fn commit(self, output: &Path) -> Result<(), WriteError> {
        let _ = std::fs::remove_file(beside(output, "reserve"));
        if let Some(spool) = &self.spool {
            let opened = std::fs::File::open(spool).map_err(interrupted("cannot read", spool))?;
            let mut reader = io::BufReader::new(opened);
            // A few megabytes read at a time, unpacked and written out in
            // parallel.
            for chunk in self.spooled.chunks(256) {
                let mut read = Vec::with_capacity(chunk.len());
                for (_, _, packed) in chunk {
                    let mut bytes = vec![0; *packed];
                    io::Read::read_exact(&mut reader, &mut bytes)
                        .map_err(interrupted("cannot read", spool))?;
                    read.push(bytes);
                }
                chunk
                    .par_iter()
                    .zip(read)
                    .try_for_each(|((target, len, _), packed)| {
                        let bytes = packed::unpack_bytes(&packed, *len)
                            .ok_or_else(|| io::Error::from(io::ErrorKind::InvalidData))
                            .map_err(interrupted("cannot read", spool))?;
                        overwrite(target, &bytes).map_err(interrupted("cannot write", target))
                    })?;
            }
            let _ = std::fs::remove_file(spool);
        }
        self.files.par_iter().try_for_each(|(temp, target)| {
            std::fs::rename(temp, target).map_err(|e| {
                let _ = std::fs::remove_file(temp);
                interrupted("cannot move into place", target)(e)
            })
        })
    }

    /// Removes every temporary, the spool, the reserve and every folder
    /// made for them.
    fn discard(self, output: &Path) {
        let _ = std::fs::remove_file(beside(output, "reserve"));
        if let Some(spool) = &self.spool {
            let _ = std::fs::remove_file(spool);
        }
        for (temp, _) in &self.files {
            let _ = std::fs::remove_file(temp);
        }
        for dir in self.dirs.iter().rev() {
            let _ = std::fs::remove_dir(dir);
        }
    }
}

/// The blocks a file of `len` bytes takes.
fn blocks(len: u64) -> u64 {
    len.div_ceil(BLOCK)
}

/// Deletes the `dropped` files (of deleted units, or of re-rendered units
/// that no longer produce them) that the manifest does not list any more,
/// and the folders that leaves empty.
fn remove_stale(
    output: &Path,
    manifest: &Manifest,
    touched: &[String],
    mut dropped: Vec<(String, u64)>,
) -> Result<usize, WriteError> {
    // Most dropped files are written again by the unit that dropped them
    // (an edited page): known from the touched units alone, without a set
    // of every file of the site.
    let rewritten: FxHashSet<&str> = touched
        .iter()
        .filter_map(|id| manifest.units.get(id))
        .flat_map(|(_, files)| files.iter().map(|(path, _)| path.as_str()))
        .collect();
    dropped.retain(|(path, _)| !rewritten.contains(path.as_str()));
    if dropped.is_empty() {
        return Ok(0);
    }
    let keep: FxHashSet<&str> = manifest
        .units
        .values()
        .flat_map(|(_, files)| files.iter().map(|(path, _)| path.as_str()))
        .collect();
    let mut removed = 0;
    let mut dirs = std::collections::BTreeSet::new();
    for (path, _) in &dropped {
        if keep.contains(path.as_str()) {
            continue;
        }
        let file = output.join(path);
        remove_if_present(&file)?;
        removed += 1;
        let mut dir = Path::new(path).parent();
        while let Some(d) = dir.filter(|d| !d.as_os_str().is_empty()) {
            dirs.insert(d.to_path_buf());
            dir = d.parent();
        }
    }
    // Deepest first, so a folder is tried after its subfolders; removing a
    // non-empty folder fails, which is the check.
    let mut dirs: Vec<PathBuf> = dirs.into_iter().collect();
    dirs.sort_by_key(|d| std::cmp::Reverse(d.components().count()));
    for dir in dirs {
        let _ = std::fs::remove_dir(output.join(dir));
    }
    Ok(removed)
}

/// Beside `target` (a rename within one folder is atomic and needs no
/// space) and hidden, so a leftover from a killed build is not published.
/// Whether `target` is a plain file of its own, which a patch may write
/// over in place (not a symlink, whose target is not ours, nor a file with
/// other hard links, which would change with it).
/// Its length, when so.
fn overwritable(target: &Path) -> Option<u64> {
    let meta = std::fs::symlink_metadata(target).ok()?;
    #[cfg(unix)]
    let own = std::os::unix::fs::MetadataExt::nlink(&meta) == 1;
    #[cfg(not(unix))]
    let own = true;
    (meta.file_type().is_file() && own).then_some(meta.len())
}

/// Writes `bytes` over the file at `target`, then cuts it to their length:
/// truncating first frees its blocks only to allocate new ones, which took
/// a third of the time of writing 30,000 pages back.
fn overwrite(target: &Path, bytes: &[u8]) -> io::Result<()> {
    use std::io::Write;
    let mut file = std::fs::OpenOptions::new().write(true).open(target)?;
    file.write_all(bytes)?;
    file.set_len(bytes.len() as u64)
}

fn temp_path(target: &Path) -> PathBuf {
    let name = target
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    target.with_file_name(format!(".{name}.paperfeed-tmp"))
}

fn remove_if_present(path: &Path) -> Result<(), WriteError> {
    match std::fs::remove_file(path) {
        Err(e) if e.kind() != io::ErrorKind::NotFound => Err(io_err("cannot remove", path)(e)),
        _ => Ok(()),
    }
}

fn content_hash(bytes: &[u8]) -> u64 {
    xxhash_rust::xxh3::xxh3_64(bytes)
}

/// An output's bytes, naming the static file that could not be read.
fn bytes_of(file: &Output) -> Result<std::borrow::Cow<'_, [u8]>, WriteError> {
    file.bytes()
        .map_err(|(from, source)| io_err("cannot copy", from)(source))
}

/// A unit's key and its files with their content hashes.
type UnitRecord = (u64, Vec<(String, u64)>);

/// What the last build wrote: per unit id, its key and files. Kept beside
/// the output folder (`public` → `.public.manifest`) so it is not deployed.
///
/// A build that changes a few units appends them (and the ids of units
/// gone) to the file as it was read, with its inputs as the last line;
/// later lines win. Once the replaced lines would pass an eighth of the
/// live ones, the file is written anew.
#[derive(Debug, Default)]
struct Manifest {
    units: FxHashMap<String, UnitRecord>,
    inputs: Option<Inputs>,
    /// The file as read: its length, and its unit lines (`U` and `D`).
    stored: Option<(u64, usize)>,
}

const MANIFEST_HEADER: &str = concat!("paperfeed manifest 4 ", env!("CARGO_PKG_VERSION"));

pub fn manifest_path(output: &Path) -> PathBuf {
    beside(output, "manifest")
}

/// Where `build` keeps its parse cache ([`crate::parse::cache`]): beside
/// the manifest, so neither is deployed.
pub fn parse_cache_path(output: &Path) -> PathBuf {
    beside(output, "parsed")
}

/// Where `build` keeps the search postings ([`crate::search::kept`]).
pub fn search_cache_path(output: &Path) -> PathBuf {
    beside(output, "search")
}

/// Where `build` keeps the related papers' scores ([`crate::model::Scored`]).
pub fn related_cache_path(output: &Path) -> PathBuf {
    beside(output, "related")
}

/// `public` → `.public.<what>`: hidden, beside the output.
fn beside(output: &Path, what: &str) -> PathBuf {
    let name = output
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "public".into());
    output.with_file_name(format!(".{name}.{what}"))
}

impl Manifest {
    /// `None` when missing, unreadable or from another version: all mean
    /// "rebuild in full".
    fn read(path: &Path) -> Option<Manifest> {
        use std::io::BufRead;
        // Line by line: the whole text beside the map it makes would be a
        // quarter of a gigabyte more at a million papers.
        let mut input = io::BufReader::with_capacity(1 << 16, std::fs::File::open(path).ok()?);
        let mut line = String::new();
        let mut len = 0;
        let mut next = |line: &mut String| -> Option<bool> {
            line.clear();
            let n = input.read_line(line).ok()?;
            len += n;
            // A file cut short (not by paperfeed, which appends to a copy)
            // lacks the newline of its last line, or its last inputs line.
            match line.strip_suffix('\n') {
                Some(_) => {
                    line.pop();
                    Some(true)
                }
                None if n == 0 => Some(false),
                None => None,
            }
        };
        if !next(&mut line)? || line != MANIFEST_HEADER {
            return None;
        }
        let mut inputs = None;
        let mut last_was_inputs = false;
        let mut units = FxHashMap::default();
        let mut records = 0;
        let mut current: Option<(String, UnitRecord)> = None;
        while next(&mut line)? {
            last_was_inputs = false;
            if let Some(rest) = line.strip_prefix("I ") {
                inputs = parse_inputs(rest);
                last_was_inputs = true;
                continue;
            }
            if let Some(id) = line.strip_prefix("D ") {
                if let Some((id, record)) = current.take() {
                    units.insert(id, record);
                }
                units.remove(id);
                records += 1;
                continue;
            }
            let (kind, rest) = line.split_once(' ')?;
            let (hash, name) = rest.split_once(' ')?;
            let hash = u64::from_str_radix(hash, 16).ok()?;
            match kind {
                "U" => {
                    if let Some((id, record)) = current.take() {
                        units.insert(id, record);
                    }
                    current = Some((name.to_string(), (hash, Vec::new())));
                    records += 1;
                }
                "F" => current.as_mut()?.1.1.push((name.to_string(), hash)),
                _ => return None,
            }
        }
        if !last_was_inputs {
            return None;
        }
        if let Some((id, record)) = current {
            units.insert(id, record);
        }
        Some(Manifest {
            units,
            inputs,
            stored: Some((len as u64, records)),
        })
    }

    /// Writes the manifest beside `path` for the caller to rename into
    /// place once the output matches it; removes what it wrote on failure.
    /// Written a chunk at a time: at a million papers the whole text would
    /// be a quarter of a gigabyte more at the end of the build.
    fn write_temp(&self, disk: &impl Disk, path: &Path) -> Result<PathBuf, WriteError> {
        const CHUNK: usize = 1 << 20;
        let mut ids: Vec<&String> = self.units.keys().collect();
        ids.sort();
        let temp = temp_path(path);
        let mut text = String::with_capacity(CHUNK + 4096);
        text.push_str(MANIFEST_HEADER);
        text.push('\n');
        let mut started = false;
        let mut flush = |text: &mut String| {
            let written = if started {
                disk.append(&temp, text.as_bytes())
            } else {
                disk.write(&temp, text.as_bytes())
            };
            started = true;
            text.clear();
            written
        };
        let written = (|| {
            for id in ids {
                self.unit_lines(id, &mut text);
                if text.len() >= CHUNK {
                    flush(&mut text)?;
                }
            }
            self.inputs_line(&mut text);
            flush(&mut text)
        })();
        written.map_err(|e| {
            let _ = std::fs::remove_file(&temp);
            io_err("cannot write", &temp)(e)
        })?;
        Ok(temp)
    }

    fn unit_lines(&self, id: &str, text: &mut String) {
        use std::fmt::Write;
        match self.units.get(id) {
            Some((key, files)) => {
                let _ = writeln!(text, "U {key:016x} {id}");
                for (file, hash) in files {
                    let _ = writeln!(text, "F {hash:016x} {file}");
                }
            }
            None => {
                let _ = writeln!(text, "D {id}");
            }
        }
    }

    fn inputs_line(&self, text: &mut String) {
        use std::fmt::Write;
        match self.inputs {
            Some(i) => {
                let _ = writeln!(
                    text,
                    "I {:016x} {:016x} {} {} {}",
                    i.key,
                    i.stat,
                    self.files(),
                    i.papers,
                    i.tags
                );
            }
            None => text.push_str("I -\n"),
        }
    }

    /// Whether [`Self::write_temp`] is due rather than appending `changed`
    /// units' lines: no file was read, or the lines they replace would
    /// pass an eighth of the live units.
    fn rewrites(&self, changed: usize) -> bool {
        let Some((_, records)) = self.stored else {
            return true;
        };
        let live = self.units.len();
        (records + changed).saturating_sub(live) > live / 8 + 16
    }

    /// The lines of units `ids` (each as it is now: its record, or gone)
    /// and the inputs, for appending to the file as read.
    fn appended(&self, ids: &[&str]) -> String {
        let mut text = String::new();
        for id in ids {
            self.unit_lines(id, &mut text);
        }
        self.inputs_line(&mut text);
        text
    }

    fn files(&self) -> usize {
        self.units.values().map(|(_, files)| files.len()).sum()
    }
}

/// Rendered paths come from user input (slugs, tags): make sure none can
/// climb out of the output folder, whatever the slug code lets through.
fn check_relative(path: &str) -> Result<(), WriteError> {
    let ok = !path.is_empty()
        && !path.starts_with('/')
        && !path.contains('\\')
        && Path::new(path)
            .components()
            .all(|c| matches!(c, Component::Normal(_)));
    if ok {
        Ok(())
    } else {
        Err(WriteError::EscapingPath(path.to_string()))
    }
}

fn swap_in(staging: &Path, output: &Path, old: &Path) -> Result<(), WriteError> {
    let had_output = output.exists();
    if had_output {
        std::fs::rename(output, old).map_err(io_err("cannot move aside", output))?;
    }
    if let Err(e) = std::fs::rename(staging, output) {
        if had_output {
            let _ = std::fs::rename(old, output);
        }
        return Err(io_err("cannot move into place", staging)(e));
    }
    if had_output {
        // The new site is in place; a leftover `.old` folder is removed by
        // the next full build, so this is not the build's failure.
        let _ = std::fs::remove_dir_all(old);
    }
    Ok(())
}

/// `public` → `public.staging`: beside the output, so the final rename stays
/// on one file system.
fn sibling(output: &Path, suffix: &str) -> PathBuf {
    let name = output
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "public".into());
    output.with_file_name(format!("{name}.{suffix}"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::render::Content;

    fn bytes(path: &str, text: &str) -> Output {
        Output {
            path: path.into(),
            content: Content::Bytes(text.as_bytes().to_vec()),
        }
    }

    #[test]
    fn refuses_dangerous_output_folders() {
        let root = Path::new("/tmp/site");
        assert!(check_output_dir(root, Path::new("/")).is_err());
        assert!(check_output_dir(root, Path::new("/tmp/site")).is_err());
        assert!(check_output_dir(root, Path::new("/tmp")).is_err());
        assert!(check_output_dir(root, Path::new("/tmp/site/content")).is_err());
        assert!(check_output_dir(root, Path::new("/tmp/site/content/x")).is_err());
        assert!(check_output_dir(root, Path::new("/tmp/site/public/..")).is_err());
        assert!(check_output_dir(root, Path::new("/tmp/site/public")).is_ok());
        assert!(check_output_dir(root, Path::new("/tmp/elsewhere")).is_ok());
    }

    #[test]
    fn escaping_paths_are_refused() {
        for bad in ["../x", "/etc/x", "a/../../b", "a\\b", ""] {
            assert!(check_relative(bad).is_err(), "{bad}");
        }
        assert!(check_relative("papers/x/index.html").is_ok());
    }

    type Unit = (&'static str, &'static str);

    /// One unit per `(path, text)`; its key is its text.
    fn plan(files: &[Unit]) -> Vec<Keyed<Unit>> {
        files
            .iter()
            .map(|&(path, text)| Keyed {
                id: path.to_string(),
                key: content_hash(text.as_bytes()),
                unit: (path, text),
            })
            .collect()
    }

    /// What the engine does with a store, for units of this test's kind.
    fn write_site_on(
        disk: impl Disk,
        out: &Path,
        plan: &[Keyed<Unit>],
        render: fn(Unit) -> Result<Vec<Output>, Diagnostic>,
    ) -> Result<WriteReport, Failure> {
        let mut store = DiskStore::open_on(disk, out, None);
        let changed = crate::engine::stale(plan, |id| store.recorded(id), |_| false);
        store.write(Some(plan), &changed, &render)
    }

    fn write_site(
        out: &Path,
        plan: &[Keyed<Unit>],
        render: fn(Unit) -> Result<Vec<Output>, Diagnostic>,
    ) -> Result<WriteReport, Failure> {
        write_site_on(FileSystem, out, plan, render)
    }

    fn render((path, text): Unit) -> Result<Vec<Output>, Diagnostic> {
        if text == "BAD" {
            return Err(Diagnostic::error(Path::new(path), "bad"));
        }
        Ok(vec![bytes(path, text)])
    }

    fn read(out: &Path, path: &str) -> String {
        std::fs::read_to_string(out.join(path)).unwrap()
    }

    #[test]
    fn a_manifest_of_many_chunks_reads_back_whole_and_a_cut_one_not_at_all() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join(".public.manifest");
        let mut manifest = Manifest {
            inputs: Some(Inputs {
                key: 1,
                stat: 2,
                files: 0,
                papers: 3,
                tags: 4,
            }),
            ..Manifest::default()
        };
        // Over 3 MB of lines: several of write_temp's chunks.
        for i in 0..30_000u64 {
            let files = vec![
                (format!("papers/p{i}/index.html"), i),
                (format!("papers/p{i}/cite.bib"), !i),
            ];
            manifest
                .units
                .insert(format!("papers/p{i}/"), (i * 7, files));
        }
        let temp = manifest.write_temp(&FileSystem, &file).unwrap();
        std::fs::rename(&temp, &file).unwrap();
        let text = std::fs::read(&file).unwrap();
        assert!(text.len() > 3 << 20);
        let back = Manifest::read(&file).unwrap();
        assert_eq!(back.units, manifest.units);
        // The inputs line counts the files the units list.
        let files = manifest.inputs.map(|i| Inputs { files: 60_000, ..i });
        assert_eq!(back.inputs, files);
        assert_eq!(back.stored, Some((text.len() as u64, 30_000)));
        // Cut inside a line, after a whole unit line, before the inputs.
        let inputs_at = text[..text.len() - 1]
            .iter()
            .rposition(|&b| b == b'\n')
            .unwrap()
            + 1;
        for cut in [text.len() - 1, text.len() / 2, inputs_at] {
            std::fs::write(&file, &text[..cut]).unwrap();
            assert!(Manifest::read(&file).is_none(), "cut at {cut}");
        }
    }

    #[test]
    fn small_changes_are_appended_to_the_manifest_until_it_is_written_anew() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("public");
        let file = manifest_path(&out);
        let leak = |s: String| -> &'static str { Box::leak(s.into_boxed_str()) };
        let mut site: Vec<Unit> = (0..100)
            .map(|i| (leak(format!("p/{i}.txt")), "v0"))
            .collect();
        write_site(&out, &plan(&site), render).unwrap();
        let (mut appended, mut rewritten) = (0, 0);
        for round in 1..60 {
            let before = std::fs::metadata(&file).unwrap().len();
            site[round % 37].1 = leak(format!("v{round}"));
            if round % 7 == 0 {
                site.remove(50 + round % 11);
            }
            let inputs = Inputs {
                key: round as u64,
                stat: 1,
                files: 0,
                papers: 2,
                tags: 3,
            };
            let mut store = DiskStore::open_on(FileSystem, &out, Some(inputs));
            let planned = plan(&site);
            let changed = crate::engine::stale(&planned, |id| store.recorded(id), |_| false);
            let report = store.write(Some(&planned), &changed, &render).unwrap();
            assert_eq!(report.written, 1, "round {round}");
            let after = std::fs::metadata(&file).unwrap().len();
            if after > before && after - before < 200 {
                appended += 1;
            } else {
                rewritten += 1;
            }
            // The manifest read back is the site as built, and the early
            // exit finds this build's inputs.
            let manifest = Manifest::read(&file).unwrap();
            let mut units: Vec<(String, u64)> = manifest
                .units
                .iter()
                .map(|(id, (key, _))| (id.clone(), *key))
                .collect();
            units.sort();
            let mut wanted: Vec<(String, u64)> =
                planned.iter().map(|k| (k.id.clone(), k.key)).collect();
            wanted.sort();
            assert_eq!(units, wanted, "round {round}");
            assert_eq!(
                recorded_inputs(&out),
                Some(Inputs {
                    files: site.len(),
                    ..inputs
                })
            );
            for (path, text) in &site {
                assert_eq!(read(&out, path), *text);
            }
            assert_eq!(
                std::fs::read_dir(out.join("p")).unwrap().count(),
                site.len()
            );
            let again = write_site(&out, &planned, render).unwrap();
            assert_eq!(again.rendered, 0, "round {round}: the manifest is right");
        }
        assert!(appended > 40, "{appended} appended");
        assert!(rewritten >= 2, "{rewritten} rewritten");
    }

    #[test]
    fn later_builds_write_only_what_changed() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("public");
        let v1 = [("a/index.html", "1"), ("b.txt", "2"), ("c/d/e.txt", "3")];
        let first = write_site(&out, &plan(&v1), render).unwrap();
        assert_eq!((first.files, first.written, first.rendered), (3, 3, 3));
        assert!(dir.path().join(".public.manifest").is_file());

        let again = write_site(&out, &plan(&v1), render).unwrap();
        assert_eq!((again.files, again.written, again.rendered), (3, 0, 0));

        let v2 = [("a/index.html", "9"), ("b.txt", "2"), ("c/d/e.txt", "3")];
        let changed = write_site(&out, &plan(&v2), render).unwrap();
        assert_eq!((changed.written, changed.rendered), (1, 1));
        assert_eq!(read(&out, "a/index.html"), "9");

        let v3 = [("a/index.html", "9"), ("b.txt", "2")];
        let fewer = write_site(&out, &plan(&v3), render).unwrap();
        assert_eq!((fewer.files, fewer.written, fewer.removed), (2, 0, 1));
        assert!(!out.join("c").exists(), "emptied folders go too");
    }

    #[test]
    fn a_render_error_changes_nothing() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("public");
        let good = [("a/index.html", "1"), ("b.txt", "2")];
        write_site(&out, &plan(&good), render).unwrap();
        let bad = [("a/index.html", "BAD"), ("b.txt", "3")];
        assert!(matches!(
            write_site(&out, &plan(&bad), render),
            Err(Failure::Render(_))
        ));
        assert_eq!(read(&out, "b.txt"), "2");
        // Still incremental afterwards: the manifest was kept.
        let again = write_site(&out, &plan(&good), render).unwrap();
        assert_eq!(again.written, 0);

        // The same without a manifest (a full rebuild in staging).
        std::fs::remove_file(manifest_path(&out)).unwrap();
        assert!(write_site(&out, &plan(&bad), render).is_err());
        assert_eq!(read(&out, "b.txt"), "2");
        assert!(!dir.path().join("public.staging").exists());
    }

    #[test]
    fn escaping_output_paths_write_nothing() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("public");
        write_site(&out, &plan(&[("a.txt", "1")]), render).unwrap();
        let err = write_site(&out, &plan(&[("a.txt", "2"), ("../evil", "x")]), render);
        assert!(matches!(
            err,
            Err(Failure::Write(WriteError::EscapingPath(_)))
        ));
        assert_eq!(read(&out, "a.txt"), "1");
        assert!(!dir.path().join("evil").exists());
    }

    #[test]
    fn a_large_change_is_patched_in_batches_and_a_late_failure_changes_nothing() {
        use std::os::unix::fs::MetadataExt;
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("public");
        let names: Vec<&'static str> = (0..5000)
            .map(|i| &*Box::leak(format!("d{}/u{i:04}.txt", i % 7).into_boxed_str()))
            .collect();
        let version = |changed: usize, text: &'static str| -> Vec<Unit> {
            names
                .iter()
                .enumerate()
                .map(|(i, &n)| (n, if i < changed { text } else { "one" }))
                .collect()
        };
        write_site(&out, &plan(&version(0, "")), render).unwrap();
        // Dated in the past: a file written again gets the time of now.
        let past = std::time::UNIX_EPOCH + std::time::Duration::from_secs(1_000_000);
        for name in &names {
            let file = std::fs::File::options().write(true).open(out.join(name));
            file.unwrap().set_modified(past).unwrap();
        }
        let inode = |name: &str| std::fs::metadata(out.join(name)).unwrap().ino();
        let touched = |name: &str| {
            std::fs::metadata(out.join(name))
                .unwrap()
                .modified()
                .unwrap()
                != past
        };
        let before: Vec<u64> = names.iter().map(|n| inode(n)).collect();
        let everything_before = everything(dir.path());

        // A render error in the third batch: the first two were already
        // written as temporaries, and go again.
        let mut bad = version(4900, "two");
        bad[4500].1 = "BAD";
        assert!(write_site(&out, &plan(&bad), render).is_err());
        assert_eq!(everything(dir.path()), everything_before);

        let report = write_site(&out, &plan(&version(4900, "two")), render).unwrap();
        assert_eq!(
            (report.rendered, report.written, report.files),
            (4900, 4900, 5000)
        );
        assert!(
            !dir.path().join("public.staging").exists(),
            "patched, not staged"
        );
        for (i, name) in names.iter().enumerate() {
            assert_eq!(read(&out, name), if i < 4900 { "two" } else { "one" });
            assert_eq!(touched(name), i < 4900, "{name}");
            // Written over in place, not replaced by a new file.
            assert_eq!(inode(name), before[i], "{name}");
        }
        assert!(!beside(&out, "spool").exists());
    }

    #[test]
    fn a_patch_writes_over_plain_files_and_replaces_links() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("public");
        let files = [("a.txt", "1"), ("b.txt", "1"), ("c.txt", "a longer text")];
        write_site(&out, &plan(&files), render).unwrap();
        // a.txt a hard link to a file outside, b.txt a symlink to another.
        let (linked, pointed) = (dir.path().join("linked"), dir.path().join("pointed"));
        std::fs::write(&linked, "mine").unwrap();
        std::fs::write(&pointed, "mine").unwrap();
        std::fs::remove_file(out.join("a.txt")).unwrap();
        std::fs::hard_link(&linked, out.join("a.txt")).unwrap();
        std::fs::remove_file(out.join("b.txt")).unwrap();
        std::os::unix::fs::symlink(&pointed, out.join("b.txt")).unwrap();
        let files = [("a.txt", "2"), ("b.txt", "2"), ("c.txt", "2")];
        write_site(&out, &plan(&files), render).unwrap();
        assert_eq!(
            read(&out, "c.txt"),
            "2",
            "written over in place, cut to length"
        );
        assert_eq!(read(&out, "a.txt"), "2");
        assert_eq!(read(&out, "b.txt"), "2");
        assert!(!out.join("b.txt").is_symlink());
        assert_eq!(std::fs::read_to_string(&linked).unwrap(), "mine");
        assert_eq!(std::fs::read_to_string(&pointed).unwrap(), "mine");
    }

    /// A disk with `left` bytes free: a write that does not fit writes what
    /// fits, then fails as a full disk does. A folder costs one byte.
    struct FullDisk {
        left: std::sync::Mutex<usize>,
    }

    impl FullDisk {
        fn new(bytes: usize) -> Self {
            FullDisk {
                left: std::sync::Mutex::new(bytes),
            }
        }
        fn take(&self, want: usize) -> usize {
            let mut left = self.left.lock().unwrap();
            let got = want.min(*left);
            *left -= got;
            got
        }
    }

    impl Disk for FullDisk {
        fn write(&self, path: &Path, bytes: &[u8]) -> io::Result<()> {
            let got = self.take(bytes.len());
            std::fs::write(path, &bytes[..got])?;
            if got < bytes.len() {
                return Err(io::Error::from(io::ErrorKind::StorageFull));
            }
            Ok(())
        }
        fn append(&self, path: &Path, bytes: &[u8]) -> io::Result<()> {
            use std::io::Write;
            let got = self.take(bytes.len());
            let mut file = std::fs::OpenOptions::new().append(true).open(path)?;
            file.write_all(&bytes[..got])?;
            if got < bytes.len() {
                return Err(io::Error::from(io::ErrorKind::StorageFull));
            }
            Ok(())
        }
        fn create_dir_all(&self, path: &Path) -> io::Result<()> {
            if self.take(1) == 0 {
                return Err(io::Error::from(io::ErrorKind::StorageFull));
            }
            std::fs::create_dir_all(path)
        }
    }

    /// Every file and folder under `dir`, hidden ones included.
    fn everything(dir: &Path) -> std::collections::BTreeMap<PathBuf, Option<Vec<u8>>> {
        walkdir::WalkDir::new(dir)
            .into_iter()
            .map(|e| e.unwrap())
            .map(|e| {
                let bytes = e
                    .file_type()
                    .is_file()
                    .then(|| std::fs::read(e.path()).unwrap());
                (e.path().strip_prefix(dir).unwrap().to_path_buf(), bytes)
            })
            .collect()
    }

    const V1: [Unit; 3] = [
        ("a/index.html", "one"),
        ("b.txt", "two"),
        ("c/d/e.txt", "three"),
    ];
    /// Two files changed, one gone, four new in new folders.
    const V2: [Unit; 6] = [
        ("a/index.html", "one, longer now"),
        ("b.txt", "two, longer now"),
        ("new/1/index.html", "a new page, of some length"),
        ("new/2/index.html", "a second new page"),
        ("new/3/feed.xml", "a third new file"),
        ("top.txt", "and one at the top"),
    ];

    /// For every amount of free space short of what `V2` needs, writing it
    /// over `V1` fails, says the output is untouched, and leaves every
    /// byte and folder as it was; then with room it succeeds.
    fn full_disk_changes_nothing(with_manifest: bool) {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("public");
        write_site(&out, &plan(&V1), render).unwrap();
        if !with_manifest {
            std::fs::remove_file(manifest_path(&out)).unwrap();
        }
        let before = everything(dir.path());
        let mut failed = 0;
        for free in 0.. {
            let result = write_site_on(FullDisk::new(free), &out, &plan(&V2), render);
            let Err(e) = result else {
                break;
            };
            assert!(
                matches!(&e, Failure::Write(WriteError::Io { .. })),
                "{free}: {e:?}"
            );
            assert!(e.output_untouched());
            assert_eq!(everything(dir.path()), before, "{free} bytes free");
            failed += 1;
        }
        assert!(failed > 100, "every stage ran out of space: {failed}");
        assert_eq!(read(&out, "new/3/feed.xml"), "a third new file");
        assert!(!out.join("c").exists());
        let again = write_site(&out, &plan(&V2), render).unwrap();
        assert_eq!(
            (again.written, again.rendered),
            (0, 0),
            "the manifest is right"
        );
    }

    /// The spool is packed, so it no longer holds the room the pages it
    /// writes over will take: the reserve does, and a disk without that
    /// room stops the patch before the output changes.
    #[test]
    fn a_patch_holds_the_room_its_pages_grow_by() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("public");
        write_site(&out, &plan(&V1), render).unwrap();
        let before = everything(dir.path());
        // a/index.html grows from one block to three, b.txt stays in one.
        let long: &'static str = Box::leak("one and more ".repeat(700).into_boxed_str());
        let grown = [("a/index.html", long), ("b.txt", "two, longer now"), V1[2]];
        let result = write_site_on(FullDisk::new(3000), &out, &plan(&grown), render);
        let e = result.unwrap_err();
        assert!(e.output_untouched(), "{e:?}");
        assert!(format!("{e:?}").contains("reserve"), "{e:?}");
        assert_eq!(everything(dir.path()), before);

        let disk = FullDisk::new(2 * BLOCK as usize + 1000);
        write_site_on(disk, &out, &plan(&grown), render).unwrap();
        assert_eq!(read(&out, "a/index.html"), long);
        assert_eq!(read(&out, "b.txt"), "two, longer now");
        assert!(!beside(&out, "reserve").exists());
        assert!(!beside(&out, "spool").exists());
    }

    #[test]
    fn a_full_disk_while_patching_changes_nothing() {
        full_disk_changes_nothing(true);
    }

    #[test]
    fn a_full_disk_while_staging_changes_nothing() {
        full_disk_changes_nothing(false);
    }
}
