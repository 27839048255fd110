"""The ASGI app `loyalty serve` runs: respondents' pages, the two static files, and the admin view.

Security in one place: every response carries a CSP without inline script or style (`script-src 'self'`),
frame-ancestors 'none', nosniff, no referrer (a personal link never leaks to another site) and no caching of
pages; bodies over `max_body_bytes` are refused with a page saying so before they are read; any error is a
page without a traceback. The admin view answers only to HTTP Basic with the workspace's `admin_secret`;
a respondent's token or cookie opens nothing there.
"""

from __future__ import annotations

import base64
import binascii
import csv
import hmac
import io
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, func
from sqlmodel import Session, col, select
from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import UploadFile
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import HTMLResponse, RedirectResponse, Response
from starlette.routing import Route
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from surveys.collection.respondents import Outcome, Respondents, Visit, preferred_language
from templates import environment

STATIC = Path(__file__).resolve().parents[2] / "templates" / "questionnaire"
COOKIE = "loyalty_session"
MAX_BODY_BYTES = 1024 * 1024
SECURITY_HEADERS = [
    (
        b"content-security-policy",
        b"default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; form-action 'self'; "
        b"frame-ancestors 'none'; base-uri 'none'",
    ),
    (b"x-content-type-options", b"nosniff"),
    (b"x-frame-options", b"DENY"),
    (b"referrer-policy", b"no-referrer"),
    (b"permissions-policy", b"camera=(), microphone=(), geolocation=()"),
    (b"cross-origin-opener-policy", b"same-origin"),
]


@dataclass(frozen=True, slots=True)
class ServeSettings:
    """What `loyalty serve` reads from loyalty.toml's [serve] table."""

    base_url: str = "http://127.0.0.1:8000"
    admin_secret: str = ""  # empty: no admin view
    open_links: bool = False  # whether /o/SURVEY/WAVE accepts answers without a token
    open_link_limit_per_hour: int = 30  # starts (and submissions) per address per wave
    max_body_bytes: int = MAX_BODY_BYTES


class _BodyTooLargeError(Exception):
    pass


class BodyLimit:
    """Refuses a request body over `limit` bytes: by its Content-Length at once, or while it streams in."""

    def __init__(self, app: ASGIApp, limit: int) -> None:
        self.app = app
        self.limit = limit

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = dict(scope["headers"])
        length = headers.get(b"content-length", b"0")
        if not length.isdigit() or int(length) > self.limit:
            await _too_large(scope, send)
            return
        received = 0
        started = False

        async def limited_receive() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > self.limit:
                    raise _BodyTooLargeError
            return message

        async def watching_send(message: Message) -> None:
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, limited_receive, watching_send)
        except _BodyTooLargeError:
            if not started:
                await _too_large(scope, send)


async def _too_large(scope: Scope, send: Send) -> None:
    headers = dict(scope["headers"])
    language = preferred_language(headers.get(b"accept-language", b"").decode("latin-1"), ["zh-Hans", "zh-Hant", "en"])
    outcome = Respondents.message_page(413, language, "too_large")
    response = HTMLResponse(outcome.html, status_code=413, headers={"connection": "close"})
    await response({"type": "http", **scope}, _empty_receive, send)


async def _empty_receive() -> Message:
    return {"type": "http.disconnect"}


class SecurityHeaders:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                names = {name for name, _ in headers}
                headers.extend(header for header in SECURITY_HEADERS if header[0] not in names)
                if b"cache-control" not in names:
                    headers.append((b"cache-control", b"no-store"))
                message = {**message, "headers": headers}
            await send(message)

        await self.app(scope, receive, send_with_headers)


