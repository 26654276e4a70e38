"""Publishers' descriptions as safe HTML: Markdown rendered, any HTML in it sanitised.

Publishers write Markdown, HTML or plain text. markdown-it-py renders Markdown (raw HTML
passes through it), then nh3 (the Rust ammonia sanitiser) keeps only a small set of
formatting tags and http(s)/mailto links (bare addresses made links): no script, style, event handler, iframe, image
or javascript: URL survives.
"""

from __future__ import annotations

import re

import nh3
from markdown_it import MarkdownIt
from markupsafe import Markup, escape

# a bare address in a description becomes a link (linkify-it-py, markdown-it's own linkifier):
# readers follow it, and no page shows an address as plain text
_markdown = MarkdownIt("commonmark", {"html": True, "linkify": True}).enable("linkify")
TAGS = {"p", "br", "strong", "b", "em", "i", "ul", "ol", "li", "a", "code", "pre",
        "blockquote", "h3", "h4", "h5", "h6", "hr", "table", "thead", "tbody", "tr", "th", "td"}
ATTRIBUTES = {"a": {"href", "title"}, "th": {"scope"}}


def rich_text(text: str | None) -> Markup:
    """Sanitised HTML for a description (Markup: Jinja will not escape it again)."""
    if not text:
        return Markup("")
    html = _markdown.render(text)
    clean = nh3.clean(html, tags=TAGS, attributes=ATTRIBUTES, url_schemes={"http", "https", "mailto"},
                      link_rel="noopener nofollow ugc", strip_comments=True)
    return Markup(clean)  # noqa: S704 - sanitised by nh3 just above


_IRI = re.compile(r"https?://[^\s<>\"')]+[^\s<>\"'),.;:]")


def iris_as_code(text: str | None) -> Markup:
    """Plain text (a saved query's description) escaped, the IRIs in it set as code: for
    SPARQL users they are identifiers to copy, not names to read."""
    if not text:
        return Markup("")
    out, last = [], 0
    for m in _IRI.finditer(text):
        out += [str(escape(text[last:m.start()])), f"<code>{escape(m.group())}</code>"]
        last = m.end()
    out.append(str(escape(text[last:])))
    return Markup("".join(out))  # noqa: S704 - every piece escaped just above
