//! Where a report is written: a file, written whole or not at all.
//!
//! [`OutputFile`] writes `<target>.partial` beside the target and renames it over the target only
//! when complete, so a full disk, a crash or Ctrl-C never leaves a half file that looks whole.
//! Before anything is written the target is checked: newsdex replaces only a regular file (or
//! creates a new one), never a named pipe, a device, a socket, a folder or a symbolic link (whose
//! replacement by a plain file would silently cut the link). The `.partial` is created
//! exclusively and locked, so two exports to one path never share it. Every `.partial` still
//! open is listed for a signal handler ([`remove_unfinished`]) to delete on Ctrl-C.

use std::fs::{File, OpenOptions};
use std::io::{self, Write};
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use crate::error::{Error, Result};

/// `.partial` files being written by this process, for [`remove_unfinished`].
static UNFINISHED: Mutex<Vec<PathBuf>> = Mutex::new(Vec::new());

/// Deletes every `.partial` this process has not finished yet and returns their paths. For a
/// Ctrl-C / SIGTERM handler, which then exits.
pub fn remove_unfinished() -> Vec<PathBuf> {
    let mut list = UNFINISHED.lock().unwrap_or_else(|e| e.into_inner());
    let removed: Vec<PathBuf> = list.drain(..).collect();
    for p in &removed {
        let _ = std::fs::remove_file(p);
    }
    removed
}

fn forget(path: &Path) {
    let mut list = UNFINISHED.lock().unwrap_or_else(|e| e.into_inner());
    list.retain(|p| p != path);
}

/// Why a path cannot be written, or `None` when it is a regular file or does not exist yet.
pub fn refuse_reason(target: &Path) -> Option<String> {
    let meta = match std::fs::symlink_metadata(target) {
        Ok(m) => m,
        Err(_) => return None,
    };
    let kind = meta.file_type();
    if kind.is_file() {
        return None;
    }
    if kind.is_symlink() {
        return Some(
            "it is a symbolic link, and replacing it would cut the link: give the path of the \
             file it points to, or remove the link first"
                .to_string(),
        );
    }
    if kind.is_dir() {
        return Some("it is a folder: give a file name".to_string());
    }
    #[cfg(unix)]
    {
        use std::os::unix::fs::FileTypeExt;
        if kind.is_fifo() {
            return Some(
                "it is a named pipe (FIFO): newsdex writes exports only to regular files; to \
                 stream one, use `-o -` and a shell pipe"
                    .to_string(),
            );
        }
        if kind.is_char_device() || kind.is_block_device() {
            return Some(
                "it is a device: newsdex writes exports only to regular files (use `-o -` to \
                 write to standard output)"
                    .to_string(),
            );
        }
        if kind.is_socket() {
            return Some("it is a socket: newsdex writes exports only to regular files".into());
        }
    }
    Some("it is not a regular file".to_string())
}

/// A file being written under `<target>.partial`; [`OutputFile::finish`] puts it in place.
/// Dropped unfinished (an error part-way), the `.partial` is removed.
pub struct OutputFile {
    target: PathBuf,
    partial: PathBuf,
    file: Option<io::BufWriter<File>>,
}

impl OutputFile {
    /// Checks `target` and creates its `.partial` exclusively.
    pub fn create(target: &Path) -> Result<OutputFile> {
        if let Some(reason) = refuse_reason(target) {
            return Err(Error::UnsafeTarget {
                path: target.to_path_buf(),
                reason,
            });
        }
        let mut partial = target.as_os_str().to_owned();
        partial.push(".partial");
        let partial = PathBuf::from(partial);
        let file = match create_locked(&partial) {
            Ok(f) => f,
            Err(e) if e.kind() == io::ErrorKind::AlreadyExists => {
                take_over_stale(target, &partial)?
            }
            Err(e) => return Err(Error::io(&partial, e)),
        };
        UNFINISHED
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .push(partial.clone());
        Ok(OutputFile {
            target: target.to_path_buf(),
            partial,
            file: Some(io::BufWriter::new(file)),
        })
    }

    /// Where the data goes until it is complete.
    pub fn partial_path(&self) -> &Path {
        &self.partial
    }

    /// The writer (buffered).
    pub fn writer(&mut self) -> &mut io::BufWriter<File> {
        self.file
            .as_mut()
            .expect("an unfinished OutputFile has its file")
    }

    /// Flushes, syncs and renames the `.partial` over the target (checked again, in case it
    /// became something else meanwhile).
    pub fn finish(mut self) -> Result<()> {
        let file = self.file.take().expect("finish is called once");
        let file = file
            .into_inner()
            .map_err(|e| Error::io(&self.partial, e.into_error()))?;
        file.sync_all().map_err(|e| Error::io(&self.partial, e))?;
        if let Some(reason) = refuse_reason(&self.target) {
            return Err(Error::UnsafeTarget {
                path: self.target.clone(),
                reason,
            });
        }
        // The .partial must still be ours (not removed and re-created by someone else).
        if !same_file(&file, &self.partial) {
            return Err(Error::io(
                &self.partial,
                io::Error::other("it was removed or replaced while the export was written"),
            ));
        }
        std::fs::rename(&self.partial, &self.target).map_err(|e| Error::io(&self.target, e))?;
        forget(&self.partial);
        Ok(())
    }
}

