"""bench.writer: the writer of the writer pass adds activities through the models, bounded."""

import json
import time
from io import StringIO

import pytest
from django.core.management import call_command
from django.db.models import Sum

from activities.models import Activity, ActivitySummary
from agreements.models import Agreement
from bench import writer
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def commune_agreement():
    commune = factories.locality()
    factories.agreement(commune, factories.locality())  # a draft: never written to
    return commune, factories.agreement(commune, factories.locality(), published=True)


def test_it_writes_to_a_published_agreement_of_the_commune(commune_agreement):
    commune, published = commune_agreement
    assert writer.target(commune.slug) == (published, commune)
    # No published agreement there: any published one, the parties giving jointly.
    assert writer.target(factories.locality().slug) == (published, None)
    assert writer.target("no-such-commune") == (published, None)


def test_its_writes_go_through_the_models_and_the_summaries_follow(commune_agreement):
    commune, published = commune_agreement
    before = _published_value()

    summary = writer.run(published, commune, count=3, seconds=30, interval=0)

    assert summary["writes"] == 3
    assert summary["errors"] == {}
    assert len(summary["latencies"]) == 3
    assert summary["agreement"] == published.title
    written = Activity.objects.filter(description__startswith=writer.MARK)
    assert written.count() == 3
    assert set(written.values_list("agreement", "giver")) == {(published.pk, commune.pk)}
    assert written.first().history.count() == 1  # its history, as an admin form would leave
    # The summary rows the dashboards read followed, exactly as a recomputation makes them.
    assert _published_value() > before
    kept = _summary_rows()
    call_command("rebuild_summaries", stdout=StringIO())
    assert _summary_rows() == kept

    assert writer.remove_written() == 3
    assert not Activity.objects.filter(description__startswith=writer.MARK).exists()
    assert _published_value() == before


def _summary_rows():
    fields = [f.attname for f in ActivitySummary._meta.concrete_fields if not f.primary_key]
    return sorted(ActivitySummary.objects.filter(n__gt=0).values_list(*fields))


def _published_value():
    return ActivitySummary.objects.filter(published=True).aggregate(v=Sum("value_vnd"))["v"] or 0


def test_it_stops_by_itself_when_stopped_or_out_of_time(commune_agreement):
    commune, published = commune_agreement
    written = Activity.objects.filter(description__startswith=writer.MARK)
    summary = writer.run(
        published, commune, 100, 30, interval=0, stopped=lambda: written.count() >= 2
    )
    assert summary["writes"] == 2, summary

    started = time.monotonic()
    summary = writer.run(published, commune, 100, seconds=0.3, interval=0.1)
    assert time.monotonic() - started < 2
    assert 1 <= summary["writes"] <= 4


def test_a_failed_write_is_counted_and_the_writer_goes_on(commune_agreement, monkeypatch):
    commune, published = commune_agreement
    write = writer.write
    calls = []

    def sometimes_failing(*args):
        calls.append(args)
        if len(calls) == 2:
            Agreement.objects.get(pk=-1)  # DoesNotExist
        return write(*args)

    monkeypatch.setattr(writer, "write", sometimes_failing)
    summary = writer.run(published, commune, count=3, seconds=30, interval=0)
    assert summary["writes"] == 2, summary
    assert summary["errors"] == {"DoesNotExist": 1}
    assert summary["first_error"].startswith("DoesNotExist: ")


def test_main_reports_ready_then_a_summary_and_leaves_no_activity(commune_agreement, capsys):
    commune, published = commune_agreement
    writer.main(commune.slug, count=2, seconds=30, interval=0)
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].startswith("WRITER READY ")
    assert json.loads(lines[0].removeprefix("WRITER READY "))["agreement"] == published.title
    summary = json.loads(lines[-1].removeprefix("WRITER "))
    assert (summary["writes"], summary["removed"]) == (2, 2)
    assert not Activity.objects.filter(description__startswith=writer.MARK).exists()
