"""Roles by admin URLs (issue 5): what each role gets on every page the admin serves, for an
object on commune A's side and one on commune B's side; then what the scope must also hold when
data is posted: autocompletes, bulk actions, exports, filters and forms.

The world, built once for the module: province P with commune A (and its village VA) and commune
B. Agreement A joins VA and a military unit; agreement B joins B and an agency. Each has a party,
a commitment, a programme, an event, a photo, a source, an activity, a publication log row and a
legal document. The accounts are listed in ROLES; "of A" means in charge of commune A.
"""

import csv
import datetime
import io
import logging
from types import SimpleNamespace

import pytest
from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from django import forms
from django.apps import apps
from django.contrib import admin
from django.contrib.auth.models import Group, User
from django.contrib.contenttypes.models import ContentType
from django.core.files.base import ContentFile
from django.db import transaction
from django.forms.models import model_to_dict
from django.test import Client, override_settings
from django.urls import URLPattern, URLResolver, reverse
from django.utils.translation import gettext
from openpyxl import Workbook, load_workbook

from activities.models import (
    Activity,
    ActivityType,
    Award,
    AwardForm,
    AwardRecipient,
    FollowUp,
    Funder,
    Meeting,
    MeetingAttendance,
    MeetingKind,
    Need,
    Offer,
    OutcomeIndicator,
    OutcomeValue,
    PeriodApproval,
    Plan,
    PlanItem,
    TargetKind,
)
from activities.resources import ActivityResource
from agreements.models import (
    Agreement,
    AgreementStatus,
    Commitment,
    CommitmentArea,
    Event,
    LegalDocument,
    Party,
    PartyRole,
    Photo,
    Programme,
    Publication,
    Revision,
    RevisionStatus,
    Source,
)
from agreements.services import unpublish_agreement
from ketnghia.models import ErrorReport, ReportFile, ReportFileStatus, WrittenReport
from localities.models import Locality, LocalityKind, StaffLocality, Succession
from tests import factories
from tests.admin_pages import form_data

pytestmark = pytest.mark.django_db

ADMINISTRATOR, EDITOR, REVIEWER, LEADER = (
    "Quản trị tỉnh",
    "Cán bộ nhập liệu",
    "Người duyệt đăng",
    "Lãnh đạo",
)

ROLES = (
    "anonymous",
    "no_group",  # a staff account in no group and in charge of no locality
    "editor_a",
    "editor_b",
    "reviewer_a",
    "leader_a",
    "province",  # a province administrator: whole province
    "superuser",
)

