"""Public pages kept whole in the shared cache until the data they show changes.

Tags. A page's key holds the *generations* of its tags: numbers in the cache, read in one
round trip (get_many). A write bumps the tags of the pages it can change, which makes those
pages unreachable at once; their old entries expire on their own. Every page holds "*"
(everything), and one tag decided from its address, without a query:
- "agreement:<slug>": the agreement's page, /giao-uoc/<slug>/;
- "locality:<slug>": the locality's page, /dia-phuong/<slug>/, and its dashboard,
  /thong-ke/<slug>/ (and its workbook);
- "site": every other page (home, the agreement list, the province dashboard, the coverage,
  the legal documents…), which show the province's data.
Tags name slugs, as addresses do, so that a page served from the cache costs no query; the
writes read the slugs in the queries that find the ids anyway, and a write that changes a slug
drops the pages of the old one too.

What a write (a save, a delete or a many-to-many change) drops:
- a write to an agreement or to anything of it (a party, commitment, programme, event, photo,
  source, activity, its legal basis): "site", the agreement's page, and the pages and
  dashboards of the localities it is counted in: its parties, the units above them, the units
  that succeeded any of those in a merger (they show what they inherited) and the units above
  these. An activity adds its giver and recipient (with the units above them, and so
  on); the agreement itself, a party or a commitment add the givers and recipients of every
  activity of the agreement, whose figures they change (publication, the party-kind and area
  filters);
- a locality with no unit below it: "site", its page, the pages above it, those of its
  predecessors and successors, and, as above, those of the agreements that name it (as a
  party, a giver or a recipient), whose pages show its name;
- an annual plan or one of its items, a review meeting: as a part of its agreement (the
  agreement's page and the locality pages show plans; the dashboards count the approved plans
  and the agreements overdue for a meeting);
- a locality with units below it, an activity type, a commitment area, a funder, a model not
  named here, a fixture loaded (raw) and the bulk writes the registers announce
  (localities.signals.data_changed: rebuild_summaries, import_units): everything;
- a succession: the pages of both units, as for an agreement's party;
- a legal document: "site" and the pages of the agreements that name it;
- rows no public page shows (history, publications, staff's localities, a meeting's attendance
  and decisions) and the rows derived from the others (the summary rows, the agreements'
  dates, the dashboards' snapshots and generations: rebuilt in bulk with deletes that must stay
  one statement): nothing.
A row updated drops the pages of the row as it was (read before the save) and as it is: an
activity given to another commune drops the first one's pages too. Finding the tags costs a few
indexed queries in the writing transaction: three for an activity added, one more to read a
row before an update, six for a locality; with the page cache off, none: a write then bumps
everything.

Generations. A bump sets a tag to the clock's nanoseconds, never the same twice in a process,
so that a tag never takes again a number that pages were kept under, not even after the cache
is emptied: a missing generation starts from the clock too. A write bumps its tags at once, so
that the writing transaction reads its own pages afresh, and again after the commit, once per
transaction for every tag it bumped, so that a page another request made from the data of
before the commit, in between, is not kept.

The key holds as well the language, the day (anniversaries and "in force" follow the
calendar), the static files' manifest (a deployment renames them) and the address, host
included. Only answers that are the same for every visitor are kept: a GET or HEAD without a
session cookie (someone signed in may see drafts), answered 200 with nothing private, no cookie
set and no session or CSRF token read. Everyone else gets the page computed, as without this
module.
"""

import functools
import hashlib
import time
from collections import defaultdict
from urllib.parse import urlencode

from django.apps import apps
from django.conf import settings
from django.contrib.staticfiles.storage import staticfiles_storage
from django.core.cache import cache
from django.core.exceptions import EmptyResultSet
from django.db import transaction
from django.db.models import Model, Q, QuerySet
from django.db.models.signals import m2m_changed, post_delete, post_save, pre_save
from django.http import HttpResponse, HttpResponsePermanentRedirect
from django.utils import timezone
from django.utils.cache import cc_delim_re
from django.utils.translation import get_language
from simple_history.models import HistoricalChanges

from activities.models import Activity, Plan
from agreements.models import Agreement, LegalDocument, Party
from ketnghia import cache as resilient
from ketnghia import replicas
from localities import signals as registers
from localities import tree
from localities.models import Locality, Succession

