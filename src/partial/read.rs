//! Reading partial result files: the header and framing are checked when
//! a file is read; its body is decoded only when it is merged, one at a
//! time, so that a merge holds one slice's record at once beside the
//! whole, not every slice's.

use super::{Body, Header, Kind, Partial, Version, EXTENSION, FORMAT, MAGIC};
use crate::error::{InputError, Result};
use std::path::{Path, PathBuf};

/// Where a partial result's body is read from.
#[derive(Debug, Clone)]
pub(super) enum Raw {
    /// The whole file's bytes, held in memory (checked when read: they
    /// cannot change), the name messages give them, and where the body
    /// starts.
    Bytes(Vec<u8>, String, usize),
    /// A file, read again (and checked again) when its body is decoded.
    File(PathBuf),
}

/// The header of a partial result file's bytes, checked with its framing
/// (magic line, format version, body length, and the checksum of the
/// header and body), and where the
/// body starts.
fn framing(bytes: &[u8], file: &str) -> Result<(Header, usize), InputError> {
    let bad = |what: String| InputError::file(file, what);
    let rest = bytes.strip_prefix(MAGIC.as_bytes()).ok_or_else(|| {
        bad(
            "expected a partial result of `supplyrisk run --shard` or `uncertainty --shard`, found another kind of file"
                .into(),
        )
    })?;
    let line_end = rest
        .iter()
        .position(|&b| b == b'\n')
        .ok_or_else(|| bad("expected a header line, found a truncated file".into()))?;
    let header = parse_header(&rest[..line_end]).map_err(|e| match e {
        BadHeader::Corrupt(e) => bad(format!(
            "expected a valid header, found a corrupt one ({e})"
        )),
        BadHeader::Format(v) if v.program == super::program() => bad(format!(
            "expected partial result format {FORMAT}, found format {}, which {} never writes: the file is corrupt",
            v.format, v.program
        )),
        BadHeader::Format(v) => bad(format!(
            "expected partial result format {FORMAT}, found format {} (written by {}): merge with the program that wrote it",
            v.format, v.program
        )),
    })?;
    let start = MAGIC.len() + line_end + 1;
    let body = &bytes[start..];
    if body.len() as u64 != header.body_bytes {
        return Err(bad(format!(
            "expected a body of {} bytes, found {}: the file is truncated or corrupt",
            header.body_bytes,
            body.len()
        )));
    }
    if super::checksum(&header, body) != header.crc32 {
        return Err(bad(
            "the file does not match its checksum: it is corrupt".into()
        ));
    }
    // The random draws and the order of merging are the program's own:
    // a slice simulated by another version does not merge with its
    // slices, whatever its format.
    if header.program != super::program() {
        return Err(bad(format!(
            "expected a partial result of {}, found one of {}: merge with the program that wrote it",
            super::program(),
            header.program
        )));
    }
    if super::sha256_hex(&header.scenario_text) != header.scenario_sha256 {
        return Err(bad(
            "the scenario text does not match its SHA-256: the file is corrupt".into(),
        ));
    }
    Ok((header, start))
}

/// Why a header line is not this format's header.
pub(super) enum BadHeader {
    /// Not a header (or not valid JSON).
    Corrupt(serde_json::Error),
    /// The header of another format version.
    Format(Version),
}

/// The [`Header`] of a header line: its format version is read first,
/// since a header of another format may have other keys.
pub(super) fn parse_header(line: &[u8]) -> Result<Header, BadHeader> {
    let version: Version = serde_json::from_slice(line).map_err(BadHeader::Corrupt)?;
    if version.format != FORMAT {
        return Err(BadHeader::Format(version));
    }
    serde_json::from_slice(line).map_err(BadHeader::Corrupt)
}

/// Read a partial result file's bytes; `file` names it in messages. The
/// header and body are checked against the length and checksum, and
/// the body decoded by [`Partial::body`].
///
/// # Errors
///
/// [`InputError`] (exit status 2) for a file that is not a partial result,
/// is truncated or corrupt, or is of another format version.
pub fn from_bytes(bytes: &[u8], file: &str) -> Result<Partial, InputError> {
    from_vec(bytes.to_vec(), file.to_string())
}

/// [`from_bytes`] of bytes the partial result keeps.
fn from_vec(bytes: Vec<u8>, file: String) -> Result<Partial, InputError> {
    let (header, start) = framing(&bytes, &file)?;
    Ok(Partial {
        header,
        raw: Raw::Bytes(bytes, file, start),
    })
}

/// Read a partial result file, keeping its header only.
fn from_file(path: &Path) -> Result<Partial, InputError> {
    let shown = path.display().to_string();
    let bytes = std::fs::read(path)
        .map_err(|e| InputError::file(&shown, format!("could not read the file: {e}")))?;
    let (header, _) = framing(&bytes, &shown)?;
    Ok(Partial {
        header,
        raw: Raw::File(path.to_path_buf()),
    })
}

