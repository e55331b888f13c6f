"""Fill the @NAME@ placeholders of a deployment file (deploy/nginx, deploy/systemd):

    python3 deploy/render.py deploy/nginx/ketnghia.conf LISTEN=80 \
        SERVER_NAME=ketnghia.gialai.gov.vn UPSTREAM=127.0.0.1:8000 \
        STATIC_ROOT=/srv/ketnghia/staticfiles MEDIA_ROOT=/srv/ketnghia/media

prints the file. A placeholder left without a value is an error: nothing half-filled is written.
Plain Python, no project import: deploy/install.sh runs it before the project is installed.
"""

import re
import sys

PLACEHOLDER = re.compile(r"@([A-Z_]+)@")


def render(text, values):
    missing = sorted(set(PLACEHOLDER.findall(text)) - set(values))
    if missing:
        raise ValueError(f"no value for {', '.join(missing)}")
    return PLACEHOLDER.sub(lambda match: values[match.group(1)], text)


def main(argv):
    path, *pairs = argv
    values = dict(pair.split("=", 1) for pair in pairs)
    with open(path, encoding="utf-8") as template:
        sys.stdout.write(render(template.read(), values))


if __name__ == "__main__":
    try:
        main(sys.argv[1:])
    except (ValueError, OSError) as error:
        sys.exit(f"render.py: {error}")
