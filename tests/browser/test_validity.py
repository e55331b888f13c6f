"""Every page, public and admin, is valid HTML (the Nu Html Checker) and accessible (axe-core in
Chromium).

Both tools come from npm (tests/browser/package.json, installed by `make test`); the checker runs
on Java. When either is missing the tests fail saying so: a skipped check would pass silently.
"""

import json
import shutil
import subprocess
from pathlib import Path

import pytest
from django.contrib import admin
from django.template import loader
from django.urls import reverse
from django.utils import translation

from agreements.models import Agreement, LegalDocument
from localities.models import Locality
from tests import factories
from tests.browser.conftest import open_page
from tests.browser.test_admin_entry import log_in

NODE_MODULES = Path(__file__).resolve().parent / "node_modules"
VNU_JAR = NODE_MODULES / "vnu-jar" / "build" / "dist" / "vnu.jar"
AXE_JS = NODE_MODULES / "axe-core" / "axe.min.js"
INSTALL = "run `make test`, or `npm ci --prefix tests/browser`"

# (name, Locality lookup) for the demo data's locality pages.
LOCALITIES = [
    ("xa-ia-dok", {"code": "23869"}),
    ("lang-ghe", {"slug": "lang-ghe-xa-ia-dok"}),
    ("tp-pleiku", {"code": "622"}),
]


def public_pages():
    """(name, path) of every kind of public page, on the demo data, Vietnamese then English."""
    pages = [("home", "/"), ("list", "/giao-uoc/"), ("search", "/giao-uoc/?q=ia+dok")]
    for agreement in Agreement.objects.published().order_by("signed_on", "id"):
        pages.append((f"agreement-{agreement.slug}", f"/giao-uoc/{agreement.slug}/"))
    document = LegalDocument.objects.get(number="03-CT/TU")
    pages.append(("legal-document-03-ct-tu", f"/van-ban/{document.slug}/"))
    for name, lookup in LOCALITIES:
        pages.append((f"locality-{name}", f"/dia-phuong/{Locality.objects.get(**lookup).slug}/"))
    pages += [
        ("dashboard", "/thong-ke/"),
        ("dashboard-filtered", "/thong-ke/?year_from=2010&year_to=2025&status=pledged"),
        ("dashboard-bad-filters", "/thong-ke/?year_from=abc&locality=khong-co&area=x"),
        ("dashboard-print", "/thong-ke/?print=1"),
        ("dashboard-locality", "/thong-ke/xa-ia-dok/"),
        ("dashboard-coverage", "/thong-ke/vung-dong-bao/"),
        ("needs-board", "/can-ket-nghia/"),
    ]
    pages += [
        ("site-search", "/tim-kiem/?q=TP+Pleiku"),
        ("site-search-places", "/tim-kiem/?q=pleiku&kind=places"),
        ("site-search-nothing", "/tim-kiem/?q=zzqqxx"),
    ]
    pages += [("open-data", "/du-lieu/"), ("about", "/gioi-thieu/")]
    pages += [("report-error", "/bao-loi/?trang=/giao-uoc/")]
    pages += [("not-found", "/khong-co-trang-nay/")]
    return pages + [(f"en-{name}", f"/en{path}") for name, path in pages]


def require(path, what):
    if not path.is_file():
        pytest.fail(f"{what} is missing at {path}: {INSTALL}.", pytrace=False)


