"""Proposing solutions and moderating them (catalogue/community/moderation.py does the work).

Signed-in members propose and see their own proposals (into a collection, if they choose
one); moderators and admins see the queue and validate, send back or archive, and so do a
collection's facilitators for the proposals in it; nobody else sees a proposal (403),
anonymous visitors are sent to sign in. A refused form comes back with the values typed
and the shapes' report in plain words.
"""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext

from catalogue.community import (
    LANGUAGES,
    MAX_NOTE,
    Checked,
    FormProblem,
    Moderation,
    ModerationError,
    NotAllowed,
    Proposal,
    ProposalForm,
    ProposalNotFound,
    PublishRefused,
    TransitionError,
    building_blocks,
    collections,
    judges,
    licence_choices,
    may,
    may_view,
)
from catalogue.ingest import Report

from .auth import current_user, login_required, require
from .context import root
from .errors import reworded, status_of
from .i18n import label_languages, reader_language

bp = Blueprint("moderation", __name__)

ACTIONS = ("submit", "validate", "reject", "archive")
STATE_LABELS = {
    "draft": lazy_gettext("Draft"),
    "proposed": lazy_gettext("Awaiting moderation"),
    "validated": lazy_gettext("Published"),
    "archived": lazy_gettext("Archived"),
}
EVENT_LABELS = {
    "create": lazy_gettext("Created"),
    "edit": lazy_gettext("Changed"),
    "submit": lazy_gettext("Submitted for moderation"),
    "reject": lazy_gettext("Sent back to its author"),
    "validate": lazy_gettext("Validated and published"),
    "archive": lazy_gettext("Archived"),
}
FIELD_LABELS = {
    "title": lazy_gettext("Title"),
    "language": lazy_gettext("Language of the title, description and keywords"),
    "description": lazy_gettext("Description"),
    "blocks": lazy_gettext("EIRA building blocks it implements"),
    "keywords": lazy_gettext("Keywords (separated by commas)"),
    "landing_page": lazy_gettext("Landing page"),
    "publisher": lazy_gettext("Publisher (the organisation's name)"),
    "email": lazy_gettext("Contact email"),
    "access_url": lazy_gettext("Download or access URL"),
    "licence": lazy_gettext("Licence"),
    "collection": lazy_gettext("Collection"),
}
DONE = {
    "submit": lazy_gettext("Submitted: a moderator will review it."),
    "reject": lazy_gettext("Sent back to its author with your note."),
    "validate": lazy_gettext("Validated: the solution is published."),
    "archive": lazy_gettext("Archived: the solution is withdrawn from the site."),
}


def _catalogue():
    return root()


def _moderation() -> Moderation:
    return Moderation(_catalogue())


def _visible(proposal_id: str) -> Proposal:
    """The proposal if the signed-in user may see it; 404 if there is none, else 403."""
    with reworded(_("There is no proposal %(id)s.", id=proposal_id), ProposalNotFound):
        p = _moderation().get(proposal_id)
    require(may_view(current_user(), p))
    return p


def problem_text(problem: FormProblem) -> str:
    """A form problem in the reader's language, naming the field as the form does."""
    name = FIELD_LABELS.get(problem.field, problem.field)
    texts = {
        "too-long": _("%(field)s is too long.", field=name),
        "web-address": _("%(field)s must be a web address starting with https:// or http://.",
                         field=name),
        "email": _("%(field)s is not an email address.", field=name),
        "language": _("Choose a language from the list."),
        "no-building-block": _("Choose at least one EIRA building block the solution implements."),
        "building-block": _("Choose at most 20 building blocks, from the list."),
        "collection": _("Choose a collection from the list, or none."),
        "licence": _("There is no licence called “%(name)s”: pick one from the list or type its SPDX "
                     "identifier, e.g. EUPL-1.2.", name=problem.value),
    }
    return texts.get(problem.kind, name)


