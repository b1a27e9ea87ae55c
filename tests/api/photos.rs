//! Face photos over the GraphQL multipart protocol: batch import by file name, single upload,
//! normalisation, storage, and who may fetch the bytes.

use sea_orm::{ActiveModelTrait, EntityTrait, IntoActiveModel, Set};
use serde_json::{Value, json};

use crate::{
    app_test,
    helpers::{Backend, Company, TestApp, error_code, spawn_app},
    images,
};

const IMPORT: &str = "mutation($files: [Upload!]!) { importFacePhotos(files: $files) {
  accepted rejected
  results { fileName accepted unchanged errorCode message employee { employeeCode } facePhoto { id width height sha256 } }
} }";

async fn import(app: &TestApp, token: &str, files: Vec<(&str, Vec<u8>)>) -> Value {
    let paths: Vec<String> = (0..files.len())
        .map(|i| format!("variables.files.{i}"))
        .collect();
    let nulls: Vec<Value> = files.iter().map(|_| Value::Null).collect();
    let uploads = files
        .into_iter()
        .zip(&paths)
        .map(|((name, bytes), path)| (path.as_str(), name, bytes))
        .collect();
    let response = app
        .upload(token, IMPORT, json!({ "files": nulls }), uploads)
        .await;
    let body: Value = response.json().await.expect("JSON");
    assert!(body.get("errors").is_none(), "{body:#}");
    body["data"]["importFacePhotos"].clone()
}

async fn camera_company(app: &TestApp, codes: &[&str]) -> Company {
    let company = app.seed_company("Acme").await;
    app.enable_camera(&company).await;
    for code in codes {
        app.create_employee(
            &company.admin_token,
            json!({ "employeeCode": code, "fullName": format!("Person {code}") }),
        )
        .await;
    }
    company
}

