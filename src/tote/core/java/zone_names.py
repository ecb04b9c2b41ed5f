"""Java's English (Locale.US) time zone names, as JDK 17 prints and reads them.

No Python library carries Java's names: its short names mix CLDR's (`EST`, `PST`) with the
JDK's own legacy ones (`IST`, `JST`, `BRT`, `NPT`) where tzdata now has numbers (`-03`),
and its reading of a name picks zones of its own (`IST` is Africa/Abidjan to
DateTimeFormatter, +02:00 to SimpleDateFormat). So the widely used zones are listed here,
each row checked against JDK 17. A zone not listed takes the names of a listed zone with
the same tzdata abbreviation and offset at that moment (America/Detroit is Eastern time),
else its abbreviation when that is a word, else the form Java gives a zone it has no
name for (`GMT-03:00`): right for about half of Java's zones, all the common ones.
"""

from __future__ import annotations

import datetime
from zoneinfo import ZoneInfo

# (short standard, short daylight, long standard, long daylight): zones with those names.
_NAMES: dict[tuple[str, str, str, str], tuple[str, ...]] = {
    ("EST", "EDT", "Eastern Standard Time", "Eastern Daylight Time"):
        ("America/New_York", "America/Toronto"),
    ("CST", "CDT", "Central Standard Time", "Central Daylight Time"):
        ("America/Chicago", "America/Mexico_City"),
    ("MST", "MDT", "Mountain Standard Time", "Mountain Daylight Time"):
        ("America/Denver", "America/Phoenix"),
    ("PST", "PDT", "Pacific Standard Time", "Pacific Daylight Time"):
        ("America/Los_Angeles", "America/Vancouver"),
    ("AKST", "AKDT", "Alaska Standard Time", "Alaska Daylight Time"):
        ("America/Anchorage",),
    ("HST", "HDT", "Hawaii-Aleutian Standard Time", "Hawaii-Aleutian Daylight Time"):
        ("Pacific/Honolulu",),
    ("AST", "ADT", "Atlantic Standard Time", "Atlantic Daylight Time"):
        ("America/Halifax",),
    ("NST", "NDT", "Newfoundland Standard Time", "Newfoundland Daylight Time"):
        ("America/St_Johns",),
    ("BRT", "BRST", "Brasilia Standard Time", "Brasilia Summer Time"):
        ("America/Sao_Paulo",),
    ("ART", "ARST", "Argentina Standard Time", "Argentina Summer Time"):
        ("America/Argentina/Buenos_Aires",),
    ("COT", "COST", "Colombia Standard Time", "Colombia Summer Time"):
        ("America/Bogota",),
    ("PET", "PEST", "Peru Standard Time", "Peru Summer Time"):
        ("America/Lima",),
    ("CLT", "CLST", "Chile Standard Time", "Chile Summer Time"):
        ("America/Santiago",),
    ("GMT", "BST", "Greenwich Mean Time", "British Summer Time"):
        ("Europe/London",),
    ("GMT", "IST", "Greenwich Mean Time", "Irish Standard Time"):
        ("Europe/Dublin",),
    ("WET", "WEST", "Western European Standard Time", "Western European Summer Time"):
        ("Europe/Lisbon",),
    ("CET", "CEST", "Central European Standard Time", "Central European Summer Time"):
        ("Europe/Paris", "Europe/Berlin", "Europe/Madrid", "Europe/Rome", "Europe/Amsterdam",
        "Europe/Brussels", "Europe/Vienna", "Europe/Zurich", "Europe/Stockholm", "Europe/Oslo",
        "Europe/Copenhagen", "Europe/Warsaw", "Europe/Prague", "Europe/Budapest"),
    ("EET", "EEST", "Eastern European Standard Time", "Eastern European Summer Time"):
        ("Europe/Athens", "Europe/Helsinki", "Europe/Kiev", "Europe/Kyiv", "Europe/Bucharest",
        "Africa/Cairo"),
    ("TRT", "TRST", "Turkey Time", "Turkey Summer Time"):
        ("Europe/Istanbul",),
    ("MSK", "MSD", "Moscow Standard Time", "Moscow Summer Time"):
        ("Europe/Moscow",),
    ("SAST", "SAST", "South Africa Standard Time", "South Africa Summer Time"):
        ("Africa/Johannesburg",),
    ("WAT", "WAST", "West Africa Standard Time", "West Africa Summer Time"):
        ("Africa/Lagos",),
    ("EAT", "EAST", "East Africa Time", "Eastern African Summer Time"):
        ("Africa/Nairobi",),
    ("IST", "IDT", "India Standard Time", "India Daylight Time"):
        ("Asia/Kolkata", "Asia/Calcutta"),
    ("GST", "GDT", "Gulf Standard Time", "Gulf Daylight Time"):
        ("Asia/Dubai",),
    ("PKT", "PKST", "Pakistan Standard Time", "Pakistan Summer Time"):
        ("Asia/Karachi",),
    ("BDT", "BDST", "Bangladesh Standard Time", "Bangladesh Summer Time"):
        ("Asia/Dhaka",),
    ("NPT", "NPST", "Nepal Time", "Nepal Summer Time"):
        ("Asia/Kathmandu",),
    ("ICT", "ICST", "Indochina Time", "Indochina Summer Time"):
        ("Asia/Bangkok",),
    ("WIB", "WIST", "Western Indonesia Time", "West Indonesia Summer Time"):
        ("Asia/Jakarta",),
    ("SGT", "SGST", "Singapore Standard Time", "Singapore Summer Time"):
        ("Asia/Singapore",),
    ("HKT", "HKST", "Hong Kong Standard Time", "Hong Kong Summer Time"):
        ("Asia/Hong_Kong",),
    ("CST", "CDT", "China Standard Time", "China Daylight Time"):
        ("Asia/Shanghai",),
    ("CST", "CDT", "Taipei Standard Time", "Taipei Daylight Time"):
        ("Asia/Taipei",),
    ("PST", "PDT", "Philippine Standard Time", "Philippine Summer Time"):
        ("Asia/Manila",),
    ("KST", "KDT", "Korean Standard Time", "Korean Daylight Time"):
        ("Asia/Seoul",),
    ("JST", "JDT", "Japan Standard Time", "Japan Daylight Time"):
        ("Asia/Tokyo",),
    ("IST", "IDT", "Israel Standard Time", "Israel Daylight Time"):
        ("Asia/Jerusalem",),
    ("IRST", "IRDT", "Iran Standard Time", "Iran Daylight Time"):
        ("Asia/Tehran",),
    ("AEST", "AEDT", "Australian Eastern Standard Time", "Australian Eastern Daylight Time"):
        ("Australia/Sydney", "Australia/Melbourne", "Australia/Brisbane"),
    ("ACST", "ACDT", "Australian Central Standard Time", "Australian Central Daylight Time"):
        ("Australia/Adelaide", "Australia/Darwin"),
    ("AWST", "AWDT", "Australian Western Standard Time", "Australian Western Daylight Time"):
        ("Australia/Perth",),
    ("NZST", "NZDT", "New Zealand Standard Time", "New Zealand Daylight Time"):
        ("Pacific/Auckland",),
    ("UTC", "UTC", "Coordinated Universal Time", "Coordinated Universal Time"):
        ("UTC", "Etc/UTC"),
    ("GMT", "GMT", "Greenwich Mean Time", "Greenwich Mean Time"):
        ("GMT", "Etc/GMT"),
}
# A name read: the zone DateTimeFormatter gives it, and the fixed offset in minutes
# SimpleDateFormat gives it (a daylight name's offset includes the daylight saving).
_PARSED: dict[str, tuple[str, int]] = {
    "ACDT": ("Australia/Adelaide", 570),
    "ACST": ("America/Rio_Branco", 570),
    "ADT": ("America/Halifax", -180),
    "AEDT": ("Australia/Sydney", 660),
    "AEST": ("Australia/Sydney", 600),
    "AKDT": ("America/Juneau", -480),
    "AKST": ("America/Juneau", -540),
    "ARST": ("America/Argentina/Buenos_Aires", -180),
    "ART": ("America/Argentina/Buenos_Aires", -180),
    "AST": ("America/Halifax", -240),
    "AWDT": ("Australia/Perth", 480),
    "AWST": ("Australia/Perth", 480),
    "BDST": ("Asia/Dhaka", 360),
    "BDT": ("Asia/Dhaka", 360),
    "BRST": ("America/Sao_Paulo", -180),
    "BRT": ("America/Sao_Paulo", -180),
    "BST": ("Pacific/Bougainville", 60),
    "CDT": ("America/Chicago", -300),
    "CEST": ("Europe/Paris", 120),
    "CET": ("Europe/Paris", 60),
    "CLST": ("Antarctica/Palmer", -180),
    "CLT": ("Antarctica/Palmer", -240),
    "COST": ("America/Bogota", -300),
    "COT": ("America/Bogota", -300),
    "CST": ("America/Chicago", -360),
    "EAST": ("Pacific/Easter", 180),
    "EAT": ("Africa/Nairobi", 180),
    "EDT": ("America/New_York", -240),
    "EEST": ("Europe/Bucharest", 180),
    "EET": ("Europe/Bucharest", 120),
    "EST": ("America/New_York", -300),
    "GDT": ("Atlantic/South_Georgia", 240),
    "GMT": ("GMT", 0),
    "GST": ("Atlantic/South_Georgia", 240),
    "HDT": ("Pacific/Honolulu", -600),
    "HKST": ("Asia/Hong_Kong", 480),
    "HKT": ("Asia/Hong_Kong", 480),
    "HST": ("Pacific/Honolulu", -600),
    "ICST": ("Asia/Bangkok", 420),
    "ICT": ("Asia/Bangkok", 420),
    "IDT": ("Asia/Kolkata", 180),
    "IRDT": ("Asia/Tehran", 210),
    "IRST": ("Asia/Tehran", 210),
    "IST": ("Africa/Abidjan", 120),
    "JDT": ("Asia/Tokyo", 540),
    "JST": ("Asia/Tokyo", 540),
    "KDT": ("Asia/Seoul", 540),
    "KST": ("Asia/Seoul", 540),
    "MDT": ("America/Denver", -360),
    "MSD": ("Europe/Moscow", 180),
    "MSK": ("Europe/Moscow", 180),
    "MST": ("America/Denver", -420),
    "NDT": ("America/St_Johns", -150),
    "NPST": ("Asia/Kathmandu", 345),
    "NPT": ("Asia/Kathmandu", 345),
    "NST": ("America/St_Johns", -210),
    "NZDT": ("Pacific/Auckland", 780),
    "NZST": ("Pacific/Auckland", 720),
    "PDT": ("America/Los_Angeles", -420),
    "PEST": ("America/Lima", -300),
    "PET": ("America/Lima", -300),
    "PKST": ("Asia/Karachi", 300),
    "PKT": ("Asia/Karachi", 300),
    "PST": ("America/Los_Angeles", -480),
    "SAST": ("Africa/Johannesburg", 120),
    "SGST": ("Asia/Singapore", 480),
    "SGT": ("Asia/Singapore", 480),
    "TRST": ("Europe/Istanbul", 180),
    "TRT": ("Europe/Istanbul", 180),
    "UTC": ("UTC", 0),
    "WAST": ("Africa/Lagos", 60),
    "WAT": ("Africa/Lagos", 60),
    "WEST": ("Atlantic/Canary", 60),
    "WET": ("Atlantic/Canary", 0),
    "WIB": ("Asia/Jakarta", 420),
    "WIST": ("Asia/Jakarta", 420),
    "Alaska Daylight Time": ("America/Juneau", -480),
    "Alaska Standard Time": ("America/Juneau", -540),
    "Argentina Standard Time": ("America/Argentina/Buenos_Aires", -180),
    "Argentina Summer Time": ("America/Argentina/Buenos_Aires", -180),
    "Atlantic Daylight Time": ("America/Halifax", -180),
    "Atlantic Standard Time": ("America/Halifax", -240),
    "Australian Central Daylight Time": ("Australia/Adelaide", 570),
    "Australian Central Standard Time": ("Australia/Adelaide", 570),
    "Australian Eastern Daylight Time": ("Australia/Sydney", 660),
    "Australian Eastern Standard Time": ("Australia/Sydney", 600),
    "Australian Western Daylight Time": ("Australia/Perth", 480),
    "Australian Western Standard Time": ("Australia/Perth", 480),
    "Bangladesh Standard Time": ("Asia/Dhaka", 360),
    "Bangladesh Summer Time": ("Asia/Dhaka", 360),
    "Brasilia Standard Time": ("America/Sao_Paulo", -180),
    "Brasilia Summer Time": ("America/Sao_Paulo", -180),
    "British Summer Time": ("Africa/Abidjan", 60),
    "Central Daylight Time": ("America/Chicago", -300),
    "Central European Standard Time": ("Europe/Paris", 60),
    "Central European Summer Time": ("Europe/Paris", 120),
    "Central Standard Time": ("America/Chicago", -360),
    "Chile Standard Time": ("America/Santiago", -240),
    "Chile Summer Time": ("Antarctica/Palmer", -180),
    "China Daylight Time": ("Asia/Shanghai", 480),
    "China Standard Time": ("Asia/Shanghai", 480),
    "Colombia Standard Time": ("America/Bogota", -300),
    "Colombia Summer Time": ("America/Bogota", -300),
    "Coordinated Universal Time": ("Etc/UTC", 0),
    "East Africa Time": ("Africa/Nairobi", 180),
    "Eastern African Summer Time": ("Africa/Nairobi", 180),
    "Eastern Daylight Time": ("America/New_York", -240),
    "Eastern European Standard Time": ("Europe/Bucharest", 120),
    "Eastern European Summer Time": ("Europe/Bucharest", 180),
    "Eastern Standard Time": ("America/New_York", -300),
    "Greenwich Mean Time": ("Africa/Abidjan", 0),
    "Gulf Daylight Time": ("Asia/Dubai", 240),
    "Gulf Standard Time": ("Asia/Dubai", 240),
    "Hawaii-Aleutian Daylight Time": ("Pacific/Honolulu", -600),
    "Hawaii-Aleutian Standard Time": ("Pacific/Honolulu", -600),
    "Hong Kong Standard Time": ("Asia/Hong_Kong", 480),
    "Hong Kong Summer Time": ("Asia/Hong_Kong", 480),
    "India Daylight Time": ("Asia/Kolkata", 330),
    "India Standard Time": ("Asia/Kolkata", 330),
    "Indochina Summer Time": ("Asia/Bangkok", 420),
    "Indochina Time": ("Asia/Bangkok", 420),
    "Iran Daylight Time": ("Asia/Tehran", 210),
    "Iran Standard Time": ("Asia/Tehran", 210),
    "Irish Standard Time": ("Africa/Abidjan", 60),
    "Israel Daylight Time": ("Asia/Jerusalem", 180),
    "Israel Standard Time": ("Asia/Jerusalem", 120),
    "Japan Daylight Time": ("Asia/Tokyo", 540),
    "Japan Standard Time": ("Asia/Tokyo", 540),
    "Korean Daylight Time": ("Asia/Seoul", 540),
    "Korean Standard Time": ("Asia/Seoul", 540),
    "Moscow Standard Time": ("Europe/Moscow", 180),
    "Moscow Summer Time": ("Europe/Moscow", 180),
    "Mountain Daylight Time": ("America/Denver", -360),
    "Mountain Standard Time": ("America/Denver", -420),
    "Nepal Summer Time": ("Asia/Kathmandu", 345),
    "Nepal Time": ("Asia/Kathmandu", 345),
    "New Zealand Daylight Time": ("Pacific/Auckland", 780),
    "New Zealand Standard Time": ("Pacific/Auckland", 720),
    "Newfoundland Daylight Time": ("America/St_Johns", -150),
    "Newfoundland Standard Time": ("America/St_Johns", -210),
    "Pacific Daylight Time": ("America/Los_Angeles", -420),
    "Pacific Standard Time": ("America/Los_Angeles", -480),
    "Pakistan Standard Time": ("Asia/Karachi", 300),
    "Pakistan Summer Time": ("Asia/Karachi", 300),
    "Peru Standard Time": ("America/Lima", -300),
    "Peru Summer Time": ("America/Lima", -300),
    "Philippine Standard Time": ("Asia/Manila", 480),
    "Philippine Summer Time": ("Asia/Manila", 480),
    "Singapore Standard Time": ("Asia/Singapore", 480),
    "Singapore Summer Time": ("Asia/Singapore", 480),
    "South Africa Standard Time": ("Africa/Johannesburg", 120),
    "South Africa Summer Time": ("Africa/Johannesburg", 120),
    "Taipei Daylight Time": ("Asia/Taipei", 480),
    "Taipei Standard Time": ("Asia/Taipei", 480),
    "Turkey Summer Time": ("Europe/Istanbul", 180),
    "Turkey Time": ("Europe/Istanbul", 180),
    "West Africa Standard Time": ("Africa/Lagos", 60),
    "West Africa Summer Time": ("Africa/Lagos", 60),
    "West Indonesia Summer Time": ("Asia/Jakarta", 420),
    "Western European Standard Time": ("Atlantic/Canary", 0),
    "Western European Summer Time": ("Atlantic/Canary", 60),
    "Western Indonesia Time": ("Asia/Jakarta", 420),
}

