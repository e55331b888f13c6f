"""ActivitySummary: sums of activities kept in step with every write, or rebuilt from scratch;
and AgreementDates, each party and area of an agreement with its dates, kept the same way.

At national scale (a million activities) the dashboards' aggregates take too long; they read
these rows instead (docs/counting.md, "Where figures are read from"). One SQL statement,
written here once, says what each activity contributes to which row, by the rules of
reports.rules; it serves both ways of keeping the rows:

- rebuild(): every row recomputed from the activities in one INSERT … SELECT
  (`manage.py rebuild_summaries`). Run it after writes that name no concern to
  localities.changes: bulk inserts and queryset updates (generate_national, raw SQL, loaddata).
- KEEPER, the keeper of localities.changes.writing (registered by ActivitiesConfig.ready):
  every write that changes what is counted names what it concerns (an activity; an
  agreement's status, parties or areas; a unit's place in the tree or its successor), in its
  transaction. Before the write, the contributions of the activities it concerns are read;
  after it, read again; the difference is added to the rows. The models' save() and delete()
  make that call, so every path through them (admin, services, Excel import, the demo loader)
  keeps the rows in step; so do the querysets' delete() (the admin's bulk deletions) and the
  register's import for the units it moves or gives a successor in bulk.

Concurrent writers: every maintenance step first takes one transaction-level lock
(pg_advisory_xact_lock on PostgreSQL; SQLite's IMMEDIATE transactions already let one writer
in at a time), so one transaction's before-and-after is never interleaved with another's, and
the additions are `INSERT … ON CONFLICT DO UPDATE SET n = n + excluded.n`: no update is lost.

A row whose activities all went away stays, with zeros: readers skip empty groups, and the
next rebuild drops it.
"""

from decimal import Decimal
from itertools import islice

from django.db import connection, transaction
from django.db.models import Q
from django.db.models.sql import Query

from activities.models import Activity, ActivitySummary, AgreementDates, Qualifier, SummaryRole
from activities.reports import rules, totals
from agreements.models import Agreement, AgreementStatus, Commitment, Party, PartyRole
from localities import signals, tree
from localities.models import Locality, Succession

KEY = (
    "role",
    "scope_id",
    "area_id",
    "activity_type_id",
    "funder_id",
    "unit_id",
    "published",
    "status",
    "first_year",
    "last_year",
)
# The measures of a row, as ActivitySummary's columns: totals.MEASURES, but for the two sums,
# which the summary names as the activities do.
MEASURES = tuple(
    {"quantity_sum": "quantity", "value_sum": "value_vnd"}.get(m, m) for m in totals.MEASURES
)
NOTHING = (0, Decimal(0), 0, 0, 0, 0, 0, 0, 0, 0, 0)

# The unique constraint each role's rows fall under (ActivitySummary.Meta), for ON CONFLICT.
SHAPES = {
    SummaryRole.ALL: "activities_summary_all_key",
    SummaryRole.PARTY: "activities_summary_scope_key",
    SummaryRole.AREA: "activities_summary_area_key",
    SummaryRole.GIVER: "activities_summary_total_key",
    SummaryRole.RECIPIENT: "activities_summary_total_key",
    SummaryRole.FUNDER: "activities_summary_funder_key",
    SummaryRole.GIVER_TOTAL: "activities_summary_total_key",
    SummaryRole.RECIPIENT_TOTAL: "activities_summary_total_key",
    SummaryRole.PARTY_AREA: "activities_summary_scope_area_key",
    SummaryRole.PARTY_FUNDER: "activities_summary_scope_funder_key",
    SummaryRole.GIVEN: "activities_summary_scope_key",
    SummaryRole.RECEIVED: "activities_summary_scope_key",
    SummaryRole.PARTY_GIVER: "activities_summary_scope_unit_key",
    SummaryRole.PARTY_RECIPIENT: "activities_summary_scope_unit_key",
}

# Activities read per statement when contributions are computed for a list of them.
CHUNK = 500
# PostgreSQL's memory for the rebuild's sorts and hashes.
REBUILD_WORK_MEM = "256MB"
# pg_advisory_xact_lock's key: any constant the project uses for nothing else.
LOCK_KEY = 482_017_001


