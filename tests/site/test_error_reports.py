"""“Báo lỗi”: a reader reports an error on a page; the staff read and answer it in the admin."""

import time
from datetime import timedelta

import pytest
from django.contrib.auth.models import Group
from django.core import signing
from django.utils import timezone

from ketnghia.models import ErrorReport, ErrorReportStatus
from ketnghia.public.error_reports import SALT
from ketnghia.settings import _client_ip_behind_proxy
from tests import factories
from tests.admin_pages import form_data

pytestmark = pytest.mark.django_db

REVIEWER = "Người duyệt đăng"
EDITOR = "Cán bộ nhập liệu"


def issued(seconds_ago=30):
    return signing.dumps(time.time() - seconds_ago, salt=SALT)


def report(client, address="198.51.100.4", HTTP_X_FORWARDED_FOR="", **fields):
    data = {
        "page": "/giao-uoc/",
        "message": "Ngày ký giao ước là 11-9-2025, không phải 12-9-2025.",
        "name": "",
        "email": "",
        "website": "",
        "issued": issued(),
        **fields,
    }
    headers = {"HTTP_X_FORWARDED_FOR": HTTP_X_FORWARDED_FOR} if HTTP_X_FORWARDED_FOR else {}
    return client.post("/bao-loi/", data, REMOTE_ADDR=address, **headers)


def staff(django_user_model, group, username="duyet-bai"):
    user = django_user_model.objects.create_user(username, is_staff=True)
    user.groups.add(Group.objects.get(name=group))
    return user


def test_every_page_names_its_publisher_and_links_to_a_report_about_itself(client, settings):
    agreement = factories.agreement(published=True)
    page = f"/giao-uoc/{agreement.slug}/"
    html = client.get(page).content.decode()
    assert "Cơ quan chủ quản: Ủy ban nhân dân tỉnh Gia Lai" in html
    assert f'href="/bao-loi/?trang={page}"' in html
    settings.PUBLISHER = "Văn phòng Ủy ban nhân dân tỉnh Gia Lai"
    settings.CONTACT_EMAIL = "ketnghia@gialai.gov.vn"
    settings.CONTACT_PHONE = "0269 3824 000"
    html = client.get("/en/gioi-thieu/").content.decode()
    assert '<span lang="vi">Văn phòng Ủy ban nhân dân tỉnh Gia Lai</span>' in html
    assert 'href="mailto:ketnghia@gialai.gov.vn"' in html
    assert 'href="tel:02693824000"' in html
    assert "Report an error on this page" in html


def test_the_form_names_the_page_and_asks_in_vietnamese(client, django_assert_max_num_queries):
    with django_assert_max_num_queries(0):
        response = client.get("/bao-loi/?trang=/giao-uoc/")
    html = response.content.decode()
    assert response.status_code == 200
    assert "Báo lỗi" in html and "Trang đang có gì sai?" in html
    assert '<a href="/giao-uoc/">/giao-uoc/</a>' in html
    assert '<meta name="robots" content="noindex">' in html
    english = client.get("/en/bao-loi/").content.decode()
    assert "Report an error" in english and "What is wrong on the page?" in english


def test_a_report_reaches_the_staff_list_without_the_senders_address(client, django_user_model):
    response = report(client, name="Rơ Châm H'Lan", email="hlan@example.vn")
    assert response.status_code == 302
    assert response["Location"] == "/bao-loi/?gui=1&trang=%2Fgiao-uoc%2F"
    assert "Cảm ơn" in client.get(response["Location"]).content.decode()
    stored = ErrorReport.objects.get()
    assert (stored.page, stored.name, stored.language) == ("/giao-uoc/", "Rơ Châm H'Lan", "vi")
    assert stored.status == ErrorReportStatus.NEW
    assert "198.51.100.4" not in stored.sender and len(stored.sender) == 64

    client.force_login(staff(django_user_model, REVIEWER))
    listed = client.get("/admin/ketnghia/errorreport/").content.decode()
    assert "Ngày ký giao ước là 11-9-2025" in listed
    assert "Mới" in listed


