//! Decides what a document is from its bytes while it streams past, keeping only its first
//! few KiB and its last ~66 KiB: a name or a browser's claimed type proves nothing.

use crate::error::{Error, Result};

/// The document types we accept (CVs and attachments).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DocumentType {
    Pdf,
    Docx,
    Odt,
    Text,
}

impl DocumentType {
    pub fn content_type(self) -> &'static str {
        match self {
            DocumentType::Pdf => "application/pdf",
            DocumentType::Docx => {
                "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
            }
            DocumentType::Odt => "application/vnd.oasis.opendocument.text",
            DocumentType::Text => "text/plain; charset=utf-8",
        }
    }

    pub fn extension(self) -> &'static str {
        match self {
            DocumentType::Pdf => "pdf",
            DocumentType::Docx => "docx",
            DocumentType::Odt => "odt",
            DocumentType::Text => "txt",
        }
    }
}

/// Enough of the start to see every signature we look for, and an ODT's `mimetype` entry.
const HEAD_BYTES: usize = 4 * 1024;
/// The bytes that decide the type; a shorter file is decided when it ends.
const SIGNATURE_BYTES: usize = 64;
/// The ZIP end-of-central-directory record (22 bytes) may be followed by a comment of up to
/// 64 KiB; the central directory sits just before it. Only this much of the end is kept.
const TAIL_BYTES: usize = 22 + 64 * 1024 + 2 * 1024;

const ODT_MIMETYPE: &[u8] = b"application/vnd.oasis.opendocument.text";

pub(crate) fn unsupported() -> Error {
    Error::BadRequest(
        "This type of file is not accepted. Please upload a PDF, a Word (.docx) or \
         OpenDocument (.odt) document, or a plain text file."
            .into(),
    )
}

fn damaged(what: &str) -> Error {
    Error::BadRequest(format!(
        "The {what} seems to be incomplete or damaged. Please save it again and upload the new copy."
    ))
}

fn executable() -> Error {
    Error::BadRequest("Programs cannot be uploaded. Please upload a document.".into())
}

#[derive(Debug)]
enum Guess {
    /// Fewer than `SIGNATURE_BYTES` seen so far.
    Undecided,
    Decided(Format),
}

#[derive(Debug)]
enum Format {
    Pdf,
    Zip,
    /// Up to 3 bytes of a UTF-8 sequence that continues in the next piece.
    Text {
        carry: Vec<u8>,
    },
}

/// Fed every byte of an upload in order; refuses as early as the bytes allow.
#[derive(Debug)]
pub(crate) struct DocumentCheck {
    guess: Guess,
    head: Vec<u8>,
    tail: Vec<u8>,
    total: u64,
}

impl DocumentCheck {
    pub(crate) fn new() -> Self {
        Self {
            guess: Guess::Undecided,
            head: Vec::new(),
            tail: Vec::new(),
            total: 0,
        }
    }

    pub(crate) fn update(&mut self, bytes: &[u8]) -> Result<()> {
        let seen_before = self.total as usize;
        self.total += bytes.len() as u64;
        let room = HEAD_BYTES.saturating_sub(self.head.len());
        self.head.extend_from_slice(&bytes[..room.min(bytes.len())]);
        self.tail.extend_from_slice(bytes);
        if self.tail.len() > 2 * TAIL_BYTES {
            self.tail.drain(..self.tail.len() - TAIL_BYTES);
        }
        match &mut self.guess {
            Guess::Undecided if self.head.len() >= SIGNATURE_BYTES => {
                // Undecided means fewer than SIGNATURE_BYTES came before, all of them in `head`.
                let mut format = guess(&self.head)?;
                if let Format::Text { carry } = &mut format {
                    check_text(carry, &self.head[..seen_before])?;
                    check_text(carry, bytes)?;
                }
                self.guess = Guess::Decided(format);
                Ok(())
            }
            Guess::Decided(Format::Text { carry }) => check_text(carry, bytes),
            Guess::Undecided | Guess::Decided(Format::Pdf | Format::Zip) => Ok(()),
        }
    }

    /// The verdict once the last byte is in.
    pub(crate) fn finish(self) -> Result<DocumentType> {
        let format = match self.guess {
            Guess::Decided(format) => format,
            Guess::Undecided if self.total == 0 => {
                return Err(Error::BadRequest("The file is empty.".into()));
            }
            Guess::Undecided => {
                // A short file: all of it is in `head`.
                let mut format = guess(&self.head)?;
                if let Format::Text { carry } = &mut format {
                    check_text(carry, &self.head)?;
                }
                format
            }
        };
        let tail_start = self.total - self.tail.len() as u64;
        match format {
            Format::Pdf if self.tail.trim_ascii_end().ends_with(b"%%EOF") => Ok(DocumentType::Pdf),
            Format::Pdf => Err(damaged("PDF file")),
            Format::Zip => check_zip(&self.head, &self.tail, tail_start),
            Format::Text { carry } if carry.is_empty() => Ok(DocumentType::Text),
            Format::Text { .. } => Err(not_text()),
        }
    }
}

