//! The day rules, case by case (design §8).

use super::*;
use chrono::{DateTime, NaiveDate, Utc};
use uuid::Uuid;

fn at(s: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(s)
        .map(|d| d.with_timezone(&Utc))
        .expect("time")
}

fn rules(zone: &str, start_hour: i32) -> DayRules {
    DayRules {
        tz: zone.parse().expect("tz"),
        start_hour,
    }
}

fn date(s: &str) -> NaiveDate {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").expect("date")
}

fn hm(s: &str) -> i32 {
    let (h, m) = s.split_once(':').expect("HH:MM");
    h.parse::<i32>().expect("hour") * 60 + m.parse::<i32>().expect("minute")
}

/// 08:00–17:00, break 12:00–13:00, 5 minutes' grace both ways, Monday to Friday.
fn office() -> Shift {
    Shift {
        id: Uuid::nil(),
        start: hm("08:00"),
        end: hm("17:00"),
        pause: Some((hm("12:00"), hm("13:00"))),
        late_grace: 5,
        early_grace: 5,
        work_days: 0b001_1111,
        opens_before: 120,
        closes_after: 360,
    }
}

/// 22:00–06:00 the next morning, no break, every day.
fn night() -> Shift {
    Shift {
        start: hm("22:00"),
        end: hm("06:00"),
        pause: None,
        late_grace: 0,
        early_grace: 0,
        work_days: 0b111_1111,
        ..office()
    }
}

const VN: &str = "Asia/Ho_Chi_Minh";
/// A Wednesday.
const WED: &str = "2026-10-07";

fn office_day(times: &[&str]) -> Day {
    let plan = rules(VN, 0).plan(date(WED), Some(&office()), false, false);
    day(&plan, checkins(times))
}

fn checkins(times: &[&str]) -> Option<Checkins> {
    times
        .iter()
        .map(|t| Checkins::one(at(t)))
        .reduce(Checkins::merge)
}

#[test]
fn on_time_is_present_and_the_break_is_not_worked() {
    let d = office_day(&["2026-10-07T07:55:00+07:00", "2026-10-07T17:05:00+07:00"]);
    assert_eq!(d.status, DayStatus::Present);
    assert_eq!((d.late_minutes, d.early_leave_minutes), (0, 0));
    // 07:55–17:05 is 550 minutes, less the hour of break; 5 minutes after 17:00 are overtime.
    assert_eq!((d.worked_minutes, d.overtime_minutes), (490, 5));
}

#[test]
fn late_within_the_grace_period_is_present() {
    let d = office_day(&["2026-10-07T08:05:00+07:00", "2026-10-07T17:00:00+07:00"]);
    assert_eq!((d.status, d.late_minutes), (DayStatus::Present, 0));
}

#[test]
fn late_beyond_the_grace_period_counts_every_minute() {
    let d = office_day(&["2026-10-07T08:20:30+07:00", "2026-10-07T17:00:00+07:00"]);
    assert_eq!((d.status, d.late_minutes), (DayStatus::Late, 20));
}

#[test]
fn leaving_early_beyond_the_grace_period_is_early_leave() {
    let d = office_day(&["2026-10-07T08:00:00+07:00", "2026-10-07T16:30:00+07:00"]);
    assert_eq!(
        (d.status, d.early_leave_minutes),
        (DayStatus::EarlyLeave, 30)
    );
    let within = office_day(&["2026-10-07T08:00:00+07:00", "2026-10-07T16:56:00+07:00"]);
    assert_eq!(
        (within.status, within.early_leave_minutes),
        (DayStatus::Present, 0)
    );
}

#[test]
fn late_and_early_leave_together() {
    let d = office_day(&["2026-10-07T09:00:00+07:00", "2026-10-07T16:00:00+07:00"]);
    assert_eq!(d.status, DayStatus::LateAndEarlyLeave);
    assert_eq!((d.late_minutes, d.early_leave_minutes), (60, 60));
    assert_eq!(d.worked_minutes, 6 * 60);
}

