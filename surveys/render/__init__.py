"""Renderers of a questionnaire: printable PDF, web-form preview (HTML) and XLSForm."""
