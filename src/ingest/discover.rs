//! Discovery: walks the archive's folders and decides which files are articles, naming each file
//! one-to-one ([`path_string`]).

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, OnceLock};
use std::time::UNIX_EPOCH;

use rustc_hash::FxHashSet;

use crate::ingest::decompress::Compression;
use crate::ingest::problem::Problem;
use crate::ingest::read::Format;

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FoundFile {
    /// The absolute path when [`FoundFile::key`] does not spell it (a name that is not UTF-8 or
    /// holds a backslash); `None` for nearly every file, whose key is its path: an archive of
    /// 300,000 files then holds each path once, not twice.
    raw_path: Option<PathBuf>,
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
    /// The file at the absolute path `path`, named in the index by [`path_string`].
    pub fn new(
        path: PathBuf,
        size: u64,
        mtime_ns: i128,
        (format, compression): (Format, Option<Compression>),
        rel_start: usize,
    ) -> FoundFile {
        let key = path_string(&path);
        let raw_path = (key.as_bytes() != path.as_os_str().as_encoded_bytes()).then_some(path);
        FoundFile {
            raw_path,
            size,
            mtime_ns,
            format,
            compression,
            key,
            rel_start,
        }
    }

    /// The absolute path.
    pub fn path(&self) -> &Path {
        self.raw_path
            .as_deref()
            .unwrap_or_else(|| Path::new(&self.key))
    }

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
    discover_until(roots, exclude, &|| false)
}

/// [`discover`], stopping early (with what was found so far) once `stop` says so, so Ctrl-C is
/// not ignored during the walk of a large archive.
///
/// Every file is listed once: a file reached twice (two roots that overlap, a symbolic or hard
/// link to a file elsewhere in the archive) keeps the first path the sorted walk met.
///
/// Folders are read in parallel (an unchanged re-index of a big archive is mostly this walk, and
/// most of the walk is the kernel's work per folder and file), then the listings are visited in
/// name order, so the result does not depend on which thread read what.
pub fn discover_until(
    roots: &[PathBuf],
    exclude: Option<&Path>,
    stop: &(dyn Fn() -> bool + Sync),
) -> Discovery {
    // The excluded folder may not exist yet (an index being created inside the archive while
    // the walk runs): then its parent is resolved.
    let exclude = exclude.and_then(|p| {
        std::fs::canonicalize(p).ok().or_else(|| {
            let parent = std::fs::canonicalize(p.parent()?).ok()?;
            Some(parent.join(p.file_name()?))
        })
    });
    let mut walk = Walk {
        found: Discovery::default(),
        #[cfg(not(unix))]
        seen_keys: FxHashSet::default(),
        #[cfg(unix)]
        seen_inodes: FxHashSet::default(),
    };
    let lister = Lister {
        exclude: exclude.as_deref(),
        stop,
        wanted: AtomicUsize::new(0),
    };
    for root in roots {
        if stop() {
            break;
        }
        // Canonical roots give every file one absolute path however the folder was named
        // (`./archive`, `../x/archive`), so ids and incremental updates stay stable.
        let root = std::fs::canonicalize(root).unwrap_or_else(|_| root.clone());
        // Where the part below the indexed folder starts in each file's key.
        let rel_start = path_string(&root).len() + 1;
        let node = lister.root(root);
        // At its size: grown by doubling, the list of a 300,000-file archive was copied at its
        // peak with half of it unused.
        let wanted = lister.wanted.swap(0, Ordering::Relaxed);
        walk.found.files.reserve(wanted);
        walk.visit(node, rel_start);
    }
    walk.found
}

/// What the walk keeps of a file's metadata until the listings are visited: a whole
/// `std::fs::Metadata` is about 170 bytes, and an archive of 300,000 files holds one per file.
#[derive(Clone, Copy, Debug)]
struct Stat {
    len: u64,
    /// Modification time in nanoseconds since the epoch (0 when unknown).
    mtime_ns: i128,
    #[cfg(unix)]
    dev: u64,
    #[cfg(unix)]
    ino: u64,
}

impl Stat {
    fn of(meta: &std::fs::Metadata) -> Stat {
        #[cfg(unix)]
        use std::os::unix::fs::MetadataExt;
        Stat {
            len: meta.len(),
            mtime_ns: meta
                .modified()
                .ok()
                .and_then(|t| t.duration_since(UNIX_EPOCH).ok())
                .map_or(0, |d| d.as_nanos() as i128),
            #[cfg(unix)]
            dev: meta.dev(),
            #[cfg(unix)]
            ino: meta.ino(),
        }
    }
}

