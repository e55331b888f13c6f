"""Text in two languages: Vietnamese first, English where staff have written it.

Reference data (activity types and their units, commitment areas) and an agreement's title and
summary carry an English text beside the Vietnamese; the English pages (/en/) show it when it
is there, and the Vietnamese otherwise, marked as Vietnamese where it is shown (the `lang`
template filter, ketnghia.templatetags.languages). Choices (kinds, roles, statuses) are
translated by gettext, as the rest of the interface.
"""

from django.utils.translation import get_language

VIETNAMESE = "vi"


def language():
    """The active language's code without its region ("en" for "en-us"); Vietnamese when none."""
    return (get_language() or VIETNAMESE).split("-")[0]


def localized(vietnamese, english=""):
    """The text in the active language: the English one on English pages when there is one."""
    if english and language() == "en":
        return english
    return vietnamese


def language_of(vietnamese, english=""):
    """The language localized() shows `vietnamese` or `english` in."""
    return "en" if english and language() == "en" else VIETNAMESE


class Vietnamese(str):
    """A text written in Vietnamese whatever the page's language (a name, in a list of labels and
    values that a template shows and an export writes): a template marks it with `lang`."""

    lang = VIETNAMESE
