"""A source's public page: its name, what it publishes, its history and its harvest state."""

from __future__ import annotations

from pathlib import Path

from catalogue.app import Catalogue
from catalogue.harvesting import configure_harvest, harvest_source
from webapp import create_app

GOOD = (Path(__file__).parent / "data" / "ingest" / "two-solutions.ttl").read_bytes()


def test_the_page_shows_history_and_the_last_harvest_to_anyone(settings):
    catalogue = Catalogue(settings)
    catalogue.publishing.register_source("spain-ctt", "Centro <de> Transferencia")
    catalogue.publishing.ingest("spain-ctt", GOOD, filename="x.ttl")
    configure_harvest(catalogue.store, catalogue.graphs, "spain-ctt",
                      "http://127.0.0.1:9/dump.ttl", every="PT6H")
    outcome = harvest_source(catalogue, "spain-ctt")  # private address: refused, recorded
    assert outcome.status == "failed"
    client = create_app(settings, catalogue).test_client()
    page = client.get("/sources/spain-ctt").text
    assert "Centro &lt;de&gt; Transferencia" in page
    assert "http://127.0.0.1:9/dump.ttl" in page and "<strong>failed</strong>" in page
    assert "stored" in page  # the ingest run in the history
    # what it publishes, by kind, and the organisations behind it by name
    publishes = page.split('id="publishes"')[1].split("</section>")[0]
    assert "<strong>2</strong>" in publishes and "Solutions" in publishes
    assert "Example Digital Agency" in publishes and ">http" not in publishes
    contents = catalogue.reader.source_contents("spain-ctt")
    assert contents.kinds["solutions"] == 2 and contents.publishers[0][1] == "Example Digital Agency"
    assert "Upload a dump" not in page and "csrf_token" not in page.split("<main")[1].split("Sign in")[0]
    listing = client.get("/sources").text
    assert "Centro &lt;de&gt; Transferencia" in listing and ">3<" in listing
    assert client.get("/sources/nope").status_code == 404
    assert client.get("/sources/Not%20A%20Slug").status_code == 404


def test_the_readme_walkthrough_files_do_what_it_says(settings):
    root = Path(__file__).resolve().parent.parent / "catalogue" / "data" / "examples"
    catalogue = Catalogue(settings)
    broken = catalogue.publishing.validate((root / "publisher-broken.ttl").read_bytes(), filename="b.ttl")
    bad = [f for f in broken.findings if f.severity == "Violation"]
    assert [(f.focus, f.path) for f in bad] == [("http://repo.example.org/solution-2",
                                                 "http://www.w3.org/ns/dcat#contactPoint")]
    assert catalogue.publishing.validate((root / "publisher-fixed.ttl").read_bytes(), filename="f.ttl").conforms
