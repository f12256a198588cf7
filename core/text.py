"""Vietnamese text helpers: collation (Đ after D, Ă/Â after A…) and accent folding for search."""

import unicodedata

_ALPHABET = "aăâbcdđeêghiklmnoôơpqrstuưvxy"
_RANK = {letter: i for i, letter in enumerate(_ALPHABET)}
# Combining marks that make a letter (kept) versus marks that carry the tone (secondary key).
_LETTER_MARKS = {"\u0306", "\u0302", "\u031b"}  # breve, circumflex, horn
_TONES = {"\u0300": 1, "\u0309": 2, "\u0303": 3, "\u0301": 4, "\u0323": 5}


def vi_sort_key(text: str) -> tuple:
    """Sort key following the Vietnamese alphabet; tone marks only break ties."""
    letters: list[tuple[int, str]] = []
    tones: list[int] = []
    for char in unicodedata.normalize("NFD", text.casefold()):
        if char in _TONES:
            if tones:
                tones[-1] = _TONES[char]
            continue
        if char in _LETTER_MARKS and letters:
            composed = unicodedata.normalize("NFC", letters[-1][1] + char)
            letters[-1] = (_RANK.get(composed, 100 + ord(composed)), composed)
            continue
        letters.append((_RANK.get(char, 100 + ord(char)), char))
        tones.append(0)
    return (tuple(rank for rank, _ in letters), tuple(tones))


def fold(text: str) -> str:
    """Lower-case, no diacritics, đ→d: what users type on a keyboard without Vietnamese input."""
    decomposed = unicodedata.normalize("NFD", text.casefold().replace("đ", "d"))
    return "".join(c for c in decomposed if not unicodedata.combining(c))
