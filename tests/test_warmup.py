"""The background import of heavy libraries: started once per process, and it really imports them."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_warmup_imports_the_heavy_modules_once_in_a_fresh_process():
    code = (
        "import sys\n"
        "from ui import warmup\n"
        "assert not any(m in sys.modules for m in ('hdbscan', 'altair'))\n"
        "first = warmup.start_warmup(); second = warmup.start_warmup()\n"
        "first.join(120)\n"
        "assert first is second and not first.is_alive()\n"
        "assert all(m in sys.modules for m in warmup.MODULES), [m for m in warmup.MODULES if m not in sys.modules]\n"
        "assert warmup._first_chart()['mark']['type'] == 'bar'\n"
        "spots, labels = warmup.first_hotspots()\n"
        "assert len(spots) == 2 and (labels >= 0).sum() == 40\n"
        "print('ok')\n"
    )
    done = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout.strip().endswith("ok")