# --- what each activity contributes ----------------------------------------------------------


def _table(model):
    return connection.ops.quote_name(model._meta.db_table)


def _year(column):
    if connection.vendor == "sqlite":
        return f"CAST(strftime('%%Y', {column}) AS INTEGER)"
    return f"CAST(EXTRACT(YEAR FROM {column}) AS INTEGER)"


def _measures():
    def count(condition):
        return f"SUM(CASE WHEN {condition} THEN 1 ELSE 0 END)"

    qualified = (Qualifier.OVER, Qualifier.ABOUT, Qualifier.NEARLY)
    return ", ".join(
        [
            "COUNT(*)",
            "COALESCE(SUM(a.quantity), 0)",
            "COALESCE(SUM(a.value_vnd), 0)",
            *(count(f"a.quantity IS NOT NULL AND a.quantity_qualifier = '{q}'") for q in qualified),
            count("a.quantity IS NULL"),
            *(count(f"a.value_vnd IS NOT NULL AND a.value_qualifier = '{q}'") for q in qualified),
            count("a.value_vnd IS NULL"),
        ]
    )


def contribution_sql(activity_ids=None):
    """One SELECT (a UNION ALL) of summary rows, in the columns KEY + MEASURES: the sums of
    every activity, or only of `activity_ids`. Returns (sql, params)."""
    activity, agreement = _table(Activity), _table(Agreement)
    party, commitment, locality = _table(Party), _table(Commitment), _table(Locality)
    succession = _table(Succession)
    if activity_ids is None:
        only_activities, only_agreements, params = "1 = 1", "1 = 1", []
    else:
        marks = ", ".join(["%s"] * len(activity_ids))
        only_activities = f"a.id IN ({marks})"
        only_agreements = (
            f"{{alias}}.agreement_id IN (SELECT x.agreement_id FROM {activity} x "
            f"WHERE x.id IN ({marks}))"
        )
        params = list(activity_ids)
    null = "CAST(NULL AS BIGINT)"
    published = f"CASE WHEN g.status = '{AgreementStatus.PUBLISHED}' THEN TRUE ELSE FALSE END"
    first, last = _year("a.starts_on"), _year("COALESCE(a.ends_on, a.starts_on)")
    base = f"FROM {activity} a JOIN {agreement} g ON g.id = a.agreement_id"
    by = f"g.status, a.status, {first}, {last}"
    measures = _measures()

    def units(rows, key):
        """(SQL, copies of its parameters): each (key, unit) once for the (key, locality_id)
        `rows`: the locality, the units above it, and the units that succeeded any of them
        (tree.area_ids read the other way). UNION keeps each pair once, so an activity counts
        once in a commune whose two villages signed (or gave)."""
        levels = []
        joins = f"JOIN {locality} l0 ON l0.id = p.locality_id"
        for depth in range(tree.DEPTH + 1):
            if depth:
                joins += f" JOIN {locality} l{depth} ON l{depth}.id = l{depth - 1}.parent_id"
            levels.append(f"SELECT p.{key}, l{depth}.id AS scope_id FROM ({rows}) p {joins}")
            levels.append(
                f"SELECT p.{key}, s.successor_id AS scope_id FROM ({rows}) p {joins} "
                f"JOIN {succession} s ON s.predecessor_id = l{depth}.id"
            )
        return " UNION ".join(levels), len(levels)

    # The units an agreement counts in: its parties' (signing or coordinating).
    parties = (
        f"SELECT x.agreement_id, x.locality_id FROM {party} x WHERE "
        + only_agreements.format(alias="x")
    )
    scopes, copies = units(parties, "agreement_id")
    areas = (
        f"SELECT DISTINCT c.agreement_id, c.area_id FROM {commitment} c WHERE "
        + only_agreements.format(alias="c")
    )
    # An activity with no named giver was given by the signing parties other than its
    # recipient (agreements.parties): one row each.
    givers = (
        f"SELECT a.id AS activity_id, a.giver_id AS locality_id {base} "
        f"WHERE a.giver_id IS NOT NULL AND {only_activities} "
        f"UNION ALL SELECT a.id, p.locality_id {base} "
        f"JOIN {party} p ON p.agreement_id = a.agreement_id AND p.role = '{PartyRole.PARTY}' "
        f"WHERE a.giver_id IS NULL AND {only_activities} "
        "AND p.locality_id <> COALESCE(a.recipient_id, 0)"
    )
    selects = [
        (
            f"SELECT '{SummaryRole.ALL}', {null}, {null}, a.activity_type_id, {null}, {null}, "
            f"{published}, a.status, {first}, {last}, {measures} {base} WHERE {only_activities} "
            f"GROUP BY a.activity_type_id, {by}",
            params,
        ),
        (
            f"SELECT '{SummaryRole.PARTY}', s.scope_id, {null}, a.activity_type_id, {null}, "
            f"{null}, {published}, a.status, {first}, {last}, {measures} {base} "
            f"JOIN ({scopes}) s ON s.agreement_id = a.agreement_id WHERE {only_activities} "
            f"GROUP BY s.scope_id, a.activity_type_id, {by}",
            params * (copies + 1),
        ),
        (
            f"SELECT '{SummaryRole.AREA}', {null}, c.area_id, {null}, {null}, {null}, {published}, "
            f"a.status, {first}, {last}, {measures} {base} "
            f"JOIN ({areas}) c ON c.agreement_id = a.agreement_id WHERE {only_activities} "
            f"GROUP BY c.area_id, {by}",
            params * 2,
        ),
    ]
    recipients = (
        f"SELECT a.id AS activity_id, a.recipient_id AS locality_id {base} "
        f"WHERE a.recipient_id IS NOT NULL AND {only_activities}"
    )
    # Each giver and recipient by years; and over every year (years 0–0: the top lists), once
    # for the published agreements (published TRUE) and once for every agreement, drafts
    # included (published FALSE: province staff's lists), so that each list reads one row per
    # locality in the order of its index.
    for role, total, who, who_params in (
        (SummaryRole.GIVER, SummaryRole.GIVER_TOTAL, givers, 2),
        (SummaryRole.RECIPIENT, SummaryRole.RECIPIENT_TOTAL, recipients, 1),
    ):
        joined = f"{base} JOIN ({who}) w ON w.activity_id = a.id WHERE {only_activities}"
        selects += [
            (
                f"SELECT '{role}', w.locality_id, {null}, {null}, {null}, {null}, {published}, "
                f"a.status, {first}, {last}, {measures} {joined} GROUP BY w.locality_id, {by}",
                params * (who_params + 1),
            ),
            (
                f"SELECT '{total}', w.locality_id, {null}, {null}, {null}, {null}, TRUE, a.status, "
                "0, 0, "
                f"{measures} {joined} AND g.status = '{AgreementStatus.PUBLISHED}' "
                "GROUP BY w.locality_id, a.status",
                params * (who_params + 1),
            ),
            (
                f"SELECT '{total}', w.locality_id, {null}, {null}, {null}, {null}, FALSE, "
                f"a.status, 0, 0, {measures} {joined} GROUP BY w.locality_id, a.status",
                params * (who_params + 1),
            ),
        ]
    selects += [
        (
            f"SELECT '{SummaryRole.FUNDER}', {null}, {null}, {null}, a.funder_id, {null}, "
            f"{published}, "
            f"a.status, {first}, {last}, {measures} {base} "
            f"WHERE a.funder_id IS NOT NULL AND {only_activities} GROUP BY a.funder_id, {by}",
            params,
        ),
        # A locality's areas and funders: the AREA and FUNDER rows of each unit, as PARTY.
        (
            f"SELECT '{SummaryRole.PARTY_AREA}', s.scope_id, c.area_id, {null}, {null}, "
            f"{null}, {published}, a.status, {first}, {last}, {measures} {base} "
            f"JOIN ({scopes}) s ON s.agreement_id = a.agreement_id "
            f"JOIN ({areas}) c ON c.agreement_id = a.agreement_id WHERE {only_activities} "
            f"GROUP BY s.scope_id, c.area_id, {by}",
            params * (copies + 2),
        ),
        (
            f"SELECT '{SummaryRole.PARTY_FUNDER}', s.scope_id, {null}, {null}, a.funder_id, "
            f"{null}, {published}, a.status, {first}, {last}, {measures} {base} "
            f"JOIN ({scopes}) s ON s.agreement_id = a.agreement_id "
            f"WHERE a.funder_id IS NOT NULL AND {only_activities} "
            f"GROUP BY s.scope_id, a.funder_id, {by}",
            params * (copies + 1),
        ),
    ]
    # A locality's givers and recipients: the GIVER and RECIPIENT rows of each unit, as PARTY.
    for role, who, who_params in (
        (SummaryRole.PARTY_GIVER, givers, 2),
        (SummaryRole.PARTY_RECIPIENT, recipients, 1),
    ):
        selects.append(
            (
                f"SELECT '{role}', s.scope_id, {null}, {null}, {null}, w.locality_id, "
                f"{published}, a.status, {first}, {last}, {measures} {base} "
                f"JOIN ({scopes}) s ON s.agreement_id = a.agreement_id "
                f"JOIN ({who}) w ON w.activity_id = a.id WHERE {only_activities} "
                f"GROUP BY s.scope_id, w.locality_id, {by}",
                params * (copies + who_params + 1),
            )
        )
    # What each unit gave and received, through the units below it and those it succeeded.
    for role, who, who_params in (
        (SummaryRole.GIVEN, givers, 2),
        (SummaryRole.RECEIVED, recipients, 1),
    ):
        theirs, copies = units(who, "activity_id")
        selects.append(
            (
                f"SELECT '{role}', u.scope_id, {null}, a.activity_type_id, {null}, {null}, "
                f"{published}, "
                f"a.status, {first}, {last}, {measures} {base} "
                f"JOIN ({theirs}) u ON u.activity_id = a.id WHERE {only_activities} "
                f"GROUP BY u.scope_id, a.activity_type_id, {by}",
                params * (who_params * copies + 1),
            )
        )
    return (
        " UNION ALL ".join(sql for sql, _params in selects),
        [p for _sql, params in selects for p in params],
    )