@pytest.mark.parametrize(
    ("fields", "field", "message"),
    [
        ({"message": ""}, "message", "Hãy cho biết trang có thông tin gì chưa đúng."),
        ({"message": "sai"}, "message", "Hãy ghi rõ hơn (ít nhất 10 ký tự)."),
        ({"email": "hlan@"}, "email", "Nhập một địa chỉ e-mail như ten@example.vn."),
        (
            {"issued": -1},
            "issued",
            "Gửi quá nhanh: hãy kiểm tra nội dung rồi gửi lại.",
        ),
        (
            {"issued": -7 * 3600},
            "issued",
            "Biểu mẫu đã hết hạn: hãy kiểm tra nội dung rồi gửi lại.",
        ),
        ({"issued": "giả"}, "issued", "Biểu mẫu đã hết hạn: hãy kiểm tra nội dung rồi gửi lại."),
    ],
)
def test_a_mistake_is_said_at_its_field_and_nothing_is_stored(client, fields, field, message):
    if isinstance(fields.get("issued"), int):  # seconds ago, counted from now
        fields = {"issued": issued(seconds_ago=-fields["issued"])}
    response = report(client, **fields)
    assert response.status_code == 200
    assert message in response.context["form"].errors[field]
    assert message in response.content.decode()
    assert not ErrorReport.objects.exists()


def test_a_message_sent_back_too_fast_can_be_sent_again_as_it_was(client):
    response = report(client, issued=issued(seconds_ago=0))
    form = response.context["form"]
    assert form.data["message"].startswith("Ngày ký")
    fresh = signing.loads(form.data["issued"], salt=SALT)
    assert abs(fresh - time.time()) < 5  # a new time, from which the reader can send it again


def test_a_robot_filling_the_hidden_field_is_thanked_and_forgotten(client):
    response = report(client, website="http://spam.example/")
    assert response.status_code == 302
    assert not ErrorReport.objects.exists()


def test_a_page_outside_the_site_is_not_kept(client):
    report(client, page="https://lua-dao.example/")
    report(client, page="//lua-dao.example/giao-uoc/", address="198.51.100.5")
    assert list(ErrorReport.objects.values_list("page", flat=True)) == ["", ""]


def test_a_flood_from_one_address_is_throttled(client, settings):
    settings.ERROR_REPORTS_PER_HOUR = 3
    for _ in range(3):
        assert report(client).status_code == 302
    refused = report(client)
    assert refused.status_code == 429
    assert (
        "Địa chỉ mạng (IP) của ông/bà đã gửi nhiều báo lỗi trong một giờ qua"
        in refused.content.decode()
    )
    assert ErrorReport.objects.count() == 3
    assert report(client, address="198.51.100.99").status_code == 302  # another reader
    assert ErrorReport.objects.count() == 4


def test_behind_a_proxy_the_sender_is_the_address_the_proxy_names(client, settings):
    settings.AXES_CLIENT_IP_CALLABLE = _client_ip_behind_proxy
    settings.ERROR_REPORTS_PER_HOUR = 1
    proxied = {"address": "127.0.0.1", "HTTP_X_FORWARDED_FOR": "198.51.100.7"}
    assert report(client, **proxied).status_code == 302
    assert report(client, **proxied).status_code == 429
    assert (
        report(client, address="127.0.0.1", HTTP_X_FORWARDED_FOR="198.51.100.8").status_code == 302
    )


def test_an_ipv6_sender_is_known_by_its_network(client, settings):
    settings.ERROR_REPORTS_PER_HOUR = 1
    assert report(client, address="2001:db8:1:2::1").status_code == 302
    assert report(client, address="2001:db8:1:2:ffff::9").status_code == 429  # the same /64
    assert report(client, address="2001:db8:1:3::1").status_code == 302


def test_a_senders_key_is_forgotten_after_the_hour_it_counts(client):
    report(client)
    old = ErrorReport.objects.get()
    ErrorReport.objects.filter(pk=old.pk).update(received=timezone.now() - timedelta(hours=2))
    report(client, address="198.51.100.77")
    old.refresh_from_db()
    assert old.sender == ""
    assert ErrorReport.objects.exclude(pk=old.pk).get().sender != ""


