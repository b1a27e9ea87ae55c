//! Person reads and removals.
//!
//! Choices where the reference is UNKNOWN: `getListByPlace` pages are 1-based (a page below 1
//! is page 1), `size` defaults to 50 with no maximum, and a page past the end is `[]`.
//! `getUserInfoByAliasID` with no match answers -5011; the `getListByAliasID*` lists answer
//! `[]`. `/person/remove` reports one row per place of the account.

use serde_json::{Value, json};

use super::Call;
use crate::envelope::ApiError;
use crate::state::{Person, State};

/// Default `size` of `getListByPlace`.
pub const DEFAULT_PERSON_PAGE: i64 = 50;

fn list_row(p: &Person) -> Value {
    json!({
        "personID": p.person_id,
        "aliasID": p.alias_id,
        "name": p.name,
        "avatar": p.avatar,
        "title": p.title,
    })
}

fn alias_row(p: &Person) -> Value {
    json!({
        "aliasID": p.alias_id,
        "name": p.name,
        "personID": p.person_id,
        "avatar": p.avatar,
        "title": p.title,
        "placeID": p.place_id,
    })
}

/// Persons of the place matching `type` (0, 1, or -1/absent for all).
fn typed_persons<'a>(
    state: &'a State,
    call: &Call<'_>,
) -> Result<impl Iterator<Item = &'a Person>, ApiError> {
    let place_id = call.form.require_int("placeID")?;
    state.owned_place(call.account, place_id)?;
    let wanted = call.form.int("type")?.unwrap_or(-1);
    Ok(state
        .persons_in(place_id)
        .filter(move |p| wanted < 0 || i64::from(p.person_type) == wanted))
}

fn page_of(call: &Call<'_>, rows: Vec<Value>) -> Result<Value, ApiError> {
    let page = call.form.int("page")?.unwrap_or(1).max(1);
    let size = call
        .form
        .int("size")?
        .filter(|s| *s > 0)
        .unwrap_or(DEFAULT_PERSON_PAGE);
    let skip = usize::try_from((page - 1).saturating_mul(size)).unwrap_or(usize::MAX);
    let take = usize::try_from(size).unwrap_or(usize::MAX);
    Ok(Value::Array(
        rows.into_iter().skip(skip).take(take).collect(),
    ))
}

pub fn list_by_place(state: &mut State, call: &Call<'_>) -> Result<Value, ApiError> {
    let rows = typed_persons(state, call)?.map(list_row).collect();
    page_of(call, rows)
}

/// The deprecated kebab-case alias: rows without `personID`.
pub fn list_by_place_deprecated(state: &mut State, call: &Call<'_>) -> Result<Value, ApiError> {
    let rows = typed_persons(state, call)?
        .map(|p| {
            let mut row = list_row(p);
            if let Some(obj) = row.as_object_mut() {
                obj.remove("personID");
            }
            row
        })
        .collect();
    page_of(call, rows)
}

pub fn total_by_place(state: &mut State, call: &Call<'_>) -> Result<Value, ApiError> {
    Ok(json!(typed_persons(state, call)?.count()))
}

fn account_persons_with_alias<'a>(
    state: &'a State,
    account: usize,
    alias: &'a str,
) -> impl Iterator<Item = &'a Person> {
    state
        .persons
        .iter()
        .filter(move |p| p.alias_id == alias && state.person_owned_by(p, account))
}

pub fn user_info_by_alias(state: &mut State, call: &Call<'_>) -> Result<Value, ApiError> {
    let alias = call.form.require("aliasID")?;
    let place = call.form.int("placeID")?;
    let rows: Vec<Value> = account_persons_with_alias(state, call.account, alias)
        .filter(|p| place.is_none_or(|id| p.place_id == id))
        .map(alias_row)
        .collect();
    if rows.is_empty() {
        return Err(ApiError::person_not_found());
    }
    Ok(Value::Array(rows))
}

