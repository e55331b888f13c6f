"""/du-lieu/: what open data is published, under which licence, and the downloads themselves."""

from django.conf import settings
from django.http import FileResponse, Http404, StreamingHttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.cache import patch_cache_control
from django.views.decorators.http import require_safe

from ketnghia import exports

# The downloads change only when staff publish: any cache may keep them five minutes. (The page
# itself gets its Cache-Control from ketnghia.middleware, like every HTML page.)
MAX_AGE = 300


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
        },
    )


@require_safe
def download(request, dataset, fmt):
    """/du-lieu/<dataset>.<csv|json|xlsx>: the whole dataset, streamed from the database."""
    if dataset not in exports.DATASETS or fmt not in exports.FORMATS:
        raise Http404
    dataset = exports.DATASETS[dataset]
    site_url = request.build_absolute_uri("/").rstrip("/")
    file_name = exports.file_name(dataset, fmt)
    content_type = exports.FORMATS[fmt]
    if fmt == "xlsx":
        response = FileResponse(
            exports.xlsx_file(dataset, site_url),
            as_attachment=True,
            filename=file_name,
            content_type=content_type,
        )
    else:
        chunks = exports.csv_lines if fmt == "csv" else exports.json_chunks
        response = StreamingHttpResponse(chunks(dataset, site_url), content_type=content_type)
        response["Content-Disposition"] = f'attachment; filename="{file_name}"'
    patch_cache_control(response, public=True, max_age=MAX_AGE)
    return response
