"""Outgoing mail (catalogue/mail/): a real SMTP server on 127.0.0.1 receives what the
catalogue sends; the console mode writes it to standard error; bad addresses and header
injection are refused before anything is sent."""

from __future__ import annotations

import json

import pytest

from catalogue.app import Catalogue
from catalogue.errors import ErrorKind
from catalogue.mail import AddressError, Mail, MailError, check_address
from catalogue.settings import SettingsError, load_settings


def _catalogue(tmp_path, **overrides) -> Catalogue:
    return Catalogue(load_settings({}, store=str(tmp_path / "store"), **overrides))


def test_a_mail_arrives_at_the_smtp_server_whole(tmp_path, mailbox):
    cat = _catalogue(tmp_path, base_uri="https://joinup.example.eu/", **mailbox.settings())
    mid = cat.mail.send(Mail(to=("ana@example.org", "bo@example.org"), subject="Réunion SEMIC — ordre du jour",
                             text="Bonjour,\nvoir https://joinup.example.eu/news/1\n",
                             unsubscribe="https://joinup.example.eu/unsubscribe/abc"))
    [msg] = mailbox.wait_for(1)
    assert msg["Message-ID"] == mid and mid.endswith("@joinup.example.eu>")
    assert msg["From"] == "noreply@joinup.example.eu"
    assert msg["Subject"] == "Réunion SEMIC — ordre du jour"  # non-ASCII survives encoding
    assert msg.get_content().replace("\r\n", "\n") == "Bonjour,\nvoir https://joinup.example.eu/news/1\n"
    # RFC 8058 one-click unsubscribe
    assert msg["List-Unsubscribe"] == "<https://joinup.example.eu/unsubscribe/abc>"
    assert msg["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert msg["Auto-Submitted"] == "auto-generated"
    assert mailbox.envelopes[0][1] == ["ana@example.org", "bo@example.org"]


def test_the_sender_is_the_setting_when_given(tmp_path, mailbox):
    cat = _catalogue(tmp_path, mail_from="Joinup <team@example.org>", **mailbox.settings())
    cat.mail.send(Mail(to=("ana@example.org",), subject="Hello", text="x"))
    [msg] = mailbox.wait_for(1)
    assert msg["From"] == "Joinup <team@example.org>"
    assert mailbox.envelopes[0][0] == "team@example.org"


@pytest.mark.parametrize("bad", ["", "ana", "ana@", "@example.org", "ana@example.org\nBcc: eve@example.org",
                                 "ana@example.org, eve@example.org", "a" * 250 + "@example.org", "ana@localhost"])
def test_bad_addresses_are_refused_and_nothing_is_sent(tmp_path, mailbox, bad):
    cat = _catalogue(tmp_path, **mailbox.settings())
    with pytest.raises(AddressError) as err:
        cat.mail.send(Mail(to=(bad,), subject="Hello", text="x"))
    assert err.value.error_kind is ErrorKind.BAD_INPUT
    assert "e-mail address" in str(err.value) or "control characters" in str(err.value)
    assert mailbox.messages == []


@pytest.mark.parametrize("field", ["subject", "unsubscribe", "reply_to"])
def test_header_injection_is_refused(tmp_path, mailbox, field):
    cat = _catalogue(tmp_path, **mailbox.settings())
    values = {"subject": "Hi", "unsubscribe": None, "reply_to": None}
    values[field] = "https://x.example/\r\nBcc: eve@example.org" if field != "reply_to" else "a@b.org\nBcc: e@f.org"
    with pytest.raises(AddressError):
        cat.mail.send(Mail(to=("ana@example.org",), text="x", **values))  # type: ignore[arg-type]
    assert mailbox.messages == []


def test_an_empty_subject_or_no_recipient_is_refused(tmp_path, mailbox):
    cat = _catalogue(tmp_path, **mailbox.settings())
    with pytest.raises(AddressError, match="subject"):
        cat.mail.send(Mail(to=("ana@example.org",), subject="  ", text="x"))
    with pytest.raises(AddressError, match="recipient"):
        cat.mail.send(Mail(to=(), subject="Hi", text="x"))
    assert mailbox.messages == []


def test_an_unreachable_server_is_a_clear_unavailable_error(tmp_path):
    from tests.conftest import free_port

    port = free_port()  # nothing listens there
    cat = _catalogue(tmp_path, smtp_host="127.0.0.1", smtp_port=port, smtp_security="none", smtp_timeout=2.0,
                     smtp_password="s3cret")
    with pytest.raises(MailError) as err:
        cat.mail.send(Mail(to=("ana@example.org",), subject="Hi", text="x"))
    assert err.value.error_kind is ErrorKind.UNAVAILABLE
    assert f"127.0.0.1:{port}" in str(err.value) and "s3cret" not in str(err.value)


def test_starttls_against_a_server_without_it_fails_clearly(tmp_path, mailbox):
    cat = _catalogue(tmp_path, **{**mailbox.settings(), "smtp_security": "starttls"})
    with pytest.raises(MailError, match="CATALOGUE_SMTP_SECURITY"):
        cat.mail.send(Mail(to=("ana@example.org",), subject="Hi", text="x"))
    assert mailbox.messages == []


def test_console_mode_writes_the_mail_to_standard_error(tmp_path, capsys):
    cat = _catalogue(tmp_path)  # CATALOGUE_SMTP_HOST unset: the console
    assert cat.mail.console
    cat.mail.send(Mail(to=("ana@example.org",), subject="Confirm your address",
                       text="Open https://catalogue.example.org/confirm/xyz\n"))
    err = capsys.readouterr().err
    assert "Subject: Confirm your address" in err and "https://catalogue.example.org/confirm/xyz" in err
    assert "To: ana@example.org" in err


def test_check_address_keeps_good_ones():
    assert check_address(" ana.maria+eira@commission.europa.eu ") == "ana.maria+eira@commission.europa.eu"


def test_smtp_settings_are_checked():
    with pytest.raises(SettingsError, match="CATALOGUE_SMTP_SECURITY"):
        load_settings({"CATALOGUE_SMTP_SECURITY": "ssl"})
    with pytest.raises(SettingsError, match="CATALOGUE_SMTP_PORT"):
        load_settings({"CATALOGUE_SMTP_PORT": "70000"})


def test_an_account_keeps_its_email_privately(tmp_path):
    cat = _catalogue(tmp_path)
    cat.accounts.add_user("maria", "a long password", sources=("spain-ctt",), email="maria@example.es")
    cat.accounts.add_user("jo", "a long password", sources=("spain-ctt",))
    assert cat.accounts.user("maria").email == "maria@example.es"
    assert [u.username for u in cat.accounts.publishers_of("spain-ctt")] == ["jo", "maria"]
    cat.accounts.set_email("jo", "jo@example.org")
    cat.accounts.set_email("maria", None)
    assert cat.accounts.user("jo").email == "jo@example.org" and cat.accounts.user("maria").email is None
    with pytest.raises(AddressError):
        cat.accounts.set_email("jo", "jo@example.org\nBcc: x@y.org")
    assert cat.accounts.user("jo").email == "jo@example.org"
    # the accounts graph is private: the address never reaches the public endpoint
    result = cat.endpoint.query("SELECT ?m WHERE { { ?u <http://xmlns.com/foaf/0.1/mbox> ?m } UNION "
                                "{ GRAPH ?g { ?u <http://xmlns.com/foaf/0.1/mbox> ?m } } }",
                                results_format="application/sparql-results+json", graph_format="text/turtle")
    assert b"jo@example.org" not in result.body
    assert json.loads(result.body)["results"]["bindings"] == []


def test_a_change_request_is_mailed_to_the_sources_publishers(tmp_path, mailbox):
    from pathlib import Path
    dump = Path(__file__).parent / "data" / "ingest" / "two-solutions.ttl"
    cat = _catalogue(tmp_path, site_url="http://127.0.0.1:8123/", **mailbox.settings())
    cat.publishing.register_source("example", "Example repository")
    assert cat.publishing.ingest("example", dump.read_bytes(), format="ttl", mode="strict").stored
    cat.accounts.add_user("pia", "a long password", sources=("example",), email="pia@example.org")
    cat.accounts.add_user("quiet", "a long password", sources=("example",))  # no address: no mail
    cat.accounts.add_user("mod", "a long password", roles=("moderator",), email="mod@example.org")
    record = "http://repo.example.org/solution-1"
    cat.curation.request_changes(record, "Please add a licence to each distribution", by=cat.accounts.user("mod"))
    [msg] = mailbox.wait_for(1)
    assert mailbox.envelopes[0][1] == ["pia@example.org"]
    assert msg["Subject"].startswith("Changes requested:")
    text = msg.get_content()
    assert "Please add a licence to each distribution" in text
    assert "http://127.0.0.1:8123/resource?uri=http%3A%2F%2Frepo.example.org%2Fsolution-1" in text
    cat.close()
