//! Uploads and downloads end to end against a local store in a temporary folder (and against
//! an S3 server when one is configured, see the last test).

use std::{
    convert::Infallible,
    io::{Cursor, Write},
    path::{Path, PathBuf},
    time::Duration,
};

use bytes::Bytes;
use futures_util::{Stream, StreamExt, TryStreamExt, stream};
use image::{ImageEncoder, RgbImage, RgbaImage, codecs::jpeg::JpegEncoder};

use super::*;
use crate::{config::S3Config, secrets::MasterKey};

const LIMIT: u64 = DEFAULT_MAX_UPLOAD_BYTES;

struct Fixture {
    _dir: tempfile::TempDir,
    root: PathBuf,
    store: FileStore,
    key: DataKey,
}

fn fixture() -> Fixture {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("files");
    let store = FileStore::local(root.clone()).unwrap();
    Fixture {
        _dir: dir,
        root,
        store,
        key: DataKey::generate(),
    }
}

/// `data` as an upload body arriving in pieces of `piece` bytes.
fn body(data: &[u8], piece: usize) -> impl Stream<Item = Result<Bytes, Infallible>> + Send {
    let pieces: Vec<_> = data
        .chunks(piece)
        .map(|c| Ok(Bytes::copy_from_slice(c)))
        .collect();
    stream::iter(pieces)
}

/// Every file under `root`, including the staging files the object store hides.
fn files_under(root: &Path) -> Vec<PathBuf> {
    let mut found = Vec::new();
    let mut dirs = vec![root.to_path_buf()];
    while let Some(dir) = dirs.pop() {
        let Ok(entries) = std::fs::read_dir(&dir) else {
            continue;
        };
        for entry in entries {
            let path = entry.unwrap().path();
            if path.is_dir() {
                dirs.push(path);
            } else {
                found.push(path);
            }
        }
    }
    found
}

async fn upload(f: &Fixture, kind: UploadKind, name: &str, data: &[u8]) -> Result<StoredFile> {
    store_upload(
        &f.store,
        &f.key,
        kind,
        name,
        body(data, 10_000),
        LIMIT,
        StorageKey::random(),
    )
    .await
}

async fn download(store: &FileStore, key: &DataKey, stored: &StorageKey) -> Result<Vec<u8>> {
    let pieces: Vec<Bytes> = open_download(store, key, stored)
        .await?
        .try_collect()
        .await?;
    Ok(pieces.concat())
}

fn refusal(result: Result<StoredFile>) -> String {
    match result {
        Err(Error::BadRequest(message)) => message,
        other => panic!("expected a refusal the person can act on, got {other:?}"),
    }
}

/// About `len` bytes of Danish CV text, cut at a character boundary.
fn text(len: usize) -> Vec<u8> {
    let line = "Erfaring: sygeplejerske på Aarhus Universitetshospital, 2019–2024. ✓\n";
    let all = line.repeat(len / line.len() + 1);
    let end = (0..=len)
        .rev()
        .find(|&i| all.is_char_boundary(i))
        .unwrap_or(0);
    all.as_bytes()[..end].to_vec()
}

fn pdf() -> Vec<u8> {
    b"%PDF-1.4\n1 0 obj << /Type /Catalog /Pages 2 0 R >> endobj\n\
      2 0 obj << /Type /Pages /Kids [] /Count 0 >> endobj\n\
      trailer << /Root 1 0 R >>\n%%EOF\n"
        .to_vec()
}

fn zip_of(entries: &[(&str, &[u8])]) -> Vec<u8> {
    let mut zip = zip::ZipWriter::new(Cursor::new(Vec::new()));
    let options =
        zip::write::SimpleFileOptions::default().compression_method(zip::CompressionMethod::Stored);
    for (name, contents) in entries {
        zip.start_file(*name, options).unwrap();
        zip.write_all(contents).unwrap();
    }
    zip.finish().unwrap().into_inner()
}

