from django import forms

from tags.models import Tag


class TagMergeForm(forms.Form):
    """Which of the selected tags survives a merge."""

    survivor = forms.ModelChoiceField(
        queryset=Tag.objects.none(),
        widget=forms.RadioSelect,
        empty_label=None,
        label="Keep this tag",
        error_messages={"required": "Choose the tag to keep."},
    )

    def __init__(self, *args, tags, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["survivor"].queryset = tags
