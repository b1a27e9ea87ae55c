//! Fan-out across processes: N `checkinRecorded` subscribers spread over the replicas, check-in
//! webhooks posted to one replica; the time from the webhook's 2xx (the row is committed) to
//! each subscriber's frame, as percentiles over every subscriber and event.
//!
//!     cargo run --release -p bench -- fanout --replicas 3 --subscribers 2000

use std::{
    sync::{Arc, Mutex},
    time::{Duration, Instant},
};

use futures_util::{SinkExt, StreamExt};
use hanet_sim::{SimConfig, Simulator};
use md5::{Digest, Md5};
use serde_json::{Value, json};
use tokio_tungstenite::tungstenite::{Message, client::IntoClientRequest};

use crate::replicas::{Replicas, gql};

pub async fn run(replicas: usize, subscribers: usize, events: usize) -> anyhow::Result<()> {
    let sim = Simulator::start(SimConfig::default()).await?;
    let cluster = Replicas::start(
        replicas,
        &sim,
        &[("TIMEKEEPING_CATCHUP_INTERVAL_SECS", "0")],
    )
    .await?;
    let token = cluster.seed_company().await?;
    cluster.link(&token).await?;
    gql(
        &cluster.addresses[0],
        &token,
        "mutation { createEmployee(input: { employeeCode: \"F1\", fullName: \"Fan\" }) { id } }",
        json!({}),
    )
    .await?;
    let keycode: String = {
        use sea_orm::EntityTrait;
        entity::hanet_connection::Entity::find()
            .one(&cluster.db)
            .await?
            .map(|c| c.partner_token)
            .unwrap_or_default()
    };

    // capturedAt (ms) of each event → when its webhook was answered.
    let posted: Arc<Mutex<std::collections::HashMap<i64, Instant>>> = Arc::default();
    let latencies: Arc<Mutex<Vec<Duration>>> = Arc::default();
    let mut sockets = Vec::new();
    for i in 0..subscribers {
        let address = &cluster.addresses[i % replicas];
        let mut request =
            format!("{}/graphql", address.replacen("http", "ws", 1)).into_client_request()?;
        request
            .headers_mut()
            .insert("sec-websocket-protocol", "graphql-transport-ws".parse()?);
        let (mut socket, _) = tokio_tungstenite::connect_async(request).await?;
        let init = json!({ "type": "connection_init", "payload": { "authorization": format!("Bearer {token}") } });
        socket.send(Message::text(init.to_string())).await?;
        let _ack = socket.next().await;
        let subscribe = json!({ "id": "1", "type": "subscribe", "payload": { "query": "subscription { checkinRecorded { capturedAt } }" } });
        socket.send(Message::text(subscribe.to_string())).await?;
        sockets.push(socket);
    }
    let expected = subscribers * events;
    let readers: Vec<_> = sockets
        .into_iter()
        .map(|mut socket| {
            let (posted, latencies) = (posted.clone(), latencies.clone());
            tokio::spawn(async move {
                let mut seen = 0;
                while seen < events {
                    let Ok(Some(Ok(frame))) =
                        tokio::time::timeout(Duration::from_secs(20), socket.next()).await
                    else {
                        break;
                    };
                    let now = Instant::now();
                    let Ok(frame) = serde_json::from_str::<Value>(frame.to_text().unwrap_or("{}"))
                    else {
                        continue;
                    };
                    let Some(at) =
                        frame["payload"]["data"]["checkinRecorded"]["capturedAt"].as_str()
                    else {
                        continue;
                    };
                    let Ok(at) = chrono::DateTime::parse_from_rfc3339(at) else {
                        continue;
                    };
                    seen += 1;
                    if let Some(sent) = posted
                        .lock()
                        .ok()
                        .and_then(|p| p.get(&at.timestamp_millis()).copied())
                    {
                        latencies
                            .lock()
                            .map(|mut l| l.push(now.saturating_duration_since(sent)))
                            .ok();
                    }
                }
            })
        })
        .collect();
    tokio::time::sleep(Duration::from_secs(2)).await;
    let client = reqwest::Client::new();
    let base = chrono::Utc::now().timestamp_millis() - 60_000;
    for n in 0..events as i64 {
        let id = format!("fan-{n}");
        let at = base + n * 1000;
        let hash = hex::encode(Md5::digest(
            format!("{}{id}", sim.client_secret()).as_bytes(),
        ));
        let body = json!({ "id": id, "hash": hash, "keycode": keycode, "data_type": "log", "action_type": "update",
            "time": at, "personID": "p", "aliasID": "F1", "personType": "0", "placeID": "1001", "deviceID": "C20371B106" });
        let response = client
            .post(format!("{}/webhooks/hanet", cluster.addresses[0]))
            .json(&body)
            .send()
            .await?;
        let answered = Instant::now();
        anyhow::ensure!(response.status().is_success(), "webhook refused");
        posted.lock().map(|mut p| p.insert(at, answered)).ok();
        tokio::time::sleep(Duration::from_millis(250)).await;
    }
    for reader in readers {
        let _ = reader.await;
    }
    let mut latencies = latencies.lock().map(|l| l.clone()).unwrap_or_default();
    latencies.sort();
    let pct = |p: f64| {
        latencies
            .get(((latencies.len() as f64 * p) as usize).min(latencies.len().saturating_sub(1)))
            .copied()
            .unwrap_or_default()
    };
    println!(
        "fanout: {subscribers} subscribers on {replicas} replicas, {events} events posted to one (client and replicas share the 2 cores)"
    );
    println!("  frames received: {} of {expected}", latencies.len());
    println!(
        "  commit-to-client latency: p50 {:?}, p99 {:?}, max {:?}",
        pct(0.50),
        pct(0.99),
        latencies.last().copied().unwrap_or_default()
    );
    cluster.finish().await?;
    Ok(())
}
