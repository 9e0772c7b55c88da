//! Photos and logos are decoded and encoded afresh. What comes out has the pixels only: EXIF
//! (GPS position, camera serial, time), XMP, comments and ICC profiles are all left behind,
//! and a file that merely claims to be an image fails to decode.

use std::io::Cursor;

use image::{
    DynamicImage, ImageDecoder, ImageError, ImageFormat, ImageReader, Limits,
    codecs::jpeg::JpegEncoder,
};

use crate::error::{Error, Result};

/// Larger than any photo a CV or a company logo needs; bounds decoding memory (~144 MB RGBA).
pub const MAX_IMAGE_SIDE: u32 = 6000;
const JPEG_QUALITY: u8 = 88;

/// The formats a sanitised image is stored in.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ImageType {
    Jpeg,
    Png,
}

impl ImageType {
    pub fn content_type(self) -> &'static str {
        match self {
            ImageType::Jpeg => "image/jpeg",
            ImageType::Png => "image/png",
        }
    }

    pub fn extension(self) -> &'static str {
        match self {
            ImageType::Jpeg => "jpg",
            ImageType::Png => "png",
        }
    }
}

pub(crate) fn unsupported() -> Error {
    Error::BadRequest(
        "This type of image is not accepted. Please upload a JPEG, PNG or WebP image.".into(),
    )
}

fn damaged() -> Error {
    Error::BadRequest(
        "The image seems to be damaged. Please save it again and upload the new copy.".into(),
    )
}

/// The input format from its signature; refuses anything else before the rest arrives.
pub(crate) fn sniff(head: &[u8]) -> Option<ImageFormat> {
    if head.starts_with(&[0xFF, 0xD8, 0xFF]) {
        Some(ImageFormat::Jpeg)
    } else if head.starts_with(b"\x89PNG\r\n\x1a\n") {
        Some(ImageFormat::Png)
    } else if head.len() >= 12 && head.starts_with(b"RIFF") && &head[8..12] == b"WEBP" {
        Some(ImageFormat::WebP)
    } else {
        None
    }
}

/// Bytes needed by `sniff`.
pub(crate) const SNIFF_BYTES: usize = 12;

/// Decodes a whole image and encodes it again: JPEG stays JPEG (photos), PNG becomes PNG, and
/// WebP becomes PNG when it has transparency, else JPEG. The camera's orientation tag is
/// applied to the pixels first, since the tag itself is dropped. CPU-bound: call it from
/// `spawn_blocking`.
pub(crate) fn reencode(bytes: &[u8]) -> Result<(ImageType, Vec<u8>)> {
    reencode_within(bytes, MAX_IMAGE_SIDE).map(|(kind, out, _)| (kind, out))
}

/// `reencode` for images of at most `max_side` pixels a side, with the size it came out.
pub(crate) fn reencode_within(
    bytes: &[u8],
    max_side: u32,
) -> Result<(ImageType, Vec<u8>, (u32, u32))> {
    let format = sniff(bytes).ok_or_else(unsupported)?;
    let mut reader = ImageReader::with_format(Cursor::new(bytes), format);
    let mut limits = Limits::default();
    limits.max_image_width = Some(max_side);
    limits.max_image_height = Some(max_side);
    limits.max_alloc = Some(256 * 1024 * 1024);
    reader.limits(limits);
    let mut decoder = reader
        .into_decoder()
        .map_err(|e| decode_error(e, max_side))?;
    let orientation = decoder
        .orientation()
        .map_err(|e| decode_error(e, max_side))?;
    let mut pixels = DynamicImage::from_decoder(decoder).map_err(|e| decode_error(e, max_side))?;
    pixels.apply_orientation(orientation);
    let size = (pixels.width(), pixels.height());

    let target = match format {
        ImageFormat::Jpeg => ImageType::Jpeg,
        _ if pixels.color().has_alpha() => ImageType::Png,
        ImageFormat::WebP => ImageType::Jpeg,
        _ => ImageType::Png,
    };
    let mut out = Vec::new();
    match target {
        ImageType::Jpeg => {
            let pixels = if pixels.color().has_color() {
                DynamicImage::ImageRgb8(pixels.to_rgb8())
            } else {
                DynamicImage::ImageLuma8(pixels.to_luma8())
            };
            pixels
                .write_with_encoder(JpegEncoder::new_with_quality(&mut out, JPEG_QUALITY))
                .map_err(Error::internal)?;
        }
        ImageType::Png => pixels
            .write_to(&mut Cursor::new(&mut out), ImageFormat::Png)
            .map_err(Error::internal)?,
    }
    Ok((target, out, size))
}

fn decode_error(error: ImageError, max_side: u32) -> Error {
    match error {
        ImageError::Limits(_) => Error::BadRequest(format!(
            "The image is too large. Please upload one of at most {max_side} × {max_side} pixels."
        )),
        ImageError::Unsupported(_) => unsupported(),
        // The input is in memory, so a read error means the data ended early.
        _ => damaged(),
    }
}
