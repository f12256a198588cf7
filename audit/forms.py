from typing import Any, cast

from django import forms
from django.http import QueryDict
from django.utils.translation import gettext as _


class VersionedFormMixin(forms.Form):
    """Carries the version the user started from, so a later save can detect a newer one."""

    expected_version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, version=None, **kwargs):
        super().__init__(*args, **kwargs)
        instance = getattr(self, "instance", None)  # a ModelForm starts from its record
        if version is None and instance is not None and instance.pk:
            version = instance.version
        if version is not None:
            self.fields["expected_version"].initial = version

    def mark_conflict(self, current, summary: str):
        """Keep what the user typed, say what is now saved, and accept the next save."""
        self.add_error(
            None,
            _(
                "Trong lúc bạn nhập, người khác đã lưu thay đổi (hiện tại: %(summary)s). "
                "Nội dung bạn nhập vẫn còn nguyên bên dưới: xem lại rồi bấm Lưu lần nữa."
            )
            % {"summary": summary},
        )
        # Bound data is a QueryDict (a plain dict when built in code): copy it to change a value.
        data = cast("QueryDict | dict[str, Any]", self.data).copy()
        data["expected_version"] = current.version
        self.data = data
        return current
