#!/usr/bin/python3
"""icalcheck.py — parses iCalendar files back with python-icalendar and
vobject (Debian's python3-icalendar and python3-vobject), as Python-based
clients and servers would (Radicale, calendar-cli, Home Assistant).

usage: icalcheck.py FILE...
Prints one JSON object: {"icalendar": {uid: [start, end]}, "vobject": {...}}
with UTC seconds, per file in order. Any warning or error exits with 1, so
the tests see "no warnings" as a fact, not a hope."""
import json
import sys
import warnings
from datetime import date, datetime, time, timezone

warnings.simplefilter("error")  # a warning is a failure

import icalendar  # noqa: E402
import vobject  # noqa: E402


def seconds(v):
    if isinstance(v, datetime):
        if v.tzinfo is None:
            raise ValueError(f"floating time {v} in a feed")
        return int(v.astimezone(timezone.utc).timestamp())
    if isinstance(v, date):
        return int(datetime.combine(v, time(), timezone.utc).timestamp())
    raise ValueError(f"not a time: {v!r}")


def with_icalendar(text):
    cal = icalendar.Calendar.from_ical(text)
    if cal.errors:
        raise ValueError(f"icalendar: {cal.errors}")
    out = {}
    for ev in cal.walk("VEVENT"):
        if ev.errors:
            raise ValueError(f"icalendar: {ev.errors}")
        out[str(ev["UID"])] = [seconds(ev.decoded("DTSTART")), seconds(ev.decoded("DTEND"))]
    return out


def with_vobject(text):
    cal = vobject.readOne(text, validate=True)
    out = {}
    for ev in cal.vevent_list if hasattr(cal, "vevent_list") else []:
        out[ev.uid.value] = [seconds(ev.dtstart.value), seconds(ev.dtend.value)]
    return out


def main():
    result = []
    for name in sys.argv[1:]:
        with open(name, encoding="utf-8", newline="") as f:
            text = f.read()
        result.append({"icalendar": with_icalendar(text), "vobject": with_vobject(text)})
    print(json.dumps(result))


if __name__ == "__main__":
    try:
        main()
    except Exception as e:  # noqa: BLE001 - any failure is the answer
        print(f"{type(e).__name__}: {e}", file=sys.stderr)
        sys.exit(1)
