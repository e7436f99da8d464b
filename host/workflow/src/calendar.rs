//! Business calendars for SLA targets: a time zone, working hours per weekday and holidays.
//! "4 hours" of SLA on a Friday at 17:00 in Shanghai with 09:00-18:00 hours ends Monday 12:00.

use std::collections::BTreeMap;
use std::time::Duration;

use chrono::{DateTime, Datelike, NaiveDate, NaiveTime, TimeZone, Utc, Weekday};
use chrono_tz::Tz;
use serde::{Deserialize, Serialize};

/// As written in a workflow file.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CalendarDef {
    /// IANA time zone, e.g. `Asia/Shanghai`.
    pub timezone: String,
    /// Working hours per weekday (`mon` … `sun`) as `HH:MM-HH:MM` (`24:00` ends at midnight);
    /// a day not listed is closed.
    pub hours: BTreeMap<String, String>,
    /// Whole days off, `YYYY-MM-DD`, in the calendar's time zone.
    #[serde(default)]
    pub holidays: Vec<String>,
}

#[derive(Debug, Clone)]
pub struct Calendar {
    tz: Tz,
    /// Opening time and closing time; a closing time of `None` is midnight at the day's end.
    hours: [Option<(NaiveTime, Option<NaiveTime>)>; 7],
    holidays: Vec<NaiveDate>,
}

fn weekday(name: &str) -> Option<Weekday> {
    Some(match name {
        "mon" => Weekday::Mon,
        "tue" => Weekday::Tue,
        "wed" => Weekday::Wed,
        "thu" => Weekday::Thu,
        "fri" => Weekday::Fri,
        "sat" => Weekday::Sat,
        "sun" => Weekday::Sun,
        _ => return None,
    })
}

impl Calendar {
    /// Checks a definition; errors are `(field, message)` relative to the calendar.
    pub fn parse(def: &CalendarDef) -> Result<Calendar, Vec<(String, String)>> {
        let mut problems = Vec::new();
        let tz = match def.timezone.parse::<Tz>() {
            Ok(tz) => Some(tz),
            Err(_) => {
                problems.push((
                    "timezone".into(),
                    format!("`{}` is not an IANA time zone; write e.g. Asia/Shanghai or Europe/Berlin", def.timezone),
                ));
                None
            }
        };
        let mut hours = [None; 7];
        for (day, span) in &def.hours {
            let Some(wd) = weekday(day) else {
                problems.push((
                    format!("hours.{day}"),
                    format!("`{day}` is not a weekday; use mon, tue, wed, thu, fri, sat, sun"),
                ));
                continue;
            };
            let parsed = span.split_once('-').and_then(|(a, b)| {
                let start = NaiveTime::parse_from_str(a.trim(), "%H:%M").ok()?;
                let end = match b.trim() {
                    "24:00" => None,
                    b => Some(NaiveTime::parse_from_str(b, "%H:%M").ok()?),
                };
                Some((start, end))
            });
            match parsed {
                Some((start, end)) if end.is_none_or(|e| start < e) => {
                    hours[wd.num_days_from_monday() as usize] = Some((start, end))
                }
                _ => problems.push((
                    format!("hours.{day}"),
                    format!("`{span}` is not HH:MM-HH:MM with the start before the end"),
                )),
            }
        }
        if hours.iter().all(Option::is_none) {
            problems.push(("hours".into(), "no working hours on any day: an SLA could never come due".into()));
        }
        let mut holidays = Vec::new();
        for (i, day) in def.holidays.iter().enumerate() {
            match NaiveDate::parse_from_str(day, "%Y-%m-%d") {
                Ok(d) => holidays.push(d),
                Err(_) => problems.push((format!("holidays[{i}]"), format!("`{day}` is not a date; write YYYY-MM-DD"))),
            }
        }
        match tz {
            Some(tz) if problems.is_empty() => Ok(Calendar { tz, hours, holidays }),
            _ => Err(problems),
        }
    }

    /// The working window of a local date, if it is a working day.
    fn window(&self, date: NaiveDate) -> Option<(DateTime<Utc>, DateTime<Utc>)> {
        if self.holidays.contains(&date) {
            return None;
        }
        let (start, end) = self.hours[date.weekday().num_days_from_monday() as usize]?;
        // On a DST gap the earliest valid instant is used; working hours rarely sit in one.
        let at = |d: NaiveDate, t: NaiveTime| {
            self.tz.from_local_datetime(&d.and_time(t)).earliest().map(|d| d.with_timezone(&Utc))
        };
        let close = match end {
            Some(end) => at(date, end)?,
            None => at(date.succ_opt()?, NaiveTime::MIN)?,
        };
        Some((at(date, start)?, close))
    }

