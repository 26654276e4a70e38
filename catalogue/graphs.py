"""Named graphs: where each kind of fact lives, and which graphs the public sees.

Layout (all under ``CATALOGUE_BASE_URI``):

====================================  ==========================================  =======
graph                                 holds                                       public
====================================  ==========================================  =======
``graph/source/{slug}/{version}``     the accepted records of one source          current
``graph/quarantine/{slug}/{version}`` records of a source that failed validation  no
``graph/registry``                    each source and its current graphs          yes
``graph/vocab/{name}``                one vocabulary (EIRA, SPDX, countries...)   yes
``graph/provenance``                  one ``prov:Activity`` per ingest run        yes
``graph/draft/{slug}``                proposed records awaiting moderation        no
``graph/run/{slug}/{version}``        one stored run's report and its diff        no
``graph/validation/{slug}/{version}`` a version's per-record signatures and SHACL   no
                                      verdicts (derived: skipped re-validation)
``graph/accounts``                    users, roles, API token hashes              no
``graph/jobs``                        background uploads: state and report        no
``graph/membership``                  collections' members, requests, settings    no
``graph/subscriptions``               who follows what, how often, last mail      no
``graph/curation``                    moderators' same-solution decisions,       no
                                      change requests, hides and lifts (who)
``graph/hidden``                      records moderators hide, public reason      yes
``graph/quality/{slug}/{version}``    DQV quality scores of a source's version    current
``graph/quality-history``             a summary of each quality scoring run (DQV)  yes
``graph/links``                       the link checker's last check of each link  yes
``graph/usage``                       views and downloads per resource and day    no
``graph/leases``                      which process runs each background job      no
``graph/comments``                    visible comments on solutions, releases,    yes
                                      content (SIOC)
``graph/comments-private``            pending, hidden and deleted comments, edit  no
                                      history, abuse reports, moderators' acts
``graph/content``                     published and archived community content   yes
                                      (news, events, discussions, documents, pages)
``graph/content-private``             drafts, proposed content, every revision    no
====================================  ==========================================  =======

A source's data is written in bulk into a new version graph, then the registry's pointer
(``<source/{slug}> cat:graph <graph/source/{slug}/{version}>``) is switched in one small
transaction: that is what makes an ingest atomic and fast (Oxigraph's transactional writes
run at ~30k triples/s, its bulk loader at 90-180k). Only the current version is public.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass

from pyoxigraph import NamedNode

from catalogue.errors import CatalogueError, ErrorKind

SLUG = re.compile(r"^[a-z0-9][a-z0-9-]{0,62}$")
SPDX_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9.+-]{0,99}$")
# The source the catalogue publishes the proposals its moderators validate as (moderation.py).
COMMUNITY = "community"
# Paths under the base URI the catalogue mints for a source's own records: the only IRIs of
# the catalogue's namespace a dump may describe (everything else there, such as
# ``source/{slug}``, ``user/{name}`` or ``graph/...``, belongs to no source).
MINTED_RECORDS: dict[str, tuple[str, ...]] = {COMMUNITY: ("solution/",)}


class SlugError(CatalogueError, ValueError):
    """A source or vocabulary name is not a slug (bad input; not found where the caller
    looks something up by it)."""


def check_slug(slug: str, what: str = "source", *,
               error_kind: ErrorKind = ErrorKind.BAD_INPUT) -> str:
    """Return ``slug`` if it is lowercase letters, digits and dashes (max 63).

    :raise SlugError: otherwise, naming what was expected; of ``error_kind`` (a caller that
        looks a run or version up by the name passes ``ErrorKind.NOT_FOUND``: nothing can
        have a malformed name).
    """
    if not isinstance(slug, str) or not SLUG.match(slug):
        raise SlugError(
            f"{what} name {slug!r} is not valid: use 1-63 lowercase letters, digits and dashes, "
            "starting with a letter or digit (e.g. 'spain-ctt')", error_kind=error_kind
        )
    return slug


@dataclass(frozen=True)
class Graphs:
    """The graph IRIs for one base URI."""

    base: str

    def _g(self, path: str) -> NamedNode:
        return NamedNode(f"{self.base}graph/{path}")

    def source(self, slug: str, version: str) -> NamedNode:
        """One version of a source's graph (only the registry's current one is public)."""
        return self._g(f"source/{check_slug(slug)}/{check_slug(version, 'version')}")

    def source_resource(self, slug: str) -> NamedNode:
        """The source itself, as described in the registry graph."""
        return NamedNode(f"{self.base}source/{check_slug(slug)}")

    # the catalogue's own resources (not graphs): every IRI it mints is minted here

    def _r(self, path: str) -> NamedNode:
        return NamedNode(f"{self.base}{path}")

    def run_activity(self, slug: str, run_id: str) -> NamedNode:
        """The ``prov:Activity`` of one run (ingest, roll back, withdrawal) of a source."""
        return self._r(f"run/{check_slug(slug)}/{check_slug(run_id, 'run')}")

    def user(self, username: str) -> NamedNode:
        """An account (the caller has checked the name: see accounts.check_username)."""
        return self._r(f"user/{username}")

    def token(self, ident: str) -> NamedNode:
        return self._r(f"token/{ident}")

    def job(self, job_id: str) -> NamedNode:
        return self._r(f"job/{check_slug(job_id, 'job')}")

    def proposal(self, proposal_id: str) -> NamedNode:
        return self._r(f"proposal/{proposal_id}")

    def community_solution(self, proposal_id: str) -> NamedNode:
        """The PURI a proposal's solution is published at (``MINTED_RECORDS``)."""
        return self._r(f"{MINTED_RECORDS[COMMUNITY][0]}{proposal_id}")

    def event(self, parent: NamedNode, ident: str) -> NamedNode:
        """One event in the history of ``parent`` (a proposal or an account's record)."""
        return NamedNode(f"{parent.value}/event/{ident}")

    def advice_edit(self, ident: str) -> NamedNode:
        """An administrator's edit of a compatibility rule's advice (catalogue/licences/advice.py)."""
        return self._r(f"advice-edit/{ident}")

    def decision(self, ident: str) -> NamedNode:
        """A moderator's decision on two records (see pages/duplicates.py)."""
        return self._r(f"decision/{ident}")

    def comment(self, ident: str) -> NamedNode:
        """One comment (catalogue/community/comments.py); ``ident`` is 12 hex digits."""
        return self._r(f"comment/{ident}")

    @property
    def comments(self) -> NamedNode:
        """Visible comments (``sioc:Post``): public, so /sparql and the dumps carry them;
        never read by the data version (a comment must not flush every cache)."""
        return self._g("comments")

    @property
    def comments_private(self) -> NamedNode:
        """Pending, hidden and deleted comments, edit history, abuse reports and who
        moderated what (catalogue/community/comments.py); private."""
        return self._g("comments-private")

    def curation_action(self, ident: str) -> NamedNode:
        """A moderator's or publisher's curation action: a change request, its closing, a
        hide or a lift (catalogue/quality/curation.py); ``ident`` is 32 hex digits."""
        return self._r(f"curation/{ident}")

    def licence(self, spdx_id: str, *, error_kind: ErrorKind = ErrorKind.BAD_INPUT) -> NamedNode:
        """A licence of the bundled classification (``vocab/licences.DERIVED.ttl``, whose
        relative ``<licence/{id}>`` the vocabulary loader resolves against the base URI).

        :raise SlugError: ``spdx_id`` is not shaped like an SPDX id, of ``error_kind``.
        """
        if not isinstance(spdx_id, str) or not SPDX_ID.match(spdx_id):
            raise SlugError(f"{spdx_id!r} is not an SPDX licence id (e.g. 'EUPL-1.2')",
                            error_kind=error_kind)
        return self._r(f"licence/{spdx_id}")

    @property
    def catalog(self) -> NamedNode:
        """The ``dcat:Catalog`` others harvest (feeds.py) and its publisher."""
        return self._r("catalog")

    @property
    def catalog_publisher(self) -> NamedNode:
        return self._r("catalog/publisher")

    @property
    def dataset(self) -> NamedNode:
        """The VoID dataset: everything public."""
        return self._r("dataset")

    @property
    def registry(self) -> NamedNode:
        return self._g("registry")

    def vocab(self, name: str) -> NamedNode:
        return self._g(f"vocab/{check_slug(name, 'vocabulary')}")

    @property
    def provenance(self) -> NamedNode:
        return self._g("provenance")

    def quality(self, source_graph: NamedNode) -> NamedNode:
        """The quality scores (DQV, catalogue/quality/) of one version of a source's graph:
        public exactly when that version is, so scores follow roll backs and withdrawals."""
        prefix = f"{self.base}graph/source/"
        if not source_graph.value.startswith(prefix):
            raise ValueError(f"not a source graph: {source_graph.value}")
        return self._g("quality/" + source_graph.value[len(prefix):])

    def quality_measurement(self, slug: str, record: str, metric: str) -> NamedNode:
        """One ``dqv:QualityMeasurement`` of a record of a source (catalogue/quality/dqv.py):
        per source, so a record two sources describe has two."""
        digest = hashlib.sha256(record.encode()).hexdigest()[:24]
        return self._r(f"quality/{check_slug(slug)}/{digest}/{metric}")

    @property
    def links(self) -> NamedNode:
        """The link checker's results (catalogue/quality/links.py): one ``q:LinkCheck`` per
        link of the current source graphs, public like the scores they change."""
        return self._g("links")

    def link_check(self, url: str) -> NamedNode:
        """The ``q:LinkCheck`` node of one checked URL (one per URL, whoever links to it)."""
        return self._r(f"link/{hashlib.sha256(url.encode()).hexdigest()[:32]}")

    @property
    def link_check_run(self) -> NamedNode:
        """The last link-check run (its ``prov:endedAtTime`` moves the data version)."""
        return self._r("link/run")

    @property
    def quality_history(self) -> NamedNode:
        """A summary of every quality scoring run of every source (catalogue/quality/history.py):
        the dashboards' trends. Not under ``graph/quality/``, whose older graphs a recompute
        drops; public, like the scores it sums up."""
        return self._g("quality-history")

    def quality_history_point(self, slug: str, version: str, stamp: str) -> NamedNode:
        """One scoring run of a source's version (``stamp``: digits of its time)."""
        return self._r(f"quality-history/{check_slug(slug)}/{check_slug(version, 'version')}/"
                       f"{check_slug(stamp, 'stamp')}")

    def quality_history_measurement(self, point: NamedNode, metric: str) -> NamedNode:
        """One ``dqv:QualityMeasurement`` of a scoring run's summary (``point``)."""
        return NamedNode(f"{point.value}/{metric}")

    def quarantine(self, slug: str, version: str) -> NamedNode:
        return self._g(f"quarantine/{check_slug(slug)}/{check_slug(version, 'version')}")

    def run(self, slug: str, version: str) -> NamedNode:
        """The report and diff of the run that stored ``version`` (seen by its publishers)."""
        return self._g(f"run/{check_slug(slug)}/{check_slug(version, 'version')}")

    def validation(self, slug: str, version: str) -> NamedNode:
        """What validating ``version`` found per record (catalogue/ingest/verdicts.py), so
        the next ingest validates only the records that changed; dropped with the version."""
        return self._g(f"validation/{check_slug(slug)}/{check_slug(version, 'version')}")

    @property
    def accounts(self) -> NamedNode:
        return self._g("accounts")

    @property
    def jobs(self) -> NamedNode:
        return self._g("jobs")

    @property
    def leases(self) -> NamedNode:
        """Claims on the background jobs' leases (catalogue/background/lease.py): which
        process runs the harvests, link checks, mails... now. Private, outside the data
        version: renewed every few minutes."""
        return self._g("leases")

    def lease(self, name: str) -> NamedNode:
        """One background job's lease (e.g. ``harvests``)."""
        return self._r(f"lease/{check_slug(name, 'lease')}")

    def lease_claim(self, name: str, ident: str) -> NamedNode:
        """One process's claim on a lease (``ident``: a hex token of that claim)."""
        return self._r(f"lease/{check_slug(name, 'lease')}/{check_slug(ident, 'claim')}")

    def membership_of(self, collection: str, username: str) -> NamedNode:
        """One account's membership of one collection (catalogue/community/membership.py)."""
        digest = hashlib.sha256(f"{collection}|{username}".encode()).hexdigest()[:24]
        return self._r(f"membership/{digest}")

    def community_action(self, ident: str) -> NamedNode:
        """One act on a community: who did what to whom, when (``ident``: 16 hex digits)."""
        return self._r(f"membership/action/{ident}")

    def invitation(self, ident: str) -> NamedNode:
        """An invitation to join a collection, mailed (``ident``: 16 hex digits)."""
        return self._r(f"membership/invitation/{ident}")

    def mail_token(self, ident: str) -> NamedNode:
        """A link mailed to confirm an address or reset a password (``ident``: 16 hex digits)."""
        return self._r(f"mail-token/{ident}")

    def subscription(self, username: str, target: str) -> NamedNode:
        """One account's subscription to one collection, solution or discussion."""
        digest = hashlib.sha256(f"{username}|{target}".encode()).hexdigest()[:24]
        return self._r(f"subscription/{digest}")

    def subscription_by_ident(self, ident: str) -> NamedNode:
        """A subscription named by the last segment of its IRI (an unsubscribe link's)."""
        return self._r(f"subscription/{ident}")

    @property
    def subscriptions(self) -> NamedNode:
        """Who follows what, which kinds of news, how often, when their last mail went
        (catalogue/community/subscriptions.py); private."""
        return self._g("subscriptions")

    @property
    def membership(self) -> NamedNode:
        """Collections' communities: memberships, requests, invitations, settings, and who
        did what (catalogue/community/membership.py); private."""
        return self._g("membership")

    @property
    def curation(self) -> NamedNode:
        """Moderators' decisions on records that may be the same solution, and administrators'
        edits of the Licensing Assistant's advice (who and when)."""
        return self._g("curation")

    @property
    def hidden(self) -> NamedNode:
        """The records moderators hide, each with its public reason and when (public, so a
        SPARQL user can filter them out); who hid it stays in the curation graph."""
        return self._g("hidden")

    @property
    def usage(self) -> NamedNode:
        """Usage counts (catalogue/usage/): per resource and day, how often it was downloaded
        and viewed; never who. Private: its writes every minute must not move the data
        version nor reach /sparql and the dumps."""
        return self._g("usage")

    def usage_count(self, resource: str, day: str) -> NamedNode:
        """The ``q:UsageCount`` node of one resource on one day (``YYYY-MM-DD``, UTC)."""
        return self._r(f"usage/{hashlib.sha256(resource.encode()).hexdigest()[:32]}/{day}")

    def usage_increment(self, resource: str, day: str, flush: str) -> NamedNode:
        """The ``q:UsageCount`` node of what one flush (``flush``: a hex token) added to one
        resource's counts of one day, until merged into :meth:`usage_count`'s node."""
        return self._r(f"usage/{hashlib.sha256(resource.encode()).hexdigest()[:32]}/{day}/"
                       f"{check_slug(flush, 'flush')}")

    @property
    def content(self) -> NamedNode:
        """Published and archived community content (catalogue/community/content.py): public,
        yet outside the data version (a post must not flush every cache)."""
        return self._g("content")

    @property
    def content_private(self) -> NamedNode:
        """Drafts and proposed content, and the revision history of every item: private."""
        return self._g("content-private")

    def content_item(self, ident: str) -> NamedNode:
        """The PURI of one content item (``ident``: 12 hex digits)."""
        return self._r(f"content/{ident}")

    def document_file(self, sha256: str) -> NamedNode:
        """Where an uploaded document's bytes are served, by their SHA-256 (64 hex digits)."""
        return self._r(f"document/{sha256}")

    def draft(self, slug: str) -> NamedNode:
        return self._g(f"draft/{check_slug(slug)}")

    def reserved(self, iri: str, source: str) -> bool:
        """Whether ``iri`` is in the catalogue's own namespace and not minted for ``source``'s
        records: a dump of ``source`` may point at it but not describe it."""
        if not iri.startswith(self.base):
            return False
        rest = iri[len(self.base):]
        return not any(rest.startswith(p) for p in MINTED_RECORDS.get(source, ()))

    def kind(self, graph: NamedNode) -> tuple[str, str] | None:
        """('source', slug), ('vocab', name), ('provenance', ''), ... or None if not ours."""
        prefix = f"{self.base}graph/"
        if not graph.value.startswith(prefix):
            return None
        rest = graph.value[len(prefix):]
        kind, _, name = rest.partition("/")
        return kind, name.split("/")[0]
