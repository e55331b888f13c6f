"""“Báo lỗi”: a reader tells the staff that a page is wrong.

The report is stored (ketnghia.models.ErrorReport) and answered from the admin. No outside
service guards the form: a field people never see and robots fill in, a signed time that refuses
a form sent back within seconds of being shown (or hours later), and a ceiling on the reports
stored in the last hour, from one address and from everyone. The ceiling counts the stored
reports themselves rather than a cache's counters (django-ratelimit refuses the embedded
default's local-memory cache, and a flood is best measured where it lands): it holds across
workers and machines, and through a restart of the cache. A sender is kept as a keyed hash
of their address for that hour only (forget_senders).
"""

import ipaddress
import time
from datetime import timedelta

from django import forms
from django.conf import settings
from django.core import signing
from django.core.exceptions import ValidationError
from django.db.models import Count, Q
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.crypto import salted_hmac
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_http_methods

from ketnghia.models import ErrorReport

SALT = "ketnghia.error-report"
# A person reads the form and writes a sentence; a robot sends it back at once.
FASTEST = 3  # seconds
SLOWEST = 6 * 60 * 60  # a form left open for the afternoon still works


def sender_key(request):
    """An HMAC of the client's address (the proxy's X-Forwarded-For understood as django-axes
    understands it): the same sender, the same key. An IPv6 sender is known by its /64 network,
    which one home or host holds whole."""
    client_ip = getattr(settings, "AXES_CLIENT_IP_CALLABLE", None)
    address = client_ip(request) if client_ip else request.META.get("REMOTE_ADDR", "")
    try:
        parsed = ipaddress.ip_address(address or "")
    except ValueError:
        pass
    else:
        if parsed.version == 6:
            address = str(ipaddress.ip_network(f"{parsed}/64", strict=False))
    return salted_hmac(SALT, address or "", algorithm="sha256").hexdigest()


def forget_senders(now=None):
    """The senders' keys are needed for an hour, to count their reports: then they are
    emptied, and nothing is left that could lead to an address."""
    since = (now or timezone.now()) - timedelta(hours=1)
    ErrorReport.objects.filter(received__lt=since).exclude(sender="").update(sender="")


def throttled(sender, now=None):
    """Why the form refuses another report now, or "": the last hour holds as many reports as
    allowed from `sender`, or from everyone."""
    since = (now or timezone.now()) - timedelta(hours=1)
    counts = ErrorReport.objects.filter(received__gte=since).aggregate(
        everyone=Count("pk"), theirs=Count("pk", filter=Q(sender=sender))
    )
    if counts["theirs"] >= settings.ERROR_REPORTS_PER_HOUR:
        return _("Many reports have come from your address in the last hour: try again later.")
    if counts["everyone"] >= settings.ERROR_REPORTS_PER_HOUR_ALL:
        return _("The site has received many reports in the last hour: try again later.")
    return ""


def page_of(value):
    """The page a report is about: a path of this site, or nothing."""
    value = (value or "").strip()[:500]
    if value.startswith("/") and url_has_allowed_host_and_scheme(value, allowed_hosts=None):
        return value
    return ""


class ErrorReportForm(forms.Form):
    message = forms.CharField(
        label=_("What is wrong on the page?"),
        help_text=_("Say what the page shows and what is right, with your source if you have one."),
        widget=forms.Textarea(attrs={"rows": 6}),
        min_length=10,
        max_length=2000,
        error_messages={
            "required": _("Write what is wrong on the page."),
            "min_length": _("Say a little more (at least %(limit_value)d characters)."),
            "max_length": _("Keep it under %(limit_value)d characters (%(show_value)d now)."),
        },
    )
    name = forms.CharField(label=_("Your name (optional)"), max_length=100, required=False)
    email = forms.EmailField(
        label=_("Your e-mail (optional)"),
        help_text=_("Only to send you the answer; never shown."),
        required=False,
        error_messages={"invalid": _("Enter an e-mail address such as ten@example.vn.")},
    )
    # Hidden from people (and from screen readers): a robot that fills every field fills it.
    website = forms.CharField(label=_("Leave this field empty"), required=False)
    issued = forms.CharField(widget=forms.HiddenInput)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if not self.is_bound:
            self.initial["issued"] = signing.dumps(time.time(), salt=SALT)
        self.fields["website"].widget.attrs.update({"tabindex": "-1", "autocomplete": "off"})
        for name, field in self.fields.items():
            if field.help_text:
                field.widget.attrs["aria-describedby"] = f"id_{name}-hint"

    def full_clean(self):
        super().full_clean()
        for name in self.errors:
            if name in self.fields:
                attrs = self.fields[name].widget.attrs
                described = [attrs.get("aria-describedby", ""), f"id_{name}-error"]
                attrs.update(
                    {"aria-invalid": "true", "aria-describedby": " ".join(filter(None, described))}
                )

    def clean_issued(self):
        expired = ValidationError(
            _("This form has expired: check your message and send it again."), code="expired"
        )
        try:
            issued = signing.loads(self.cleaned_data["issued"], salt=SALT)
        except signing.BadSignature as e:
            raise expired from e
        age = time.time() - issued
        if age > SLOWEST:
            raise expired
        if age < FASTEST:
            raise ValidationError(
                _("Sent too fast: check your message and send it again."), code="too_fast"
            )
        return issued

    @property
    def is_robot(self):
        return bool(self.data.get("website"))


@require_http_methods(["GET", "HEAD", "POST"])
def report_error(request):
    page = page_of(request.POST.get("page") or request.GET.get("trang"))
    status = 200
    if request.method == "POST":
        form = ErrorReportForm(request.POST)
        sender = sender_key(request)
        refused = throttled(sender)
        if refused:
            status = 429
            form.add_error(None, refused)
        elif form.is_robot:
            return _sent(page)  # told it went through, kept nowhere
        elif form.is_valid():
            data = form.cleaned_data
            ErrorReport.objects.create(
                page=page,
                message=data["message"],
                name=data["name"],
                email=data["email"],
                language=get_language() or "",
                sender=sender,
            )
            forget_senders()
            return _sent(page)
        if form.errors.get("issued"):
            # A new time to send the same words with.
            form.data = form.data.copy()
            form.data["issued"] = signing.dumps(time.time(), salt=SALT)
    else:
        form = ErrorReportForm()
    context = {"form": form, "page": page, "sent": request.GET.get("gui") == "1"}
    return render(request, "error_report.html", context, status=status)


def _sent(page):
    query = {"gui": 1, **({"trang": page} if page else {})}
    return redirect(f"{reverse('report_error')}?{urlencode(query)}")