/// `folder` joined with `name`, allocated at its size (`Path::join` leaves room to grow, and the
/// walk holds a path for every folder of the archive at once).
fn joined(folder: &Path, name: &std::ffi::OsStr) -> PathBuf {
    let mut path = PathBuf::with_capacity(folder.as_os_str().len() + 1 + name.len());
    path.push(folder);
    path.push(name);
    path
}

/// A folder's entries in name order, or why it could not be read.
type Listing = std::io::Result<Vec<Node>>;

/// One entry of the walk.
enum Node {
    /// A file (or a link to one), with its type, and its metadata when newsdex reads that type.
    /// Only its name is kept (its folder's path is joined when the listings are visited): an
    /// archive's listings are all held at once.
    File {
        name: std::ffi::OsString,
        kind: Option<(Format, Option<Compression>)>,
        meta: Option<std::io::Result<Stat>>,
    },
    /// A folder (or a link to one): `real` is where it really is (to notice link loops), and
    /// its listing is filled by a reading thread.
    Dir {
        path: PathBuf,
        real: PathBuf,
        listing: Arc<OnceLock<Listing>>,
    },
    /// A link that cannot be followed: a loop back to a folder above it, or a broken link.
    Broken {
        path: PathBuf,
        error: std::io::Error,
        is_loop: bool,
    },
}

impl Node {
    fn dir(path: PathBuf, real: PathBuf) -> Node {
        Node::Dir {
            path,
            real,
            listing: Arc::new(OnceLock::new()),
        }
    }

    /// The file `name` (a root file: its whole path), with its metadata.
    fn file(name: std::ffi::OsString, meta: std::fs::Metadata) -> Node {
        let kind = Format::for_path(Path::new(&name));
        let wanted = kind.is_some() && !is_not_article_name(Path::new(&name));
        Node::File {
            name,
            kind,
            meta: wanted.then(|| Ok(Stat::of(&meta))),
        }
    }
}

/// Reads folders on a small thread pool, each folder's listing sorted by name.
struct Lister<'a> {
    /// The index's own folder, canonical: never entered.
    exclude: Option<&'a Path>,
    stop: &'a (dyn Fn() -> bool + Sync),
    /// Files of a type newsdex reads, listed so far.
    wanted: AtomicUsize,
}

