//! Aggregate employee-sync throughput of many companies, each on its own simulated Hanet
//! account (200 ms per call), with 1 and with N replicas on one PostgreSQL: do more processes
//! sync more employees per second?
//!
//!     cargo run --release -p bench -- scale --replicas 3 --companies 12 --employees 40

use std::time::{Duration, Instant};

use hanet_sim::{AccountSeed, DeviceSeed, PlaceSeed, SimConfig, Simulator};
use serde_json::{Value, json};
use timekeeping::companies::service as companies;

use crate::replicas::{Replicas, gql};

fn accounts(n: usize) -> Vec<AccountSeed> {
    (0..n)
        .map(|i| AccountSeed {
            email: format!("owner{i}@hanet.sim"),
            name: format!("Owner {i}"),
            places: vec![PlaceSeed {
                id: 5000 + i as i64,
                name: "Head office".to_owned(),
                address: "1 Sim Street".to_owned(),
                devices: vec![DeviceSeed {
                    id: format!("C{i:04}"),
                    name: "Gate".to_owned(),
                    online: true,
                }],
            }],
        })
        .collect()
}

/// Seeds the companies (each linked to its own account, with employees and photos); returns
/// their admins' tokens.
async fn seed(
    cluster: &Replicas,
    companies_n: usize,
    employees: usize,
) -> anyhow::Result<Vec<String>> {
    let mut tokens = Vec::new();
    for c in 0..companies_n {
        let email = format!("admin{c}@scale.test");
        let company = companies::create_company_with_admin(
            &cluster.db,
            &format!("Scale {c}"),
            companies::DEFAULT_TIME_ZONE,
            &email,
            "scale password".to_owned(),
        )
        .await
        .map_err(|e| anyhow::anyhow!(e.message()))?;
        companies::set_camera_timekeeping(&cluster.db, company.id, true)
            .await
            .map_err(|e| anyhow::anyhow!(e.message()))?;
        let address = &cluster.addresses[0];
        let token = crate::harness::login(address, &email, "scale password").await?;
        let hint = format!("owner{c}@hanet.sim");
        let place = (5000 + c).to_string();
        crate::harness::link(address, address, &token, Some(&hint), &place).await?;
        let mut form = reqwest::multipart::Form::new();
        let map: serde_json::Map<String, Value> = (0..employees)
            .map(|i| (i.to_string(), json!([format!("variables.f.{i}")])))
            .collect();
        form = form
            .text("operations", json!({ "query": "mutation($f: [Upload!]!) { importFacePhotos(files: $f) { accepted } }", "variables": { "f": vec![Value::Null; employees] } }).to_string())
            .text("map", Value::Object(map).to_string());
        for i in 0..employees {
            let new = timekeeping::employees::service::NewEmployee {
                employee_code: format!("S{i:03}"),
                full_name: format!("Person {i}"),
                email: None,
                title: None,
                department_id: None,
                work_status: None,
                profile_picture_url: None,
                start_date: None,
            };
            timekeeping::employees::service::create(&cluster.db, company.id, new)
                .await
                .map_err(|e| anyhow::anyhow!(e.message()))?;
            form = form.part(
                i.to_string(),
                reqwest::multipart::Part::bytes(crate::harness::face(c * 1000 + i))
                    .file_name(format!("S{i:03}.jpg")),
            );
        }
        reqwest::Client::new()
            .post(format!("{address}/graphql"))
            .bearer_auth(&token)
            .multipart(form)
            .send()
            .await?
            .error_for_status()?;
        tokens.push(token);
    }
    Ok(tokens)
}

/// Starts every company's sync on a replica round-robin; returns items synced per second.
async fn measure(replicas: usize, companies_n: usize, employees: usize) -> anyhow::Result<f64> {
    let sim = Simulator::start(SimConfig {
        accounts: accounts(companies_n),
        ..SimConfig::default()
    })
    .await?;
    let cluster = Replicas::start(
        replicas,
        &sim,
        &[("TIMEKEEPING_CATCHUP_INTERVAL_SECS", "0")],
    )
    .await?;
    let tokens = seed(&cluster, companies_n, employees).await?;
    sim.faults().set_latency(Duration::from_millis(200));
    let started = Instant::now();
    let mut jobs = Vec::new();
    for (c, token) in tokens.iter().enumerate() {
        let job = gql(
            &cluster.addresses[c % replicas],
            token,
            "mutation { startEmployeeSync { id } }",
            json!({}),
        )
        .await?;
        jobs.push((
            c,
            job["startEmployeeSync"]["id"]
                .as_str()
                .unwrap_or_default()
                .to_owned(),
        ));
    }
    let mut succeeded = 0;
    for (c, id) in jobs {
        loop {
            let data = gql(
                &cluster.addresses[c % replicas],
                &tokens[c],
                "query($id: ID!) { syncJob(id: $id) { status succeeded } }",
                json!({ "id": id }),
            )
            .await?;
            let status = data["syncJob"]["status"].as_str().unwrap_or("");
            if !["QUEUED", "RUNNING"].contains(&status) {
                succeeded += data["syncJob"]["succeeded"].as_u64().unwrap_or(0);
                if status != "SUCCEEDED" {
                    eprintln!("  company {c}: sync {status}");
                }
                break;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }
    let elapsed = started.elapsed();
    println!(
        "  {replicas} replica(s): {succeeded} employees of {companies_n} companies in {:.1} s = {:.1}/s",
        elapsed.as_secs_f64(),
        succeeded as f64 / elapsed.as_secs_f64()
    );
    cluster.finish().await?;
    Ok(succeeded as f64 / elapsed.as_secs_f64())
}

pub async fn run(replicas: usize, companies_n: usize, employees: usize) -> anyhow::Result<()> {
    println!(
        "scale: {companies_n} companies × {employees} employees, each company on its own Hanet account, 200 ms per Hanet call (client, simulator and replicas share the 2 cores)"
    );
    let one = measure(1, companies_n, employees).await?;
    let many = measure(replicas, companies_n, employees).await?;
    println!("  {replicas} replicas / 1 replica: {:.2}×", many / one);
    Ok(())
}