# What each role gets from a GET, for every URL the admin serves (admin:<name>).
#   L: redirected to the login page; R: redirected elsewhere; a number: that status.
#   For a URL that takes an object, "x/y" is x for A's object and y for B's object (one value:
#   both). Agreements and their parts, activities, publication log rows and the localities in
#   charge are scoped; the locality register, legal documents and shared lists are not.
#   Funders are a shared list that editors add to and correct. Legal documents are the
#   province's: the staff of a commune read them (their change page is read-only).
#   app_list is given per application. process_import answers a GET with 405 (import-export
#   takes POSTs only there): test_process_import_needs_the_import_permission posts to it.
# Adding or removing a URL is one line here.
MATRIX_TABLE = """
# name                                    anon none  ed-A    ed-B    rv-A    ld-A    prov root
index                                     L    200   200     200     200     200     200  200
login                                     200  R     R       R       R       R       R    R
logout                                    R    405   405     405     405     405     405  405
password_change                           L    200   200     200     200     200     200  200
password_change_done                      L    200   200     200     200     200     200  200
autocomplete                              L    403   200     200     200     200     200  200
jsi18n                                    L    200   200     200     200     200     200  200
view_on_site                              L    404   404     404     404     404     404  404
worklist                                  L    200   200     200     200     200     200  200
inbox                                     L    200   200     200     200     200     200  200
inbox_open                                L    404   404     404     404     404     404  404
reminder_settings                         L    200   200     200     200     200     200  200
app_list:auth                             L    404   404     404     404     404     200  200
app_list:axes                             L    404   404     404     404     404     404  200
app_list:localities                       L    404   200     200     200     200     200  200
app_list:agreements                       L    404   200     200     200     200     200  200
app_list:activities                       L    404   200     200     200     200     200  200
app_list:ketnghia                         L    404   200     200     200     200     200  200

auth_group_changelist                     L    403   403     403     403     403     200  200
auth_group_add                            L    403   403     403     403     403     403  200
auth_group_change                         L    403   403     403     403     403     200  200
auth_group_delete                         L    403   403     403     403     403     403  200
auth_group_history                        L    403   403     403     403     403     200  200
auth_user_changelist                      L    403   403     403     403     403     200  200
auth_user_add                             L    403   403     403     403     403     403  200
auth_user_change                          L    403   403     403     403     403     200  200
auth_user_delete                          L    403   403     403     403     403     403  200
auth_user_history                         L    403   403     403     403     403     200  200
auth_user_password_change                 L    403   403     403     403     403     403  200

axes_accessattempt_changelist             L    403   403     403     403     403     403  200
axes_accessattempt_add                    L    403   403     403     403     403     403  403
axes_accessattempt_change                 L    403   403     403     403     403     403  200
axes_accessattempt_delete                 L    403   403     403     403     403     403  200
axes_accessattempt_history                L    403   403     403     403     403     403  200
axes_accesslog_changelist                 L    403   403     403     403     403     403  200
axes_accesslog_add                        L    403   403     403     403     403     403  403
axes_accesslog_change                     L    403   403     403     403     403     403  200
axes_accesslog_delete                     L    403   403     403     403     403     403  200
axes_accesslog_history                    L    403   403     403     403     403     403  200
axes_accessfailurelog_changelist          L    403   403     403     403     403     403  200
axes_accessfailurelog_add                 L    403   403     403     403     403     403  403
axes_accessfailurelog_change              L    403   403     403     403     403     403  200
axes_accessfailurelog_delete              L    403   403     403     403     403     403  200
axes_accessfailurelog_history             L    403   403     403     403     403     403  200

localities_locality_changelist            L    403   200     200     200     200     200  200
localities_locality_add                   L    403   200     200     403     403     200  200
localities_locality_change                L    403   200     200     200     200     200  200
localities_locality_delete                L    403   403     403     403     403     200  200
localities_locality_history               L    403   200     200     200     200     200  200
localities_locality_simple_history        L    403   200     200     200     200     200  200
localities_locality_import                L    403   200     200     403     403     200  200
localities_locality_process_import        L    405   405     405     405     405     405  405
localities_locality_export                L    403   200     200     200     200     200  200
localities_locality_import_template       L    403   200     200     403     403     200  200
localities_succession_changelist          L    403   200     200     200     200     200  200
localities_succession_add                 L    403   403     403     403     403     200  200
localities_succession_change              L    403   200     200     200     200     200  200
localities_succession_delete              L    403   403     403     403     403     200  200
localities_succession_history             L    403   200     200     200     200     200  200
localities_succession_simple_history      L    403   200     200     200     200     200  200
localities_stafflocality_changelist       L    403   200     200     200     200     200  200
localities_stafflocality_add              L    403   403     403     403     403     200  200
localities_stafflocality_change           L    403   200/404 404/200 404     404     200  200
localities_stafflocality_delete           L    403   403/404 404/403 404     404     200  200
localities_stafflocality_history          L    403   200/404 404/200 404     404     200  200
localities_stafflocality_simple_history   L    403   200/404 404/200 404     404     200  200

agreements_agreement_changelist           L    403   200     200     200     200     200  200
agreements_agreement_add                  L    403   200     200     403     403     200  200
agreements_agreement_change               L    403   200/404 404/200 200/404 200/404 200  200
agreements_agreement_delete               L    403   403/404 404/403 403/404 403/404 200  200
agreements_agreement_history              L    403   200/404 404/200 200/404 200/404 200  200
agreements_agreement_simple_history       L    403   200/404 404/200 200/404 200/404 200  200
agreements_agreement_import               L    403   200     200     403     403     200  200
agreements_agreement_process_import       L    405   405     405     405     405     405  405
agreements_agreement_export               L    403   200     200     200     200     200  200
agreements_agreement_import_template      L    403   200     200     403     403     200  200
agreements_party_changelist               L    403   200     200     200     200     200  200
agreements_party_add                      L    403   200     200     403     403     200  200
agreements_party_change                   L    403   200/404 404/200 200/404 200/404 200  200
agreements_party_delete                   L    403   R/404   404/R   403/404 403/404 R    R
agreements_party_history                  L    403   200/404 404/200 200/404 200/404 200  200
agreements_party_simple_history           L    403   200/404 404/200 200/404 200/404 200  200
agreements_commitment_changelist          L    403   200     200     200     200     200  200
agreements_commitment_add                 L    403   200     200     403     403     200  200
agreements_commitment_change              L    403   200/404 404/200 200/404 200/404 200  200
agreements_commitment_delete              L    403   200/404 404/200 403/404 403/404 200  200
agreements_commitment_history             L    403   200/404 404/200 200/404 200/404 200  200
agreements_commitment_simple_history      L    403   200/404 404/200 200/404 200/404 200  200
agreements_programme_changelist           L    403   200     200     200     200     200  200
agreements_programme_add                  L    403   200     200     403     403     200  200
agreements_programme_change               L    403   200/404 404/200 200/404 200/404 200  200
agreements_programme_delete               L    403   200/404 404/200 403/404 403/404 200  200
agreements_programme_history              L    403   200/404 404/200 200/404 200/404 200  200
agreements_programme_simple_history       L    403   200/404 404/200 200/404 200/404 200  200
agreements_event_changelist               L    403   200     200     200     200     200  200
agreements_event_add                      L    403   200     200     403     403     200  200
agreements_event_change                   L    403   200/404 404/200 200/404 200/404 200  200
agreements_event_delete                   L    403   200/404 404/200 403/404 403/404 200  200
agreements_event_history                  L    403   200/404 404/200 200/404 200/404 200  200
agreements_event_simple_history           L    403   200/404 404/200 200/404 200/404 200  200
agreements_photo_changelist               L    403   200     200     200     200     200  200
agreements_photo_add                      L    403   200     200     403     403     200  200
agreements_photo_change                   L    403   200/404 404/200 200/404 200/404 200  200
agreements_photo_delete                   L    403   200/404 404/200 403/404 403/404 200  200
agreements_photo_history                  L    403   200/404 404/200 200/404 200/404 200  200
agreements_photo_simple_history           L    403   200/404 404/200 200/404 200/404 200  200
agreements_source_changelist              L    403   200     200     200     200     200  200
agreements_source_add                     L    403   200     200     403     403     200  200
agreements_source_change                  L    403   200/404 404/200 200/404 200/404 200  200
agreements_source_delete                  L    403   200/404 404/200 403/404 403/404 200  200
agreements_source_history                 L    403   200/404 404/200 200/404 200/404 200  200
agreements_source_simple_history          L    403   200/404 404/200 200/404 200/404 200  200
agreements_publication_changelist         L    403   200     200     200     200     200  200
agreements_publication_add                L    403   403     403     403     403     403  403
agreements_publication_change             L    403   200/404 404/200 200/404 200/404 200  200
agreements_publication_delete             L    403   403/404 404/403 403/404 403/404 403  403
agreements_publication_history            L    403   200/404 404/200 200/404 200/404 200  200
agreements_revision_changelist            L    403   200     200     200     200     200  200
agreements_revision_add                   L    403   403     403     403     403     403  403
agreements_revision_change                L    403   200/404 404/200 200/404 200/404 200  200
agreements_revision_delete                L    403   403/404 404/403 403/404 403/404 403  403
agreements_revision_history               L    403   200/404 404/200 200/404 200/404 200  200
agreements_legaldocument_changelist       L    403   200     200     200     200     200  200
agreements_legaldocument_add              L    403   403     403     403     403     200  200
agreements_legaldocument_change           L    403   200     200     200     200     200  200
agreements_legaldocument_delete           L    403   403     403     403     403     200  200
agreements_legaldocument_history          L    403   200     200     200     200     200  200
agreements_legaldocument_simple_history   L    403   200     200     200     200     200  200
agreements_commitmentarea_changelist      L    403   200     200     200     200     200  200
agreements_commitmentarea_add             L    403   403     403     403     403     200  200
agreements_commitmentarea_change          L    403   200     200     200     200     200  200
agreements_commitmentarea_delete          L    403   403     403     403     403     200  200
agreements_commitmentarea_history         L    403   200     200     200     200     200  200
agreements_commitmentarea_simple_history  L    403   200     200     200     200     200  200

activities_activity_changelist            L    403   200     200     200     200     200  200
activities_activity_add                   L    403   200     200     403     403     200  200
activities_activity_change                L    403   200/404 404/200 200/404 200/404 200  200
activities_activity_delete                L    403   200/404 404/200 403/404 403/404 200  200
activities_activity_history               L    403   200/404 404/200 200/404 200/404 200  200
activities_activity_simple_history        L    403   200/404 404/200 200/404 200/404 200  200
activities_activity_import                L    403   200     200     403     403     200  200
activities_activity_process_import        L    405   405     405     405     405     405  405
activities_activity_export                L    403   200     200     200     200     200  200
activities_activity_import_template       L    403   200     200     403     403     200  200
activities_activitytype_changelist        L    403   200     200     200     200     200  200
activities_activitytype_add               L    403   403     403     403     403     200  200
activities_activitytype_change            L    403   200     200     200     200     200  200
activities_activitytype_delete            L    403   403     403     403     403     200  200
activities_activitytype_history           L    403   200     200     200     200     200  200
activities_activitytype_simple_history    L    403   200     200     200     200     200  200
activities_funder_changelist              L    403   200     200     200     200     200  200
activities_funder_add                     L    403   200     200     403     403     200  200
activities_funder_change                  L    403   200     200     200     200     200  200
activities_funder_delete                  L    403   403     403     403     403     200  200
activities_funder_history                 L    403   200     200     200     200     200  200
activities_funder_simple_history          L    403   200     200     200     200     200  200
activities_plan_changelist                L    403   200     200     200     200     200  200
activities_plan_add                       L    403   200     200     403     403     200  200
activities_plan_change                    L    403   200/404 404/200 200/404 200/404 200  200
activities_plan_delete                    L    403   200/404 404/200 403/404 403/404 200  200
activities_plan_history                   L    403   200/404 404/200 200/404 200/404 200  200
activities_plan_simple_history            L    403   200/404 404/200 200/404 200/404 200  200
activities_plan_approve                   L    405   405     405     405     405     405  405
activities_plan_reopen                    L    405   405     405     405     405     405  405
activities_planitem_changelist            L    403   200     200     200     200     200  200
activities_planitem_add                   L    403   403     403     403     403     403  403
activities_planitem_change                L    403   200/404 404/200 200/404 200/404 200  200
activities_planitem_delete                L    403   403/404 404/403 403/404 403/404 403  403
activities_planitem_history               L    403   200/404 404/200 200/404 200/404 200  200
activities_planitem_simple_history        L    403   200/404 404/200 200/404 200/404 200  200
activities_meeting_changelist             L    403   200     200     200     200     200  200
activities_meeting_add                    L    403   200     200     403     403     200  200
activities_meeting_change                 L    403   200/404 404/200 200/404 200/404 200  200
activities_meeting_delete                 L    403   200/404 404/200 403/404 403/404 200  200
activities_meeting_history                L    403   200/404 404/200 200/404 200/404 200  200
activities_meeting_simple_history         L    403   200/404 404/200 200/404 200/404 200  200
activities_meetingattendance_changelist   L    403   200     200     200     200     200  200
activities_meetingattendance_add          L    403   403     403     403     403     403  403
activities_meetingattendance_change       L    403   200/404 404/200 200/404 200/404 200  200
activities_meetingattendance_delete       L    403   403/404 404/403 403/404 403/404 403  403
activities_meetingattendance_history      L    403   200/404 404/200 200/404 200/404 200  200
activities_meetingattendance_simple_history L  403   200/404 404/200 200/404 200/404 200  200
activities_periodapproval_changelist      L    403   200     200     200     200     200  200
activities_periodapproval_add             L    403   403     403     403     403     200  200
activities_periodapproval_change          L    403   200     200     200     200     200  200
activities_periodapproval_delete          L    403   403     403     403     403     403  403
activities_periodapproval_history         L    403   200     200     200     200     200  200
activities_periodapproval_simple_history  L    403   200     200     200     200     200  200
activities_outcomeindicator_changelist    L    403   200     200     200     200     200  200
activities_outcomeindicator_add           L    403   403     403     403     403     200  200
activities_outcomeindicator_change        L    403   200     200     200     200     200  200
activities_outcomeindicator_delete        L    403   403     403     403     403     200  200
activities_outcomeindicator_history       L    403   200     200     200     200     200  200
activities_outcomeindicator_simple_history L   403   200     200     200     200     200  200
activities_outcomevalue_changelist        L    403   200     200     200     200     200  200
activities_outcomevalue_add               L    403   200     200     403     403     200  200
activities_outcomevalue_change            L    403   200/404 404/200 200/404 200/404 200  200
activities_outcomevalue_delete            L    403   200/404 404/200 403/404 403/404 200  200
activities_outcomevalue_history           L    403   200/404 404/200 200/404 200/404 200  200
activities_outcomevalue_simple_history    L    403   200/404 404/200 200/404 200/404 200  200
activities_outcomevalue_import            L    403   200     200     403     403     200  200
activities_outcomevalue_process_import    L    405   405     405     405     405     405  405
activities_outcomevalue_export            L    403   200     200     200     200     200  200
activities_outcomevalue_import_template   L    403   200     200     403     403     200  200
activities_award_changelist               L    403   200     200     200     200     200  200
activities_award_add                      L    403   403     403     200     403     200  200
activities_award_change                   L    403   200/404 404/200 200/404 200/404 200  200
activities_award_delete                   L    403   403/404 404/403 200/404 403/404 200  200
activities_award_history                  L    403   200/404 404/200 200/404 200/404 200  200
activities_award_simple_history           L    403   200/404 404/200 200/404 200/404 200  200
activities_award_export                   L    403   200     200     200     200     200  200
activities_awardrecipient_changelist      L    403   200     200     200     200     200  200
activities_awardrecipient_add             L    403   403     403     403     403     403  403
activities_awardrecipient_change          L    403   200/404 404/200 200/404 200/404 200  200
activities_awardrecipient_delete          L    403   403/404 404/403 403/404 403/404 403  403
activities_awardrecipient_history         L    403   200/404 404/200 200/404 200/404 200  200
activities_awardrecipient_simple_history  L    403   200/404 404/200 200/404 200/404 200  200
activities_followup_changelist            L    403   200     200     200     200     200  200
activities_followup_add                   L    403   403     403     403     403     403  403
activities_followup_change                L    403   200/404 404/200 200/404 200/404 200  200
activities_followup_delete                L    403   403/404 404/403 403/404 403/404 403  403
activities_followup_history               L    403   200/404 404/200 200/404 200/404 200  200
activities_followup_simple_history        L    403   200/404 404/200 200/404 200/404 200  200

activities_need_changelist                L    403   200     200     200     200     200  200
activities_need_add                       L    403   200     200     403     403     200  200
activities_need_change                    L    403   200     200     200     200     200  200
activities_need_delete                    L    403   403     403     403     403     200  200
activities_need_history                   L    403   200     200     200     200     200  200
activities_need_simple_history            L    403   200     200     200     200     200  200
activities_offer_changelist               L    403   200     200     200     200     200  200
activities_offer_add                      L    403   200     200     403     403     200  200
activities_offer_change                   L    403   200/404 404/200 200/404 200/404 200  200
activities_offer_delete                   L    403   403/404 404/403 403/404 403/404 200  200
activities_offer_history                  L    403   200/404 404/200 200/404 200/404 200  200
activities_offer_simple_history           L    403   200/404 404/200 200/404 200/404 200  200
activities_offer_answer                   L    405   405     405     405     405     405  405
activities_offer_to_agreement             L    403   403/404 404/403 403/404 403/404 R    R
activities_offer_to_activity              L    403   403/404 404/403 403/404 403/404 R    R

ketnghia_errorreport_changelist           L    403   403     403     200     403     200  200
ketnghia_errorreport_add                  L    403   403     403     403     403     403  403
ketnghia_errorreport_change               L    403   403     403     200     403     200  200
ketnghia_errorreport_delete               L    403   403     403     403     403     200  200
ketnghia_errorreport_history              L    403   403     403     200     403     200  200

ketnghia_writtenreport_changelist         L    403   200     200     200     200     200  200
ketnghia_writtenreport_add                L    403   200     200     200     403     200  200
ketnghia_writtenreport_change             L    403   200/404 404/200 200/404 200/404 200  200
ketnghia_writtenreport_delete             L    403   403/404 404/403 200/404 403/404 200  200
ketnghia_writtenreport_history            L    403   200/404 404/200 200/404 200/404 200  200
ketnghia_writtenreport_make               L    405   405     405     405     405     405  405
ketnghia_writtenreport_file               L    403   200/404 404/200 200/404 200/404 200  200
ketnghia_writtenreport_file_progress      L    403   200/404 404/200 200/404 200/404 200  200
"""

