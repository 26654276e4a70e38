"""The publishers' API on the real server: tokens, every status, reports, diffs, roll back,
hostile uploads; the store is unchanged by anything refused."""

from __future__ import annotations

import gzip
import os
import re
import subprocess
import sys
import time
from pathlib import Path

import pytest
import requests

from tests.conftest import serving
from tests.test_history import second_version
from tests.test_ingest import NO_CONTACT_ON_2
from tests.test_parse_guards import BOMB

ROOT = Path(__file__).resolve().parent.parent
GOOD = (Path(__file__).parent / "data" / "ingest" / "two-solutions.ttl").read_bytes()
NO_CONTACT = NO_CONTACT_ON_2
EX = "http://repo.example.org/"
LIMIT = 100_000
ASYNC = 20_000  # bigger uploads are done in the background
TTL = {"Content-Type": "text/turtle"}


def cli(env: dict, *args: str, input: bytes | None = None) -> str:
    proc = subprocess.run([sys.executable, "-m", "catalogue_cli", *args], env=env, input=input,
                          capture_output=True, cwd=ROOT, check=True)
    return proc.stdout.decode()


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    store = tmp_path_factory.mktemp("publish") / "store"
    env = {**os.environ, "CATALOGUE_STORE": str(store), "CATALOGUE_MAX_UPLOAD_BYTES": str(LIMIT),
           "CATALOGUE_ASYNC_UPLOAD_BYTES": str(ASYNC)}
    cli(env, "publisher", "add", "spain-ctt", "--name", "Spain: Centro de Transferencia")
    cli(env, "publisher", "add", "other", "--name", "Another repository")
    tokens = {slug: cli(env, "token", "create", slug).strip().splitlines()[-1]
              for slug in ("spain-ctt", "other")}
    created = cli(env, "token", "create", "spain-ctt", "--label", "to revoke").strip().splitlines()
    revoked = created[-1]
    iri = re.search(r"\((https?://[^)]+)\)", created[0]).group(1)
    assert iri in cli(env, "token", "list", "spain-ctt")
    cli(env, "token", "revoke", "spain-ctt", iri)
    with serving(env) as url:
        yield {"url": url, "tokens": tokens, "revoked": revoked}


def post(site, body: bytes, token: str | None = "spain-ctt", slug: str = "spain-ctt",
         headers: dict | None = None, **params) -> requests.Response:
    h = {**TTL, **(headers or {})}
    if token:
        h["Authorization"] = "Bearer " + site["tokens"].get(token, token)
    return requests.post(f"{site['url']}/api/sources/{slug}/dumps", data=body, headers=h,
                         params=params, timeout=60)


def runs(site, slug: str = "spain-ctt") -> list:
    r = requests.get(f"{site['url']}/api/sources/{slug}/runs",
                     headers={"Authorization": "Bearer " + site["tokens"][slug]}, timeout=10)
    assert r.status_code == 200
    return r.json()["runs"]


def published(site) -> int:
    r = requests.get(site["url"] + "/sparql", params={
        "query": f"SELECT (COUNT(*) AS ?n) WHERE {{ ?s ?p ?o FILTER(STRSTARTS(STR(?s), '{EX}')) }}"},
        headers={"Accept": "application/sparql-results+json"}, timeout=10)
    assert r.status_code == 200, r.text
    return int(r.json()["results"]["bindings"][0]["n"]["value"])


def test_no_token_bad_token_revoked_token_are_401(site):
    r = post(site, GOOD, token=None)
    assert r.status_code == 401 and r.headers["WWW-Authenticate"].startswith("Bearer")
    assert "Authorization: Bearer" in r.json()["error"]["message"]
    assert post(site, GOOD, token="cat_nonsense").status_code == 401
    r = post(site, GOOD, token=site["revoked"])
    assert r.status_code == 401 and "revoked" in r.json()["error"]["message"]
    assert requests.get(site["url"] + "/api/sources/spain-ctt/runs", timeout=10).status_code == 401


def test_a_token_of_another_source_is_403(site):
    r = post(site, GOOD, token="other")
    assert r.status_code == 403 and "'other'" in r.json()["error"]["message"]


def test_refused_uploads_leave_the_store_unchanged(site):
    before, before_runs = published(site), len(runs(site))
    broken = post(site, b"@prefix ex: <http://ex.org/> .\nex:a ex:b ex:c ;\n  ex:d .\n")
    assert broken.status_code == 400
    assert broken.json()["error"]["line"] == 3 and broken.json()["error"]["column"]
    assert post(site, b"x" * (LIMIT + 10)).status_code == 413
    assert post(site, gzip.compress(b"#" * (LIMIT * 20)), headers={"Content-Type": "text/turtle",
                "Content-Encoding": "identity"}).status_code in (400, 413)
    assert post(site, b"a,b\n1,2\n", headers={"Content-Type": "text/csv"}).status_code == 415
    assert post(site, BOMB, headers={"Content-Type": "application/rdf+xml"}).status_code == 400
    remote = b'{"@context": "http://example.org/ctx.jsonld", "@id": "http://ex.org/a"}'
    r = post(site, remote, headers={"Content-Type": "application/ld+json"})
    assert r.status_code == 400 and "never fetched" in r.json()["error"]["message"]
    assert post(site, b"", ).status_code == 400
    assert post(site, GOOD, mode="sloppy").status_code == 400
    rejected = post(site, NO_CONTACT)
    assert rejected.status_code == 422
    body = rejected.json()
    assert body["conforms"] is False and body["stored"] is False
    bad = [r for r in body["results"] if r["severity"] == "Violation"]
    assert bad[0]["focus"] == EX + "solution-2" and bad[0]["path"].endswith("#contactPoint")
    assert bad[0]["explanation"]["fix"]
    assert (published(site), len(runs(site))) == (before, before_runs)


