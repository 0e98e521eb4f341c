//! The one door to the outside world: files, environment variables. The binary passes the real
//! one ([`OsEnvironment`]); tests pass a [`FakeEnvironment`].
//!
//! Reads are bounded by what is read, never by what `stat` reports (a device reports a length
//! of 0 and never ends): only regular files are read (or standard input where the command line
//! asks for it), at most [`MAX_FILE_BYTES`] + 1 bytes of each, and every file counts once, by
//! what it is (device and inode) rather than how its path is spelled, against one budget of
//! [`MAX_TOTAL_FILE_BYTES`] for the whole run.

use std::collections::{BTreeMap, HashMap};
use std::io::{self, Read};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

/// The largest file the loader reads (a service file, a `${file()}` target, a `--template`).
pub const MAX_FILE_BYTES: u64 = 16 * 1024 * 1024;

/// What all the files one run reads may hold together (each file counted once).
pub const MAX_TOTAL_FILE_BYTES: u64 = 24 * 1024 * 1024;

/// How a failed read says that the run's budget for all files ([`MAX_TOTAL_FILE_BYTES`]) is
/// spent: [`io::ErrorKind::OutOfMemory`].
pub const BUDGET_SPENT: io::ErrorKind = io::ErrorKind::OutOfMemory;

/// How a failed read says that the path is not a regular file (a device, a FIFO, a socket):
/// [`io::ErrorKind::InvalidInput`].
pub const NOT_A_REGULAR_FILE: io::ErrorKind = io::ErrorKind::InvalidInput;

pub trait Environment {
    /// Reads a UTF-8 text file: a regular file of at most [`MAX_FILE_BYTES`]; anything else
    /// (a directory, a device, a FIFO, a larger file, bytes that are not UTF-8) is an error
    /// that says what it found.
    fn read_file(&self, path: &Path) -> io::Result<Arc<str>>;
    fn is_file(&self, path: &Path) -> bool;
    /// An environment variable.
    fn var(&self, name: &str) -> Option<String>;
    /// A key that is the same for every spelling of one file (`/proc/self/root/…`, symlinks,
    /// hard links), so that callers cache what they made of a file by what it is. The fake
    /// environment's files have one spelling each: the path itself.
    fn file_key(&self, path: &Path) -> PathBuf {
        path.to_path_buf()
    }
}

/// The identity of a file on the real machine.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct FileId {
    pub device: u64,
    pub inode: u64,
}

impl FileId {
    #[cfg(unix)]
    pub fn of(meta: &std::fs::Metadata) -> Self {
        use std::os::unix::fs::MetadataExt;
        Self {
            device: meta.dev(),
            inode: meta.ino(),
        }
    }
}

/// The real machine. It remembers each file it read (by device and inode): a second read of the
/// same file, by any path, costs nothing, and the binary can ask which files the run read (so
/// that `--output` never overwrites one of them).
#[derive(Debug, Default)]
pub struct OsEnvironment {
    /// The path that stands for standard input (`--config -`), if any.
    stdin_path: Option<PathBuf>,
    state: Mutex<OsState>,
}

#[derive(Debug, Default)]
struct OsState {
    texts: HashMap<FileId, Arc<str>>,
    /// The first path each file was reached by: its key for [`Environment::file_key`].
    first_paths: HashMap<FileId, PathBuf>,
    stdin: Option<Arc<str>>,
    /// Bytes read so far, each file once.
    spent: u64,
    files_read: usize,
}

impl OsEnvironment {
    pub fn new() -> Self {
        Self::default()
    }

    /// Reading `path` reads standard input instead (at most [`MAX_FILE_BYTES`] + 1 bytes of it,
    /// whatever it is: a pipe that never ends, a terminal, a file).
    pub fn with_stdin_at(mut self, path: impl Into<PathBuf>) -> Self {
        self.stdin_path = Some(path.into());
        self
    }

