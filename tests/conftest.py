"""Test set-up shared by the whole suite."""

from __future__ import annotations

import os
import shutil

import pytest


def pytest_configure(config):
    from django.conf import settings

    # Slow password hashing is for production; tests use a fast one (argon2 is asserted separately).
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def chromium_path() -> str | None:
    for candidate in (os.environ.get("CONFIDE_CHROMIUM"), shutil.which("chromium"), "/usr/bin/chromium"):
        if candidate and os.path.exists(candidate):
            return candidate
    return None


def pytest_collection_modifyitems(config, items):
    if chromium_path():
        return
    if os.environ.get("CONFIDE_REQUIRE_BROWSER") == "1":
        raise pytest.UsageError("CONFIDE_REQUIRE_BROWSER=1 but no Chromium was found: apt-get install chromium")
    skip = pytest.mark.skip(reason="no Chromium installed: browser tests skipped (apt-get install chromium to run them)")
    for item in items:
        if "browser" in item.keywords:
            item.add_marker(skip)


def pytest_terminal_summary(terminalreporter, exitstatus, config):
    if not chromium_path():
        terminalreporter.write_line(
            "NOTE: Chromium is not installed, so the browser and accessibility tests were skipped. "
            "Install it with 'apt-get install chromium' to run them.", yellow=True)


@pytest.fixture(scope="session")
def made_demo(tmp_path_factory):
    """`confide demo --no-serve --clients 12` run once for the whole run, in its own process on a var
    directory of its own: (that var directory, what the command printed). Never change it: the modules
    that use it each take a copy of their own (`copy_of_made_demo`)."""
    from tests.base import confide

    var = tmp_path_factory.mktemp("made-demo") / "var"
    made = confide(["demo", "--no-serve", "--clients", "12"], var)
    assert made.returncode == 0, made.stderr
    return var, made.stdout


def copy_of_made_demo(made_demo, tmp_path_factory, name: str):
    """A var directory of one's own holding the demo `made_demo` made (its database, key store and keys)."""
    var = tmp_path_factory.mktemp(name) / "var"
    shutil.copytree(made_demo[0], var)
    return var