pub fn list_by_alias(state: &mut State, call: &Call<'_>) -> Result<Value, ApiError> {
    let alias = call.form.require("aliasID")?;
    let places = call.form.int_list("placeIDs")?;
    let rows = account_persons_with_alias(state, call.account, alias)
        .filter(|p| places.is_empty() || places.contains(&p.place_id))
        .map(alias_row)
        .collect();
    Ok(Value::Array(rows))
}

pub fn list_by_alias_all_places(state: &mut State, call: &Call<'_>) -> Result<Value, ApiError> {
    let alias = call.form.require("aliasID")?;
    let rows = account_persons_with_alias(state, call.account, alias)
        .map(alias_row)
        .collect();
    Ok(Value::Array(rows))
}

fn owned_person_by_id(state: &State, call: &Call<'_>) -> Result<usize, ApiError> {
    let person_id = call.form.require("personID")?;
    state
        .person_index_by_id(person_id)
        .filter(|i| state.person_owned_by(&state.persons[*i], call.account))
        .ok_or_else(ApiError::person_not_found)
}

pub fn user_info_by_person_id(state: &mut State, call: &Call<'_>) -> Result<Value, ApiError> {
    let p = &state.persons[owned_person_by_id(state, call)?];
    Ok(json!({
        "id": p.person_id,
        "aliasID": p.alias_id,
        "name": p.name,
        "avatar": p.avatar,
        "title": p.title,
        "type": p.person_type,
        "sex": 2,
        "age": 0,
        "placeID": p.place_id,
    }))
}

/// Removes the persons with `alias` in `place_id`; whether any was removed.
fn remove_alias_in(state: &mut State, place_id: i64, alias: &str) -> bool {
    let before = state.persons.len();
    state
        .persons
        .retain(|p| !(p.place_id == place_id && p.alias_id == alias));
    state.persons.len() != before
}

/// `/person/remove`: the alias leaves every place of the account.
pub fn remove(state: &mut State, call: &Call<'_>) -> Result<Value, ApiError> {
    let alias = call.form.require("aliasID")?.to_owned();
    let places: Vec<i64> = state.account_places(call.account).map(|p| p.id).collect();
    let rows = places
        .into_iter()
        .map(|place_id| {
            let removed = remove_alias_in(state, place_id, &alias);
            json!({"aliasID": alias, "placeID": place_id, "remove": removed})
        })
        .collect();
    Ok(Value::Array(rows))
}

pub fn remove_by_place(state: &mut State, call: &Call<'_>) -> Result<Value, ApiError> {
    let alias = call.form.require("aliasID")?.to_owned();
    let place_id = call.form.require_int("placeID")?;
    state.owned_place(call.account, place_id)?;
    if remove_alias_in(state, place_id, &alias) {
        Ok(Value::Null)
    } else {
        Err(ApiError::person_not_found())
    }
}

pub fn remove_by_person_id(state: &mut State, call: &Call<'_>) -> Result<Value, ApiError> {
    let idx = owned_person_by_id(state, call)?;
    state.persons.remove(idx);
    Ok(Value::Null)
}

pub fn remove_by_alias_list(state: &mut State, call: &Call<'_>) -> Result<Value, ApiError> {
    let aliases = call.form.list("aliasIDs");
    let places = call.form.int_list("placeIDs")?;
    if aliases.is_empty() || places.is_empty() {
        return Err(ApiError::invalid("missing aliasIDs or placeIDs"));
    }
    for place_id in &places {
        state.owned_place(call.account, *place_id)?;
    }
    let rows = aliases
        .iter()
        .map(|alias| {
            let mut removed = false;
            for place_id in &places {
                removed |= remove_alias_in(state, *place_id, alias);
            }
            json!({"aliasID": alias, "remove": removed})
        })
        .collect();
    Ok(Value::Array(rows))
}

pub fn remove_all_in_place(state: &mut State, call: &Call<'_>) -> Result<Value, ApiError> {
    let place_id = call.form.require_int("placeID")?;
    state.owned_place(call.account, place_id)?;
    state.persons.retain(|p| p.place_id != place_id);
    Ok(Value::Null)
}