# Views of a model's admin that take one of its objects.
OBJECT_VIEWS = {
    "change",
    "delete",
    "history",
    "simple_history",
    "password_change",
    "approve",  # an annual plan's (POST only)
    "reopen",
    "make",  # a written report's file (POST only)
    "file",
    "file_progress",
    "answer",  # an offer of support's (POST only)
    "to_agreement",
    "to_activity",
}
SIDES = ("A", "B")


def parse_matrix(table):
    """{URL name: {target: {role: outcome}}}; the target is a side, an app label or None."""
    matrix = {}
    for line in table.splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        name, *cells = line.split()
        assert len(cells) == len(ROLES), line
        name, _, target = name.partition(":")
        rows = matrix.setdefault(f"admin:{name}", {})
        if not takes_object(f"admin:{name}"):
            assert not any("/" in cell for cell in cells), f"{name} takes no object: {line}"
            rows[target or None] = dict(zip(ROLES, cells, strict=True))
            continue
        for index, side in enumerate(SIDES):
            rows[side] = {
                role: cell.split("/")[index] if "/" in cell else cell
                for role, cell in zip(ROLES, cells, strict=True)
            }
    return matrix


def served_url_names(patterns=None):
    """Every named URL of the admin site, walked recursively."""
    names = set()
    for pattern in admin.site.get_urls() if patterns is None else patterns:
        if isinstance(pattern, URLResolver):
            names |= served_url_names(pattern.url_patterns)
        elif isinstance(pattern, URLPattern) and pattern.name:
            names.add(f"admin:{pattern.name}")
    return names


MODEL_PREFIXES = {
    f"admin:{model._meta.app_label}_{model._meta.model_name}_": model
    for model in admin.site._registry
}


def model_and_view(name):
    """admin:agreements_party_change → (Party, "change"); (None, name) for the site's own."""
    prefix = max((p for p in MODEL_PREFIXES if name.startswith(p)), key=len, default=None)
    if prefix is None:
        return None, name.removeprefix("admin:")
    return MODEL_PREFIXES[prefix], name.removeprefix(prefix)


def takes_object(name):
    model, view = model_and_view(name)
    return view == "view_on_site" or (model is not None and view in OBJECT_VIEWS)


MATRIX = parse_matrix(MATRIX_TABLE)
SERVED = served_url_names()


