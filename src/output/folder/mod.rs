//! The output folder (`--out`): a results folder always holds exactly one
//! complete run.
//!
//! A command that writes results ([`Staging`]) first checks `--out`, then,
//! before simulating, creates a fresh hidden folder beside it,
//! `.<name>.partial-<pid>-<random>` (with `create_dir`, which never reuses
//! an existing path). Every file goes into that folder (each created new,
//! never through an existing path) and is flushed to disk; last comes the
//! marker file [`MARKER`], which names the command and every file written.
//! Then the folder is swapped in:
//!
//! - `--out` missing, or an empty folder: the new folder is renamed to it;
//! - `--out` a folder supplyrisk wrote (its marker lists everything in
//!   it): the old folder is renamed aside (`.<name>.old-<pid>-<random>`),
//!   the new one renamed into place, then the files the old marker lists
//!   are deleted with the old folder;
//! - anything else is refused before simulating: a file, a symbolic link,
//!   a folder holding files supplyrisk did not write.
//!
//! `run --shard K/N` is different: several shards share one folder, so each
//! writes its single partial result into `--out` through a new temporary
//! file renamed into place, and the folder's marker says it holds shards
//! ([`write_shard`]).
//!
//! On SIGINT or SIGTERM the binary calls [`remove_pending`], which deletes
//! the temporary folder or file being written. A run killed outright
//! (SIGKILL, power loss) can leave a hidden `.<name>.partial-…` folder;
//! the next command writing to the same `--out` names such folders on
//! stderr, when the process that made them is gone, and leaves them alone.

use crate::error::{Error, Result};
use marker::read_marker;
pub use marker::results_folder_around;
use std::collections::hash_map::RandomState;
use std::fs::{self, File, OpenOptions};
use std::hash::{BuildHasher, Hasher};
use std::io::Write as _;
use std::path::{Component, Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering as AtomicOrdering};
use std::sync::{Mutex, MutexGuard, PoisonError};

/// Name of the marker file in every folder supplyrisk writes. Its first
/// line is `supplyrisk <command>` (`supplyrisk run --shard` in a folder of
/// shards); the following lines name every file the command wrote.
pub const MARKER: &str = ".supplyrisk";

/// First line of the marker of a folder of partial results.
const SHARDS_LINE: &str = "supplyrisk run --shard";

/// Temporary paths being written, removed by [`remove_pending`].
static PENDING: Mutex<Vec<PathBuf>> = Mutex::new(Vec::new());

fn pending() -> MutexGuard<'static, Vec<PathBuf>> {
    PENDING.lock().unwrap_or_else(PoisonError::into_inner)
}

fn forget(list: &mut Vec<PathBuf>, path: &Path) {
    list.retain(|p| p != path);
}

/// Set once the process is stopping: no new file is created after it.
static STOPPING: AtomicBool = AtomicBool::new(false);

/// Delete every temporary folder or file being written (for a signal
/// handler, before exiting). Waits for a folder swap in progress to end.
/// A file that another thread was creating as the folder was deleted
/// leaves it non-empty: it is deleted again, a few times if need be.
pub fn remove_pending() {
    STOPPING.store(true, AtomicOrdering::SeqCst);
    let mut list = pending();
    for p in list.drain(..) {
        match fs::symlink_metadata(&p) {
            Ok(m) if m.is_dir() => {
                for _ in 0..50 {
                    if fs::remove_dir_all(&p).is_ok() || fs::symlink_metadata(&p).is_err() {
                        break;
                    }
                    std::thread::sleep(std::time::Duration::from_millis(5));
                }
            }
            Ok(_) => {
                let _ = fs::remove_file(&p);
            }
            Err(_) => {}
        }
    }
    // Keep the lock: nothing may start writing while the process exits.
    std::mem::forget(list);
}

/// A random number for temporary names (std's hasher keys are random).
fn random() -> u32 {
    RandomState::new().build_hasher().finish() as u32
}

