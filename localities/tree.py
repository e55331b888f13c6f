"""The locality tree, in one place: what lies below a unit, what lies above it, what succeeded it.

Province → district-level unit (until 30-6-2025) → commune, ward or special zone → village: a unit
lies at most DEPTH levels below another. Every page, filter, scope check and summary row walks
the tree through these functions, so that they all agree on what "a commune and the units below
it" means.

A unit dissolved by a merger points to its successors (Succession). Its agreements and
activities are its successors' too, marked as inherited: `lineage_ids` gives a unit and the units
it succeeded (one step of succession: the 2025 merger is one).
"""

from itertools import pairwise

from django.db import DEFAULT_DB_ALIAS, connections, router
from django.db.models import Q, Value

from localities.models import Locality, Succession

# The deepest a unit lies below another: province → district → commune → village.
DEPTH = 3
# select_related() this to load a unit with every unit above it, and the None past the top, so
# that breadcrumbs and labels cost no query (one more than DEPTH).
ANCESTOR_PATH = "__".join(["parent"] * (DEPTH + 1))


def with_ancestors(queryset=None):
    """Localities loaded with the chain above them (see ancestors())."""
    return (queryset if queryset is not None else Locality.objects.all()).select_related(
        ANCESTOR_PATH
    )


def chain(**lookup):
    """The locality found by `lookup` (slug=…) loaded with the chain above it, as
    with_ancestors() loads it, or None: one query, written here rather than composed by the
    ORM for every page that names a locality (composing a join of five tables of every field
    cost more than running it)."""
    connection = connections[router.db_for_read(Locality) or DEFAULT_DB_ALIAS]
    fields = list(Locality._meta.concrete_fields)
    quote = connection.ops.quote_name
    table = quote(Locality._meta.db_table)
    levels = DEPTH + 2  # the locality, the units above it, and the None past the top
    columns = ", ".join(f"l{n}.{quote(f.column)}" for n in range(levels) for f in fields)
    joins = " ".join(
        f"LEFT JOIN {table} l{n} ON l{n}.{quote('id')} = l{n - 1}.{quote('parent_id')}"
        for n in range(1, levels)
    )
    ((name, value),) = lookup.items()
    column = quote(Locality._meta.get_field(name).column)
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {columns} FROM {table} l0 {joins} WHERE l0.{column} = %s", [value])
        row = cursor.fetchone()
    if row is None:
        return None
    names = [f.attname for f in fields]
    cols = [f.get_col(Locality._meta.db_table) for f in fields]
    converters = [
        connection.ops.get_db_converters(col) + col.get_db_converters(connection) for col in cols
    ]
    found = []
    for n in range(levels):
        values = list(row[n * len(fields) : (n + 1) * len(fields)])
        if values[0] is None:
            break
        for i, value in enumerate(values):
            for converter in converters[i]:
                value = converter(value, cols[i], connection)
            values[i] = value
        found.append(Locality.from_db(connection.alias, names, values))
    for child, parent in pairwise(found):
        Locality.parent.field.set_cached_value(child, parent)
    if found[-1].parent_id is None:
        Locality.parent.field.set_cached_value(found[-1], None)
    return found[0]


def ancestors(place):
    """The loaded chain above a locality, province first (no query: load it with
    with_ancestors())."""
    chain, node = [], place
    while Locality.parent.is_cached(node) and node.parent is not None:
        node = node.parent
        chain.append(node)
    return chain[::-1]


def and_above_ids(locality_ids):
    """The ids of the localities `locality_ids` and of every unit above them: one query, each
    row joined to its parents by their keys (where and_above() builds nested subqueries for
    a filter)."""
    paths = ["id", *("__".join(["parent"] * n) + "_id" for n in range(1, DEPTH + 1))]
    found = set()
    for row in Locality.objects.filter(pk__in=list(locality_ids)).values_list(*paths):
        found.update(row)
    return found - {None}


def chains(locality_ids):
    """{id: the id and the ids of every unit above it} for `locality_ids`: one query (the
    accounts whose remit covers a locality are those in charge of one of these)."""
    paths = ["id", *("__".join(["parent"] * n) + "_id" for n in range(1, DEPTH + 1))]
    rows = Locality.objects.filter(pk__in=list(locality_ids)).values_list(*paths)
    return {row[0]: {pk for pk in row if pk is not None} for row in rows}