GENERATION_KEY = "ketnghia:data-generation"  # the generation of "*"
TAG_PREFIX = "ketnghia:tag"
KEY_PREFIX = "ketnghia:page"
KEPT_PREFIX = "ketnghia:kept"
EVERYTHING = "*"
SITE = "site"
# The pages tagged more narrowly than "site", by the name of their address: the slug in it is
# the agreement's or the locality's.
NARROW = {
    "agreements:detail": "agreement",
    "localities:detail": "locality",
    "dashboards:locality": "locality",
    "dashboards:locality_xlsx": "locality",
}
# The apps whose data the public pages show, and their models that no public page shows (or,
# for the summary rows, that are derived from the others and rebuilt in bulk: a receiver
# would make Django load every row to send it a signal). Historical records are left out too.
APPS = ("localities", "agreements", "activities")
UNSEEN = {
    "activities.activitysummary",
    "activities.agreementdates",
    "activities.dashboardsnapshot",
    "activities.figuresgeneration",
    # The yearly cycle's working records: staff's, on no public page (the meetings themselves
    # count on the dashboards, their attendance and decisions nowhere).
    "activities.meetingattendance",
    "activities.followup",
    "agreements.publication",
    "localities.stafflocality",
}
# The attribute holding, between pre_save and post_save, the row as it was.
BEFORE = "_pagecache_before"


# --- generations ----------------------------------------------------------------------------

_last_clock = 0


def _clock():
    """The clock's nanoseconds, never the same number twice in this process."""
    global _last_clock
    _last_clock = max(time.time_ns(), _last_clock + 1)
    return _last_clock


def tag(kind, slug):
    return f"{kind}:{slug}"


def _key(name):
    if name == EVERYTHING:
        return GENERATION_KEY
    key = f"{TAG_PREFIX}:{name}"
    # Agreement slugs run to 320 characters; cache keys are kept under memcached's 250.
    return key if len(key) <= 200 else f"{TAG_PREFIX}:{hashlib.sha256(name.encode()).hexdigest()}"


def generations(tags):
    """The tags' generations, in one round trip; None when the cache does not answer. A missing
    one (a tag never bumped, an emptied cache) starts from the clock, so that it never repeats a
    number pages were kept under."""
    return _generations_with(tags, [])[0]


def _generations_with(tags, others):
    """(the tags' generations or None, what the cache holds of the keys `others`), read in the
    same round trip."""
    if _owed and not _bump(_owed):
        return None, {}
    keys = [_key(name) for name in tags]
    found = cache.get_many([*keys, *others])
    missing = [key for key in keys if key not in found]
    if missing:
        for key in missing:
            cache.add(key, _clock(), timeout=None)
        found |= cache.get_many(missing)
    if any(key not in found for key in keys):
        return None, {}
    return [found[key] for key in keys], {key: found[key] for key in others if key in found}


def generation(name=EVERYTHING):
    """A tag's generation; without one, the generation every page holds."""
    return generations([name])[0]


# The bumps this process could not make (the cache did not answer), or owes since it saw the
# cache come back: every page, made again before this process reads a page from the cache, so
# that a Redis that was out of reach, not emptied, does not serve the pages of before a write
# made meanwhile. A process that saw no outage pays nothing: until one that did bumps (at its
# next read or write), it may serve such a page, for PAGE_CACHE_SECONDS at most.
_owed = set()


def _bump(tags):
    """True when the cache took the new generations (and any this process owed)."""
    tags = set(tags) | _owed
    if EVERYTHING in tags:
        tags = {EVERYTHING}  # every page holds it
    now = _clock()
    if cache.set_many({_key(name): now for name in tags}, timeout=None):
        _owed.add(EVERYTHING)
        return False
    _owed.clear()
    return True


def cache_answers_again(**kwargs):
    """The receiver of ketnghia.cache.answers_again: this process saw the cache fail, and so
    may have served or made pages while a write it did not see was not counted: every page
    goes, before it reads one again."""
    _owed.add(EVERYTHING)


class _AfterCommit:
    """The second bump of a transaction's tags, when it commits: one for all its writes."""

    def __init__(self, tags):
        self.tags = set(tags)

    def __call__(self):
        _bump(self.tags)


def bump(tags, using=None):
    """Drop the pages of `tags` at once, and again once the transaction commits."""
    _bump(tags)
    connection = transaction.get_connection(using)
    # A callback of a savepoint rolled back is gone from the list: a new one is added.
    for _sids, callback, *_ in connection.run_on_commit:
        if isinstance(callback, _AfterCommit):
            callback.tags |= tags
            return
    transaction.on_commit(_AfterCommit(tags), using=using)


def data_changed(using=None, **kwargs):
    """The data changed in bulk (the receiver of localities.signals.data_changed; call it
    after a bulk write too): every page goes."""
    bump({EVERYTHING}, using)


# --- what a write changes -------------------------------------------------------------------


