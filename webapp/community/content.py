"""Community content on the site (issue 15, item 3): a collection's or solution's content
(``/community/content?collection=IRI``, with a type filter, featured first, its pages as a
menu), writing and editing (``/community/content/new``, ``/content/<id>/edit``), state
changes, featuring, replies and revisions, each item at its PURI ``/content/<id>`` by
content negotiation (HTML, Turtle, JSON-LD, N-Triples, RDF/XML; a suffix fixes the
format), an event's ``/content/<id>.ics``, a collection's ``/community/events.ics``, and
documents at ``/documents/<sha256>``.

Nothing here is kept in a shared cache: community pages change with every post, and a
draft is shown to its author and its facilitators only (404 for anyone else, so that its
existence does not leak). Every write is a POST with a CSRF token by a signed-in account;
what the domain refuses comes back on the form with its message and status.
"""

from __future__ import annotations

from urllib.parse import quote
from zoneinfo import ZoneInfo

import pyoxigraph as ox
from flask import Blueprint, Response, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext

from catalogue.community import (
    CONTENT_ACTIONS,
    Container,
    ContentError,
    DocumentError,
    Item,
    Upload,
    calendar,
    zone_names,
)
from catalogue.errors import CatalogueError
from catalogue.terms import PREFIXES

from ..auth import current_user, login_required
from ..context import root
from ..errors import status_of
from ..i18n import label_languages
from ..linked_data import FORMATS, OFFERED, href, safe_json_for_script
from ..negotiate import choose
from ..rich_text import rich_text

bp = Blueprint("content", __name__)

KIND_NAMES = {"news": lazy_gettext("News"), "event": lazy_gettext("Event"), "discussion": lazy_gettext("Discussion"),
              "document": lazy_gettext("Document"), "page": lazy_gettext("Page"), "reply": lazy_gettext("Reply")}
STATE_NAMES = {"draft": lazy_gettext("Draft"), "proposed": lazy_gettext("Waiting for a facilitator"),
               "published": lazy_gettext("Published"), "archived": lazy_gettext("Archived")}
ACTION_NAMES = {"submit": lazy_gettext("Submit for publication"), "withdraw": lazy_gettext("Withdraw to my drafts"),
                "publish": lazy_gettext("Publish"), "refuse": lazy_gettext("Send back to the author"),
                "archive": lazy_gettext("Archive")}


def _container() -> Container:
    """The collection or solution the request names (a 404 page if none is published)."""
    return root().content.container(request.values.get("collection", ""))


def _names(items: list[Item]) -> dict[str, str]:
    """Display names of the items' authors (by account IRI)."""
    base, accounts, out = root().graphs.base, root().accounts, {}
    for item in items:
        if item.creator not in out:
            account = accounts.user(item.creator_name(base))
            out[item.creator] = account.name if account is not None else _("a former member")
    return out


def _local(item: Item) -> tuple[str, str] | None:
    """An event's start and end as local date-times in its zone."""
    if item.start is None or item.end is None:
        return None
    zone = ZoneInfo(item.timezone or "UTC")
    start, end = item.start.astimezone(zone), item.end.astimezone(zone)
    same_day = start.date() == end.date()
    return start.strftime("%Y-%m-%d %H:%M"), end.strftime("%H:%M" if same_day else "%Y-%m-%d %H:%M")


def _pages(container: Container) -> list[Item]:
    """The collection's published pages: its menu on every community page."""
    return [i for i in root().content.in_container(container, None, "page") if i.state == "published"]


def _upload() -> Upload | None:
    """The form's file, read up to the limit plus one byte (the domain says it is too large)."""
    sent = request.files.get("file")
    if sent is None or not sent.filename:
        return None
    limit = root().settings.max_document_bytes
    return Upload(sent.stream.read(limit + 1), sent.filename, sent.mimetype or None)


