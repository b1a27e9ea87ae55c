//! Person registration and updates: `/person/register`, `/person/updateByFaceImage*`,
//! `/person/updateInfo`, `/person/update`, `/person/updateAliasID`.
//!
//! The "has a face" rule (the simulator cannot see faces): an upload is a valid face when its
//! bytes decode as a JPEG or PNG image of at least 100×100 pixels ([`MIN_FACE_SIDE`]); anything
//! else is -9006. Two uploads are "the same face" when their bytes have the same SHA-256; the
//! same face already registered in the place is -9007 with `data` = the existing person.
//!
//! Register checks, in order: required fields (-1: `name`, `placeID`, `file`) → the place is
//! the account's (-1005) → a device of the place is online (-101) → the alias is free in the
//! place (-9005) → the image has a face (-9006) → the face is new in the place (-9007) → the
//! place is under quota (-9008). Face updates apply the same image, online-device and
//! duplicate-face rules (a face may be re-uploaded for the person who already has it).

use std::io::Cursor;

use serde_json::{Value, json};
use sha2::{Digest, Sha256};

use super::Call;
use crate::envelope::ApiError;
use crate::state::{Person, State};

/// Smallest accepted width and height of a face image, in pixels.
pub const MIN_FACE_SIDE: u32 = 100;

/// The result of inspecting an uploaded image.
#[derive(Debug, Clone)]
pub struct FaceCheck {
    /// Lowercase hex SHA-256 of the uploaded bytes.
    pub sha256: String,
    /// Why it is not a usable face, if it is not.
    pub problem: Option<String>,
}

/// Applies the documented "has a face" rule to uploaded bytes.
pub fn inspect_face(bytes: &[u8]) -> FaceCheck {
    FaceCheck {
        sha256: sha256_hex(bytes),
        problem: face_problem(bytes),
    }
}

/// Lowercase hex SHA-256: the simulator's notion of "the same face".
pub fn sha256_hex(bytes: &[u8]) -> String {
    hex::encode(Sha256::digest(bytes))
}

fn face_problem(bytes: &[u8]) -> Option<String> {
    if bytes.is_empty() {
        return Some("empty file".to_owned());
    }
    let reader = match image::ImageReader::new(Cursor::new(bytes)).with_guessed_format() {
        Ok(r) => r,
        Err(e) => return Some(format!("unreadable image: {e}")),
    };
    if !matches!(
        reader.format(),
        Some(image::ImageFormat::Jpeg | image::ImageFormat::Png)
    ) {
        return Some("not a JPEG or PNG image".to_owned());
    }
    match reader.decode() {
        Err(e) => Some(format!("image does not decode: {e}")),
        Ok(img) if img.width() < MIN_FACE_SIDE || img.height() < MIN_FACE_SIDE => Some(format!(
            "image is {}x{}, smaller than {MIN_FACE_SIDE}x{MIN_FACE_SIDE}",
            img.width(),
            img.height()
        )),
        Ok(_) => None,
    }
}

/// The JSON Hanet returns for a person in register/-9007 answers.
pub fn person_brief(p: &Person) -> Value {
    json!({
        "personID": p.person_id,
        "aliasID": p.alias_id,
        "name": p.name,
        "title": p.title,
        "placeID": p.place_id,
    })
}

fn require_face(call: &Call<'_>) -> Result<FaceCheck, ApiError> {
    let face = call
        .face
        .clone()
        .ok_or_else(|| ApiError::invalid("missing file"))?;
    if let Some(problem) = &face.problem {
        return Err(ApiError::new(-9006, format!("Image is invalid: {problem}")));
    }
    Ok(face)
}

fn require_online(state: &State, place_id: i64) -> Result<(), ApiError> {
    if state.place_has_online_device(place_id) {
        Ok(())
    } else {
        Err(ApiError::new(
            -101,
            "Device not found: no device of the place is online",
        ))
    }
}

