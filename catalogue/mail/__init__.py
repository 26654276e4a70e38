"""The catalogue's outgoing mail: one message shape, sent through SMTP or written to the log.

``message`` (a ``Mail`` checked and rendered as an RFC 5322 message, with RFC 8058's one-click
``List-Unsubscribe`` when it carries an unsubscribe link), ``sender`` (``Catalogue.mail``:
SMTP per the ``CATALOGUE_SMTP_*`` settings, or the console for local runs).
"""

from catalogue.mail.message import AddressError, Mail, check_address, render
from catalogue.mail.sender import Mailer, MailError

__all__ = ["AddressError", "Mail", "MailError", "Mailer", "check_address", "render"]