/// Picks the format from the first bytes.
fn guess(head: &[u8]) -> Result<Format> {
    if looks_executable(head) {
        return Err(executable());
    }
    Ok(if head.starts_with(b"%PDF-") {
        Format::Pdf
    } else if head.starts_with(b"PK\x03\x04") {
        Format::Zip
    } else {
        Format::Text { carry: Vec::new() }
    })
}

/// Native programs for Windows, Linux and macOS, and Java classes. A DOS/PE header has NUL
/// bytes right after `MZ`, which keeps a text file that starts with "MZ" acceptable.
fn looks_executable(head: &[u8]) -> bool {
    const MACHO: [[u8; 4]; 5] = [
        [0xFE, 0xED, 0xFA, 0xCE],
        [0xFE, 0xED, 0xFA, 0xCF],
        [0xCE, 0xFA, 0xED, 0xFE],
        [0xCF, 0xFA, 0xED, 0xFE],
        [0xCA, 0xFE, 0xBA, 0xBE],
    ];
    head.starts_with(b"\x7fELF")
        || (head.starts_with(b"MZ") && head[2..head.len().min(SIGNATURE_BYTES)].contains(&0))
        || MACHO.iter().any(|magic| head.starts_with(magic))
}

fn not_text() -> Error {
    Error::BadRequest(
        "The file is not plain text (UTF-8) or of a type we accept. Please upload a PDF, a \
         Word (.docx) or OpenDocument (.odt) document, or a plain text file."
            .into(),
    )
}

/// Validates UTF-8 across piece boundaries; `carry` holds an unfinished sequence.
fn check_text(carry: &mut Vec<u8>, bytes: &[u8]) -> Result<()> {
    if bytes.contains(&0) {
        return Err(not_text());
    }
    // Complete the sequence left over from the previous piece, if any.
    let mut rest = bytes;
    if !carry.is_empty() {
        let take = rest.len().min(4 - carry.len());
        carry.extend_from_slice(&rest[..take]);
        match std::str::from_utf8(carry) {
            Ok(_) => {
                rest = &rest[take..];
                carry.clear();
            }
            Err(e) if e.valid_up_to() > 0 => {
                let used = e.valid_up_to() - (carry.len() - take);
                rest = &rest[used..];
                carry.clear();
            }
            Err(e) if e.error_len().is_none() => {
                // Still unfinished: the piece was shorter than the sequence.
                return if rest.len() == take {
                    Ok(())
                } else {
                    Err(not_text())
                };
            }
            Err(_) => return Err(not_text()),
        }
    }
    match std::str::from_utf8(rest) {
        Ok(_) => Ok(()),
        Err(e) if e.error_len().is_none() => {
            carry.extend_from_slice(&rest[e.valid_up_to()..]);
            Ok(())
        }
        Err(_) => Err(not_text()),
    }
}

fn u16_at(bytes: &[u8], at: usize) -> Option<usize> {
    Some(u16::from_le_bytes(bytes.get(at..at + 2)?.try_into().ok()?) as usize)
}

fn u32_at(bytes: &[u8], at: usize) -> Option<u64> {
    Some(u32::from_le_bytes(bytes.get(at..at + 4)?.try_into().ok()?) as u64)
}

/// DOCX and ODT are ZIP packages. The central directory (at the end) must be complete and
/// list the parts that make the package a text document; an ODT must also begin with its
/// uncompressed `mimetype` entry, as the OpenDocument standard requires.
fn check_zip(head: &[u8], tail: &[u8], tail_start: u64) -> Result<DocumentType> {
    let names = central_directory_names(tail, tail_start).ok_or_else(|| damaged("document"))?;
    let has = |name: &str| names.iter().any(|n| n == name.as_bytes());
    if first_entry_is_odt_mimetype(head) {
        return if has("content.xml") {
            Ok(DocumentType::Odt)
        } else {
            Err(damaged("document"))
        };
    }
    if has("word/document.xml") && has("[Content_Types].xml") {
        if has("word/vbaProject.bin") {
            return Err(Error::BadRequest(
                "Documents with macros are not accepted. Please save it as a normal .docx or \
                 as PDF."
                    .into(),
            ));
        }
        return Ok(DocumentType::Docx);
    }
    Err(unsupported())
}

