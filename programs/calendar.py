"""The plan as a calendar of reminders (RFC 5545), so that no e-mail address is needed.

One event a day from today to the end of the plan, at the time the runner chose, each with
a reminder and a link back to today's page (the plan can change with the check-ins, so the
event names the kind of day and the page says what to do).
"""

import hashlib
from datetime import datetime, time, timedelta

from django.utils import timezone
from icalendar import Alarm, Calendar, Event

from programs import builder

PRODUCT_ID = "-//Runner's back check//Daily plan//EN"
MIN_MINUTES = 10  # an event long enough to see in a day view
SUMMARIES = {
    builder.TRAINING: "Back routine: about {minutes} min",
    builder.EASY: "Easy day: walk and gentle movement",
    builder.REST: "Rest day: easy walking and gentle movement",
    builder.GENTLE_DAY: "Gentle movement: about {minutes} min",
}


def plan_calendar(program: builder.Program, at: time, url: str, key: str) -> bytes:
    """The days of the plan from today on, at `at` (the runner's own clock: floating times),
    linking to `url`. `key` names the plan in the events' UIDs without revealing it."""
    calendar = Calendar()
    calendar.add("prodid", PRODUCT_ID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("x-wr-calname", "Back routine")
    plan = hashlib.sha256(key.encode()).hexdigest()[:24]
    stamp = timezone.now()
    for day in program.days:
        if day.date < program.as_of or day.kind not in SUMMARIES:
            continue
        calendar.add_component(day_event(day, at, url, f"{plan}-day-{day.number}@runners-back-check", stamp))
    return calendar.to_ical()


def day_event(day: builder.Day, at: time, url: str, uid: str, stamp: datetime) -> Event:
    start = datetime.combine(day.date, at)
    event = Event()
    event.add("uid", uid)
    event.add("dtstamp", stamp)
    event.add("dtstart", start)
    event.add("dtend", start + timedelta(minutes=max(day.minutes, MIN_MINUTES)))
    event.add("summary", SUMMARIES[day.kind].format(minutes=day.minutes))
    event.add(
        "description",
        f"Day {day.number} of your plan. Open today's plan for the exercises: it changes with your check-ins.\n{url}",
    )
    event.add("url", url)
    alarm = Alarm()
    alarm.add("action", "DISPLAY")
    alarm.add("description", "Time for your back routine")
    alarm.add("trigger", timedelta(0))
    event.add_component(alarm)
    return event
