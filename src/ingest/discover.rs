//! Discovery: walks the archive's folders and decides which files are articles, naming each file
//! one-to-one ([`path_string`]).

use std::collections::HashSet;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::UNIX_EPOCH;

use walkdir::WalkDir;

use crate::ingest::decompress::Compression;
use crate::ingest::problem::Problem;
use crate::ingest::read::Format;

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FoundFile {
    /// Absolute path.
    pub path: PathBuf,
    pub size: u64,
    /// Modification time in nanoseconds since the epoch (0 when unknown). Used only to notice
    /// changed files, never as a publication date.
    pub mtime_ns: i128,
    pub format: Format,
    pub compression: Option<Compression>,
    /// The path as text ([`path_string`]): how the index, the manifest and reports name the file.
    pub key: String,
    /// Byte offset in `key` where the part relative to the indexed folder begins.
    pub rel_start: usize,
}

impl FoundFile {
    /// The path's segments below the indexed folder.
    pub fn rel_segments(&self) -> Vec<&str> {
        let s = self.key.as_str();
        s.get(self.rel_start.min(s.len())..)
            .unwrap_or("")
            .split(['/', '\\'])
            .filter(|x| !x.is_empty())
            .collect()
    }
}

/// A path as text, one-to-one: a name that is not valid UTF-8 (an old Latin-1 file name on a Unix
/// disk) keeps each invalid byte as `\xNN` instead of a lossy U+FFFD, and a literal backslash is
/// written `\\`, so a file really named `caf\xE9.txt` (`caf\\xE9.txt`) and a Latin-1 `caf<E9>.txt`
/// (`caf\xE9.txt`) never share an index key. Names without a backslash that are valid UTF-8 (nearly
/// all) are their own key.
pub fn path_string(path: &Path) -> String {
    #[cfg(unix)]
    {
        use std::fmt::Write;
        use std::os::unix::ffi::OsStrExt;
        let bytes = path.as_os_str().as_bytes();
        if let Some(s) = path.to_str()
            && !bytes.contains(&b'\\')
        {
            return s.to_owned();
        }
        let mut out = String::with_capacity(bytes.len() + 8);
        for chunk in bytes.utf8_chunks() {
            for (i, part) in chunk.valid().split('\\').enumerate() {
                if i > 0 {
                    out.push_str("\\\\");
                }
                out.push_str(part);
            }
            for b in chunk.invalid() {
                let _ = write!(out, "\\x{b:02X}");
            }
        }
        out
    }
    #[cfg(not(unix))]
    {
        // Backslash is the separator on Windows; names are UTF-16 and nearly always valid.
        path.to_string_lossy().into_owned()
    }
}

/// What the walk found: the files to read, and why others were passed over.
#[derive(Debug, Default)]
pub struct Discovery {
    pub files: Vec<FoundFile>,
    /// Files that look like articles by name but are not (README, LICENSE, ...), and walk errors.
    pub problems: Vec<Problem>,
    /// Files passed over because newsdex has no reader for their type.
    pub unsupported: u64,
    /// The same, by file type (lower-case extension, `(none)` without one): `pdf` 3, `docx` 1.
    pub unsupported_types: std::collections::BTreeMap<String, u64>,
    /// Folders and files the walk could not look into (permission denied, I/O error). What the
    /// index holds from them is kept: unreadable is not deleted.
    pub unreadable: Vec<String>,
}

/// Names of files that sit beside articles but are not articles, and name nothing else.
const NOT_ARTICLES: &[&str] = &[
    "readme",
    "license",
    "licence",
    "copying",
    "changelog",
    "contributing",
    "code_of_conduct",
];

/// Names of project files that are also ordinary words a news file may be named by
/// (`notice.txt`, `changes.md`): the content decides (see `read`).
const PROJECT_WORDS: &[&str] = &[
    "changes", "notice", "authors", "install", "todo", "manifest",
];

/// True for README, LICENSE and the like (any case, any extension).
pub fn is_not_article_name(path: &Path) -> bool {
    named_as(path, NOT_ARTICLES)
}

/// True for NOTICE, CHANGES, AUTHORS and the like: a project file's name that is also a word a
/// news story may be saved under, so only a file that does not read as prose is left out.
pub fn is_project_word_name(path: &Path) -> bool {
    named_as(path, PROJECT_WORDS)
}

