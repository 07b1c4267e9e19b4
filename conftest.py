"""Test-session set-up shared by unit tests and nbval runs of notebooks/ and solutions/.

Every test, and every notebook kernel nbval starts, runs as if on a learner's laptop that *has*
real AWS keys: a decoy home with real-looking credentials and a profile. The sandbox must still
send every call to moto. Network access other than loopback is blocked by pytest-socket
(``--allow-hosts`` in pyproject.toml) in this process, and by the sandbox inside kernels.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

import matplotlib

matplotlib.use("Agg")

DECOY_KEY_ID = "AKIAIOSFODNN7EXAMPLE"
DECOY_SECRET = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"

collect_ignore_glob = ["tests/fixtures/*", "labs/*", "_site/*", ".venv/*"]


def _install_decoy_home() -> None:
    if os.environ.get("ECS_WORKBOOK_DECOY_HOME"):
        return
    home = Path(tempfile.mkdtemp(prefix="ecs-workbook-decoy-home-"))
    aws = home / ".aws"
    aws.mkdir()
    (aws / "credentials").write_text(
        f"[default]\naws_access_key_id = {DECOY_KEY_ID}\naws_secret_access_key = {DECOY_SECRET}\n"
        f"[prod]\naws_access_key_id = {DECOY_KEY_ID}\naws_secret_access_key = {DECOY_SECRET}\n"
    )
    (aws / "config").write_text(
        "[default]\nregion = eu-west-1\n[profile prod]\nregion = eu-west-1\n"
    )
    real_home = os.environ.get("HOME", "")
    os.environ.update(
        {
            "ECS_WORKBOOK_DECOY_HOME": str(home),
            "ECS_WORKBOOK_REAL_HOME": real_home,
            "HOME": str(home),
            "AWS_PROFILE": "prod",
            "AWS_ACCESS_KEY_ID": DECOY_KEY_ID,
            "AWS_SECRET_ACCESS_KEY": DECOY_SECRET,
            "AWS_DEFAULT_REGION": "eu-west-1",
            # Widgets cannot render under nbval: simulators fall back to static figures.
            "ECS_WORKBOOK_STATIC": "1",
        }
    )
    # Playwright and pip caches keep working from the real home.
    if real_home:
        os.environ.setdefault(
            "PLAYWRIGHT_BROWSERS_PATH", str(Path(real_home) / ".cache/ms-playwright")
        )


_install_decoy_home()


def pytest_collectstart(collector):
    """Warnings printed to stderr change between boto/moto releases; nbval ignores stderr."""
    if str(getattr(collector, "path", "")).endswith(".ipynb"):
        collector.skip_compare += ("stderr",)
