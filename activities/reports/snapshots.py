"""The dashboards' read model: each dashboard, once composed, is kept as a snapshot that the
next reader of the same question reads in one query, until a write changes what it counts or
shows (docs/counting.md, section 7).

A dashboard reads some twenty queries over the summary rows; at national scale that is ten times
the time of a simple page, for every leader signed in (their pages are their own and never
kept by the page cache). The snapshot makes the second reading cost one query, whoever asks.

Generations. Each scope (a locality, whose dashboards count it and the units below it and the
units it succeeded; 0 for the province) has a generation: how many times its figures changed
(FiguresGeneration; none yet reads 0). A write adds one to the generation of every scope whose
figures it can change, in its own transaction, through the keeper of localities.changes
(KEEPER): the province, and the units its activities, agreements and parties lie in (before the
write and after it), with the units above them, the units that succeeded any of those and the
units above these. A write the keeper hears nothing precise of (a unit renamed, an activity
type, a commitment area, a funder or a programme written, a bulk write) adds one to the
generation of every scope (EVERY_SCOPE).

A snapshot holds the two generations it was made at, read before the figures: a write that
commits while a dashboard is being composed leaves it with a generation that is no longer the
scope's, so it is never read, and the reader after the write composes the dashboard again.
Read from a replica, both the generations and the figures come from the replica: a snapshot
is then read where its generations are the replica's, never ahead of its data.

A snapshot is the question's: its scope, filters, status, kind of reader (the public, province
staff with every draft, the staff of some units with theirs), language and day ("in force"
and the anniversaries follow the calendar): one row per question, which a snapshot of a later
day replaces. `migrate` empties the table, so that a new version of the code never reads the
snapshots of an old one.
"""

import hashlib
import logging
import pickle
import secrets
import zlib
from contextlib import nullcontext

from django.db import DEFAULT_DB_ALIAS, DatabaseError, connection, router, transaction
from django.db.models import Subquery, Value
from django.db.models.functions import Coalesce
from django.db.models.signals import post_delete, post_migrate, post_save
from django.utils.functional import SimpleLazyObject
from django.utils.translation import get_language

from activities.models import Activity, ActivityType, DashboardSnapshot, FiguresGeneration, Funder
from activities.reports import summaries
from agreements.models import CommitmentArea, Party, Programme
from localities import changes, signals, tree
from localities.models import Locality

logger = logging.getLogger(__name__)

PROVINCE = 0  # the scope of the province dashboard
EVERY_SCOPE = -1  # the generation every snapshot holds besides its scope's
# Snapshots of another shape are never read, even before `migrate` empties the table (a
# worker of the version before may still write some): the key holds the fields of the
# dashboards' dataclasses (snapshot_format, set by activities.reports.dashboards).
FORMAT = ""


def snapshot_format(*dataclasses):
    """A fingerprint of the fields of `dataclasses` and of those they hold, for the key."""
    global FORMAT
    seen, names = set(), []

    def walk(kind):
        if kind in seen or not hasattr(kind, "__dataclass_fields__"):
            return
        seen.add(kind)
        for name, spec in kind.__dataclass_fields__.items():
            names.append(f"{kind.__qualname__}.{name}")
            for inner in getattr(spec.type, "__args__", ()) or (spec.type,):
                walk(inner)

    for kind in dataclasses:
        walk(kind)
    FORMAT = hashlib.sha256(" ".join(sorted(names)).encode()).hexdigest()[:16]


# A snapshot is a few hundred kilobytes pickled, a fifth of that compressed this fast.
ZLIB_LEVEL = 1


def _key(kind, filters):
    """The question's key: a hash of what the dashboard depends on besides the data and the
    day (a snapshot of another day takes the place of the question's last one)."""
    scope = filters.drafts_scope
    if not filters.include_drafts:
        readers = "public"
    elif scope is None or scope.is_whole:
        readers = "every draft"
    else:
        readers = "drafts of " + ",".join(str(pk) for pk in sorted(scope.roots or ()))
    parts = [
        FORMAT,
        kind,
        filters.locality.pk if filters.locality is not None else "",
        filters.year_from,
        filters.year_to,
        filters.party_kind,
        filters.area.pk if filters.area is not None else "",
        str(filters.status),
        readers,
        get_language(),
    ]
    return hashlib.sha256(repr(parts).encode()).hexdigest()


