//! Webhook delivery: payload field types, the md5 hash, keycode, the empty-body probe, and
//! narrowing by `/partner/removePlacePartner`.

use std::sync::{Arc, Mutex};

use actix_web::{App, HttpResponse, HttpServer, web};
use hanet_sim::{CheckinSeed, SimConfig};
use serde_json::Value;

use crate::support::*;

type Received = Arc<Mutex<Vec<Vec<u8>>>>;

/// A tiny receiver on port 0 that records every body and answers `status`.
async fn receiver(status: u16) -> (String, Received, actix_web::dev::ServerHandle) {
    let received: Received = Arc::default();
    let store = received.clone();
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let server = HttpServer::new(move || {
        let store = store.clone();
        App::new().route(
            "/hook",
            web::post().to(move |body: web::Bytes| {
                let store = store.clone();
                async move {
                    store.lock().unwrap().push(body.to_vec());
                    HttpResponse::build(actix_web::http::StatusCode::from_u16(status).unwrap())
                        .body("ok")
                }
            }),
        )
    })
    .workers(1)
    .disable_signals()
    .listen(listener)
    .unwrap()
    .run();
    let handle = server.handle();
    tokio::spawn(server);
    (format!("http://127.0.0.1:{port}/hook"), received, handle)
}

#[tokio::test]
async fn webhook_payload_has_hanet_types_and_md5_hash() {
    let (url, received, handle) = receiver(200).await;
    let config = SimConfig {
        client_secret: "example-client-secret-0000".to_owned(),
        webhook_url: Some(url),
        ..SimConfig::default()
    };
    let s = session(config).await;
    let body = s.register("Le Van C", "E5", png(120, 120, 1)).await;
    let pid = body["data"]["personID"].as_str().unwrap().to_owned();
    s.ok("/partner/updateToken", &[("partner_token", "tenant-7")])
        .await;

    let time_ms = chrono::DateTime::parse_from_rfc3339("2022-06-26T23:19:32Z")
        .unwrap()
        .timestamp_millis();
    let status = s
        .sim
        .emit_checkin(CheckinSeed {
            place_id: 1001,
            device_id: "C20371B106".to_owned(),
            alias_id: Some("E5".to_owned()),
            person_id: None,
            person_name: "Le Van C".to_owned(),
            person_type: 0,
            time_ms,
            event_id: Some("11111111-2222-3333-4444-555555555555".to_owned()),
        })
        .await
        .unwrap();
    assert_eq!(status, 200);

    let bodies = received.lock().unwrap().clone();
    let p: Value = serde_json::from_slice(&bodies[0]).unwrap();
    assert_eq!(p["id"], "11111111-2222-3333-4444-555555555555");
    assert_eq!(p["hash"], "0779ff0f54cdf0a88183d704bac93a77");
    assert_eq!(p["data_type"], "log");
    assert_eq!(p["action_type"], "update");
    assert_eq!(p["keycode"], "tenant-7");
    assert_eq!(p["date"], "2022-06-27 06:19:32");
    assert_eq!(p["time"].as_i64(), Some(time_ms));
    assert_eq!(p["personID"], pid.as_str());
    assert_eq!(p["aliasID"], "E5");
    assert_eq!(p["personName"], "Le Van C");
    assert_eq!(p["personTitle"], "Engineer");
    assert_eq!(p["personType"], "0", "personType is a string");
    assert_eq!(p["placeID"], "1001", "placeID is a string");
    assert_eq!(p["placeName"], "Head office");
    assert_eq!(p["deviceID"], "C20371B106");
    assert_eq!(p["deviceName"], "Main gate");
    assert!(
        p["detected_image_url"]
            .as_str()
            .unwrap()
            .starts_with("https://")
    );
    assert_eq!(p["mask"], -1);

    // Stored for the query endpoints too.
    let rows = s
        .ok(
            "/person/getCheckinByPlaceIdInDay",
            &[("placeID", "1001"), ("date", "2022-06-27")],
        )
        .await;
    assert_eq!(rows.as_array().unwrap().len(), 1);

    // The empty-body probe.
    assert_eq!(s.sim.probe_webhook().await.unwrap(), 200);
    assert!(received.lock().unwrap()[1].is_empty());
    handle.stop(false).await;
}

#[tokio::test]
async fn webhook_reports_receiver_status_and_respects_place_narrowing() {
    let (url, received, handle) = receiver(500).await;
    let s = session(SimConfig::default()).await;
    let stranger = CheckinSeed {
        place_id: 1002,
        device_id: "C21283M316".to_owned(),
        alias_id: None,
        person_id: None,
        person_name: String::new(),
        person_type: 2,
        time_ms: chrono::Utc::now().timestamp_millis(),
        event_id: None,
    };
    assert!(
        s.sim.emit_checkin(stranger.clone()).await.is_err(),
        "no URL configured"
    );
    s.sim.set_webhook_url(Some(url));
    assert_eq!(s.sim.emit_checkin(stranger.clone()).await.unwrap(), 500);
    let p: Value = serde_json::from_slice(&received.lock().unwrap()[0]).unwrap();
    assert_eq!(p["personType"], "2");
    assert_eq!(p["keycode"], "");
    assert_eq!(p["hash"].as_str().unwrap().len(), 32);
    assert_ne!(p["id"], "");

    s.ok("/partner/removePlacePartner", &[("placeID", "1002")])
        .await;
    assert!(
        s.sim.emit_checkin(stranger).await.is_err(),
        "place 1002 is no longer pushed"
    );
    assert_eq!(received.lock().unwrap().len(), 1);

    // Over HTTP: POST /_sim/checkins emits for a pushed place.
    let r: Value = s
        .http
        .post(format!("{}/_sim/checkins", s.sim.base_url()))
        .json(&serde_json::json!({"place_id": 1001, "device_id": "C20371B107", "person_type": 1, "person_name": "Guest"}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(r["webhook_status"], 500);
    assert_eq!(received.lock().unwrap().len(), 2);
    handle.stop(false).await;
}