fn docx() -> Vec<u8> {
    zip_of(&[
        ("[Content_Types].xml", b"<Types/>"),
        ("_rels/.rels", b"<Relationships/>"),
        (
            "word/document.xml",
            b"<w:document><w:body>CV</w:body></w:document>",
        ),
    ])
}

fn odt() -> Vec<u8> {
    zip_of(&[
        ("mimetype", b"application/vnd.oasis.opendocument.text"),
        ("content.xml", b"<office:document-content/>"),
        ("META-INF/manifest.xml", b"<manifest:manifest/>"),
    ])
}

fn jpeg(width: u32, height: u32) -> Vec<u8> {
    let pixels = RgbImage::from_fn(width, height, |x, y| {
        image::Rgb([(x * 4) as u8, (y * 4) as u8, 128])
    });
    let mut out = Vec::new();
    JpegEncoder::new_with_quality(&mut out, 90)
        .write_image(&pixels, width, height, image::ExtendedColorType::Rgb8)
        .unwrap();
    out
}

/// An APP1 segment with a big-endian TIFF holding the given orientation, a description and a
/// GPS sub-directory (latitude reference "N"), as phones write it.
fn exif_segment(orientation: u16) -> Vec<u8> {
    let description = b"GPS 55.6761 N, 12.5683 E\0";
    let mut tiff = Vec::new();
    tiff.extend_from_slice(b"MM\0\x2a\0\0\0\x08");
    let ifd0_entries = 3u16;
    let ifd0_len = 2 + 12 * ifd0_entries as u32 + 4;
    let gps_at = 8 + ifd0_len;
    let gps_len = 2 + 12 + 4;
    let description_at = gps_at + gps_len;
    tiff.extend_from_slice(&ifd0_entries.to_be_bytes());
    // ImageDescription (ASCII), Orientation (SHORT), GPSInfo (LONG offset), in tag order.
    tiff.extend_from_slice(&0x010Eu16.to_be_bytes());
    tiff.extend_from_slice(&2u16.to_be_bytes());
    tiff.extend_from_slice(&(description.len() as u32).to_be_bytes());
    tiff.extend_from_slice(&description_at.to_be_bytes());
    tiff.extend_from_slice(&0x0112u16.to_be_bytes());
    tiff.extend_from_slice(&3u16.to_be_bytes());
    tiff.extend_from_slice(&1u32.to_be_bytes());
    tiff.extend_from_slice(&orientation.to_be_bytes());
    tiff.extend_from_slice(&[0, 0]);
    tiff.extend_from_slice(&0x8825u16.to_be_bytes());
    tiff.extend_from_slice(&4u16.to_be_bytes());
    tiff.extend_from_slice(&1u32.to_be_bytes());
    tiff.extend_from_slice(&gps_at.to_be_bytes());
    tiff.extend_from_slice(&0u32.to_be_bytes());
    // GPS directory: GPSLatitudeRef = "N".
    tiff.extend_from_slice(&1u16.to_be_bytes());
    tiff.extend_from_slice(&0x0001u16.to_be_bytes());
    tiff.extend_from_slice(&2u16.to_be_bytes());
    tiff.extend_from_slice(&2u32.to_be_bytes());
    tiff.extend_from_slice(b"N\0\0\0");
    tiff.extend_from_slice(&0u32.to_be_bytes());
    tiff.extend_from_slice(description);

    let mut segment = vec![0xFF, 0xE1];
    segment.extend_from_slice(&((2 + 6 + tiff.len()) as u16).to_be_bytes());
    segment.extend_from_slice(b"Exif\0\0");
    segment.extend_from_slice(&tiff);
    segment
}

/// `jpeg` with the EXIF segment right after the start-of-image marker.
fn with_exif(jpeg: &[u8], orientation: u16) -> Vec<u8> {
    assert_eq!(&jpeg[..2], &[0xFF, 0xD8]);
    let mut out = jpeg[..2].to_vec();
    out.extend(exif_segment(orientation));
    out.extend_from_slice(&jpeg[2..]);
    out
}

fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    haystack.windows(needle.len()).any(|w| w == needle)
}

#[tokio::test]
async fn a_multi_chunk_document_round_trips_encrypted() {
    let f = fixture();
    let original = text(300_000); // five 64 KiB chunks
    let stored = store_upload(
        &f.store,
        &f.key,
        UploadKind::Document,
        "Mit CV.txt",
        body(&original, 7_919),
        LIMIT,
        StorageKey::random(),
    )
    .await
    .unwrap();
    assert_eq!(stored.content_type, "text/plain; charset=utf-8");
    assert_eq!(stored.size, original.len() as u64);
    assert_eq!(stored.safe_name, "Mit CV.txt");
    assert!(stored.storage_key.as_str().starts_with("files/"));
    assert!(f.store.exists(&stored.storage_key).await.unwrap());

    // At rest: one object, larger by the header and tags, with no plaintext in it.
    let objects = files_under(&f.root);
    assert_eq!(objects.len(), 1, "{objects:?}");
    let at_rest = std::fs::read(&objects[0]).unwrap();
    assert_eq!(at_rest.len(), original.len() + 20 + 5 * 16);
    assert!(!contains(&at_rest, b"sygeplejerske"));

    assert_eq!(
        download(&f.store, &f.key, &stored.storage_key)
            .await
            .unwrap(),
        original
    );

    f.store.delete(&stored.storage_key).await.unwrap();
    assert!(!f.store.exists(&stored.storage_key).await.unwrap());
    f.store.delete(&stored.storage_key).await.unwrap();
    assert!(matches!(
        download(&f.store, &f.key, &stored.storage_key).await,
        Err(Error::NotFound)
    ));
}

#[tokio::test]
async fn wrong_keys_tampering_and_truncation_are_detected() {
    let f = fixture();
    let original = text(200_000);
    let stored = upload(&f, UploadKind::Document, "cv.txt", &original)
        .await
        .unwrap();
    let path = files_under(&f.root).pop().unwrap();
    let sealed = std::fs::read(&path).unwrap();

    let wrong = DataKey::generate();
    assert!(
        download(&f.store, &wrong, &stored.storage_key)
            .await
            .is_err()
    );

    let mut tampered = sealed.clone();
    tampered[70_000] ^= 0x01;
    std::fs::write(&path, &tampered).unwrap();
    assert!(
        download(&f.store, &f.key, &stored.storage_key)
            .await
            .is_err()
    );

    // Cut at a chunk boundary (only whole, valid chunks remain) and inside a chunk.
    for cut in [20 + 2 * (65_536 + 16), sealed.len() - 1] {
        std::fs::write(&path, &sealed[..cut]).unwrap();
        assert!(
            download(&f.store, &f.key, &stored.storage_key)
                .await
                .is_err(),
            "cut at {cut}"
        );
    }

    std::fs::write(&path, &sealed).unwrap();
    assert_eq!(
        download(&f.store, &f.key, &stored.storage_key)
            .await
            .unwrap(),
        original
    );
}

#[tokio::test]
async fn deleting_the_wrapped_key_shreds_the_files() {
    let f = fixture();
    let master = MasterKey::parse(&"42".repeat(32)).unwrap();
    let person = DataKey::generate();
    let mut wrapped_keys = vec![person.wrap(&master)]; // the person's row in `data_keys`
    let original = text(100_000);
    let stored = store_upload(
        &f.store,
        &DataKey::unwrap(&master, &wrapped_keys[0]).unwrap(),
        UploadKind::Document,
        "cv.txt",
        body(&original, 4096),
        LIMIT,
        StorageKey::random(),
    )
    .await
    .unwrap();
    drop(person);

    // While the wrapped key exists, the master key opens the file.
    let key = DataKey::unwrap(&master, &wrapped_keys[0]).unwrap();
    assert_eq!(
        download(&f.store, &key, &stored.storage_key).await.unwrap(),
        original
    );
    drop(key);

    // Erasure: the wrapped key is deleted. The ciphertext (or any backup copy of it) is still
    // there, but neither the master key nor any other person's key opens it.
    wrapped_keys.clear();
    assert!(f.store.exists(&stored.storage_key).await.unwrap());
    let copy = std::fs::read(files_under(&f.root).pop().unwrap()).unwrap();
    assert!(!contains(&copy, b"Aarhus"));
    let someone_else = DataKey::unwrap(&master, &DataKey::generate().wrap(&master)).unwrap();
    assert!(
        download(&f.store, &someone_else, &stored.storage_key)
            .await
            .is_err()
    );
}

