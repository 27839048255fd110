"""jinja2 templates (printed questionnaire, web form, report) and the one environment factory."""