#[test]
fn one_check_in_is_incomplete_and_worked_nothing() {
    let d = office_day(&["2026-10-07T08:30:00+07:00"]);
    assert_eq!(d.status, DayStatus::Incomplete);
    assert_eq!(
        (d.worked_minutes, d.early_leave_minutes, d.late_minutes),
        (0, 0, 30)
    );
}

#[test]
fn a_work_day_without_check_ins_is_absent_only_once_known_complete() {
    let plan = rules(VN, 0).plan(date(WED), Some(&office()), false, false);
    assert!(plan.stored_without_checkins());
    let d = day(&plan, None);
    assert_eq!(d.status, DayStatus::Absent);
    // The window closes at 17:00 + 6 h = 23:00 local.
    assert_eq!(plan.window.1, at("2026-10-07T23:00:00+07:00"));
    let read = |until: Option<&str>| resolve(d.status, plan.kind, plan.window.1, until.map(at));
    assert_eq!(read(None), DayStatus::Pending);
    assert_eq!(read(Some("2026-10-07T22:59:00+07:00")), DayStatus::Pending);
    assert_eq!(read(Some("2026-10-07T23:00:00+07:00")), DayStatus::Absent);
}

#[test]
fn a_day_off_is_not_stored_unless_worked_and_then_all_of_it_is_overtime() {
    let saturday = date("2026-10-10");
    let plan = rules(VN, 0).plan(saturday, Some(&office()), false, false);
    assert_eq!(plan.kind, DayKind::DayOff);
    assert!(!plan.stored_without_checkins());
    let d = day(
        &plan,
        checkins(&["2026-10-10T09:00:00+07:00", "2026-10-10T11:00:00+07:00"]),
    );
    assert_eq!(d.status, DayStatus::DayOff);
    assert_eq!(
        (d.worked_minutes, d.overtime_minutes, d.late_minutes),
        (120, 120, 0)
    );
    // Settled: no waiting for the watermark.
    assert_eq!(
        resolve(d.status, plan.kind, plan.window.1, None),
        DayStatus::DayOff
    );
}

#[test]
fn a_holiday_wins_and_work_on_it_is_overtime() {
    let plan = rules(VN, 0).plan(date(WED), Some(&office()), true, true);
    assert_eq!(plan.kind, DayKind::Holiday);
    assert!(plan.stored_without_checkins());
    assert_eq!(day(&plan, None).status, DayStatus::Holiday);
    let worked = day(
        &plan,
        checkins(&["2026-10-07T08:00:00+07:00", "2026-10-07T10:00:00+07:00"]),
    );
    assert_eq!(
        (worked.status, worked.overtime_minutes),
        (DayStatus::Holiday, 120)
    );
}

#[test]
fn leave_is_on_leave_without_lateness() {
    let plan = rules(VN, 0).plan(date(WED), Some(&office()), false, true);
    let d = day(&plan, None);
    assert_eq!(d.status, DayStatus::OnLeave);
    assert_eq!(
        resolve(d.status, plan.kind, plan.window.1, None),
        DayStatus::OnLeave
    );
    let came = day(&plan, checkins(&["2026-10-07T10:00:00+07:00"]));
    assert_eq!((came.status, came.late_minutes), (DayStatus::OnLeave, 0));
}

#[test]
fn a_night_shift_is_one_day_across_midnight() {
    let r = rules(VN, 0);
    let shift = night();
    let plan_of = |d: NaiveDate| Some(r.plan(d, Some(&shift), false, false));
    let evening = at("2026-10-07T21:55:00+07:00");
    let morning = at("2026-10-08T06:10:00+07:00");
    let (d1, plan) = locate(&r, evening, plan_of).expect("evening");
    let (d2, _) = locate(&r, morning, plan_of).expect("morning");
    assert_eq!((d1, d2), (date(WED), date(WED)));
    let d = day(
        &plan,
        checkins(&["2026-10-07T21:55:00+07:00", "2026-10-08T06:10:00+07:00"]),
    );
    assert_eq!(d.status, DayStatus::Present);
    assert_eq!((d.worked_minutes, d.overtime_minutes), (495, 10));
}