fn out_error(out: &Path, message: impl std::fmt::Display) -> Error {
    Error::bad_flag("--out", format!("'{}' {message}", out.display()))
}

/// `--out` as the folder it names: `r/.` and `r/./` are `r` (a rename
/// onto `r/.` would fail), and `missing/../r` is `r` where `missing` does
/// not exist (so it is not created on the way; a folder that does exist
/// may be a link, whose `..` is not its parent, so it is kept).
pub(crate) fn tidy(out: &Path) -> PathBuf {
    let mut path = PathBuf::new();
    for c in out.components() {
        let missing = matches!(path.components().next_back(), Some(Component::Normal(_)))
            && std::fs::symlink_metadata(&path).is_err();
        if c == Component::ParentDir && missing {
            path.pop();
        } else {
            path.push(c);
        }
    }
    path
}

/// `--out` split into the folder that holds it and its own name.
fn split(out: &Path) -> Result<(PathBuf, String)> {
    let name = out
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .filter(|n| !matches!(n.as_str(), "" | "." | ".."))
        .ok_or_else(|| {
            out_error(
                out,
                "does not name a folder; give a folder such as results/run1",
            )
        })?;
    let parent = out
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .map_or_else(|| PathBuf::from("."), Path::to_path_buf);
    Ok((parent, name))
}

/// What `--out` is now.
#[derive(Debug, PartialEq, Eq)]
enum Existing {
    /// Nothing there.
    Missing,
    /// An empty folder.
    Empty,
    /// Results of `command`, holding only the listed files (and the marker).
    Results { command: String, files: Vec<String> },
    /// Partial results of shards.
    Shards,
}

/// Look at `--out` and say what it is, refusing what may not be written to.
fn inspect(out: &Path, shards: bool) -> Result<Existing> {
    // Inside another command's folder, which would hold files it did not
    // list (and which its next run would replace).
    if let Some(outer) = results_folder_around(out) {
        return Err(out_error(
            out,
            format!(
                "lies inside '{}', another command's results folder, whose next run would delete it; give each command a folder of its own beside the others, not inside them",
                outer.display()
            ),
        ));
    }
    let meta = match fs::symlink_metadata(out) {
        Ok(m) => m,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Existing::Missing),
        Err(e) => return Err(out_error(out, format!("cannot be used: {e}"))),
    };
    if meta.file_type().is_symlink() {
        return Err(out_error(
            out,
            "is a symbolic link; give the folder itself, or an empty or new folder",
        ));
    }
    if !meta.is_dir() {
        return Err(out_error(
            out,
            "is a file, not a folder; choose an empty or new folder",
        ));
    }
    let names: Vec<String> = fs::read_dir(out)
        .and_then(|it| {
            it.map(|e| e.map(|e| e.file_name().to_string_lossy().into_owned()))
                .collect()
        })
        .map_err(|e| out_error(out, format!("cannot be read: {e}")))?;
    if names.is_empty() {
        return Ok(Existing::Empty);
    }
    // A results folder inside: a command's own --out given around another's.
    let nested = names
        .iter()
        .find(|n| n.as_str() != MARKER && read_marker(&out.join(n)).is_some());
    let nested_error = |inner: &String| {
        out_error(
            out,
            format!(
                "holds the results folder '{}' of another command, which replacing it would delete; give each command a folder of its own beside the others, not around them",
                crate::error::clip(inner)
            ),
        )
    };
    let foreign = || match nested {
        Some(inner) => nested_error(inner),
        None => out_error(
            out,
            "holds files supplyrisk did not write; choose an empty or new folder",
        ),
    };
    let Some((first, listed)) = read_marker(out) else {
        // A folder of partial results before its marker is in place: shards
        // that started together may be writing their files and the marker
        // at this moment (or it was written before folders had markers).
        let all_parts = names
            .iter()
            .all(|n| n.ends_with(".srpart") || shards::shard_temp_pid(n).is_some());
        return if shards && all_parts {
            Ok(Existing::Shards)
        } else {
            Err(foreign())
        };
    };
    if first == SHARDS_LINE {
        return if shards {
            Ok(Existing::Shards)
        } else {
            Err(out_error(
                out,
                "holds partial results of `run --shard`; choose an empty or new folder",
            ))
        };
    }
    if shards {
        return Err(out_error(
            out,
            format!("holds the results of `{first}`, not partial results of shards; choose an empty or new folder"),
        ));
    }
    if let Some(extra) = names
        .iter()
        .find(|n| n.as_str() != MARKER && !listed.contains(n))
    {
        if let Some(inner) = nested {
            return Err(nested_error(inner));
        }
        return Err(out_error(
            out,
            format!(
                "holds files supplyrisk did not write (such as '{}'); choose an empty or new folder",
                crate::error::clip(extra)
            ),
        ));
    }
    Ok(Existing::Results {
        command: first,
        files: listed,
    })
}

