//! Person registration, its business errors, updates, reads and removal.

use hanet_sim::SimConfig;
use serde_json::Value;

use crate::support::*;

#[tokio::test]
async fn register_creates_a_person_with_hanet_shaped_data() {
    let s = session(SimConfig::default()).await;
    let body = s.register("Nguyen Van A", "E001", jpeg(160, 200, 1)).await;
    assert_eq!(body["returnCode"], 1, "{body}");
    let data = &body["data"];
    let person_id = data["personID"].as_str().unwrap();
    assert_eq!(person_id.len(), 19);
    assert!(person_id.chars().all(|c| c.is_ascii_digit()));
    assert_eq!(data["aliasID"], "E001");
    assert_eq!(data["name"], "Nguyen Van A");
    assert_eq!(data["title"], "Engineer");
    assert_eq!(data["placeID"], 1001);
    let file = data["file"].as_str().unwrap();
    assert!(
        file.starts_with("https://static.hanet.sim/face/employee/1001/") && file.ends_with(".jpg"),
        "{file}"
    );

    let persons = s.sim.persons_in_place(1001);
    assert_eq!(persons.len(), 1);
    assert_eq!(persons[0].person_id, person_id);
    assert_eq!(persons[0].face_sha256.len(), 64);
    assert_eq!(s.sim.register_calls("E001"), 1);

    let list = s.ok("/person/getListByPlace", &[("placeID", "1001")]).await;
    assert_eq!(list[0]["personID"], person_id);
    assert_eq!(
        s.ok("/person/getTotalPersonByPlaceID", &[("placeID", "1001")])
            .await,
        1
    );
    let by_alias = s
        .ok("/person/getUserInfoByAliasID", &[("aliasID", "E001")])
        .await;
    assert_eq!(by_alias[0]["personID"], person_id);
    assert_eq!(by_alias[0]["placeID"], 1001);
    let info = s
        .ok("/person/getUserInfoByPersonID", &[("personID", person_id)])
        .await;
    assert_eq!(info["id"], person_id);
    let filtered = s
        .ok(
            "/person/getListByAliasID",
            &[("aliasID", "E001"), ("placeIDs", "1002")],
        )
        .await;
    assert_eq!(filtered, Value::Array(vec![]));
}

#[tokio::test]
async fn register_rejects_duplicates_bad_images_and_unknown_places() {
    let s = session(SimConfig::default()).await;
    let face = png(120, 120, 7);
    assert_eq!(s.register("A", "E001", face.clone()).await["returnCode"], 1);

    // -9005: the alias is taken in this place (with another face).
    assert_eq!(
        s.register("B", "E001", png(120, 120, 8)).await["returnCode"],
        -9005
    );
    // -9006: not an image, and an image under 100x100.
    assert_eq!(
        s.register("C", "E002", b"definitely not a photo".to_vec())
            .await["returnCode"],
        -9006
    );
    assert_eq!(
        s.register("C", "E002", png(50, 50, 9)).await["returnCode"],
        -9006
    );
    // -9007: the same face under another alias answers the existing person.
    let dup = s.register("D", "E003", face.clone()).await;
    assert_eq!(dup["returnCode"], -9007);
    assert_eq!(dup["data"]["aliasID"], "E001");
    assert_eq!(dup["data"]["name"], "A");
    assert_eq!(dup["data"]["placeID"], 1001);
    assert_eq!(
        dup["data"]["personID"],
        s.sim.persons_in_place(1001)[0].person_id.as_str()
    );
    // The same face in another place is fine.
    assert_eq!(
        s.register_in("1002", "A", "E001", face).await["returnCode"],
        1
    );
    // -1005: unknown place.
    assert_eq!(
        s.register_in("4242", "X", "E009", png(120, 120, 10)).await["returnCode"],
        -1005
    );
    // -1: missing name, or missing file.
    let (_, body) = s
        .upload(
            "/person/register",
            &[("placeID", "1001"), ("aliasID", "E010")],
            Some(("file", png(120, 120, 11))),
        )
        .await;
    assert_eq!(body["returnCode"], -1);
    let (_, body) = s
        .upload(
            "/person/register",
            &[("name", "N"), ("placeID", "1001")],
            None,
        )
        .await;
    assert_eq!(body["returnCode"], -1);

    assert_eq!(s.sim.persons_in_place(1001).len(), 1);
    assert_eq!(s.sim.register_calls("E001"), 3);
    assert_eq!(s.sim.register_calls("E002"), 2);
}