#[tokio::test]
async fn each_document_type_is_recognised_by_its_content() {
    let f = fixture();
    let cases: [(&str, Vec<u8>, &str, &str); 4] = [
        ("resume.docx", pdf(), "application/pdf", "resume.pdf"),
        (
            "CV Søren.docx",
            docx(),
            "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
            "CV Søren.docx",
        ),
        (
            "ansøgning.odt",
            odt(),
            "application/vnd.oasis.opendocument.text",
            "ansøgning.odt",
        ),
        (
            "notes",
            b"Hej!\n".to_vec(),
            "text/plain; charset=utf-8",
            "notes.txt",
        ),
    ];
    for (name, data, content_type, safe) in cases {
        let stored = upload(&f, UploadKind::Document, name, &data).await.unwrap();
        assert_eq!(stored.content_type, content_type, "{name}");
        assert_eq!(stored.safe_name, safe);
        assert_eq!(
            download(&f.store, &f.key, &stored.storage_key)
                .await
                .unwrap(),
            data
        );
    }
    // A PDF may end with a line break after %%EOF, or none.
    let mut bare = pdf();
    bare.pop();
    assert!(
        upload(&f, UploadKind::Document, "a.pdf", &bare)
            .await
            .is_ok()
    );
}

#[tokio::test]
async fn refused_documents_leave_nothing_behind() {
    let f = fixture();
    let mut elf = b"\x7fELF\x02\x01\x01\0\0\0\0\0\0\0\0\0".to_vec();
    elf.extend(vec![0u8; 4000]);
    let mut pe = b"MZ\x90\0\x03\0\0\0\x04\0\0\0\xff\xff\0\0".to_vec();
    pe.extend(vec![0u8; 4000]);
    let mut truncated_pdf = pdf();
    truncated_pdf.truncate(60);
    let mut latin1 = b"Curriculum vitae: S".to_vec();
    latin1.push(0xF8); // "ø" in Latin-1
    latin1.extend_from_slice(b"ren\n");
    let mut truncated_docx = docx();
    truncated_docx.truncate(truncated_docx.len() - 30);
    let macros = zip_of(&[
        ("[Content_Types].xml", b"<Types/>"),
        ("word/document.xml", b"<w:document/>"),
        ("word/vbaProject.bin", b"\xd0\xcf\x11\xe0"),
    ]);
    let other_zip = zip_of(&[("photo.jpg", b"\xff\xd8\xff")]);
    let spreadsheet = zip_of(&[
        (
            "mimetype",
            b"application/vnd.oasis.opendocument.spreadsheet",
        ),
        ("content.xml", b"<x/>"),
    ]);

    let cases: [(&str, Vec<u8>, &str); 10] = [
        ("cv.pdf", elf, "Programs"),
        ("cv.pdf", pe, "Programs"),
        ("cv.pdf", truncated_pdf, "incomplete or damaged"),
        ("cv.txt", latin1, "not plain text"),
        ("cv.txt", b"a\0b".to_vec(), "not plain text"),
        ("cv.docx", truncated_docx, "incomplete or damaged"),
        ("cv.docm", macros, "macros"),
        ("cv.zip", other_zip, "not accepted"),
        ("cv.ods", spreadsheet, "not accepted"),
        ("cv.txt", Vec::new(), "empty"),
    ];
    for (name, data, expected) in cases {
        let message = refusal(upload(&f, UploadKind::Document, name, &data).await);
        assert!(message.contains(expected), "{name}: {message}");
    }
    assert_eq!(files_under(&f.root), Vec::<PathBuf>::new());
}

