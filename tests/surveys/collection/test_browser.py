"""The served survey in a real browser: Debian's Chromium driven by Playwright against uvicorn on loopback.

Never downloads a browser: Playwright starts /usr/bin/chromium (installed by .ci/setup) headless, with
background networking off and a fresh profile. Screenshots of every page type go to $LOYALTY_SCREENSHOTS
when it is set (they are looked at by a person, not compared), else to the test's temporary folder.
"""

from __future__ import annotations

import os
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import uvicorn
from playwright.sync_api import Browser, Page, ViewportSize, expect, sync_playwright
from sqlmodel import Session, select

from surveys.collection.app import create_app
from surveys.storage.tables import ResponseRecord
from tests.surveys.collection.conftest import ADMIN_SECRET, Served

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
PHONE: ViewportSize = {"width": 390, "height": 844}  # a common phone, in CSS pixels


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    """Chromium with a fresh profile (Playwright's `launch` makes a new temporary user-data dir each time)."""
    if not CHROMIUM.exists():  # fail loudly, never skip: .ci/setup installs it
        pytest.fail(f"{CHROMIUM} is missing; run .ci/setup")
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True)
        yield launched
        launched.close()


@pytest.fixture
def server(served: Served) -> Iterator[str]:
    """The app on a free loopback port, in a thread; its base URL."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    config = uvicorn.Config(
        create_app(served.engine, served.settings), host="127.0.0.1", port=port, log_level="warning"
    )
    running = uvicorn.Server(config)
    thread = threading.Thread(target=running.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not running.started:
        assert time.monotonic() < deadline, "uvicorn did not start"
        time.sleep(0.02)
    yield f"http://127.0.0.1:{port}"
    running.should_exit = True
    thread.join(timeout=10)


@pytest.fixture
def screenshots(tmp_path: Path) -> Path:
    folder = Path(os.environ.get("LOYALTY_SCREENSHOTS", tmp_path))
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def phone_page(browser: Browser, language: str = "zh-CN") -> Page:
    context = browser.new_context(
        viewport=PHONE, device_scale_factor=2, is_mobile=True, has_touch=True, locale=language
    )
    return context.new_page()


def shoot(page: Page, folder: Path, name: str, engine: str) -> None:
    if engine == "sqlite":  # one set is enough to look at
        page.screenshot(path=str(folder / f"{name}.png"), full_page=True)


def stored(served: Served) -> list[ResponseRecord]:
    with Session(served.engine) as session:
        return list(session.exec(select(ResponseRecord)).all())


def engine_name(served: Served) -> str:
    return served.engine.dialect.name


def test_a_customer_completes_the_survey_on_a_phone_in_simplified_chinese(
    browser: Browser, server: str, served: Served, screenshots: Path
) -> None:
    [token] = served.invite()
    engine = engine_name(served)
    page = phone_page(browser)
    page.goto(f"{server}/s/{token}")
    expect(page.locator("html")).to_have_attribute("lang", "zh-Hans")
    expect(page.get_by_role("heading", level=1)).to_have_text("客户体验调查")
    low_reason = page.locator("#item-low_reason")
    expect(low_reason).to_be_hidden()
    shoot(page, screenshots, "1-first-page", engine)
    page.locator('input[name="recommend"][value="4"]').check()
    expect(low_reason).to_be_visible()  # the show-if branch opens in the page
    page.get_by_label("我们哪里做得不够好？").fill("<b>客服</b> 回复太慢")
    page.get_by_label("是", exact=True).check()
    shoot(page, screenshots, "2-first-page-answered", engine)
    page.get_by_role("button", name="下一页").click()

    expect(page.get_by_text("第 2 页，共 3 页")).to_be_visible()
    expect(page.locator("#item-problem_kinds")).to_be_visible()  # asked because of page 1's answer
    page.get_by_role("button", name="下一页").click()  # nothing answered: the page comes back with messages
    expect(page.locator(".error-summary")).to_be_visible()
    expect(page.locator("#error-visits")).to_have_text("此题为必答题。")
    shoot(page, screenshots, "3-page-with-errors", engine)
    page.get_by_label("配送").check()
    page.get_by_label("其他", exact=True).check()
    page.get_by_label("其他: 请注明").fill("包装破损")
    page.get_by_label("说不清").check()  # exclusive: clears the others
    expect(page.get_by_label("配送")).not_to_be_checked()
    page.get_by_label("配送").check()
    page.get_by_label("过去一年您购买了几次？").fill("6")
    shoot(page, screenshots, "4-second-page", engine)
    page.get_by_role("button", name="下一页").click()

    expect(page.get_by_text("第 3 页，共 3 页")).to_be_visible()
    page.get_by_label("质量").select_option("1")
    page.get_by_label("价格").select_option("2")
    page.get_by_label("还有什么想告诉我们的吗？").fill("<script>alert(1)</script> 谢谢")
    shoot(page, screenshots, "5-last-page", engine)
    page.get_by_role("button", name="提交").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("提交成功")
    expect(page.get_by_text("感谢您的反馈！")).to_be_visible()
    shoot(page, screenshots, "6-thanks", engine)

    [response] = stored(served)
    assert response.answers == {
        "recommend": 4, "low_reason": "<b>客服</b> 回复太慢", "problem": 1, "problem_kinds": [2],
        "visits": 6, "priorities": [2, 1], "comment": "<script>alert(1)</script> 谢谢",
    }  # fmt: skip
    assert response.details["language"] == "zh-Hans"
    assert set(response.details["page_seconds"]) == {"rating", "problems", "closing"}
    page.context.close()


def test_a_half_finished_survey_resumes_by_the_same_link(
    browser: Browser, server: str, served: Served, screenshots: Path
) -> None:
    [token] = served.invite()
    page = phone_page(browser)
    page.goto(f"{server}/s/{token}")
    page.locator('input[name="recommend"][value="9"]').check()
    page.get_by_label("否", exact=True).check()
    page.get_by_role("button", name="下一页").click()
    expect(page.get_by_text("第 2 页，共 3 页")).to_be_visible()
    expect(page.locator("#item-problem_kinds")).to_be_hidden()  # not asked: no problem on page 1
    page.context.close()  # the phone is put away

    later = phone_page(browser)  # a fresh browser: nothing but the link
    later.goto(f"{server}/s/{token}")
    expect(later.get_by_text("第 2 页，共 3 页")).to_be_visible()
    shoot(later, screenshots, "7-resumed", engine_name(served))
    later.get_by_role("button", name="上一页").click()
    expect(later.locator('input[name="recommend"][value="9"]')).to_be_checked()
    expect(later.get_by_label("否", exact=True)).to_be_checked()
    later.get_by_role("link", name="English").click()
    expect(later.get_by_role("button", name="Next")).to_be_visible()
    shoot(later, screenshots, "8-english", engine_name(served))
    later.get_by_role("button", name="Next").click()
    later.get_by_label("How many times did you buy in the past year?").fill("2")
    later.get_by_role("button", name="Next").click()
    later.get_by_role("button", name="Submit").click()
    expect(later.get_by_role("heading", level=1)).to_have_text("Thank you")
    [response] = stored(served)
    assert response.answers == {"recommend": 9, "problem": 2, "visits": 2}
    later.context.close()


def test_a_used_or_expired_link_says_so_kindly(
    browser: Browser, server: str, served: Served, screenshots: Path
) -> None:
    [used] = served.invite()
    [expired] = served.invite(wave="2025Q4")
    engine = engine_name(served)
    page = phone_page(browser)
    page.goto(f"{server}/s/{used}")
    page.locator('input[name="recommend"][value="10"]').check()
    page.get_by_label("否", exact=True).check()
    page.get_by_role("button", name="下一页").click()
    page.get_by_label("过去一年您购买了几次？").fill("1")
    page.get_by_role("button", name="下一页").click()
    page.get_by_role("button", name="提交").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("提交成功")

    page.goto(f"{server}/s/{used}")
    expect(page.get_by_role("heading", level=1)).to_have_text("此链接已使用")
    shoot(page, screenshots, "9-used-link", engine)
    page.goto(f"{server}/s/{expired}")
    expect(page.get_by_role("heading", level=1)).to_have_text("调查已结束")
    shoot(page, screenshots, "10-expired-link", engine)
    page.goto(f"{server}/s/{'x' * 43}")
    expect(page.get_by_role("heading", level=1)).to_have_text("链接无效")
    shoot(page, screenshots, "11-invalid-link", engine)
    assert len(stored(served)) == 1
    page.context.close()


def test_the_admin_view_in_a_browser(browser: Browser, server: str, served: Served, screenshots: Path) -> None:
    served.invite(count=3)
    context = browser.new_context(http_credentials={"username": "admin", "password": ADMIN_SECRET})
    page = context.new_page()
    page.goto(f"{server}/admin")
    expect(page.get_by_role("heading", level=1)).to_have_text("Survey responses")
    expect(page.get_by_role("cell", name="2026Q3")).to_be_visible()
    shoot(page, screenshots, "12-admin", engine_name(served))
    context.close()