def _values(rows, *fields):
    return {row[field] for row in rows for field in fields} - {None, ""}


def _with_units_above(localities):
    """The ids and slugs of `localities` (a queryset) and of the units above them: one query,
    joining each row to its parents."""
    paths = ["", *("__".join(["parent"] * n) + "__" for n in range(1, tree.DEPTH + 1))]
    ids, slugs = set(), set()
    fields = [f"{path}{field}" for path in paths for field in ("id", "slug")]
    for row in localities.order_by().values_list(*fields):
        ids.update(row[0::2])
        slugs.update(row[1::2])
    return ids - {None}, slugs - {None}


def _counted_in(named):
    """The slugs of the localities `named` (a Q on localities) and of every unit whose pages
    count them: the units above them, the units that succeeded any of those (one step of
    succession, as localities.tree.lineage_ids follows) and the units above these. Two
    queries."""
    ids, slugs = _with_units_above(Locality.objects.filter(named))
    successors = Locality.objects.filter(succeeds__predecessor__in=ids)
    return slugs | _with_units_above(successors)[1]


def _footprint(agreements=None, localities=(), *, with_activities=False):
    """The tags of the pages that show these agreements (ids or a subquery) and localities
    (ids): "site", the agreements' pages, and the pages of the localities they are counted in
    (_counted_in): the localities given, the agreements' parties and, `with_activities`, the
    givers and recipients of their activities. Three queries."""
    tags = {SITE}
    named = Q(pk__in=localities)
    if agreements is not None and (isinstance(agreements, QuerySet) or agreements):
        slugs = Agreement.objects.filter(pk__in=agreements).exclude(slug="").order_by()
        tags |= {tag("agreement", slug) for slug in slugs.values_list("slug", flat=True)}
        named |= Q(pk__in=Party.objects.filter(agreement__in=agreements).values("locality_id"))
        if with_activities:
            activities = Activity.objects.filter(agreement__in=agreements)
            named |= Q(pk__in=activities.values("giver_id"))
            named |= Q(pk__in=activities.values("recipient_id"))
    elif not localities:
        return tags
    return tags | {tag("locality", slug) for slug in _counted_in(named)}


def _agreement_tags(rows):
    own = {tag("agreement", slug) for slug in _values(rows, "slug")}  # a slug changed, deleted
    return own | _footprint(_values(rows, "id"), with_activities=True)


def _party_tags(rows):
    return _footprint(
        _values(rows, "agreement_id"), _values(rows, "locality_id"), with_activities=True
    )


def _terms_tags(rows):
    return _footprint(_values(rows, "agreement_id"), with_activities=True)


def _part_tags(rows):
    return _footprint(_values(rows, "agreement_id"))


def _activity_tags(rows):
    return _footprint(_values(rows, "agreement_id"), _values(rows, "giver_id", "recipient_id"))


def _legal_document_tags(rows):
    agreements = Agreement.objects.filter(legal_basis__in=_values(rows, "id")).exclude(slug="")
    agreements = agreements.order_by()
    return {SITE} | {tag("agreement", slug) for slug in agreements.values_list("slug", flat=True)}


def _locality_tags(rows):
    ids = _values(rows, "id")
    if Locality.objects.filter(parent__in=ids).exists():
        # Their pages name it in their breadcrumbs, dashboards beside their names: too many.
        return {EVERYTHING}
    predecessors = Succession.objects.filter(successor__in=ids).values_list("predecessor_id")
    naming = Agreement.objects.filter(
        Q(pk__in=Party.objects.filter(locality__in=ids).values("agreement_id"))
        | Q(pk__in=Activity.objects.filter(giver__in=ids).values("agreement_id"))
        | Q(pk__in=Activity.objects.filter(recipient__in=ids).values("agreement_id"))
    ).values("pk")
    localities = {*ids, *_values(rows, "parent_id"), *(pk for (pk,) in predecessors)}
    own = {tag("locality", slug) for slug in _values(rows, "slug")}  # a slug changed, deleted
    return own | _footprint(naming, localities, with_activities=True)


def _plan_item_tags(rows):
    return _footprint(Plan.objects.filter(pk__in=_values(rows, "plan_id")).values("agreement_id"))


def _succession_tags(rows):
    return _footprint(localities=_values(rows, "predecessor_id", "successor_id"))