#[tokio::test]
async fn the_size_limit_is_enforced_while_streaming() {
    let f = fixture();
    // An endless body: only a limit applied as it streams can end this upload.
    let endless = stream::repeat_with(|| Ok::<_, Infallible>(Bytes::from(vec![b'a'; 8192])));
    let message = refusal(
        store_upload(
            &f.store,
            &f.key,
            UploadKind::Document,
            "big.txt",
            endless,
            1_000_000,
            StorageKey::random(),
        )
        .await,
    );
    assert_eq!(message, "The file is too large. The limit is 1 MB.");
    let endless = stream::repeat_with(|| Ok::<_, Infallible>(Bytes::from(vec![0xFF; 8192])));
    let message = refusal(
        store_upload(
            &f.store,
            &f.key,
            UploadKind::Image,
            "big.jpg",
            endless,
            2_500_000,
            StorageKey::random(),
        )
        .await,
    );
    assert!(message.contains("not accepted"), "{message}");
    let mut jpeg_head = vec![0xFF, 0xD8, 0xFF, 0xE0];
    jpeg_head.extend(vec![0u8; 8188]);
    let endless = stream::repeat(Ok::<_, Infallible>(Bytes::from(jpeg_head)));
    let message = refusal(
        store_upload(
            &f.store,
            &f.key,
            UploadKind::Image,
            "big.jpg",
            endless,
            2_500_000,
            StorageKey::random(),
        )
        .await,
    );
    assert_eq!(message, "The file is too large. The limit is 2.5 MB.");

    // Exactly at the limit is fine.
    let data = text(1000);
    let stored = store_upload(
        &f.store,
        &f.key,
        UploadKind::Document,
        "a.txt",
        body(&data, 100),
        data.len() as u64,
        StorageKey::random(),
    )
    .await
    .unwrap();
    assert_eq!(files_under(&f.root).len(), 1);
    assert!(f.store.exists(&stored.storage_key).await.unwrap());
}

