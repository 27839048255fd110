"""The served survey end to end through Starlette's TestClient, on SQLite and PostgreSQL: a respondent's
path (pages, show-if, resume, timings, language), and every hostile input the issue names."""

from __future__ import annotations

import base64
from typing import Any

from sqlmodel import Session, col, select
from starlette.testclient import TestClient

from surveys.collection.invitations import token_hash
from surveys.storage.tables import InvitationRecord, ResponseRecord, WebSessionRecord
from tests.surveys.collection.conftest import ADMIN_SECRET, Served, csrf_of, hidden_fields

PAGE_1 = {"recommend": "3", "problem": "1"}
PAGE_2 = {
    "problem_kinds": ["1", "3"],
    "problem_kinds_other": "包装破损",
    "problem_story": "送货晚了两天",
    "visits": "4",
}
PAGE_3 = {"priorities_rank_2": "1", "priorities_rank_1": "2", "priorities_rank_3": "", "comment": "谢谢"}


def post(client: TestClient, url: str, page: int, action: str, answers: dict[str, Any], **extra: Any) -> Any:
    """Post one page as the browser would, with the CSRF token of the page the client last got."""
    fields = hidden_fields(client.get(url).text)
    fields["csrf_token"] = extra.pop("csrf", None) or fields["csrf_token"]
    return client.post(url, data={**fields, "page": str(page), "action": action, **answers}, **extra)


def responses(served: Served) -> list[ResponseRecord]:
    with Session(served.engine) as session:
        return list(session.exec(select(ResponseRecord).order_by(col(ResponseRecord.id))).all())


def complete(client: TestClient, url: str) -> Any:
    assert post(client, url, 0, "next", PAGE_1).status_code == 200  # after the 303 to the next page
    assert post(client, url, 1, "next", PAGE_2).status_code == 200
    return post(client, url, 2, "submit", PAGE_3)


def test_a_complete_response_is_stored_once_with_its_timings(served: Served) -> None:
    [token] = served.invite()
    client = served.client()
    url = f"/s/{token}"
    finished = complete(client, url)
    assert finished.status_code == 200
    assert "感谢您的反馈！" in finished.text
    [stored] = responses(served)
    assert stored.source == "web"
    assert stored.answers == {
        "recommend": 3, "problem": 1, "problem_kinds": [1, 3], "problem_kinds_other": "包装破损",
        "problem_story": "送货晚了两天", "visits": 4, "priorities": [2, 1], "comment": "谢谢",
    }  # fmt: skip
    assert set(stored.details["page_seconds"]) == {"rating", "problems", "closing"}
    assert stored.duration_seconds is not None
    assert stored.duration_seconds >= 0
    assert stored.started_at is not None
    assert stored.submitted_at is not None
    assert stored.details["language"] == "zh-Hans"
    with Session(served.engine) as session:
        invitation = session.exec(select(InvitationRecord)).one()
        assert invitation.used_at is not None
        assert invitation.response_id == stored.id
        assert session.exec(select(WebSessionRecord)).all() == []  # nothing left in progress


def test_the_show_if_branch_is_skipped_and_recorded_as_not_shown(served: Served) -> None:
    [token] = served.invite()
    client = served.client()
    url = f"/s/{token}"
    post(client, url, 0, "next", {"recommend": "9", "problem": "2"})
    page = client.get(url).text
    assert 'id="item-problem_kinds"' in page
    assert "data-show-if" in page
    assert post(client, url, 1, "next", {"visits": "12"}).status_code == 200  # the hidden items are not required
    assert post(client, url, 2, "submit", {}).status_code == 200
    [stored] = responses(served)
    assert stored.answers == {"recommend": 9, "problem": 2, "visits": 12}
    assert stored.missing == {
        "low_reason": "not_shown",
        "problem_kinds": "not_shown",
        "problem_kinds_other": "not_shown",
        "problem_story": "not_shown",
    }