def _quantity(value):
    # SQLite sums decimals as floats: back to hundredths, the field's precision.
    return Decimal(str(value)).quantize(Decimal("0.01"))


def contributions(activity_ids):
    """{key: measures} of the activities `activity_ids`, from the database as it is now."""
    result = {}
    ids = iter(sorted(set(activity_ids)))
    while chunk := list(islice(ids, CHUNK)):
        sql, params = contribution_sql(chunk)
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            rows = cursor.fetchall()
        for row in rows:
            key = (*row[:6], bool(row[6]), *row[7:10])
            measures = (int(row[10]), _quantity(row[11]), *(int(v) for v in row[12:]))
            previous = result.get(key, NOTHING)
            result[key] = tuple(a + b for a, b in zip(previous, measures, strict=True))
    return result


# --- keeping the rows in step ----------------------------------------------------------------


def _conflict_target(name):
    """`(columns) WHERE condition` of a partial unique constraint, as its index was made (SQLite
    matches the condition word for word)."""
    (constraint,) = [c for c in ActivitySummary._meta.constraints if c.name == name]
    quote = connection.ops.quote_name
    columns = ", ".join(
        quote(ActivitySummary._meta.get_field(field).column) for field in constraint.fields
    )
    query = Query(model=ActivitySummary, alias_cols=False)
    where = query.build_where(constraint.condition)
    condition, params = where.as_sql(query.get_compiler(connection=connection), connection)
    assert not params, "a summary key's condition has no parameters"
    return f"({columns}) WHERE {condition}"


