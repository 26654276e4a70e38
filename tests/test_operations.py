"""Health and metrics (issue 17, item 8): /-/health says what is wrong with 503, /-/metrics
speaks Prometheus' text format with bounded labels, and neither touches a session."""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta
from pathlib import Path
from types import SimpleNamespace

import pytest
from prometheus_client.parser import text_string_to_metric_families

from catalogue.app import Catalogue
from catalogue.operations import BACKGROUND, QueryTimedOut
from catalogue.operations.health import INDEX_GRACE, check_search_index
from catalogue.settings import load_settings
from tests.conftest import free_port
from webapp import create_app

DATA = Path(__file__).parent / "data" / "ingest" / "two-solutions.ttl"
SOLUTION = "http://repo.example.org/solution-1"


@pytest.fixture
def site(tmp_path):
    """(catalogue with one stored source, test client without a cookie jar)."""
    c = Catalogue(load_settings({}, store=str(tmp_path / "store")))
    assert c.publishing.ingest("example", DATA.read_bytes(), filename="x.ttl").stored
    app = create_app(c.settings, c)
    yield c, app.test_client(use_cookies=False)
    c.close()


def samples(client, **headers) -> dict[tuple[str, tuple], float]:
    """(sample name, sorted labels) -> value, from a scrape of /-/metrics."""
    answer = client.get("/-/metrics", headers=headers)
    assert answer.status_code == 200, answer.data
    assert answer.content_type.startswith("text/plain; version=")
    return {(s.name, tuple(sorted(s.labels.items()))): s.value
            for family in text_string_to_metric_families(answer.get_data(as_text=True)) for s in family.samples}


def no_session(answer) -> None:
    assert "Set-Cookie" not in answer.headers
    assert "cookie" not in answer.headers.get("Vary", "").lower()
    assert answer.headers["Cache-Control"] == "no-store"


def test_health_is_ok_on_a_working_catalogue(site):
    _, client = site
    answer = client.get("/-/health")
    assert answer.status_code == 200, answer.json
    assert answer.json["status"] == "ok"
    checks = answer.json["checks"]
    assert checks["store"]["ok"] and checks["store"]["backend"] == "embedded"
    assert checks["search_index"]["state"] == "fresh" and checks["search_index"]["documents"] > 0
    assert {name: checks[name]["state"] for name in BACKGROUND} == {
        "harvest_scheduler": "off", "link_checks": "off", "notifier": "off", "usage_flush": "idle",
        "usage_compaction": "off"}
    no_session(answer)


def test_health_is_503_with_a_reason_when_the_store_is_unreachable(tmp_path):
    closed = f"http://127.0.0.1:{free_port()}/query"
    c = Catalogue(load_settings({}, store=str(tmp_path / "store"), sparql_query_url=closed, remote_timeout=2.0))
    client = create_app(c.settings, c).test_client(use_cookies=False)
    answer = client.get("/-/health")
    assert answer.status_code == 503
    assert answer.json["status"] == "unavailable"
    store = answer.json["checks"]["store"]
    assert store["ok"] is False and store["state"] in ("unreachable", "no answer") and store["reason"]
    assert answer.json["checks"]["search_index"]["ok"] is False
    assert "127.0.0.1" not in answer.get_data(as_text=True)  # no address of the store leaks
    no_session(answer)


def test_health_is_503_when_a_registered_background_thread_died(site):
    c, client = site
    stop = threading.Event()
    alive = threading.Thread(target=stop.wait, daemon=True)
    alive.start()
    c.operations.register("notifier", SimpleNamespace(thread=alive))
    try:
        ok = client.get("/-/health")
        assert ok.status_code == 200 and ok.json["checks"]["notifier"]["state"] == "alive"
        died = threading.Thread(target=lambda: None)
        died.start()
        died.join()
        c.operations.register("harvest_scheduler", SimpleNamespace(thread=died))
        answer = client.get("/-/health")
        assert answer.status_code == 503
        check = answer.json["checks"]["harvest_scheduler"]
        assert check["ok"] is False and check["state"] == "stopped" and "stopped" in check["reason"]
    finally:
        stop.set()


def test_the_search_index_is_stale_when_not_written_since_the_last_stored_run(site):
    c, _ = site
    written = c.search.index().path / "meta.json"
    old = (datetime.now(UTC) - timedelta(days=2)).timestamp()
    import os

    os.utime(written, (old, old))
    assert check_search_index(c).state == "refreshing"  # the run just ended: being refreshed
    later = datetime.now(UTC) + timedelta(seconds=INDEX_GRACE + 60)
    stale = check_search_index(c, now=lambda: later)
    assert not stale.ok and stale.state == "stale" and "catalogue index" in (stale.reason or "")


