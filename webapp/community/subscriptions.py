"""Following on the site: follow or unfollow a collection, solution or discussion
(``/follow``, ``/unfollow``), one's subscriptions (``/subscriptions``) and notifications
(``/notifications``), the signed one-click unsubscribe link of every mail
(``/unsubscribe/<id>/<signature>``: RFC 8058, a POST without a session or CSRF token, the
signature being the proof), and Atom feeds (RFC 4287): ``/feeds/whats-new.atom`` for the
whole site and ``/feeds/atom?about=IRI`` for one collection, solution or discussion.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from datetime import UTC, datetime, timedelta

from flask import Blueprint, Response, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _

from catalogue.community import FREQUENCIES, KINDS, News, SubscriptionError

from ..auth import _local, csrf, current_user, login_required
from ..context import root
from ..errors import reworded, status_of
from ..i18n import label_languages
from ..linked_data import href

bp = Blueprint("subscriptions", __name__)
ATOM = "http://www.w3.org/2005/Atom"
FEED_DAYS = 90  # what a feed looks back over

KIND_NAMES = {"news": lambda: _("News"), "event": lambda: _("Events"), "discussion": lambda: _("Discussions"),
              "document": lambda: _("Documents"), "page": lambda: _("Pages"), "reply": lambda: _("Replies"),
              "comment": lambda: _("Comments"), "change": lambda: _("Changes to the description")}
FREQUENCY_NAMES = {"immediate": lambda: _("At once"), "daily": lambda: _("Daily digest"),
                   "weekly": lambda: _("Weekly digest")}


@bp.app_context_processor
def _names():
    return {"subscription_kinds": KINDS, "subscription_kind_names": KIND_NAMES,
            "subscription_frequencies": list(FREQUENCIES), "subscription_frequency_names": FREQUENCY_NAMES}


def _title(iri: str) -> str:
    return root().reader.names([iri], label_languages()).get(iri, iri)


@bp.route("/follow", methods=["POST"])
@login_required
def follow():
    user = current_user()
    assert user is not None
    target = request.form.get("target", "")
    kinds = set(request.form.getlist("kind")) or None
    with reworded(_("You can follow published collections, solutions and discussions only."), SubscriptionError):
        root().subscriptions.check_followable(target)
    try:
        root().subscriptions.follow(user, target, kinds=kinds, frequency=request.form.get("frequency", "daily"))
    except SubscriptionError as exc:
        return render_template("community/subscriptions.html", subscriptions=_mine(user.username),
                               error=_("Choose at least one kind of news and how often."), titles={}), status_of(exc)
    flash(_("You follow %(title)s.", title=_title(target)))
    return redirect(_local(request.form.get("next") or url_for("subscriptions.mine")), code=303)


@bp.route("/unfollow", methods=["POST"])
@login_required
def unfollow():
    user = current_user()
    assert user is not None
    target = request.form.get("target", "")
    if root().subscriptions.unfollow(user.username, target):
        flash(_("You no longer follow %(title)s.", title=_title(target)))
    return redirect(_local(request.form.get("next") or url_for("subscriptions.mine")), code=303)


def _mine(username: str):
    return root().subscriptions.of_user(username)


@bp.route("/subscriptions")
@login_required
def mine():
    user = current_user()
    assert user is not None
    found = _mine(user.username)
    titles = root().reader.names([s.target for s in found], label_languages())
    return render_template("community/subscriptions.html", subscriptions=found, titles=titles, error=None)


@bp.route("/notifications")
@login_required
def notifications():
    user = current_user()
    assert user is not None
    items = root().subscriptions.notifications(user.username)
    titles = root().reader.names([i.container for i in items], label_languages())
    return render_template("community/notifications.html", items=items, titles=titles, link=href)


@bp.route("/unsubscribe/<ident>/<signature>", methods=["GET", "POST"])
@csrf.exempt  # RFC 8058: mail clients POST "List-Unsubscribe=One-Click"; the signature is the proof
def unsubscribe(ident: str, signature: str):
    subscriptions = root().subscriptions
    if request.method == "GET":
        found = subscriptions.by_iri(root().graphs.subscription_by_ident(ident).value) \
            if len(ident) == 24 and ident.isalnum() else None
        if found is None or subscriptions.signature(found.iri) != signature:
            return render_template("community/sent.html", title=_("This link does not work"), message=_(
                "This unsubscribe link is not valid, or you are already unsubscribed."), error=True), 404
        return render_template("community/unsubscribe.html", title=_title(found.target))
    try:
        gone = subscriptions.unsubscribe(ident, signature)
    except SubscriptionError as exc:
        return render_template("community/sent.html", title=_("This link does not work"), message=_(
            "This unsubscribe link is not valid, or you are already unsubscribed."), error=True), status_of(exc)
    return render_template("community/sent.html", title=_("You are unsubscribed"), message=_(
        "You will get no more mail about %(title)s.", title=_title(gone.target)))


# Atom feeds (RFC 4287)

def _atom(feed_id: str, title: str, items: list[News], self_url: str, alternate: str) -> Response:
    ET.register_namespace("", ATOM)
    feed = ET.Element(f"{{{ATOM}}}feed")
    ET.SubElement(feed, f"{{{ATOM}}}id").text = feed_id
    ET.SubElement(feed, f"{{{ATOM}}}title").text = title
    updated = max((i.at for i in items), default=None)
    ET.SubElement(feed, f"{{{ATOM}}}updated").text = _rfc3339(updated) if updated else \
        datetime.now(UTC).isoformat(timespec="seconds")
    ET.SubElement(feed, f"{{{ATOM}}}link", rel="self", href=self_url, type="application/atom+xml")
    ET.SubElement(feed, f"{{{ATOM}}}link", rel="alternate", href=alternate, type="text/html")
    author = ET.SubElement(feed, f"{{{ATOM}}}author")
    ET.SubElement(author, f"{{{ATOM}}}name").text = _("Interoperability solutions catalogue")
    for item in items:
        entry = ET.SubElement(feed, f"{{{ATOM}}}entry")
        ET.SubElement(entry, f"{{{ATOM}}}id").text = f"{item.iri}#{item.kind}-{item.at}" if item.kind in (
            "change", "comment") else item.iri
        words = KIND_NAMES.get(item.kind)
        ET.SubElement(entry, f"{{{ATOM}}}title").text = f"{words() if words else item.kind}: {item.title or item.iri}"
        ET.SubElement(entry, f"{{{ATOM}}}updated").text = _rfc3339(item.at)
        ET.SubElement(entry, f"{{{ATOM}}}link", rel="alternate", href=_page(item.iri))
        ET.SubElement(entry, f"{{{ATOM}}}category", term=item.kind)
        if item.summary:
            ET.SubElement(entry, f"{{{ATOM}}}summary").text = item.summary
    body = ET.tostring(feed, encoding="utf-8", xml_declaration=True)
    return Response(body, mimetype="application/atom+xml", headers={"Cache-Control": "public, max-age=300"})


def _rfc3339(value: str) -> str:
    """An ISO date or date-time as RFC 3339 (a day alone: its midnight UTC)."""
    try:
        when = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return datetime.now(UTC).isoformat(timespec="seconds")
    return (when if when.tzinfo else when.replace(tzinfo=UTC)).isoformat(timespec="seconds")


def _page(iri: str) -> str:
    return url_for("ld.resource", uri=iri, _external=True)


@bp.route("/feeds/whats-new.atom")
def whats_new():
    since = datetime.now(UTC) - timedelta(days=FEED_DAYS)
    items = root().subscriptions.whats_new(since)
    return _atom(url_for("subscriptions.whats_new", _external=True), _("What's new in the catalogue"), items,
                 url_for("subscriptions.whats_new", _external=True), url_for("views.home", _external=True))


@bp.route("/feeds/atom")
def feed():
    about = request.args.get("about", "")
    with reworded(_("There is no feed for %(iri)s: feeds are for published collections, solutions and "
                    "discussions.", iri=about or "''"), SubscriptionError):
        root().subscriptions.check_followable(about)
    since = datetime.now(UTC) - timedelta(days=FEED_DAYS)
    items = root().subscriptions.new_in(about, since)
    return _atom(f"{about}#feed", _("What's new in %(title)s", title=_title(about)), items,
                 url_for("subscriptions.feed", about=about, _external=True), _page(about))
