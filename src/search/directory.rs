//! Where the index files are read from: memory-mapped, except the postings, which are read with
//! `pread` into short-lived buffers.
//!
//! Why: the postings are four fifths of the index, and every mapped page a search touches counts
//! towards the process's resident memory for as long as it stays mapped, so a busy node's RSS
//! would grow to the size of the index. Read with `pread`, they live in the kernel's page cache
//! instead (just as fast when there is room, and shared, evictable memory either way), and the
//! process keeps only what one search needs. A query reads each of its posting lists once, whole
//! (a common word in 1,000,000 ads is some 200 KB), so the extra copy is small next to the work
//! of matching. Everything else (term dictionaries, fast columns, norms) is small and hot, and
//! stays mapped.

use std::{
    fs::File,
    io,
    ops::Range,
    os::unix::fs::FileExt,
    path::{Path, PathBuf},
    sync::Arc,
};

use tantivy::{
    Directory, HasLen,
    directory::{
        DirectoryLock, FileHandle, Lock, MmapDirectory, OwnedBytes, WatchCallback, WatchHandle,
        WritePtr,
        error::{DeleteError, LockError, OpenDirectoryError, OpenReadError, OpenWriteError},
    },
};

/// Extension of tantivy's postings files.
const POSTINGS_EXTENSION: &str = "idx";

#[derive(Clone, Debug)]
pub(super) struct IndexDirectory {
    root: PathBuf,
    mapped: MmapDirectory,
}

impl IndexDirectory {
    pub(super) fn open(root: &Path) -> Result<Self, OpenDirectoryError> {
        Ok(IndexDirectory {
            root: root.to_path_buf(),
            mapped: MmapDirectory::open(root)?,
        })
    }
}

#[derive(Debug)]
struct ReadAtFile {
    file: File,
    len: usize,
}

impl HasLen for ReadAtFile {
    fn len(&self) -> usize {
        self.len
    }
}

impl FileHandle for ReadAtFile {
    fn read_bytes(&self, range: Range<usize>) -> io::Result<OwnedBytes> {
        if range.end > self.len || range.start > range.end {
            return Err(io::Error::new(
                io::ErrorKind::InvalidInput,
                format!("range {range:?} outside a file of {} bytes", self.len),
            ));
        }
        if range.is_empty() {
            return Ok(OwnedBytes::empty());
        }
        let mut buffer = vec![0; range.len()];
        self.file.read_exact_at(&mut buffer, range.start as u64)?;
        Ok(OwnedBytes::new(buffer))
    }
}

impl Directory for IndexDirectory {
    fn get_file_handle(&self, path: &Path) -> Result<Arc<dyn FileHandle>, OpenReadError> {
        if path
            .extension()
            .is_none_or(|extension| extension != POSTINGS_EXTENSION)
        {
            return self.mapped.get_file_handle(path);
        }
        let full_path = self.root.join(path);
        let file = File::open(&full_path).map_err(|error| {
            if error.kind() == io::ErrorKind::NotFound {
                OpenReadError::FileDoesNotExist(path.to_path_buf())
            } else {
                OpenReadError::wrap_io_error(error, path.to_path_buf())
            }
        })?;
        let len = file
            .metadata()
            .map_err(|error| OpenReadError::wrap_io_error(error, path.to_path_buf()))?
            .len() as usize;
        Ok(Arc::new(ReadAtFile { file, len }))
    }

    fn delete(&self, path: &Path) -> Result<(), DeleteError> {
        self.mapped.delete(path)
    }

    fn exists(&self, path: &Path) -> Result<bool, OpenReadError> {
        self.mapped.exists(path)
    }

    fn open_write(&self, path: &Path) -> Result<WritePtr, OpenWriteError> {
        self.mapped.open_write(path)
    }

    fn atomic_read(&self, path: &Path) -> Result<Vec<u8>, OpenReadError> {
        self.mapped.atomic_read(path)
    }

    fn atomic_write(&self, path: &Path, data: &[u8]) -> io::Result<()> {
        self.mapped.atomic_write(path, data)
    }

    fn sync_directory(&self) -> io::Result<()> {
        self.mapped.sync_directory()
    }

    fn acquire_lock(&self, lock: &Lock) -> Result<DirectoryLock, LockError> {
        self.mapped.acquire_lock(lock)
    }

    fn watch(&self, watch_callback: WatchCallback) -> tantivy::Result<WatchHandle> {
        self.mapped.watch(watch_callback)
    }
}