/// -9007 when `sha256` belongs to a person of the place other than `except`.
fn check_duplicate_face(
    state: &State,
    place_id: i64,
    sha256: &str,
    except: Option<usize>,
) -> Result<(), ApiError> {
    let dup = state
        .persons
        .iter()
        .enumerate()
        .find(|(i, p)| p.place_id == place_id && p.face_sha256 == sha256 && Some(*i) != except);
    match dup {
        Some((_, p)) => {
            Err(ApiError::new(-9007, "Face image already exists").with_data(person_brief(p)))
        }
        None => Ok(()),
    }
}

pub fn register(state: &mut State, call: &Call<'_>) -> Result<Value, ApiError> {
    let form = call.form;
    let name = form.require("name")?.to_owned();
    let place_id = form.require_int("placeID")?;
    if call.face.is_none() {
        return Err(ApiError::invalid("missing file"));
    }
    let person_type = form.int("type")?.unwrap_or(0) as i32;
    let alias = form.get("aliasID").unwrap_or("").to_owned();
    let title = form.get("title").unwrap_or("").to_owned();
    state.owned_place(call.account, place_id)?;
    require_online(state, place_id)?;
    if state.person_index_by_alias(place_id, &alias).is_some() {
        return Err(ApiError::new(
            -9005,
            "Employee already exists (aliasID in use in this place)",
        ));
    }
    let face = require_face(call)?;
    check_duplicate_face(state, place_id, &face.sha256, None)?;
    if state.persons_in(place_id).count() >= state.face_quota_per_place {
        return Err(ApiError::new(
            -9008,
            "Free face quota exceeded: buy a cloud plan for this place",
        ));
    }
    let person = Person {
        person_id: state.new_person_id(),
        alias_id: alias,
        name,
        title,
        place_id,
        person_type,
        face_sha256: face.sha256,
        face_updates: 0,
        avatar: State::face_url(place_id, person_type),
    };
    let mut data = person_brief(&person);
    data["file"] = Value::String(person.avatar.clone());
    state.persons.push(person);
    Ok(data)
}

/// Finds a person of the account: by alias in `place_id`, else by person id.
fn find_person(
    state: &State,
    account: usize,
    place_id: Option<i64>,
    alias: Option<&str>,
    person_id: Option<&str>,
) -> Result<usize, ApiError> {
    if let Some(place_id) = place_id {
        state.owned_place(account, place_id)?;
    }
    let by_alias = alias
        .zip(place_id)
        .and_then(|(a, p)| state.person_index_by_alias(p, a));
    by_alias
        .or_else(|| {
            person_id
                .and_then(|id| state.person_index_by_id(id))
                .filter(|i| place_id.is_none_or(|p| state.persons[*i].place_id == p))
        })
        .filter(|i| state.person_owned_by(&state.persons[*i], account))
        .ok_or_else(ApiError::person_not_found)
}

fn update_face(state: &mut State, call: &Call<'_>, idx: usize) -> Result<Value, ApiError> {
    let place_id = state.persons[idx].place_id;
    require_online(state, place_id)?;
    let face = require_face(call)?;
    check_duplicate_face(state, place_id, &face.sha256, Some(idx))?;
    let person = &mut state.persons[idx];
    person.face_sha256 = face.sha256;
    person.face_updates += 1;
    person.avatar = State::face_url(place_id, person.person_type);
    Ok(json!({"path": person.avatar}))
}

/// `/person/updateByFaceImage`: `aliasID` holds an alias or a person id.
pub fn update_face_by_alias_or_id(state: &mut State, call: &Call<'_>) -> Result<Value, ApiError> {
    let key = call.form.require("aliasID")?;
    let place_id = call.form.require_int("placeID")?;
    let idx = find_person(state, call.account, Some(place_id), Some(key), Some(key))?;
    update_face(state, call, idx)
}

