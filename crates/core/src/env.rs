//! The one door to the outside world: files, environment variables. The binary passes the real
//! one ([`OsEnvironment`]); tests pass a [`FakeEnvironment`].

use std::collections::BTreeMap;
use std::io;
use std::path::{Path, PathBuf};

/// The largest file the loader reads (a service file, a `${file()}` target, a `--template`).
pub const MAX_FILE_BYTES: u64 = 16 * 1024 * 1024;

pub trait Environment {
    /// Reads a UTF-8 text file; files over [`MAX_FILE_BYTES`] are refused without reading them.
    fn read_file(&self, path: &Path) -> io::Result<String>;
    fn is_file(&self, path: &Path) -> bool;
    /// An environment variable.
    fn var(&self, name: &str) -> Option<String>;
}

/// The real machine.
#[derive(Debug, Default, Clone, Copy)]
pub struct OsEnvironment;

impl Environment for OsEnvironment {
    fn read_file(&self, path: &Path) -> io::Result<String> {
        let meta = std::fs::metadata(path)?;
        if meta.is_dir() {
            return Err(io::Error::other("it is a directory"));
        }
        if meta.len() > MAX_FILE_BYTES {
            return Err(io::Error::new(
                io::ErrorKind::FileTooLarge,
                format!(
                    "it is {} bytes; the limit is {MAX_FILE_BYTES} bytes",
                    meta.len()
                ),
            ));
        }
        let bytes = std::fs::read(path)?;
        String::from_utf8(bytes)
            .map_err(|_| io::Error::new(io::ErrorKind::InvalidData, "it is not UTF-8 text"))
    }

    fn is_file(&self, path: &Path) -> bool {
        path.is_file()
    }

    fn var(&self, name: &str) -> Option<String> {
        std::env::var(name).ok()
    }
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
    fn read_file(&self, path: &Path) -> io::Result<String> {
        self.files
            .get(path)
            .cloned()
            .ok_or_else(|| io::Error::new(io::ErrorKind::NotFound, "no such file"))
    }

    fn is_file(&self, path: &Path) -> bool {
        self.files.contains_key(path)
    }

    fn var(&self, name: &str) -> Option<String> {
        self.vars.get(name).cloned()
    }
}
