"""Build localities/data/points-<version>.json from an unpacked `vietnamadminunits` wheel: the
centroid of each of the 34 provinces and 3,321 communes, wards and special zones of the
register, by official code.

    pip download vietnamadminunits==1.0.4 --no-deps -d /tmp/vau
    cd /tmp/vau && unzip -q vietnamadminunits-1.0.4-py3-none-any.whl -d x
    python docs/build_points.py /tmp/vau/x [--built-on YYYY-MM-DD]

The package's data file (`vietnamadminunits/data/dataset.db`, SQLite, table `admin_units`) is
read with sqlite3; the package is never imported. Its SHA-256 is recorded in the output. Nothing
in the output is typed by hand. Pass --built-on with the date in the committed file to
reproduce it byte for byte.
"""

import argparse
import datetime
import hashlib
import json
import sqlite3
import sys
from pathlib import Path

PACKAGE = "vietnamadminunits"
LICENCE = "MIT"
SOURCE = (
    "Centroids of the administrative units in force since 1-7-2025, as carried by the PyPI "
    "package vietnamadminunits (https://github.com/tranngocminhhieu/vietnamadminunits)"
)
DATASET = Path("vietnamadminunits") / "data" / "dataset.db"
OUTPUT_DIR = Path(__file__).resolve().parent.parent / "localities" / "data"


def version_of(unpacked):
    for info in unpacked.glob(f"{PACKAGE}-*.dist-info"):
        return info.name.removeprefix(f"{PACKAGE}-").removesuffix(".dist-info")
    sys.exit(f"No {PACKAGE} .dist-info in {unpacked}")


def build(unpacked, built_on):
    dataset = unpacked / DATASET
    checksum = hashlib.sha256(dataset.read_bytes()).hexdigest()
    rows = sqlite3.connect(f"file:{dataset}?mode=ro", uri=True).execute(
        "SELECT provinceCode, provinceLat, provinceLon, wardCode, wardLat, wardLon "
        "FROM admin_units ORDER BY provinceCode, wardCode"
    )
    points = {}
    for province, province_lat, province_lon, ward, ward_lat, ward_lon in rows:
        # Six decimals (about 0.1 m), as localities.Locality keeps them.
        points[province] = [round(province_lat, 6), round(province_lon, 6)]
        points[ward] = [round(ward_lat, 6), round(ward_lon, 6)]
    return {
        "source": SOURCE,
        "package": PACKAGE,
        "version": version_of(unpacked),
        "licence": LICENCE,
        "file": str(DATASET),
        "sha256": checksum,
        "built_on": built_on,
        "points": dict(sorted(points.items())),
    }


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("unpacked", type=Path, help="the unpacked wheel")
    parser.add_argument(
        "--built-on", default=datetime.datetime.now(datetime.UTC).date().isoformat()
    )
    args = parser.parse_args()
    data = build(args.unpacked, args.built_on)
    output = OUTPUT_DIR / f"points-{data['version']}.json"
    # One point a line: a new version's changes read as a diff.
    points = data.pop("points")
    head = json.dumps(data, ensure_ascii=False, indent=1)[:-2]
    lines = ",\n".join(
        f" {json.dumps(code)}: {json.dumps(point)}" for code, point in points.items()
    )
    output.write_text(f'{head},\n "points": {{\n{lines}\n }}\n}}\n', encoding="utf-8")
    data["points"] = points
    print(f"{output}: {len(data['points'])} points")


if __name__ == "__main__":
    main()
