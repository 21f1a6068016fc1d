"""The HCD forms of Circular 10/2024 generated from the registry: templates as data
(``registry.models.documents``), one context provider per form (``forms``), DOCX and PDF
(``render``), the default templates (``defaults``) and the periodic reports (``periodic``)."""