def create_app(engine: Engine, settings: ServeSettings | None = None) -> Starlette:
    """The app over the workspace database `engine` (its schema migrated beforehand by `loyalty init/migrate`)."""
    settings = settings or ServeSettings()
    respondents = Respondents(
        engine, open_links_enabled=settings.open_links, open_link_limit=settings.open_link_limit_per_hour
    )
    secure = settings.base_url.startswith("https://")
    static = {
        "web.css": ((STATIC / "web.css").read_bytes(), "text/css; charset=utf-8"),
        "show_if.js": ((STATIC / "show_if.js").read_bytes(), "text/javascript; charset=utf-8"),
    }

    async def visit(request: Request) -> Visit:
        posted: list[tuple[str, str]] = []
        if request.method == "POST":
            content_type = request.headers.get("content-type", "").split(";")[0].strip()
            if content_type != "application/x-www-form-urlencoded":
                raise HTTPException(400, "The survey form is sent as application/x-www-form-urlencoded.")
            form = await request.form(max_files=0, max_fields=2000)
            for name, value in form.multi_items():
                if isinstance(value, UploadFile):
                    raise HTTPException(400, "The survey takes no files.")
                posted.append((name, value))
        language = request.query_params.get("lang")
        return Visit(
            path=request.url.path,
            cookie=request.cookies.get(COOKIE),
            address=request.client.host if request.client else "",
            user_agent=request.headers.get("user-agent", "")[:500],
            accept_language=request.headers.get("accept-language", "")[:200],
            language=language,
            posted=posted,
        )

    def respond(outcome: Outcome) -> Response:
        response: Response
        if outcome.redirect is not None:
            response = RedirectResponse(outcome.redirect, status_code=303)
        else:
            response = HTMLResponse(outcome.html, status_code=outcome.status)
        if outcome.set_cookie is not None:
            response.set_cookie(COOKIE, outcome.set_cookie, httponly=True, samesite="lax", secure=secure, path="/")
        return response

    async def invitation(request: Request) -> Response:
        token = request.path_params["token"]
        current = await visit(request)
        return respond(await run_in_threadpool(respondents.invitation, token, current, request.method))

    async def open_link(request: Request) -> Response:
        current = await visit(request)
        survey, wave = request.path_params["survey"], request.path_params["wave"]
        return respond(await run_in_threadpool(respondents.open_link, survey, wave, current, request.method))

    async def static_file(request: Request) -> Response:
        name = request.path_params["name"]
        if name not in static:
            raise HTTPException(404)
        content, media_type = static[name]
        return Response(content, media_type=media_type, headers={"cache-control": "public, max-age=3600"})

    async def admin(request: Request) -> Response:
        _require_admin(request, settings.admin_secret)
        waves = await run_in_threadpool(_admin_waves, engine)
        html = (
            environment()
            .get_template("collection/admin.html.j2")
            .render(language="en", title="Survey responses", waves=waves)
        )
        return HTMLResponse(html)

    async def admin_export(request: Request) -> Response:
        _require_admin(request, settings.admin_secret)
        survey, wave = request.path_params["survey"], request.path_params["wave"]
        text = await run_in_threadpool(_export_csv, engine, survey, wave)
        if text is None:
            raise HTTPException(404)
        filename = f"{survey}-{wave}.csv"
        return Response(
            text.encode("utf-8-sig"),
            media_type="text/csv; charset=utf-8",
            headers={"content-disposition": f'attachment; filename="{filename}"'},
        )

    async def error_page(request: Request, exc: Exception) -> Response:
        status = exc.status_code if isinstance(exc, HTTPException) else 500
        language = preferred_language(request.headers.get("accept-language", ""), ["zh-Hans", "zh-Hant", "en"])
        key = {404: "not_found", 405: "bad_request", 400: "bad_request", 401: "not_found"}.get(status, "bad_request")
        detail = exc.detail if isinstance(exc, HTTPException) and status == 400 else ""
        outcome = Respondents.message_page(status, language, key, detail=detail)
        headers = dict(exc.headers or {}) if isinstance(exc, HTTPException) else {}
        return HTMLResponse(outcome.html, status_code=status, headers=headers)

    routes = [
        Route("/s/{token}", invitation, methods=["GET", "POST"]),
        Route("/o/{survey}/{wave}", open_link, methods=["GET", "POST"]),
        Route("/static/{name}", static_file, methods=["GET"]),
        Route("/admin", admin, methods=["GET"]),
        Route("/admin/export/{survey}/{wave}.csv", admin_export, methods=["GET"]),
    ]
    app = Starlette(
        routes=routes,
        exception_handlers={HTTPException: error_page, Exception: error_page},
    )
    app.add_middleware(BodyLimit, limit=settings.max_body_bytes)
    app.add_middleware(SecurityHeaders)
    return app