def _context(container: Container) -> dict:
    return {"container": container, "container_href": href(container.iri), "kind_names": KIND_NAMES,
            "state_names": STATE_NAMES, "page_menu": _pages(container) if container.kind == "collection" else []}


# a container's content

@bp.route("/community/content")
def listing():
    """A collection's or solution's content: featured first, a type filter, the viewer's
    drafts and what waits for them as a facilitator."""
    container = _container()
    kind = request.args.get("type") or None
    if kind is not None and kind not in container.kinds:
        abort(400, _("Choose one of these types: %(types)s.", types=", ".join(container.kinds)))
    user, content = current_user(), root().content
    items = [i for i in content.in_container(container, user, kind) if i.kind != "page" or kind == "page"]
    return render_template("community/content_list.html", items=items, kind=kind, names=_names(items),
                           local=_local, may_post=content.may_post(container, user),
                           facilitates=content.may_facilitate(container, user), **_context(container))


@bp.route("/community/events.ics")
def events_feed():
    """A collection's published events, upcoming and of the last 90 days, as iCalendar."""
    container = _container()
    items = root().content.events(container)
    body = calendar(((i, url_for("content.item", name=i.ident, _external=True), _sequence(i)) for i in items),
                    container.title)
    return Response(body, content_type="text/calendar; charset=utf-8",
                    headers={"Content-Disposition": "inline; filename=events.ics"})


def _sequence(item: Item) -> int:
    """Grows with each change (iCalendar's SEQUENCE): seconds between creation and the last change."""
    if item.created is None or item.modified is None:
        return 0
    return max(int((item.modified - item.created).total_seconds()), 0)


@bp.route("/community/content/new", methods=["GET", "POST"])
@login_required
def new():
    container = _container()
    kind = request.values.get("type", "news")
    if kind not in container.kinds:
        abort(400, _("Choose one of these types: %(types)s.", types=", ".join(container.kinds)))
    user, content = current_user(), root().content
    assert user is not None
    if not content.may_post(container, user):
        abort(403, _("You may not post here: join the community first, or ask a facilitator."))
    error, field, status = None, None, 200
    if request.method == "POST":
        try:
            item = content.create(container.iri, kind, request.form.to_dict(), user,
                                  submit=request.form.get("submit") == "1", upload=_upload())
        except (ContentError, DocumentError) as exc:
            error, field, status = str(exc), getattr(exc, "field", None), status_of(exc)
        else:
            flash({"published": _("Published."), "proposed": _("Submitted: a facilitator will publish it."),
                   "draft": _("Saved as a draft.")}[item.state])
            return redirect(url_for("content.item", name=item.ident), code=303)
    return render_template("community/content_form.html", kind=kind, item=None, form=request.form, error=error,
                           field=field, zones=zone_names(), **_context(container)), status


# one item

def _split(name: str) -> tuple[str, str | None]:
    stem, dot, ext = name.rpartition(".")
    if dot and (ext in FORMATS or ext == "ics") and stem:
        return stem, ext
    return name, None


