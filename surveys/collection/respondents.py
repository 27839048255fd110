"""What a respondent's request does, without the web framework: find the invitation or open link, load or
start the response in progress, read a posted page, store at submit. Each function runs in one database
transaction and returns an `Outcome` the app turns into a response.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Sequence
from contextlib import AbstractContextManager, nullcontext
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, Literal

from sqlalchemy import Engine
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm.exc import StaleDataError
from sqlmodel import Session, col, select

from surveys.collection import open_links
from surveys.collection.invitations import looks_like_token, token_hash, wave_is_open
from surveys.collection.messages import LANGUAGE_NAMES, MESSAGES
from surveys.collection.pages import MalformedPostError, SurveyPages
from surveys.collection.sessions import (
    csrf_matches,
    csrf_token,
    find_web_session,
    new_cookie,
    open_link_key,
    read_signed_start,
    record_page_time,
    signed_start,
    start_web_session,
    web_secret,
)
from surveys.collection.submissions import AlreadyUsedError, store_web_response
from surveys.importers.pseudonyms import Pseudonymiser
from surveys.questionnaire_file import parse_questionnaire
from surveys.storage.tables import InvitationRecord, SurveyVersionRecord, WaveRecord, WebSessionRecord
from surveys.storage.waves import find_wave
from templates import environment

Action = Literal["next", "back", "submit"]
_VERSION_CACHE_SECONDS = 10.0


@dataclass(frozen=True, slots=True)
class Visit:
    """What the app read from one request."""

    path: str  # the page's own URL path, the form's action
    cookie: str | None  # the browser's session cookie
    address: str
    user_agent: str
    accept_language: str
    language: str | None = None  # ?lang=
    posted: Sequence[tuple[str, str]] = ()


@dataclass
class Outcome:
    status: int
    html: str = ""
    redirect: str | None = None
    set_cookie: str | None = None


@dataclass
class _Target:
    """The response a visit is about: its wave and, for an invitation, the invitation."""

    wave: WaveRecord
    key_sha256: str
    invitation: InvitationRecord | None = None
    details: dict[str, Any] = field(default_factory=dict)


def preferred_language(accept_language: str, languages: Sequence[str]) -> str:
    """The survey language the browser asks for first (zh-TW, zh-HK → zh-Hant; other zh → zh-Hans).

    >>> preferred_language("zh-TW,zh;q=0.9,en;q=0.8", ["zh-Hans", "zh-Hant", "en"])
    'zh-Hant'
    """
    for part in accept_language.split(","):
        tag = part.split(";")[0].strip().casefold()
        if not tag:
            continue
        if tag.startswith("zh"):
            wanted = "zh-Hant" if any(x in tag for x in ("hant", "tw", "hk", "mo")) else "zh-Hans"
        elif tag.startswith("en"):
            wanted = "en"
        else:
            continue
        if wanted in languages:
            return wanted
    return languages[0]


class Respondents:
    """The respondent side of the app over one database; keeps each questionnaire version's pages."""

    def __init__(self, engine: Engine, *, open_links_enabled: bool = False, open_link_limit: int = 30) -> None:
        self.engine = engine
        self.open_links_enabled = open_links_enabled
        self.open_link_limit = open_link_limit
        self._pages: dict[int, SurveyPages] = {}
        self._versions: dict[str, tuple[int, float]] = {}  # survey → (newest version id, when looked up)
        self._lock = threading.Lock()
        # SQLite has one writer at a time and makes the others retry with growing sleeps (seconds under load);
        # queueing this process's requests on a lock instead keeps latency flat. PostgreSQL needs none.
        self._sqlite_writer: AbstractContextManager[object] = (
            threading.Lock() if engine.dialect.name == "sqlite" else nullcontext()
        )
        with Session(engine) as session:
            self.secret = web_secret(session)
            self.pseudonyms = Pseudonymiser.for_workspace(session)
            session.commit()

    def pages(self, session: Session, version_id: int) -> SurveyPages:
        pages = self._pages.get(version_id)
        if pages is None:
            record = session.get(SurveyVersionRecord, version_id)
            assert record is not None  # referenced by a foreign key
            questionnaire = parse_questionnaire(record.questionnaire_yaml, f"survey {record.survey_id}")
            pages = SurveyPages(questionnaire)
            with self._lock:
                self._pages[version_id] = pages
        return pages

    # — the two kinds of link —

    def invitation(self, token: str, visit: Visit, method: str) -> Outcome:
        if method == "GET":  # reads only (a first page is a draft), so it need not queue behind writers
            return self._invitation(token, visit, method)
        with self._sqlite_writer:
            return self._invitation(token, visit, method)

    def open_link(self, survey: str, wave_label: str, visit: Visit, method: str) -> Outcome:
        with self._sqlite_writer:
            return self._open_link(survey, wave_label, visit, method)

    def _invitation(self, token: str, visit: Visit, method: str) -> Outcome:
        language = preferred_language(visit.accept_language, ["zh-Hans", "zh-Hant", "en"])
        with Session(self.engine) as session:
            found = None
            if looks_like_token(token):  # the invitation, its wave and its response in progress: one query
                found = session.exec(
                    select(InvitationRecord, WaveRecord, WebSessionRecord)
                    .join(WaveRecord, col(WaveRecord.id) == col(InvitationRecord.wave_id))
                    .outerjoin(WebSessionRecord, col(WebSessionRecord.invitation_id) == col(InvitationRecord.id))
                    .where(InvitationRecord.token_sha256 == token_hash(token))
                ).first()
            if found is None:
                return self.message_page(404, language, "not_found")
            invitation, wave, in_progress = found
            if invitation.used_at is not None:
                return self.message_page(410, language, "used", kind="thanks")
            if not wave_is_open(wave):
                return self._closed(wave, language)
            target = _Target(wave, invitation.token_sha256, invitation, {"channel": "web invitation"})
            return self._respond(session, target, visit, method, in_progress)

    def _open_link(self, survey: str, wave_label: str, visit: Visit, method: str) -> Outcome:
        language = preferred_language(visit.accept_language, ["zh-Hans", "zh-Hant", "en"])
        if not self.open_links_enabled:
            return self.message_page(404, language, "not_found")
        with Session(self.engine) as session:
            wave = find_wave(session, survey, wave_label)
            if wave is None or wave.id is None:
                return self.message_page(404, language, "not_found")
            if not wave_is_open(wave):
                return self._closed(wave, language)
            new = visit.cookie is None
            cookie = visit.cookie or new_cookie()
            visit = _with_cookie(visit, cookie)
            fingerprint = open_links.device_fingerprint(
                self.pseudonyms, visit.address, visit.user_agent, visit.accept_language
            )
            details = {"channel": "open link", "open_link": True, "device_pseudonym": fingerprint}
            target = _Target(wave, open_link_key(cookie, wave.id), None, details)
            outcome = self._respond(session, target, visit, method, find_web_session(session, target.key_sha256))
            if new:
                outcome.set_cookie = cookie
            return outcome

    def _closed(self, wave: WaveRecord, language: str) -> Outcome:
        """The page of a wave that is not open: not started yet (403), or ended (410)."""
        if wave.starts_on is not None and datetime.now(UTC).date() < wave.starts_on:
            return self.message_page(403, language, "not_started", kind="notice")
        return self.message_page(410, language, "expired")

    # — one request on a response —

    def _respond(
        self, session: Session, target: _Target, visit: Visit, method: str, record: WebSessionRecord | None
    ) -> Outcome:
        set_cookie = None
        cookie = visit.cookie
        if cookie is None:
            cookie = set_cookie = new_cookie()
        if method == "GET":
            started = ""
            if record is None and target.invitation is None:
                address = open_links.address_pseudonym(self.pseudonyms, visit.address)
                assert target.wave.id is not None
                if not open_links.within_limit(session, target.wave.id, address, "start", self.open_link_limit):
                    session.commit()
                    language = preferred_language(visit.accept_language, ["zh-Hans", "zh-Hant", "en"])
                    return self.message_page(429, language, "rate_limited")
                record = self._start(session, target, visit)
            elif record is None:  # an invitation's first page: nothing is stored until the first post
                record = self._start(session, target, visit, store=False)
                started = signed_start(self.secret, target.key_sha256, record.started_at, record.language)
            pages = self.pages(session, record.survey_version_id)
            if visit.language in pages.languages and visit.language != record.language and not started:
                record.language = visit.language
                session.add(record)
            outcome = self._page(pages, record, visit, cookie, {}, None, 200, started)
            session.commit()
            outcome.set_cookie = set_cookie
            return outcome
        if not csrf_matches(self.secret, visit.cookie, target.key_sha256, _field(visit, "csrf_token")):
            language = record.language if record else preferred_language(visit.accept_language, ["zh-Hans", "en"])
            return self.message_page(403, language, "form_expired", link=(visit.path, "return"))
        if record is None and target.invitation is not None:
            signed = read_signed_start(self.secret, target.key_sha256, _field(visit, "started"))
            if signed is not None:
                started_at, language = signed
                record = self._start(
                    session, target, visit, store=False, started_at=started_at, chosen_language=language
                )  # stored below unless the response is submitted with this very post
        if record is None:
            language = preferred_language(visit.accept_language, ["zh-Hans", "zh-Hant", "en"])
            return self.message_page(403, language, "form_expired", link=(visit.path, "return"))
        return self._post(session, target, record, visit)

    def _start(
        self,
        session: Session,
        target: _Target,
        visit: Visit,
        *,
        store: bool = True,
        started_at: datetime | None = None,
        chosen_language: str | None = None,
    ) -> WebSessionRecord:
        """A new response in progress, stored, or (store False) a draft for an invitation's first page;
        `started_at` and `chosen_language` come from a draft's signed field."""
        version_id = self._latest_version(session, target.wave.survey_id)
        pages = self.pages(session, version_id)  # parsed once per version, not per respondent
        language: str = preferred_language(visit.accept_language, pages.languages)
        if chosen_language in pages.languages:
            language = str(chosen_language)
        elif visit.language in pages.languages:
            language = str(visit.language)
        assert target.wave.id is not None
        invitation_id = target.invitation.id if target.invitation else None
        return start_web_session(
            session if store else None,
            target.key_sha256,
            target.wave.id,
            version_id,
            language,
            invitation_id,
            target.details,
            started_at,
        )

    def _latest_version(self, session: Session, survey: str) -> int:
        """The id of the survey's newest published version, looked up at most every few seconds: a version
        published meanwhile reaches new respondents a moment later."""
        now = time.monotonic()
        cached = self._versions.get(survey)
        if cached is not None and now - cached[1] < _VERSION_CACHE_SECONDS:
            return cached[0]
        version_id = session.exec(
            select(SurveyVersionRecord.id)
            .where(SurveyVersionRecord.survey_id == survey)
            .order_by(col(SurveyVersionRecord.version).desc())
        ).first()
        assert version_id is not None  # a wave belongs to a published survey
        self._versions[survey] = (version_id, now)
        return version_id

    def _post(self, session: Session, target: _Target, record: WebSessionRecord, visit: Visit) -> Outcome:
        pages = self.pages(session, record.survey_version_id)
        language = record.language
        action = _field(visit, "action")
        page_text = _field(visit, "page")
        if action not in ("next", "back", "submit") or page_text is None or not page_text.isdigit():
            return self.message_page(400, language, "bad_request", detail="The form's page or button is missing.")
        page = int(page_text)
        if page != record.page:  # a stale tab or the browser's back button: show where the response is
            return Outcome(303, redirect=visit.path)
        last = page == pages.count - 1
        if (action == "submit") != last and not (action == "back" and page > 0):
            return self.message_page(400, language, "bad_request", detail="This button does not belong to this page.")
        if action == "back" and page == 0:
            return self.message_page(400, language, "bad_request", detail="This button does not belong to this page.")
        try:
            result = pages.read_page(page, visit.posted, record.answers, language, partial=action == "back")
        except MalformedPostError as refused:
            return self.message_page(400, language, "bad_request", detail=refused.what, link=(visit.path, "return"))
        now = datetime.now(UTC)
        record_page_time(record, pages.section_codes[page], now)
        if result.errors and action != "back":
            shown_answers = {**record.answers, **result.answers}
            record.updated_at = now
            record.page_shown_at = now
            session.add(record)
            outcome = self._page(pages, record, visit, visit.cookie or "", result.errors, shown_answers, 422)
            session.commit()
            return outcome
        record.answers = pages.merge(record.answers, page, result.answers)
        record.updated_at = record.page_shown_at = now
        if action == "back":
            record.page = page - 1
        elif action == "next":
            record.page = page + 1
        else:
            problems = pages.final_problems(record.answers)
            if problems:
                record.page = min(problems)
                session.add(record)
                outcome = self._page(pages, record, visit, visit.cookie or "", problems[record.page], None, 422)
                session.commit()
                return outcome
            return self._submit(session, target, record, pages, visit)
        session.add(record)
        session.commit()
        return Outcome(303, redirect=visit.path)

    def _submit(
        self, session: Session, target: _Target, record: WebSessionRecord, pages: SurveyPages, visit: Visit
    ) -> Outcome:
        language = record.language
        details = {**record.details, "language": language}
        if target.invitation is None:
            assert target.wave.id is not None
            address = open_links.address_pseudonym(self.pseudonyms, visit.address)
            if not open_links.within_limit(session, target.wave.id, address, "submit", self.open_link_limit):
                session.commit()
                return self.message_page(429, language, "rate_limited")
            fingerprint = str(details.get("device_pseudonym", ""))
            details["device_earlier_responses"] = open_links.earlier_from_device(session, target.wave.id, fingerprint)
            open_links.record_device(session, target.wave.id, fingerprint)
        missing = {
            variable.code: "not_shown"
            for code in pages.conditions
            if code not in pages.shown_items(record.answers)
            for variable in pages.item_variables[code]
        }
        try:
            store_web_response(session, record, dict(record.answers), details, missing)
            session.commit()
        except (AlreadyUsedError, IntegrityError, StaleDataError):  # another submission of this link won
            session.rollback()
            return self.message_page(410, language, "used", kind="thanks")
        view = pages.views[language]
        return self._render_message(
            200, language, view.title, MESSAGES[language]["thanks_title"], view.thanks, "thanks"
        )

    # — rendering —

    def _page(
        self,
        pages: SurveyPages,
        record: WebSessionRecord,
        visit: Visit,
        cookie: str,
        errors: dict[str, str],
        answers: dict[str, Any] | None,
        status: int,
        started: str = "",
    ) -> Outcome:
        answers = record.answers if answers is None else answers
        view = pages.views[record.language]
        page = record.page
        variables = pages.page_variables[page]
        languages = [(code, LANGUAGE_NAMES.get(code, code), f"{visit.path}?lang={code}") for code in pages.languages]
        html = (
            environment()
            .get_template("collection/page.html.j2")
            .render(
                language=record.language,
                title=view.title,
                view=view,
                section=view.sections[page],
                page=page,
                pages=pages.count,
                words=MESSAGES[record.language],
                languages=languages,
                action=visit.path,
                csrf_token=csrf_token(self.secret, cookie, record.key_sha256),
                started=started,
                answers={code: value for code, value in answers.items() if code in variables},
                earlier={code: value for code, value in answers.items() if code not in variables},
                shown=pages.shown_items(answers),
                errors=errors,
            )
        )
        return Outcome(status, html)

    @staticmethod
    def message_page(
        status: int,
        language: str,
        key: str,
        *,
        kind: str = "notice",
        detail: str = "",
        link: tuple[str, str] | None = None,
    ) -> Outcome:
        words = MESSAGES.get(language, MESSAGES["en"])
        kind = "problem" if status in (400, 413, 422) or key == "form_expired" else kind
        shown_link = (link[0], words[link[1]]) if link else None
        title = words[f"{key}_title"]
        return Respondents._render_message(status, language, title, title, words[key], kind, detail, shown_link)

    @staticmethod
    def _render_message(
        status: int,
        language: str,
        title: str,
        heading: str,
        message: str,
        kind: str,
        detail: str = "",
        link: tuple[str, str] | None = None,
        survey_title: str = "",
    ) -> Outcome:
        template = environment().get_template("collection/message.html.j2")
        html = template.render(
            language=language,
            title=title,
            heading=heading,
            message=message,
            detail=detail,
            link=link,
            kind=kind,
            survey_title=survey_title,
        )
        return Outcome(status, html)


def _field(visit: Visit, name: str) -> str | None:
    values = [value for key, value in visit.posted if key == name]
    return values[0] if len(values) == 1 else None


def _with_cookie(visit: Visit, cookie: str) -> Visit:
    return Visit(
        visit.path, cookie, visit.address, visit.user_agent, visit.accept_language, visit.language, visit.posted
    )
