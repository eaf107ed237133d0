"""Which URLs the page may put in an attribute (href, src, ...): read the way the browser will read them.

    is_safe_url("https://cms.example.com/admin/content/articles/3")  -> True
    is_safe_url("java\\tscript:alert(1)")                              -> False (the browser drops the tab)
    is_safe_url("\\x01javascript:alert(1)")                            -> False (and the leading control)

A check on the raw text is not enough: before it looks for a scheme, the browser's URL parser (WHATWG URL
Standard, "basic URL parser") strips leading and trailing C0 controls and spaces and removes every tab and
newline, anywhere; the scheme is then ASCII letters, digits, "+", "-", "." up to the first ":", compared without
regard to (ASCII) case. So the same is done here, and the scheme found is checked against a short list of the ones
the page uses (web links, mail, the blob: URLs of downloads) rather than against a list of bad ones. A URL without
a scheme is relative to the page and cannot run script.

Pure Python: no browser import, tested under CPython (tests/unit/test_dom_urls.py); app/web/dom.py applies it to
every URL attribute it sets.
"""

from __future__ import annotations

import re
from typing import Optional

ALLOWED_SCHEMES = frozenset({"http", "https", "mailto", "blob"})
# Attributes whose value the browser loads or navigates to.
URL_ATTRIBUTES = frozenset(
    {"href", "src", "action", "formaction", "xlink:href", "poster", "data", "cite", "background"}
)

_C0_OR_SPACE = "".join(chr(c) for c in range(0x21))  # U+0000 to U+0020
_TAB_OR_NEWLINE = re.compile("[\t\n\r]")
_SCHEME = re.compile("([A-Za-z][A-Za-z0-9+.-]*):")  # ASCII only, as the parser's scheme state


def browser_normalised(url: str) -> str:
    """`url` as the browser's URL parser starts from: leading and trailing C0 controls and spaces stripped, tabs and
    newlines removed anywhere."""
    return _TAB_OR_NEWLINE.sub("", url.strip(_C0_OR_SPACE))


def scheme(url: str) -> Optional[str]:
    """The URL's scheme, lower-cased (ASCII), as the browser reads it; None for a relative URL."""
    found = _SCHEME.match(browser_normalised(url))
    return found.group(1).lower() if found else None


def is_safe_url(url: str) -> bool:
    """True for a relative URL or one whose scheme is in ALLOWED_SCHEMES."""
    found = scheme(url)
    return found is None or found in ALLOWED_SCHEMES
