//! Finding where a key path (`source[3].disruption.rate`) stands in the
//! scenario text, so that every error can name a line and a column.

use toml::de::{DeTable, DeValue};
use toml::Spanned;

/// One step of a key path.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Segment {
    /// A table key.
    Key(String),
    /// An array index (0-based).
    Index(usize),
}

/// Split a key path such as `source[3].disruption.rate` into segments.
pub fn parse_path(path: &str) -> Vec<Segment> {
    let mut out = Vec::new();
    for part in path.split('.') {
        let mut rest = part;
        if let Some(open) = rest.find('[') {
            if open > 0 {
                out.push(Segment::Key(rest[..open].to_string()));
            }
            rest = &rest[open..];
            while let Some(stripped) = rest.strip_prefix('[') {
                let Some(close) = stripped.find(']') else {
                    break;
                };
                if let Ok(i) = stripped[..close].parse() {
                    out.push(Segment::Index(i));
                }
                rest = &stripped[close + 1..];
            }
        } else if !rest.is_empty() {
            out.push(Segment::Key(rest.to_string()));
        }
    }
    out
}

/// 1-based line and column (in characters) of a byte offset.
pub fn line_col(text: &str, offset: usize) -> (usize, usize) {
    let offset = offset.min(text.len());
    let before = text.get(..offset).unwrap_or(text);
    let line = before.matches('\n').count() + 1;
    let line_start = before.rfind('\n').map_or(0, |i| i + 1);
    let col = before[line_start..].chars().count() + 1;
    (line, col)
}

/// Maps key paths to positions in one scenario text.
pub struct Locator<'a> {
    text: &'a str,
    doc: Option<Spanned<DeTable<'a>>>,
}

impl<'a> Locator<'a> {
    /// Parse `text` once for its spans. A text that does not parse gives a
    /// locator that knows no positions.
    pub fn new(text: &'a str) -> Self {
        Locator {
            text,
            doc: DeTable::parse(text).ok(),
        }
    }

    /// A locator that knows no positions (for checks that are placed
    /// again, with a parsed locator, only when they fail).
    pub fn blank(text: &'a str) -> Self {
        Locator { text, doc: None }
    }

    /// A locator over `doc`, already parsed from `text`.
    pub fn from_doc(text: &'a str, doc: Spanned<DeTable<'a>>) -> Self {
        Locator {
            text,
            doc: Some(doc),
        }
    }

    /// Line and column of the value at `path`, or of the deepest table on
    /// the way to it that exists (for a missing key: the table that lacks
    /// it). For a key that is present, the position is that of its key
    /// where the file names it, else of its value.
    pub fn position(&self, path: &str) -> Option<(usize, usize)> {
        self.offset(path).map(|off| line_col(self.text, off))
    }

    /// The byte offset [`Locator::position`] gives the line and column of.
    pub fn offset(&self, path: &str) -> Option<usize> {
        let doc = self.doc.as_ref()?;
        let mut best = None;
        let mut table: Option<&DeTable> = Some(doc.get_ref());
        let mut value: Option<&Spanned<DeValue>> = None;
        for seg in parse_path(path) {
            match seg {
                Segment::Key(k) => {
                    let t = match (table, value) {
                        (Some(t), _) => t,
                        (None, Some(v)) => match v.get_ref() {
                            DeValue::Table(t) => t,
                            _ => break,
                        },
                        _ => break,
                    };
                    let Some((key, v)) = t.iter().find(|(key, _)| key.get_ref().as_ref() == k)
                    else {
                        break;
                    };
                    // Prefer the key's span when it has a real one (headers
                    // of [[arrays]] have keys without useful spans).
                    let span = key.span();
                    best = Some(if span.end > span.start {
                        span.start
                    } else {
                        v.span().start
                    });
                    table = None;
                    value = Some(v);
                }
                Segment::Index(i) => {
                    let Some(DeValue::Array(a)) = value.map(|v| v.get_ref()) else {
                        break;
                    };
                    let Some(v) = a.get(i) else { break };
                    best = Some(v.span().start);
                    table = None;
                    value = Some(v);
                }
            }
        }
        best
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_key_paths() {
        assert_eq!(
            parse_path("source[3].disruption.rate"),
            vec![
                Segment::Key("source".into()),
                Segment::Index(3),
                Segment::Key("disruption".into()),
                Segment::Key("rate".into())
            ]
        );
        assert_eq!(
            parse_path("event[0].affects[2].exposure").len(),
            5,
            "nested indexes"
        );
    }

    #[test]
    fn finds_lines_of_nested_keys() {
        let text = "[scenario]\nname = \"x\"\n\n[[source]]\nid = \"a\"\n\n[[source]]\nid = \"b\"\ndisruption = { rate = -1, severity = 0.5 }\n";
        let loc = Locator::new(text);
        assert_eq!(loc.position("scenario.name"), Some((2, 1)));
        assert_eq!(loc.position("source[1].id"), Some((8, 1)));
        assert_eq!(loc.position("source[1].disruption.rate"), Some((9, 16)));
        // A missing key falls back to the deepest table that exists.
        assert_eq!(loc.position("source[1].disruption.nope"), Some((9, 1)));
    }

    #[test]
    fn line_col_counts_characters() {
        assert_eq!(line_col("ab\ncé d", 7), (2, 4));
        assert_eq!(line_col("", 10), (1, 1));
    }
}
