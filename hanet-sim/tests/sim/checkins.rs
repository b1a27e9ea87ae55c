//! Check-in queries: row shape, UTC+7 month and day rules, paging and the 500 cap, filters.

use chrono::{FixedOffset, TimeZone};
use hanet_sim::{CheckinSeed, SimConfig};

use crate::support::*;

/// Epoch ms of a UTC+7 wall-clock time.
fn vn(y: i32, m: u32, d: u32, h: u32, min: u32) -> i64 {
    FixedOffset::east_opt(7 * 3600)
        .unwrap()
        .with_ymd_and_hms(y, m, d, h, min, 0)
        .unwrap()
        .timestamp_millis()
}

fn seed(device: &str, alias: Option<&str>, person_type: i32, time_ms: i64) -> CheckinSeed {
    CheckinSeed {
        place_id: 1001,
        device_id: device.to_owned(),
        alias_id: alias.map(str::to_owned),
        person_id: None,
        person_name: if person_type == 2 {
            String::new()
        } else {
            "Someone".to_owned()
        },
        person_type,
        time_ms,
        event_id: None,
    }
}

#[tokio::test]
async fn checkin_rows_have_hanet_types_and_utc7_dates() {
    let s = session(SimConfig::default()).await;
    let body = s.register("Tran Thi B", "E7", png(120, 120, 1)).await;
    let pid = body["data"]["personID"].as_str().unwrap().to_owned();
    // 23:19 UTC on June 26 is June 27 in UTC+7.
    let t = chrono::DateTime::parse_from_rfc3339("2022-06-26T23:19:32Z")
        .unwrap()
        .timestamp_millis();
    s.sim.add_checkin(CheckinSeed {
        person_name: String::new(),
        ..seed("C20371B106", Some("E7"), 0, t)
    });
    s.sim.add_checkin(seed("C20371B107", None, 2, t - 1000));

    let from = vn(2022, 6, 1, 0, 0).to_string();
    let to = vn(2022, 6, 30, 23, 59).to_string();
    let rows = s
        .ok(
            "/person/getCheckinByPlaceIdInTimestamp",
            &[("placeID", "1001"), ("from", &from), ("to", &to)],
        )
        .await;
    assert_eq!(rows.as_array().unwrap().len(), 2);
    let row = &rows[1];
    assert_eq!(
        row["placeID"], "1001",
        "placeID is a string in check-in rows"
    );
    assert_eq!(row["checkinTime"].as_i64(), Some(t));
    assert_eq!(row["date"], "2022-06-27");
    assert_eq!(row["personID"], pid.as_str());
    assert_eq!(row["personName"], "Tran Thi B");
    assert_eq!(row["aliasID"], "E7");
    assert_eq!(row["title"], "Engineer");
    assert_eq!(row["type"], 0);
    assert_eq!(row["place"], "Head office");
    assert_eq!(row["deviceID"], "C20371B106");
    assert_eq!(row["deviceName"], "Main gate");
    assert!(row["avatar"].as_str().unwrap().starts_with("https://"));
    // Ordered by time: the stranger came first.
    assert_eq!(rows[0]["type"], 2);
    assert_eq!(rows[0]["personID"], "");

    let day = s
        .ok(
            "/person/getCheckinByPlaceIdInDay",
            &[("placeID", "1001"), ("date", "2022-06-27")],
        )
        .await;
    assert_eq!(day.as_array().unwrap().len(), 2);
    let total = s
        .ok(
            "/person/getTotalCheckinByPlaceIdInDay",
            &[("placeID", "1001"), ("date", "2022-06-26")],
        )
        .await;
    assert_eq!(total, 0);
}