/// Whether the process `pid` is alive (when that cannot be told: yes).
fn alive(pid: u32) -> bool {
    #[cfg(unix)]
    {
        let Ok(pid) = libc::pid_t::try_from(pid) else {
            return true;
        };
        // SAFETY: kill with signal 0 sends nothing; it only checks the pid.
        let r = unsafe { libc::kill(pid, 0) };
        r == 0 || std::io::Error::last_os_error().raw_os_error() != Some(libc::ESRCH)
    }
    #[cfg(not(unix))]
    {
        let _ = pid;
        true
    }
}

/// Names in `dir` made by a process that is gone: `pid_of` says which
/// process made a name (`None`: not one of ours).
fn stale(dir: &Path, pid_of: impl Fn(&str) -> Option<u32>) -> Vec<String> {
    let Ok(entries) = fs::read_dir(dir) else {
        return Vec::new();
    };
    let mut found: Vec<String> = entries
        .filter_map(|e| e.ok())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| pid_of(n).is_some_and(|pid| pid != std::process::id() && !alive(pid)))
        .collect();
    found.sort();
    found
}

/// Report, on one line of stderr unless `quiet`, what interrupted runs
/// left beside `--out` (`.<name>.partial-…`, `.<name>.old-…`).
fn report_stale(parent: &Path, name: &str, quiet: bool) {
    let prefixes = [format!(".{name}.partial-"), format!(".{name}.old-")];
    let left = stale(parent, |n| {
        prefixes.iter().find_map(|p| {
            let rest = n.strip_prefix(p.as_str())?;
            rest.split('-').next()?.parse().ok()
        })
    });
    if !quiet && !left.is_empty() {
        let shown: Vec<String> = left
            .iter()
            .map(|n| parent.join(n).display().to_string())
            .collect();
        crate::stderr_line!(
            "warning: left by interrupted supplyrisk runs (their processes are gone; delete when no longer needed): {}",
            shown.join(", ")
        );
    }
}

/// The results of one command being written: a fresh hidden folder
/// beside `--out`, swapped in by [`Staging::commit`]; deleted if dropped
/// before that.
#[derive(Debug)]
pub struct Staging {
    out: PathBuf,
    tmp: PathBuf,
    command: String,
    files: Vec<String>,
    quiet: bool,
    done: bool,
}

/// Check `--out` as [`Staging::begin`] does, creating nothing: so that a
/// bad folder is reported with the other problems of a command's input.
///
/// # Errors
///
/// As [`Staging::begin`], for the folder itself.
pub fn check_out(out: &Path) -> Result<()> {
    split(out)?;
    inspect(out, false).map(|_| ())
}

