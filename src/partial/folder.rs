//! A folder of shards holds the partial results of one run or study: a
//! shard checks, before it simulates and again before it writes, that
//! every partial result already there belongs to its own run (a rerun of
//! one of its shards replaces that shard's file).

use super::read::{parse_header, BadHeader};
use super::{Header, EXTENSION, MAGIC};
use crate::error::{InputError, Result};
use std::io::{BufRead, BufReader, Read};
use std::path::Path;

/// Longest header line read (a header carries its scenario's text).
const MAX_HEADER: u64 = 64 << 20;

/// Check that the partial results already in `out` (if it exists) are of
/// the run or study that `mine` (a shard's header, without its body) is a
/// slice of.
///
/// # Errors
///
/// [`InputError`] (exit status 2) naming every partial result of another
/// run, study, program version or format, and every file with the
/// extension that is not a partial result.
pub fn check_folder(out: &Path, mine: &Header) -> Result<()> {
    let Ok(entries) = std::fs::read_dir(out) else {
        return Ok(());
    };
    let mut files: Vec<_> = entries
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|f| f.is_file() && f.extension().is_some_and(|x| x == EXTENSION))
        .collect();
    files.sort();
    let advice = format!(
        "give each run's shards a folder of their own, or delete the other run's files from '{}' first",
        out.display()
    );
    let mut problems = Vec::new();
    for f in files {
        let shown = f.display().to_string();
        let found = match header_of(&f) {
            Err(what) => Some(what),
            Ok(theirs) if theirs.kind() != mine.kind() => Some(format!(
                "a partial result of `{}`, not of `{}`",
                theirs.kind().command(),
                mine.kind().command()
            )),
            Ok(theirs) => {
                let diffs: Vec<String> = theirs
                    .differences(mine)
                    .into_iter()
                    .map(|(what, t, m)| format!("{what} {t}, not {m}"))
                    .collect();
                (!diffs.is_empty()).then(|| format!("one of another run ({})", diffs.join("; ")))
            }
        };
        if let Some(found) = found {
            problems.push(InputError::file(
                shown,
                format!(
                    "expected only partial results of this shard's {} in its folder, found {found}: {advice}",
                    mine.kind().whole()
                ),
            ));
        }
    }
    crate::error::none(problems)
}

/// The header of a partial result file, read without its body, or what
/// the file is instead.
fn header_of(path: &Path) -> std::result::Result<Header, String> {
    let file =
        std::fs::File::open(path).map_err(|e| format!("a file that cannot be read ({e})"))?;
    let mut r = BufReader::new(file.take(MAX_HEADER));
    let mut line = Vec::new();
    let not_ours = || "a file that is not a partial result".to_string();
    r.read_until(b'\n', &mut line).map_err(|_| not_ours())?;
    if line != MAGIC.as_bytes() {
        return Err(not_ours());
    }
    line.clear();
    r.read_until(b'\n', &mut line).map_err(|_| not_ours())?;
    parse_header(&line).map_err(|e| match e {
        BadHeader::Corrupt(_) => not_ours(),
        BadHeader::Format(v) => format!(
            "a partial result of format {} (written by {})",
            v.format, v.program
        ),
    })
}
