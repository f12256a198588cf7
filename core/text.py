"""Vietnamese text helpers: collation (Đ after D, Ă/Â after A…), accent folding for search and the
folded column search reads (`FoldedField`)."""

import unicodedata

from django.db import models

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


def _spaced(folded: str) -> str:
    """Folded text with every character that is not a letter or a digit made a space, one for one
    (so positions still match the text): "iv.13.a" and "bdg_dv" are words "iv 13 a", "bdg dv"."""
    return "".join(c if c.isalnum() else " " for c in folded)


def words(text: str) -> list[str]:
    """The folded words of a text: what search compares (`fold`; punctuation separates)."""
    return _spaced(fold(text)).split()


def searchable(text: str) -> str:
    """The folded words of `text` between spaces (" xa tinh khe "), as a `FoldedField` stores
    them: a word typed is found where " " + word occurs, at the start of a word of the text."""
    return f" {' '.join(words(text))} " if text.strip() else ""


def marked(text: str, needles: list[str]) -> list[tuple[str, bool]]:
    """`text` cut into (piece, found) runs where the folded `needles` (each one or more words)
    start a word of its folded form: "tinh khe" marks "Tịnh Khê" in "Xã Tịnh Khê" as it is
    written, diacritics kept. A needle of one character alone marks nothing (every word starting
    with "a" would be)."""
    origin: list[int] = []  # the index in `text` of each folded character
    for index, char in enumerate(text):
        origin.extend([index] * len(fold(char)))
    folded = _spaced(fold(text))
    if len(folded) != len(origin):  # a character folds differently alone (never in Vietnamese)
        return [(text, False)] if text else []
    hit = [False] * len(text)
    for needle in {n for n in needles if len(n) > 1}:
        start = folded.find(needle)
        while start != -1:
            if start == 0 or folded[start - 1] == " ":
                for k in range(start, start + len(needle)):
                    hit[origin[k]] = True
            start = folded.find(needle, start + 1)
    for index in range(1, len(text)):  # a combining mark goes with the letter it sits on
        if not fold(text[index]):
            hit[index] = hit[index - 1]
    for index in range(1, len(text) - 1):  # two words found side by side are one mark
        if text[index] == " " and hit[index - 1] and hit[index + 1]:
            hit[index] = True
    runs: list[tuple[str, bool]] = []
    for char, found in zip(text, hit, strict=True):
        if runs and runs[-1][1] == found:
            runs[-1] = (runs[-1][0] + char, found)
        else:
            runs.append((char, found))
    return runs


class FoldedField(models.TextField):
    """The folded words of the model's `sources` fields (`searchable`), which search compares
    with the folded words typed: kept by every save (`create` and `bulk_create` included, as
    `core.uids.UidField`), so every service that writes the record keeps it true. Not
    editable. A `save(update_fields=…)` naming a source must name this field too; a queryset's
    `update()` of a source must not be used (`refold` mends rows written that way)."""

    description = "folded text for search"

    def __init__(self, *args, sources: tuple[str, ...] = (), **kwargs):
        self.sources = tuple(sources)
        kwargs.update(editable=False, blank=True, default="")
        super().__init__(*args, **kwargs)

    def deconstruct(self):
        name, path, args, kwargs = super().deconstruct()
        for fixed in ("editable", "blank", "default"):
            kwargs.pop(fixed, None)
        kwargs["sources"] = self.sources
        return name, path, args, kwargs

    def folded(self, instance) -> str:
        return searchable(" ".join(str(getattr(instance, s) or "") for s in self.sources))

    def pre_save(self, model_instance, add):
        value = self.folded(model_instance)
        setattr(model_instance, self.attname, value)
        return value


def refold(model, name: str = "search", batch: int = 2000) -> int:
    """Recompute `model`'s folded column `name` where it is stale (a migration passes its
    historical model, so new columns are filled); the number of rows mended."""
    field = model._meta.get_field(name)
    stale = []
    for instance in model._base_manager.order_by("pk").iterator(chunk_size=batch):
        value = field.folded(instance)
        if getattr(instance, field.attname) != value:
            setattr(instance, field.attname, value)
            stale.append(instance)
    model._base_manager.bulk_update(stale, [field.attname], batch_size=batch)
    return len(stale)
