//! Fault injection: HTTP 5xx (not applied), lost responses (applied), rate limit, latency,
//! `fail_next`.

use std::time::{Duration, Instant};

use hanet_sim::SimConfig;

use crate::support::*;

#[tokio::test]
async fn http_5xx_fault_answers_html_and_does_not_apply() {
    let s = session(SimConfig::default()).await;
    s.sim.faults().set_http_5xx_rate(1.0);
    let (status, body) = s
        .upload(
            "/person/register",
            &[("name", "A"), ("placeID", "1001"), ("aliasID", "E1")],
            Some(("file", png(120, 120, 1))),
        )
        .await;
    assert_eq!(status, 503);
    assert!(body.as_str().unwrap().contains("<html>"), "{body}");
    assert!(s.sim.persons_in_place(1001).is_empty());
    assert_eq!(s.sim.register_calls("E1"), 1);

    s.sim.faults().set_http_5xx_rate(0.0);
    assert_eq!(
        s.register("A", "E1", png(120, 120, 1)).await["returnCode"],
        1
    );
    assert_eq!(s.sim.register_calls("E1"), 2);
}

#[tokio::test]
async fn lost_response_applies_the_change_but_answers_504() {
    let s = session(SimConfig::default()).await;
    s.sim.faults().set_lost_response_rate(1.0);
    let face = png(120, 120, 1);
    let (status, _) = s
        .upload(
            "/person/register",
            &[("name", "A"), ("placeID", "1001"), ("aliasID", "E1")],
            Some(("file", face.clone())),
        )
        .await;
    assert_eq!(status, 504);
    assert_eq!(
        s.sim.persons_in_place(1001).len(),
        1,
        "the register was applied"
    );

    // The client's retry then meets its own earlier success.
    s.sim.faults().set_lost_response_rate(0.0);
    assert_eq!(
        s.register("A", "E1", face.clone()).await["returnCode"],
        -9005
    );
    assert_eq!(s.register("A", "E9", face).await["returnCode"], -9007);
    assert_eq!(s.sim.register_calls("E1"), 2);
}

#[tokio::test]
async fn rate_limit_answers_429_and_headers_are_always_present() {
    let s = session(SimConfig::default()).await;
    let resp = s
        .http
        .post(format!("{}/place/getPlaces", s.sim.base_url()))
        .form(&[("token", s.token.as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(resp.headers()["x-rate-limit-limit"], "30");
    assert!(resp.headers().contains_key("x-rate-limit-remaining"));
    assert!(resp.headers().contains_key("x-rate-limit-reset"));

    s.sim.faults().set_rate_limit(Some(3));
    let mut statuses = Vec::new();
    let mut last_body = serde_json::Value::Null;
    for _ in 0..4 {
        let (status, body) = s.call("/place/getPlaces", &[]).await;
        statuses.push(status);
        last_body = body;
    }
    assert_eq!(statuses, vec![200, 200, 200, 429]);
    assert_eq!(last_body["returnCode"], -429);

    // Another token has its own budget; the window resets after a second.
    let (status, _) = raw(&s, "/place/getPlaces", &[("token", "other")]).await;
    assert_eq!(status, 200);
    tokio::time::sleep(Duration::from_millis(1100)).await;
    assert_eq!(s.call("/place/getPlaces", &[]).await.0, 200);
}

#[tokio::test]
async fn latency_and_fail_next_are_injected_on_partner_calls() {
    let s = session(SimConfig::default()).await;
    s.sim.faults().set_latency(Duration::from_millis(300));
    let started = Instant::now();
    assert_eq!(s.code("/place/getPlaces", &[]).await, 1);
    assert!(started.elapsed() >= Duration::from_millis(300));
    // OAuth is not slowed down.
    let started = Instant::now();
    refresh(&s.sim, &s.http, &s.refresh_token).await;
    assert!(started.elapsed() < Duration::from_millis(300));
    s.sim.faults().set_latency(Duration::ZERO);

    s.sim.faults().fail_next("/person/register", -9006, 2);
    for _ in 0..2 {
        assert_eq!(
            s.register("A", "E1", png(120, 120, 1)).await["returnCode"],
            -9006
        );
    }
    assert!(
        s.sim.persons_in_place(1001).is_empty(),
        "fail_next does not apply"
    );
    assert_eq!(
        s.register("A", "E1", png(120, 120, 1)).await["returnCode"],
        1
    );

    s.sim.faults().fail_next("/person/register", -9008, 1);
    s.sim.faults().reset();
    assert_eq!(
        s.register("B", "E2", png(120, 120, 2)).await["returnCode"],
        1
    );
}