impl Lister<'_> {
    /// The node for a root as given; a folder is read completely before this returns.
    fn root(&self, root: PathBuf) -> Node {
        let node = match std::fs::metadata(&root) {
            Ok(m) if m.is_dir() => Node::dir(root.clone(), root),
            Ok(m) => Node::file(root.into_os_string(), m),
            Err(error) => {
                return Node::Broken {
                    path: root,
                    error,
                    is_loop: false,
                };
            }
        };
        if let Node::Dir {
            path,
            real,
            listing,
        } = &node
        {
            // Twice the cores: on a cold disk or a network share the threads mostly wait.
            let threads = std::thread::available_parallelism().map_or(2, |n| n.get().min(8)) * 2;
            match rayon::ThreadPoolBuilder::new()
                .num_threads(threads)
                .thread_name(|i| format!("newsdex-walk-{i}"))
                .build()
            {
                Ok(pool) => pool.scope(|s| self.read(s, path, real, listing)),
                Err(_) => rayon::scope(|s| self.read(s, path, real, listing)),
            }
        }
        node
    }

    /// Reads the folder `path` (really at `real`) into `slot` and queues its sub-folders.
    /// Hidden entries and the excluded folder are left out; links are followed.
    fn read<'s>(
        &'s self,
        scope: &rayon::Scope<'s>,
        path: &Path,
        real: &Path,
        slot: &OnceLock<Listing>,
    ) {
        let nodes = if (self.stop)() {
            Ok(Vec::new())
        } else {
            self.list(path, real)
        };
        if let Ok(nodes) = &nodes {
            for node in nodes {
                if let Node::Dir {
                    path,
                    real,
                    listing,
                } = node
                {
                    let (path, real, listing) = (path.clone(), real.clone(), Arc::clone(listing));
                    scope.spawn(move |s| self.read(s, &path, &real, &listing));
                }
            }
        }
        let _ = slot.set(nodes);
    }

    /// One folder's entries in name order (sub-folders not yet read).
    fn list(&self, path: &Path, real: &Path) -> Listing {
        let mut entries = Vec::new();
        for entry in std::fs::read_dir(path)? {
            let entry = entry?;
            let name = entry.file_name();
            if !is_hidden(&name) {
                entries.push((name, entry));
            }
        }
        entries.sort_unstable_by(|a, b| a.0.cmp(&b.0));
        let mut nodes = Vec::with_capacity(entries.len());
        for (name, entry) in entries {
            let node = match entry.file_type() {
                Ok(t) if t.is_symlink() => self.follow(name, path, real),
                Ok(t) if t.is_dir() => {
                    let child_real = joined(real, &name);
                    (self.exclude != Some(child_real.as_path()))
                        .then(|| Node::dir(joined(path, &name), child_real))
                }
                // Metadata relative to the open folder (no lookup of the whole path), and only
                // for the files newsdex reads.
                Ok(t) if t.is_file() => {
                    let kind = Format::for_path(Path::new(&name));
                    let meta = (kind.is_some() && !is_not_article_name(Path::new(&name)))
                        .then(|| entry.metadata().map(|m| Stat::of(&m)));
                    self.wanted
                        .fetch_add(usize::from(meta.is_some()), Ordering::Relaxed);
                    Some(Node::File { name, kind, meta })
                }
                Ok(_) => None, // sockets, FIFOs, devices
                Err(error) => Some(Node::Broken {
                    path: joined(path, &name),
                    error,
                    is_loop: false,
                }),
            };
            nodes.extend(node);
        }
        Ok(nodes)
    }

    /// The symbolic link `name` in the folder `parent` (really at `parent_real`): the file or
    /// folder it leads to, or why it cannot be followed; `None` for a link to the index's folder
    /// or a special file.
    fn follow(&self, name: std::ffi::OsString, parent: &Path, parent_real: &Path) -> Option<Node> {
        let path = joined(parent, &name);
        let meta = match std::fs::metadata(&path) {
            Ok(m) => m,
            Err(error) => {
                return Some(Node::Broken {
                    path,
                    error,
                    is_loop: false,
                });
            }
        };
        if meta.is_file() {
            return Some(Node::file(name, meta));
        }
        if !meta.is_dir() {
            return None;
        }
        let target = std::fs::canonicalize(&path).unwrap_or_else(|_| path.clone());
        if parent_real.starts_with(&target) {
            let error = std::io::Error::other("symbolic link loop (not followed)");
            return Some(Node::Broken {
                path,
                error,
                is_loop: true,
            });
        }
        (self.exclude != Some(target.as_path())).then(|| Node::dir(path, target))
    }
}

/// What [`discover_until`] has found so far, and what it has seen (to list each file once).
struct Walk {
    found: Discovery,
    /// Files met (a second path to one file is left out): by device and inode where there are
    /// such, else by path.
    #[cfg(unix)]
    seen_inodes: FxHashSet<(u64, u64)>,
    #[cfg(not(unix))]
    seen_keys: FxHashSet<String>,
}

impl Walk {
    /// Takes the files under `node` in name order (depth first, as a sorted walk meets them).
    fn visit(&mut self, node: Node, rel_start: usize) {
        // Each listing with the path of its folder (none above the root: a root file's name is
        // its path).
        let mut pending: Vec<(PathBuf, std::vec::IntoIter<Node>)> =
            vec![(PathBuf::new(), vec![node].into_iter())];
        while let Some((folder, top)) = pending.last_mut() {
            let Some(node) = top.next() else {
                pending.pop();
                continue;
            };
            match node {
                Node::File { name, kind, meta } => {
                    let path = joined(folder, &name);
                    self.take(path, kind, meta, rel_start);
                }
                Node::Broken {
                    path,
                    error,
                    is_loop,
                } => self.cannot_enter(&path, &error, is_loop),
                Node::Dir { path, listing, .. } => {
                    match Arc::try_unwrap(listing).map(OnceLock::into_inner) {
                        Ok(Some(Ok(nodes))) => pending.push((path, nodes.into_iter())),
                        Ok(Some(Err(error))) => self.cannot_enter(&path, &error, false),
                        // Not read: the walk was stopped.
                        _ => {}
                    }
                }
            }
        }
    }

    /// A folder or file the walk could not enter: a link loop is reported, anything else is
    /// also remembered as unreadable (so the index keeps what it holds from there).
    fn cannot_enter(&mut self, path: &Path, error: &std::io::Error, is_loop: bool) {
        let path = path_string(path);
        if !is_loop {
            self.found.unreadable.push(path.clone());
        }
        self.found
            .problems
            .push(Problem::rejected(&path, None, error.to_string()));
    }