#[tokio::test]
async fn a_broken_or_abandoned_upload_leaves_nothing_behind() {
    let f = fixture();
    let data = text(400_000);
    let broken = body(&data, 50_000)
        .take(5)
        .map(|piece| Ok::<_, std::io::Error>(piece.unwrap()))
        .chain(stream::once(async {
            Err(std::io::Error::other("connection reset"))
        }));
    let message = refusal(
        store_upload(
            &f.store,
            &f.key,
            UploadKind::Document,
            "cv.txt",
            broken,
            LIMIT,
            StorageKey::random(),
        )
        .await,
    );
    assert!(message.contains("interrupted"), "{message}");
    assert_eq!(files_under(&f.root), Vec::<PathBuf>::new());

    // The request goes away mid-upload: the future is dropped with parts already written.
    let stalled = body(&data, 100_000).take(3).chain(stream::pending());
    let upload = store_upload(
        &f.store,
        &f.key,
        UploadKind::Document,
        "cv.txt",
        stalled,
        LIMIT,
        StorageKey::random(),
    );
    assert!(
        tokio::time::timeout(Duration::from_millis(300), upload)
            .await
            .is_err()
    );
    for _ in 0..50 {
        if files_under(&f.root).is_empty() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    assert_eq!(files_under(&f.root), Vec::<PathBuf>::new());
}

#[tokio::test]
async fn the_sweep_removes_only_old_leftovers() {
    let f = fixture();
    let kept = upload(&f, UploadKind::Document, "cv.txt", b"keep me")
        .await
        .unwrap();
    // What a crash leaves: a finished pending object and a half-written staging file.
    let pending = f.root.join("pending");
    std::fs::create_dir_all(&pending).unwrap();
    let old = std::time::SystemTime::now() - Duration::from_secs(3 * 3600);
    for name in [
        "0123456789abcdef0123456789abcdef",
        "fedcba9876543210fedcba9876543210#1",
    ] {
        let file = std::fs::File::create(pending.join(name)).unwrap();
        file.set_modified(old).unwrap();
    }
    std::fs::write(
        pending.join("aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa#1"),
        b"in progress",
    )
    .unwrap();

    assert_eq!(
        f.store
            .sweep_abandoned(Duration::from_secs(3600))
            .await
            .unwrap(),
        2
    );
    let left: Vec<_> = files_under(&f.root);
    assert_eq!(left.len(), 2, "{left:?}");
    assert!(pending.join("aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa#1").exists());
    assert!(f.store.exists(&kept.storage_key).await.unwrap());
    assert_eq!(f.store.sweep_abandoned(Duration::ZERO).await.unwrap(), 1);
    assert!(f.store.exists(&kept.storage_key).await.unwrap());
}

#[tokio::test]
async fn photos_lose_their_exif_and_gps_but_keep_their_orientation() {
    let f = fixture();
    let photo = with_exif(&jpeg(64, 48), 6); // 6: rotate 90° clockwise to display
    assert!(contains(&photo, b"Exif") && contains(&photo, b"GPS"));
    // The sample is readable and its EXIF is seen, or the test would prove nothing.
    let decoded = image::load_from_memory(&photo).unwrap();
    assert_eq!((decoded.width(), decoded.height()), (64, 48));

    let stored = upload(&f, UploadKind::Image, "IMG_2041.JPG", &photo)
        .await
        .unwrap();
    assert_eq!(stored.content_type, "image/jpeg");
    assert_eq!(stored.safe_name, "IMG_2041.jpg");
    let clean = download(&f.store, &f.key, &stored.storage_key)
        .await
        .unwrap();
    assert_eq!(clean.len() as u64, stored.size);
    assert!(!contains(&clean, b"Exif"), "EXIF survived");
    assert!(!contains(&clean, b"GPS"), "GPS survived");
    assert!(
        !clean.windows(2).any(|w| w == [0xFF, 0xE1]),
        "an APP1 segment survived"
    );
    let decoded = image::load_from_memory(&clean).unwrap();
    assert_eq!(
        (decoded.width(), decoded.height()),
        (48, 64),
        "orientation applied"
    );
}

#[tokio::test]
async fn png_and_webp_are_rebuilt_and_other_files_refused_as_images() {
    let f = fixture();
    let logo = RgbaImage::from_fn(20, 10, |x, _| image::Rgba([x as u8 * 10, 0, 0, 128]));
    let mut png = Vec::new();
    logo.write_to(&mut Cursor::new(&mut png), image::ImageFormat::Png)
        .unwrap();
    let stored = upload(&f, UploadKind::Image, "logo.png", &png)
        .await
        .unwrap();
    assert_eq!(
        (stored.content_type, stored.safe_name.as_str()),
        ("image/png", "logo.png")
    );
    let back = image::load_from_memory(
        &download(&f.store, &f.key, &stored.storage_key)
            .await
            .unwrap(),
    )
    .unwrap();
    assert_eq!(back.to_rgba8(), logo);

    let mut webp = Vec::new();
    logo.write_to(&mut Cursor::new(&mut webp), image::ImageFormat::WebP)
        .unwrap();
    let stored = upload(&f, UploadKind::Image, "logo.webp", &webp)
        .await
        .unwrap();
    assert_eq!(
        (stored.content_type, stored.safe_name.as_str()),
        ("image/png", "logo.png")
    );

    let opaque = RgbImage::from_pixel(8, 8, image::Rgb([1, 2, 3]));
    let mut webp = Vec::new();
    opaque
        .write_to(&mut Cursor::new(&mut webp), image::ImageFormat::WebP)
        .unwrap();
    let stored = upload(&f, UploadKind::Image, "photo.webp", &webp)
        .await
        .unwrap();
    assert_eq!(stored.content_type, "image/jpeg");

    let huge = image::GrayImage::new(MAX_IMAGE_SIDE + 1, 1);
    let mut wide_png = Vec::new();
    huge.write_to(&mut Cursor::new(&mut wide_png), image::ImageFormat::Png)
        .unwrap();
    // Cut inside its headers: the decoder (like a browser) shows a JPEG cut in its pixel data
    // with the missing part grey, which the person would see and replace.
    let mut cut_jpeg = jpeg(64, 64);
    cut_jpeg.truncate(100);
    let cases: [(&str, Vec<u8>, &str); 5] = [
        ("photo.jpg", pdf(), "not accepted"),
        (
            "photo.jpg",
            b"GIF89a\x01\0\x01\0\0\0\0;".to_vec(),
            "not accepted",
        ),
        ("photo.jpg", cut_jpeg, "damaged"),
        ("wide.png", wide_png, "too large"),
        ("photo.jpg", b"\xff\xd8".to_vec(), "not accepted"),
    ];
    let before = files_under(&f.root).len();
    for (name, data, expected) in cases {
        let message = refusal(upload(&f, UploadKind::Image, name, &data).await);
        assert!(message.contains(expected), "{name}: {message}");
    }
    assert_eq!(files_under(&f.root).len(), before);
}

#[tokio::test]
async fn declared_names_choose_neither_the_path_nor_the_key() {
    let f = fixture();
    let stored = upload(
        &f,
        UploadKind::Document,
        "../../etc/passwd",
        b"root:x:0:0\n",
    )
    .await
    .unwrap();
    assert_eq!(stored.safe_name, "passwd.txt");
    assert!(!stored.storage_key.as_str().contains("passwd"));
    assert!(!f.root.parent().unwrap().join("etc").exists());
    assert_eq!(
        StorageKey::parse(stored.storage_key.as_str()).unwrap(),
        stored.storage_key
    );
    assert!(StorageKey::parse("files/../../etc/passwd").is_err());
    assert!(StorageKey::parse("pending/0123456789abcdef0123456789abcdef").is_err());
}

#[tokio::test]
async fn raw_streams_are_stored_whole_or_not_at_all() {
    let f = fixture();
    let data = text(700_000);
    let pieces = body(&data, 33_333).map(|piece| Ok(piece.unwrap()));
    let key = f
        .store
        .put_stream(StorageKey::random(), pieces)
        .await
        .unwrap();
    let back: Vec<Bytes> = f
        .store
        .get_stream(&key)
        .await
        .unwrap()
        .try_collect()
        .await
        .unwrap();
    assert_eq!(back.concat(), data);

    let failing = stream::iter([Ok(Bytes::from(data)), Err(Error::internal("disk on fire"))]);
    assert!(
        f.store
            .put_stream(StorageKey::random(), failing)
            .await
            .is_err()
    );
    assert_eq!(files_under(&f.root), vec![f.root.join(key.as_str())]);
}

#[tokio::test]
async fn the_local_store_answers_the_readiness_probe() {
    let f = fixture();
    f.store.ping().await.unwrap();
    assert_eq!(files_under(&f.root), Vec::<PathBuf>::new());
}

#[test]
fn the_store_follows_the_configuration() {
    let dir = tempfile::tempdir().unwrap();
    let config = crate::config::Config::from_map(
        [(
            "JOBBOARD_DATA_DIR".to_string(),
            dir.path().display().to_string(),
        )]
        .into(),
    )
    .unwrap();
    FileStore::from_config(&config).unwrap();
    assert!(dir.path().join("files").is_dir());
}

/// Runs against a real S3 server when `TEST_S3_ENDPOINT` is set, and does nothing otherwise.
/// With moto (accepts any credentials; the test creates its bucket):
///
/// ```sh
/// python3 -m pip install 'moto[server]'
/// moto_server -H 127.0.0.1 -p 9000 &
/// TEST_S3_ENDPOINT=http://127.0.0.1:9000 cargo test --lib files::tests::s3
/// ```
///
/// With another server, create the bucket first and set `TEST_S3_BUCKET`,
/// `AWS_ACCESS_KEY_ID` and `AWS_SECRET_ACCESS_KEY`.
#[tokio::test]
async fn s3_stores_reads_refuses_and_cleans_up() {
    let Some(endpoint) = std::env::var("TEST_S3_ENDPOINT")
        .ok()
        .filter(|e| !e.is_empty())
    else {
        return;
    };
    let env = |name: &str, default: &str| std::env::var(name).unwrap_or_else(|_| default.into());
    let bucket = env("TEST_S3_BUCKET", "jobboard-files-test");
    if std::env::var("TEST_S3_BUCKET").is_err() {
        // moto creates a bucket on an unsigned PUT; it may exist from an earlier run.
        reqwest::Client::new()
            .put(format!("{}/{bucket}", endpoint.trim_end_matches('/')))
            .send()
            .await
            .expect("the S3 test server answers");
    }
    let store = FileStore::s3(
        &S3Config {
            bucket,
            endpoint: Some(endpoint),
            region: Some("us-east-1".into()),
        },
        Some(env("AWS_ACCESS_KEY_ID", "testing")),
        Some(env("AWS_SECRET_ACCESS_KEY", "testing")),
        None,
    )
    .unwrap();
    store.ping().await.unwrap();
    let key = DataKey::generate();

    // Larger than one 5 MiB part, so the multipart upload has two.
    let original = text(6_000_000);
    let stored = store_upload(
        &store,
        &key,
        UploadKind::Document,
        "cv.txt",
        body(&original, 65_000),
        LIMIT,
        StorageKey::random(),
    )
    .await
    .unwrap();
    assert!(store.exists(&stored.storage_key).await.unwrap());
    assert_eq!(
        download(&store, &key, &stored.storage_key).await.unwrap(),
        original
    );
    assert!(
        download(&store, &DataKey::generate(), &stored.storage_key)
            .await
            .is_err()
    );

    let photo = store_upload(
        &store,
        &key,
        UploadKind::Image,
        "me.jpg",
        body(&with_exif(&jpeg(32, 32), 1), 1000),
        LIMIT,
        StorageKey::random(),
    )
    .await
    .unwrap();
    assert!(!contains(
        &download(&store, &key, &photo.storage_key).await.unwrap(),
        b"Exif"
    ));

    // Refusals leave no pending object behind.
    let endless = stream::repeat_with(|| Ok::<_, Infallible>(Bytes::from(vec![b'a'; 65_536])));
    let message = refusal(
        store_upload(
            &store,
            &key,
            UploadKind::Document,
            "big.txt",
            endless,
            7_000_000,
            StorageKey::random(),
        )
        .await,
    );
    assert!(message.contains("too large"));
    let mut elf = b"\x7fELF".to_vec();
    elf.extend(vec![0u8; 100]);
    refusal(upload_to(&store, &key, &elf).await);
    assert_eq!(store.sweep_abandoned(Duration::ZERO).await.unwrap(), 0);

    for file in [&stored, &photo] {
        store.delete(&file.storage_key).await.unwrap();
        assert!(!store.exists(&file.storage_key).await.unwrap());
    }
    assert!(matches!(
        download(&store, &key, &stored.storage_key).await,
        Err(Error::NotFound)
    ));
}

async fn upload_to(store: &FileStore, key: &DataKey, data: &[u8]) -> Result<StoredFile> {
    store_upload(
        store,
        key,
        UploadKind::Document,
        "cv.pdf",
        body(data, 1000),
        LIMIT,
        StorageKey::random(),
    )
    .await
}
