"""A real audit database for the web tests: one paper run over the sample data (orders, fills, denials, jobs,
equity marks), written once per session; and the app built on it."""

from __future__ import annotations

import hashlib
import shutil
from pathlib import Path

import pytest

from engine.config import load_config
from engine.core import Engine

REPO = Path(__file__).resolve().parents[2]
OPERATOR_TOKEN = "op-token-0123456789abcdef"
VIEWER_TOKEN = "view-token-0123456789abcdef"
TOKENS = {"QMT_WEB_OPERATOR_TOKEN": OPERATOR_TOKEN, "QMT_WEB_VIEWER_TOKEN": VIEWER_TOKEN}

CONFIG = f"""
mode: paper
account_id: T0001
logging: {{file: null}}
audit: {{path: audit.db}}
engine: {{control_path: control.db}}
paper: {{codes: ['600000.SH', '300750.SZ']}}
trading_day: {{report_files: false}}
plugins:
  load_entrypoints: false
  disabled: [console]
  files:
    - {{path: {REPO / 'plugins' / 'max_position_value.py'}, settings: {{limit: 150000}}}}
strategies:
  - {{name: ma_cross, module: engine.examples.ma_cross, class: MaCross, params: {{fast: 5, slow: 20, lots: 10}}}}
  - {{name: dip_buyer, path: {REPO / 'strategies' / 'dip_buyer.py'}, params: {{dip: 0.03, take: 0.02}}}}
"""


@pytest.fixture(scope="session")
def paper_run(tmp_path_factory) -> Path:
    """A folder with config.yaml, audit.db and control.db of one finished paper run (read-only from here on)."""
    folder = tmp_path_factory.mktemp("web-run")
    (folder / "config.yaml").write_text(CONFIG, encoding="utf-8")
    Engine(load_config(folder / "config.yaml", environ={}), load_entrypoints=False).run()
    return folder


@pytest.fixture
def run_copy(paper_run, tmp_path) -> Path:
    """A private copy of the paper run (tests that act write commands to its control file)."""
    for name in ("config.yaml", "audit.db", "control.db"):
        shutil.copy(paper_run / name, tmp_path / name)
    return tmp_path


def file_digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.fixture
def make_client(run_copy):
    """``make_client(environ={...})`` -> a TestClient on the app for the copied run, on the loopback host."""
    from fastapi.testclient import TestClient

    from engine.web.app import create_app

    clients = []

    def build(environ=None, **kwargs):
        config = load_config(run_copy / "config.yaml", environ={})
        client = TestClient(create_app(config, environ=TOKENS if environ is None else environ),
                            base_url="http://127.0.0.1", **kwargs)
        clients.append(client)
        return client

    yield build
    for client in clients:
        client.close()
