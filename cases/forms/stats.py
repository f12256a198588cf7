"""The form of the statistics page: which official round's window is counted (cases.stats says
which windows may be shown)."""

import datetime
from typing import cast

from django import forms
from django.core.exceptions import ValidationError
from django.http import QueryDict
from django.utils.functional import cached_property
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from reports.models import Round

from .. import stats


class RoundChoice(forms.ModelChoiceField):
    def label_from_instance(self, obj: Round) -> str:
        return f"{obj.name} ({obj.window_start:%d/%m/%Y}–{obj.window_end:%d/%m/%Y})"


class WindowForm(forms.Form):
    """The period counted: an official reporting round's data window (the latest shown by
    default). Only these fixed windows, and only those that cannot be subtracted from an earlier
    shown one to single incidents out (stats.window_verdicts): free dates, or two windows a few
    days apart, would isolate an incident."""

    round = RoundChoice(
        label=gettext_lazy("Kỳ báo cáo"),
        queryset=Round.objects.none(),
        required=False,
        empty_label=gettext_lazy("(kỳ gần nhất được công bố)"),
        error_messages={
            "invalid_choice": gettext_lazy(
                "Lựa chọn không hợp lệ: chỉ thống kê theo kỳ báo cáo định kỳ (6 tháng, năm)."
            )
        },
    )

    refused: Round | None = None  # the round asked for, when its statistics may not be shown

    def __init__(self, data: QueryDict, *, agencies: list | None) -> None:
        super().__init__(data)
        self.agencies = agencies
        self._round.queryset = stats.official_rounds().order_by("-window_end", "-pk")

    @property
    def _round(self) -> RoundChoice:
        return cast(RoundChoice, self.fields["round"])

    @cached_property
    def verdicts(self) -> dict:
        return stats.window_verdicts(self._round.queryset, self.agencies)

    def clean(self) -> dict:
        cleaned = super().clean()
        assert cleaned is not None  # Form.clean returns cleaned_data
        chosen = cleaned.get("round")
        if chosen is None and "round" not in self.errors:
            rounds = self._round.queryset
            assert rounds is not None  # set in __init__
            chosen = next((r for r in rounds if self.verdicts[r.pk] is None), None)
            if chosen is None:
                raise ValidationError(_("Chưa có kỳ báo cáo định kỳ nào để thống kê."))
        if chosen is not None and self.verdicts.get(chosen.pk):
            self.refused = chosen
            raise ValidationError(stats.refusal(chosen, self.verdicts[chosen.pk]))
        cleaned["round"] = chosen
        return cleaned

    def window(self) -> tuple[datetime.date, datetime.date]:
        round_ = self.cleaned_data["round"]
        return round_.window_start, round_.window_end

    def query(self) -> str:
        """The same window for the download links (a round id: nothing personal in a URL)."""
        return f"round={self.cleaned_data['round'].pk}"

    def problems(self) -> str:
        return " ".join(str(m) for errors in self.errors.values() for m in errors)
