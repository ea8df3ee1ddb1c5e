"""SOURCE_DATE_EPOCH: the one timestamp allowed into outputs."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

# 1980-01-01T00:00:00Z, the earliest time a ZIP (DOCX) entry can carry.
FIXED_EPOCH = 315532800


def source_date_epoch(root: Path) -> int:
    """The user's SOURCE_DATE_EPOCH, else the last commit's time, else a fixed value."""
    env = os.environ.get("SOURCE_DATE_EPOCH", "").strip()
    if env.isdigit():
        return max(int(env), FIXED_EPOCH)
    try:
        proc = subprocess.run(["git", "log", "-1", "--format=%ct"], cwd=root, capture_output=True,
                              text=True, timeout=10)
    except (OSError, subprocess.SubprocessError):
        return FIXED_EPOCH
    value = proc.stdout.strip()
    if proc.returncode == 0 and value.isdigit():
        return max(int(value), FIXED_EPOCH)
    return FIXED_EPOCH