def test_a_dry_run_validates_and_stores_nothing(site):
    before, before_runs = published(site), len(runs(site))
    r = post(site, GOOD, dry_run="true")
    assert r.status_code == 200 and r.json()["conforms"] is True and r.json()["stored"] is False
    assert post(site, NO_CONTACT, dry_run="true").status_code == 422
    assert post(site, NO_CONTACT, dry_run="true", mode="partial").status_code == 200
    assert (published(site), len(runs(site))) == (before, before_runs)


def test_store_change_see_the_diff_and_roll_back(site):
    r = post(site, GOOD)
    assert r.status_code == 201, r.text
    first = r.headers["Location"]
    assert r.json()["stored"] is True and EX + "solution-1" in r.json()["diff"]["added"]
    assert published(site) > 0
    page = requests.get(site["url"] + "/resource", params={"uri": EX + "solution-2"},
                        headers={"Accept": "text/turtle"}, timeout=10)
    assert page.status_code == 200
    hits = requests.get(site["url"] + "/search", params={"q": "registries"}, timeout=10)
    assert "Base Registry Connector" in hits.text

    r = post(site, second_version())
    assert r.status_code == 201
    auth = {"Authorization": "Bearer " + site["tokens"]["spain-ctt"]}
    run = requests.get(site["url"] + r.headers["Location"], headers=auth, timeout=10).json()
    assert run["report"]["diff"]["removed"] == [EX + "solution-2"]
    title = [c for c in run["changes"] if c["node"] == EX + "solution-1" and c["property"].endswith("title")]
    assert title[0]["new"] == ["Open e-Invoicing Gateway NG @en"]
    gone = requests.get(site["url"] + "/resource", params={"uri": EX + "solution-2"}, timeout=10)
    assert gone.status_code == 410
    ttl = requests.get(site["url"] + r.headers["Location"] + "/report.ttl", headers=auth, timeout=10)
    assert ttl.status_code == 200 and "sh:ValidationReport" in ttl.text

    first_id = first.rsplit("/", 1)[-1]
    back = requests.post(site["url"] + "/api/sources/spain-ctt/rollback", json={"version": first_id},
                         headers=auth, timeout=60)
    assert back.status_code == 201 and back.json()["diff"]["added"] == [EX + "solution-2"]
    assert requests.get(site["url"] + "/resource", params={"uri": EX + "solution-2"},
                        timeout=10).status_code == 200
    again = requests.post(site["url"] + "/api/sources/spain-ctt/rollback", json={"version": first_id},
                          headers=auth, timeout=60)
    assert again.status_code == 409
    unknown = requests.post(site["url"] + "/api/sources/spain-ctt/rollback", json={"version": "nope"},
                            headers=auth, timeout=60)
    assert unknown.status_code == 404
    other = requests.post(site["url"] + "/api/sources/spain-ctt/rollback", json={"version": first_id},
                          headers={"Authorization": "Bearer " + site["tokens"]["other"]}, timeout=60)
    assert other.status_code == 403


def test_partial_mode_stores_the_valid_records(site):
    r = post(site, NO_CONTACT, mode="partial")
    assert r.status_code == 201 and r.json()["records"]["rejected"] >= 1


def test_the_openapi_document_describes_every_route(site):
    doc = requests.get(site["url"] + "/api/openapi.json", timeout=10).json()
    assert doc["openapi"].startswith("3.1") and doc["servers"][0]["url"] == site["url"]
    upload = doc["paths"]["/api/sources/{slug}/dumps"]["post"]
    assert {"200", "201", "400", "401", "403", "413", "415", "422"} <= set(upload["responses"])
    for path in doc["paths"]:
        assert path.startswith("/api/")


def wait_for_job(site, location: str, token: str = "spain-ctt") -> dict:
    auth = {"Authorization": "Bearer " + site["tokens"][token]}
    for _ in range(300):
        r = requests.get(site["url"] + location, headers=auth, timeout=10)
        assert r.status_code == 200, r.text
        if r.json()["status"] not in ("queued", "running"):
            return r.json()
        assert r.headers["Retry-After"]
        time.sleep(0.2)
    raise AssertionError("the job never ended")


def test_big_or_async_uploads_are_answered_202_and_polled(site):
    padded = GOOD + b"\n# padding\n" * (ASYNC // 10)
    r = post(site, padded)
    assert r.status_code == 202 and r.json()["status"] == "queued"
    location = r.headers["Location"]
    assert location.startswith("/api/sources/spain-ctt/jobs/")
    done = wait_for_job(site, location)
    assert done["status"] == "stored" and done["report"]["stored"] is True
    auth = {"Authorization": "Bearer " + site["tokens"]["spain-ctt"]}
    assert requests.get(done["run"], headers=auth, timeout=10).status_code == 200

    r = post(site, NO_CONTACT, **{"async": "true"})
    assert r.status_code == 202
    done = wait_for_job(site, r.headers["Location"])
    assert done["status"] == "rejected" and done["report"]["conforms"] is False
    assert done["report"]["results"][0]["explanation"]["fix"]

    other = requests.get(site["url"] + r.headers["Location"],
                         headers={"Authorization": "Bearer " + site["tokens"]["other"]}, timeout=10)
    assert other.status_code == 403
    unknown = requests.get(site["url"] + "/api/sources/spain-ctt/jobs/0123456789abcdef",
                           headers=auth, timeout=10)
    assert unknown.status_code == 404
    mine = requests.get(site["url"] + "/api/sources/other/jobs/" + r.json()["job"],
                        headers={"Authorization": "Bearer " + site["tokens"]["other"]}, timeout=10)
    assert mine.status_code == 404  # a job id alone proves nothing: it is spain-ctt's job