    /// The files read so far (or found to be regular files and then refused for their size or
    /// encoding), by identity.
    pub fn files_read(&self) -> Vec<FileId> {
        self.lock().first_paths.keys().copied().collect()
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, OsState> {
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    fn charge(&self, state: &mut OsState, bytes: u64) -> io::Result<()> {
        if state.spent + bytes > MAX_TOTAL_FILE_BYTES {
            return Err(io::Error::new(
                BUDGET_SPENT,
                format!(
                    "it holds {bytes} bytes, and the {} files read before it hold {} bytes; all the files a service reads may hold {MAX_TOTAL_FILE_BYTES} bytes together",
                    state.files_read, state.spent
                ),
            ));
        }
        state.spent += bytes;
        state.files_read += 1;
        Ok(())
    }

    fn read_stdin(&self) -> io::Result<Arc<str>> {
        let mut state = self.lock();
        if let Some(text) = &state.stdin {
            return Ok(text.clone());
        }
        let bytes = read_bounded(io::stdin().lock(), 0)?;
        self.charge(&mut state, bytes.len() as u64)?;
        let text: Arc<str> = utf8(bytes)?.into();
        state.stdin = Some(text.clone());
        Ok(text)
    }
}

impl Environment for OsEnvironment {
    fn read_file(&self, path: &Path) -> io::Result<Arc<str>> {
        if self.stdin_path.as_deref() == Some(path) {
            return self.read_stdin();
        }
        // The type is checked before opening, so that opening never blocks (a FIFO without a
        // writer would), and again on the opened file, in case the path changed in between.
        let meta = std::fs::metadata(path)?;
        refuse_unless_regular(&meta)?;
        let id = FileId::of(&meta);
        if let Some(text) = self.lock().texts.get(&id) {
            return Ok(text.clone());
        }
        let file = open_without_blocking(path)?;
        let meta = file.metadata()?;
        refuse_unless_regular(&meta)?;
        let id = FileId::of(&meta);
        let mut state = self.lock();
        state
            .first_paths
            .entry(id)
            .or_insert_with(|| path.to_path_buf());
        if let Some(text) = state.texts.get(&id) {
            return Ok(text.clone());
        }
        let bytes = read_bounded(file, meta.len())?;
        let text = utf8(bytes)?;
        self.charge(&mut state, text.len() as u64)?;
        let text: Arc<str> = text.into();
        state.texts.insert(id, text.clone());
        Ok(text)
    }

    fn is_file(&self, path: &Path) -> bool {
        path.is_file()
    }

    fn var(&self, name: &str) -> Option<String> {
        std::env::var(name).ok()
    }

    fn file_key(&self, path: &Path) -> PathBuf {
        if self.stdin_path.as_deref() == Some(path) {
            return path.to_path_buf();
        }
        // Only regular files share a key: what is refused is refused for each path that names it.
        let Some(meta) = std::fs::metadata(path).ok().filter(|m| m.is_file()) else {
            return path.to_path_buf();
        };
        let id = FileId::of(&meta);
        self.lock()
            .first_paths
            .entry(id)
            .or_insert_with(|| path.to_path_buf())
            .clone()
    }
}

/// At most [`MAX_FILE_BYTES`] + 1 bytes: one more than the limit tells a file at the limit from
/// a larger one without reading the rest. `expected` (the length `stat` reports, 0 when
/// unknown) only sizes the buffer, so that a file's text takes its length rather than the next
/// power of two; what is read decides.
fn read_bounded(reader: impl Read, expected: u64) -> io::Result<Vec<u8>> {
    let capacity = usize::try_from(expected.min(MAX_FILE_BYTES + 1)).unwrap_or(0);
    let mut bytes = Vec::with_capacity(capacity);
    reader.take(MAX_FILE_BYTES + 1).read_to_end(&mut bytes)?;
    bytes.shrink_to_fit();
    if bytes.len() as u64 > MAX_FILE_BYTES {
        return Err(io::Error::new(
            io::ErrorKind::FileTooLarge,
            format!("it is larger than the limit of {MAX_FILE_BYTES} bytes"),
        ));
    }
    Ok(bytes)
}

fn utf8(bytes: Vec<u8>) -> io::Result<String> {
    String::from_utf8(bytes).map_err(|e| {
        let error = e.utf8_error();
        let offset = error.valid_up_to();
        let byte = e.as_bytes().get(offset).copied().unwrap_or(0);
        io::Error::new(
            io::ErrorKind::InvalidData,
            format!("it is not UTF-8 text: byte {offset} (0x{byte:02x}) starts no UTF-8 character"),
        )
    })
}

fn refuse_unless_regular(meta: &std::fs::Metadata) -> io::Result<()> {
    let kind = meta.file_type();
    if kind.is_file() {
        return Ok(());
    }
    let what = file_type_name(&kind);
    Err(io::Error::new(
        NOT_A_REGULAR_FILE,
        format!("it is {what}, not a regular file"),
    ))
}

/// "a directory", "a character device", "a FIFO (named pipe)", … for messages.
pub fn file_type_name(kind: &std::fs::FileType) -> &'static str {
    #[cfg(unix)]
    {
        use std::os::unix::fs::FileTypeExt;
        if kind.is_char_device() {
            return "a character device";
        }
        if kind.is_block_device() {
            return "a block device";
        }
        if kind.is_fifo() {
            return "a FIFO (named pipe)";
        }
        if kind.is_socket() {
            return "a socket";
        }
    }
    if kind.is_dir() {
        "a directory"
    } else if kind.is_symlink() {
        "a symbolic link"
    } else if kind.is_file() {
        "a regular file"
    } else {
        "not a file"
    }
}

#[cfg(unix)]
fn open_without_blocking(path: &Path) -> io::Result<std::fs::File> {
    use std::os::unix::fs::OpenOptionsExt;
    std::fs::OpenOptions::new()
        .read(true)
        .custom_flags(libc::O_NONBLOCK | libc::O_NOCTTY)
        .open(path)
}

#[cfg(not(unix))]
fn open_without_blocking(path: &Path) -> io::Result<std::fs::File> {
    std::fs::File::open(path)
}

/// An in-memory environment for tests.
#[derive(Debug, Default, Clone)]
pub struct FakeEnvironment {
    pub files: BTreeMap<PathBuf, String>,
    pub vars: BTreeMap<String, String>,
}

impl FakeEnvironment {
    pub fn new() -> Self {
        Self::default()
    }

