"""Copy the README's screenshots into docs/screenshots/ from the browser tests' own.

    make screenshots

runs the tests that take them (tests/browser/test_screens.py at 390, 1280, 1366 and 1920 px,
the staff's import in tests/browser/test_staff_import.py, the annual plan in test_plans.py and
the work list and inbox in test_worklist.py, the first pages of the seed reports' PDFs in
test_written_reports.py, the province's map in test_maps.py, the needs board in
test_needs.py), then this script: each picture is
cut to its first screenful or two and reduced to 256 colours, so that the repository stays
small. Nothing here draws a screen: what the README shows is what the tests looked at.
"""

import sys
from pathlib import Path

from PIL import Image

ROOT = Path(__file__).resolve().parents[1]
ARTIFACTS = ROOT / "test-artifacts"
TARGET = ROOT / "docs" / "screenshots"

# (file in docs/screenshots, file in test-artifacts, height kept in pixels)
PICTURES = [
    ("phone-home.png", "screens/public/home-390.png", 1700),
    (
        "phone-agreement.png",
        "screens/public/agreement-xa-ia-dok-phuong-an-nhon-bac-2025-390.png",
        1700,
    ),
    (
        "phone-agreement-en.png",
        "screens/public/en-agreement-xa-ia-dok-phuong-an-nhon-bac-2025-390.png",
        1700,
    ),
    ("dashboard.png", "screens/public/dashboard-1280.png", 1500),
    ("admin-agreement.png", "screens/admin/admin-agreement-change-1366.png", 1500),
    ("admin-activities.png", "screens/admin/admin-activity-list-1366.png", 900),
    ("admin-import-preview.png", "staff-import-preview.png", 900),
    ("admin-plan.png", "plans/officer-plan-1280.png", 1100),
    ("admin-worklist.png", "worklist/worklist-1280.png", 700),
    ("phone-inbox.png", "worklist/inbox-390.png", 1100),
    ("report-ia-dok-2025.png", "reports/ia-dok-2025-page-1.png", 1200),
    ("report-pleiku-tong-ket.png", "reports/pleiku-tong-ket-20-nam-page-1.png", 1200),
    ("map-province-1280.png", "map-province-1280.png", 1000),
    ("map-province-390.png", "map-province-390.png", 1000),
    ("search-390.png", "screens/public/site-search-390.png", 1700),
    ("needs-board-390.png", "needs-board-390.png", 1700),
    ("need-390.png", "need-390.png", 1700),
]


def main():
    missing = [source for _, source, _ in PICTURES if not (ARTIFACTS / source).is_file()]
    if missing:
        sys.exit(f"Missing in test-artifacts/ (run the browser tests first): {', '.join(missing)}")
    TARGET.mkdir(parents=True, exist_ok=True)
    for name, source, height in PICTURES:
        with Image.open(ARTIFACTS / source) as picture:
            kept = picture.crop((0, 0, picture.width, min(picture.height, height)))
            kept = kept.convert("RGB").quantize(colors=256, method=Image.Quantize.MEDIANCUT)
            kept.save(TARGET / name, optimize=True)
        print(f"docs/screenshots/{name} ← test-artifacts/{source}")


if __name__ == "__main__":
    main()
