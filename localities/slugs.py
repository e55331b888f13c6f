"""Web addresses of localities: a slug that no other locality has."""

from localities import text
from localities.models import RESERVED_SLUGS, Locality


def free_slug(name, parent, exclude_pk=None):
    """'lang-ghe', or 'lang-ghe-xa-ia-dok' when another Làng Ghè has it, then '-2', '-3'…

    ``exclude_pk``: the locality being renamed, whose own slug does not count as taken.
    """
    bases = [text.slugify(name)[:200] or "dia-phuong"]
    if parent is not None:
        bases.append(f"{bases[0]}-{text.slugify(parent.name)}"[:200])
    taken = RESERVED_SLUGS | set(
        Locality.objects.filter(slug__startswith=bases[0])
        .exclude(pk=exclude_pk)
        .values_list("slug", flat=True)
    )
    for base in bases:
        if base not in taken:
            return base
    n = 2
    while f"{bases[-1]}-{n}" in taken:
        n += 1
    return f"{bases[-1]}-{n}"
