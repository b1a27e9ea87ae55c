//! Employee sync of N employees against hanet-sim with a fixed latency per call: wall time next
//! to the bound the concurrency and rate-limit settings set.

use std::time::{Duration, Instant};

use hanet_sim::{SimConfig, Simulator};
use serde_json::{Value, json};
use timekeeping::{companies::service as companies, employees::service as employees};

use crate::{
    harness,
    harness::{face, gql},
};

pub async fn run(
    count: usize,
    latency_ms: u64,
    concurrency: usize,
    rate: u32,
) -> anyhow::Result<()> {
    let sim = Simulator::start(SimConfig::default()).await?;
    let sim_url = sim.base_url();
    let concurrency_text = concurrency.to_string();
    let rate_text = rate.to_string();
    let server = harness::start(&[
        "--hanet-api-url",
        &sim_url,
        "--hanet-oauth-url",
        &sim_url,
        "--hanet-client-id",
        sim.client_id(),
        "--hanet-client-secret",
        sim.client_secret(),
        "--sync-concurrency",
        &concurrency_text,
        "--hanet-rate-limit-per-second",
        &rate_text,
        "--max-upload-files",
        "5000",
    ])
    .await?;
    let db = &server.state.db;
    let company = companies::create_company_with_admin(
        db,
        "Bench",
        "Asia/Ho_Chi_Minh",
        "admin@bench.test",
        "bench password".to_owned(),
    )
    .await
    .map_err(|e| anyhow::anyhow!(e.message()))?;
    companies::set_camera_timekeeping(db, company.id, true)
        .await
        .map_err(|e| anyhow::anyhow!(e.message()))?;
    let token = harness::login(&server.address, "admin@bench.test", "bench password").await?;
    harness::link(&server.address, &server.address, &token, None, "1001").await?;

    let mut form = reqwest::multipart::Form::new();
    let map: serde_json::Map<String, Value> = (0..count)
        .map(|i| (i.to_string(), json!([format!("variables.f.{i}")])))
        .collect();
    form = form
        .text("operations", json!({ "query": "mutation($f: [Upload!]!) { importFacePhotos(files: $f) { accepted } }", "variables": { "f": vec![Value::Null; count] } }).to_string())
        .text("map", Value::Object(map).to_string());
    for i in 0..count {
        let code = format!("E{i:05}");
        let new = employees::NewEmployee {
            employee_code: code.clone(),
            full_name: format!("Employee {i}"),
            email: None,
            title: None,
            department_id: None,
            work_status: None,
            profile_picture_url: None,
            start_date: None,
        };
        employees::create(db, company.id, new)
            .await
            .map_err(|e| anyhow::anyhow!(e.message()))?;
        form = form.part(
            i.to_string(),
            reqwest::multipart::Part::bytes(face(i)).file_name(format!("{code}.jpg")),
        );
    }
    let imported: Value = reqwest::Client::new()
        .post(format!("{}/graphql", server.address))
        .bearer_auth(&token)
        .multipart(form)
        .send()
        .await?
        .json()
        .await?;
    anyhow::ensure!(
        imported["data"]["importFacePhotos"]["accepted"] == count,
        "photo import failed: {imported}"
    );

    sim.faults().set_latency(Duration::from_millis(latency_ms));
    let calls_before: u32 = [
        "/person/register",
        "/person/getListByPlace",
        "/person/getListByAliasID",
    ]
    .iter()
    .map(|p| sim.request_count(p))
    .sum();
    let started = Instant::now();
    let job = gql(
        &server.address,
        &token,
        "mutation { startEmployeeSync { id } }",
        json!({}),
    )
    .await?;
    let id = job["startEmployeeSync"]["id"]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    let done = loop {
        let data = gql(
            &server.address,
            &token,
            "query($id: ID!) { syncJob(id: $id) { status succeeded failed } }",
            json!({ "id": id }),
        )
        .await?;
        if !["QUEUED", "RUNNING"].contains(&data["syncJob"]["status"].as_str().unwrap_or("")) {
            break data;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    };
    let elapsed = started.elapsed().as_secs_f64();
    let calls: u32 = [
        "/person/register",
        "/person/getListByPlace",
        "/person/getListByAliasID",
    ]
    .iter()
    .map(|p| sim.request_count(p))
    .sum::<u32>()
        - calls_before;
    anyhow::ensure!(
        done["syncJob"]["status"] == "SUCCEEDED",
        "sync did not succeed: {done}"
    );
    anyhow::ensure!(
        sim.persons_in_place(1001).len() == count,
        "persons on Hanet: {}",
        sim.persons_in_place(1001).len()
    );
    // Each call takes `latency`; `concurrency` items run at once; the client sends at most `rate`
    // calls a second. Whichever is slower bounds the run.
    let latency_bound = f64::from(calls) * latency_ms as f64 / 1000.0 / concurrency as f64;
    let rate_bound = f64::from(calls) / f64::from(rate);
    let bound = latency_bound.max(rate_bound);
    println!(
        "sync: {count} employees, {calls} Hanet calls, latency {latency_ms} ms, concurrency {concurrency}, rate limit {rate}/s"
    );
    println!(
        "  wall time        {elapsed:.1} s  ({:.1} employees/s)",
        count as f64 / elapsed
    );
    println!(
        "  bound            {bound:.1} s  (latency bound {latency_bound:.1} s, rate bound {rate_bound:.1} s)"
    );
    println!(
        "  ratio            {:.2}x the bound (target <= 1.25x)",
        elapsed / bound
    );
    Ok(())
}
