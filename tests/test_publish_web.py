"""Publishers on the site, through a real server and a cookie-keeping client: sign in,
CSRF on every form, the permission matrix of every write route, upload with a report
a person can act on, the diff, tokens, roll back."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
import requests

from tests.conftest import serving
from tests.test_history import second_version
from tests.test_ingest import NO_CONTACT_ON_2
from tests.test_parse_guards import BOMB

ROOT = Path(__file__).resolve().parent.parent
GOOD = (Path(__file__).parent / "data" / "ingest" / "two-solutions.ttl").read_bytes()
PASSWORD = "a long enough password"
USERS = {  # username: (extra CLI arguments)
    "alice": ("--publisher", "spain-ctt"),
    "carol": ("--publisher", "other"),
    "bob": (),
    "mod": ("--role", "moderator"),
    "root": ("--role", "admin"),
}


def cli(env: dict, *args: str) -> str:
    return subprocess.run([sys.executable, "-m", "catalogue_cli", *args], env=env, cwd=ROOT,
                          capture_output=True, check=True).stdout.decode()


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    store = tmp_path_factory.mktemp("publish-web") / "store"
    env = {**os.environ, "CATALOGUE_STORE": str(store), "CATALOGUE_NEW_PASSWORD": PASSWORD}
    cli(env, "publisher", "add", "spain-ctt", "--name", "Spain <CTT> & co")
    cli(env, "publisher", "add", "other", "--name", "Another repository")
    for name, extra in USERS.items():
        cli(env, "user", "add", name, *extra)
    with serving(env) as url:
        yield url


def csrf(page: str) -> str:
    return re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)


def signed_in(site: str, username: str | None) -> requests.Session:
    s = requests.Session()
    if username is not None:
        form = s.get(site + "/login", timeout=10).text
        r = s.post(site + "/login", data={"username": username, "password": PASSWORD,
                                          "csrf_token": csrf(form)}, timeout=10)
        assert r.status_code == 200 and "Signed in as" in r.text, r.text[:500]
    return s


def token_of(s: requests.Session, site: str, path: str = "/sources/spain-ctt") -> str:
    page = s.get(site + path, timeout=10).text
    return csrf(page) if 'name="csrf_token"' in page else "none"


def test_wrong_password_is_refused_without_saying_which_part(site):
    s = requests.Session()
    form = s.get(site + "/login", timeout=10).text
    r = s.post(site + "/login", data={"username": "alice", "password": "wrong one!",
                                      "csrf_token": csrf(form)}, timeout=10)
    assert r.status_code == 401 and "Wrong username or password" in r.text
    r = s.post(site + "/login", data={"username": "nobody", "password": "x",
                                      "csrf_token": csrf(form)}, timeout=10)
    assert r.status_code == 401


def test_login_never_redirects_off_site(site):
    s = requests.Session()
    form = s.get(site + "/login", timeout=10).text
    r = s.post(site + "/login", data={"username": "alice", "password": PASSWORD, "csrf_token": csrf(form),
                                      "next": "//evil.example/x"}, allow_redirects=False, timeout=10)
    assert r.status_code == 303 and r.headers["Location"] == "/sources"


def test_forms_without_the_csrf_token_are_refused(site):
    s = signed_in(site, "alice")
    r = s.post(site + "/sources/spain-ctt/upload", files={"dump": ("x.ttl", GOOD)}, timeout=30)
    assert r.status_code == 400 and "CSRF" in r.text
    r = s.post(site + "/sources/spain-ctt/upload", files={"dump": ("x.ttl", GOOD)},
               data={"csrf_token": "forged"}, timeout=30)
    assert r.status_code == 400
    assert requests.post(site + "/login", data={"username": "alice", "password": PASSWORD},
                         timeout=10).status_code == 400


WRITES = [  # (path, form fields)
    ("/sources/spain-ctt/upload", {"mode": "strict"}),
    ("/sources/spain-ctt/rollback", {"version": "20200101t000000-deadbeef"}),
    ("/sources/spain-ctt/tokens", {"label": "x"}),
    ("/sources/spain-ctt/tokens/revoke", {"token": "https://catalogue.example.org/token/x"}),
]


@pytest.mark.parametrize("path,fields", WRITES)
@pytest.mark.parametrize("who,expected", [(None, 303), ("bob", 403), ("carol", 403), ("mod", 403),
                                          ("alice", "ok"), ("root", "ok")])
def test_the_permission_matrix_of_every_write_route(site, path, fields, who, expected):
    s = signed_in(site, who)
    token = token_of(s, site, "/login" if who is None else "/sources/spain-ctt")
    r = s.post(site + path, data={**fields, "csrf_token": token}, allow_redirects=False, timeout=30)
    if expected == "ok":
        assert r.status_code in (200, 303), (who, path, r.status_code)
    elif expected == 303:
        assert r.status_code in (302, 303) and "/login" in r.headers["Location"]
    else:
        assert r.status_code == expected, (who, path, r.status_code)


def test_reports_are_for_the_publisher_and_moderators_only(site):
    alice = signed_in(site, "alice")
    page = alice.get(site + "/sources/spain-ctt", timeout=10).text
    r = alice.post(site + "/sources/spain-ctt/upload", files={"dump": ("good.ttl", GOOD)},
                   data={"csrf_token": csrf(page), "mode": "strict"}, timeout=60)
    assert r.status_code == 200 and "/runs/" in r.url
    run_path = r.url[len(site):]
    assert signed_in(site, "mod").get(site + run_path, timeout=10).status_code == 200
    assert signed_in(site, "carol").get(site + run_path, timeout=10).status_code == 403
    assert signed_in(site, "bob").get(site + run_path + "/report.json", timeout=10).status_code == 403
    anonymous = requests.get(site + run_path, allow_redirects=False, timeout=10)
    assert anonymous.status_code in (302, 303)


def test_a_publisher_fixes_a_broken_dump_and_sees_the_diff(site):
    s = signed_in(site, "alice")
    page = s.get(site + "/sources/spain-ctt", timeout=10).text
    assert "Spain &lt;CTT&gt; &amp; co" in page  # names from data are escaped
    broken = s.post(site + "/sources/spain-ctt/upload", files={"dump": ("bad.ttl", NO_CONTACT_ON_2)},
                    data={"csrf_token": csrf(page), "mode": "strict"}, timeout=60)
    assert broken.status_code == 422
    assert "Nothing was stored" in broken.text and "solution-2" in broken.text
    assert "contact" in broken.text.lower() and "Add" in broken.text  # the fix, in words
    syntax = s.post(site + "/sources/spain-ctt/upload",
                    files={"dump": ("bad.ttl", b"@prefix ex: <http://ex.org/> .\nex:a ex:b ex:c ;\n  ex:d .\n")},
                    data={"csrf_token": csrf(page), "mode": "strict"}, timeout=60)
    assert syntax.status_code == 400 and "ex:d ." in syntax.text  # the surrounding lines
    hostile = s.post(site + "/sources/spain-ctt/upload", files={"dump": ("bomb.rdf", BOMB)},
                     data={"csrf_token": csrf(page)}, timeout=60)
    assert hostile.status_code == 400
    dry = s.post(site + "/sources/spain-ctt/upload", files={"dump": ("v2.ttl", second_version())},
                 data={"csrf_token": csrf(page), "dry_run": "1"}, timeout=60)
    assert dry.status_code == 200 and "nothing was stored" in dry.text
    fixed = s.post(site + "/sources/spain-ctt/upload", files={"dump": ("v2.ttl", second_version())},
                   data={"csrf_token": csrf(page), "mode": "strict"}, timeout=60)
    assert fixed.status_code == 200 and "/runs/" in fixed.url
    assert "Open e-Invoicing Gateway NG" in fixed.text  # the changed title, old and new
    assert "<del" in fixed.text and "solution-2" in fixed.text
    history = s.get(site + "/sources/spain-ctt", timeout=10).text
    assert "Roll back to this" in history


def test_a_token_created_on_the_site_is_shown_once_and_works(site):
    s = signed_in(site, "alice")
    page = s.get(site + "/sources/spain-ctt", timeout=10).text
    r = s.post(site + "/sources/spain-ctt/tokens", data={"csrf_token": csrf(page), "label": "ci"},
               timeout=10)
    secret = re.search(r'id="token-secret">([^<]+)<', r.text).group(1)
    assert secret not in s.get(site + "/sources/spain-ctt", timeout=10).text
    api = requests.get(site + "/api/sources/spain-ctt/runs",
                       headers={"Authorization": "Bearer " + secret}, timeout=10)
    assert api.status_code == 200 and api.json()["runs"]


@pytest.mark.parametrize("who,expected", [(None, 303), ("bob", 403), ("alice", 403), ("mod", 403)])
def test_only_admins_register_sources_and_accounts(site, who, expected):
    s = signed_in(site, who)
    token = token_of(s, site, "/login" if who is None else "/sources/spain-ctt")
    for path, fields in (("/sources", {"slug": "sneaky", "name": "Sneaky"}),
                         ("/users", {"username": "sneaky", "password": PASSWORD, "role": "admin"})):
        r = s.post(site + path, data={**fields, "csrf_token": token}, allow_redirects=False, timeout=10)
        assert r.status_code in ((302, 303) if expected == 303 else (expected,)), (who, path)
    assert requests.get(site + "/sources/sneaky", timeout=10).status_code == 404


def test_an_admin_registers_a_source_and_its_publisher_on_the_site(site):
    root = signed_in(site, "root")
    token = token_of(root, site, "/sources")
    r = root.post(site + "/sources", data={"slug": "greece-ktp", "name": "Greek <KTP>",
                                          "csrf_token": token}, timeout=10)
    assert r.status_code == 200 and "Greek &lt;KTP&gt;" in r.text
    bad = root.post(site + "/sources", data={"slug": "Bad Slug", "name": "x", "csrf_token": token},
                    timeout=10)
    assert "not valid" in bad.text
    r = root.post(site + "/users", data={"username": "eleni", "password": PASSWORD, "name": "Eleni",
                                        "publisher": "greece-ktp", "action": "create",
                                        "csrf_token": token}, timeout=10)
    assert r.status_code == 200 and "eleni" in r.text
    short = root.post(site + "/users", data={"username": "nikos", "password": "short",
                                            "action": "create", "csrf_token": token}, timeout=10)
    assert short.status_code == 400 and "too short" in short.text
    eleni = signed_in(site, "eleni")
    page = eleni.get(site + "/sources/greece-ktp", timeout=10).text
    assert "Upload a dump" in page


def test_repeated_wrong_passwords_are_throttled_per_account(site):
    s = requests.Session()
    form = csrf(s.get(site + "/login", timeout=10).text)
    codes = [s.post(site + "/login", data={"username": "carol", "password": f"guess number {i}",
                                           "csrf_token": form}, timeout=10).status_code
             for i in range(6)]
    assert codes == [401] * 5 + [429]
    r = s.post(site + "/login", data={"username": "carol", "password": PASSWORD, "csrf_token": form},
               timeout=10)
    assert r.status_code == 429 and int(r.headers["Retry-After"]) > 0  # even the right one, for now
    assert "Too many failed attempts" in r.text
    assert signed_in(site, "alice")  # other accounts are not affected
