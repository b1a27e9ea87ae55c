//! `importFacePhotos` with N photos of ~3 MB in one request: time and peak memory.

use std::time::Instant;

use image::{Rgb, RgbImage, codecs::jpeg::JpegEncoder};
use serde_json::{Value, json};
use timekeeping::{companies::service as companies, employees::service as employees};

use crate::harness;

/// A noisy JPEG of about `target` bytes (noise does not compress), varied by `seed`.
fn photo(target: usize, seed: u32) -> Vec<u8> {
    let first = noisy(1000, seed);
    // Size grows with the pixel count: rescale once to land near the target.
    let scale = (target as f64 / first.len() as f64).sqrt();
    noisy((1000.0 * scale) as u32, seed)
}

/// A 4:3 noisy JPEG `width` pixels wide.
fn noisy(width: u32, seed: u32) -> Vec<u8> {
    let height = (width * 3) / 4;
    let mut state = seed.wrapping_mul(2_654_435_761).max(1);
    let image = RgbImage::from_fn(width, height, |x, y| {
        state ^= state << 13;
        state ^= state >> 17;
        state ^= state << 5;
        let base = if x < width / 2 { 180u8 } else { 60 };
        let [a, b, c, _] = state.to_le_bytes();
        Rgb([base ^ (a >> 2), base ^ (b >> 2), (y % 255) as u8 ^ (c >> 2)])
    });
    let mut out = Vec::new();
    let _ = JpegEncoder::new_with_quality(&mut out, 90).encode_image(&image);
    out
}

pub async fn run(count: usize, megabytes: f64) -> anyhow::Result<()> {
    let server = harness::start(&[
        "--max-upload-request-bytes",
        "8000000000",
        "--max-upload-files",
        "5000",
    ])
    .await?;
    let company = companies::create_company_with_admin(
        &server.state.db,
        "Bench",
        "Asia/Ho_Chi_Minh",
        "admin@bench.test",
        "bench password".to_owned(),
    )
    .await
    .map_err(|e| anyhow::anyhow!(e.message()))?;
    companies::set_camera_timekeeping(&server.state.db, company.id, true)
        .await
        .map_err(|e| anyhow::anyhow!(e.message()))?;
    for i in 0..count {
        let new = employees::NewEmployee {
            employee_code: format!("E{i:05}"),
            full_name: format!("Employee {i}"),
            email: None,
            title: None,
            department_id: None,
            work_status: None,
            profile_picture_url: None,
            start_date: None,
        };
        employees::create(&server.state.db, company.id, new)
            .await
            .map_err(|e| anyhow::anyhow!(e.message()))?;
    }
    let token = harness::login(&server.address, "admin@bench.test", "bench password").await?;

    // Distinct photos, written to disk and streamed from there so the client holds none.
    let dir = tempfile::tempdir()?;
    let distinct: Vec<Vec<u8>> = (0..10)
        .map(|seed| photo((megabytes * 1_000_000.0) as usize, seed))
        .collect();
    let mut total_bytes = 0u64;
    let mut paths = Vec::new();
    for i in 0..count {
        let path = dir.path().join(format!("E{i:05}.jpg"));
        let bytes = &distinct[i % distinct.len()];
        total_bytes += bytes.len() as u64;
        std::fs::write(&path, bytes)?;
        paths.push(path);
    }
    drop(distinct);

    let operations = json!({
        "query": "mutation($f: [Upload!]!) { importFacePhotos(files: $f) { accepted rejected results { errorCode message } } }",
        "variables": { "f": vec![Value::Null; count] }
    });
    let map: serde_json::Map<String, Value> = (0..count)
        .map(|i| (i.to_string(), json!([format!("variables.f.{i}")])))
        .collect();
    let mut form = reqwest::multipart::Form::new()
        .text("operations", operations.to_string())
        .text("map", Value::Object(map).to_string());
    for (i, path) in paths.iter().enumerate() {
        let file = tokio::fs::File::open(path).await?;
        let length = file.metadata().await?.len();
        let body = reqwest::Body::wrap_stream(tokio_util::io::ReaderStream::new(file));
        let name = path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        form = form.part(
            i.to_string(),
            reqwest::multipart::Part::stream_with_length(body, length).file_name(name),
        );
    }

    harness::reset_peak_memory();
    let (baseline, _) = harness::memory_mib();
    let started = Instant::now();
    let sampler = tokio::spawn(async move {
        loop {
            tokio::time::sleep(std::time::Duration::from_millis(500)).await;
            let (peak, now) = harness::memory_mib();
            if std::env::var("BENCH_TRACE_MEMORY").is_ok() {
                eprintln!(
                    "  t={:>5.1}s rss={now:.0} MiB peak={peak:.0} MiB",
                    started.elapsed().as_secs_f64()
                );
            }
        }
    });
    let response = reqwest::Client::new()
        .post(format!("{}/graphql", server.address))
        .bearer_auth(&token)
        .multipart(form)
        .send()
        .await?;
    let status = response.status();
    let body: Value = response.json().await?;
    let elapsed = started.elapsed();
    let (peak, current) = harness::memory_mib();
    sampler.abort();
    let accepted = body["data"]["importFacePhotos"]["accepted"]
        .as_u64()
        .unwrap_or(0);
    anyhow::ensure!(
        status.is_success() && accepted == count as u64,
        "import failed ({status}): {}",
        serde_json::to_string(&body)?
            .chars()
            .take(500)
            .collect::<String>()
    );
    let mb = total_bytes as f64 / 1_000_000.0;
    println!(
        "photos: {count} files, {mb:.0} MB total ({:.2} MB each)",
        mb / count as f64
    );
    println!(
        "  wall time        {:.1} s  ({:.1} photos/s, {:.1} MB/s)",
        elapsed.as_secs_f64(),
        count as f64 / elapsed.as_secs_f64(),
        mb / elapsed.as_secs_f64()
    );
    println!(
        "  peak RSS         {peak:.0} MiB (process, server and client; {baseline:.0} MiB before the request, {current:.0} MiB after)"
    );
    println!(
        "  photo workers    {}",
        server.state.settings.photo_workers()
    );
    Ok(())
}
