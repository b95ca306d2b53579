import io
import json
from pathlib import Path

import pytest
from django.core.management import call_command

FIXTURES = Path(__file__).parent / "fixtures"
WXR = FIXTURES / "site-1.2.xml"
DISQUS = FIXTURES / "disqus.xml"


@pytest.fixture
def run_import(tmp_path):
    """Run an import command; returns the JSON report and what it printed."""

    def run(command: str, path: Path, *args: str) -> tuple[dict, str]:
        report, out = tmp_path / f"report-{command}.json", io.StringIO()
        call_command(command, str(path), "--report", str(report), *args, stdout=out, stderr=io.StringIO())
        return json.loads(report.read_text(encoding="utf-8")), out.getvalue()

    return run


@pytest.fixture
def variant(tmp_path):
    """A copy of a fixture with some text replaced (a newer export, a broken file)."""

    def make(path: Path, *replacements: tuple[str, str], name: str = "variant.xml") -> Path:
        text = path.read_text(encoding="utf-8")
        for old, new in replacements:
            assert old in text, old
            text = text.replace(old, new)
        target = tmp_path / name
        target.write_text(text, encoding="utf-8")
        return target

    return make


def differences(report: dict, section: str) -> dict[str, int]:
    return {d["reason"]: d["count"] for d in report["sections"][section]["differences"]}