pub fn update_face_by_alias(state: &mut State, call: &Call<'_>) -> Result<Value, ApiError> {
    let alias = call.form.require("aliasID")?;
    let place_id = call.form.require_int("placeID")?;
    let idx = find_person(state, call.account, Some(place_id), Some(alias), None)?;
    update_face(state, call, idx)
}

pub fn update_face_by_person_id(state: &mut State, call: &Call<'_>) -> Result<Value, ApiError> {
    let person_id = call.form.require("personID")?;
    let place_id = call.form.int("placeID")?;
    let idx = find_person(state, call.account, place_id, None, Some(person_id))?;
    update_face(state, call, idx)
}

/// Locates the person of an info update: `aliasID` (an alias, or a person id) or `personID`.
fn info_target(state: &State, call: &Call<'_>) -> Result<usize, ApiError> {
    let form = call.form;
    let place_id = form.require_int("placeID")?;
    let alias = form.get("aliasID");
    let person_id = form.get("personID").or(alias);
    if alias.is_none() && person_id.is_none() {
        return Err(ApiError::invalid("missing aliasID or personID"));
    }
    find_person(state, call.account, Some(place_id), alias, person_id)
}

pub fn update_info(state: &mut State, call: &Call<'_>) -> Result<Value, ApiError> {
    let idx = info_target(state, call)?;
    let name = call.form.get("name").map(str::to_owned);
    let title = call.form.get("title").map(str::to_owned);
    let person = &mut state.persons[idx];
    if let Some(name) = name {
        person.name = name;
    }
    if let Some(title) = title {
        person.title = title;
    }
    Ok(Value::Null)
}

/// `/person/update`: `updates` is a JSON string such as `{"name":"…","title":"…"}`.
pub fn update(state: &mut State, call: &Call<'_>) -> Result<Value, ApiError> {
    let raw = call.form.require("updates")?;
    let updates: serde_json::Map<String, Value> =
        serde_json::from_str(raw).map_err(|_| ApiError::invalid("updates is not a JSON object"))?;
    let idx = info_target(state, call)?;
    let person = &mut state.persons[idx];
    if let Some(Value::String(name)) = updates.get("name") {
        person.name = name.clone();
    }
    if let Some(Value::String(title)) = updates.get("title") {
        person.title = title.clone();
    }
    Ok(Value::Null)
}

/// `/person/updateAliasID`: accepts `personID` and the old typo `persionID`.
pub fn update_alias_id(state: &mut State, call: &Call<'_>) -> Result<Value, ApiError> {
    let form = call.form;
    let person_id = form
        .get("personID")
        .or_else(|| form.get("persionID"))
        .ok_or_else(|| ApiError::invalid("missing personID"))?;
    let alias = form.require("aliasID")?.to_owned();
    let place_id = form.int("placeID")?;
    let idx = find_person(state, call.account, place_id, None, Some(person_id))?;
    let place_id = state.persons[idx].place_id;
    if state
        .person_index_by_alias(place_id, &alias)
        .is_some_and(|other| other != idx)
    {
        return Err(ApiError::new(
            -9005,
            "Employee already exists (aliasID in use in this place)",
        ));
    }
    state.persons[idx].alias_id = alias;
    Ok(Value::Null)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn png(side: u32) -> Vec<u8> {
        let img = image::RgbImage::from_pixel(side, side, image::Rgb([120, 90, 60]));
        let mut out = Cursor::new(Vec::new());
        img.write_to(&mut out, image::ImageFormat::Png).unwrap();
        out.into_inner()
    }

    #[test]
    fn face_rule() {
        assert!(inspect_face(&png(100)).problem.is_none());
        assert!(inspect_face(&png(99)).problem.is_some());
        assert!(inspect_face(b"hello").problem.is_some());
        assert!(inspect_face(b"").problem.is_some());
        assert_eq!(inspect_face(b"abc").sha256.len(), 64);
    }
}
