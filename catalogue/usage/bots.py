"""Known bots, told apart from people by their User-Agent: their requests are not counted.

The patterns are CrawlerDetect's (the ``crawlerdetect`` package, MIT: a Python port of
JayBizzle/Crawler-Detect, whose list of crawlers, spiders, monitors, feed readers, HTTP
libraries and headless browsers is kept up to date by its community). So search engines
(Googlebot, bingbot), AI crawlers (GPTBot), link checkers and command-line clients (curl,
Wget, python-requests) do not count as readers; a browser's User-Agent does.

A request without a User-Agent is taken for a bot too: every browser sends one.
"""

from __future__ import annotations

from functools import lru_cache

from crawlerdetect import CrawlerDetect

MAX_USER_AGENT = 1000  # characters looked at: a longer header is not a browser's


@lru_cache(maxsize=4096)
def is_bot(user_agent: str | None) -> bool:
    """Whether a request with this User-Agent header comes from a known bot (or sends none).

    Cached per header value: a site sees few distinct ones, and matching the pattern list
    takes about 0.1 ms.

    >>> is_bot("Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)")
    True
    >>> is_bot("Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0")
    False
    """
    agent = (user_agent or "").strip()
    if not agent or len(agent) > MAX_USER_AGENT:
        return True
    # a new detector each time: its instances remember their last match (not thread-safe)
    return bool(CrawlerDetect().is_crawler(agent))
