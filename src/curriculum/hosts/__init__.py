"""Hosts: where a component is shown, and the functions lesson notebooks call.

Data flows one way, content -> models -> renderers -> hosts; this is the last
layer. Each module is one host or one job of the hosts:

- :mod:`.notebook`: the functions a lesson calls (``curriculum.quiz(...)``,
  ``overview``, ``progress``); the package re-exports them;
- :mod:`.display`: choose the host at display time, and the panels shown instead
  of a component when the content has a problem;
- :mod:`.session`: the project a notebook belongs to, loaded once per process;
- :mod:`.widget`: the live host, each component an anywidget widget in JupyterLab;
- :mod:`.static`: the static host's markup (a component's mount, a lesson's overview),
  which the site build uses too.

Nothing is imported here, so the site build can use :mod:`.static` without
loading the widget library.
"""

__all__: list[str] = []