#[tokio::test]
async fn register_needs_an_online_device_and_free_quota() {
    let s = session(SimConfig {
        face_quota_per_place: 2,
        ..SimConfig::default()
    })
    .await;
    s.sim.set_device_online("C20371B106", false);
    // One device of the place is still online.
    assert_eq!(
        s.register("A", "E1", png(100, 100, 1)).await["returnCode"],
        1
    );
    s.sim.set_device_online("C20371B107", false);
    assert_eq!(
        s.register("B", "E2", png(100, 100, 2)).await["returnCode"],
        -101
    );
    s.sim.set_device_online("C20371B107", true);
    assert_eq!(
        s.register("B", "E2", png(100, 100, 2)).await["returnCode"],
        1
    );
    assert_eq!(
        s.register("C", "E3", png(100, 100, 3)).await["returnCode"],
        -9008
    );
    // Persons added in Hanet's own app count against the quota too.
    s.sim
        .add_person_directly(1002, "App user", None, b"app face");
    s.sim
        .add_person_directly(1002, "App user 2", Some("E7"), b"app face 2");
    assert_eq!(
        s.register_in("1002", "C", "E3", png(100, 100, 3)).await["returnCode"],
        -9008
    );
}

#[tokio::test]
async fn faces_and_info_can_be_updated_by_alias_or_person_id() {
    let s = session(SimConfig::default()).await;
    let body = s.register("A", "E1", png(120, 120, 1)).await;
    let pid = body["data"]["personID"].as_str().unwrap().to_owned();
    s.register("B", "E2", png(120, 120, 2)).await;

    let (_, r) = s
        .upload(
            "/person/updateByFaceImage",
            &[("aliasID", "E1"), ("placeID", "1001")],
            Some(("file[]", png(130, 130, 3))),
        )
        .await;
    assert_eq!(r["returnCode"], 1, "{r}");
    assert!(
        r["data"]["path"]
            .as_str()
            .unwrap()
            .starts_with("https://static.hanet.sim/")
    );
    let (_, r) = s
        .upload(
            "/person/updateByFaceImageByAliasID",
            &[("aliasID", "E1"), ("placeID", "1001")],
            Some(("file", jpeg(130, 130, 4))),
        )
        .await;
    assert_eq!(r["returnCode"], 1, "{r}");
    let (_, r) = s
        .upload(
            "/person/updateByFaceImageByPersonID",
            &[("personID", &pid), ("placeID", "1001")],
            Some(("file", png(130, 130, 5))),
        )
        .await;
    assert_eq!(r["returnCode"], 1, "{r}");
    // E2's face belongs to someone else; a tiny image has no face; unknown alias.
    let (_, r) = s
        .upload(
            "/person/updateByFaceImageByAliasID",
            &[("aliasID", "E1"), ("placeID", "1001")],
            Some(("file", png(120, 120, 2))),
        )
        .await;
    assert_eq!(r["returnCode"], -9007);
    let (_, r) = s
        .upload(
            "/person/updateByFaceImage",
            &[("aliasID", "E1"), ("placeID", "1001")],
            Some(("file", png(20, 20, 6))),
        )
        .await;
    assert_eq!(r["returnCode"], -9006);
    let (_, r) = s
        .upload(
            "/person/updateByFaceImageByAliasID",
            &[("aliasID", "NOPE"), ("placeID", "1001")],
            Some(("file", png(120, 120, 9))),
        )
        .await;
    assert_eq!(r["returnCode"], -5011);

    assert_eq!(
        s.ok(
            "/person/updateInfo",
            &[
                ("aliasID", "E1"),
                ("placeID", "1001"),
                ("name", "A2"),
                ("title", "Lead")
            ]
        )
        .await,
        Value::Null
    );
    s.ok(
        "/person/update",
        &[
            ("aliasID", "E1"),
            ("placeID", "1001"),
            ("updates", r#"{"name":"A3"}"#),
        ],
    )
    .await;
    assert_eq!(
        s.code(
            "/person/update",
            &[
                ("aliasID", "E1"),
                ("placeID", "1001"),
                ("updates", "not json")
            ]
        )
        .await,
        -1
    );
    assert_eq!(
        s.code(
            "/person/updateInfo",
            &[("aliasID", "NOPE"), ("placeID", "1001"), ("name", "x")]
        )
        .await,
        -5011
    );

    let me = &s.sim.persons_in_place(1001)[0];
    assert_eq!(
        (me.name.as_str(), me.title.as_str(), me.face_updates),
        ("A3", "Lead", 3)
    );
    assert_eq!(s.sim.update_calls("E1"), 8);

    // updateAliasID accepts the `persionID` typo; a taken alias is -9005.
    let app_pid = s.sim.add_person_directly(1001, "From app", None, b"x");
    assert_eq!(
        s.code(
            "/person/updateAliasID",
            &[("persionID", &app_pid), ("aliasID", "E2")]
        )
        .await,
        -9005
    );
    s.ok(
        "/person/updateAliasID",
        &[("persionID", &app_pid), ("aliasID", "E50")],
    )
    .await;
    assert_eq!(
        s.ok("/person/getUserInfoByAliasID", &[("aliasID", "E50")])
            .await[0]["personID"],
        app_pid.as_str()
    );
    assert_eq!(
        s.code(
            "/person/getUserInfoByPersonID",
            &[("personID", "1234567890123456789")]
        )
        .await,
        -5011
    );
}

#[tokio::test]
async fn persons_are_listed_by_page_and_removed() {
    let s = session(SimConfig::default()).await;
    for i in 0..55u8 {
        s.sim
            .add_person_directly(1001, &format!("P{i}"), Some(&format!("A{i}")), &[i]);
    }
    s.register_in("1002", "Z", "A0", png(100, 100, 1)).await;
    assert_eq!(
        s.ok("/person/getListByPlace", &[("placeID", "1001")])
            .await
            .as_array()
            .unwrap()
            .len(),
        50
    );
    let page2 = s
        .ok(
            "/person/getListByPlace",
            &[("placeID", "1001"), ("page", "2")],
        )
        .await;
    assert_eq!(page2.as_array().unwrap().len(), 5);
    assert_eq!(page2[0]["name"], "P50");
    assert_eq!(
        s.ok("/person/getTotalPersonByPlaceID", &[("placeID", "1001")])
            .await,
        55
    );

    let removed = s.ok("/person/remove", &[("aliasID", "A0")]).await;
    assert_eq!(removed.as_array().unwrap().len(), 2);
    assert!(
        removed
            .as_array()
            .unwrap()
            .iter()
            .all(|r| r["remove"] == true)
    );
    assert_eq!(
        s.ok(
            "/person/removeByPlace",
            &[("aliasID", "A1"), ("placeID", "1001")]
        )
        .await,
        Value::Null
    );
    assert_eq!(
        s.code(
            "/person/removeByPlace",
            &[("aliasID", "A1"), ("placeID", "1001")]
        )
        .await,
        -5011
    );
    let pid = s.sim.persons_in_place(1001)[0].person_id.clone();
    s.ok("/person/removePersonByID", &[("personID", &pid)])
        .await;
    assert_eq!(
        s.code("/person/removePersonByID", &[("personID", &pid)])
            .await,
        -5011
    );
    assert_eq!(s.sim.persons_in_place(1001).len(), 52);
    assert!(s.sim.persons_in_place(1002).is_empty());
}