    /// Lists one file when it is an article file not met before; counts or reports it when it
    /// is not.
    fn take(
        &mut self,
        path: PathBuf,
        kind: Option<(Format, Option<Compression>)>,
        meta: Option<std::io::Result<Stat>>,
        rel_start: usize,
    ) {
        let d = &mut self.found;
        let Some((format, compression)) = kind else {
            d.unsupported += 1;
            let kind = path
                .extension()
                .and_then(|e| e.to_str())
                .map_or_else(|| "without extension".to_string(), str::to_ascii_lowercase);
            *d.unsupported_types.entry(kind).or_default() += 1;
            return;
        };
        if is_not_article_name(&path) {
            d.problems.push(Problem::skipped(
                &path_string(&path),
                "not an article (README, LICENSE or similar)",
            ));
            return;
        }
        let abs = if path.is_absolute() {
            path
        } else {
            std::path::absolute(&path).unwrap_or(path)
        };
        let meta = match meta {
            Some(Ok(m)) => m,
            Some(Err(e)) => {
                let key = path_string(&abs);
                d.problems
                    .push(Problem::rejected(&key, None, e.to_string()));
                d.unreadable.push(key);
                return;
            }
            None => return,
        };
        #[cfg(unix)]
        if !self.seen_inodes.insert((meta.dev, meta.ino)) {
            return;
        }
        let file = FoundFile::new(
            abs,
            meta.len,
            meta.mtime_ns,
            (format, compression),
            rel_start,
        );
        #[cfg(not(unix))]
        if !self.seen_keys.insert(file.key.clone()) {
            return;
        }
        self.found.files.push(file);
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

    /// A found file keeps its path only where its key does not spell it, and gives back the
    /// path it was found at either way.
    #[cfg(unix)]
    #[test]
    fn a_found_file_gives_back_its_path_whether_or_not_the_key_spells_it() {
        use std::os::unix::ffi::OsStrExt;
        let kind = (Format::Text, None);
        for raw in [
            &b"/news/caf\xc3\xa9.txt"[..],
            b"/news/caf\xe9.txt",
            b"/news/caf\\xE9.txt",
        ] {
            let path = PathBuf::from(std::ffi::OsStr::from_bytes(raw));
            let f = FoundFile::new(path.clone(), 10, 7, kind, 6);
            assert_eq!(f.path().as_os_str().as_bytes(), raw);
            assert_eq!(f.key, path_string(&path));
            assert_eq!(f.raw_path.is_some(), f.key.as_bytes() != raw);
        }
    }

    /// Folders are read on several threads; the list must still be the sorted depth-first walk,
    /// without hidden entries, the excluded folder or a second name for one file.
    #[test]
    fn the_parallel_walk_lists_files_in_sorted_depth_first_order() {
        let dir = tempfile::tempdir().unwrap();
        let root = std::fs::canonicalize(dir.path()).unwrap();
        let mut expected = Vec::new();
        for outlet in ["b-times", "a-post", "c-wire"] {
            for day in (1..=12).rev() {
                let folder = root.join(outlet).join(format!("2018-03-{day:02}"));
                std::fs::create_dir_all(&folder).unwrap();
                for name in ["z.txt", "a.md", "m.json"] {
                    std::fs::write(folder.join(name), "x").unwrap();
                }
            }
        }
        std::fs::write(root.join("a-post.txt"), "x").unwrap();
        std::fs::create_dir_all(root.join(".hidden")).unwrap();
        std::fs::write(root.join(".hidden/secret.txt"), "x").unwrap();
        std::fs::create_dir_all(root.join("index")).unwrap();
        std::fs::write(root.join("index/meta.txt"), "x").unwrap();
        for outlet in ["a-post", "b-times", "c-wire"] {
            for day in 1..=12 {
                for name in ["a.md", "m.json", "z.txt"] {
                    expected.push(format!("{outlet}/2018-03-{day:02}/{name}"));
                }
            }
            if outlet == "a-post" {
                expected.push("a-post.txt".to_string());
            }
        }
        #[cfg(unix)]
        std::os::unix::fs::symlink(root.join("c-wire"), root.join("d-wire-again")).unwrap();
        let found = discover(std::slice::from_ref(&root), Some(&root.join("index")));
        let listed: Vec<String> = found
            .files
            .iter()
            .map(|f| f.key[f.rel_start..].to_string())
            .collect();
        assert_eq!(listed, expected);
        assert!(found.problems.is_empty(), "{:?}", found.problems);
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