def error_text(exc: ModerationError) -> str:
    if isinstance(exc, TransitionError):
        state = STATE_LABELS.get(exc.state, exc.state)
        return {
            "submit": _("Only a draft can be submitted; this proposal's state is: %(state)s.", state=state),
            "edit": _("Only a draft can be changed; this proposal's state is: %(state)s.", state=state),
            "archive": _("Only a published solution can be archived; this proposal's state is: %(state)s.",
                         state=state),
        }.get(exc.action, _("Only a proposal awaiting moderation can be validated or sent back; "
                            "this proposal's state is: %(state)s.", state=state))
    if isinstance(exc, PublishRefused):
        return _("Publishing was refused by validation: nothing changed. The report says why.")
    if isinstance(exc, NotAllowed):
        return _("Your account may not do this.")
    return str(exc)


def _choices() -> dict:
    """The building blocks (by EIRA view, named in the reader's language) and the licences
    (the common ones first) the form offers, from the vocabularies."""
    catalogue = _catalogue()
    groups = building_blocks(catalogue, label_languages())
    labels = {b.iri: b.label for group in groups for b in group.blocks}
    return {"block_groups": groups, "licences": licence_choices(catalogue),
            "block_labels": labels, "content_languages": LANGUAGES, **_collection_choices()}


def _collection_choices() -> dict:
    """The published collections a solution may be proposed into, titled in the reader's language."""
    found = collections(_catalogue(), label_languages())
    return {"collection_choices": found, "collection_labels": {c.iri: c.label for c in found}}


def _form_page(form: ProposalForm, checked: Checked | None, proposal: Proposal | None, status: int):
    from catalogue.reports import explain

    explained = explain(checked.report, reader_language()) if checked and not checked.report.conforms \
        else None
    problems = [problem_text(p) for p in checked.problems] if checked else []
    # each field's own problem again beside it (the list above may be a screen away on a phone)
    field_problems = {p.field: problem_text(p) for p in reversed(checked.problems)} if checked else {}
    choices = _choices()
    licence_picked, licence_typed = choices["licences"].picked(form.licence)
    return render_template("propose.html", form=form, proposal=proposal, problems=problems,
                           field_problems=field_problems, explained=explained, labels=FIELD_LABELS,
                           licence_picked=licence_picked, licence_typed=licence_typed, **choices), status


def _submitted_form() -> ProposalForm:
    return ProposalForm.from_fields(request.form, request.form.getlist("blocks"))


@bp.route("/propose", methods=["GET", "POST"])
@login_required
def propose():
    if request.method == "GET":
        return _form_page(ProposalForm(language=reader_language()), None, None, 200)
    form = _submitted_form()
    submit = request.form.get("action") == "submit"
    checked, proposal = _moderation().create(form, current_user(), submit=submit)  # type: ignore[arg-type]
    if proposal is None:  # as checked: a licence typed by its SPDX id is ticked if it is a common one
        return _form_page(checked.form, checked, None, 422)
    flash(DONE["submit"] if submit else _("Saved as a draft: only you and the moderators see it."))
    return redirect(url_for("moderation.proposal", proposal_id=proposal.id), code=303)


@bp.route("/proposals")
@login_required
def proposals():
    user = current_user()
    moderation = _moderation()
    moderating = user.moderates_any  # type: ignore[union-attr]
    # a facilitator's queue: the proposals into their collections only
    judged = [p for p in moderation.proposals() if judges(user, p)] if moderating else []
    return render_template(
        "proposals.html", mine=moderation.proposals(author=user.username),  # type: ignore[union-attr]
        queue=[p for p in judged if p.state == "proposed"], moderating=moderating,
        others=[p for p in judged if p.state != "proposed"], states=STATE_LABELS,
        **_collection_choices())


@bp.route("/proposals/<proposal_id>")
@login_required
def proposal(proposal_id: str):
    return _proposal_page(_visible(proposal_id), None, None, 200)