# By model: the fields that decide what a write changes (read before an update too, when any
# can change), and the tags of the rows that hold them. A model not named changes everything.
RULES = {
    "activities.activity": (("agreement_id", "giver_id", "recipient_id"), _activity_tags),
    "agreements.agreement": (("id", "slug"), _agreement_tags),
    "agreements.party": (("agreement_id", "locality_id"), _party_tags),
    "agreements.commitment": (("agreement_id",), _terms_tags),
    "agreements.programme": (("agreement_id",), _part_tags),
    "agreements.event": (("agreement_id",), _part_tags),
    "agreements.photo": (("agreement_id",), _part_tags),
    "agreements.source": (("agreement_id",), _part_tags),
    "agreements.legaldocument": (("id",), _legal_document_tags),
    "localities.locality": (("id", "slug", "parent_id"), _locality_tags),
    "localities.succession": (("predecessor_id", "successor_id"), _succession_tags),
    "activities.plan": (("agreement_id",), _part_tags),
    "activities.meeting": (("agreement_id",), _part_tags),
    "activities.planitem": (("plan_id",), _plan_item_tags),
}


def _on():
    return settings.PAGE_CACHE_SECONDS > 0


def _written(model, rows, using, raw=False):
    rule = RULES.get(model._meta.label_lower)
    # Raw: no query, a fixture's rows may point to rows not loaded yet.
    everything = rule is None or raw or not _on()
    bump({EVERYTHING} if everything else rule[1](rows), using)


def _row(instance):
    return {field: getattr(instance, field) for field in RULES[instance._meta.label_lower][0]}


def _before_save(sender, instance, raw=False, **kwargs):
    """An update: the row as it was, whose pages go too."""
    if raw or instance._state.adding or not _on():
        return
    fields = RULES[sender._meta.label_lower][0]
    before = sender._base_manager.filter(pk=instance.pk).values(*fields).first()
    setattr(instance, BEFORE, before)


def _saved(sender, instance, raw=False, using=None, **kwargs):
    rows = [_row(instance)] if sender._meta.label_lower in RULES else []
    before = instance.__dict__.pop(BEFORE, None)
    if before is not None:
        rows.append(before)
    _written(sender, rows, using, raw)


def _deleted(sender, instance, using=None, **kwargs):
    rows = [_row(instance)] if sender._meta.label_lower in RULES else []
    _written(sender, rows, using)


def _m2m_changed(sender, instance, action, model, pk_set, using=None, **kwargs):
    """An agreement's legal basis, or a unit's successors, changed."""
    if action not in ("post_add", "post_remove", "post_clear"):
        return
    ids = defaultdict(set)
    ids[instance._meta.concrete_model].add(instance.pk)
    ids[model._meta.concrete_model].update(pk_set or ())
    if _on() and pk_set is not None and set(ids) <= {Agreement, LegalDocument, Locality}:
        tags = _footprint(ids.get(Agreement), ids.get(Locality, ()), with_activities=True)
    else:
        tags = {EVERYTHING}  # off, another relation, or cleared (the other side is gone)
    bump(tags, using)


def public_models():
    """The models of APPS that a public page shows (their history aside)."""
    for label in APPS:
        for model in apps.get_app_config(label).get_models():
            if model._meta.label_lower not in UNSEEN and not issubclass(model, HistoricalChanges):
                yield model


def connect():
    """Every model of APPS that a public page shows drops pages when written (see above), and
    every bulk write the registers announce drops them all: KetnghiaConfig.ready."""
    registers.data_changed.connect(data_changed, dispatch_uid="ketnghia.pagecache.bulk")
    resilient.answers_again.connect(cache_answers_again, dispatch_uid="ketnghia.pagecache.back")
    for model in public_models():
        name = model._meta.label_lower
        uid = f"ketnghia.pagecache.{name}"
        fields = RULES.get(name, ((),))[0]
        if set(fields) - {"id"}:
            pre_save.connect(_before_save, sender=model, dispatch_uid=f"{uid}.before")
        post_save.connect(_saved, sender=model, dispatch_uid=f"{uid}.save")
        post_delete.connect(_deleted, sender=model, dispatch_uid=f"{uid}.delete")
        for field in model._meta.local_many_to_many:
            m2m_changed.connect(
                _m2m_changed, sender=field.remote_field.through, dispatch_uid=f"{uid}.m2m"
            )


# --- values kept -----------------------------------------------------------------------------


@functools.cache
def _shown_models():
    return {model._meta.label_lower for model in public_models()}