def test_a_request_is_counted_by_its_route_template_not_its_path(site):
    _, client = site
    assert client.get("/queries/no-such-query-xyz").status_code == 404
    assert client.get("/queries/another-missing-one").status_code == 404
    assert client.get("/no/such/page/at-all").status_code == 404
    text = client.get("/-/metrics").get_data(as_text=True)
    assert "no-such-query-xyz" not in text and "/no/such/page" not in text
    found = samples(client)
    key = ("catalogue_http_requests_total", (("method", "GET"), ("route", "/queries/<name>"), ("status", "4xx")))
    assert found[key] == 2
    assert found[("catalogue_http_request_duration_seconds_count",
                  (("method", "GET"), ("route", "/queries/<name>")))] == 2
    assert found[("catalogue_http_requests_total", (("method", "GET"), ("route", "/<path:path>"),
                                                    ("status", "4xx")))] >= 1


def test_shared_cache_hits_are_counted_under_their_route(site):
    _, client = site
    for _ in range(3):
        assert client.get("/resource", query_string={"uri": SOLUTION},
                          headers={"Accept": "text/turtle"}).status_code == 200
    found = samples(client)
    assert found[("catalogue_response_cache_hits_total", ())] == 2
    assert found[("catalogue_response_cache_misses_total", ())] == 1
    assert found[("catalogue_http_requests_total", (("method", "GET"), ("route", "/resource"),
                                                    ("status", "2xx")))] == 3


def test_ingests_are_counted_by_outcome_with_their_findings(site):
    c, client = site
    assert c.publishing.ingest("example", DATA.read_bytes(), filename="x.ttl").stored
    refused = c.publishing.ingest("example", b"this is not turtle <", filename="x.ttl")
    assert not refused.stored
    bad = DATA.read_text().replace("dct:title", "dct:nonsense")
    c.publishing.ingest("example", bad.encode(), filename="x.ttl", mode="strict")
    found = samples(client)
    assert found[("catalogue_ingests_total", (("outcome", "stored"),))] == 1
    assert found[("catalogue_ingests_total", (("outcome", "rejected"),))] == 2
    assert found[("catalogue_ingests_total", (("outcome", "failed"),))] == 0
    assert found[("catalogue_ingest_duration_seconds_count", (("outcome", "stored"),))] == 1
    assert found.get(("catalogue_validation_findings_total", (("severity", "violation"),)), 0) >= 1


def test_query_time_outs_are_counted(site):
    c, client = site
    c.operations.emit(QueryTimedOut(10.0))
    assert samples(client)[("catalogue_sparql_query_timeouts_total", ())] == 1


def test_metrics_ask_for_the_token_when_one_is_set(tmp_path):
    c = Catalogue(load_settings({}, store=str(tmp_path / "store"), metrics_token="s3cret-token"))
    client = create_app(c.settings, c).test_client(use_cookies=False)
    try:
        for headers in ({}, {"Authorization": "Bearer wrong"}, {"Authorization": "Basic s3cret-token"}):
            answer = client.get("/-/metrics", headers=headers)
            assert answer.status_code == 401
            assert answer.headers["WWW-Authenticate"].startswith("Bearer")
            assert "s3cret" not in answer.get_data(as_text=True)
            no_session(answer)
        answer = client.get("/-/metrics", headers={"Authorization": "Bearer s3cret-token"})
        assert answer.status_code == 200
        no_session(answer)
        assert client.get("/-/health").status_code == 200  # health stays open
    finally:
        c.close()


def test_metrics_are_public_by_default_and_never_set_a_cookie(site):
    _, client = site
    answer = client.get("/-/metrics")
    assert answer.status_code == 200
    no_session(answer)
    names = {f.name for f in text_string_to_metric_families(answer.get_data(as_text=True))}
    assert {"catalogue_http_requests", "catalogue_ingests", "catalogue_validation_findings",
            "catalogue_sparql_query_timeouts", "catalogue_response_cache_hits"} <= names


def test_each_app_has_its_own_registry(tmp_path):
    c = Catalogue(load_settings({}, store=str(tmp_path / "store")))
    try:
        first, second = (create_app(c.settings, c).test_client(use_cookies=False) for _ in range(2))
        first.get("/queries/x")
        assert ("catalogue_http_requests_total", (("method", "GET"), ("route", "/queries/<name>"),
                                                  ("status", "4xx"))) not in samples(second)
    finally:
        c.close()