def _require_admin(request: Request, secret: str) -> None:
    """HTTP Basic with the admin secret as password; anything else is 401 (404 when no secret is set)."""
    if not secret:
        raise HTTPException(404)
    header = request.headers.get("authorization", "")
    scheme, _, encoded = header.partition(" ")
    password = ""
    if scheme.casefold() == "basic":
        try:
            password = base64.b64decode(encoded, validate=True).decode("utf-8").partition(":")[2]
        except (binascii.Error, UnicodeDecodeError):
            password = ""
    if not password or not hmac.compare_digest(password.encode(), secret.encode()):
        raise HTTPException(401, headers={"www-authenticate": 'Basic realm="loyalty admin", charset="UTF-8"'})


def _admin_waves(engine: Engine) -> list[dict[str, Any]]:
    from surveys.storage.tables import InvitationRecord, WaveRecord, WebSessionRecord
    from surveys.storage.waves import list_waves

    with Session(engine) as session:
        rows = []
        for summary in list_waves(session):
            wave = session.exec(
                select(WaveRecord).where(WaveRecord.survey_id == summary.survey, WaveRecord.label == summary.label)
            ).one()

            def count(query: Any) -> int:
                return int(session.exec(query).one())

            invitations = count(
                select(func.count()).select_from(InvitationRecord).where(InvitationRecord.wave_id == wave.id)
            )
            used = count(
                select(func.count())
                .select_from(InvitationRecord)
                .where(InvitationRecord.wave_id == wave.id, col(InvitationRecord.used_at).is_not(None))
            )
            in_progress = count(
                select(func.count()).select_from(WebSessionRecord).where(WebSessionRecord.wave_id == wave.id)
            )
            rows.append(
                {
                    **summary.as_dict(),
                    "invitations": invitations,
                    "used": used,
                    "in_progress": in_progress,
                    "export": f"/admin/export/{summary.survey}/{summary.label}.csv",
                }
            )
        return rows


_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def spreadsheet_safe(value: object) -> str:
    """A cell for a CSV opened in a spreadsheet: lists joined by ";", and text that a spreadsheet would run
    as a formula prefixed with an apostrophe.

    >>> spreadsheet_safe('=HYPERLINK("http://x")'), spreadsheet_safe([1, 3]), spreadsheet_safe(None)
    ('\\'=HYPERLINK("http://x")', '1;3', '')
    """
    if value is None:
        return ""
    if isinstance(value, list):
        return ";".join(str(part) for part in value)
    text = str(value)
    return "'" + text if text.startswith(_FORMULA_START) else text


def _export_csv(engine: Engine, survey: str, wave_label: str) -> str | None:
    from surveys.codebook import codebook
    from surveys.storage.survey_versions import stored_questionnaire
    from surveys.storage.tables import ResponseRecord
    from surveys.storage.waves import find_wave

    with Session(engine) as session:
        wave = find_wave(session, survey, wave_label)
        if wave is None:
            return None
        _, questionnaire = stored_questionnaire(session, survey)
        codes = [variable.code for variable in codebook(questionnaire)]
        output = io.StringIO()
        writer = csv.writer(output)
        writer.writerow(["response_id", "source", "open_link", "submitted_at", "duration_seconds", *codes])
        responses = session.exec(
            select(ResponseRecord).where(ResponseRecord.wave_id == wave.id).order_by(col(ResponseRecord.id))
        )
        for response in responses:
            writer.writerow(
                [
                    response.id,
                    response.source,
                    bool(response.details.get("open_link")),
                    response.submitted_at.isoformat() if response.submitted_at else "",
                    response.duration_seconds if response.duration_seconds is not None else "",
                    *(spreadsheet_safe(response.answers.get(code)) for code in codes),
                ]
            )
        return output.getvalue()