# --- The world -------------------------------------------------------------------------------

# On B's side only, in every text a list or an export could show: it must never reach A's staff.
B_MARK = "Mật-B-7731"


def build_world():
    province = factories.locality("Tỉnh Thử Nghiệm", kind=LocalityKind.PROVINCE)
    commune_a = factories.locality("Xã An Khê Thử", parent=province)
    village_a = factories.locality("Làng An Thượng", kind=LocalityKind.VILLAGE, parent=commune_a)
    commune_b = factories.locality("Xã Bình Thử", parent=province)
    unit_a = factories.locality("Sư đoàn Thử", kind=LocalityKind.MILITARY_UNIT)
    unit_b = factories.locality("Sở Thử", kind=LocalityKind.AGENCY)
    district = factories.locality(
        "Huyện Cũ Thử",
        kind=LocalityKind.DISTRICT,
        parent=province,
        dissolved_on=datetime.date(2025, 6, 30),
    )
    sides = {
        "A": SimpleNamespace(
            locality=commune_a,
            parties=(village_a, unit_a),
            giver=unit_a,
            recipient=village_a,
            mark="phía A",
            year=2025,
        ),
        "B": SimpleNamespace(
            locality=commune_b,
            parties=(commune_b, unit_b),
            giver=unit_b,
            recipient=commune_b,
            mark=B_MARK,
            year=2019,
        ),
    }
    for key, side in sides.items():
        day = datetime.date(side.year, 5, 1)
        side.agreement = factories.agreement(
            *side.parties, title=f"Giao ước {side.mark}", published=True, signed_on=day
        )
        side.party = side.agreement.parties.get(locality=side.parties[0])
        side.area = CommitmentArea.objects.create(name=f"Lĩnh vực {key}", slug=f"linh-vuc-{key}")
        side.commitment = factories.commitment(
            side.agreement, area=side.area, text=f"Cam kết {side.mark}"
        )
        side.programme = Programme.objects.create(
            agreement=side.agreement, name=f"Chương trình {side.mark}", starts_on=day
        )
        side.event = Event.objects.create(
            agreement=side.agreement, kind="signing", title=f"Lễ ký {side.mark}", held_on=day
        )
        side.photo = Photo.objects.create(
            agreement=side.agreement,
            event=side.event,
            image=f"photos/le-ky-{key}.jpg",
            caption=f"Ảnh {side.mark}",
        )
        side.source = Source.objects.create(agreement=side.agreement, title=f"Báo {side.mark}")
        side.funder = factories.funder(f"Công ty {side.mark}")
        side.activity = factories.activity(
            side.agreement,
            giver=side.giver,
            recipient=side.recipient,
            event=side.event,
            source=side.source,
            funder=side.funder,
            starts_on=day,
            description=f"Quà {side.mark}",
        )
        side.plan = Plan.objects.create(agreement=side.agreement, year=side.year)
        side.plan_item = PlanItem.objects.create(
            plan=side.plan,
            area=side.area,
            description=f"Việc {side.mark}",
            target_kind=TargetKind.MILESTONE,
        )
        side.meeting = Meeting.objects.create(
            agreement=side.agreement, kind=MeetingKind.YEAR, held_on=day, minutes=f"Họp {side.mark}"
        )
        side.follow_up = FollowUp.objects.create(
            meeting=side.meeting, decision=f"Quyết {side.mark}", due_on=day
        )
        side.attendance = MeetingAttendance.objects.create(
            meeting=side.meeting, locality=side.parties[0], people=f"Ông {side.mark}"
        )
        side.period = PeriodApproval.objects.create(year=side.year - 10, locality=side.locality)
        side.outcome_indicator = OutcomeIndicator.objects.create(name=f"Chỉ số {side.mark}")
        side.outcome = OutcomeValue.objects.create(
            locality=side.locality,
            indicator=side.outcome_indicator,
            year=side.year,
            value=10,
            source=f"Niên giám {side.mark}",
            as_of=day,
        )
        side.award = Award.objects.create(
            agreement=side.agreement, form=AwardForm.MERIT, issuer=f"UBND {side.mark}", people=1
        )
        side.award_recipient = AwardRecipient.objects.create(
            award=side.award, name=f"Ông {side.mark}", is_person=True
        )
        side.need = Need.objects.create(
            locality=side.recipient, area=side.area, title=f"Cần {side.mark}"
        )
        side.offer = Offer.objects.create(
            need=side.need, party=side.giver, description=f"Giúp {side.mark}"
        )
        side.written_report = WrittenReport.objects.create(
            kind="annual",
            scope="agreement",
            agreement=side.agreement,
            year_to=side.year,
            issuer=f"UBND {side.mark}",
        )
        side.report_file = ReportFile.objects.create(
            report=side.written_report, format="docx", status=ReportFileStatus.DONE
        )
        side.report_file.file.save("bao-cao.docx", ContentFile(b"PK"), save=True)
        side.publication = side.agreement.publications.get()
        side.document = LegalDocument.objects.create(
            number=f"0{key}-CT/TU",
            kind="directive",
            title=f"Chỉ thị {key}",
            issuer="Ban Thường vụ Tỉnh ủy",
            issued_on=day,
            slug=f"chi-thi-{key}",
        )
        side.agreement.legal_basis.add(side.document)
        side.activity_type = ActivityType.objects.create(
            name=f"Loại {key}", slug=f"loai-{key}", unit="suất"
        )
        side.succession = Succession.objects.create(predecessor=district, successor=side.locality)
        attempt = {
            "username": f"canbo-{key}",
            "ip_address": "203.0.113.7",
            "user_agent": "Firefox",
            "http_accept": "text/html",
            "path_info": "/admin/login/",
        }
        side.attempt = AccessAttempt.objects.create(
            **attempt, get_data="", post_data="", failures_since_start=1
        )
        side.failure = AccessFailureLog.objects.create(**attempt)
        side.access = AccessLog.objects.create(**attempt)
        side.error_report = ErrorReport.objects.create(
            page=f"/giao-uoc/{side.agreement.slug}/", message=f"Sai ngày {side.mark}", sender=key
        )

    def account(username, *groups, remit=None, **flags):
        user = User.objects.create_user(username, is_staff=True, **flags)
        user.groups.add(*Group.objects.filter(name__in=groups))
        if remit is not None:
            StaffLocality.objects.create(user=user, locality=remit)
        return user

    users = {
        "no_group": account("khong-nhom"),
        "editor_a": account("nhap-lieu-a", EDITOR, remit=commune_a),
        "editor_b": account("nhap-lieu-b", EDITOR, remit=commune_b),
        "reviewer_a": account("duyet-a", REVIEWER, remit=commune_a),
        "leader_a": account("lanh-dao-a", LEADER, remit=commune_a),
        "province": account("quan-tri-tinh", ADMINISTRATOR),
        "superuser": account("sieu", is_superuser=True),
    }
    for key, role in (("A", "editor_a"), ("B", "editor_b")):
        sides[key].user = users[role]
        sides[key].remit = StaffLocality.objects.get(user=users[role])
    for side in sides.values():
        side.revision = Revision.objects.create(
            agreement=side.agreement,
            subject=str(side.source),
            changes=[
                {
                    "model": "agreements.source",
                    "pk": side.source.pk,
                    "action": "change",
                    "label": str(side.source),
                    "fields": [
                        {
                            "name": "publisher",
                            "label": "nơi đăng",
                            "old": "",
                            "new": f"Báo {side.mark}",
                            "old_text": "",
                            "new_text": f"Báo {side.mark}",
                        }
                    ],
                }
            ],
            author=side.user,
        )
    sides["A"].group = Group.objects.get(name=EDITOR)
    sides["B"].group = Group.objects.get(name=LEADER)

    # The object on each side, for each model of the admin. Unscoped models (the register,
    # shared lists, accounts, login records) get one on each side too: the matrix then shows
    # that B's is treated as A's.
    objects = {
        Locality: "locality",
        Succession: "succession",
        StaffLocality: "remit",
        Agreement: "agreement",
        Party: "party",
        Commitment: "commitment",
        Event: "event",
        Photo: "photo",
        Programme: "programme",
        Source: "source",
        LegalDocument: "document",
        CommitmentArea: "area",
        Activity: "activity",
        ActivityType: "activity_type",
        Funder: "funder",
        Plan: "plan",
        PlanItem: "plan_item",
        Meeting: "meeting",
        FollowUp: "follow_up",
        MeetingAttendance: "attendance",
        PeriodApproval: "period",
        OutcomeIndicator: "outcome_indicator",
        OutcomeValue: "outcome",
        Award: "award",
        AwardRecipient: "award_recipient",
        Need: "need",
        Offer: "offer",
        User: "user",
        Group: "group",
        AccessAttempt: "attempt",
        AccessFailureLog: "failure",
        AccessLog: "access",
        Publication: "publication",
        Revision: "revision",
        ErrorReport: "error_report",
        WrittenReport: "written_report",
        ReportFile: "report_file",
    }
    return SimpleNamespace(
        province=province,
        commune_a=commune_a,
        village_a=village_a,
        commune_b=commune_b,
        unit_a=unit_a,
        unit_b=unit_b,
        A=sides["A"],
        B=sides["B"],
        users=users,
        objects={
            model: {key: getattr(sides[key], attr) for key in SIDES}
            for model, attr in objects.items()
        },
    )


