"""Build localities/data/register-<version>.json from an unpacked `vietnam-provinces` wheel.

The wheel needs Python 3.12 to install, but its data can be read without installing it:

    pip download vietnam-provinces==2026.9.0 --no-deps --python-version 3.12 \\
        --only-binary=:all: -d /tmp/vp
    cd /tmp/vp && unzip -q vietnam_provinces-2026.9.0-py3-none-any.whl -d x
    python docs/build_register.py /tmp/vp/x [--built-on YYYY-MM-DD]

The package's Python modules are parsed (with `ast`), never imported or executed. Nothing in the
output is typed by hand: the only choices made here are the kind mapping and which former
district-level units to record (FORMER_DISTRICTS); their names, provinces and successors are read
from the package. Pass --built-on with the date in the committed file to reproduce it byte for
byte.
"""

import argparse
import ast
import datetime
import json
import sys
from collections import Counter
from pathlib import Path

PACKAGE = "vietnam-provinces"
LICENCE = "GPL-3.0-or-later"
SOURCE = (
    "Danh mục đơn vị hành chính Việt Nam, Cục Thống kê (national statistics office catalogue of "
    "administrative units, https://danhmuchanhchinh.nso.gov.vn/), as carried by the PyPI "
    "package vietnam-provinces"
)
OUTPUT_DIR = Path(__file__).resolve().parent.parent / "localities" / "data"

# The package's division types → localities.models.LocalityKind values.
PROVINCE_KINDS = {"tỉnh": "province", "thành phố trung ương": "province"}
UNIT_KINDS = {"xã": "commune", "phường": "ward", "đặc khu": "special_zone"}

# Former district-level units (abolished on 1-7-2025) to record, by their old district code.
FORMER_DISTRICTS = [622]  # Thành phố Pleiku, Gia Lai


def _module_assignments(path):
    """Top-level `NAME = value` and `NAME: type = value` nodes of a module, by name."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    found = {}
    for node in tree.body:
        if isinstance(node, ast.Assign) and len(node.targets) == 1:
            target, value = node.targets[0], node.value
        elif isinstance(node, ast.AnnAssign) and node.value is not None:
            target, value = node.target, node.value
        else:
            continue
        if isinstance(target, ast.Name):
            found[target.id] = value
    return found


def _call_args(node, name):
    """The positional arguments of a call `name(...)`, checked."""
    if not (isinstance(node, ast.Call) and getattr(node.func, "id", None) == name):
        raise SystemExit(f"expected a call to {name}(), found {ast.unparse(node)[:80]}")
    return node.args


def read_package(root):
    package_dir = root / "vietnam_provinces"
    init = _module_assignments(package_dir / "__init__.py")
    version = ast.literal_eval(init["__version__"])
    data_version = ast.literal_eval(init["__data_version__"])
    nested = json.loads((package_dir / "data" / "nested-divisions.json").read_text("utf-8"))
    conversion = _module_assignments(package_dir / "_ward_conversion_2025.py")
    legacy = _module_assignments(package_dir / "legacy" / "_lookup.py")
    return version, data_version, nested, conversion, legacy


def build_provinces(nested):
    provinces = []
    for province in sorted(nested, key=lambda p: p["code"]):
        units = [
            {
                "code": f"{unit['code']:05d}",
                "name": unit["name"],
                "kind": UNIT_KINDS[unit["division_type"]],
            }
            for unit in sorted(province["wards"], key=lambda u: u["code"])
        ]
        provinces.append(
            {
                "code": f"{province['code']:02d}",
                "name": province["name"],
                "kind": PROVINCE_KINDS[province["division_type"]],
                "units": units,
            }
        )
    return provinces


def build_former_units(conversion, legacy, effective_date, unit_codes):
    """Each former district with the new units its old communes and wards went into."""
    districts = {
        ast.literal_eval(key): _call_args(value, "District")
        for key, value in zip(
            legacy["DISTRICT_MAPPING"].keys, legacy["DISTRICT_MAPPING"].values, strict=True
        )
    }
    successors = {code: set() for code in FORMER_DISTRICTS}
    new_provinces = {code: set() for code in FORMER_DISTRICTS}
    for entry in conversion["OLD_TO_NEW"].values:
        old_ward, new_wards = _call_args(entry, "OldToNewEntry")
        _, district_code, _, _ = (ast.literal_eval(a) for a in _call_args(old_ward, "OldWardRef"))
        if district_code not in successors:
            continue
        for new_ward in new_wards.elts:
            ward_code, province_code = (
                ast.literal_eval(a) for a in _call_args(new_ward, "NewWardRef")
            )
            successors[district_code].add(f"{ward_code:05d}")
            new_provinces[district_code].add(f"{province_code:02d}")

    former = []
    for code in FORMER_DISTRICTS:
        if len(new_provinces[code]) != 1:
            raise SystemExit(f"district {code}: successors in provinces {new_provinces[code]}")
        missing = successors[code] - unit_codes
        if missing:
            raise SystemExit(f"district {code}: successors {sorted(missing)} not in the register")
        name = ast.literal_eval(districts[code][0])
        former.append(
            {
                "code": str(code),
                "name": name,
                "kind": "district",
                "province": new_provinces[code].pop(),
                "dissolved_on": effective_date,
                "successors": sorted(successors[code]),
            }
        )
    return former


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("wheel_dir", type=Path, help="directory the wheel was unzipped into")
    parser.add_argument(
        "--built-on",
        type=datetime.date.fromisoformat,
        default=datetime.datetime.now(datetime.UTC).date(),
        help="date recorded as built_on (default: today, UTC)",
    )
    parser.add_argument("--output-dir", type=Path, default=OUTPUT_DIR)
    args = parser.parse_args(argv)

    version, data_version, nested, conversion, legacy = read_package(args.wheel_dir)
    effective_date = ast.literal_eval(conversion["EFFECTIVE_DATE"])
    provinces = build_provinces(nested)
    unit_codes = {u["code"] for p in provinces for u in p["units"]}
    register = {
        "source": SOURCE,
        "package": PACKAGE,
        "version": version,
        "licence": LICENCE,
        "effective_on": effective_date,
        "data_retrieved_on": data_version,
        "built_on": args.built_on.isoformat(),
        "provinces": provinces,
        "former_units": build_former_units(conversion, legacy, effective_date, unit_codes),
    }
    output = args.output_dir / f"register-{version}.json"
    output.write_text(
        json.dumps(register, ensure_ascii=False, separators=(",", ":")) + "\n", encoding="utf-8"
    )
    kinds = Counter(u["kind"] for p in provinces for u in p["units"])
    print(f"{output}: {len(provinces)} provinces, {len(unit_codes)} units {dict(kinds)}")


if __name__ == "__main__":
    sys.exit(main())
