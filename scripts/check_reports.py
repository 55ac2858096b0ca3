"""Load HTML reports in a real headless Chromium and fail on console errors or network requests.

The reports must be self-contained (a data card is often mailed around or opened offline), so any
request that is not the file itself or a data: URI is a defect, and so is any console error.

    python scripts/check_reports.py clean/report.html evals/support-v1/report.html --shots docs/

Uses Debian's `chromium` (apt-get install chromium) driven by Playwright; no browser is downloaded.
"""
from __future__ import annotations

import argparse
import shutil
import sys
from pathlib import Path

CHROMIUM_FLAGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                  "--disable-background-networking", "--disable-component-update", "--disable-sync"]


def find_chromium() -> str | None:
    return shutil.which("chromium") or shutil.which("chromium-browser")


def check_reports(paths: list[Path], shots_dir: Path | None = None) -> dict[str, list[str]]:
    """Return {report path: [problems]}; an empty list means the page is clean."""
    from playwright.sync_api import sync_playwright

    executable = find_chromium()
    if executable is None:
        raise RuntimeError("chromium not found: apt-get install chromium")
    problems: dict[str, list[str]] = {}
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=executable, headless=True, args=CHROMIUM_FLAGS)
        for path in paths:
            problems[str(path)] = _check_one(browser, Path(path).resolve(), shots_dir)
        browser.close()
    return problems


def _check_one(browser, path: Path, shots_dir: Path | None) -> list[str]:
    found: list[str] = []
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    page.on("console", lambda msg: msg.type == "error" and found.append(f"console error: {msg.text}"))
    page.on("pageerror", lambda exc: found.append(f"page error: {exc}"))
    own_url = path.as_uri()

    def on_request(request):
        if request.url != own_url and not request.url.startswith("data:"):
            found.append(f"network request: {request.url}")

    page.on("request", on_request)
    page.goto(own_url, wait_until="load")
    page.wait_for_timeout(300)
    if not page.inner_text("body").strip():
        found.append("the page body is empty")
    if shots_dir is not None:
        shots_dir.mkdir(parents=True, exist_ok=True)
        name = f"{path.parent.name}-{path.stem}.png"
        page.screenshot(path=str(shots_dir / name), full_page=True)
    page.close()
    return found


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    parser.add_argument("reports", nargs="+", type=Path)
    parser.add_argument("--shots", type=Path, default=None, help="folder for full-page screenshots")
    args = parser.parse_args()
    missing = [str(p) for p in args.reports if not p.exists()]
    if missing:
        print(f"error: no such report: {', '.join(missing)} (run `make demo` first)", file=sys.stderr)
        return 2
    failed = False
    for report, issues in check_reports(args.reports, args.shots).items():
        print(f"{'FAIL' if issues else 'ok  '} {report}")
        for issue in issues:
            print(f"     {issue}")
        failed |= bool(issues)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