def test_changing_an_earlier_answer_drops_the_answers_it_made_moot(served: Served) -> None:
    [token] = served.invite()
    client = served.client()
    url = f"/s/{token}"
    post(client, url, 0, "next", PAGE_1)
    post(client, url, 1, "back", PAGE_2)
    post(client, url, 0, "next", {"recommend": "3", "problem": "2"})
    post(client, url, 1, "next", {"visits": "4"})
    assert post(client, url, 2, "submit", {}).status_code == 200
    assert "problem_story" not in responses(served)[0].answers


def test_a_respondent_resumes_by_the_same_link_on_another_device(served: Served) -> None:
    [token] = served.invite()
    url = f"/s/{token}"
    phone = served.client()
    post(phone, url, 0, "next", PAGE_1)
    laptop = served.client()  # no cookie of the phone: a new browser
    page = laptop.get(url).text
    assert 'name="page" value="1"' in page
    assert "&#34;recommend&#34;: 3" in page  # earlier answers reach the browser's show-if
    assert post(laptop, url, 1, "next", PAGE_2).status_code == 200
    back_on_phone = phone.get(url).text  # and back to the phone: the laptop's answers are there
    assert 'name="page" value="2"' in back_on_phone
    assert post(phone, url, 2, "back", {}).status_code == 200
    assert "送货晚了两天" in phone.get(url).text
    assert post(phone, url, 1, "next", PAGE_2).status_code == 200
    assert post(laptop, url, 2, "submit", PAGE_3).status_code == 200
    assert len(responses(served)) == 1


def test_the_language_switch_changes_the_page_and_is_kept(served: Served) -> None:
    [token] = served.invite()
    client = served.client()
    url = f"/s/{token}"
    assert 'lang="zh-Hans"' in client.get(url).text
    english = client.get(f"{url}?lang=en").text
    assert 'lang="en"' in english
    assert "How likely are you to recommend us" in english
    fields = {**hidden_fields(english), "action": "next", **PAGE_1}  # the English page's form, posted
    assert client.post(url, data=fields).status_code == 200
    assert "Page 2 of 3" in client.get(url).text  # the choice is kept with the response
    assert 'lang="en"' in client.get(f"{url}?lang=fr").text  # an unknown language changes nothing
    assert 'lang="zh-Hans"' in client.get(f"{url}?lang=zh-Hans").text


def test_a_required_question_left_out_comes_back_with_a_message_in_the_page_language(served: Served) -> None:
    [token] = served.invite()
    client = served.client()
    answered = post(client, f"/s/{token}", 0, "next", {"recommend": "5"})
    assert answered.status_code == 422
    assert "此题为必答题。" in answered.text
    assert 'aria-invalid="true"' in answered.text
    assert 'value="5" checked' in answered.text  # what was given is kept on the page
    assert responses(served) == []


# — hostile input —


def test_a_forged_token_finds_nothing(served: Served) -> None:
    served.invite()
    client = served.client()
    forged = "A" * 43
    for response in (client.get(f"/s/{forged}"), client.get("/s/short"), client.get("/s/' OR 1=1 --")):
        assert response.status_code == 404
        assert "链接无效" in response.text or "not valid" in response.text
    assert client.post(f"/s/{forged}", data={"recommend": "3"}).status_code == 404
    assert responses(served) == []


def test_a_used_token_cannot_answer_again(served: Served) -> None:
    [token] = served.invite()
    client = served.client()
    url = f"/s/{token}"
    complete(client, url)
    again = client.get(url)
    assert again.status_code == 410
    assert "已经提交过了" in again.text
    replay = client.post(url, data={"csrf_token": "0" * 64, "page": "2", "action": "submit", **PAGE_1})
    assert replay.status_code == 410
    assert len(responses(served)) == 1


def test_a_token_of_another_wave_cannot_answer_this_one(served: Served) -> None:
    [closed] = served.invite(wave="2025Q4")  # the wave ended last year: its links expired with it
    [current] = served.invite()
    client = served.client()
    expired = client.get(f"/s/{closed}")
    assert expired.status_code == 410
    assert "调查已结束" in expired.text
    # The current link's form cannot be posted with the other token, nor the other way round.
    csrf_current = csrf_of(client.get(f"/s/{current}").text)
    swapped = client.post(f"/s/{closed}", data={"csrf_token": csrf_current, "page": "0", "action": "next", **PAGE_1})
    assert swapped.status_code == 410
    [other] = served.invite()
    crossed = client.post(f"/s/{other}", data={"csrf_token": csrf_current, "page": "0", "action": "next", **PAGE_1})
    assert crossed.status_code == 403
    assert responses(served) == []