def counted_in(unit_ids):
    """The ids of the units whose figures count the units `unit_ids`: the units, the units
    above them, the units that succeeded any of those (one step, as lineage_ids) and the
    units above these. Three queries at most, each through an index."""
    if not unit_ids:
        return set()
    found = and_above_ids(unit_ids)
    successors = set(
        Succession.objects.filter(predecessor__in=found).values_list("successor_id", flat=True)
    )
    if successors - found:
        found |= and_above_ids(successors - found)
    return found


def ancestor_ids(locality):
    """The ids of the units a locality lies in, nearest first: one query."""
    paths = ["__".join(["parent"] * n) + "_id" for n in range(1, DEPTH + 1)]
    row = Locality.objects.filter(pk=locality.pk).values_list(*paths).first() or ()
    return [pk for pk in row if pk is not None]


def _levels(locality_ids, *extra):
    """Querysets of (pk, *extra) for the localities and each level of units below them."""
    level = Locality.objects.filter(pk__in=locality_ids).values("pk")
    levels = [level]
    for _depth in range(DEPTH):
        level = Locality.objects.filter(parent__in=level).values("pk")
        levels.append(level)
    return [
        lv.order_by()
        .annotate(**{f"x{n}": value for n, value in enumerate(extra)})
        .values_list("pk", *(f"x{n}" for n in range(len(extra))))
        for lv in levels
    ]


def subtree_ids(*locality_ids):
    """The ids of the localities and of every unit below them: one query, each level found
    through the index on `parent`."""
    first, *others = (lv.values_list("pk", flat=True) for lv in _levels(locality_ids))
    return list(first.union(*others))


def lineage(**lookup):
    """A subquery of the ids of a unit (found by `lookup`, e.g. slug=…) and of the units it
    succeeded: the dissolved units whose succession names it."""
    return Locality.objects.filter(
        Q(**lookup) | Q(**{f"succeeded_by__successor__{k}": v for k, v in lookup.items()})
    ).values("pk")


def lineage_ids(locality_id):
    """A unit and the units it succeeded (merged into it, or renamed as it): one query. The
    unit's own id comes first. One step of succession is followed, as in the summary rows:
    the 2025 merger is one step."""
    found = Succession.objects.filter(successor=locality_id).values_list("predecessor", flat=True)
    return [locality_id, *(pk for pk in found if pk != locality_id)]


def area_ids(locality):
    """What "this unit" covers on its dashboard, page and figures: the unit, the units it
    succeeded, and every unit below any of them. Two queries. Returns (ids, inherited ids):
    the second are the units it succeeded and the units below them, which are not its own."""
    lineage = lineage_ids(locality.pk)
    own = _levels([locality.pk], Value(True))
    inherited = _levels(lineage[1:], Value(False))
    first, *others = own + inherited
    rows = list(first.union(*others))
    mine = {pk for pk, is_own in rows if is_own}
    everything = list(dict.fromkeys(pk for pk, _is_own in rows))
    return everything, [pk for pk in everything if pk not in mine]


def below(path, ids):
    """A Q on rows whose locality at `path` ("" for Locality rows themselves, "locality",
    "giver"…) is one of `ids`."""
    return Q(**{f"{path}_id__in" if path else "pk__in": ids})


def in_or_below(roots, field="pk"):
    """A Q over `field` (a locality, or a path to one) matching `roots` (ids, or a subquery of
    ids) and the units below them, by the parent chain: no query of its own."""
    if isinstance(roots, (set, frozenset, list, tuple)) and not roots:
        return Q(pk__in=[])
    prefix = "" if field == "pk" else f"{field}__"
    condition = Q(**{f"{prefix}pk__in": roots})
    path = prefix
    for _level in range(DEPTH):
        path = f"{path}parent__"
        condition |= Q(**{f"{path}in": roots})
    return condition


def and_above(locality_ids, levels=DEPTH + 1):
    """A Q on Locality rows: the localities `locality_ids` (ids or a subquery of ids) and
    `levels` - 1 levels of units above them, by nested subqueries of ids that the database
    reads once each (where EXISTS per locality would probe every unit of the register)."""
    ids = locality_ids
    condition = Q(pk__in=ids)
    for _level in range(levels - 1):
        ids = Locality.objects.filter(pk__in=ids).values("parent_id")
        condition |= Q(pk__in=ids)
    return condition
