"""/du-lieu/: what open data is published, under which licence, and the downloads themselves."""

from django.conf import settings
from django.http import (
    FileResponse,
    Http404,
    HttpResponse,
    HttpResponseRedirect,
    StreamingHttpResponse,
)
from django.shortcuts import render
from django.urls import reverse
from django.utils.cache import patch_cache_control
from django.utils.http import http_date
from django.views.decorators.http import require_safe

from ketnghia import exports, opendata_files

# The downloads change only when staff publish: any cache may keep them five minutes. (The page
# itself gets its Cache-Control from ketnghia.middleware, like every HTML page.)
MAX_AGE = 300
# nginx's internal location of the open-data files (deploy/nginx/ketnghia.conf).
ACCEL_PREFIX = "/media/opendata/"


@require_safe
def index(request):
    datasets = [
        {
            "dataset": dataset,
            "downloads": [
                {
                    "format": fmt,
                    "name": exports.FORMAT_NAMES[fmt],
                    "url": reverse(
                        "opendata:download", kwargs={"dataset": dataset.name, "fmt": fmt}
                    ),
                }
                for fmt in exports.FORMATS
            ],
        }
        for dataset in exports.DATASETS.values()
    ]
    made_by_jobs = opendata_files.made_by_jobs()
    for item in datasets:
        # Its files are made together: the oldest says when all of them were.
        times = [opendata_files.made_at(item["dataset"], fmt) for fmt in exports.FORMATS]
        item["made_at"] = None if None in times or not made_by_jobs else min(times)
    return render(
        request,
        "opendata/index.html",
        {
            "datasets": datasets,
            "licence_name": exports.LICENCE_NAME,
            "licence_title": exports.LICENCE_TITLE,
            "licence_url": exports.LICENCE_URL,
            "publisher": exports.publisher(),
            "api_url": request.build_absolute_uri(reverse("api-root")),
            "schema_json_url": request.build_absolute_uri(reverse("api-schema") + "?format=json"),
            "schema_yaml_url": request.build_absolute_uri(reverse("api-schema") + "?format=yaml"),
            "page_size": settings.REST_FRAMEWORK["PAGE_SIZE"],
            "made_by_jobs": made_by_jobs,
            "rebuilt_after_minutes": max(1, settings.OPEN_DATA_SECONDS // 60),
        },
    )


@require_safe
def download(request, dataset, fmt):
    """/du-lieu/<dataset>.<csv|json|xlsx>: the file of the last build, named after the day it was
    made, sent by nginx in the deployment (ketnghia.opendata_files); without a job queue, the
    whole dataset streamed from the database."""
    if dataset not in exports.DATASETS or fmt not in exports.FORMATS:
        raise Http404
    dataset = exports.DATASETS[dataset]
    if opendata_files.made_by_jobs():
        response = _file(request, dataset, fmt)
    else:
        response = _streamed(request, dataset, fmt)
    if response.status_code == 200:
        patch_cache_control(response, public=True, max_age=MAX_AGE)
    return response


def _file(request, dataset, fmt):
    made_at = opendata_files.made_at(dataset, fmt)
    if made_at is None:
        # A new installation whose first build has not run yet.
        response = render(request, "opendata/not_ready.html", status=503)
        response["Retry-After"] = "60"
        return response
    name = exports.file_name(dataset, fmt, made_at.date())
    if not opendata_files.on_disk():
        # The object storage sends it, from a signed address valid for a day.
        return HttpResponseRedirect(opendata_files.url(dataset, fmt, name))
    path = opendata_files.path(dataset, fmt)
    content_type = exports.FORMATS[fmt]
    if settings.OPEN_DATA_ACCEL_REDIRECT:
        response = HttpResponse(content_type=content_type)
        response["X-Accel-Redirect"] = f"{ACCEL_PREFIX}{path.name}"
    else:
        response = FileResponse(path.open("rb"), content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    response["Last-Modified"] = http_date(made_at.timestamp())
    return response


def _streamed(request, dataset, fmt):
    site_url = request.build_absolute_uri("/").rstrip("/")
    file_name = exports.file_name(dataset, fmt)
    content_type = exports.FORMATS[fmt]
    if fmt == "xlsx":
        return FileResponse(
            exports.xlsx_file(dataset, site_url),
            as_attachment=True,
            filename=file_name,
            content_type=content_type,
        )
    chunks = exports.csv_lines if fmt == "csv" else exports.json_chunks
    response = StreamingHttpResponse(chunks(dataset, site_url), content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{file_name}"'
    return response