impl Staging {
    /// Check `--out` and create the temporary folder beside it (and the
    /// folders above it). Call before simulating: a bad `--out` is bad
    /// input (exit status 2) and nothing is simulated.
    ///
    /// # Errors
    ///
    /// [`Error::Input`] when `--out` is a file, a symbolic link or a folder
    /// holding files supplyrisk did not write, or when the folder beside
    /// it cannot be created.
    pub fn begin(out: &Path, command: &str, quiet: bool) -> Result<Staging> {
        let out = &tidy(out);
        let (parent, name) = split(out)?;
        inspect(out, false)?;
        fs::create_dir_all(&parent)
            .map_err(|e| out_error(out, format!("cannot be created: {e}")))?;
        report_stale(&parent, &name, quiet);
        let mut list = pending();
        let tmp = loop {
            let tmp = parent.join(format!(
                ".{name}.partial-{}-{:08x}",
                std::process::id(),
                random()
            ));
            match fs::create_dir(&tmp) {
                Ok(()) => break tmp,
                Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => continue,
                Err(e) => {
                    return Err(out_error(
                        out,
                        format!("cannot be written: a folder cannot be created beside it: {e}"),
                    ))
                }
            }
        };
        list.push(tmp.clone());
        Ok(Staging {
            out: out.to_path_buf(),
            tmp,
            command: command.to_string(),
            files: Vec::new(),
            quiet,
            done: false,
        })
    }

    /// The temporary folder.
    pub fn path(&self) -> &Path {
        &self.tmp
    }

    /// The output folder it becomes.
    pub fn out(&self) -> &Path {
        &self.out
    }

    /// Write the file `name` (a plain file name) into the temporary folder
    /// and flush it to disk. Returns where it will be once committed.
    ///
    /// # Errors
    ///
    /// [`Error::Write`] when the file cannot be written.
    pub fn write(&mut self, name: &str, bytes: &[u8]) -> Result<PathBuf> {
        if name.is_empty() || name == MARKER || name.contains(['/', '\\']) || name.starts_with('.')
        {
            return Err(Error::Other(format!("not an output file name: '{name}'")));
        }
        write_new(&self.tmp.join(name), bytes)?;
        self.files.push(name.to_string());
        Ok(self.out.join(name))
    }

    /// Write the marker and swap the folder in as `--out`. Returns the
    /// files written, at their final paths.
    ///
    /// # Errors
    ///
    /// [`Error::Write`] when the swap fails; [`Error::Input`] when `--out`
    /// changed since [`Staging::begin`] into something that may not be
    /// replaced. The temporary folder is then deleted.
    pub fn commit(mut self) -> Result<Vec<PathBuf>> {
        let mut marker = format!("supplyrisk {}\n", self.command);
        for f in &self.files {
            marker.push_str(f);
            marker.push('\n');
        }
        write_new(&self.tmp.join(MARKER), marker.as_bytes())?;
        sync_dir(&self.tmp);
        let (parent, name) = split(&self.out)?;
        let werr = |source| Error::Write {
            path: self.out.clone(),
            source,
        };
        let mut list = pending();
        match inspect(&self.out, false)? {
            Existing::Missing => fs::rename(&self.tmp, &self.out).map_err(werr)?,
            Existing::Empty => {
                if fs::rename(&self.tmp, &self.out).is_err() {
                    fs::remove_dir(&self.out).map_err(werr)?;
                    fs::rename(&self.tmp, &self.out).map_err(werr)?;
                }
            }
            Existing::Results { command, files } => {
                self.note_replaced(&command);
                let old = loop {
                    let old = parent.join(format!(
                        ".{name}.old-{}-{:08x}",
                        std::process::id(),
                        random()
                    ));
                    if fs::symlink_metadata(&old).is_err() {
                        break old;
                    }
                };
                fs::rename(&self.out, &old).map_err(werr)?;
                if let Err(e) = fs::rename(&self.tmp, &self.out) {
                    // Put the previous results back; if another run's
                    // complete results took their place meanwhile, those
                    // are newer, and the previous ones go.
                    if fs::rename(&old, &self.out).is_err() {
                        remove_listed(&old, &files, true);
                    }
                    return Err(werr(e));
                }
                forget(&mut list, &self.tmp);
                self.done = true;
                remove_listed(&old, &files, self.quiet);
            }
            Existing::Shards => unreachable!("inspect refuses shard folders for results"),
        }
        forget(&mut list, &self.tmp);
        self.done = true;
        drop(list);
        sync_dir(&parent);
        Ok(self.files.iter().map(|f| self.out.join(f)).collect())
    }
}