def nu_html_checker(files):
    """The checker's messages for the files, in one run of Java (it takes seconds to start)."""
    java = shutil.which("java")
    if java is None:
        pytest.fail(
            "Java is missing: install it (apt-get install openjdk-17-jre-headless) to run the "
            "Nu Html Checker.",
            pytrace=False,
        )
    require(VNU_JAR, "The Nu Html Checker (npm package vnu-jar)")
    result = subprocess.run(
        [java, "-jar", str(VNU_JAR), "--format", "json", "--stdout", *map(str, files)],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    try:
        return json.loads(result.stdout)["messages"]
    except (json.JSONDecodeError, KeyError):
        pytest.fail(f"The Nu Html Checker did not answer in JSON:\n{result.stdout}{result.stderr}")


def axe_findings(page, where):
    """The serious and critical violations axe finds on the page as it is now."""
    page.add_script_tag(path=AXE_JS)
    result = page.evaluate("async () => await axe.run(document)")
    problems = []
    for violation in result["violations"]:
        if violation["impact"] in ("serious", "critical"):
            targets = [" ".join(map(str, node["target"])) for node in violation["nodes"]]
            problems.append(
                f"{where}: [{violation['impact']}] {violation['id']}: {violation['help']}"
                f"\n    at {'; '.join(targets[:5])}"
                f"\n    e.g. {violation['nodes'][0]['failureSummary']}"
            )
    return problems


def axe_problems(page, pages):
    """axe_findings on each (name, path) of `pages`."""
    problems = []
    for name, path in pages:
        page.goto(path)
        problems += axe_findings(page, f"{path} ({name})")
    return problems


def axe_page(browser, live_server, foreign_requests, page_errors, width, height):
    """(context, page) for axe: the site's CSP refuses scripts it did not serve, so axe is
    injected in a context that bypasses it (and only there: the other browser tests keep the
    CSP on)."""
    return open_page(
        browser,
        live_server,
        foreign_requests,
        page_errors,
        bypass_csp=True,
        viewport={"width": width, "height": height},
    )


def readable(message, names):
    where = names.get(message.get("url", "").removeprefix("file:"), message.get("url"))
    line = message.get("lastLine", "?")
    extract = message.get("extract", "").replace("\n", "⏎")
    return f"{where}, line {line}: {message['message']}\n    {extract}"


@pytest.mark.browser
# Transactional like the file's other test: the whole file then runs after the plain tests of
# its worker (make test hands out whole files), whose rows its flush would take away.
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_every_public_page_is_valid_html(client, demo, tmp_path):
    saved, names = [], {}
    for name, path in public_pages():
        response = client.get(path)
        expected = 404 if name.endswith("not-found") else 200
        assert response.status_code == expected, path
        file = tmp_path / f"{name}.html"
        file.write_bytes(response.content)
        saved.append(file)
        names[str(file)] = f"{path} ({name})"
    # The 500 and 503 pages, as they are rendered: with an empty context.
    for template in ("500.html", "503.html"):
        for code in ("vi", "en"):
            with translation.override(code):
                file = tmp_path / f"error-{template[:3]}-{code}.html"
                file.write_text(loader.get_template(template).render())
                saved.append(file)
                names[str(file)] = f"{template} ({code})"

    messages = nu_html_checker(saved)

    errors = [m for m in messages if m.get("type") in ("error", "non-document-error")]
    assert not errors, f"{len(errors)} errors from the Nu Html Checker:\n" + "\n".join(
        readable(m, names) for m in errors
    )


# The live server runs in another thread: it sees committed data only. serialized_rollback
# brings back the rows the data migrations wrote, which the flush after the test removes.
@pytest.mark.browser
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_every_public_page_passes_axe(browser, live_server, demo, foreign_requests, page_errors):
    require(AXE_JS, "axe-core (npm package axe-core)")
    pages = public_pages()
    context, page = axe_page(browser, live_server, foreign_requests, page_errors, 390, 844)
    try:
        problems = axe_problems(page, pages)
    finally:
        context.close()
    assert not problems, f"{len(problems)} serious or critical axe violations:\n" + "\n".join(
        problems
    )
    assert not foreign_requests


def admin_pages(client, user):
    """(name, path, HTML) of every admin screen `user` may open: the index and each
    application's, each model's list, add form, and the change form and history of one of its
    objects (the demo data's), and the spreadsheet imports."""
    from tests.browser.test_screens import admin_screens  # which imports this module

    screens = [*admin_screens(user)]
    for model, model_admin in admin.site._registry.items():
        app_label, name = model._meta.app_label, model._meta.model_name
        screens.append((f"admin-app-{app_label}", reverse("admin:app_list", args=[app_label])))
        if hasattr(model_admin, "import_action"):
            screens.append((f"admin-{name}-import", reverse(f"admin:{app_label}_{name}_import")))
    found = []
    for name, path in dict.fromkeys(screens):
        response = client.get(path)
        if response.status_code == 200:
            found.append((f"{user.username}-{name}", path, response.content))
    return found


@pytest.mark.browser
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_every_admin_screen_is_valid_html(client, demo, admin_user, tmp_path):
    """As the clerk (every form) and as a province officer who may only read (every record
    shown without forms, localities.admin_view)."""
    from tests.browser.test_screens import seed_report

    seed_report()
    saved, names = [], {}
    for user in (admin_user, factories.province_reader()):
        client.force_login(user)
        pages = admin_pages(client, user)
        assert len(pages) > 40
        for name, path, html in pages:
            file = tmp_path / f"{name}.html"
            file.write_bytes(html)
            saved.append(file)
            names[str(file)] = f"{path} ({name})"
    assert any("lanh-dao-tinh-admin-agreement-change" in name for name in names.values())

    messages = nu_html_checker(saved)

    errors = [m for m in messages if m.get("type") in ("error", "non-document-error")]
    assert not errors, f"{len(errors)} errors from the Nu Html Checker:\n" + "\n".join(
        readable(m, names) for m in errors
    )


# One screen of each kind the admin's templates make (a list, an add form, a change form, a
# history, an application's index, an import, a reader's change page), for the main records:
# axe takes a second a page, and the others are the same templates with other fields.
AXE_MODELS = ("agreement", "activity", "locality", "event", "photo", "errorreport")


@pytest.mark.browser
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_the_admins_screens_pass_axe(
    browser, live_server, demo, admin_user, foreign_requests, page_errors
):
    require(AXE_JS, "axe-core (npm package axe-core)")
    from django.test import Client

    reader = factories.province_reader()
    client = Client()
    pages = []
    for user in (admin_user, reader):
        client.force_login(user)
        pages.append(
            [
                (name, path)
                for name, path, _html in admin_pages(client, user)
                if name.endswith(("-admin", "-admin-app-agreements"))
                or any(f"-admin-{model}-" in name for model in AXE_MODELS)
            ]
        )
    assert len(pages[0]) > 20 and any(name.endswith("agreement-change") for name, _ in pages[1])
    problems = []
    for user, screens in zip((admin_user, reader), pages, strict=True):
        context, page = axe_page(browser, live_server, foreign_requests, page_errors, 1280, 900)
        try:
            log_in(page, user)
            problems += axe_problems(page, screens)
        finally:
            context.close()
    assert not problems, f"{len(problems)} serious or critical axe violations:\n" + "\n".join(
        problems
    )
    assert not foreign_requests
