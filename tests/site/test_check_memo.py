"""``curriculum check`` loads the content through the memo: after one edit, only that file is read again."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from curriculum import _memo
from curriculum.content import _yaml
from curriculum.site import check_site


def test_a_check_after_one_edit_parses_only_the_edited_file(
    project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _, first = check_site(project, execute=False)
    _memo._stores.clear()  # a new process: what it needs comes from the memo's files
    quiz = project / "quizzes" / "intro.yml"
    text = quiz.read_text(encoding="utf-8")
    quiz.write_text(text.replace("Introduction quiz", "Introduction quiz, revised"), encoding="utf-8")
    parsed: list[str] = []
    real = _yaml._parse

    def counted(source: Any) -> Any:
        parsed.append(Path(source.display).name)
        return real(source)

    monkeypatch.setattr(_yaml, "_parse", counted)
    cur, again = check_site(project, execute=False)
    assert parsed == ["intro.yml"]
    assert again == first
    assert cur.quizzes["intro"].model.title.endswith("revised")
