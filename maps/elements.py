"""Folium elements that put their text into the page as it is, and the one escape for text drawn on a map.

Lowest module of ``maps``: :mod:`maps.common` and :mod:`maps.places_layer` both build on it.
"""

from __future__ import annotations

import contextlib
import contextvars
import html

import pandas as pd
from branca.element import Element, Figure, MacroElement

__all__ = ["escape", "scripts_left_out"]


# branca compiles every rendered layer as a Jinja template once more, so "{%" in a home's name
# would stop the map and "{{ }}" would be evaluated: braces become HTML entities, shown the same.
_JINJA_SAFE = str.maketrans({"{": "&#123;", "}": "&#125;"})


def escape(value) -> str:
    """Text safe to put inside a folium tooltip, popup or layer name: HTML-escaped, with the braces
    of Jinja syntax as entities (they look the same); blanks and NaN become ""."""
    if value is None:
        return ""
    try:
        if pd.isna(value):
            return ""
    except (TypeError, ValueError):
        pass
    return html.escape(str(value), quote=True).translate(_JINJA_SAFE)


class _Verbatim(Element):
    """Text put into the page as it is."""

    def __init__(self, text: str):
        super().__init__()
        self._text = text

    def render(self, **kwargs) -> str:
        return self._text


# Per thread (each Streamlit session renders in its own): see scripts_left_out.
_LEAVE_OUT_SCRIPTS = contextvars.ContextVar("care_map_leave_out_scripts", default=False)


@contextlib.contextmanager
def scripts_left_out():
    """Within it, rendering a :class:`GeoJson` adds its header and html to the figure but not its script.

    For a caller that renders the figure only for its header and html and takes the map's script from
    the elements' templates afterwards, as streamlit-folium does (ui.map_view.render_map): the script
    part of a GeoJSON layer is its data encoded as JSON, which would otherwise be encoded twice.
    """
    token = _LEAVE_OUT_SCRIPTS.set(True)
    try:
        yield
    finally:
        _LEAVE_OUT_SCRIPTS.reset(token)


class _VerbatimMacroElement(MacroElement):
    """branca's ``MacroElement.render``, except that the rendered header, html and script are added to
    the page as they are (branca's private template module: see :mod:`maps.compat`). branca wraps each in ``Element(text)``, which compiles the text as a Jinja
    template once more: for a GeoJSON layer that is lexing megabytes of coordinates, about half of a
    map's render time with England loaded (docs/scale.md)."""

    def render(self, **kwargs):
        figure = self.get_root()
        assert isinstance(figure, Figure), "You cannot render this Element if it is not in a Figure."
        parts = [("header", figure.header), ("html", figure.html)]
        if not _LEAVE_OUT_SCRIPTS.get():
            parts.append(("script", figure.script))
        for part, target in parts:
            macro = self._template.module.__dict__.get(part)
            if macro is not None:
                target.add_child(_Verbatim(macro(self, kwargs)), name=self.get_name())
        for element in self._children.values():
            element.render(**kwargs)