impl Partial {
    /// The body, decoded and checked to cover the slice its header names.
    /// A file is read again, and must still hold the partial result it
    /// held when it was first read.
    ///
    /// # Errors
    ///
    /// [`InputError`] (exit status 2) for a body that does not decode or
    /// does not fit its header, or a file that changed or went missing.
    pub fn body(&self) -> Result<Body, InputError> {
        let (bytes, file, start) = match &self.raw {
            Raw::Bytes(b, name, start) => (std::borrow::Cow::Borrowed(b), name.clone(), *start),
            Raw::File(path) => {
                let shown = path.display().to_string();
                let b = std::fs::read(path).map_err(|e| {
                    InputError::file(&shown, format!("could not read the file again: {e}"))
                })?;
                let (header, start) = framing(&b, &shown)?;
                if header != self.header {
                    return Err(InputError::file(
                        &shown,
                        "the file changed while the partial results were merged",
                    ));
                }
                (std::borrow::Cow::Owned(b), shown, start)
            }
        };
        let header = &self.header;
        let corrupt = |e: String| {
            InputError::file(
                &file,
                format!(
                    "expected a valid {}, found a corrupt one ({e})",
                    header.kind().body()
                ),
            )
        };
        let body = &bytes[start..];
        let body = match header.kind() {
            Kind::Run => Body::Run(postcard::from_bytes(body).map_err(|e| corrupt(e.to_string()))?),
            Kind::Study => {
                Body::Study(postcard::from_bytes(body).map_err(|e| corrupt(e.to_string()))?)
            }
        };
        if !body.fits(header) {
            return Err(corrupt(format!(
                "it does not cover the slice {}..{} its header names",
                header.slice[0], header.slice[1]
            )));
        }
        Ok(body)
    }
}

/// The partial result files of `paths`: each folder's `*.srpart` files
/// (sorted by name), and any file named directly; a file reached twice
/// (a folder given twice, or a file and its folder) counts once.
///
/// # Errors
///
/// [`InputError`] for a path that does not exist or a folder without
/// partial results.
pub fn find(paths: &[PathBuf]) -> Result<Vec<PathBuf>> {
    let mut files = Vec::new();
    for p in paths {
        let shown = p.display().to_string();
        if p.is_dir() {
            let entries = std::fs::read_dir(p)
                .map_err(|e| InputError::file(&shown, format!("could not read the folder: {e}")))?;
            let mut found: Vec<PathBuf> = entries
                .filter_map(|e| e.ok().map(|e| e.path()))
                .filter(|f| f.is_file() && f.extension().is_some_and(|x| x == EXTENSION))
                .collect();
            if found.is_empty() {
                return Err(InputError::file(
                    &shown,
                    format!(
                        "expected partial results (*.{EXTENSION}) of `run --shard` or `uncertainty --shard`, found none"
                    ),
                )
                .into());
            }
            found.sort();
            files.extend(found);
        } else if p.is_file() {
            files.push(p.clone());
        } else {
            return Err(InputError::file(&shown, "no such file or folder").into());
        }
    }
    let mut seen = std::collections::HashSet::new();
    files.retain(|f| seen.insert(std::fs::canonicalize(f).unwrap_or_else(|_| f.clone())));
    Ok(files)
}

/// Read partial result files (their headers; bodies are read again when
/// merged).
///
/// # Errors
///
/// [`InputError`] for files that cannot be read or are not valid partial
/// results; every such file is reported.
pub fn load(files: &[PathBuf]) -> Result<Vec<(PathBuf, Partial)>> {
    collect(files.iter().map(|f| (f.clone(), from_file(f))))
}

/// Partial results from their bytes, each with the name its messages
/// give it (a file, or any label for bytes held in memory), or the problem
/// met reading it.
///
/// # Errors
///
/// [`InputError`] for every item that could not be read or is not a valid
/// partial result.
pub fn read_all(
    items: impl IntoIterator<Item = (PathBuf, Result<Vec<u8>, InputError>)>,
) -> Result<Vec<(PathBuf, Partial)>> {
    collect(items.into_iter().map(|(name, bytes)| {
        let shown = name.display().to_string();
        let p = bytes.and_then(|b| from_vec(b, shown));
        (name, p)
    }))
}

/// The partial results read, or every problem met.
fn collect(
    items: impl Iterator<Item = (PathBuf, Result<Partial, InputError>)>,
) -> Result<Vec<(PathBuf, Partial)>> {
    let mut out = Vec::new();
    let mut problems = Vec::new();
    for (name, p) in items {
        match p {
            Ok(p) => out.push((name, p)),
            Err(e) => problems.push(e),
        }
    }
    crate::error::none(problems).map(|()| out)
}
