from django import forms


class DateInput(forms.DateInput):
    """The browser's date picker; its value is ISO whatever the page's locale shows."""

    input_type = "date"

    def __init__(self, attrs=None):
        super().__init__(attrs, format="%Y-%m-%d")