def test_a_script_tag_and_sql_in_free_text_are_stored_verbatim_and_shown_escaped(served: Served) -> None:
    [token] = served.invite()
    client = served.client()
    url = f"/s/{token}"
    script = '<script>alert("x")</script><img src=x onerror=alert(1)>'
    sql = "'); DROP TABLE response; --"
    post(client, url, 0, "next", PAGE_1)
    post(client, url, 1, "next", {**PAGE_2, "problem_story": script})
    back = post(client, url, 2, "back", {"comment": sql})
    assert "<script>alert" not in back.text
    assert "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;" in back.text  # the textarea shows it, escaped
    assert post(client, url, 1, "next", {**PAGE_2, "problem_story": script}).status_code == 200
    assert "&#39;); DROP TABLE response; --" in client.get(url).text
    assert post(client, url, 2, "submit", {"comment": sql}).status_code == 200
    [stored] = responses(served)
    assert stored.answers["problem_story"] == script
    assert stored.answers["comment"] == sql
    admin = client.get("/admin/export/web-pulse/2026Q3.csv", headers=_admin())
    assert script.replace('"', '""') in admin.text
    assert sql in admin.text  # starts with a quote, not a formula character: exported as given


def test_a_ten_megabyte_body_is_refused_with_a_page(served: Served) -> None:
    [token] = served.invite()
    client = served.client()
    url = f"/s/{token}"
    csrf = csrf_of(client.get(url).text)
    huge = client.post(
        url, data={"csrf_token": csrf, "page": "0", "action": "next", "recommend": "3", "x": "a" * 10_000_000}
    )
    assert huge.status_code == 413
    assert "1 MB" in huge.text
    assert "Traceback" not in huge.text
    streamed = client.post(
        url, content=(b"a" * 65536 for _ in range(160)), headers={"content-type": "application/x-www-form-urlencoded"}
    )  # no Content-Length: counted while it arrives
    assert streamed.status_code == 413
    assert responses(served) == []


def test_an_out_of_range_value_sent_by_hand_is_refused(served: Served) -> None:
    [token] = served.invite()
    client = served.client()
    url = f"/s/{token}"
    for bad in (
        {"recommend": "11", "problem": "1"},
        {"recommend": "-1", "problem": "1"},
        {"recommend": "3", "problem": "7"},
    ):
        refused = post(client, url, 0, "next", bad)
        assert refused.status_code == 422
        assert "这个回答无法识别" in refused.text
    post(client, url, 0, "next", PAGE_1)
    too_many = post(client, url, 1, "next", {**PAGE_2, "visits": "400"})
    assert too_many.status_code == 422
    assert "请填写 0 到 365 之间的数。" in too_many.text
    assert post(client, url, 1, "next", {**PAGE_2, "visits": "1e309"}).status_code == 422
    assert post(client, url, 1, "next", {**PAGE_2, "problem_kinds": ["1", "2", "3"]}).status_code == 422
    assert post(client, url, 1, "next", {**PAGE_2, "problem_kinds": ["1", "4"]}).status_code == 422
    with Session(served.engine) as session:
        progress = session.exec(select(WebSessionRecord)).one()
        assert "visits" not in progress.answers
    assert responses(served) == []


def test_a_missing_or_wrong_csrf_token_is_refused(served: Served) -> None:
    [token] = served.invite()
    client = served.client()
    url = f"/s/{token}"
    client.get(url)
    missing = client.post(url, data={"page": "0", "action": "next", **PAGE_1})
    assert missing.status_code == 403
    assert "页面已过期" in missing.text
    wrong = client.post(url, data={"csrf_token": "f" * 64, "page": "0", "action": "next", **PAGE_1})
    assert wrong.status_code == 403
    stranger = served.client()  # another browser replaying this browser's token, without its cookie
    replay = stranger.post(
        url, data={"csrf_token": csrf_of(client.get(url).text), "page": "0", "action": "next", **PAGE_1}
    )
    assert replay.status_code == 403
    with Session(served.engine) as session:
        assert session.exec(select(WebSessionRecord)).all() == []  # nothing was stored


