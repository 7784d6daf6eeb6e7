//! A folder of partial results, shared by the shards of one run: each
//! shard writes its one file into it at any time, beside the others.

use super::{inspect, place, read_marker, split, stale, tidy, Existing, MARKER, SHARDS_LINE};
use crate::error::{Error, Result};
use std::fs;
use std::path::{Path, PathBuf};

/// Check that `--out` can hold partial results of shards: missing, empty,
/// or a folder of shards. Reports temporary files of shard runs that were
/// killed. Call before simulating.
///
/// # Errors
///
/// [`Error::Input`] when `--out` is a file, a symbolic link or a folder of
/// other files.
pub fn check_shards(out: &Path, quiet: bool) -> Result<()> {
    split(out)?;
    if inspect(out, true)? == Existing::Shards {
        let left = stale(out, shard_temp_pid);
        if !quiet && !left.is_empty() {
            crate::stderr_line!(
                "warning: left in '{}' by interrupted shard runs (their processes are gone; delete when no longer needed): {}",
                out.display(),
                left.join(", ")
            );
        }
    }
    Ok(())
}

/// Write the partial result `name` of a shard into the shard folder `out`
/// (created if needed, and marked as a folder of shards): into a new
/// temporary file `.<name>.tmp-<pid>-<random>` in `out`, flushed, then
/// renamed to `name`. Other shards may write into the same folder at the
/// same time.
///
/// # Errors
///
/// [`Error::Input`] when `out` is not a folder of shards,
/// [`Error::Write`] when the file cannot be written.
pub fn write_shard(out: &Path, name: &str, bytes: &[u8]) -> Result<PathBuf> {
    let werr = |path: &Path, source| Error::Write {
        path: path.to_path_buf(),
        source,
    };
    let out = &tidy(out);
    fs::create_dir_all(out).map_err(|e| werr(out, e))?;
    inspect(out, true)?;
    if read_marker(out).is_none() {
        place(out, MARKER, format!("{SHARDS_LINE}\n").as_bytes())?;
    }
    // Again, now that a marker is in place: a command writing results
    // into the same new folder may have swapped its own in meanwhile.
    inspect(out, true)?;
    place(out, name, bytes)
}

/// The process of a temporary file that [`write_shard`] writes into a
/// folder of shards, `.<name>.tmp-<pid>-<random>` where `<name>` is a
/// partial result or the marker; `None` for any other name.
pub(super) fn shard_temp_pid(name: &str) -> Option<u32> {
    let (base, rest) = name.strip_prefix('.')?.rsplit_once(".tmp-")?;
    let (pid, random) = rest.split_once('-')?;
    let ours = base.ends_with(".srpart") || base == MARKER.trim_start_matches('.');
    let random_ok = random.len() == 8 && random.bytes().all(|b| b.is_ascii_hexdigit());
    if ours && random_ok {
        pid.parse().ok()
    } else {
        None
    }
}
