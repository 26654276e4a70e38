"""Pages: home. Resources are dereferenced by linked_data.py."""

from __future__ import annotations

from flask import Blueprint, render_template, request

from .context import root
from .i18n import label_languages
from .linked_data import href
from .response_cache import share

bp = Blueprint("views", __name__)


def _catalogue():
    return root()


@bp.route("/")
def home():
    share(request.environ)  # the same for every anonymous reader: see response_cache.py
    return render_template("home.html", stats=_catalogue().feeds.stats(), home=_catalogue().reader.home(label_languages()),
                           href=href)