def lock():
    """Let one transaction at a time change the summaries, until it ends."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [LOCK_KEY])


def add(before, after):
    """Add `after` minus `before` ({key: measures}) to the rows: one statement per shape and
    CHUNK rows, keys in order so that concurrent writers take row locks in the same order."""
    delta = {}
    for key in before.keys() | after.keys():
        change = tuple(
            a - b for a, b in zip(after.get(key, NOTHING), before.get(key, NOTHING), strict=True)
        )
        if any(change):
            delta[key] = change
    table = _table(ActivitySummary)
    quote = connection.ops.quote_name
    columns = ", ".join(quote(c) for c in (*KEY, *MEASURES))
    updates = ", ".join(f"{quote(m)} = {table}.{quote(m)} + excluded.{quote(m)}" for m in MEASURES)
    marks = "(" + ", ".join(["%s"] * (len(KEY) + len(MEASURES))) + ")"
    shapes = {}
    for key in sorted(delta, key=lambda k: tuple((v is None, v) for v in k)):
        shapes.setdefault(SHAPES[key[0]], []).append((*key, *delta[key]))
    for shape, rows in shapes.items():
        target = _conflict_target(shape)
        for start in range(0, len(rows), CHUNK):
            chunk = rows[start : start + CHUNK]
            with connection.cursor() as cursor:
                cursor.execute(
                    f"INSERT INTO {table} ({columns}) VALUES {', '.join([marks] * len(chunk))} "
                    f"ON CONFLICT {target} DO UPDATE SET {updates}",
                    [value for row in chunk for value in row],
                )


@transaction.atomic
def rebuild():
    """Every summary row recomputed from the activities; returns how many rows there are."""
    lock()
    ActivitySummary.objects.all().delete()
    if connection.vendor == "postgresql":
        # Aggregating a million activities joined to their localities: in memory, not in
        # temporary files (three times faster); for this transaction only.
        with connection.cursor() as cursor:
            cursor.execute(f"SET LOCAL work_mem = '{REBUILD_WORK_MEM}'")
    sql, params = contribution_sql()
    columns = ", ".join(connection.ops.quote_name(c) for c in (*KEY, *MEASURES))
    with connection.cursor() as cursor:
        cursor.execute(f"INSERT INTO {_table(ActivitySummary)} ({columns}) {sql}", params)
    AgreementDates.objects.all().delete()
    _insert_dates()
    # Run after writes that bypassed the models' signals: the pages kept whole go too.
    signals.data_changed.send(sender=__name__)
    return ActivitySummary.objects.count()


def fill_if_empty(**kwargs):
    """After `migrate`: a database whose activities (parties, commitments) predate the
    summaries (the agreements' dates) gets them (not after migrating back to before them,
    nor before the activities)."""
    tables = connection.introspection.table_names()
    if ActivitySummary._meta.db_table not in tables or Activity._meta.db_table not in tables:
        return
    if not ActivitySummary.objects.exists() and Activity.objects.exists():
        rebuild()
        return
    if AgreementDates._meta.db_table not in tables or AgreementDates.objects.exists():
        return
    if Party.objects.exists() or Commitment.objects.exists():
        with transaction.atomic():
            lock()
            _insert_dates()


# --- the agreements' dates -------------------------------------------------------------------


def _insert_dates(agreement_ids=None):
    """Insert the AgreementDates rows of `agreement_ids` (of every agreement by default): each
    party once (a party is unique in its agreement) and each area once; then mark the parties
    that are ethnic-minority villages (rules.minority_villages)."""
    agreement, party, commitment = _table(Agreement), _table(Party), _table(Commitment)
    where, params = "1 = 1", []
    if agreement_ids is not None:
        where = f"{{alias}}.agreement_id IN ({', '.join(['%s'] * len(agreement_ids))})"
        params = list(agreement_ids)
    null = "CAST(NULL AS BIGINT)"
    published = f"CASE WHEN g.status = '{AgreementStatus.PUBLISHED}' THEN TRUE ELSE FALSE END"
    # Not an ethnic-minority village, until _mark_villages says otherwise.
    dates = f"{published}, g.signed_on, g.ended_on, FALSE"
    quote = connection.ops.quote_name
    columns = ", ".join(
        quote(AgreementDates._meta.get_field(name).column)
        for name in (
            "agreement",
            "locality",
            "area",
            "published",
            "signed_on",
            "ended_on",
            "minority_village",
        )
    )
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {_table(AgreementDates)} ({columns}) "
            f"SELECT p.agreement_id, p.locality_id, {null}, {dates} "
            f"FROM {party} p JOIN {agreement} g ON g.id = p.agreement_id "
            f"WHERE {where.format(alias='p')} "
            f"UNION ALL SELECT c.agreement_id, {null}, c.area_id, {dates} "
            f"FROM (SELECT DISTINCT x.agreement_id, x.area_id FROM {commitment} x "
            f"WHERE {where.format(alias='x')}) c JOIN {agreement} g ON g.id = c.agreement_id",
            params * 2,
        )
    _mark_villages(agreement_ids)


def _mark_villages(agreement_ids=None):
    rows = AgreementDates.objects.filter(
        locality__in=Locality.objects.filter(rules.minority_villages()).values("pk")
    )
    if agreement_ids is not None:
        rows = rows.filter(agreement_id__in=agreement_ids)
    rows.update(minority_village=True)


def keep_dates(*agreement_ids):
    """The AgreementDates rows of these agreements made again from their parties, commitments
    and dates: after any write to them, in its transaction."""
    ids = sorted({pk for pk in agreement_ids if pk})
    if not ids:
        return
    lock()
    AgreementDates.objects.filter(agreement_id__in=ids).delete()
    _insert_dates(ids)


# --- the keeper: each write, before and after --------------------------------------------------


def _of_agreements(agreement_ids):
    return Activity.objects.filter(agreement_id__in=agreement_ids).values_list("pk", flat=True)


def _of_units(unit_ids):
    """The activities whose figures depend on where `unit_ids` and the units below them lie:
    those of the agreements they are parties to, and those they gave or received (what a unit
    gave and received counts in the units above it)."""
    units = tree.subtree_ids(*unit_ids)
    agreements = Party.objects.filter(locality__in=units).values("agreement_id")
    return Activity.objects.filter(
        Q(agreement__in=agreements) | Q(giver__in=units) | Q(recipient__in=units)
    ).values_list("pk", flat=True)


def _concerned(concerns):
    """The ids of the activities a write's concerns (localities.changes) reach, now."""
    ids = set(concerns["activities"])
    if concerns["agreements"]:
        ids.update(_of_agreements(sorted(concerns["agreements"])))
    if concerns["units"]:
        ids.update(_of_units(sorted(concerns["units"])))
    return ids