@pytest.fixture(scope="module", autouse=True)
def _quiet_refusals():
    """Django logs every 403 and 404 with its traceback: hundreds here, by design. Errors
    (a 500) are still logged."""
    logger = logging.getLogger("django.request")
    level = logger.level
    logger.setLevel(logging.ERROR)
    yield
    logger.setLevel(level)


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker, tmp_path_factory):
    """The world once for the module, in a transaction rolled back after its last test; each
    test runs in a savepoint of it, so what a test writes is undone after it. Its files (a
    report's) in a folder of its own."""
    media = override_settings(MEDIA_ROOT=str(tmp_path_factory.mktemp("media")))
    with django_db_blocker.unblock(), media, transaction.atomic():
        built = build_world()
        built.clients = {"anonymous": Client()}
        for role, user in built.users.items():
            built.clients[role] = Client()
            built.clients[role].force_login(user)
        yield built
        transaction.set_rollback(True)


def url_of(world, name, target):
    model, view = model_and_view(name)
    if view == "app_list":
        return reverse(name, kwargs={"app_label": target})
    if view == "view_on_site":
        agreement = world.objects[Agreement][target]
        content_type = ContentType.objects.get_for_model(Agreement)
        return reverse(name, args=[content_type.pk, agreement.pk])
    if view == "inbox_open":  # nobody's reminder: each account opens only its own
        return reverse(name, args=[987654])
    if view == "autocomplete":
        return reverse(name) + (
            "?app_label=activities&model_name=activity&field_name=agreement&term="
        )
    if target is None:
        return reverse(name)
    obj = world.objects[model][target]
    args = [obj.pk]
    if view == "make":
        args.append("docx")
    if view in ("file", "file_progress"):
        args.append(world.objects[ReportFile][target].pk)
    if view == "simple_history":
        args.append(obj.history.order_by("-history_id").values_list("history_id", flat=True)[0])
    return reverse(name, args=args)


LOGIN_URL = "/admin/login/"


def outcome(response):
    if response.status_code == 302:
        return "L" if response.url.startswith(LOGIN_URL) else "R"
    return str(response.status_code)


# --- The matrix ------------------------------------------------------------------------------


def test_every_admin_url_is_in_the_matrix():
    missing = sorted(SERVED - MATRIX.keys())
    unserved = sorted(MATRIX.keys() - SERVED)
    assert (missing, unserved) == ([], []), (
        f"served by the admin but not in MATRIX_TABLE: {missing}; "
        f"in MATRIX_TABLE but not served: {unserved}"
    )


def test_the_matrix_gives_both_sides_of_each_object_and_every_application():
    labels = {model._meta.app_label for model in admin.site._registry}
    assert set(MATRIX["admin:app_list"]) == labels
    for name, rows in MATRIX.items():
        if name == "admin:app_list":
            continue
        expected = set(SIDES) if takes_object(name) else {None}
        assert set(rows) == expected, name


@pytest.mark.parametrize("name", sorted(MATRIX))
def test_each_role_gets_what_the_matrix_says(world, name):
    assert name in SERVED, f"{name} is in the matrix but the admin does not serve it"
    wrong = []
    for target, expected in MATRIX[name].items():
        url = url_of(world, name, target)
        for role in ROLES:
            got = outcome(world.clients[role].get(url))
            if got != expected[role]:
                side = f" ({target})" if target else ""
                wrong.append(f"{role}{side} GET {url}: expected {expected[role]}, got {got}")
    assert not wrong, "\n".join(wrong)


@pytest.mark.parametrize(
    ("role", "expected"),
    [
        ("no_group", 403),
        ("editor_a", 200),
        ("reviewer_a", 403),
        ("leader_a", 403),
        ("province", 200),
        ("superuser", 200),
    ],
)
def test_process_import_needs_the_import_permission(world, role, expected):
    # An empty confirmation: those who may import get the import page back with its errors.
    url = reverse("admin:activities_activity_process_import")
    assert world.clients[role].post(url, {}).status_code == expected


# --- Autocompletes ---------------------------------------------------------------------------

# The scoped models an autocomplete may list: agreements, and the events and sources of one.
SCOPED_CHOICES = (Agreement, Event, Source)
STAFF = ("editor_a", "editor_b", "reviewer_a", "leader_a", "province", "superuser")


def autocomplete_fields_to(models):
    """(app_label, model_name, field_name) of every autocomplete listing one of these models."""
    return sorted(
        (model._meta.app_label, model._meta.model_name, name)
        for model, model_admin in admin.site._registry.items()
        for name in model_admin.autocomplete_fields
        if model._meta.get_field(name).related_model in models
    )


def autocomplete(client, app_label, model_name, field_name, term=""):
    response = client.get(
        reverse("admin:autocomplete"),
        {"app_label": app_label, "model_name": model_name, "field_name": field_name, "term": term},
    )
    assert response.status_code == 200
    return {int(result["id"]) for result in response.json()["results"]}


@pytest.mark.parametrize(
    ("app_label", "model_name", "field_name"), autocomplete_fields_to(SCOPED_CHOICES)
)
def test_autocompletes_list_only_what_is_in_scope(world, app_label, model_name, field_name):
    related = apps.get_model(app_label, model_name)._meta.get_field(field_name).related_model
    a, b = (world.objects[related][side].pk for side in SIDES)
    listed = {
        role: autocomplete(world.clients[role], app_label, model_name, field_name) for role in STAFF
    }
    assert listed == {
        "editor_a": {a},
        "editor_b": {b},
        "reviewer_a": {a},
        "leader_a": {a},
        "province": {a, b},
        "superuser": {a, b},
    }


def test_searching_an_autocomplete_does_not_reach_outside_the_scope(world):
    field = ("activities", "activity", "agreement")
    assert autocomplete(world.clients["editor_a"], *field, term=B_MARK) == set()
    assert autocomplete(world.clients["province"], *field, term=B_MARK) == {world.B.agreement.pk}


def test_the_locality_register_is_listed_whole_for_every_staff_member(world):
    """A party may be any unit: the register is public, and so is its autocomplete."""
    listed = autocomplete(world.clients["editor_a"], "agreements", "party", "locality", "Bình")
    assert world.commune_b.pk in listed


def test_the_funders_are_listed_whole_for_every_staff_member(world):
    """Funders are a shared list: an activity of A may name the funder of one of B's."""
    both = {world.A.funder.pk, world.B.funder.pk}
    for role in STAFF:
        assert autocomplete(world.clients[role], "activities", "activity", "funder") == both


