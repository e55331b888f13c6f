import unicodedata

import pytest
from hypothesis import given
from hypothesis import strategies as st

from localities.text import search_key, search_words, slugify


@pytest.mark.parametrize(
    ("name", "slug", "key"),
    [
        ("Xã Ia Dơk", "xa-ia-dok", "xa ia dok"),
        ("Đức Hải", "duc-hai", "duc hai"),
        ("Phường An Nhơn Bắc", "phuong-an-nhon-bac", "phuong an nhon bac"),
        ("ĐÀ NẴNG", "da-nang", "da nang"),
        ("Làng Ghè", "lang-ghe", "lang ghe"),
        ("Sư đoàn 320", "su-doan-320", "su doan 320"),
        ("  Thành phố   Pleiku ", "thanh-pho-pleiku", "thanh pho pleiku"),
    ],
)
def test_slug_and_search_key(name, slug, key):
    assert slugify(name) == slug
    assert search_key(name) == key


def test_decomposed_input_folds_like_precomposed():
    name = "Phường An Nhơn Bắc"
    assert search_key(unicodedata.normalize("NFD", name)) == search_key(name)
    assert slugify(unicodedata.normalize("NFD", "Đức Hải")) == "duc-hai"


def test_both_tone_placements_fold_alike():
    assert search_key("Hoà") == search_key("Hòa") == "hoa"
    assert search_key("Thuỷ") == search_key("Thủy") == "thuy"


vietnamese = st.text(
    alphabet="aăâbcdđeêghiklmnoôơpqrstuưvxyAĂÂĐÊÔƠƯ "
    "àáảãạằắẳẵặầấẩẫậèéẻẽẹềếểễệìíỉĩịòóỏõọồốổỗộờớởỡợùúủũụừứửữựỳýỷỹỵ",
    max_size=40,
)


@given(vietnamese)
def test_search_key_is_ascii_lowercase_and_stable(text):
    key = search_key(text)
    assert key.isascii()
    assert key == key.lower() == search_key(key)
    assert search_key(unicodedata.normalize("NFD", text)) == key


@given(vietnamese)
def test_slug_is_ascii(text):
    assert slugify(text).isascii()


def test_search_words_ignore_punctuation_and_spell_out_abbreviations():
    assert search_words("Ia Dok, An Nhon Bac") == ["ia", "dok", "an", "nhon", "bac"]
    assert search_words("TP. Pleiku") == ["thanh pho", "pleiku"]
    assert search_words("Làng Ghè (xã Ia Dơk)") == ["lang", "ghe", "xa", "ia", "dok"]
    assert search_words("  ") == []