def _scope(filters):
    return filters.locality.pk if filters.locality is not None else PROVINCE


def _generations(scope, using):
    """(the scope's generation, every scope's): one query."""
    found = dict(
        FiguresGeneration.objects.using(using)
        .filter(scope__in=[scope, EVERY_SCOPE])
        .values_list("scope", "generation")
    )
    return found.get(scope, 0), found.get(EVERY_SCOPE, 0)


def _generation(scope, using):
    """The scope's generation, as a subquery (0 for a scope that has none yet)."""
    found = FiguresGeneration.objects.using(using).filter(scope=scope).values("generation")
    return Coalesce(Subquery(found), Value(0))


class Stored(SimpleLazyObject):
    """A dashboard read from its snapshot, unpickled when first used: its version is known
    without (the page's figures, kept under it, often need nothing else). A snapshot that
    cannot be read (written by another version of the code) is composed again then."""

    def __init__(self, version, data, compose):
        def load():
            try:
                return pickle.loads(zlib.decompress(data))
            except Exception:
                logger.warning("A dashboard snapshot could not be read; composed again.")
                return compose()

        super().__init__(load)
        self.__dict__["version"] = version


def _read(key, scope, today, using):
    """(version, data) of the snapshot, if it was made today at the scope's generations: one
    query."""
    return (
        DashboardSnapshot.objects.using(using)
        .filter(
            key=key,
            made_on=today,
            generation=_generation(scope, using),
            every_scope=_generation(EVERY_SCOPE, using),
        )
        .values_list("version", "data")
        .first()
    )


def _store(key, scope, generations, today, dashboard):
    """Keep the snapshot, in the primary database, in the place of the question's last one: one
    statement (in a savepoint inside a transaction). A failure costs the next reader a
    composition, never this reader's page."""
    quote = connection.ops.quote_name
    table = quote(DashboardSnapshot._meta.db_table)
    columns = ["key", "scope", "generation", "every_scope", "made_on", "version", "data"]
    # The primary, named rather than asked of the router: asking it would pin the rest of
    # this request to the primary (ketnghia.replicas), and the page cache would then keep a
    # page made from the replica's reads as long as one made from the primary's.
    using = DEFAULT_DB_ALIAS
    data = zlib.compress(pickle.dumps(dashboard, pickle.HIGHEST_PROTOCOL), ZLIB_LEVEL)
    values = [key, scope, *generations, today, dashboard.version, data]
    updates = ", ".join(f"{quote(c)} = excluded.{quote(c)}" for c in columns[1:])
    writer = transaction.get_connection(using)
    try:
        with (
            transaction.atomic(using=using) if writer.in_atomic_block else nullcontext(),
            writer.cursor() as cursor,
        ):
            cursor.execute(
                f"INSERT INTO {table} ({', '.join(quote(c) for c in columns)}) "
                f"VALUES ({', '.join(['%s'] * len(columns))}) "
                f"ON CONFLICT ({quote('key')}) DO UPDATE SET {updates}",
                values,
            )
    except DatabaseError:
        logger.warning("A dashboard snapshot could not be kept.", exc_info=True)


def snapshot(kind, filters, today, compose):
    """The dashboard `compose(version)` makes for this question, from its snapshot when one was
    made at the scope's generations (one query), else composed and kept. `version` names the
    composition (a random token): what is made from a dashboard can be kept under it (the
    page's figures: templates/dashboards/dashboard.html), and is never read for another. A
    snapshot that cannot be read is composed and kept again."""
    key, scope = _key(kind, filters), _scope(filters)
    using = router.db_for_read(DashboardSnapshot) or DEFAULT_DB_ALIAS

    def composed():
        # Read before the figures: a write that commits meanwhile moves them on.
        generations = _generations(scope, using)
        dashboard = compose(secrets.token_urlsafe(12))
        _store(key, scope, generations, today, dashboard)
        return dashboard

    found = _read(key, scope, today, using)
    if found is not None:
        return Stored(*found, composed)
    return composed()