async fn fetch(app: &TestApp, token: &str, photo_id: &str) -> reqwest::Response {
    app.client
        .get(format!("{}/photos/{photo_id}", app.address))
        .bearer_auth(token)
        .send()
        .await
        .expect("GET photo")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn batch_import_reports_every_rejection_in_the_order_sent() {
    let app = spawn_app(Backend::Sqlite, &["--max-photo-bytes", "300000"])
        .await
        .expect("app");
    let company = camera_company(
        &app,
        &[
            "NV001", "NV002", "NV004", "NV005", "NV006", "NV007", "NV008",
        ],
    )
    .await;
    let big = images::noisy_jpeg(600, 600, 7);
    assert!(
        big.len() > 300_000,
        "the oversize fixture is {} bytes",
        big.len()
    );
    let result = import(
        &app,
        &company.admin_token,
        vec![
            ("NV001.jpg", images::jpeg(400, 400, 1)),
            (" nv002.PNG ", images::png(300, 300, 2)),
            ("NV999.jpg", images::jpeg(400, 400, 3)),
            ("photo of me.jpg", images::jpeg(400, 400, 4)),
            ("NV004.gif", images::jpeg(400, 400, 5)),
            ("NV005.jpg", b"this is not an image at all".to_vec()),
            (
                "NV006.jpg",
                [&[0xFF, 0xD8, 0xFF, 0xE0][..], &[0x42; 500][..]].concat(),
            ),
            ("NV007.jpg", images::jpeg(50, 50, 6)),
            ("NV008.jpg", images::jpeg(400, 400, 8)),
            ("nv008.jpeg", images::jpeg(400, 400, 9)),
            ("NV004.jpg", big),
        ],
    )
    .await;
    let summary: Vec<(String, bool, Option<String>)> = result["results"]
        .as_array()
        .expect("results")
        .iter()
        .map(|r| {
            (
                r["fileName"].as_str().unwrap_or("").to_owned(),
                r["accepted"] == true,
                r["errorCode"].as_str().map(str::to_owned),
            )
        })
        .collect();
    let expected = [
        ("NV001.jpg", true, None),
        (" nv002.PNG ", true, None),
        ("NV999.jpg", false, Some("UNKNOWN_EMPLOYEE")),
        ("photo of me.jpg", false, Some("INVALID_FILE_NAME")),
        ("NV004.gif", false, Some("INVALID_FILE_NAME")),
        ("NV005.jpg", false, Some("UNSUPPORTED_TYPE")),
        ("NV006.jpg", false, Some("UNREADABLE_IMAGE")),
        ("NV007.jpg", false, Some("IMAGE_TOO_SMALL")),
        ("NV008.jpg", false, Some("DUPLICATE_IN_BATCH")),
        ("nv008.jpeg", false, Some("DUPLICATE_IN_BATCH")),
        ("NV004.jpg", false, Some("FILE_TOO_LARGE")),
    ];
    let expected: Vec<(String, bool, Option<String>)> = expected
        .iter()
        .map(|(n, a, c)| ((*n).to_owned(), *a, c.map(str::to_owned)))
        .collect();
    assert_eq!(summary, expected);
    assert_eq!(
        (result["accepted"].as_u64(), result["rejected"].as_u64()),
        (Some(2), Some(9))
    );
    assert!(
        result["results"]
            .as_array()
            .expect("results")
            .iter()
            .all(|r| r["accepted"] == true || r["message"].is_string())
    );
    assert_eq!(result["results"][1]["employee"]["employeeCode"], "NV002");

    // Only the two accepted files changed anything.
    let data = app
        .graphql_ok(
            &company.admin_token,
            "query($s: [FaceSyncStatus!]) { employees(filter: { faceSyncStatuses: $s }) { edges { node { employeeCode facePhoto { width } faceSync { status } } } } }",
            json!({ "s": ["NOT_SYNCED"] }),
        )
        .await;
    let codes: Vec<&str> = data["employees"]["edges"]
        .as_array()
        .expect("edges")
        .iter()
        .filter_map(|e| e["node"]["employeeCode"].as_str())
        .collect();
    assert_eq!(codes, ["NV001", "NV002"]);
    let data = app
        .graphql_ok(
            &company.admin_token,
            "{ employees(filter: { faceSyncStatuses: [NO_PHOTO] }) { totalCount } }",
            json!({}),
        )
        .await;
    assert_eq!(data["employees"]["totalCount"], 5);
}

app_test!(async fn photos_are_normalised_to_upright_jpegs_that_fit_the_camera_box(app) {
    let company = camera_company(&app, &["BIG", "PNG", "ROT"]).await;
    let result = import(
        &app,
        &company.admin_token,
        vec![("BIG.jpg", images::jpeg(4000, 3000, 1)), ("PNG.png", images::png(300, 300, 2)), ("ROT.jpg", images::jpeg_with_orientation(300, 200, 6))],
    )
    .await;
    let photos: Vec<&Value> = result["results"].as_array().expect("results").iter().map(|r| &r["facePhoto"]).collect();
    assert_eq!((photos[0]["width"].as_i64(), photos[0]["height"].as_i64()), (Some(981), Some(736)), "scaled down, aspect kept");
    assert_eq!((photos[1]["width"].as_i64(), photos[1]["height"].as_i64()), (Some(300), Some(300)), "never scaled up");
    assert_eq!((photos[2]["width"].as_i64(), photos[2]["height"].as_i64()), (Some(200), Some(300)), "EXIF rotation applied");

    let png = fetch(&app, &company.admin_token, photos[1]["id"].as_str().expect("id")).await;
    assert_eq!(png.headers()["content-type"], "image/jpeg");
    assert!(png.bytes().await.expect("bytes").starts_with(&[0xFF, 0xD8, 0xFF]), "PNG re-encoded as JPEG");

    // The rotated photo is upright: the red left half of the landscape original is now on top.
    let rotated = fetch(&app, &company.admin_token, photos[2]["id"].as_str().expect("id")).await.bytes().await.expect("bytes");
    let image = image::load_from_memory(&rotated).expect("decodes").into_rgb8();
    let top = image.get_pixel(100, 40);
    let bottom = image.get_pixel(100, 260);
    assert!(top[0] > 150 && top[2] < 100, "top is red: {top:?}");
    assert!(bottom[2] > 150 && bottom[0] < 100, "bottom is blue: {bottom:?}");
});

app_test!(async fn the_same_photo_again_changes_nothing_and_a_new_one_outdates_a_synced_face(app) {
    let company = camera_company(&app, &["NV001"]).await;
    let first = import(&app, &company.admin_token, vec![("NV001.jpg", images::jpeg(400, 400, 1))]).await;
    let photo = first["results"][0]["facePhoto"].clone();

    // As if a sync had pushed this photo to Hanet.
    let employee = entity::employee::Entity::find().one(&app.state.db).await.expect("query").expect("employee");
    let mut synced = employee.into_active_model();
    synced.hanet_person_id = Set(Some("1234567890123456789".to_owned()));
    synced.synced_photo_sha256 = Set(photo["sha256"].as_str().map(str::to_owned));
    synced.face_sync_status = Set(entity::employee::FaceSyncStatus::Synced);
    synced.update(&app.state.db).await.expect("update");

    let again = import(&app, &company.admin_token, vec![("nv001.JPG", images::jpeg(400, 400, 1))]).await;
    assert_eq!(again["results"][0]["accepted"], true);
    assert_eq!(again["results"][0]["unchanged"], true);
    assert_eq!(again["results"][0]["facePhoto"]["id"], photo["id"], "no new photo stored");
    let status = "{ employees { edges { node { faceSync { status } facePhoto { id } } } } }";
    let data = app.graphql_ok(&company.admin_token, status, json!({})).await;
    assert_eq!(data["employees"]["edges"][0]["node"]["faceSync"]["status"], "SYNCED");

    let employee_id = entity::employee::Entity::find().one(&app.state.db).await.expect("query").expect("employee").id.to_string();
    let upload = "mutation($e: ID!, $f: Upload!) { uploadFacePhoto(employeeId: $e, file: $f) { id } }";
    let response = app
        .upload(&company.admin_token, upload, json!({ "e": employee_id, "f": null }), vec![("variables.f", "new.jpg", images::jpeg(500, 400, 2))])
        .await;
    let body: Value = response.json().await.expect("JSON");
    assert!(body.get("errors").is_none(), "{body:#}");
    assert_ne!(body["data"]["uploadFacePhoto"]["id"], photo["id"]);
    let data = app.graphql_ok(&company.admin_token, status, json!({})).await;
    assert_eq!(data["employees"]["edges"][0]["node"]["faceSync"]["status"], "OUTDATED");
    assert_eq!(data["employees"]["edges"][0]["node"]["facePhoto"]["id"], body["data"]["uploadFacePhoto"]["id"]);
    let old = fetch(&app, &company.admin_token, photo["id"].as_str().expect("id")).await;
    assert_eq!(old.status(), 404, "the replaced photo is gone");
});

app_test!(async fn photos_are_served_to_their_company_only(app) {
    let company = camera_company(&app, &["NV001"]).await;
    let result = import(&app, &company.admin_token, vec![("NV001.jpg", images::jpeg(400, 400, 1))]).await;
    let id = result["results"][0]["facePhoto"]["id"].as_str().expect("id").to_owned();
    assert_eq!(fetch(&app, &company.admin_token, &id).await.status(), 200);
    let viewer = app.user_token(&company, "VIEWER").await;
    assert_eq!(fetch(&app, &viewer, &id).await.status(), 200);
    let other = app.seed_company("Other").await;
    assert_eq!(fetch(&app, &other.admin_token, &id).await.status(), 404);
    let anonymous = app.client.get(format!("{}/photos/{id}", app.address)).send().await.expect("GET");
    assert_eq!(anonymous.status(), 401);
    assert_eq!(fetch(&app, &company.admin_token, "not-an-id").await.status(), 404);
});

app_test!(async fn photo_uploads_need_camera_timekeeping(app) {
    let company = app.seed_company("Acme").await;
    app.create_employee(&company.admin_token, json!({ "employeeCode": "NV001", "fullName": "An" })).await;
    let response = app
        .upload(&company.admin_token, IMPORT, json!({ "files": [null] }), vec![("variables.files.0", "NV001.jpg", images::jpeg(400, 400, 1))])
        .await;
    let body: Value = response.json().await.expect("JSON");
    assert_eq!(error_code(&body), "FEATURE_NOT_ENABLED");
});

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_over_size_photo_request_is_refused_and_the_server_keeps_serving() {
    let app = spawn_app(Backend::Sqlite, &["--max-upload-request-bytes", "1000000"])
        .await
        .expect("app");
    let company = camera_company(&app, &["NV001"]).await;
    let files = vec![
        (
            "variables.files.0",
            "NV001.jpg",
            images::noisy_jpeg(700, 700, 1),
        ),
        (
            "variables.files.1",
            "NV002.jpg",
            images::noisy_jpeg(700, 700, 2),
        ),
    ];
    let response = app
        .upload(
            &company.admin_token,
            IMPORT,
            json!({ "files": [null, null] }),
            files,
        )
        .await;
    assert_eq!(response.status(), 413);
    let body: Value = response.json().await.expect("JSON");
    assert_eq!(error_code(&body), "PAYLOAD_TOO_LARGE");
    let result = import(
        &app,
        &company.admin_token,
        vec![("NV001.jpg", images::jpeg(400, 400, 1))],
    )
    .await;
    assert_eq!(result["accepted"], 1);
}