def test_the_funder_list_counts_the_activities_in_scope(world):
    """The count links to the activity list, which shows the scope's activities only."""
    extra = factories.activity(world.B.agreement, funder=world.A.funder, description="Quà B")

    def counts(role):
        response = world.clients[role].get(changelist(Funder))
        return {funder.pk: funder.n_activities for funder in response.context["cl"].result_list}

    a, b = world.A.funder.pk, world.B.funder.pk
    assert counts("editor_a") == {a: 1, b: 0}
    assert counts("editor_b") == {a: 1, b: 1}
    assert counts("province") == {a: 2, b: 1}
    listed = world.clients["editor_a"].get(changelist(Activity), {"funder__id__exact": a})
    assert [activity.pk for activity in listed.context["cl"].result_list] == [world.A.activity.pk]
    listed = world.clients["province"].get(changelist(Activity), {"funder__id__exact": a})
    assert {activity.pk for activity in listed.context["cl"].result_list} == {
        world.A.activity.pk,
        extra.pk,
    }


def test_the_localities_in_charge_autocomplete_needs_the_accounts_list(world):
    field = ("localities", "stafflocality", "user")
    response = world.clients["editor_a"].get(
        reverse("admin:autocomplete"),
        dict(zip(("app_label", "model_name", "field_name"), field, strict=True), term=""),
    )
    assert response.status_code == 403
    assert world.users["editor_a"].pk in autocomplete(world.clients["province"], *field)


# --- Lists and their filters -----------------------------------------------------------------

SCOPED_MODELS = (
    Agreement,
    Party,
    Commitment,
    Programme,
    Event,
    Photo,
    Source,
    Publication,
    Activity,
    Offer,
)


def changelist(model):
    return reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist")


@pytest.mark.parametrize("model", SCOPED_MODELS, ids=lambda m: m._meta.model_name)
def test_lists_show_nothing_from_outside_the_scope(world, model):
    """B's agreement and its parts carry B_MARK in a listed column: A's staff never see it."""
    for role in ("editor_a", "reviewer_a", "leader_a"):
        content = world.clients[role].get(changelist(model)).content.decode()
        assert "phía A" in content, role
        assert B_MARK not in content, role
    assert B_MARK in world.clients["province"].get(changelist(model)).content.decode()
    assert B_MARK in world.clients["editor_b"].get(changelist(model)).content.decode()


def filter_choices(response):
    """Every choice the list's filters offer as links (the filters searched offer theirs
    through the autocomplete: test_autocompletes_list_only_what_is_in_scope)."""
    cl = response.context["cl"]
    return {
        str(choice["display"])
        for spec in cl.filter_specs
        for choice in spec.choices(cl)
        if "display" in choice
    }


def test_activity_filters_offer_nothing_from_outside_the_scope(world):
    """The year filter offers A's years only; the filters searched (agreement, giver, recipient,
    funder) find nothing of B's, whatever is chosen in them."""
    url = changelist(Activity)
    offered = filter_choices(world.clients["editor_a"].get(url))
    assert "2025" in offered and "2019" not in offered
    assert "2019" in filter_choices(world.clients["province"].get(url))
    chosen = {
        "agreement__id__exact": world.B.agreement.pk,
        "giver__id__exact": world.unit_b.pk,
        "funder__id__exact": world.B.funder.pk,
    }
    # The register and the funders are public lists (their autocompletes list them whole):
    # B's agreement is what must not be named, neither in a row nor as the filter's choice.
    for param, value in chosen.items():
        content = world.clients["editor_a"].get(url, {param: value}).content.decode()
        assert str(world.B.agreement) not in content, param
        content = world.clients["province"].get(url, {param: value}).content.decode()
        assert str(world.B.agreement) in content, param


@pytest.mark.parametrize(
    ("model", "year_link"),
    [
        (Agreement, "signed=2019"),
        (Event, "year=2019"),
        (Programme, "year=2019"),
    ],
    ids=["agreement", "event", "programme"],
)
def test_years_offered_are_those_of_the_scope(world, model, year_link):
    assert year_link not in world.clients["editor_a"].get(changelist(model)).content.decode()
    assert year_link in world.clients["province"].get(changelist(model)).content.decode()


# --- Bulk actions ----------------------------------------------------------------------------


def post_action(client, model, action, *objects):
    return client.post(
        changelist(model),
        {"action": action, "_selected_action": [str(o.pk) for o in objects], "post": "yes"},
    )


@pytest.mark.parametrize(
    "model",
    [Commitment, Programme, Event, Photo, Source, Activity],
    ids=lambda m: m._meta.model_name,
)
def test_bulk_delete_reaches_only_the_scope(world, model):
    a, b = (world.objects[model][side] for side in SIDES)
    # An editor deletes the records of a draft only (test_revisions covers published ones).
    unpublish_agreement(world.A.agreement, actor=None)
    response = post_action(world.clients["editor_a"], model, "delete_selected", a, b)
    assert response.status_code == 302
    assert not model.objects.filter(pk=a.pk).exists()
    assert model.objects.filter(pk=b.pk).exists()


@pytest.mark.parametrize(
    "model",
    [Party, Commitment, Programme, Event, Photo, Source, Activity],
    ids=lambda m: m._meta.model_name,
)
def test_an_editor_cannot_delete_the_records_of_a_published_agreement(world, model):
    a = world.objects[model]["A"]
    editor = world.clients["editor_a"]
    url = reverse(f"admin:{a._meta.app_label}_{a._meta.model_name}_delete", args=[a.pk])
    page = editor.get(url)
    assert "mục của giao ước đã công bố" in page.content.decode() or (
        page.status_code == 302  # a signing party: refused before the confirmation page
    )
    assert editor.post(url, {"post": "yes"}).status_code in (302, 403)
    # Parties have no bulk delete at all (PartyAdmin.get_actions).
    assert post_action(editor, model, "delete_selected", a).status_code in (200, 403)
    assert model.objects.filter(pk=a.pk).exists()


def test_bulk_delete_of_an_object_outside_the_scope_alone_changes_nothing(world):
    before = Activity.objects.count()
    post_action(world.clients["editor_a"], Activity, "delete_selected", world.B.activity)
    assert Activity.objects.count() == before


def test_a_reviewer_publishes_and_unpublishes_only_within_the_scope(world):
    draft_a = factories.agreement(world.village_a, factories.locality(), title="Nháp A")
    draft_b = factories.agreement(world.commune_b, factories.locality(), title="Nháp B")
    reviewer = world.clients["reviewer_a"]
    post_action(reviewer, Agreement, "publish", draft_a, draft_b)
    post_action(reviewer, Agreement, "unpublish", world.B.agreement)
    statuses = dict(
        Agreement.objects.filter(pk__in=[draft_a.pk, draft_b.pk, world.B.agreement.pk]).values_list(
            "pk", "status"
        )
    )
    assert statuses == {
        draft_a.pk: AgreementStatus.PUBLISHED,
        draft_b.pk: AgreementStatus.DRAFT,
        world.B.agreement.pk: AgreementStatus.PUBLISHED,
    }
    assert not draft_b.publications.exists()
    assert world.B.agreement.publications.count() == 1


# --- Exports ---------------------------------------------------------------------------------

EXPORT_URL = reverse("admin:activities_activity_export")


def export(client, file_format, query="", **extra):
    """The descriptions in an export of the activity list, as the export form posts it."""
    form = client.get(EXPORT_URL).context["form"]
    choices = {str(label).lower(): key for key, label in form.fields["format"].choices}
    response = client.post(
        EXPORT_URL + query,
        {"format": choices[file_format], "resource": "0", **extra}
        | {f"activityresource_{name}": "on" for name in ActivityResource._meta.fields},
    )
    assert response.status_code == 200
    if file_format == "csv":
        rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    else:
        rows = list(load_workbook(io.BytesIO(response.content)).active.iter_rows(values_only=True))
    column = list(rows[0]).index(gettext("Description"))
    return sorted(row[column] for row in rows[1:])


