"""What every page shares: the header's menus, the footer's links, breadcrumbs.

One table (:data:`MENU`) names the public menu; the account menu depends on who is signed
in. A link to a page a deployment does not serve (a blueprint left out, as OpenID Connect
sign-in is when no provider is set) is left out instead of failing the whole page.
"""

from __future__ import annotations

from flask import Flask, current_app, has_request_context, request, url_for
from flask_babel import lazy_gettext as _
from werkzeug.routing import BuildError

from .i18n import translations
from .rich_text import iris_as_code

MENU: tuple[tuple[str, object], ...] = (  # endpoint, label: the public menu, in order
    ("browse.solutions", _("Solutions")),
    ("browse.collections", _("Collections")),
    ("browse.publishers", _("Publishers")),
    ("licences.listing", _("Licences")),
    ("cartography.map", _("EIRA")),
    ("standards.listing", _("Standards")),
    ("sparql.endpoint", _("SPARQL")),
)

FOOTER: tuple[tuple[str, object], ...] = (
    ("views.about", _("About the data")),
    ("saved_queries.listing", _("Saved queries")),
    ("sparql.endpoint", _("SPARQL endpoint")),
    ("api.openapi", _("API")),
    ("validator.page", _("Validator")),
    ("harvest.catalog", _("DCAT catalogue")),
    ("views.legal", _("Legal notice")),
)


def href(endpoint: str, **values: object) -> str | None:
    """The URL of ``endpoint``, or None when this app does not serve it."""
    try:
        return url_for(endpoint, **values)
    except BuildError:
        return None


_UNKNOWN = object()


def fixed_url(endpoint: str, **values: str) -> str | None:
    """:func:`href` of an endpoint with fixed ``values`` (a static file's name), built once
    per app and script root: the same on every page (the menus, the footer and the header
    cost a page 23 URL builds otherwise)."""
    if not has_request_context():
        return href(endpoint, **values)
    built: dict[tuple, str | None] = current_app.extensions.setdefault("layout.urls", {})
    key = (request.script_root, endpoint, *sorted(values.items()))
    found = built.get(key, _UNKNOWN)
    if found is _UNKNOWN:
        found = built[key] = href(endpoint, **values)
    return found  # type: ignore[return-value]


def links(table: tuple[tuple[str, object], ...]) -> list[tuple[str, str, object]]:
    """(endpoint, url, label) for the entries of ``table`` this app serves, the labels
    translated once per app, script root and language (each lazy label looked its
    translations up again on every page: 14 a page)."""
    if not has_request_context():
        return [(endpoint, url, label) for endpoint, label in table
                if (url := fixed_url(endpoint)) is not None]
    built: dict[tuple, list[tuple[str, str, object]]] = current_app.extensions.setdefault("layout.links", {})
    # by the table's id: hashing it would hash its lazy labels, translating each
    key = (request.script_root, id(table), translations())  # the templates' translations (i18n.py)
    found = built.get(key)
    if found is None:
        found = built[key] = [(endpoint, url, str(label)) for endpoint, label in table
                              if (url := fixed_url(endpoint)) is not None]
    return found


def init_app(app: Flask) -> None:
    app.jinja_env.filters["iris_as_code"] = iris_as_code
    @app.context_processor
    def layout():
        return {"menu": lambda: links(MENU), "footer_links": lambda: links(FOOTER), "link_to": href,
                "fixed_url": fixed_url}