    /// The instant `business` working time after `from`.
    pub fn add(&self, from: DateTime<Utc>, business: Duration) -> DateTime<Utc> {
        let mut left = chrono::Duration::from_std(business).unwrap_or(chrono::Duration::MAX);
        let mut date = from.with_timezone(&self.tz).date_naive();
        // Bounded: a calendar has at least one working day a week, so ten years is plenty.
        for _ in 0..3660 {
            if let Some((open, close)) = self.window(date) {
                let start = open.max(from);
                if start < close {
                    let available = close - start;
                    if left <= available {
                        return start + left;
                    }
                    left -= available;
                }
            }
            match date.succ_opt() {
                Some(next) => date = next,
                None => break,
            }
        }
        from + left
    }

    /// Working time between two instants (zero if `to` is before `from`).
    pub fn between(&self, from: DateTime<Utc>, to: DateTime<Utc>) -> Duration {
        let mut total = chrono::Duration::zero();
        let mut date = from.with_timezone(&self.tz).date_naive();
        let last = to.with_timezone(&self.tz).date_naive();
        while date <= last {
            if let Some((open, close)) = self.window(date) {
                let (a, b) = (open.max(from), close.min(to));
                if a < b {
                    total += b - a;
                }
            }
            match date.succ_opt() {
                Some(next) => date = next,
                None => break,
            }
        }
        total.to_std().unwrap_or_default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn shanghai() -> Calendar {
        let hours =
            ["mon", "tue", "wed", "thu", "fri"].iter().map(|d| (d.to_string(), "09:00-18:00".to_string())).collect();
        Calendar::parse(&CalendarDef { timezone: "Asia/Shanghai".into(), hours, holidays: vec!["2026-10-01".into()] })
            .expect("valid")
    }

    fn utc(s: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(s).expect("rfc3339").with_timezone(&Utc)
    }

    // Friday 17:00 Shanghai (09:00 UTC) + 4 working hours: 1 h on Friday, 3 h on Monday → 12:00.
    #[test]
    fn sla_time_skips_nights_and_weekends() {
        let due = shanghai().add(utc("2026-11-20T09:00:00Z"), Duration::from_secs(4 * 3600));
        assert_eq!(due, utc("2026-11-23T04:00:00Z"));
    }

    #[test]
    fn holidays_are_not_working_time() {
        // Wednesday 2026-09-30 17:00 + 2 h: 1 h that day, the national holiday skipped, 10:00 Friday.
        let due = shanghai().add(utc("2026-09-30T09:00:00Z"), Duration::from_secs(2 * 3600));
        assert_eq!(due, utc("2026-10-02T02:00:00Z"));
    }

    #[test]
    fn a_start_outside_hours_begins_at_the_next_opening() {
        // Saturday: nothing counts until Monday 09:00.
        let due = shanghai().add(utc("2026-11-21T03:00:00Z"), Duration::from_secs(30 * 60));
        assert_eq!(due, utc("2026-11-23T01:30:00Z"));
        assert_eq!(
            shanghai().between(utc("2026-11-20T09:00:00Z"), utc("2026-11-23T04:00:00Z")),
            Duration::from_secs(4 * 3600)
        );
    }

    #[test]
    fn a_day_can_run_until_midnight() {
        let hours =
            [("sun".to_string(), "22:00-24:00".to_string()), ("mon".to_string(), "00:00-01:00".to_string())].into();
        let cal = Calendar::parse(&CalendarDef { timezone: "UTC".into(), hours, holidays: vec![] }).expect("valid");
        // Sunday 23:30 + 1 h: 30 min before midnight, 30 min after.
        assert_eq!(cal.add(utc("2026-11-22T23:30:00Z"), Duration::from_secs(3600)), utc("2026-11-23T00:30:00Z"));
    }

    #[test]
    fn bad_calendars_name_the_field() {
        let def = CalendarDef {
            timezone: "Mars/Olympus".into(),
            hours: [("mon".to_string(), "18:00-09:00".to_string()), ("funday".to_string(), "09:00-10:00".to_string())]
                .into(),
            holidays: vec!["1st of May".into()],
        };
        let problems = Calendar::parse(&def).expect_err("invalid");
        let fields: Vec<&str> = problems.iter().map(|(f, _)| f.as_str()).collect();
        assert_eq!(fields, ["timezone", "hours.funday", "hours.mon", "hours", "holidays[0]"]);
    }
}
