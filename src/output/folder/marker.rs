//! The marker a results folder holds (its command line and the files it
//! lists), and finding the results folder a path lies inside.

use super::MARKER;
use std::fs;
use std::path::{Path, PathBuf};

/// The marker of `dir`: its command line and the files it lists.
pub(super) fn read_marker(dir: &Path) -> Option<(String, Vec<String>)> {
    let path = dir.join(MARKER);
    if !fs::symlink_metadata(&path).ok()?.is_file() {
        return None;
    }
    let text = fs::read_to_string(path).ok()?;
    let mut lines = text.lines();
    let first = lines.next()?;
    first.strip_prefix("supplyrisk ")?;
    Some((first.to_string(), lines.map(str::to_string).collect()))
}

/// The results folder of a command (a folder with a marker) that `path`
/// lies inside, if any: the nearest one, with `..` in `path` resolved as
/// written (no folder it names need exist).
pub fn results_folder_around(path: &Path) -> Option<PathBuf> {
    let absolute = std::path::absolute(path).unwrap_or_else(|_| path.to_path_buf());
    let mut plain = PathBuf::new();
    for c in absolute.components() {
        match c {
            std::path::Component::ParentDir => {
                plain.pop();
            }
            std::path::Component::CurDir => {}
            c => plain.push(c),
        }
    }
    plain
        .ancestors()
        .skip(1)
        .find(|a| read_marker(a).is_some())
        .map(Path::to_path_buf)
}
