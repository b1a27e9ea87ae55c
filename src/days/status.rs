//! What kind of day it is and its status, as stored (strings) and as read: a status that
//! depends on check-ins still to come reads `PENDING` until attendance is known complete past
//! the day's window (design §8: never `ABSENT` early).

use chrono::{DateTime, Utc};

/// What a day is expected to be.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DayKind {
    /// A work day of the employee's schedule.
    Work,
    /// Not a work day of the schedule.
    DayOff,
    /// A company holiday on a work day.
    Holiday,
    /// The employee is on leave on a work day.
    Leave,
    /// No schedule: the day runs from the company's workday start hour, with no lateness or
    /// absence.
    Unscheduled,
}

impl DayKind {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Work => "WORK",
            Self::DayOff => "DAY_OFF",
            Self::Holiday => "HOLIDAY",
            Self::Leave => "LEAVE",
            Self::Unscheduled => "UNSCHEDULED",
        }
    }

    pub fn parse(s: &str) -> Self {
        match s {
            "WORK" => Self::Work,
            "DAY_OFF" => Self::DayOff,
            "HOLIDAY" => Self::Holiday,
            "LEAVE" => Self::Leave,
            _ => Self::Unscheduled,
        }
    }

    /// Whether the day's status is known without waiting for check-ins.
    pub fn settled(self) -> bool {
        matches!(self, Self::DayOff | Self::Holiday | Self::Leave)
    }
}

/// A day's status (design §8).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, async_graphql::Enum)]
pub enum DayStatus {
    /// On time and a full day.
    Present,
    /// Arrived later than the grace period allows.
    Late,
    /// Left earlier than the grace period allows.
    EarlyLeave,
    /// Both late and left early.
    LateAndEarlyLeave,
    /// Exactly one check-in.
    Incomplete,
    /// A work day without a check-in, known complete.
    Absent,
    /// A company holiday.
    Holiday,
    /// On leave.
    OnLeave,
    /// Not a work day.
    DayOff,
    /// The window is still open, or attendance is not yet known complete past it.
    Pending,
}

impl DayStatus {
    pub const ALL: [Self; 10] = [
        Self::Present,
        Self::Late,
        Self::EarlyLeave,
        Self::LateAndEarlyLeave,
        Self::Incomplete,
        Self::Absent,
        Self::Holiday,
        Self::OnLeave,
        Self::DayOff,
        Self::Pending,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Present => "PRESENT",
            Self::Late => "LATE",
            Self::EarlyLeave => "EARLY_LEAVE",
            Self::LateAndEarlyLeave => "LATE_AND_EARLY_LEAVE",
            Self::Incomplete => "INCOMPLETE",
            Self::Absent => "ABSENT",
            Self::Holiday => "HOLIDAY",
            Self::OnLeave => "ON_LEAVE",
            Self::DayOff => "DAY_OFF",
            Self::Pending => "PENDING",
        }
    }

    pub fn parse(s: &str) -> Self {
        Self::ALL
            .into_iter()
            .find(|status| status.as_str() == s)
            .unwrap_or(Self::Pending)
    }

    /// The short code a timesheet cell shows.
    pub fn code(self) -> &'static str {
        match self {
            Self::Present => "X",
            Self::Late => "L",
            Self::EarlyLeave => "E",
            Self::LateAndEarlyLeave => "LE",
            Self::Incomplete => "I",
            Self::Absent => "A",
            Self::Holiday => "H",
            Self::OnLeave => "P",
            Self::DayOff => "O",
            Self::Pending => "?",
        }
    }

    /// What [`code`](Self::code) means, for the legend of an export.
    pub fn meaning(self) -> &'static str {
        match self {
            Self::Present => "present",
            Self::Late => "late",
            Self::EarlyLeave => "left early",
            Self::LateAndEarlyLeave => "late and left early",
            Self::Incomplete => "one check-in only",
            Self::Absent => "absent",
            Self::Holiday => "holiday",
            Self::OnLeave => "on leave",
            Self::DayOff => "day off",
            Self::Pending => "not yet known",
        }
    }

    /// Days that count as present in a timesheet.
    pub fn present(self) -> bool {
        matches!(
            self,
            Self::Present | Self::Late | Self::EarlyLeave | Self::LateAndEarlyLeave
        )
    }
}

/// The status a stored day reads as: its stored status once attendance is known complete past
/// the window's end (`complete_until`), else `PENDING` — unless the day is a holiday, leave or
/// day off, which no check-in changes.
pub fn resolve(
    stored: DayStatus,
    kind: DayKind,
    window_end: DateTime<Utc>,
    complete_until: Option<DateTime<Utc>>,
) -> DayStatus {
    if kind.settled() || complete_until.is_some_and(|c| c >= window_end) {
        stored
    } else {
        DayStatus::Pending
    }
}