def _proposal_page(p: Proposal, error: str | None, report: Report | None, status: int):
    from catalogue.reports import explain

    moderation = _moderation()
    review = report or moderation.review(p.id)
    user = current_user()
    actions = {a: may(user, a, p) for a in (*ACTIONS, "edit")}
    return render_template(
        "proposal.html", p=p, form=moderation.form(p.id), error=error, actions=actions,
        explained=explain(review, reader_language()) if review.findings or review.error else None,
        states=STATE_LABELS, events=EVENT_LABELS, labels=FIELD_LABELS, max_note=MAX_NOTE,
        published=p.state == "validated", **_choices()), status


@bp.route("/proposals/<proposal_id>/edit", methods=["GET", "POST"])
@login_required
def edit(proposal_id: str):
    p = _visible(proposal_id)
    require(may(current_user(), "edit", p))
    moderation = _moderation()
    if request.method == "GET":
        if p.state != "draft":
            refused = TransitionError("edit", p.state)
            return _proposal_page(p, error_text(refused), None, status_of(refused))
        return _form_page(moderation.form(p.id), None, p, 200)
    form = _submitted_form()
    submit = request.form.get("action") == "submit"
    try:
        checked, saved = moderation.edit(p.id, form, current_user(), submit=submit)  # type: ignore[arg-type]
    except ModerationError as exc:  # the proposal's page, saying why
        return _proposal_page(p, error_text(exc), None, status_of(exc))
    if saved is None:
        return _form_page(checked.form, checked, p, 422)
    flash(DONE["submit"] if submit else _("Your changes are saved."))
    return redirect(url_for("moderation.proposal", proposal_id=p.id), code=303)


@bp.route("/proposals/<proposal_id>/<action>", methods=["POST"])
@login_required
def act(proposal_id: str, action: str):
    if action not in ACTIONS:
        abort(404)
    p = _visible(proposal_id)
    user = current_user()
    require(may(user, action, p))
    moderation = _moderation()
    try:
        if action == "submit":
            moderation.submit(p.id, user)  # type: ignore[arg-type]
        elif action == "reject":
            note = request.form.get("note", "")
            if len(note.strip()) > MAX_NOTE:
                return _proposal_page(p, _("The note is too long: write at most %(n)d characters.",
                                           n=MAX_NOTE), None, 400)
            moderation.reject(p.id, user, note)  # type: ignore[arg-type]
        elif action == "validate":
            moderation.validate(p.id, user)  # type: ignore[arg-type]
        else:
            moderation.archive(p.id, user)  # type: ignore[arg-type]
    except PublishRefused as exc:  # the proposal's page, with the report that says why
        return _proposal_page(p, error_text(exc), exc.report, status_of(exc))
    except NotAllowed as exc:
        return _proposal_page(p, error_text(exc), None, status_of(exc))
    except ModerationError as exc:  # moved meanwhile: as it is now
        return _proposal_page(moderation.get(p.id), error_text(exc), None, status_of(exc))
    flash(DONE[action])
    return redirect(url_for("moderation.proposal", proposal_id=p.id), code=303)


@bp.route("/duplicates/decide", methods=["POST"])
@login_required
def decide_duplicate():
    """A moderator says two sources' records are the same solution (merged: search shows
    one) or not (no longer listed as possibly the same); back to the record's page, which
    then lists the other under "Also published by", or no more.

    :raise 403: the account is not a moderator.
    :raise 400: no decision.
    :raise DecisionError: not two published solutions of different sources (400).
    """
    user = current_user()
    require(user is not None and user.is_moderator)
    form = request.form
    decision = form.get("decision")
    if decision not in ("same", "different"):
        abort(400, _("Say whether the two records are the same solution or not."))
    record, other = form.get("record", ""), form.get("other", "")
    _catalogue().reader.decide_same(record, other, same=decision == "same",
                             moderator=user.iri)  # type: ignore[union-attr]
    # no flash: resource pages are cached representations; the page itself shows the change
    return redirect(url_for("ld.resource", uri=record), code=303)