impl Drop for Staging {
    fn drop(&mut self) {
        if !self.done {
            let mut list = pending();
            forget(&mut list, &self.tmp);
            let _ = fs::remove_dir_all(&self.tmp);
        }
    }
}

/// Delete the old results folder `old`: the files its marker listed, the
/// marker, then the folder. Anything else (put there since it was checked)
/// is left, with a warning.
fn remove_listed(old: &Path, files: &[String], quiet: bool) {
    for f in files
        .iter()
        .filter(|f| !f.is_empty() && !f.contains(['/', '\\']))
    {
        let _ = fs::remove_file(old.join(f));
    }
    let _ = fs::remove_file(old.join(MARKER));
    if fs::remove_dir(old).is_err() && !quiet {
        crate::stderr_line!(
            "warning: the previous results were moved to '{}', which still holds files supplyrisk did not write",
            old.display()
        );
    }
}

impl Staging {
    /// Unless quiet, say that `--out` held the results of another command
    /// (`previous`, its marker's first line), now replaced: commands share
    /// the default folder `results/<file stem>/`.
    fn note_replaced(&self, previous: &str) {
        let before = previous.strip_prefix("supplyrisk ").unwrap_or(previous);
        if !self.quiet && before != self.command {
            crate::stderr_line!(
                "note: '{}' held the results of `{before}`, now replaced by those of `{}`; give each command its own --out to keep both",
                self.out.display(),
                self.command
            );
        }
    }
}

/// Create `path` (never through an existing path), write `bytes`, flush.
fn write_new(path: &Path, bytes: &[u8]) -> Result<()> {
    let werr = |source| Error::Write {
        path: path.to_path_buf(),
        source,
    };
    if STOPPING.load(AtomicOrdering::SeqCst) {
        return Err(werr(std::io::Error::new(
            std::io::ErrorKind::Interrupted,
            "the program is stopping",
        )));
    }
    let mut f = OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(path)
        .map_err(werr)?;
    f.write_all(bytes).map_err(werr)?;
    f.sync_all().map_err(werr)
}

/// Flush a folder's entries to disk (where the platform allows).
fn sync_dir(dir: &Path) {
    if let Ok(d) = File::open(dir) {
        let _ = d.sync_all();
    }
}

/// Write `dir/name` through a new temporary file renamed into place.
pub(crate) fn place(dir: &Path, name: &str, bytes: &[u8]) -> Result<PathBuf> {
    let target = dir.join(name);
    let mut list = pending();
    let tmp = loop {
        let tmp = dir.join(format!(
            ".{}.tmp-{}-{:08x}",
            name.trim_start_matches('.'),
            std::process::id(),
            random()
        ));
        if fs::symlink_metadata(&tmp).is_err() {
            break tmp;
        }
    };
    list.push(tmp.clone());
    drop(list);
    let result = write_new(&tmp, bytes).and_then(|()| {
        fs::rename(&tmp, &target).map_err(|source| Error::Write {
            path: target.clone(),
            source,
        })
    });
    let mut list = pending();
    forget(&mut list, &tmp);
    if result.is_err() {
        let _ = fs::remove_file(&tmp);
    }
    drop(list);
    result?;
    sync_dir(dir);
    Ok(target)
}

mod marker;
mod shards;
#[cfg(test)]
mod tests;

pub use shards::{check_shards, write_shard};