def test_a_flood_from_everywhere_is_throttled_too(client, settings):
    settings.ERROR_REPORTS_PER_HOUR_ALL = 2
    assert report(client, address="198.51.100.1").status_code == 302
    assert report(client, address="198.51.100.2").status_code == 302
    refused = report(client, address="198.51.100.3")
    assert refused.status_code == 429
    assert "Hệ thống đã nhận nhiều báo lỗi trong một giờ qua" in refused.content.decode()
    assert ErrorReport.objects.count() == 2


def test_the_staff_answer_by_e_mail_in_the_readers_language(
    client, django_user_model, mailoutbox, settings
):
    settings.CONTACT_EMAIL = "ketnghia@gialai.gov.vn"
    client.post(
        "/en/bao-loi/",
        {
            "message": "The signing date should read 11 September 2025.",
            "email": "partner@example.org",
            "issued": issued(),
        },
        REMOTE_ADDR="198.51.100.4",
    )
    stored = ErrorReport.objects.get()
    assert stored.language == "en"
    reviewer = staff(django_user_model, REVIEWER)
    client.force_login(reviewer)
    url = f"/admin/ketnghia/errorreport/{stored.pk}/change/"
    page = client.get(url)
    assert page.status_code == 200
    data = form_data(page)
    data["answer"] = "Thank you: the date is corrected."
    response = client.post(url, data)
    assert response.status_code == 302
    stored.refresh_from_db()
    assert stored.status == ErrorReportStatus.ANSWERED
    assert stored.answered_by == reviewer and stored.answered is not None
    assert stored.message == "The signing date should read 11 September 2025."
    (mail,) = mailoutbox
    assert mail.to == ["partner@example.org"]
    assert mail.subject == "Answer to your error report"
    assert "Thank you: the date is corrected." in mail.body
    assert "The signing date should read 11 September 2025." in mail.body
    assert mail.reply_to == ["ketnghia@gialai.gov.vn"]

    # Sent once: the answer is now what the reader received, and a later save (the status set
    # aside, say) sends nothing and keeps who answered.
    again = client.get(url)
    assert 'name="answer"' not in again.content.decode()
    data = form_data(again)
    data["status"] = ErrorReportStatus.SET_ASIDE
    client.post(url, data)
    stored.refresh_from_db()
    assert (stored.status, stored.answered_by) == (ErrorReportStatus.SET_ASIDE, reviewer)
    assert len(mailoutbox) == 1


def test_an_answer_that_cannot_be_sent_leaves_the_report_unanswered(
    client, django_user_model, settings, mailoutbox
):
    stored = ErrorReport.objects.create(message="Sai tên xã", email="dan@example.vn", sender="x")
    client.force_login(staff(django_user_model, REVIEWER))
    url = f"/admin/ketnghia/errorreport/{stored.pk}/change/"
    data = form_data(client.get(url))
    data["answer"] = "Đã sửa tên xã."
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", 9  # nothing listens there
    response = client.post(url, data, follow=True)
    assert "Không gửi được câu trả lời tới dan@example.vn" in response.content.decode()
    stored.refresh_from_db()
    assert stored.answer == "Đã sửa tên xã." and stored.answered is None
    assert stored.status == ErrorReportStatus.NEW
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    client.post(url, form_data(client.get(url)))  # saved again: sent this time
    stored.refresh_from_db()
    assert stored.status == ErrorReportStatus.ANSWERED
    assert [mail.to for mail in mailoutbox] == [["dan@example.vn"]]


def test_editors_do_not_see_the_reports_and_nobody_adds_one(client, django_user_model):
    ErrorReport.objects.create(message="Sai tên xã", sender="x")
    client.force_login(staff(django_user_model, EDITOR, "nhap-lieu"))
    assert client.get("/admin/ketnghia/errorreport/").status_code == 403
    client.force_login(django_user_model.objects.create_superuser("sieu", "s@example.vn", "x"))
    assert client.get("/admin/ketnghia/errorreport/add/").status_code == 403
