//! The partner API (`https://partner.hanet.ai` paths): routing table and authentication.
//!
//! Every endpoint is POST with a form body. The access token is the body field `token`, except
//! under `/partner/*` where it is `access_token` (the other name is not accepted, so a client
//! that mixes them up sees the failure it would see at Hanet).
//!
//! Choices where the reference is UNKNOWN:
//! - A missing token is treated like an unknown one: -103 (HTTP 200), or HTTP 401 when that
//!   fault is on. Authentication is checked before any other field.
//! - A POST to a path the simulator does not implement answers HTTP 404 with the envelope
//!   `returnCode` -404; another method on a known path answers HTTP 405.
//! - Lists and lookups are scoped to the token's account: another account's place is -1005 and
//!   another account's person is -5011.

pub mod account;
pub mod checkins;
pub mod person_read;
pub mod persons;

use serde_json::Value;

use crate::envelope::ApiError;
use crate::form::Form;
use crate::state::{State, now_secs};

pub use persons::{FaceCheck, inspect_face, sha256_hex};

/// One authenticated call, as handlers see it.
pub struct Call<'a> {
    pub form: &'a Form,
    pub account: usize,
    /// The uploaded image (`file` or `file[]`), already inspected.
    pub face: Option<FaceCheck>,
}

/// A partner endpoint.
pub type Handler = fn(&mut State, &Call<'_>) -> Result<Value, ApiError>;

/// The handler for a path, including Hanet's deprecated kebab-case aliases.
pub fn route(path: &str) -> Option<Handler> {
    let handler: Handler = match path {
        "/profile/getProfile" => account::get_profile,
        "/place/getPlaces" => account::get_places,
        "/place/getPlaceInfo" => account::get_place_info,
        "/device/getListDevice" | "/device/get-list-device" => account::list_devices,
        "/device/getListDeviceByPlace" | "/device/get-list-device-by-place" => {
            account::list_devices_by_place
        }
        "/device/getDeviceInfo" => account::device_info,
        "/device/getConnectionStatus" | "/device/get-connection-status" => {
            account::connection_status
        }
        "/partner/updateToken" => account::update_partner_token,
        "/partner/addPlacePartner" => account::add_place_partner,
        "/partner/removePlacePartner" => account::remove_place_partner,
        "/partner/removeUserPartner" => account::remove_user_partner,
        "/partner/getListUserPartner" => account::list_user_partner,
        "/person/register" => persons::register,
        "/person/updateByFaceImage" => persons::update_face_by_alias_or_id,
        "/person/updateByFaceImageByAliasID" => persons::update_face_by_alias,
        "/person/updateByFaceImageByPersonID" => persons::update_face_by_person_id,
        "/person/updateInfo" => persons::update_info,
        "/person/update" => persons::update,
        "/person/updateAliasID" => persons::update_alias_id,
        "/person/remove" => person_read::remove,
        "/person/removeByPlace" => person_read::remove_by_place,
        "/person/removePersonByID" => person_read::remove_by_person_id,
        "/person/removePersonByListAliasID" => person_read::remove_by_alias_list,
        "/person/removeAllPersonInPlace" => person_read::remove_all_in_place,
        "/person/getListByPlace" => person_read::list_by_place,
        "/person/get-list-by-place" => person_read::list_by_place_deprecated,
        "/person/getTotalPersonByPlaceID" => person_read::total_by_place,
        "/person/getUserInfoByAliasID" => person_read::user_info_by_alias,
        "/person/getListByAliasID" => person_read::list_by_alias,
        "/person/getListByAliasIDAllPlace" | "/person/get-list-by-aliasID-all-place" => {
            person_read::list_by_alias_all_places
        }
        "/person/getUserInfoByPersonID" => person_read::user_info_by_person_id,
        "/person/getCheckinByPlaceIdInTimestamp" => checkins::by_timestamp,
        "/person/getCheckinByPlaceIdInDay" => checkins::by_day,
        "/person/getTotalCheckinByPlaceIdInTimestamp" => checkins::total_by_timestamp,
        "/person/getTotalCheckinByPlaceIdInDay" => checkins::total_by_day,
        _ => return None,
    };
    Some(handler)
}

/// The body field carrying the access token for `path`.
pub fn token_field(path: &str) -> &'static str {
    if path.starts_with("/partner/") {
        "access_token"
    } else {
        "token"
    }
}

/// Paths whose calls count as "register" for [`crate::Simulator::register_calls`].
pub fn is_register_path(path: &str) -> bool {
    path == "/person/register"
}

/// Paths whose calls count as "update" for [`crate::Simulator::update_calls`].
pub fn is_update_path(path: &str) -> bool {
    matches!(
        path,
        "/person/updateByFaceImage"
            | "/person/updateByFaceImageByAliasID"
            | "/person/updateByFaceImageByPersonID"
            | "/person/updateInfo"
            | "/person/update"
            | "/person/updateAliasID"
    )
}

/// The account behind an access token, or -103.
pub fn authenticate(state: &State, token: &str) -> Result<usize, ApiError> {
    state
        .access_tokens
        .get(token)
        .filter(|t| t.expires_at > now_secs())
        .map(|t| t.account)
        .ok_or_else(ApiError::token_expired)
}

/// Authenticates and runs the handler for `path` (which must be routable).
pub fn handle(
    state: &mut State,
    handler: Handler,
    token: &str,
    form: &Form,
    face: Option<FaceCheck>,
) -> Result<Value, ApiError> {
    let account = authenticate(state, token)?;
    let call = Call {
        form,
        account,
        face,
    };
    handler(state, &call)
}
