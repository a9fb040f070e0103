"""Text normalisation shared by search and matching: case, accents, digits, phonetic keys."""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

import jellyfish
from nicknames import NickNamer

_NON_ALNUM = re.compile(r"[^0-9a-z]+")
_NON_DIGIT = re.compile(r"\D+")
# Latin letters that Unicode does not decompose into a base letter and an accent.
_LATIN_EXTRA = str.maketrans(
    {"ł": "l", "ø": "o", "đ": "d", "ð": "d", "ħ": "h", "ı": "i", "ŀ": "l", "ß": "ss", "æ": "ae", "œ": "oe", "þ": "th"}
)


def fold(text: str) -> str:
    """Lower-case, strip accents and collapse everything but letters and digits to spaces.

    Letters of scripts without an ASCII form (Arabic, Chinese, Cyrillic) are kept as they
    are, lower-cased, so such names still match themselves.
    """
    decomposed = unicodedata.normalize("NFKD", text or "")
    kept: list[str] = []
    for char in decomposed:
        if unicodedata.combining(char):
            continue
        kept.append(char.lower())
    ascii_folded = "".join(kept).translate(_LATIN_EXTRA)
    out = []
    for char in ascii_folded:
        if char.isalnum():
            out.append(char)
        else:
            out.append(" ")
    return " ".join("".join(out).split())


def name_key(text: str) -> str:
    """A compact comparison key for a name: folded, without spaces, hyphens or apostrophes."""
    return fold(text).replace(" ", "")


def phonetic(text: str) -> str:
    """Metaphone code of a name for sound-alike search ("Smyth" ~ "Smith").

    Names outside the Latin script have no metaphone; their folded key stands in.
    """
    key = name_key(text)
    if not key:
        return ""
    if not key.isascii():
        return key[:12]
    letters = re.sub(r"[^a-z]", "", key)
    if not letters:
        return ""
    return jellyfish.metaphone(letters)[:12]


@lru_cache(maxsize=1)
def _nicknamer() -> NickNamer:
    """The nickname table, loaded once per process (static reference data, not client data)."""
    return NickNamer()


def given_name_variants(text: str) -> set[str]:
    """The name itself, the full names it may be short for, and its own nicknames."""
    key = name_key(text)
    if not key:
        return set()
    if not key.isascii():
        return {key}
    namer = _nicknamer()
    return {key} | set(namer.canonicals_of(key)) | set(namer.nicknames_of(key))


def digits(text: str) -> str:
    """Only the digits of a phone number or identifier."""
    return _NON_DIGIT.sub("", text or "")


_PHONE_EXTENSION = re.compile(r"\s*(?:ext\.?|x|#)\s*\d+\s*$", flags=re.IGNORECASE)


def phone_digits(text: str) -> str:
    """The digits of a phone number without its extension ("555-1212 ext 34" -> "5551212")."""
    return digits(_PHONE_EXTENSION.sub("", text or ""))


def email_key(text: str) -> str:
    """An e-mail address compared without case or surrounding spaces."""
    return (text or "").strip().lower()[:254]


def identifier_key(text: str) -> str:
    """An identifier compared without case, spaces or punctuation ("ab-123 45" ~ "AB12345")."""
    return _NON_ALNUM.sub("", fold(text))