# Posting export_items makes import-export call a method it has deprecated; it still filters
# the scoped queryset, which is what is tested here.
@pytest.mark.filterwarnings("ignore:The 'get_valid_export_item_pks:DeprecationWarning")
@pytest.mark.parametrize("file_format", ["xlsx", "csv"])
def test_the_export_holds_the_scopes_rows_only(world, file_format):
    a, b = world.A.activity.description, world.B.activity.description
    assert export(world.clients["editor_a"], file_format) == [a]
    assert export(world.clients["editor_b"], file_format) == [b]
    assert export(world.clients["province"], file_format) == sorted([a, b])
    # as the "export selected" path posts it, naming the rows to export
    chosen = {"export_items": [str(world.A.activity.pk), str(world.B.activity.pk)]}
    assert export(world.clients["editor_a"], file_format, **chosen) == [a]
    # with the list's filter in the address, pointing to B's agreement (Django ignores a
    # filter that offers a single choice, as A's agreement filter does here)
    query = f"?agreement__id__exact={world.B.agreement.pk}"
    assert b not in export(world.clients["editor_a"], file_format, query)
    assert export(world.clients["province"], file_format, query) == [b]


# --- Imports ---------------------------------------------------------------------------------


def import_preview(client, rows):
    """The import's preview (nothing is written before the confirmation) of an xlsx."""
    workbook = Workbook()
    sheet = workbook.active
    resource = ActivityResource()
    names = list(ActivityResource._meta.fields)
    sheet.append([resource.fields[name].column_name for name in names])
    for row in rows:
        sheet.append([row.get(name) for name in names])
    upload = io.BytesIO()
    workbook.save(upload)
    upload.seek(0)
    upload.name = "hoat-dong.xlsx"
    url = reverse("admin:activities_activity_import")
    form = client.get(url).context["form"]
    xlsx = next(key for key, label in form.fields["format"].choices if str(label) == "xlsx")
    response = client.post(url, {"resource": "0", "format": xlsx, "import_file": upload})
    assert response.status_code == 200
    return response.context["result"]


def test_an_editor_cannot_import_into_an_agreement_outside_the_scope(world):
    row = {
        "agreement": world.B.agreement.slug,
        "activity_type": "Loại B",
        "giver": str(world.unit_b),
        "recipient": str(world.commune_b),
        "starts_on": "1/6/2019",
        "value_vnd": "1.000.000",
        "description": "Nhập thử",
    }
    before = Activity.objects.count()
    result = import_preview(world.clients["editor_a"], [row])
    [invalid] = result.invalid_rows
    assert list(invalid.field_specific_errors) == [gettext("Agreement")]
    assert not import_preview(world.clients["province"], [row]).has_validation_errors()
    assert Activity.objects.count() == before


# --- History ---------------------------------------------------------------------------------


def history_url(obj):
    return reverse(f"admin:{obj._meta.app_label}_{obj._meta.model_name}_history", args=[obj.pk])


def test_the_history_of_a_deleted_object_is_for_province_staff_only(world):
    """Once deleted, an object's scope is no longer known: A's staff cannot read even their
    own, lest they read B's."""
    urls = [history_url(world.A.commitment), history_url(world.B.commitment)]
    Commitment.objects.filter(pk__in=[world.A.commitment.pk, world.B.commitment.pk]).delete()
    for url in urls:
        assert world.clients["editor_a"].get(url).status_code == 404
        assert world.clients["province"].get(url).status_code == 200


# --- Change pages and forms ------------------------------------------------------------------


# What each scoped model's page lets an editor change, for these tests.
CHANGED_FIELD = {
    Agreement: "summary",
    Party: "signatory_name",
    Commitment: "text",
    Programme: "description",
    Event: "place",
    Photo: "credit",
    Source: "publisher",
    Activity: "recipient_detail",
}


def change_url(obj):
    return reverse(f"admin:{obj._meta.app_label}_{obj._meta.model_name}_change", args=[obj.pk])


def snapshot(obj):
    obj = type(obj).objects.get(pk=obj.pk)
    return model_to_dict(obj), obj.history.count()


@pytest.mark.parametrize("model", list(CHANGED_FIELD), ids=lambda m: m._meta.model_name)
def test_a_change_posted_to_an_object_outside_the_scope_is_404_and_changes_nothing(world, model):
    field, editor = CHANGED_FIELD[model], world.clients["editor_a"]
    # The same post, made from the page as it is, is proposed for A's object (its agreement is
    # published), and applied once A's reviewer approves it...
    a = world.objects[model]["A"]
    before_a = getattr(a, field)
    data = form_data(editor.get(change_url(a))) | {field: "Đã sửa"}
    response = editor.post(change_url(a), data)
    assert response.status_code == 302, response.context and response.context["errors"]
    revision = Revision.objects.filter(status=RevisionStatus.PENDING).latest("pk")
    assert response.url == change_url(revision)
    assert getattr(type(a).objects.get(pk=a.pk), field) == before_a
    reviewer = world.clients["reviewer_a"]
    assert reviewer.post(change_url(revision), {"_approve": "1"}).status_code == 302
    assert getattr(type(a).objects.get(pk=a.pk), field) == "Đã sửa"
    # ...and is refused for B's, whose page province staff see.
    b = world.objects[model]["B"]
    data = form_data(world.clients["province"].get(change_url(b))) | {field: "Đã sửa"}
    before = snapshot(b)
    assert editor.post(change_url(b), data).status_code == 404
    assert snapshot(b) == before


def test_a_proposed_change_is_reviewed_within_the_scope_only(world):
    """B's proposed change: A's reviewer and editor cannot approve or reject it (404), A's
    editor cannot review A's own (403), and it stays pending."""
    a, b = world.A.revision, world.B.revision
    for role in ("reviewer_a", "editor_a"):
        client = world.clients[role]
        assert client.post(change_url(b), {"_approve": "1"}).status_code == 404
        assert client.post(change_url(b), {"_reject": "1", "reason": "Sai"}).status_code == 404
    assert world.clients["editor_a"].post(change_url(a), {"_approve": "1"}).status_code == 403
    assert world.clients["leader_a"].post(change_url(a), {"_approve": "1"}).status_code == 403
    for revision in (a, b):
        revision.refresh_from_db()
        assert revision.status == RevisionStatus.PENDING


@pytest.mark.parametrize(
    "model",
    [Party, Commitment, Programme, Event, Photo, Source, Activity],
    ids=lambda m: m._meta.model_name,
)
def test_a_delete_posted_to_an_object_outside_the_scope_is_404(world, model):
    b = world.objects[model]["B"]
    url = reverse(f"admin:{b._meta.app_label}_{b._meta.model_name}_delete", args=[b.pk])
    assert world.clients["editor_a"].post(url, {"post": "yes"}).status_code == 404
    assert model.objects.filter(pk=b.pk).exists()


def test_a_version_page_saves_nothing_for_anyone(world):
    b = world.B.commitment
    version = b.history.first().history_id
    url = reverse("admin:agreements_commitment_simple_history", args=[b.pk, version])
    before = snapshot(b)
    for role in ("editor_a", "editor_b", "superuser"):
        assert world.clients[role].post(url, {"text": "Đã sửa"}).status_code == 403
    assert snapshot(b) == before


def add_url(model):
    return reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_add")


@pytest.mark.parametrize(
    "model",
    [Party, Commitment, Programme, Event, Photo, Source, Activity],
    ids=lambda m: m._meta.model_name,
)
def test_add_forms_offer_only_agreements_events_and_sources_in_scope(world, model):
    for role, sides in (("editor_a", {"A"}), ("province", {"A", "B"})):
        form = world.clients[role].get(add_url(model)).context["adminform"].form
        offered = {
            name: set(field.queryset)
            for name, field in form.fields.items()
            if isinstance(field, forms.ModelChoiceField) and field.queryset.model in SCOPED_CHOICES
        }
        assert offered, model
        for name, choices in offered.items():
            scoped = world.objects[form.fields[name].queryset.model]
            assert choices == {scoped[side] for side in sides}, (role, name)


