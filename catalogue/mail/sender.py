"""``Catalogue.mail``: send a ``Mail`` through SMTP, or write it to the console.

With ``CATALOGUE_SMTP_HOST`` empty (or ``console``) a message is written whole to standard
error and the log: a local run (``make run``) shows the confirmation links people would have
received. Otherwise it goes to that SMTP server (STARTTLS, TLS or plain for a local relay;
a login when ``CATALOGUE_SMTP_USER`` is set), one connection per call, bounded by
``CATALOGUE_SMTP_TIMEOUT``. Sending is the caller's last step: what it records is recorded
whether or not the mail leaves (a digest run records what it sent only after ``send``).
"""

from __future__ import annotations

import logging
import smtplib
import ssl
import sys
import threading
from typing import TYPE_CHECKING
from urllib.parse import quote, urlsplit

from catalogue.errors import CatalogueError, ErrorKind
from catalogue.mail.message import Mail, render

if TYPE_CHECKING:
    from catalogue.app import Catalogue

log = logging.getLogger(__name__)


class MailError(CatalogueError):
    """The SMTP server could not be reached or refused the message (unavailable; the message
    names the server and its answer, never the password)."""

    error_kind = ErrorKind.UNAVAILABLE


class Mailer:
    """One catalogue's way out for mail."""

    def __init__(self, root: Catalogue) -> None:
        self._root = root
        self._console_lock = threading.Lock()

    @property
    def console(self) -> bool:
        """Whether mail is written to the console rather than sent."""
        return self._root.settings.smtp_host.strip() in ("", "console")

    @property
    def sender(self) -> str:
        """The From address: CATALOGUE_MAIL_FROM, or noreply@ the base URI's host."""
        settings = self._root.settings
        if settings.mail_from:
            return settings.mail_from
        return f"noreply@{self._domain()}"

    def _domain(self) -> str:
        host = urlsplit(self._root.settings.base_uri).hostname or "localhost"
        return host if "." in host else f"{host}.localdomain"

    def site(self) -> str:
        """Where people read the catalogue, for links in mail: CATALOGUE_SITE_URL, else the
        base URI; ends in '/'."""
        url = self._root.settings.site_url or self._root.settings.base_uri
        return url if url.endswith("/") else url + "/"

    def link(self, iri: str) -> str:
        """The page of any resource on the site (``/resource?uri=``)."""
        return f"{self.site()}resource?uri={quote(iri, safe='')}"

    def send(self, mail: Mail) -> str:
        """Send ``mail``; returns its Message-ID.

        :raise AddressError: an address or header of ``mail`` cannot be used (nothing sent).
        :raise MailError: the SMTP server could not be reached, refused the login, or
            refused every recipient (nothing sent).
        """
        message = render(mail, self.sender, domain=self._domain())
        message_id = str(message["Message-ID"])
        if self.console:
            text = message.as_string()
            with self._console_lock:
                sys.stderr.write(f"----- mail (console: CATALOGUE_SMTP_HOST is not set) -----\n{text}\n"
                                 "----- end of mail -----\n")
                sys.stderr.flush()
            log.info("mail %s to %s written to the console", message_id, ", ".join(mail.to))
            return message_id
        s = self._root.settings
        where = f"{s.smtp_host}:{s.smtp_port}"
        try:
            smtp: smtplib.SMTP
            if s.smtp_security == "tls":
                smtp = smtplib.SMTP_SSL(s.smtp_host, s.smtp_port, timeout=s.smtp_timeout,
                                        context=ssl.create_default_context())
            else:
                smtp = smtplib.SMTP(s.smtp_host, s.smtp_port, timeout=s.smtp_timeout)
            with smtp:
                if s.smtp_security == "starttls":
                    smtp.starttls(context=ssl.create_default_context())
                if s.smtp_user:
                    smtp.login(s.smtp_user, s.smtp_password)
                refused = smtp.send_message(message)
        except smtplib.SMTPRecipientsRefused as exc:
            raise MailError(f"the mail server at {where} refused every recipient "
                            f"({', '.join(exc.recipients)}); nothing was sent") from None
        except smtplib.SMTPAuthenticationError:
            raise MailError(f"the mail server at {where} refused the login of {s.smtp_user!r}: check "
                            "CATALOGUE_SMTP_USER and CATALOGUE_SMTP_PASSWORD") from None
        except (smtplib.SMTPException, OSError, ssl.SSLError) as exc:
            raise MailError(f"could not send mail through {where}: {exc.__class__.__name__}: {exc}. "
                            "Check CATALOGUE_SMTP_HOST, CATALOGUE_SMTP_PORT and CATALOGUE_SMTP_SECURITY") from None
        for address, answer in refused.items():
            log.warning("mail %s: %s refused by %s: %s", message_id, address, where, answer)
        log.info("mail %s sent to %s through %s", message_id, ", ".join(mail.to), where)
        return message_id