fn first_entry_is_odt_mimetype(head: &[u8]) -> bool {
    let entry = || -> Option<bool> {
        let method = u16_at(head, 8)?;
        let compressed = u32_at(head, 18)?;
        let name_len = u16_at(head, 26)?;
        let extra_len = u16_at(head, 28)?;
        let name = head.get(30..30 + name_len)?;
        let data_at = 30 + name_len + extra_len;
        let data = head.get(data_at..data_at + ODT_MIMETYPE.len())?;
        Some(
            method == 0
                && name == b"mimetype"
                && compressed == ODT_MIMETYPE.len() as u64
                && data == ODT_MIMETYPE,
        )
    };
    head.starts_with(b"PK\x03\x04") && entry().unwrap_or(false)
}

/// The entry names of a ZIP whose end-of-central-directory record ends the file exactly and
/// whose central directory lies within `tail` (which starts at file offset `tail_start`).
/// `None` for a truncated or malformed archive, a multi-disk or ZIP64 one, or a directory too
/// large for the kept tail (thousands of entries: no real CV).
fn central_directory_names(tail: &[u8], tail_start: u64) -> Option<Vec<Vec<u8>>> {
    const EOCD: &[u8] = b"PK\x05\x06";
    const EOCD_LEN: usize = 22;
    let total = tail_start + tail.len() as u64;
    let eocd_at = (0..=tail.len().checked_sub(EOCD_LEN)?).rev().find(|&at| {
        tail[at..].starts_with(EOCD)
            && u16_at(tail, at + 20).is_some_and(|comment| at + EOCD_LEN + comment == tail.len())
    })?;
    let eocd = &tail[eocd_at..];
    let (this_disk, cd_disk) = (u16_at(eocd, 4)?, u16_at(eocd, 6)?);
    let (entries_here, entries) = (u16_at(eocd, 8)?, u16_at(eocd, 10)?);
    let (cd_size, cd_offset) = (u32_at(eocd, 12)?, u32_at(eocd, 16)?);
    if this_disk != 0 || cd_disk != 0 || entries_here != entries || cd_offset == 0xFFFF_FFFF {
        return None;
    }
    // The directory must end where the record starts, and be within what we kept.
    if cd_offset + cd_size != tail_start + eocd_at as u64 || cd_offset < tail_start {
        return None;
    }
    debug_assert!(cd_offset + cd_size <= total);
    let mut directory = &tail[(cd_offset - tail_start) as usize..eocd_at];
    let mut names = Vec::with_capacity(entries);
    for _ in 0..entries {
        if !directory.starts_with(b"PK\x01\x02") {
            return None;
        }
        let name_len = u16_at(directory, 28)?;
        let extra_len = u16_at(directory, 30)?;
        let comment_len = u16_at(directory, 32)?;
        names.push(directory.get(46..46 + name_len)?.to_vec());
        directory = directory.get(46 + name_len + extra_len + comment_len..)?;
    }
    directory.is_empty().then_some(names)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(bytes: &[u8], piece: usize) -> Result<DocumentType> {
        let mut check = DocumentCheck::new();
        for part in bytes.chunks(piece) {
            check.update(part)?;
        }
        check.finish()
    }

    #[test]
    fn utf8_is_checked_across_piece_boundaries() {
        let text = "Søren Ærøskøbing — CV ✓ 🎓\n".repeat(50);
        for piece in [1, 2, 3, 5, 7, 64, 4096] {
            assert_eq!(
                check(text.as_bytes(), piece).unwrap(),
                DocumentType::Text,
                "{piece}"
            );
        }
        let mut cut = text.as_bytes().to_vec();
        cut.truncate(cut.len() - 2); // the final "\n" and the last byte of "🎓"
        for piece in [1, 3, 4096] {
            assert!(check(&cut, piece).is_err(), "{piece}");
        }
        let mut bad = text.into_bytes();
        bad[200] = 0xFF;
        for piece in [1, 3, 4096] {
            assert!(check(&bad, piece).is_err(), "{piece}");
        }
    }

    #[test]
    fn short_files_are_decided_at_the_end() {
        assert_eq!(check(b"hi", 1).unwrap(), DocumentType::Text);
        assert!(check(b"", 1).is_err());
        assert!(check(b"\x7fELF", 1).is_err());
        assert_eq!(check(b"MZ Architects", 4).unwrap(), DocumentType::Text);
        let long_first_piece = "æ".repeat(5000);
        let mut bad = long_first_piece.clone().into_bytes();
        bad[9000] = b'\0';
        assert!(
            check(&bad, bad.len()).is_err(),
            "bytes past the head are checked too"
        );
        assert_eq!(
            check(long_first_piece.as_bytes(), 10_000).unwrap(),
            DocumentType::Text
        );
    }
}