fn named_as(path: &Path, names: &[&str]) -> bool {
    let Some(stem) = path.file_stem().and_then(|s| s.to_str()) else {
        return false;
    };
    let shouting = !stem.chars().any(|c| c.is_lowercase());
    let stem = stem.to_ascii_lowercase();
    // `README`, `README-fr`, `LICENSE-APACHE`: the name alone, or with one tag that is short or
    // written in capitals like the name. A slug that merely starts with the word
    // (`licence-of-futures-trader-suspended`, `manifest-destiny`) is an article.
    names.iter().any(|n| {
        stem == *n
            || stem.strip_prefix(n).is_some_and(|r| {
                let tag = r.get(1..).unwrap_or("");
                r.starts_with(['.', '-', '_'])
                    && !tag.is_empty()
                    && !tag.contains(['.', '-', '_', ' '])
                    && (tag.len() <= 3 || (shouting && tag.len() <= 10))
            })
    })
}

fn is_hidden(name: &std::ffi::OsStr) -> bool {
    name.to_str()
        .is_some_and(|s| s.starts_with('.') && s != "." && s != "..")
}

/// Walks `roots` and lists the article files in them, in a stable (sorted) order.
/// `exclude` (the index's own folder) is never entered.
pub fn discover(roots: &[PathBuf], exclude: Option<&Path>) -> Discovery {
    discover_until(roots, exclude, &AtomicBool::new(false))
}

/// [`discover`], stopping early (with what was found so far) once `stop` is set, so Ctrl-C is
/// not ignored during the walk of a large archive.
///
/// Every file is listed once: a file reached twice (two roots that overlap, a symbolic or hard
/// link to a file elsewhere in the archive) keeps the first path the sorted walk met.
pub fn discover_until(roots: &[PathBuf], exclude: Option<&Path>, stop: &AtomicBool) -> Discovery {
    let mut walk = Walk {
        found: Discovery::default(),
        exclude: exclude.and_then(|p| std::fs::canonicalize(p).ok()),
        seen_keys: HashSet::new(),
        #[cfg(unix)]
        seen_inodes: HashSet::new(),
    };
    for root in roots {
        if stop.load(Ordering::Relaxed) {
            break;
        }
        // Canonical roots give every file one absolute path however the folder was named
        // (`./archive`, `../x/archive`), so ids and incremental updates stay stable.
        let root = std::fs::canonicalize(root).unwrap_or_else(|_| root.clone());
        // Where the part below the indexed folder starts in each file's key.
        let rel_start = path_string(&root).len() + 1;
        for entry in entries(&root, walk.exclude.clone()) {
            if stop.load(Ordering::Relaxed) {
                break;
            }
            match entry {
                Ok(e) => walk.take(&e, rel_start),
                Err(err) => walk.cannot_enter(&err, &root),
            }
        }
    }
    walk.found
}

/// Every entry under `root` in file-name order, following links, without hidden entries
/// and without the excluded folder.
fn entries(
    root: &Path,
    exclude: Option<PathBuf>,
) -> impl Iterator<Item = walkdir::Result<walkdir::DirEntry>> {
    WalkDir::new(root)
        .follow_links(true)
        .sort_by_file_name()
        .into_iter()
        .filter_entry(move |e| {
            if e.depth() > 0 && is_hidden(e.file_name()) {
                return false;
            }
            // The walk starts from a canonical root, so a folder's path is canonical unless a
            // symbolic link led to it: only then is it worth resolving (a realpath for each of
            // 100,000 day folders took most of an unchanged re-index).
            match (&exclude, e.file_type().is_dir()) {
                (Some(ex), true) if e.path_is_symlink() => {
                    std::fs::canonicalize(e.path()).map_or(true, |p| &p != ex)
                }
                (Some(ex), true) => e.path() != ex.as_path(),
                _ => true,
            }
        })
}

/// What [`discover_until`] has found so far, and what it has seen (to list each file once).
struct Walk {
    found: Discovery,
    /// The index's own folder, canonical: never entered.
    exclude: Option<PathBuf>,
    seen_keys: HashSet<String>,
    #[cfg(unix)]
    seen_inodes: HashSet<(u64, u64)>,
}

impl Walk {
    /// A folder or file the walk could not enter: a link loop is reported, anything else is
    /// also remembered as unreadable (so the index keeps what it holds from there).
    fn cannot_enter(&mut self, err: &walkdir::Error, root: &Path) {
        let path = path_string(err.path().unwrap_or(root));
        let reason = if err.loop_ancestor().is_some() {
            "symbolic link loop (not followed)".to_string()
        } else {
            self.found.unreadable.push(path.clone());
            err.io_error()
                .map_or_else(|| err.to_string(), |e| e.to_string())
        };
        self.found
            .problems
            .push(Problem::rejected(&path, None, reason));
    }