def test_an_answer_to_a_hidden_question_posted_by_hand_is_refused(served: Served) -> None:
    [token] = served.invite()
    client = served.client()
    url = f"/s/{token}"
    post(client, url, 0, "next", {"recommend": "9", "problem": "2"})
    hidden = post(client, url, 1, "next", {"visits": "3", "problem_story": "injected"})
    assert hidden.status_code == 400
    assert "problem_story" in hidden.text
    assert "not asked" in hidden.text
    with Session(served.engine) as session:
        assert "problem_story" not in session.exec(select(WebSessionRecord)).one().answers


def test_unknown_fields_and_malformed_posts_get_a_clear_page_not_a_traceback(served: Served) -> None:
    [token] = served.invite()
    client = served.client()
    url = f"/s/{token}"
    cases: list[tuple[dict[str, Any], str]] = [
        ({**PAGE_1, "is_admin": "1"}, "is_admin"),
        ({**PAGE_1, "visits": "4"}, "visits"),  # a question of another page
        ({"recommend": ["3", "4"], "problem": "1"}, "recommend"),
    ]
    for answers, named in cases:
        refused = post(client, url, 0, "next", answers)
        assert refused.status_code == 400, answers
        assert named in refused.text
        assert "Traceback" not in refused.text
    fields = hidden_fields(client.get(url).text)
    json_body = client.post(url, json=fields, headers={})
    assert json_body.status_code == 400
    bad_page = client.post(url, data={**fields, "page": "zero", "action": "next"})
    assert bad_page.status_code == 400
    bad_action = client.post(url, data={**fields, "page": "0", "action": "delete"})
    assert bad_action.status_code == 400
    forged_start = client.post(url, data={**fields, "started": "1.en.0000", "action": "next", **PAGE_1})
    assert forged_start.status_code == 403
    assert client.get("/nowhere").status_code == 404
    assert client.delete(url).status_code == 405
    assert responses(served) == []


def test_every_page_carries_the_security_headers_and_no_inline_script(served: Served) -> None:
    [token] = served.invite()
    client = served.client()
    first = client.get(f"/s/{token}")
    assert "HttpOnly" in first.headers["set-cookie"]
    assert "SameSite=lax" in first.headers["set-cookie"]
    for response in (first, client.get("/s/nothing"), client.get("/static/web.css")):
        policy = response.headers["content-security-policy"]
        assert "script-src 'self'" in policy
        assert "frame-ancestors 'none'" in policy
        assert "unsafe-inline" not in policy
        assert response.headers["x-content-type-options"] == "nosniff"
        assert response.headers["x-frame-options"] == "DENY"
        assert response.headers["referrer-policy"] == "no-referrer"
    page = client.get(f"/s/{token}")
    assert "<script>" not in page.text
    assert "<style>" not in page.text
    assert " onsubmit=" not in page.text
    assert client.get("/static/show_if.js").headers["content-type"].startswith("text/javascript")


def test_tokens_are_stored_only_as_hashes(served: Served) -> None:
    [token] = served.invite()
    with Session(served.engine) as session:
        invitation = session.exec(select(InvitationRecord)).one()
    assert invitation.token_sha256 == token_hash(token)
    assert token not in invitation.token_sha256
    assert len(base64.urlsafe_b64decode(token + "=")) * 8 >= 128


# — admin —


def _admin(secret: str = ADMIN_SECRET) -> dict[str, str]:
    return {"authorization": "Basic " + base64.b64encode(f"admin:{secret}".encode()).decode()}


