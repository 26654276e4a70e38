"""The thin web layer: HTTP → views → catalogue service → store. No SPARQL is built here."""

from __future__ import annotations

from flask import Flask

from catalogue.app import Catalogue
from catalogue.settings import Settings, load_settings

from .context import install, root
from .heap import SettleHeap
from .response_cache import SharedCache
from .security import BodyLimit, SecurityHeaders


def create_app(settings: Settings | None = None, catalogue: Catalogue | None = None) -> Flask:
    """Build the app; the store is opened lazily on first use (safe under forking servers)."""
    app = Flask(__name__)
    settings = settings or load_settings()
    app.config["CATALOGUE_SETTINGS"] = settings
    install(app, catalogue or Catalogue(settings))

    from . import (
        api,
        auth,
        browse,
        cartography,
        curation,
        errors,
        harvest,
        i18n,
        layout,
        licences,
        linked_data,
        moderation,
        operations,
        publish,
        quality,
        quality_dashboards,
        saved_queries,
        search,
        sparql,
        standards,
        upload_jobs,
        usage,
        validator,
        views,
    )
    from .community import accounts as community_accounts
    from .community import comments as community_comments
    from .community import content as community_content
    from .community import membership as community_membership
    from .community import subscriptions as community_subscriptions

    i18n.init_app(app)
    layout.init_app(app)  # the header's menus, the footer, breadcrumbs
    auth.init_app(app)  # sessions, CSRF on every form
    auth.csrf.exempt(sparql.bp)  # the SPARQL protocol's POST reads, never writes
    app.config["MAX_CONTENT_LENGTH"] = settings.max_upload_bytes + 1024 * 1024  # 413 beyond
    app.register_blueprint(views.bp)
    app.register_blueprint(sparql.bp)
    app.register_blueprint(harvest.bp)  # dumps, /catalog, VoID, sitemap
    app.register_blueprint(saved_queries.bp)  # /queries: the public saved queries
    app.register_blueprint(search.bp)  # /search: keywords + facets
    app.register_blueprint(auth.bp)  # /login, /logout
    app.register_blueprint(community_accounts.bp)  # /register, /password/*, /terms, /account
    app.register_blueprint(community_comments.bp)  # /comments, /moderation/comments: comments, moderated
    app.register_blueprint(community_membership.bp)  # /community: collections' members, requests, settings
    app.register_blueprint(community_subscriptions.bp)  # /follow, /subscriptions, /notifications, feeds
    app.register_blueprint(community_content.bp)  # /content/<id>, /community/content: news, events, documents...
    app.register_blueprint(publish.bp)  # /sources: publishers' pages
    app.register_blueprint(upload_jobs.bp)  # /sources/<slug>/jobs: uploads by URL in the background
    app.register_blueprint(api.bp)  # /api: publishers' REST API (bearer tokens)
    if settings.oidc_issuer:  # /login/oidc: sign-in through an OpenID Connect provider
        from . import oidc
        oidc.init_app(app)
    app.register_blueprint(moderation.bp)  # /propose, /proposals: proposed solutions, moderated
    app.register_blueprint(licences.bp)  # /licences: the Licensing Assistant
    app.register_blueprint(browse.bp)  # /solutions, /collections, /publishers: browsing
    app.register_blueprint(cartography.bp)  # /eira: the EIRA cartography, footprints
    app.register_blueprint(validator.bp)  # /validator: anyone checks a file, nothing stored
    app.register_blueprint(standards.bp)  # /standards: ICT standards and specifications, CSV
    app.register_blueprint(quality.bp)  # quality levels and advice in the reader's language
    app.register_blueprint(quality_dashboards.bp)  # /sources/<slug>/quality, /quality: dashboards, CSV, JSON
    app.register_blueprint(curation.bp)  # /curation, /moderation/curation: change requests, hidden records
    app.register_blueprint(linked_data.bp)  # last: its /<path> rule catches minted PURIs
    errors.init_app(app)
    cat = root(app)
    # a refused body and every answer get the security headers; the cache keeps them with the rest
    guarded = SecurityHeaders(BodyLimit(app.wsgi_app, settings.max_upload_bytes))
    # a page's usage counts change once a day: cached pages are kept for that day (usage.as_of)
    # and the home page lists featured community content: a change of what is featured (rare, never a
    # mere post) starts a new generation too; so does a write of the search index (a catch-up
    # on a remote store writes it without moving the data version: Search.generation)
    app.wsgi_app = SharedCache(guarded, lambda: cat.data_version().token + cat.usage.as_of()  # type: ignore[method-assign]
                               + cat.content.featured_token() + "/" + cat.search.generation(),
                               settings.response_cache_mb * 1024 * 1024)
    # what a data version builds is collected once and frozen: no full collection mid-page
    app.wsgi_app = SettleHeap(app.wsgi_app, lambda: cat.data_version().token)  # type: ignore[method-assign]
    usage.init_app(app)  # /go counts downloads; page views counted outside the shared cache
    operations.init_app(app)  # /-/health, /-/metrics; every request timed, outermost
    return app
