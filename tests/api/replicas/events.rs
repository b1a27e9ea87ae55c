//! Events across processes: a webhook posted to one process reaches a `checkinRecorded`
//! subscriber on another within a second; webhooks spread over the processes, each delivered
//! twice, are stored once.

use std::time::{Duration, Instant};

use futures_util::StreamExt;
use md5::{Digest, Md5};
use serde_json::{Value, json};

use super::{Cluster, jobs::subscribe};

/// A check-in event; `offset_ms` sets it apart in time (one person at one camera in one
/// millisecond is one check-in, whatever the event id).
fn event(cluster: &Cluster, id: &str, keycode: &str, alias: &str, offset_ms: i64) -> Value {
    let hash = hex::encode(Md5::digest(
        format!("{}{id}", cluster.sim.client_secret()).as_bytes(),
    ));
    json!({
        "id": id, "hash": hash, "keycode": keycode, "data_type": "log", "action_type": "update",
        "time": chrono::Utc::now().timestamp_millis() - offset_ms, "personID": format!("p-{alias}"),
        "aliasID": alias, "personName": alias, "personType": "0", "placeID": "1001",
        "deviceID": "C20371B106", "deviceName": "Door",
    })
}

async fn keycode(cluster: &Cluster) -> String {
    use sea_orm::EntityTrait;
    entity::hanet_connection::Entity::find()
        .all(&cluster.db)
        .await
        .expect("read")
        .into_iter()
        .next()
        .expect("linked")
        .partner_token
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_webhook_on_one_process_reaches_a_subscriber_on_another_within_a_second() {
    let Some(cluster) = Cluster::start(3, &[("TIMEKEEPING_CATCHUP_INTERVAL_SECS", "0")]).await
    else {
        return;
    };
    cluster.link().await;
    cluster.admin(0, "mutation { createEmployee(input: { employeeCode: \"E1\", fullName: \"One\" }) { id } }", json!({})).await;
    let key = keycode(&cluster).await;
    let mut feed = subscribe(
        &cluster.address(1),
        &cluster.token,
        "subscription { checkinRecorded { aliasId } }",
        json!({}),
    )
    .await;
    tokio::time::sleep(Duration::from_millis(300)).await;
    let sent = Instant::now();
    let status = cluster
        .client
        .post(format!("{}/webhooks/hanet", cluster.address(0)))
        .json(&event(&cluster, "live-1", &key, "E1", 0))
        .send()
        .await
        .expect("sent")
        .status();
    assert_eq!(status, 200);
    let frame = tokio::time::timeout(Duration::from_secs(5), feed.next())
        .await
        .expect("an event")
        .expect("frame")
        .expect("ok");
    let latency = sent.elapsed();
    let frame: Value = serde_json::from_str(frame.to_text().unwrap_or("{}")).expect("JSON");
    assert_eq!(
        frame["payload"]["data"]["checkinRecorded"]["aliasId"], "E1",
        "{frame}"
    );
    assert!(
        latency < Duration::from_secs(1),
        "reached the other process in {latency:?}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn webhooks_spread_over_processes_with_redeliveries_are_stored_once() {
    let Some(cluster) = Cluster::start(3, &[("TIMEKEEPING_CATCHUP_INTERVAL_SECS", "0")]).await
    else {
        return;
    };
    cluster.link().await;
    let key = keycode(&cluster).await;
    let posts = (0..200i64).flat_map(|i| {
        let body = event(
            &cluster,
            &format!("evt-{i}"),
            &key,
            &format!("A{}", i % 7),
            i * 1000,
        );
        // Each event twice, on two different processes, at once.
        [
            ((i % 3) as usize, body.clone()),
            (((i + 1) % 3) as usize, body),
        ]
    });
    let results = futures_util::stream::iter(posts)
        .map(|(server, body)| {
            let url = format!("{}/webhooks/hanet", cluster.address(server));
            let client = cluster.client.clone();
            async move {
                client
                    .post(url)
                    .json(&body)
                    .send()
                    .await
                    .map(|r| r.status().as_u16())
            }
        })
        .buffer_unordered(16)
        .collect::<Vec<_>>()
        .await;
    assert!(results.iter().all(|r| matches!(r, Ok(200))), "{results:?}");
    let data = cluster.admin(2, "{ checkins(filter: { from: \"2000-01-01T00:00:00Z\", to: \"2100-01-01T00:00:00Z\" }) { totalCount } }", json!({})).await;
    assert_eq!(data["checkins"]["totalCount"], 200);
}