    pub fn with_file(mut self, path: impl Into<PathBuf>, text: impl Into<String>) -> Self {
        self.files.insert(path.into(), text.into());
        self
    }

    pub fn with_var(mut self, name: &str, value: &str) -> Self {
        self.vars.insert(name.to_string(), value.to_string());
        self
    }
}

impl Environment for FakeEnvironment {
    fn read_file(&self, path: &Path) -> io::Result<Arc<str>> {
        self.files
            .get(path)
            .map(|text| Arc::from(text.as_str()))
            .ok_or_else(|| io::Error::new(io::ErrorKind::NotFound, "no such file"))
    }

    fn is_file(&self, path: &Path) -> bool {
        self.files.contains_key(path)
    }

    fn var(&self, name: &str) -> Option<String> {
        self.vars.get(name).cloned()
    }
}

#[cfg(all(test, unix))]
mod tests {
    use super::*;

    fn scratch(name: &str) -> PathBuf {
        let dir = std::env::temp_dir().join(format!(
            "streaming-events-env-{}-{name}",
            std::process::id()
        ));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        dir
    }

    #[test]
    fn devices_are_refused_without_reading() {
        let env = OsEnvironment::new();
        for device in ["/dev/zero", "/dev/urandom", "/dev/null"] {
            let e = env.read_file(Path::new(device)).unwrap_err();
            assert_eq!(e.kind(), NOT_A_REGULAR_FILE, "{device}");
            assert!(e.to_string().contains("character device"), "{e}");
        }
    }

    #[test]
    fn one_file_by_two_spellings_is_read_and_charged_once() {
        let dir = scratch("spellings");
        std::fs::write(dir.join("a.yml"), "a: 1\n").unwrap();
        std::os::unix::fs::symlink(dir.join("a.yml"), dir.join("b.yml")).unwrap();
        let env = OsEnvironment::new();
        let first = env.read_file(&dir.join("a.yml")).unwrap();
        let second = env.read_file(&dir.join("b.yml")).unwrap();
        assert_eq!(&*first, "a: 1\n");
        // The second spelling gets the text the first read: the same memory, not a copy.
        assert!(Arc::ptr_eq(&first, &second));
        assert_eq!(env.file_key(&dir.join("b.yml")), dir.join("a.yml"));
        assert_eq!(env.lock().spent, 5);
        assert_eq!(env.files_read().len(), 1);
        let _ = std::fs::remove_dir_all(&dir);
    }

    #[test]
    fn the_expected_length_only_sizes_the_buffer() {
        let text = b"a: 1\nb: 2\n";
        for expected in [0, 3, text.len() as u64, 4096, u64::MAX] {
            let bytes = read_bounded(&text[..], expected).unwrap();
            assert_eq!(bytes, text, "{expected}");
            assert_eq!(bytes.capacity(), text.len(), "{expected}");
        }
        let large = vec![b'x'; MAX_FILE_BYTES as usize + 1];
        let e = read_bounded(&large[..], 10).unwrap_err();
        assert_eq!(e.kind(), io::ErrorKind::FileTooLarge);
    }

    #[test]
    fn invalid_utf8_names_its_offset() {
        let dir = scratch("utf8");
        std::fs::write(dir.join("bad.yml"), b"a: \xff\n").unwrap();
        let e = OsEnvironment::new()
            .read_file(&dir.join("bad.yml"))
            .unwrap_err();
        assert!(e.to_string().contains("byte 3 (0xff)"), "{e}");
        let _ = std::fs::remove_dir_all(&dir);
    }
}
