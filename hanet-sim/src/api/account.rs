//! Profile, places, devices and the `/partner/*` user-link endpoints.
//!
//! ID typing follows the reference: `id` in getProfile and `userID` in getPlaces are unquoted
//! 19-digit JSON numbers; place ids are JSON numbers here; device ids are strings.
//! `getConnectionStatus` without `deviceIDs` reports every device of the account (UNKNOWN at
//! Hanet); devices the account does not own report `false`, like offline ones.

use std::collections::BTreeSet;

use serde_json::{Map, Value, json};

use super::Call;
use crate::envelope::ApiError;
use crate::state::{Device, State};

pub fn get_profile(state: &mut State, call: &Call<'_>) -> Result<Value, ApiError> {
    let acc = state
        .accounts
        .get(call.account)
        .ok_or_else(|| ApiError::new(-10077, "User profile not found"))?;
    Ok(json!({"id": acc.user_id, "name": acc.name, "email": acc.email}))
}

fn place_json(state: &State, place_id: i64) -> Value {
    match state.place(place_id) {
        Some(p) => json!({
            "id": p.id,
            "name": p.name,
            "address": p.address,
            "userID": state.accounts.get(p.account).map(|a| a.user_id),
        }),
        None => Value::Null,
    }
}

pub fn get_places(state: &mut State, call: &Call<'_>) -> Result<Value, ApiError> {
    let ids: Vec<i64> = state.account_places(call.account).map(|p| p.id).collect();
    Ok(Value::Array(
        ids.into_iter().map(|id| place_json(state, id)).collect(),
    ))
}

pub fn get_place_info(state: &mut State, call: &Call<'_>) -> Result<Value, ApiError> {
    let id = call.form.require_int("placeID")?;
    state.owned_place(call.account, id)?;
    Ok(place_json(state, id))
}

fn device_json(state: &State, d: &Device) -> Value {
    let place = state.place(d.place_id);
    json!({
        "deviceID": d.id,
        "deviceName": d.name,
        "placeID": d.place_id,
        "placeName": place.map(|p| p.name.as_str()).unwrap_or(""),
        "address": place.map(|p| p.address.as_str()).unwrap_or(""),
    })
}

fn owns_device(state: &State, account: usize, d: &Device) -> bool {
    state
        .place(d.place_id)
        .is_some_and(|p| p.account == account)
}

pub fn list_devices(state: &mut State, call: &Call<'_>) -> Result<Value, ApiError> {
    let rows = state
        .devices
        .iter()
        .filter(|d| owns_device(state, call.account, d))
        .map(|d| device_json(state, d))
        .collect();
    Ok(Value::Array(rows))
}

pub fn list_devices_by_place(state: &mut State, call: &Call<'_>) -> Result<Value, ApiError> {
    let id = call.form.require_int("placeID")?;
    state.owned_place(call.account, id)?;
    let rows = state
        .devices_of(id)
        .map(|d| device_json(state, d))
        .collect();
    Ok(Value::Array(rows))
}

pub fn device_info(state: &mut State, call: &Call<'_>) -> Result<Value, ApiError> {
    let id = call.form.require("deviceID")?;
    let device = state
        .device(id)
        .filter(|d| owns_device(state, call.account, d))
        .ok_or_else(|| ApiError::new(-10079, "User device not found"))?;
    Ok(device_json(state, device))
}

pub fn connection_status(state: &mut State, call: &Call<'_>) -> Result<Value, ApiError> {
    let mut ids = call.form.list("deviceIDs");
    if ids.is_empty() {
        ids = state
            .devices
            .iter()
            .filter(|d| owns_device(state, call.account, d))
            .map(|d| d.id.clone())
            .collect();
    }
    let mut map = Map::new();
    for id in ids {
        let online = state
            .device(&id)
            .is_some_and(|d| d.online && owns_device(state, call.account, d));
        map.insert(id, Value::Bool(online));
    }
    Ok(Value::Object(map))
}

pub fn update_partner_token(state: &mut State, call: &Call<'_>) -> Result<Value, ApiError> {
    let token = call.form.require("partner_token")?.to_owned();
    let acc = account_mut(state, call.account)?;
    acc.partner_token = Some(token);
    Ok(Value::Null)
}

fn account_mut(state: &mut State, account: usize) -> Result<&mut crate::state::Account, ApiError> {
    state
        .accounts
        .get_mut(account)
        .ok_or_else(|| ApiError::new(-10077, "User profile not found"))
}

fn owned_place_ids(state: &State, call: &Call<'_>) -> Result<Vec<i64>, ApiError> {
    let ids = call.form.int_list("placeID")?;
    if ids.is_empty() {
        return Err(ApiError::invalid("missing placeID"));
    }
    for id in &ids {
        state.owned_place(call.account, *id)?;
    }
    Ok(ids)
}

pub fn add_place_partner(state: &mut State, call: &Call<'_>) -> Result<Value, ApiError> {
    let ids = owned_place_ids(state, call)?;
    let partner_token = call.form.get("partner_token").map(str::to_owned);
    let acc = account_mut(state, call.account)?;
    acc.pushed_places
        .get_or_insert_with(BTreeSet::new)
        .extend(ids);
    if let Some(t) = partner_token {
        acc.partner_token = Some(t);
    }
    Ok(Value::Null)
}

pub fn remove_place_partner(state: &mut State, call: &Call<'_>) -> Result<Value, ApiError> {
    let ids = owned_place_ids(state, call)?;
    let all: BTreeSet<i64> = state.account_places(call.account).map(|p| p.id).collect();
    let acc = account_mut(state, call.account)?;
    let pushed = acc.pushed_places.get_or_insert(all);
    for id in ids {
        pushed.remove(&id);
    }
    Ok(Value::Null)
}

pub fn remove_user_partner(state: &mut State, call: &Call<'_>) -> Result<Value, ApiError> {
    call.form.require("clientID")?;
    let acc = account_mut(state, call.account)?;
    acc.linked = false;
    acc.partner_token = None;
    acc.pushed_places = None;
    Ok(Value::Null)
}

pub fn list_user_partner(state: &mut State, call: &Call<'_>) -> Result<Value, ApiError> {
    let client_id = state.client_id.clone();
    let acc = account_mut(state, call.account)?;
    if !acc.linked {
        return Ok(json!([]));
    }
    Ok(json!([{
        "clientID": client_id,
        "createTime": "Jun 9, 2021 10:09:12 AM",
        "appID": "sim-app",
    }]))
}
