"""Markdown to sanitised HTML: the only path by which stored text becomes markup."""

import html
import re

import markdown
import nh3

_ALLOWED_TAGS = {
    "a", "abbr", "blockquote", "br", "code", "dd", "del", "dl", "dt", "em", "h2", "h3",
    "h4", "h5", "h6", "hr", "li", "ol", "p", "pre", "strong", "sub", "sup", "table",
    "tbody", "td", "th", "thead", "tr", "ul",
}  # fmt: skip
_ALLOWED_ATTRIBUTES = {"a": {"href", "title"}, "abbr": {"title"}, "td": {"align"}, "th": {"align"}}


# Text made only of these characters, in lines that start with a letter and have no
# trailing spaces, has no Markdown syntax at all: it is plain paragraphs.
_PLAIN_CHARS = re.compile(r"^[\w ,.;:'\"?!()/%’‘“”–—-]*$")


def _plain_paragraphs(text: str) -> str | None:
    """The HTML Markdown would make of `text`, when `text` is only prose; else None."""
    paragraphs = []
    for block in re.split(r"\n[ \t]*\n", text.strip("\n")):
        lines = block.split("\n")
        for line in lines:
            if not line or not line[0].isalpha() or line != line.rstrip() or "  " in line:
                return None
            if not _PLAIN_CHARS.match(line) or "_" in line:
                return None
        paragraphs.append("<p>" + html.escape("\n".join(lines), quote=False) + "</p>")
    return "\n".join(paragraphs)


def render_markdown(text: str) -> str:
    """Render Markdown and keep only harmless tags, attributes and http(s)/mailto links."""
    text = text or ""
    if text.strip() and (fast := _plain_paragraphs(text)) is not None:
        # Bulk imports are mostly prose: skip the parser (tests prove the output is the same).
        return fast
    rendered = markdown.markdown(text, extensions=["extra", "sane_lists"], output_format="html")
    return nh3.clean(
        rendered,
        tags=_ALLOWED_TAGS,
        attributes=_ALLOWED_ATTRIBUTES,
        url_schemes={"http", "https", "mailto"},
        link_rel="nofollow noopener noreferrer",
    )


# Bidirectional controls: embeddings, overrides and isolates (U+202A to 202E, U+2066 to
# 2069) and the direction marks (U+200E, U+200F, U+061C). In a title or a name they reorder the text
# around them (a citation, a list row) into something other than what was stored; no
# readout needs them, the Unicode algorithm orders Urdu, Arabic and Latin script alike.
BIDI_CONTROLS = dict.fromkeys(
    [*range(0x202A, 0x202F), *range(0x2066, 0x206A), 0x200E, 0x200F, 0x061C]
)


def without_bidi_controls(text: str) -> str:
    return text.translate(BIDI_CONTROLS)