@bp.route("/content/<name>")
def item(name: str):
    """An item at its PURI: HTML for people, RDF by Accept or suffix, ``.ics`` for events.

    :raise 404: no such item, or one the viewer may not see; ``.ics`` of what is no event.
    :raise 406: nothing offered is acceptable.
    """
    ident, ext = _split(name)
    user, content = current_user(), root().content
    found = content.get(ident, user)
    if ext == "ics":
        if found.kind != "event":
            abort(404, _("Only events have a calendar file."))
        body = calendar([(found, url_for("content.item", name=ident, _external=True), _sequence(found))],
                        found.title)
        return Response(body, content_type="text/calendar; charset=utf-8",
                        headers={"Content-Disposition": f"attachment; filename={ident}.ics"})
    media = FORMATS[ext][0] if ext else choose(request.headers.get("Accept"), OFFERED)
    if media is None:
        abort(406, "none of the offered formats is acceptable; this resource is available as " + ", ".join(OFFERED))
    links = ", ".join(f'<{url_for("content.item", name=f"{ident}.{e}")}>; rel="alternate"; type="{m}"'
                      for e, (m, _f) in FORMATS.items())
    headers = {"Link": links, "Vary": "Accept, Cookie", "Cache-Control": "private, no-cache" if not found.public
               else "no-cache"}
    if ext is None:
        suffix = [e for e, (m, _f) in FORMATS.items() if m == media][0]
        headers["Content-Location"] = url_for("content.item", name=f"{ident}.{suffix}")
    triples = content.triples_of(found)
    fmt = [f for m, f in FORMATS.values() if m == media][0]
    if fmt is not None:
        prefixes = {**PREFIXES, "sioc": "http://rdfs.org/sioc/ns#"}
        body = (ox.serialize(triples, format=fmt, prefixes=prefixes)
                if fmt in (ox.RdfFormat.TURTLE, ox.RdfFormat.RDF_XML) else ox.serialize(triples, format=fmt))
        return Response(body, content_type=f"{media}; charset=utf-8", headers=headers)
    return Response(_page(found, triples), content_type="text/html; charset=utf-8", headers=headers)


def _page(found: Item, triples: list[ox.Triple], error: str | None = None) -> str:
    user, content = current_user(), root().content
    container = content.community_of(found)
    thread = None
    if found.kind == "reply":
        thread = content.get(found.container.rsplit("/", 1)[-1], user)
    replies = content.replies(found, user) if found.kind == "discussion" else []
    everyone = [found] + [r for r, _d in replies]
    reply_actions = {r.iri: [a for a in content.actions(r, user) if a in ("publish", "refuse", "archive")]
                     for r, _d in replies} if user is not None else {}
    jsonld = ox.serialize(triples, format=ox.RdfFormat.JSON_LD).decode("utf-8")
    alternates = [(e.upper(), url_for("content.item", name=f"{found.ident}.{e}"), m)
                  for e, (m, _f) in FORMATS.items() if e != "html"]
    return render_template(
        "community/content_item.html", item=found, thread=thread, replies=replies, names=_names(everyone),
        local=_local, rich_text=rich_text, actions=content.actions(found, user), action_names=ACTION_NAMES,
        reply_actions=reply_actions,
        may_edit=content.may_edit(found, user), facilitates=content.may_facilitate(container, user),
        may_reply=found.kind == "discussion" and found.state == "published" and content.may_post(container, user),
        may_see_revisions=user is not None and (found.creator == user.iri or content.may_facilitate(container, user)),
        jsonld=safe_json_for_script(jsonld), alternates=alternates, error=error, **_context(container))


@bp.route("/content/<ident>/edit", methods=["GET", "POST"])
@login_required
def edit(ident: str):
    user, content = current_user(), root().content
    found = content.get(ident, user)
    if not content.may_edit(found, user):
        abort(403, _("Only its author and the facilitators edit this."))
    container = content.community_of(found)
    error, field, status = None, None, 200
    if request.method == "POST":
        try:
            assert user is not None
            content.edit(ident, request.form.to_dict(), user, upload=_upload())
        except (ContentError, DocumentError) as exc:
            error, field, status = str(exc), getattr(exc, "field", None), status_of(exc)
        else:
            flash(_("Your changes are saved."))
            return redirect(url_for("content.item", name=ident), code=303)
    form = request.form if request.method == "POST" else _as_form(found)
    return render_template("community/content_form.html", kind=found.kind, item=found, form=form, error=error,
                           field=field, zones=zone_names(), **_context(container)), status


def _as_form(found: Item) -> dict[str, str]:
    local = {}
    if found.start is not None and found.end is not None:
        zone = ZoneInfo(found.timezone or "UTC")
        local = {"start": found.start.astimezone(zone).strftime("%Y-%m-%dT%H:%M"),
                 "end": found.end.astimezone(zone).strftime("%Y-%m-%dT%H:%M"), "timezone": zone.key}
    return {"title": found.title, "description": found.description, "location": found.location or "",
            "online_url": found.online_url or "", "link": found.link or "", **local}


