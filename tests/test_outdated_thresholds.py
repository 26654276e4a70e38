"""'May be outdated' per kind of asset (issue 16, item 3): moderators set a threshold per
ADMS asset type; the solution page and the score's "recent" points follow it; the longest
threshold of a record's kinds wins; only moderators set them, with who and when kept."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pyoxigraph as ox
import pytest

from catalogue.app import Catalogue
from catalogue.quality import ThresholdError, score_graph
from catalogue.quality.outdated import threshold
from catalogue.settings import load_settings
from webapp import create_app

ONTOLOGY = "http://purl.org/adms/assettype/Ontology"
CODE_LIST = "http://purl.org/adms/assettype/CodeList"
PASSWORD = "a long enough password"
DCAT = "http://www.w3.org/ns/dcat#"
DCT = "http://purl.org/dc/terms/"


def test_the_longest_threshold_of_a_records_kinds_wins():
    assert threshold([ONTOLOGY, CODE_LIST], {ONTOLOGY: 100, CODE_LIST: 2000}, 1095) == 2000
    assert threshold([ONTOLOGY], {CODE_LIST: 2000}, 1095) == 1095
    assert threshold([], {}, 0) == 0


def _solution(iri: str, modified: datetime, kind: str) -> list[ox.Triple]:
    s = ox.NamedNode(iri)
    return [ox.Triple(s, ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type"), ox.NamedNode(DCAT + "Dataset")),
            ox.Triple(s, ox.NamedNode(DCT + "modified"), ox.Literal(modified.date().isoformat(),
                                                                   datatype=ox.NamedNode("http://www.w3.org/2001/XMLSchema#date"))),
            ox.Triple(s, ox.NamedNode(DCT + "type"), ox.NamedNode(kind))]


def test_the_scores_recent_points_follow_the_kinds_threshold():
    now = datetime(2026, 12, 1, tzinfo=UTC)
    old = now - timedelta(days=400)
    triples = _solution("http://x.example/a", old, ONTOLOGY) + _solution("http://x.example/b", old, CODE_LIST)
    plain = {s.record: "recent" in s.lost for s in score_graph(triples, now=now, outdated_after_days=365)}
    assert plain == {"http://x.example/a": True, "http://x.example/b": True}
    lenient = {s.record: "recent" in s.lost
               for s in score_graph(triples, now=now, outdated_after_days=365, thresholds={CODE_LIST: 1825})}
    assert lenient == {"http://x.example/a": True, "http://x.example/b": False}
    never = score_graph(triples, now=now, outdated_after_days=365, thresholds={ONTOLOGY: 0})
    assert "recent" not in next(s for s in never if s.record == "http://x.example/a").lost


@pytest.fixture
def cat(tmp_path):
    c = Catalogue(load_settings({}, store=str(tmp_path / "store"), shacl_engine="turbo"))
    c.publishing.init(demo=False, standards=False)
    c.accounts.add_user("mod", PASSWORD, roles=("moderator",))
    c.accounts.add_user("member", PASSWORD)
    yield c
    c.close()


def test_only_moderators_set_thresholds_of_known_types(cat):
    with pytest.raises(ThresholdError) as err:
        cat.quality.thresholds.set(CODE_LIST, 1825, cat.accounts.user("member"))
    assert err.value.error_kind.value == "forbidden"
    for bad_type, days in ((DCAT + "Dataset", 10), (CODE_LIST, -1), (CODE_LIST, 99999)):
        with pytest.raises(ThresholdError):
            cat.quality.thresholds.set(bad_type, days, cat.accounts.user("mod"))
    assert cat.quality.thresholds.current() == {}
    cat.quality.thresholds.set(CODE_LIST, 1825, cat.accounts.user("mod"))
    cat.quality.thresholds.set(ONTOLOGY, 200, cat.accounts.user("mod"))
    cat.quality.thresholds.set(ONTOLOGY, None, cat.accounts.user("mod"))  # back to the default
    assert cat.quality.thresholds.current() == {CODE_LIST: 1825}
    assert cat.quality.outdated_after([CODE_LIST]) == 1825 and cat.quality.outdated_after([ONTOLOGY]) == 1095
    old = (datetime.now(UTC) - timedelta(days=1500)).date().isoformat()
    assert cat.quality.outdated(old, types=[ONTOLOGY]) and not cat.quality.outdated(old, types=[CODE_LIST])
    kinds = {t.iri: t for t in cat.quality.thresholds.asset_types()}
    assert CODE_LIST in kinds and kinds[CODE_LIST].days == 1825 and kinds[CODE_LIST].label


def test_the_moderators_page(cat):
    app = create_app(cat.settings, catalogue=cat)
    client = app.test_client()
    page = client.get("/login").get_data(as_text=True)
    token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    client.post("/login", data={"username": "member", "password": PASSWORD, "csrf_token": token})
    assert client.get("/moderation/quality").status_code == 403
    client = app.test_client()
    assert client.get("/moderation/quality").status_code == 302  # sign in first
    page = client.get("/login").get_data(as_text=True)
    token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    client.post("/login", data={"username": "mod", "password": PASSWORD, "csrf_token": token})
    page = client.get("/moderation/quality").get_data(as_text=True)
    token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    assert "Code list" in page or "CodeList" in page
    r = client.post("/moderation/quality", data={"type": CODE_LIST, "days": "twelve", "csrf_token": token})
    assert r.status_code == 400 and "whole number" in r.get_data(as_text=True)
    r = client.post("/moderation/quality", data={"type": CODE_LIST, "days": "1825", "csrf_token": token})
    assert r.status_code == 303 and cat.quality.thresholds.current() == {CODE_LIST: 1825}
    r = client.post("/moderation/quality", data={"type": CODE_LIST, "days": "10"})
    assert r.status_code == 400 and cat.quality.thresholds.current() == {CODE_LIST: 1825}  # no CSRF token