#[test]
fn only_the_part_of_the_stay_inside_the_break_is_taken_off() {
    // Arrives in the middle of the break: only 12:30–13:00 of it overlaps.
    let d = office_day(&["2026-10-07T12:30:00+07:00", "2026-10-07T17:00:00+07:00"]);
    assert_eq!(d.worked_minutes, 240);
    assert_eq!(d.late_minutes, 270);
}

#[test]
fn a_check_in_early_in_the_morning_belongs_to_that_day_and_one_late_at_night_to_none() {
    let r = rules(VN, 0);
    let shift = office();
    let plan_of = |d: NaiveDate| Some(r.plan(d, Some(&shift), false, false));
    // Thursday 06:30 is inside Thursday's window (it opens at 06:00), not Wednesday's.
    let (d, _) = locate(&r, at("2026-10-08T06:30:00+07:00"), plan_of).expect("located");
    assert_eq!(d, date("2026-10-08"));
    // Wednesday's window closed at 23:00 and Thursday's opens at 06:00.
    assert_eq!(locate(&r, at("2026-10-07T23:30:00+07:00"), plan_of), None);
}

#[test]
fn a_night_shift_over_the_spring_dst_change_is_an_hour_shorter() {
    // New York moved from 02:00 to 03:00 on 2026-03-08.
    let r = rules("America/New_York", 0);
    let plan = r.plan(date("2026-03-07"), Some(&night()), false, false);
    assert_eq!(
        plan.shift,
        Some((
            at("2026-03-07T22:00:00-05:00"),
            at("2026-03-08T06:00:00-04:00")
        ))
    );
    let d = day(
        &plan,
        checkins(&["2026-03-07T22:00:00-05:00", "2026-03-08T06:00:00-04:00"]),
    );
    assert_eq!((d.status, d.worked_minutes), (DayStatus::Present, 7 * 60));
}

#[test]
fn without_a_schedule_the_day_starts_at_the_workday_start_hour_and_is_never_late() {
    let r = rules(VN, 6);
    let plan = r.plan(date(WED), None, false, false);
    assert_eq!(
        plan.window,
        (
            at("2026-10-07T06:00:00+07:00"),
            at("2026-10-08T06:00:00+07:00")
        )
    );
    assert!(!plan.stored_without_checkins());
    let d = day(
        &plan,
        checkins(&["2026-10-07T11:00:00+07:00", "2026-10-07T23:30:00+07:00"]),
    );
    assert_eq!(
        (d.status, d.late_minutes, d.overtime_minutes),
        (DayStatus::Present, 0, 0)
    );
    assert_eq!(d.worked_minutes, 750);
}

#[test]
fn a_night_shift_is_one_day_when_the_day_starts_in_the_morning() {
    let late = at("2026-11-10T23:30:00+07:00");
    let early = at("2026-11-11T00:30:00+07:00");
    let midnight = rules(VN, 0);
    let six = rules(VN, 6);
    assert_ne!(midnight.day_of(late), midnight.day_of(early));
    assert_eq!(six.day_of(late), six.day_of(early));
    assert_eq!(six.day_of(early), date("2026-11-10"));
    assert_eq!(
        six.day_start(date("2026-11-10")),
        at("2026-11-10T06:00:00+07:00")
    );
}

#[test]
fn a_day_starting_in_a_dst_gap_starts_at_the_first_valid_moment() {
    let ny = rules("America/New_York", 2);
    assert_eq!(
        ny.day_start(date("2026-03-08")),
        at("2026-03-08T03:00:00-04:00")
    );
    assert_eq!(
        ny.day_of(at("2026-03-08T03:30:00-04:00")),
        date("2026-03-08")
    );
    assert_eq!(
        ny.day_of(at("2026-03-08T01:59:00-05:00")),
        date("2026-03-07")
    );
}

#[test]
fn merging_check_ins_in_any_order_gives_the_same_day() {
    let times = [
        "2026-10-01T12:00:00Z",
        "2026-10-01T01:00:00Z",
        "2026-10-01T10:00:00Z",
    ];
    let forward = checkins(&times);
    let backward = checkins(&[times[2], times[1], times[0]]);
    assert_eq!(forward, backward);
    assert_eq!(
        forward.map(|c| (c.first, c.last, c.count)),
        Some((at(times[1]), at(times[0]), 3))
    );
}
