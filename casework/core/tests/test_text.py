"""Text normalisation used by search: folding, name keys, phonetic keys, nicknames, digits."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from casework.core import text


@pytest.mark.parametrize(
    ("raw", "folded"),
    [
        ("José Núñez", "jose nunez"),
        ("  ROBERT   smith ", "robert smith"),
        ("O'Brien-Smith", "o brien smith"),
        ("Łukasz Øster", "lukasz oster"),
        ("Straße", "strasse"),
        ("Ærøskøbing", "aeroskobing"),
        ("Zoë Saldaña", "zoe saldana"),
        ("ＦＵＬＬ ｗｉｄｔｈ", "full width"),
        ("Иван Петров", "иван петров"),
        ("王伟", "王伟"),
        ("مُحَمَّد", "محمد"),
        ("", ""),
    ],
)
def test_fold(raw, folded):
    assert text.fold(raw) == folded


def test_fold_accepts_none():
    assert text.fold(None) == ""  # type: ignore[arg-type]


def test_name_key_drops_spaces_hyphens_and_apostrophes():
    assert text.name_key("O'Brien-Smith") == "obriensmith"
    assert text.name_key("de la Cruz") == "delacruz"
    assert text.name_key("Núñez") == text.name_key("NUNEZ")


@pytest.mark.parametrize(("a", "b"), [("Smith", "Smyth"), ("Catherine", "Kathryn"), ("Philips", "Filips")])
def test_phonetic_keys_match_sound_alikes(a, b):
    assert text.phonetic(a) == text.phonetic(b) != ""


def test_phonetic_key_of_other_scripts_is_the_name_itself():
    assert text.phonetic("Иван") == "иван"
    assert text.phonetic("王伟") == "王伟"
    assert text.phonetic("") == ""
    assert text.phonetic("123") == ""


def test_nicknames_work_both_ways():
    assert {"bob", "rob", "robert"} <= text.given_name_variants("Robert")
    assert "robert" in text.given_name_variants("Bob")
    assert "william" in text.given_name_variants("bill")
    assert text.given_name_variants("") == set()
    assert text.given_name_variants("Иван") == {"иван"}


def test_digits_and_phone_digits():
    assert text.digits("(555) 201-3344") == "5552013344"
    assert text.digits("") == ""
    assert text.phone_digits("555-201-3344 ext. 12") == "5552013344"
    assert text.phone_digits("+1 555 201 3344 x12") == "15552013344"
    assert text.phone_digits("555.201.3344") == "5552013344"


def test_identifier_key_ignores_case_spaces_and_punctuation():
    assert text.identifier_key("mrn-12345") == text.identifier_key("MRN 12345") == "mrn12345"
    assert text.identifier_key("AB/12.34") == "ab1234"


@given(st.text(max_size=300))
def test_folding_never_crashes_and_is_stable(value):
    folded = text.fold(value)
    assert text.fold(folded) == folded
    assert folded == folded.strip()
    key = text.name_key(value)
    assert " " not in key
    assert len(text.phonetic(value)) <= 12
    assert text.digits(value).isdigit() or text.digits(value) == ""
