"""The package is ready for PyPI: ``python -m build`` makes an sdist and a wheel that ``twine check`` passes, the
wheel carries every data file the package reads (contract, migrations, templates, static files, the /docs page)
and its metadata says what PyPI shows. One build for the module: it takes several seconds."""

from __future__ import annotations

import email
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def dist(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("dist")
    proc = subprocess.run([sys.executable, "-m", "build", "--outdir", str(out), str(ROOT)], capture_output=True,
                          text=True, timeout=600)
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    return out


def test_twine_check_passes_the_sdist_and_the_wheel(dist):
    built = sorted(p.name for p in dist.iterdir())
    assert sorted(n.rsplit(".", 1)[-1] for n in built) == ["gz", "whl"], built
    proc = subprocess.run([sys.executable, "-m", "twine", "check", "--strict", *map(str, dist.iterdir())],
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert proc.stdout.count("PASSED") == 2, proc.stdout


def test_the_wheel_carries_every_file_of_the_package(dist):
    tracked = subprocess.run(["git", "ls-files", "shenpi"], cwd=ROOT, capture_output=True, text=True,
                             check=True).stdout.split()
    assert tracked, "git ls-files found nothing: run from a checkout"
    wheel = next(dist.glob("*.whl"))
    names = set(zipfile.ZipFile(wheel).namelist())
    missing = [f for f in tracked if f not in names]
    assert not missing, f"files of the package missing from {wheel.name}: {missing}"
    for data in ("shenpi/api/openapi.html", "shenpi/py.typed", "shenpi/contract/endpoints/approval.v4.task.reject.json",
                 "shenpi/store/migrations/sqlite/0001_init.sql", "shenpi/store/migrations/postgres/0001_init.sql"):
        assert data in names, data
    assert any(n.startswith("shenpi/web/templates/") for n in names)
    assert any(n.startswith("shenpi/web/static/") for n in names)


def test_the_metadata_says_what_pypi_shows(dist):
    wheel = zipfile.ZipFile(next(dist.glob("*.whl")))
    meta_name = next(n for n in wheel.namelist() if n.endswith(".dist-info/METADATA"))
    meta = email.message_from_bytes(wheel.read(meta_name))
    assert meta["Name"] == "shenpi" and meta["Requires-Python"] == ">=3.11"
    assert meta["License-Expression"] == "Apache-2.0"
    assert meta["Description-Content-Type"] == "text/markdown"
    assert "A self-hosted approval engine" in str(meta.get_payload())
    assert "Framework :: Pytest" in meta.get_all("Classifier", [])
    entry_points = wheel.read(meta_name.replace("METADATA", "entry_points.txt")).decode()
    assert "shenpi = shenpi.cli:main" in entry_points and "shenpi = shenpi.testing.plugin" in entry_points
    assert any(n.endswith(".dist-info/licenses/LICENSE") for n in wheel.namelist())