# --- the writes ----------------------------------------------------------------------------


def bump(scopes):
    """Add one to the generation of `scopes` (ids; PROVINCE, EVERY_SCOPE), in the current
    transaction: the snapshots made at the old ones are no longer read."""
    scopes = sorted(set(scopes))
    if not scopes:
        return
    quote = connection.ops.quote_name
    table = quote(FiguresGeneration._meta.db_table)
    rows = ", ".join(["(%s, 1)"] * len(scopes))
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} ({quote('scope')}, {quote('generation')}) VALUES {rows} "
            f"ON CONFLICT ({quote('scope')}) DO UPDATE SET "
            f"{quote('generation')} = {table}.{quote('generation')} + 1",
            scopes,
        )


def bump_every_scope(**kwargs):
    """Every snapshot goes: a write whose footprint is not known (a receiver of signals).
    Under the summaries' lock, as the keepers bump: writers take it before any generation's
    row, so that two of them never wait for each other's rows."""
    with transaction.atomic():
        summaries.lock()
        bump([EVERY_SCOPE])


def empty(**kwargs):
    """After `migrate` (another version of the code): no snapshot is kept."""
    if DashboardSnapshot._meta.db_table in connection.introspection.table_names():
        DashboardSnapshot.objects.all().delete()


def _units_of(concerns):
    """The ids of the units the activities, agreements and units of a write's concerns
    (localities.changes) lie in, as the database holds them now: three queries at most. An
    activity's are its giver, its recipient and its agreement's parties; an agreement's, its
    parties and the givers and recipients of all its activities, whose figures its status,
    parties and areas decide."""
    units = set(concerns["units"]) | set(concerns["kinds"])
    agreements = set(concerns["agreements"]) | set(concerns["dates"])
    signed = set(agreements)
    if concerns["activities"]:
        for agreement, giver, recipient in Activity.objects.filter(
            pk__in=concerns["activities"]
        ).values_list("agreement_id", "giver_id", "recipient_id"):
            signed.add(agreement)
            units.update((giver, recipient))
    if signed:
        units.update(
            Party.objects.filter(agreement__in=signed).values_list("locality_id", flat=True)
        )
    if agreements:
        for pair in (
            Activity.objects.filter(agreement__in=agreements)
            .values_list("giver_id", "recipient_id")
            .distinct()
        ):
            units.update(pair)
    return units - {None}


class Keeper:
    """The keeper of localities.changes that moves the generations on: before a write, the
    units what it names lies in; after it, the same and those of what it created; the scopes
    that count any of them (tree.counted_in) and the province get a new generation."""

    def begin(self, change, concerns):
        # Where they lie before the write: a unit moved counts in its old parents no more.
        notes = change.notes.setdefault(self, set())
        notes |= tree.counted_in(_units_of(concerns))

    def end(self, change):
        concerns = {c: change.before[c] | change.after[c] for c in change.before}
        bump({PROVINCE, *change.notes.get(self, ()), *tree.counted_in(_units_of(concerns))})


KEEPER = Keeper()


# Shown on the dashboards (names, programmes' dates) without a footprint the keeper hears of.
SHOWN_EVERYWHERE = (Locality, ActivityType, CommitmentArea, Funder, Programme)


def connect(sender):
    """ActivitiesConfig.ready: the keeper, the writes it does not hear of, the bulk writes the
    registers announce (localities.signals.data_changed) and `migrate` (sender: the app)."""
    changes.register(KEEPER)
    for model in SHOWN_EVERYWHERE:
        uid = f"activities.snapshots.{model._meta.label_lower}"
        post_save.connect(bump_every_scope, sender=model, dispatch_uid=f"{uid}.save")
        post_delete.connect(bump_every_scope, sender=model, dispatch_uid=f"{uid}.delete")
    signals.data_changed.connect(bump_every_scope, dispatch_uid="activities.snapshots.bulk")
    post_migrate.connect(empty, sender=sender, dispatch_uid="activities.snapshots.migrate")
