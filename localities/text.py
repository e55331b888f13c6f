"""Vietnamese text keys: diacritics-free search keys and URL slugs.

NFKD takes the tone and vowel marks off ("ơ" → "o", "ồ" → "o") but leaves "đ" whole: it is a
letter of its own, not "d" with a mark, so it is folded by hand. Both tone placements ("Hoà" and
"Hòa") and precomposed or decomposed (NFD) input give the same key.
"""

import re
import unicodedata

from django.utils.text import slugify as django_slugify

_D = str.maketrans({"đ": "d", "Đ": "D"})
_SPACES = re.compile(r"\s+")
_NOT_WORD = re.compile(r"[^\w]+")
# The press's abbreviations of unit kinds, spelt out as the names are: "TP. Pleiku".
ABBREVIATIONS = {"tp": "thanh pho", "tx": "thi xa", "tt": "thi tran"}


def strip_marks(text):
    """'Xã Ia Dơk' → 'Xa Ia Dok' (case kept)."""
    decomposed = unicodedata.normalize("NFKD", str(text).translate(_D))
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def search_key(text):
    """The key stored beside every name and built from every query: 'Xã  Ia Dơk' → 'xa ia dok'."""
    return _SPACES.sub(" ", strip_marks(text).casefold()).strip()


def slugify(text):
    """'Xã Ia Dơk' → 'xa-ia-dok'; 'Đức Hải' → 'duc-hai' (Django's own slugify drops the 'đ')."""
    return django_slugify(strip_marks(text))


def search_words(query):
    """The terms of a search, each to be found in a search key: 'TP. Pleiku, Ia Dơk' →
    ['thanh pho', 'pleiku', 'ia', 'dok']. Punctuation separates words; abbreviations of unit
    kinds are spelt out."""
    words = _NOT_WORD.sub(" ", search_key(query)).split()
    return [ABBREVIATIONS.get(word, word) for word in words]
