"""The thin web layer: HTTP → views → catalogue service → store. No SPARQL is built here."""

from __future__ import annotations

from flask import Flask

from catalogue.service import Catalogue
from catalogue.settings import Settings, load_settings


def create_app(settings: Settings | None = None, catalogue: Catalogue | None = None) -> Flask:
    """Build the app; the store is opened lazily on first use (safe under forking servers)."""
    app = Flask(__name__)
    settings = settings or load_settings()
    app.config["CATALOGUE_SETTINGS"] = settings
    app.extensions["catalogue"] = catalogue or Catalogue(settings)

    from . import errors, harvest, i18n, linked_data, saved_queries, search, sparql, views

    i18n.init_app(app)
    app.register_blueprint(views.bp)
    app.register_blueprint(sparql.bp)
    app.register_blueprint(harvest.bp)  # dumps, /catalog, VoID, sitemap
    app.register_blueprint(saved_queries.bp)  # /queries: the public saved queries
    app.register_blueprint(search.bp)  # /search: keywords + facets
    app.register_blueprint(linked_data.bp)  # last: its /<path> rule catches minted PURIs
    errors.init_app(app)
    return app
