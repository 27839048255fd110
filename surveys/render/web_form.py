"""The web form as HTML: a standalone preview now, and the page `loyalty serve` sends respondents."""

from __future__ import annotations

from surveys.questionnaire import Language, Questionnaire
from surveys.render.questionnaire_view import questionnaire_view
from templates import environment


def web_form_html(
    questionnaire: Questionnaire,
    language: Language,
    *,
    preview: bool = True,
    action: str = "",
    hidden_fields: dict[str, str] | None = None,
) -> str:
    """The questionnaire as one self-contained HTML page (inline CSS and script, no external requests)."""
    template = environment().get_template("questionnaire/web.html.j2")
    return template.render(
        view=questionnaire_view(questionnaire, language),
        preview=preview,
        action=action,
        hidden_fields=hidden_fields or {},
    )
