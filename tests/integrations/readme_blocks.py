"""The README's python blocks of one section, to run the snippets as written."""

from __future__ import annotations

import re
from pathlib import Path

README = Path(__file__).resolve().parents[2] / "README.md"


def readme_block(section: str, marker: str) -> str:
    """The python block of README section ``section`` (a ``## `` title) containing ``marker``."""
    text = README.read_text()
    start = text.index(f"\n## {section}\n")
    end = text.find("\n## ", start + 1)
    blocks = re.findall(r"```python\n(.*?)```", text[start : end if end > 0 else None], re.S)
    hits = [b for b in blocks if marker in b]
    assert len(hits) == 1, f"README section {section!r}: {len(hits)} python blocks with {marker!r}"
    return hits[0]
