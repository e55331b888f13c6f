"""Rebuild localities/data/outline-vn-4.1.0.json, the outline of Viet Nam the maps are drawn
on (ketnghia.maps), from Natural Earth's 1:10m countries (public domain) as the npm package
world-atlas 2.0.2 ships them (countries-10m.json, Natural Earth 4.1.0 in TopoJSON).

    npm pack world-atlas@2.0.2 && tar xzf world-atlas-2.0.2.tgz
    python docs/build_outline.py package/countries-10m.json localities/data/outline-vn-4.1.0.json

Natural Earth draws the Hoàng Sa (Paracel) islands inside another country's shape and the
Trường Sa (Spratly) islands as a shape of their own: both archipelagos are Viet Nam's, and are
taken here into its outline (the islands of those shapes inside each archipelago's box), with
the mainland and the coastal islands of feature 704. Each ring is simplified (Douglas-Peucker,
TOLERANCE degrees) and its points rounded to three decimals (about 100 m): a province's map
is drawn at a few hundred pixels.
"""

import argparse
import hashlib
import json
import math

TOLERANCE = 0.005
# The archipelagos' boxes: (west, south, east, north), degrees.
HOANG_SA = (110.9, 15.6, 113.0, 17.3)
TRUONG_SA = (111.0, 6.0, 117.5, 12.0)


def decode_arcs(topology):
    scale_x, scale_y = topology["transform"]["scale"]
    move_x, move_y = topology["transform"]["translate"]
    arcs = []
    for arc in topology["arcs"]:
        x = y = 0
        points = []
        for dx, dy in arc:
            x += dx
            y += dy
            points.append((x * scale_x + move_x, y * scale_y + move_y))
        arcs.append(points)
    return arcs


def ring(arcs, indexes):
    points = []
    for index in indexes:
        arc = arcs[index] if index >= 0 else list(reversed(arcs[~index]))
        points.extend(arc if not points else arc[1:])
    return points


def polygons(arcs, geometry):
    """Each polygon's outer ring (holes are lakes and enclaves too small to draw here)."""
    shapes = geometry["arcs"] if geometry["type"] == "MultiPolygon" else [geometry["arcs"]]
    return [ring(arcs, shape[0]) for shape in shapes]


def inside(points, box):
    west, south, east, north = box
    return all(west <= x <= east and south <= y <= north for x, y in points)


def _distance(point, start, end):
    (x, y), (x1, y1), (x2, y2) = point, start, end
    if (x1, y1) == (x2, y2):
        return math.hypot(x - x1, y - y1)
    return abs((y2 - y1) * x - (x2 - x1) * y + x2 * y1 - y2 * x1) / math.hypot(x2 - x1, y2 - y1)


def simplify(points, tolerance):
    """Douglas-Peucker, iterative."""
    if len(points) < 3:
        return points
    keep = {0, len(points) - 1}
    stack = [(0, len(points) - 1)]
    while stack:
        first, last = stack.pop()
        far, index = 0.0, None
        for i in range(first + 1, last):
            d = _distance(points[i], points[first], points[last])
            if d > far:
                far, index = d, i
        if index is not None and far > tolerance:
            keep.add(index)
            stack += [(first, index), (index, last)]
    return [points[i] for i in sorted(keep)]


def rounded(points):
    out = []
    for x, y in points:
        point = [round(x, 3), round(y, 3)]
        if not out or out[-1] != point:
            out.append(point)
    return out


def shapes_of(points_list, keep_tiny):
    found = []
    for points in points_list:
        small = simplify(points, TOLERANCE)
        if len(small) < 4 and keep_tiny:
            small = points  # an islet: its own points, however few
        small = rounded(small)
        if len(small) >= 3:
            found.append(small)
    return found


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("source")
    parser.add_argument("output")
    args = parser.parse_args()
    with open(args.source, "rb") as source:
        raw = source.read()
    topology = json.loads(raw)
    arcs = decode_arcs(topology)
    geometries = topology["objects"]["countries"]["geometries"]
    by_id = {g.get("id"): g for g in geometries}
    by_name = {g.get("properties", {}).get("name"): g for g in geometries}
    mainland = polygons(arcs, by_id["704"])
    hoang_sa = [p for p in polygons(arcs, by_id["156"]) if inside(p, HOANG_SA)]
    truong_sa = [p for p in polygons(arcs, by_name["Spratly Is."]) if inside(p, TRUONG_SA)]
    outline = {
        "source": "Natural Earth 1:10m countries 4.1.0 (public domain), as npm world-atlas "
        "2.0.2 ships them (countries-10m.json)",
        "source_sha256": hashlib.sha256(raw).hexdigest(),
        "built_by": "docs/build_outline.py",
        "tolerance_degrees": TOLERANCE,
        "mainland": shapes_of(mainland, keep_tiny=False),
        "hoang_sa": shapes_of(hoang_sa, keep_tiny=True),
        "truong_sa": shapes_of(truong_sa, keep_tiny=True),
    }
    with open(args.output, "w", encoding="utf-8") as out:
        json.dump(outline, out, ensure_ascii=False, separators=(",", ":"))
        out.write("\n")
    counts = {key: len(outline[key]) for key in ("mainland", "hoang_sa", "truong_sa")}
    print(f"{args.output}: {counts}")


if __name__ == "__main__":
    main()
