"""What every staff form shares: the date widget and the renderer that draws each form with
GOV.UK Frontend's markup (templates/forms/)."""

from __future__ import annotations

from django import forms
from django.forms.renderers import TemplatesSetting

# A native date picker: a phone shows the date in its own locale (dd/mm/yyyy in Vietnamese).
DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class GovukRenderer(TemplatesSetting):
    """Forms and fields drawn by templates/forms/form.html and field.html: label, hint, the error
    message beside the field and the GOV.UK classes on each widget."""

    form_template_name = "forms/form.html"
    field_template_name = "forms/field.html"
