"""The browser the page and report tests rely on really runs here: Debian's Chromium, headless, offline."""

from __future__ import annotations


def test_headless_chromium_renders_an_offline_page_and_reports_console_errors(browser, tmp_path):
    page_file = tmp_path / "page.html"
    page_file.write_text(
        "<!doctype html><html><body><svg width='120' height='40'><rect width='120' height='40' fill='teal'/></svg>"
        "<script>console.error('from the page'); fetch('https://example.com/').catch(() => "
        "document.body.dataset.offline = 'yes');</script></body></html>", encoding="utf-8")
    page = browser.open(page_file.as_uri(), offline=True)
    page.wait_for_selector("body[data-offline='yes']")  # the network is off for the page
    box = page.locator("rect").bounding_box()
    assert box and box["width"] == 120 and box["height"] == 40
    assert browser.console_errors(page)[0] == "from the page"
    shot = browser.screenshot(page, "browser-self-test")
    assert shot.stat().st_size > 0
