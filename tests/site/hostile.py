"""A copy of the test project with the adversarial review's markup payloads placed in it.

Every payload here is one the review (``shared/reviews/adversarial.md``, areas 2 and 3) found
reaching a page: a forged component payload in a lesson's raw HTML, the same markup through a
code cell's output and a fenced div, ``javascript:`` links (Markdown, autolink, entity-obfuscated,
BibTeX ``url``), an event handler on a Markdown span, and triple-backtick fence breakouts in a
quiz stem and a patient summary, with a ``---`` line in a vignette title. Each payload, if it
ran, would open a dialog; the browser tests fail on any dialog.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import yaml

from tests.conftest import PROJECT

FORGED = (
    '<div class="cur-widget" data-component="quiz" id="cur-evil"><script type="application/json" '
    "class=\"cur-payload\">0,x:alert('ran from data.js')</script></div>"
)
"""The review's reproduction: a component fragment whose "payload" is JavaScript."""

FORGED_OUTPUT = FORGED.replace("cur-evil", "cur-evil-output").replace("data.js", "an output")
FORGED_ENCODED = (
    '<div class="cur&#45;widget" data-component="quiz" id="cur-evil-encoded"><script '
    'type="application/json" class="cur&#x2d;payload">{"key": "quiz:evil", "items": []}</script></div>'
)

MARKDOWN_CELL = f"""## Hostile markup

```{{=html}}
{FORGED}
```

```{{=html}}
{FORGED_ENCODED}
```

::: {{#fencediv .cur-widget data-component="quiz"}}
A forged mount from a fenced div.
:::

Links that would run script: [md-link](javascript:alert('md-link')),
[entity-link](JaVaScRiPt&#58;alert('entity')), <javascript:alert('autolink')>,
![md-image](javascript:alert('image')) and
[vb-link](vbscript:msgbox('vb')); a handler on a span: [hover me]{{onmouseover="alert('attr')"}}.
A cited entry with a script URL: [@evil2024].
"""

FENCE_BREAKOUT = """A 30-year-old man asks about his medication.

````
x
```
[fence-link](javascript:alert('fence|jslink'))

[fence-span]{onmouseover="alert('fence|attr')"}

::: {#fencediv-generated .cur-widget data-component="quiz"}
forged
:::
````

Which response best supports him?
"""

EVIL_BIB = """
@misc{evil2024,
  author = {Mallory, Eve},
  title = {A hostile entry},
  year = {2024},
  url = {javascript:alert('bib-url')},
  howpublished = {\\url{javascript:alert('bib-howpublished')}}
}
"""


def hostile_project(base: Path) -> Path:
    """Copy the test project under ``base`` and place every payload; return the project folder."""
    root = base / "hostile"
    shutil.copytree(
        PROJECT, root, ignore=shutil.ignore_patterns("_site*", ".curriculum-cache", "quiz", "cases")
    )
    notebook = root / "lessons" / "intro.ipynb"
    nb = json.loads(notebook.read_text(encoding="utf-8"))
    nb["cells"][-1:-1] = [
        {
            "cell_type": "markdown",
            "id": "hostile-markdown",
            "metadata": {},
            "source": MARKDOWN_CELL.splitlines(keepends=True),
        },
        {
            "cell_type": "code",
            "id": "hostile-output",
            "execution_count": None,
            "metadata": {},
            "outputs": [],
            "source": [
                "from IPython.display import HTML, display\n",
                f"display(HTML({FORGED_OUTPUT!r}))",
            ],
        },
    ]
    notebook.write_text(json.dumps(nb, indent=1), encoding="utf-8")
    with (root / "references.bib").open("a", encoding="utf-8") as bib:
        bib.write(EVIL_BIB)

    quiz = yaml.safe_load((root / "quizzes" / "intro.yml").read_text(encoding="utf-8"))
    quiz["title"] = "Fence quiz"
    for n, item in enumerate(quiz["items"], 1):
        item["id"] = f"fence-q0{n}"
    quiz["items"][0]["stem"] = FENCE_BREAKOUT
    (root / "quizzes" / "fence.yml").write_text(yaml.safe_dump(quiz, sort_keys=False), encoding="utf-8")

    case = yaml.safe_load((root / "vignettes" / "first-visit.yml").read_text(encoding="utf-8"))
    case["title"] = "Fence title\n---\n\n```{=html}\n<script>alert('title')</script>\n```\n"
    case["patient"]["summary"] = FENCE_BREAKOUT.replace("medication", "visit")
    (root / "vignettes" / "fence-case.yml").write_text(
        yaml.safe_dump(case, sort_keys=False), encoding="utf-8"
    )
    return root