impl Write for OutputFile {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.writer().write(buf)
    }
    fn flush(&mut self) -> io::Result<()> {
        self.writer().flush()
    }
}

impl Drop for OutputFile {
    fn drop(&mut self) {
        if self.file.take().is_some() {
            let _ = std::fs::remove_file(&self.partial);
            forget(&self.partial);
        }
    }
}

/// Creates `path` only if it does not exist (never following a link there), and locks it.
fn create_locked(path: &Path) -> io::Result<File> {
    let mut opts = OpenOptions::new();
    opts.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        opts.mode(0o644);
    }
    let file = opts.open(path)?;
    // Nobody else can hold a lock on a file created an instant ago, except a racing newsdex
    // that took it for a leftover: then let it have the path.
    match file.try_lock() {
        Ok(()) => Ok(file),
        Err(_) => Err(io::Error::new(io::ErrorKind::AlreadyExists, "locked")),
    }
}

/// A `.partial` already exists: another newsdex is writing the same target (its lock is held),
/// or a killed one left it behind (no lock): then it is removed and created afresh.
fn take_over_stale(target: &Path, partial: &Path) -> Result<File> {
    let busy = || Error::UnsafeTarget {
        path: target.to_path_buf(),
        reason: format!(
            "another newsdex is writing it right now (through {}): wait for it to finish, or \
             choose another file",
            partial.display()
        ),
    };
    let meta = std::fs::symlink_metadata(partial).map_err(|e| Error::io(partial, e))?;
    if !meta.file_type().is_file() {
        return Err(Error::UnsafeTarget {
            path: target.to_path_buf(),
            reason: format!(
                "{} exists and is not a file newsdex left behind: remove it, or choose another \
                 file",
                partial.display()
            ),
        });
    }
    let existing = OpenOptions::new()
        .write(true)
        .open(partial)
        .map_err(|e| Error::io(partial, e))?;
    if existing.try_lock().is_err() {
        return Err(busy());
    }
    std::fs::remove_file(partial).map_err(|e| Error::io(partial, e))?;
    drop(existing);
    create_locked(partial).map_err(|e| {
        if e.kind() == io::ErrorKind::AlreadyExists {
            busy()
        } else {
            Error::io(partial, e)
        }
    })
}

#[cfg(unix)]
fn same_file(file: &File, path: &Path) -> bool {
    use std::os::unix::fs::MetadataExt;
    match (file.metadata(), std::fs::symlink_metadata(path)) {
        (Ok(a), Ok(b)) => a.dev() == b.dev() && a.ino() == b.ino(),
        _ => false,
    }
}

#[cfg(not(unix))]
fn same_file(_file: &File, path: &Path) -> bool {
    path.is_file()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn writes_whole_or_not_at_all() {
        let dir = tempfile::tempdir().unwrap();
        let target = dir.path().join("out.csv");
        std::fs::write(&target, "old").unwrap();
        let mut f = OutputFile::create(&target).unwrap();
        f.write_all(b"new").unwrap();
        assert_eq!(std::fs::read(&target).unwrap(), b"old");
        f.finish().unwrap();
        assert_eq!(std::fs::read(&target).unwrap(), b"new");
        assert!(!dir.path().join("out.csv.partial").exists());

        let mut f = OutputFile::create(&target).unwrap();
        f.write_all(b"half").unwrap();
        drop(f);
        assert_eq!(std::fs::read(&target).unwrap(), b"new");
        assert!(!dir.path().join("out.csv.partial").exists());
    }

    #[test]
    fn a_second_writer_of_the_same_target_is_refused_and_a_leftover_is_taken_over() {
        let dir = tempfile::tempdir().unwrap();
        let target = dir.path().join("out.csv");
        let first = OutputFile::create(&target).unwrap();
        let second = OutputFile::create(&target);
        assert!(
            matches!(&second, Err(Error::UnsafeTarget { reason, .. }) if reason.contains("another newsdex")),
            "{:?}",
            second.err()
        );
        // A leftover of a killed export (no lock held) is replaced.
        std::mem::forget(first);
        let partial = dir.path().join("out.csv.partial");
        // Forgetting kept the file open and locked; a fresh file stands for the leftover.
        std::fs::remove_file(&partial).unwrap();
        std::fs::write(&partial, "leftover").unwrap();
        let mut f = OutputFile::create(&target).unwrap();
        f.write_all(b"whole").unwrap();
        f.finish().unwrap();
        assert_eq!(std::fs::read(&target).unwrap(), b"whole");
    }

    #[cfg(unix)]
    #[test]
    fn special_files_and_links_are_refused() {
        let dir = tempfile::tempdir().unwrap();
        let link = dir.path().join("link.csv");
        std::os::unix::fs::symlink(dir.path().join("real.csv"), &link).unwrap();
        assert!(refuse_reason(&link).unwrap().contains("symbolic link"));
        assert!(
            refuse_reason(Path::new("/dev/null"))
                .unwrap()
                .contains("device")
        );
        assert!(refuse_reason(dir.path()).unwrap().contains("folder"));
        assert!(refuse_reason(&dir.path().join("new.csv")).is_none());
        assert!(OutputFile::create(Path::new("/dev/null")).is_err());
    }
}
