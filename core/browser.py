"""Debian's Chromium driven by Playwright: shared by the browser tests and bench/pages.py.

Never downloads a browser: it launches /usr/bin/chromium (override with CHROMIUM).
"""

import os

CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-quic",
]


def launch(playwright):
    return playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS)
