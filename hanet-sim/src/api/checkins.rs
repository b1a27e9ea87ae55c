//! Check-in history: `/person/getCheckinByPlaceIdIn{Timestamp,Day}` and their `getTotal…`
//! variants (which answer a bare integer).
//!
//! Rules: `from`/`to` are epoch milliseconds with `from < to`, both in the same calendar month
//! in UTC+7, else -1; the window is inclusive at both ends. `date` is `yyyy-mm-dd`, a UTC+7
//! calendar day. Pages are 1-based; `size` defaults to 500 and a larger `size` is clamped to
//! 500 (Hanet's behaviour above 500 is UNKNOWN). Rows are ordered by `checkinTime` ascending,
//! then by insertion. Filters: `devices`, `exDevices`, `type`, `exType` (comma lists),
//! `aliasID`, `aliasIDs`, `personID`, `personIDs`. Row shape follows reference §5.4, including
//! `placeID` as a **string**.

use chrono::{Datelike, NaiveDate, TimeZone};
use serde_json::{Value, json};

use super::Call;
use crate::envelope::ApiError;
use crate::state::{Checkin, State, hanet_offset, local_time};

/// Default and maximum page size of check-in queries.
pub const MAX_CHECKIN_PAGE: i64 = 500;

struct Query {
    place_id: i64,
    from: i64,
    /// Inclusive upper bound.
    to: i64,
    devices: Vec<String>,
    ex_devices: Vec<String>,
    types: Vec<i64>,
    ex_types: Vec<i64>,
    aliases: Vec<String>,
    person_ids: Vec<String>,
}

impl Query {
    fn matches(&self, c: &Checkin) -> bool {
        let t = i64::from(c.person_type);
        c.place_id == self.place_id
            && c.time_ms >= self.from
            && c.time_ms <= self.to
            && (self.devices.is_empty() || self.devices.contains(&c.device_id))
            && !self.ex_devices.contains(&c.device_id)
            && (self.types.is_empty() || self.types.contains(&t))
            && !self.ex_types.contains(&t)
            && (self.aliases.is_empty() || self.aliases.contains(&c.alias_id))
            && (self.person_ids.is_empty() || self.person_ids.contains(&c.person_id))
    }
}

fn filters(state: &State, call: &Call<'_>, from: i64, to: i64) -> Result<Query, ApiError> {
    let form = call.form;
    let place_id = form.require_int("placeID")?;
    state.owned_place(call.account, place_id)?;
    let mut aliases = form.list("aliasIDs");
    aliases.extend(form.get("aliasID").map(str::to_owned));
    let mut person_ids = form.list("personIDs");
    person_ids.extend(form.get("personID").map(str::to_owned));
    Ok(Query {
        place_id,
        from,
        to,
        devices: form.list("devices"),
        ex_devices: form.list("exDevices"),
        types: form.int_list("type")?,
        ex_types: form.int_list("exType")?,
        aliases,
        person_ids,
    })
}

fn timestamp_query(state: &State, call: &Call<'_>) -> Result<Query, ApiError> {
    let from = call.form.require_int("from")?;
    let to = call.form.require_int("to")?;
    if from >= to {
        return Err(ApiError::invalid("from must be before to"));
    }
    let (Some(a), Some(b)) = (local_time(from), local_time(to)) else {
        return Err(ApiError::invalid("from/to out of range"));
    };
    if (a.year(), a.month()) != (b.year(), b.month()) {
        return Err(ApiError::invalid(
            "from and to must be in the same month (UTC+7)",
        ));
    }
    filters(state, call, from, to)
}

fn day_query(state: &State, call: &Call<'_>) -> Result<Query, ApiError> {
    let raw = call.form.require("date")?;
    let day = NaiveDate::parse_from_str(raw, "%Y-%m-%d")
        .map_err(|_| ApiError::invalid("date must be yyyy-mm-dd"))?;
    let start = day
        .and_hms_opt(0, 0, 0)
        .and_then(|t| hanet_offset().from_local_datetime(&t).single())
        .ok_or_else(|| ApiError::invalid("date out of range"))?
        .timestamp_millis();
    filters(state, call, start, start + 86_400_000 - 1)
}

fn row(c: &Checkin) -> Value {
    let date = local_time(c.time_ms)
        .map(|t| t.format("%Y-%m-%d").to_string())
        .unwrap_or_default();
    json!({
        "personName": c.person_name,
        "personID": c.person_id,
        "aliasID": c.alias_id,
        "placeID": c.place_id.to_string(),
        "place": c.place_name,
        "date": date,
        "checkinTime": c.time_ms,
        "avatar": c.image_url,
        "title": c.title,
        "type": c.person_type,
        "deviceID": c.device_id,
        "deviceName": c.device_name,
    })
}

fn matching<'a>(state: &'a State, q: &Query) -> Vec<&'a Checkin> {
    let mut rows: Vec<&Checkin> = state.checkins.iter().filter(|c| q.matches(c)).collect();
    // Stable: equal times keep insertion order.
    rows.sort_by_key(|c| c.time_ms);
    rows
}

fn page(state: &State, call: &Call<'_>, q: &Query) -> Result<Value, ApiError> {
    let page = call.form.int("page")?.unwrap_or(1).max(1);
    let size = call
        .form
        .int("size")?
        .filter(|s| *s > 0)
        .unwrap_or(MAX_CHECKIN_PAGE)
        .min(MAX_CHECKIN_PAGE);
    let skip = usize::try_from((page - 1).saturating_mul(size)).unwrap_or(usize::MAX);
    let take = usize::try_from(size).unwrap_or(usize::MAX);
    let rows = matching(state, q)
        .into_iter()
        .skip(skip)
        .take(take)
        .map(row)
        .collect();
    Ok(Value::Array(rows))
}

pub fn by_timestamp(state: &mut State, call: &Call<'_>) -> Result<Value, ApiError> {
    let q = timestamp_query(state, call)?;
    page(state, call, &q)
}

pub fn by_day(state: &mut State, call: &Call<'_>) -> Result<Value, ApiError> {
    let q = day_query(state, call)?;
    page(state, call, &q)
}

pub fn total_by_timestamp(state: &mut State, call: &Call<'_>) -> Result<Value, ApiError> {
    let q = timestamp_query(state, call)?;
    Ok(json!(matching(state, &q).len()))
}

pub fn total_by_day(state: &mut State, call: &Call<'_>) -> Result<Value, ApiError> {
    let q = day_query(state, call)?;
    Ok(json!(matching(state, &q).len()))
}