    /// Lists one entry when it is an article file not met before; counts or reports it when it
    /// is not.
    fn take(&mut self, entry: &walkdir::DirEntry, rel_start: usize) {
        if !entry.file_type().is_file() {
            return;
        }
        let d = &mut self.found;
        let path = entry.path();
        let Some((format, compression)) = Format::for_path(path) else {
            d.unsupported += 1;
            let kind = path
                .extension()
                .and_then(|e| e.to_str())
                .map_or_else(|| "without extension".to_string(), str::to_ascii_lowercase);
            *d.unsupported_types.entry(kind).or_default() += 1;
            return;
        };
        if is_not_article_name(path) {
            d.problems.push(Problem::skipped(
                &path_string(path),
                "not an article (README, LICENSE or similar)",
            ));
            return;
        }
        let abs = std::path::absolute(path).unwrap_or_else(|_| path.to_path_buf());
        let meta = match entry.metadata() {
            Ok(m) => m,
            Err(e) => {
                let key = path_string(&abs);
                d.problems
                    .push(Problem::rejected(&key, None, e.to_string()));
                d.unreadable.push(key);
                return;
            }
        };
        #[cfg(unix)]
        {
            use std::os::unix::fs::MetadataExt;
            if !self.seen_inodes.insert((meta.dev(), meta.ino())) {
                return;
            }
        }
        let mtime_ns = meta
            .modified()
            .ok()
            .and_then(|t| t.duration_since(UNIX_EPOCH).ok())
            .map_or(0, |d| d.as_nanos() as i128);
        let key = path_string(&abs);
        if !self.seen_keys.insert(key.clone()) {
            return;
        }
        self.found.files.push(FoundFile {
            key,
            path: abs,
            size: meta.len(),
            mtime_ns,
            format,
            compression,
            rel_start,
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[cfg(unix)]
    #[test]
    fn path_strings_are_one_to_one_for_names_that_are_not_utf8() {
        use std::os::unix::ffi::OsStrExt;
        let a = Path::new(std::ffi::OsStr::from_bytes(b"/news/caf\xe9.txt"));
        let b = Path::new(std::ffi::OsStr::from_bytes(b"/news/caf\xe8.txt"));
        assert_eq!(path_string(a), "/news/caf\\xE9.txt");
        assert_ne!(path_string(a), path_string(b));
        assert_eq!(path_string(Path::new("/news/café.txt")), "/news/café.txt");
        // A real backslash is doubled, so a name that spells an escape is not the escape.
        let literal = Path::new("/news/caf\\xE9.txt");
        assert_eq!(path_string(literal), "/news/caf\\\\xE9.txt");
        assert_ne!(path_string(literal), path_string(a));
        let both = Path::new(std::ffi::OsStr::from_bytes(b"/n\\ews/\\caf\xe9\\.txt"));
        assert_eq!(path_string(both), "/n\\\\ews/\\\\caf\\xE9\\\\.txt");
        assert_eq!(
            Format::for_path(a),
            Some((Format::Text, None)),
            "a non-UTF-8 name still has an extension"
        );
    }

    #[test]
    fn readme_and_license_are_not_articles() {
        for n in [
            "README.TXT",
            "readme.md",
            "LICENSE",
            "License.txt",
            "CHANGELOG.md",
            "README-fr.txt",
            "LICENSE-MIT.txt",
            "LICENSE-APACHE",
        ] {
            assert!(is_not_article_name(Path::new(n)), "{n}");
        }
        for n in [
            "readers-react.txt",
            "authority.txt",
            "001.txt",
            "licensed-to-kill.md",
            "licence-of-australian-futures-trader-suspended-7128.md",
            "notice-to-quit-served.txt",
            "manifest-destiny.md",
            "authors-guild.txt",
            "notice.txt",
            "CHANGES.md",
        ] {
            assert!(!is_not_article_name(Path::new(n)), "{n}");
        }
        for n in [
            "notice.txt",
            "CHANGES.md",
            "NOTICE",
            "AUTHORS.txt",
            "todo.md",
        ] {
            assert!(is_project_word_name(Path::new(n)), "{n}");
        }
        assert!(!is_project_word_name(Path::new(
            "notice-to-quit-served.txt"
        )));
    }
}
