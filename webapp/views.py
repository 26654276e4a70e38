"""Pages: home, about the data, legal notice. Resources are dereferenced by linked_data.py."""

from __future__ import annotations

from flask import Blueprint, render_template, request

from .context import root
from .i18n import label_languages
from .linked_data import href
from .response_cache import share

bp = Blueprint("views", __name__)


@bp.route("/")
def home():
    share(request.environ)  # the same for every anonymous reader: see response_cache.py
    from .community.content import featured_items  # (the blueprint imports views' neighbours)
    return render_template("home.html", home=root().reader.home(label_languages()), href=href,
                           featured=featured_items())


@bp.route("/about")
def about():
    """What the catalogue holds and where it comes from: the counts the home page used to
    open with, for those who want them."""
    share(request.environ)
    return render_template("about.html", stats=root().feeds.stats(), home=root().reader.home(label_languages()))


@bp.route("/legal")
def legal():
    share(request.environ)
    return render_template("legal.html")
