"""The one way from a view to the domain: the app's composition root, typed.

``create_app`` puts one :class:`catalogue.app.Catalogue` in the app's extensions; views
reach it through :func:`root` (never through ``current_app.extensions`` themselves), and
from it the capability they serve.
"""

from __future__ import annotations

from typing import cast

from flask import Flask, current_app

from catalogue.app import Catalogue

KEY = "catalogue"


def install(app: Flask, catalogue: Catalogue) -> Catalogue:
    """Make ``catalogue`` the app's root (``create_app`` does, once)."""
    app.extensions[KEY] = catalogue
    return catalogue


def root(app: Flask | None = None) -> Catalogue:
    """The catalogue of ``app``, or of the app handling the current request."""
    return cast(Catalogue, (app or current_app).extensions[KEY])
