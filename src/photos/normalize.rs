//! Normalising a face photo for the camera vendor: decode JPEG or PNG (content decides, not the
//! name), apply the EXIF orientation, scale down (never up) to fit 1280×736, re-encode as JPEG,
//! and hash the result. Pure and blocking: callers run it off the async executor.

use std::io::Cursor;

use image::{
    DynamicImage, ImageDecoder, ImageFormat, ImageReader, Limits, codecs::jpeg::JpegEncoder,
    imageops::FilterType,
};
use sha2::{Digest, Sha256};

/// The box Hanet asks face photos to fit.
pub const MAX_WIDTH: u32 = 1280;
pub const MAX_HEIGHT: u32 = 736;
/// Shorter side below which a photo cannot hold a usable face (the simulator's rule too).
pub const MIN_SIDE: u32 = 100;
const JPEG_QUALITY: u8 = 90;

/// Why a file is not a usable photo.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Rejection {
    UnsupportedType,
    Unreadable,
    TooSmall,
    /// More pixels than allowed, by the header's dimensions (nothing was decoded).
    TooLarge,
}

/// A normalised photo.
pub struct Normalized {
    pub jpeg: Vec<u8>,
    pub sha256: String,
    pub width: u32,
    pub height: u32,
}

pub fn sha256_hex(bytes: &[u8]) -> String {
    hex::encode(Sha256::digest(bytes))
}

/// Normalises a photo. `max_pixels` is checked against the dimensions the header declares,
/// before anything is decoded: orientation, resizing and colour conversion each copy the image,
/// so the decoder's own allocation limit alone does not bound memory.
pub fn normalize(bytes: &[u8], max_pixels: u64) -> Result<Normalized, (Rejection, String)> {
    let format = image::guess_format(bytes)
        .ok()
        .filter(|f| matches!(f, ImageFormat::Jpeg | ImageFormat::Png))
        .ok_or((
            Rejection::UnsupportedType,
            "not a JPEG or PNG image".to_owned(),
        ))?;
    let unreadable = |e: image::ImageError| {
        (
            Rejection::Unreadable,
            format!("the image cannot be decoded: {e}"),
        )
    };
    // The header alone: no pixel is decoded yet.
    let (width, height) = ImageReader::with_format(Cursor::new(bytes), format)
        .into_dimensions()
        .map_err(unreadable)?;
    let pixels = u64::from(width).saturating_mul(u64::from(height));
    if pixels > max_pixels {
        return Err((
            Rejection::TooLarge,
            format!("{width}×{height} is more than {max_pixels} pixels; send a smaller photo"),
        ));
    }
    let mut reader = ImageReader::with_format(Cursor::new(bytes), format);
    // Refuse decompression bombs before allocating.
    let mut limits = Limits::default();
    limits.max_image_width = Some(16_384);
    limits.max_image_height = Some(16_384);
    limits.max_alloc = Some(256 * 1024 * 1024);
    reader.limits(limits);

    let mut decoder = reader.into_decoder().map_err(unreadable)?;
    let orientation = decoder.orientation().map_err(unreadable)?;
    let mut image = DynamicImage::from_decoder(decoder).map_err(unreadable)?;
    image.apply_orientation(orientation);
    if image.width().min(image.height()) < MIN_SIDE {
        return Err((
            Rejection::TooSmall,
            format!(
                "{}×{} is too small to hold a face (the shorter side must be at least {MIN_SIDE} px)",
                image.width(),
                image.height()
            ),
        ));
    }
    if image.width() > MAX_WIDTH || image.height() > MAX_HEIGHT {
        image = image.resize(MAX_WIDTH, MAX_HEIGHT, FilterType::Triangle);
    }
    let rgb = image.into_rgb8();
    let mut jpeg = Vec::new();
    JpegEncoder::new_with_quality(&mut jpeg, JPEG_QUALITY)
        .encode_image(&rgb)
        .map_err(|e| (Rejection::Unreadable, format!("re-encoding failed: {e}")))?;
    Ok(Normalized {
        sha256: sha256_hex(&jpeg),
        width: rgb.width(),
        height: rgb.height(),
        jpeg,
    })
}