class Keeper:
    """Keeps the summary rows and the agreements' dates in step with each write, in its
    transaction (localities.changes.writing): before the write, under the lock, what the
    activities it concerns contribute; after it, what the same activities (and those it
    created) contribute; the difference is added to the rows. The agreements whose parties,
    areas or dates it changed, or to which a unit whose kind changed is a party, get their
    AgreementDates rows again."""

    def begin(self, change, concerns):
        # The activities are read once the lock is held: one another transaction was adding
        # is then either there, with its rows written, or not yet.
        lock()
        notes = change.notes.setdefault(self, {"ids": set(), "before": {}})
        # An activity the write created (changes.Change.created) counted nowhere before it.
        new = _concerned(concerns) - notes["ids"] - change.after["activities"]
        notes["ids"] |= new
        before = notes["before"]
        for key, measures in contributions(new).items():
            previous = before.get(key, NOTHING)
            before[key] = tuple(a + b for a, b in zip(previous, measures, strict=True))

    def end(self, change):
        # Held already if begin() ran, unless it ran in a savepoint rolled back since.
        lock()
        notes = change.notes.get(self) or {"ids": set(), "before": {}}
        concerns = {c: change.before[c] | change.after[c] for c in change.before}
        ids = notes["ids"] | _concerned(concerns)
        if ids:
            add(notes["before"], contributions(ids))
        dates = set(concerns["dates"])
        if concerns["kinds"]:
            # The agreements these units are parties to: their rows say whether a party is an
            # ethnic-minority village.
            dates.update(
                Party.objects.filter(locality__in=concerns["kinds"]).values_list(
                    "agreement_id", flat=True
                )
            )
        if dates:
            keep_dates(*dates)


KEEPER = Keeper()