@bp.route("/content/<ident>/state", methods=["POST"])
@login_required
def state(ident: str):
    """Submit, withdraw, publish, refuse (with a reason) or archive an item."""
    action = request.form.get("action", "")
    if action not in CONTENT_ACTIONS:
        abort(400, _("Unknown action."))
    user = current_user()
    assert user is not None
    changed = root().content.act(ident, action, user, request.form.get("note", ""))
    flash(_("Done: the item is now %(state)s.", state=str(STATE_NAMES[changed.state]).lower()))
    return redirect(url_for("content.item", name=ident), code=303)


@bp.route("/content/<ident>/feature", methods=["POST"])
@login_required
def feature(ident: str):
    user = current_user()
    assert user is not None
    on = request.form.get("featured") == "1"
    root().content.feature(ident, on, user)
    flash(_("Featured.") if on else _("No longer featured."))
    return redirect(url_for("content.item", name=ident), code=303)


@bp.route("/content/<ident>/reply", methods=["POST"])
@login_required
def reply(ident: str):
    user, content = current_user(), root().content
    assert user is not None
    try:
        made = content.reply(ident, request.form.to_dict(), user, request.form.get("reply_to") or None)
    except ContentError as exc:
        if status_of(exc) != 400:
            raise
        found = content.get(ident, user)
        return _page(found, content.triples_of(found), error=str(exc)), 400
    flash(_("Your reply is published.") if made.state == "published"
          else _("Your reply waits for a facilitator."))
    return redirect(url_for("content.item", name=ident) + f"#r-{made.ident}", code=303)


@bp.route("/content/<ident>/revisions")
@login_required
def revisions(ident: str):
    user, content = current_user(), root().content
    found = content.get(ident, user)
    return render_template("community/content_revisions.html", item=found,
                           revisions=content.revisions(found, user), **_context(content.community_of(found)))


# documents

@bp.route("/documents/<sha256>")
@bp.route("/document/<sha256>")
def document(sha256: str):
    """An uploaded file, with the type read from its bytes, as an attachment.

    :raise 404: no such file, or only in items the viewer may not see.
    """
    content = root().content
    path = content.files.path(sha256)
    holder = content.file_visible(sha256, current_user()) if path is not None else None
    if path is None or holder is None:
        abort(404, _("There is no such document."))
    name = holder.filename or "document"
    ascii_name = name.encode("ascii", "replace").decode().replace("?", "_").replace('"', "_")
    headers = {"Content-Disposition": f"attachment; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(name)}",
               "X-Content-Type-Options": "nosniff", "Cache-Control": "private, max-age=3600",
               "Content-Security-Policy": "default-src 'none'; sandbox", "ETag": f'"{sha256}"'}
    response = Response(path.read_bytes(), content_type=holder.media_type or "application/octet-stream",
                        headers=headers)
    return response.make_conditional(request)


@bp.app_template_global()
def content_link(collection: str) -> str:
    """Where a collection's or solution's content is listed (for its page's templates)."""
    return url_for("content.listing", collection=collection)


def featured_items() -> list[tuple[Item, str]]:
    """Site-wide featured items with their page's path, for the home page (never raises:
    the home page shows without them)."""
    try:
        return [(i, url_for("content.item", name=i.ident)) for i in root().content.featured()]
    except CatalogueError:
        return []



@bp.route("/moderation/content")
@login_required
def queue():
    """What waits for the signed-in account to publish (all of it for site moderators, their
    collections' for facilitators), oldest first."""
    user = current_user()
    items = root().content.waiting_for(user)
    titles = root().reader.names(sorted({i.container for i in items}), label_languages())
    return render_template("community/content_queue.html", items=items, names=_names(items), titles=titles,
                           kind_names=KIND_NAMES)
