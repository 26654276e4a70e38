"""A mail the catalogue sends, checked before it is built.

Addresses and subjects come from people (a sign-up form, a moderator's message): a line
break in a header would let them add headers (``Bcc:``), so every address is parsed by the
standard library's strict header registry and every header value refused if it holds a
control character. Bodies are plain text (UTF-8); links in them are absolute.
"""

from __future__ import annotations

import email.policy
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.errors import HeaderParseError
from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import format_datetime, parseaddr

from catalogue.errors import CatalogueError, ErrorKind

MAX_SUBJECT = 200
MAX_BODY = 200_000


class AddressError(CatalogueError, ValueError):
    """An e-mail address (or a header) that cannot be used: the message says which and why
    (bad input)."""

    error_kind = ErrorKind.BAD_INPUT


def _clean(value: str, what: str) -> str:
    if any(ord(c) < 32 or ord(c) == 127 for c in value):
        raise AddressError(f"{what} must be one line without control characters")
    return value


def check_address(value: str) -> str:
    """``value`` as a bare address (``name@example.org``) if it is one.

    :raise AddressError: empty, more than one address, a line break, no domain, or not
        parseable as RFC 5322's addr-spec.
    """
    value = _clean(value.strip(), "an e-mail address")
    if not value or len(value) > 254:
        raise AddressError("give an e-mail address such as name@example.org")
    try:
        address = Address(addr_spec=value)
    except (ValueError, IndexError, HeaderParseError) as exc:
        raise AddressError(f"{value!r} is not an e-mail address ({exc}): give one such as "
                           "name@example.org") from None
    if not address.username or "." not in address.domain or address.addr_spec != value:
        raise AddressError(f"{value!r} is not an e-mail address: give one such as name@example.org")
    return value


@dataclass(frozen=True)
class Mail:
    """One message: who to, subject, plain text; optionally an unsubscribe link (one-click,
    RFC 8058) and the address replies go to."""

    to: tuple[str, ...]
    subject: str
    text: str
    unsubscribe: str | None = None
    reply_to: str | None = None
    headers: tuple[tuple[str, str], ...] = field(default=())  # extra, e.g. ("Auto-Submitted", "auto-generated")


def render(mail: Mail, sender: str, *, domain: str) -> EmailMessage:
    """``mail`` as a message ready for SMTP, from ``sender``; its Message-ID under ``domain``.

    :raise AddressError: a recipient, the sender or the reply-to address is not an address,
        the subject is empty or not one line, the body is too long, or a header carries a
        line break.
    """
    if not mail.to:
        raise AddressError("a mail needs at least one recipient")
    to = [check_address(a) for a in mail.to]
    subject = _clean(mail.subject.strip(), "a subject")
    if not subject or len(subject) > MAX_SUBJECT:
        raise AddressError(f"a subject must be 1-{MAX_SUBJECT} characters")
    if len(mail.text) > MAX_BODY:
        raise AddressError(f"a mail's text must be at most {MAX_BODY} characters")
    name, addr = parseaddr(_clean(sender, "the sender"))
    msg = EmailMessage(policy=email.policy.SMTP)
    msg["From"] = Address(display_name=name, addr_spec=check_address(addr))
    msg["To"] = ", ".join(to)
    msg["Subject"] = subject
    msg["Date"] = format_datetime(datetime.now(UTC))
    msg["Message-ID"] = f"<{uuid.uuid4().hex}@{domain}>"
    msg["Auto-Submitted"] = "auto-generated"  # RFC 3834: no auto-replies to the catalogue
    if mail.reply_to:
        msg["Reply-To"] = check_address(mail.reply_to)
    if mail.unsubscribe:
        link = _clean(mail.unsubscribe, "the unsubscribe link")
        if not link.startswith("https://") and not link.startswith("http://"):
            raise AddressError("an unsubscribe link must be an absolute http(s) URL")
        msg["List-Unsubscribe"] = f"<{link}>"
        msg["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"  # RFC 8058
    for key, value in mail.headers:
        if key in msg:
            del msg[key]
        msg[_clean(key, "a header name")] = _clean(value, "a header")
    msg.set_content(mail.text, charset="utf-8")
    return msg
