//! Test images, generated: plain JPEG/PNG, noisy (large) JPEGs, and JPEGs with an EXIF
//! orientation tag.

use std::io::Cursor;

use image::{ImageFormat, Rgb, RgbImage, codecs::jpeg::JpegEncoder};

/// Left half red, right half blue (so rotation is visible), with a seed-dependent stripe so
/// different seeds give different bytes.
pub fn two_tone(width: u32, height: u32, seed: u8) -> RgbImage {
    RgbImage::from_fn(width, height, |x, y| {
        if y == height / 2 && x % 7 == u32::from(seed) % 7 {
            Rgb([seed, seed, seed])
        } else if x < width / 2 {
            Rgb([220, 20, 20])
        } else {
            Rgb([20, 20, 220])
        }
    })
}

pub fn jpeg(width: u32, height: u32, seed: u8) -> Vec<u8> {
    encode_jpeg(&two_tone(width, height, seed), 90)
}

pub fn png(width: u32, height: u32, seed: u8) -> Vec<u8> {
    let mut out = Cursor::new(Vec::new());
    two_tone(width, height, seed)
        .write_to(&mut out, ImageFormat::Png)
        .expect("png");
    out.into_inner()
}

/// Pseudo-random noise compresses badly: a big file from a modest image.
pub fn noisy_jpeg(width: u32, height: u32, seed: u32) -> Vec<u8> {
    let mut state = seed.wrapping_mul(2_654_435_761).max(1);
    let image = RgbImage::from_fn(width, height, |_, _| {
        state ^= state << 13;
        state ^= state >> 17;
        state ^= state << 5;
        let [a, b, c, _] = state.to_le_bytes();
        Rgb([a, b, c])
    });
    encode_jpeg(&image, 95)
}

fn encode_jpeg(image: &RgbImage, quality: u8) -> Vec<u8> {
    let mut out = Vec::new();
    JpegEncoder::new_with_quality(&mut out, quality)
        .encode_image(image)
        .expect("jpeg");
    out
}

/// A JPEG whose EXIF says "rotate 90° clockwise to display" (orientation 6).
pub fn jpeg_with_orientation(width: u32, height: u32, orientation: u16) -> Vec<u8> {
    let plain = jpeg(width, height, 1);
    let mut payload = b"Exif\0\0MM\x00\x2a\x00\x00\x00\x08".to_vec();
    payload.extend_from_slice(&[0x00, 0x01, 0x01, 0x12, 0x00, 0x03, 0x00, 0x00, 0x00, 0x01]);
    payload.extend_from_slice(&orientation.to_be_bytes());
    payload.extend_from_slice(&[0x00, 0x00, 0x00, 0x00, 0x00, 0x00]);
    let length = u16::try_from(payload.len() + 2).expect("short segment");
    let mut out = plain[..2].to_vec();
    out.extend_from_slice(&[0xFF, 0xE1]);
    out.extend_from_slice(&length.to_be_bytes());
    out.extend_from_slice(&payload);
    out.extend_from_slice(&plain[2..]);
    out
}
