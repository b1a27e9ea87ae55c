//! How an item of a job ended: what workers return and the engine records.

/// How an item ended.
#[derive(Clone, Debug)]
pub struct ItemOutcome {
    pub succeeded: bool,
    pub action: Option<&'static str>,
    pub hanet_code: Option<i64>,
    pub error_code: Option<String>,
    pub error: Option<String>,
}

impl ItemOutcome {
    pub fn done(action: &'static str) -> Self {
        Self {
            succeeded: true,
            action: Some(action),
            hanet_code: None,
            error_code: None,
            error: None,
        }
    }

    pub fn failed(
        error_code: impl Into<String>,
        error: impl Into<String>,
        hanet_code: Option<i64>,
    ) -> Self {
        Self {
            succeeded: false,
            action: None,
            hanet_code,
            error_code: Some(error_code.into()),
            error: Some(error.into()),
        }
    }
}