_BY_ZONE = {zone: names for names, zones in _NAMES.items() for zone in zones}
# Names of the zone IDs that are fixed offsets to Java (`UTC`, `GMT`, `UT`, `Z`, `+05:30`,
# `GMT+02:00`): the ID itself, but for UTC and GMT.
_FIXED_LONG = {"UTC": "Coordinated Universal Time", "GMT": "Greenwich Mean Time"}
SHORT_NAMES = tuple(sorted((n for n in _PARSED if " " not in n), key=len, reverse=True))
LONG_NAMES = tuple(sorted((n for n in _PARSED if " " in n), key=len, reverse=True))
_FOLDED = {name.lower(): name for name in _PARSED}


def display_name(value: datetime.datetime, long: bool) -> str:
    """DateTimeFormatter's `z` (short) or `zzzz` (long) for an aware datetime."""
    tz = value.tzinfo
    label = value.tzname() or "UTC"
    if not isinstance(tz, ZoneInfo):
        return _FIXED_LONG.get(label, label) if long else label
    names = _BY_ZONE.get(tz.key) or _names_alike(value, label)
    if names is None:
        return label if label.isalpha() else _gmt_offset(value)
    short_std, short_dst, long_std, long_dst = names
    # tzdata's own abbreviation tells daylight time best (Dublin's is negative in winter).
    if short_std != short_dst and label in (short_std, short_dst):
        daylight = label == short_dst
    else:
        daylight = (value.dst() or datetime.timedelta(0)) > datetime.timedelta(0)
    return (long_dst if daylight else long_std) if long else (
        short_dst if daylight else short_std)