def test_the_admin_view_counts_responses_and_exports_them(served: Served) -> None:
    tokens = served.invite(count=2)
    client = served.client()
    complete(client, f"/s/{tokens[0]}")
    page = client.get("/admin", headers=_admin())
    assert page.status_code == 200
    row = page.text[page.text.index("<td>2026Q3</td>") :]
    assert '<td class="count">1</td><td class="count">2</td><td class="count">1</td>' in row
    export = client.get("/admin/export/web-pulse/2026Q3.csv", headers=_admin())
    assert export.status_code == 200
    assert export.headers["content-type"].startswith("text/csv")
    lines = export.content.decode("utf-8-sig").splitlines()
    assert lines[0].startswith(
        "response_id,source,open_link,submitted_at,duration_seconds,recommend,low_reason,problem"
    )
    assert len(lines) == 2
    assert ",web,False," in lines[1]


def test_the_admin_view_opens_only_with_the_admin_secret(served: Served) -> None:
    [token] = served.invite()
    client = served.client()
    client.get(f"/s/{token}")  # the client holds a respondent's cookie now
    for headers in (
        {},
        _admin("wrong secret, long enough"),
        _admin(token),
        {"authorization": f"Bearer {token}"},
        {"authorization": "Basic !!!not-base64"},
    ):
        for path in ("/admin", "/admin/export/web-pulse/2026Q3.csv"):
            denied = client.get(path, headers=headers)
            assert denied.status_code == 401, (path, headers)
            assert "web-pulse" not in denied.text
    assert client.get(f"/admin?token={token}").status_code == 401


# — open links —


def test_an_open_link_marks_its_responses_and_fingerprints_the_device(served: Served) -> None:
    url = "/o/web-pulse/2026Q3"
    for _ in range(2):
        client = served.client()
        complete(client, url)
    first, second = responses(served)
    assert first.details["open_link"] is True
    assert first.details["channel"] == "open link"
    assert first.platform_response_id is not None
    assert first.platform_response_id.startswith("open:")
    assert first.details["device_pseudonym"] == second.details["device_pseudonym"]  # same address and browser
    assert (first.details["device_earlier_responses"], second.details["device_earlier_responses"]) == (0, 1)
    assert "testclient" not in str(first.details)  # the address is pseudonymised, never stored


def test_an_open_link_limits_starts_per_address(served: Served) -> None:
    url = "/o/web-pulse/2026Q3"
    statuses = [served.client().get(url).status_code for _ in range(4)]  # the fixture allows 3 an hour
    assert statuses == [200, 200, 200, 429]
    assert "请稍后再试" in served.client().get(url).text


def test_open_links_are_off_unless_the_workspace_turns_them_on(served: Served) -> None:
    from dataclasses import replace

    from surveys.collection.app import create_app

    client = TestClient(create_app(served.engine, replace(served.settings, open_links=False)))
    assert client.get("/o/web-pulse/2026Q3").status_code == 404


def test_two_browsers_submitting_one_link_at_once_store_one_response(served: Served) -> None:
    from concurrent.futures import ThreadPoolExecutor

    [token] = served.invite()
    url = f"/s/{token}"
    first, second = served.client(), served.client()
    post(first, url, 0, "next", PAGE_1)
    post(first, url, 1, "next", PAGE_2)
    forms = []
    for client in (first, second):  # both browsers show the last page, each with its own CSRF token
        forms.append({**hidden_fields(client.get(url).text), "action": "submit", **PAGE_3})
    with ThreadPoolExecutor(max_workers=2) as pool:
        statuses = sorted(
            pool.map(lambda pair: pair[0].post(url, data=pair[1]).status_code, zip((first, second), forms, strict=True))
        )
    assert statuses == [200, 410]
    assert len(responses(served)) == 1


def test_a_link_to_a_wave_that_has_not_started_says_when_it_will_work(served: Served) -> None:
    from datetime import UTC, datetime, timedelta

    from surveys.storage.waves import add_wave

    with Session(served.engine) as session:
        later = datetime.now(UTC).date() + timedelta(days=5)
        add_wave(session, "web-pulse", "2026Q4", later, later + timedelta(days=30))
        session.commit()
    [token] = served.invite(wave="2026Q4")
    early = served.client().get(f"/s/{token}")
    assert early.status_code == 403
    assert "调查尚未开始" in early.text