def activity_post(agreement, giver, recipient, **fields):
    return {
        "agreement": str(agreement.pk),
        "event": "",
        "activity_type": str(ActivityType.objects.get(slug="tien-mat").pk),
        "status": "delivered",
        "giver": str(giver.pk),
        "recipient": str(recipient.pk),
        "recipient_detail": "",
        "funder": "",
        "starts_on": "27/12/2025",
        "ends_on": "",
        "date_precision": "day",
        "quantity": "",
        "quantity_qualifier": "exact",
        "value_vnd": "30.000.000",
        "value_qualifier": "exact",
        "beneficiaries": "",
        "description": "Thêm thử",
        "source": "",
        **fields,
    }


def test_an_editor_cannot_add_an_activity_outside_the_scope(world):
    editor, url, before = world.clients["editor_a"], add_url(Activity), Activity.objects.count()
    response = editor.post(url, activity_post(world.B.agreement, world.unit_b, world.commune_b))
    assert response.status_code == 200
    assert "agreement" in response.context["adminform"].form.errors
    # nor attach B's event or source to an activity of A
    data = activity_post(
        world.A.agreement,
        world.unit_a,
        world.village_a,
        event=str(world.B.event.pk),
        source=str(world.B.source.pk),
    )
    response = editor.post(url, data)
    assert response.status_code == 200
    assert {"event", "source"} <= set(response.context["adminform"].form.errors)
    assert Activity.objects.count() == before
    # while the same activity within A is proposed (A is published), and saved once approved
    response = editor.post(url, activity_post(world.A.agreement, world.unit_a, world.village_a))
    assert response.status_code == 302
    assert Activity.objects.count() == before
    revision = Revision.objects.latest("pk")
    assert (
        world.clients["reviewer_a"].post(change_url(revision), {"_approve": "1"}).status_code == 302
    )
    assert Activity.objects.count() == before + 1


INLINE_PREFIXES = ("parties", "commitments", "programmes", "events", "photos", "sources")


def agreement_post(*localities):
    data = {"title": "", "slug": "", "signed_on": "", "signed_at_place": "", "ended_on": ""}
    data["summary"] = ""
    for prefix in INLINE_PREFIXES:
        rows = localities if prefix == "parties" else ()
        data |= {
            f"{prefix}-TOTAL_FORMS": str(len(rows)),
            f"{prefix}-INITIAL_FORMS": "0",
            f"{prefix}-MIN_NUM_FORMS": "0",
            f"{prefix}-MAX_NUM_FORMS": "1000",
        }
    for i, locality in enumerate(localities):
        data |= {
            f"parties-{i}-locality": str(locality.pk),
            f"parties-{i}-role": PartyRole.PARTY,
            f"parties-{i}-signatory_name": "",
            f"parties-{i}-signatory_title": "",
            f"parties-{i}-position": str(i),
        }
    return data


def test_an_editor_cannot_add_an_agreement_whose_parties_are_all_outside_the_scope(world):
    editor, url, before = world.clients["editor_a"], add_url(Agreement), Agreement.objects.count()
    response = editor.post(url, agreement_post(world.commune_b, world.unit_b))
    assert response.status_code == 200
    [parties] = [
        f.formset
        for f in response.context["inline_admin_formsets"]
        if f.formset.prefix == "parties"
    ]
    assert [e.code for e in parties.non_form_errors().as_data()] == ["out_of_scope"]
    assert Agreement.objects.count() == before
    # one party within A (a village of A) is enough
    response = editor.post(url, agreement_post(world.village_a, world.unit_b))
    assert response.status_code == 302
    assert Agreement.objects.count() == before + 1


def test_an_editor_cannot_take_an_agreement_out_of_the_scope_on_a_partys_page(world):
    """The party page is another way to the same rule as the agreement page's parties."""
    editor, party = world.clients["editor_a"], world.A.party
    data = form_data(editor.get(change_url(party))) | {"locality": str(world.commune_b.pk)}
    response = editor.post(change_url(party), data)
    assert response.status_code == 200
    assert response.context["adminform"].form.errors
    assert Party.objects.get(pk=party.pk).locality == world.village_a


def test_an_editor_cannot_take_an_agreement_out_of_the_scope_by_deleting_a_party(world):
    draft = factories.agreement(world.village_a, world.unit_a, world.unit_b, title="Nháp ba bên")
    party = draft.parties.get(locality=world.village_a)
    url = reverse("admin:agreements_party_delete", args=[party.pk])
    world.clients["editor_a"].post(url, {"post": "yes"})
    assert Party.objects.filter(pk=party.pk).exists()


# --- Legal documents: the province's -----------------------------------------------------------


@pytest.mark.parametrize("role", ["editor_a", "editor_b"])
def test_a_communes_editor_reads_a_legal_document_but_cannot_change_it(world, role):
    document = world.A.document
    editor, url = world.clients[role], change_url(document)
    response = editor.get(url)
    assert response.status_code == 200
    assert response.context["has_change_permission"] is False
    assert 'name="_save"' not in response.content.decode()
    data = form_data(world.clients["province"].get(url)) | {"url": "https://example.com/x"}
    before = snapshot(document)
    assert editor.post(url, data).status_code == 403
    assert snapshot(document) == before


def test_the_provinces_staff_change_a_legal_document(world):
    document = world.B.document
    client, url = world.clients["province"], change_url(document)
    data = form_data(client.get(url)) | {"title": "Chỉ thị đã sửa"}
    assert client.post(url, data).status_code == 302
    assert LegalDocument.objects.get(pk=document.pk).title == "Chỉ thị đã sửa"


# --- The locality register -------------------------------------------------------------------


def test_bs_page_is_read_only_for_an_editor_of_a(world):
    editor, url = world.clients["editor_a"], change_url(world.commune_b)
    response = editor.get(url)
    assert response.status_code == 200
    assert response.context["has_change_permission"] is False
    assert 'name="_save"' not in response.content.decode()
    data = form_data(world.clients["province"].get(url)) | {"note": "Đã sửa"}
    before = snapshot(world.commune_b)
    assert editor.post(url, data).status_code == 403
    assert snapshot(world.commune_b) == before


@pytest.mark.parametrize("unit", ["commune_a", "village_a"])
def test_an_editor_of_a_changes_a_and_its_villages(world, unit):
    locality, editor = getattr(world, unit), world.clients["editor_a"]
    response = editor.get(change_url(locality))
    assert response.context["has_change_permission"] is True
    response = editor.post(change_url(locality), form_data(response) | {"note": "Đã sửa"})
    assert response.status_code == 302, response.context and response.context["errors"]
    assert Locality.objects.get(pk=locality.pk).note == "Đã sửa"


def test_an_editor_of_a_adds_units_below_a_only(world):
    editor, url = world.clients["editor_a"], add_url(Locality)
    data = form_data(editor.get(url)) | {"name": "Làng Mới", "kind": LocalityKind.VILLAGE}
    response = editor.post(url, data | {"parent": str(world.commune_b.pk)})
    assert response.status_code == 200
    assert list(response.context["adminform"].form.errors) == ["parent"]
    assert not Locality.objects.filter(name="Làng Mới").exists()
    response = editor.post(url, data | {"parent": str(world.commune_a.pk)})
    assert response.status_code == 302
    assert Locality.objects.get(name="Làng Mới").parent == world.commune_a


def test_an_editor_of_a_cannot_move_a_village_of_a_out_of_a(world):
    """Moving Làng An Thượng under B would carry A's agreement out of A's hands."""
    editor, url = world.clients["editor_a"], change_url(world.village_a)
    data = form_data(editor.get(url)) | {"parent": str(world.commune_b.pk)}
    response = editor.post(url, data)
    assert response.status_code == 200
    assert list(response.context["adminform"].form.errors) == ["parent"]
    assert Locality.objects.get(pk=world.village_a.pk).parent == world.commune_a