def kept(name, key, compute):
    """compute(), what `name` says of the province's data (`key`: the queryset it reads, or a
    tuple of what tells one value from another: querysets, models, words), kept in the shared
    cache with the generations of "site" and "*" it was computed under, for the day, as a page
    is: the count of an admin list searched or filtered, the years a list spans, the rows a
    search looks up, the needs board's totals. One read of the cache; computed again after a
    write of the data the public pages show, not on every request; computed every time with
    the page cache off, or when the key names a model (or a queryset of one) whose writes drop
    no page."""
    if not _on():
        return compute()
    parts = []
    for part in key if isinstance(key, tuple) else (key,):
        model = part.model if isinstance(part, QuerySet) else part
        if isinstance(model, type) and issubclass(model, Model):
            if model._meta.label_lower not in _shown_models():
                return compute()  # its writes drop nothing: never kept
            if isinstance(part, QuerySet):
                try:
                    part = (part.db, *part.query.sql_with_params())
                except EmptyResultSet:
                    # Known empty before it is written (a search whose words no row holds):
                    # computed without a query.
                    return compute()
            else:
                part = model._meta.label_lower
        parts.append(part)
    text = repr((name, tuple(parts), timezone.localdate(), get_language()))
    cache_key = f"{KEPT_PREFIX}:{hashlib.sha256(text.encode()).hexdigest()}"
    # Kept with the generations it was computed under, read with theirs in one round trip.
    found, held = _generations_with([EVERYTHING, SITE], [cache_key])
    if found is None:
        return compute()
    under, value = held.get(cache_key, (None, None))
    if under != found:
        value = compute()
        cache.set(cache_key, (found, value), _seconds_kept())
    return value


# --- the pages ------------------------------------------------------------------------------


def page_tags(request):
    """The tag of a page, from its address (no query)."""
    match = request.resolver_match
    kind = NARROW.get(match.view_name) if match else None
    return [tag(kind, match.kwargs["slug"])] if kind else [SITE]


def _is_cacheable_request(request):
    return (
        settings.PAGE_CACHE_SECONDS > 0
        and request.method in ("GET", "HEAD")
        and settings.SESSION_COOKIE_NAME not in request.COOKIES
    )


def _is_cacheable_response(request, response):
    cache_control = {
        directive.split("=")[0].strip().lower()
        for directive in cc_delim_re.split(response.get("Cache-Control", ""))
    }
    session = getattr(request, "session", None)
    return (
        response.status_code == 200
        and not response.streaming
        and not response.cookies
        and not cache_control & {"private", "no-cache", "no-store"}
        and not (session is not None and session.accessed)
        and not request.META.get("CSRF_COOKIE_NEEDS_UPDATE")
    )


def page_key(request):
    """The page's key in the cache; None when the cache does not answer."""
    found = generations([EVERYTHING, *page_tags(request)])
    if found is None:
        return None
    held = ".".join(str(number) for number in found)
    address = hashlib.sha256(request.build_absolute_uri().encode()).hexdigest()[:32]
    manifest = getattr(staticfiles_storage, "manifest_hash", "") or ""
    day = timezone.localdate().isoformat()
    return f"{KEY_PREFIX}:{held}:{manifest}:{get_language()}:{day}:{address}"


def canonical(request, params):
    """A permanent redirect to this address without the query parameters not in `params`, or
    None when it has none of those."""
    if all(name in params for name in request.GET):
        return None
    kept = [(name, values) for name, values in request.GET.lists() if name in params]
    query = urlencode(kept, doseq=True)
    return HttpResponsePermanentRedirect(f"{request.path}?{query}" if query else request.path)


def _seconds_kept():
    """How long a page just made is kept. Made from a replica, it may predate a write the
    primary committed a moment ago, whose bump it would then outlive: it is kept no longer than a
    writer stays on the primary (ketnghia.replicas)."""
    if replicas.reads_from_replica():
        return min(settings.PAGE_CACHE_SECONDS, settings.REPLICA_PIN_SECONDS)
    return settings.PAGE_CACHE_SECONDS


def cached_page(view=None, *, params=()):
    """Serve the view's page from the cache when it is the same for everyone (see above).

    The view reads the query parameters `params` and no others: an address with any other
    (a tracking tag, a typo, junk made to fill the cache) is sent to the same address without
    them, so that a page has one address and one entry in the cache."""
    if view is None:
        return functools.partial(cached_page, params=frozenset(params))

    @functools.wraps(view)
    def wrapper(request, *args, **kwargs):
        if request.method in ("GET", "HEAD") and (redirect := canonical(request, params)):
            return redirect
        if not _is_cacheable_request(request):
            return view(request, *args, **kwargs)
        key = page_key(request)
        if key is None:  # the cache does not answer: the page is made, as without it
            return view(request, *args, **kwargs)
        content = cache.get(key)
        if content is not None:
            return HttpResponse(content)
        response = view(request, *args, **kwargs)
        if _is_cacheable_response(request, response):
            cache.set(key, response.content, _seconds_kept())
        return response

    return wrapper