def _names_alike(value: datetime.datetime, label: str) -> tuple[str, str, str, str] | None:
    """The names of a listed zone that has `value`'s abbreviation and offset then."""
    for names, zones in _NAMES.items():
        if label in names[:2]:
            listed = value.astimezone(ZoneInfo(zones[0]))
            if listed.utcoffset() == value.utcoffset() and listed.tzname() == label:
                return names
    return None


def zone_id(value: datetime.datetime) -> str:
    """DateTimeFormatter's `VV`: the zone's ID."""
    tz = value.tzinfo
    return tz.key if isinstance(tz, ZoneInfo) else value.tzname() or "UTC"


def _gmt_offset(value: datetime.datetime) -> str:
    minutes = int((value.utcoffset() or datetime.timedelta(0)).total_seconds()) // 60
    sign = "-" if minutes < 0 else "+"
    return f"GMT{sign}{abs(minutes) // 60:02d}:{abs(minutes) % 60:02d}"


def parsed_zone(name: str) -> str | None:
    """The zone ID DateTimeFormatter reads a zone name as (any case), or None."""
    found = _FOLDED.get(name.lower())
    return None if found is None else _PARSED[found][0]


def parsed_offset_minutes(name: str) -> int | None:
    """The fixed offset SimpleDateFormat reads a zone name as (any case), or None."""
    found = _FOLDED.get(name.lower())
    return None if found is None else _PARSED[found][1]