#[tokio::test]
async fn checkin_range_must_be_ordered_and_within_one_utc7_month() {
    let s = &session(SimConfig::default()).await;
    let q = |from: i64, to: i64| {
        let (f, t) = (from.to_string(), to.to_string());
        async move {
            s.code(
                "/person/getCheckinByPlaceIdInTimestamp",
                &[("placeID", "1001"), ("from", &f), ("to", &t)],
            )
            .await
        }
    };
    assert_eq!(q(vn(2024, 5, 1, 0, 0), vn(2024, 5, 31, 23, 59)).await, 1);
    // 2024-05-31T17:30Z is already June in UTC+7, so this range is one month there.
    let june_start_utc = chrono::DateTime::parse_from_rfc3339("2024-05-31T17:30:00Z")
        .unwrap()
        .timestamp_millis();
    assert_eq!(q(june_start_utc, vn(2024, 6, 10, 0, 0)).await, 1);
    assert_eq!(q(vn(2024, 5, 31, 23, 0), vn(2024, 6, 1, 0, 0)).await, -1);
    assert_eq!(q(vn(2024, 5, 2, 0, 0), vn(2024, 5, 1, 0, 0)).await, -1);
    assert_eq!(q(vn(2024, 5, 2, 0, 0), vn(2024, 5, 2, 0, 0)).await, -1);
    assert_eq!(
        s.code(
            "/person/getCheckinByPlaceIdInTimestamp",
            &[("placeID", "1001"), ("from", "1")]
        )
        .await,
        -1
    );
    assert_eq!(
        s.code(
            "/person/getCheckinByPlaceIdInTimestamp",
            &[("placeID", "999"), ("from", "1"), ("to", "2")]
        )
        .await,
        -1005
    );
    assert_eq!(
        s.code(
            "/person/getCheckinByPlaceIdInDay",
            &[("placeID", "1001"), ("date", "27/06/2022")]
        )
        .await,
        -1
    );
}

#[tokio::test]
async fn checkin_pages_are_capped_at_500_and_filters_apply() {
    let s = &session(SimConfig::default()).await;
    let base = vn(2024, 3, 5, 8, 0);
    for i in 0..620i64 {
        let (device, alias, kind) = match i % 4 {
            0 => ("C20371B106", Some("E1"), 0),
            1 => ("C20371B107", Some("E2"), 0),
            2 => ("C20371B106", None, 2),
            _ => ("C20371B107", None, 1),
        };
        // Inserted newest-first to prove the answer is sorted by time.
        s.sim
            .add_checkin(seed(device, alias, kind, base + (620 - i) * 1000));
    }
    let (from, to) = (
        vn(2024, 3, 1, 0, 0).to_string(),
        vn(2024, 3, 31, 0, 0).to_string(),
    );
    let range = [
        ("placeID", "1001"),
        ("from", from.as_str()),
        ("to", to.as_str()),
    ];
    let query = |extra: &[(&'static str, &'static str)]| {
        let mut fields = range.to_vec();
        fields.extend_from_slice(extra);
        fields
    };

    let big = s
        .ok(
            "/person/getCheckinByPlaceIdInTimestamp",
            &query(&[("size", "1000")]),
        )
        .await;
    let big = big.as_array().unwrap();
    assert_eq!(big.len(), 500);
    let times: Vec<i64> = big
        .iter()
        .map(|r| r["checkinTime"].as_i64().unwrap())
        .collect();
    assert!(times.windows(2).all(|w| w[0] <= w[1]));
    let page2 = s
        .ok(
            "/person/getCheckinByPlaceIdInTimestamp",
            &query(&[("page", "2")]),
        )
        .await;
    assert_eq!(page2.as_array().unwrap().len(), 120);
    let small = s
        .ok(
            "/person/getCheckinByPlaceIdInTimestamp",
            &query(&[("size", "7"), ("page", "3")]),
        )
        .await;
    assert_eq!(small[0]["checkinTime"], big[14]["checkinTime"]);
    assert_eq!(
        s.ok("/person/getTotalCheckinByPlaceIdInTimestamp", &query(&[]))
            .await,
        620
    );

    let total = |extra: &'static [(&'static str, &'static str)]| {
        let fields = query(extra);
        async move {
            s.ok("/person/getTotalCheckinByPlaceIdInTimestamp", &fields)
                .await
        }
    };
    assert_eq!(total(&[("devices", "C20371B106")]).await, 310);
    assert_eq!(total(&[("exDevices", "C20371B106")]).await, 310);
    assert_eq!(total(&[("type", "0,1")]).await, 465);
    assert_eq!(total(&[("exType", "2")]).await, 465);
    assert_eq!(total(&[("aliasID", "E1")]).await, 155);
    assert_eq!(total(&[("aliasIDs", "E1,E2")]).await, 310);
    assert_eq!(total(&[("personID", "nobody")]).await, 0);
    let rows = s
        .ok(
            "/person/getCheckinByPlaceIdInTimestamp",
            &query(&[("aliasID", "E2"), ("size", "2")]),
        )
        .await;
    assert_eq!(rows.as_array().unwrap().len(), 2);
    assert!(
        rows.as_array()
            .unwrap()
            .iter()
            .all(|r| r["aliasID"] == "E2")
    );
}
