#!/usr/bin/python3
"""Turns docs/sockwarden.8.md into the roff man page docs/sockwarden.8, so the two never differ.

    packaging/md2man.py docs/sockwarden.8.md > docs/sockwarden.8

Only the markdown the man page uses is understood: a `# name(section)` title, `##` sections,
`###` subsections, paragraphs, fenced code blocks, and list items `- TERM: text` (rendered as tagged
paragraphs, the tag being everything before the first ": "). Inline `code` and **bold** become
bold, *emphasis* becomes italic. Anything else is an error, so the page cannot silently lose text.
"""

import re
import sys

TITLE = re.compile(r"^# ([a-z0-9-]+)\((\d)\)$")
STARTS = ("```", "#", "- ")  # lines that end a paragraph
INLINE = re.compile(r"`([^`]+)`|\*\*([^*]+)\*\*|\*([^*]+)\*")


def escape(text):
    """Roff-escapes plain text (not yet inline markup)."""
    return text.replace("\\", "\\e").replace("-", "\\-")


def inline(text):
    out, pos = [], 0
    for m in INLINE.finditer(text):
        out.append(escape(text[pos : m.start()]))
        code, bold, em = m.groups()
        if em is not None:
            out.append("\\fI%s\\fR" % escape(em))
        else:
            out.append("\\fB%s\\fR" % escape(code if code is not None else bold))
        pos = m.end()
    out.append(escape(text[pos:]))
    line = "".join(out)
    # A line that starts with a control character would be read as a request.
    return "\\&" + line if line[:1] in (".", "'") else line


def split_term(item, lineno):
    sep = item.find(": ")
    if sep < 0:
        raise SystemExit("line %d: list item without 'TERM: text'" % lineno)
    return item[:sep], item[sep + 2 :]


def blocks(lines):
    """Yields (kind, payload, lineno) for title, sh, ss, code, item and para blocks."""
    i = 0
    while i < len(lines):
        line, no = lines[i], i + 1
        if not line.strip():
            i += 1
        elif line.startswith("```"):
            end = lines.index("```", i + 1) if "```" in lines[i + 1 :] else -1
            if end < 0:
                raise SystemExit("line %d: unterminated code block" % no)
            yield "code", lines[i + 1 : end], no
            i = end + 1
        elif line.startswith("# "):
            yield "title", line, no
            i += 1
        elif line.startswith("## "):
            yield "sh", line[3:], no
            i += 1
        elif line.startswith("### "):
            yield "ss", line[4:], no
            i += 1
        elif line.startswith("- "):
            text = [line[2:]]
            i += 1
            while i < len(lines) and lines[i].startswith("  ") and lines[i].strip():
                text.append(lines[i].strip())
                i += 1
            yield "item", " ".join(text), no
        elif line[0] in "#|>" or re.match(r"^\s*(\d+\.|[*+])\s", line):
            raise SystemExit("line %d: markdown this converter does not handle: %r" % (no, line))
        else:
            text = []
            while i < len(lines) and lines[i].strip() and not lines[i].startswith(STARTS):
                text.append(lines[i].strip())
                i += 1
            yield "para", " ".join(text), no


def convert(md, date="", source="sockwarden"):
    out = []
    for kind, payload, no in blocks(md.split("\n")):
        if kind == "title":
            m = TITLE.match(payload)
            if not m:
                raise SystemExit("line %d: title must be '# name(section)'" % no)
            out.append('.TH %s %s "%s" "%s" "System Manager\'s Manual"'
                       % (m.group(1).upper(), m.group(2), date, source))
            out += [".nh", ".ad l"]  # no hyphenation: names like BIND_CONFIG must stay whole
        elif kind == "sh":
            out.append(".SH %s" % inline(payload))
        elif kind == "ss":
            out.append(".SS %s" % inline(payload))
        elif kind == "code":
            body = [inline_code(line) for line in payload]
            out += [".PP", ".RS 4", ".nf"] + body + [".fi", ".RE"]
        elif kind == "item":
            term, text = split_term(payload, no)
            out += [".TP", inline(term), inline(text)]
        else:
            heading = out and out[-1].startswith((".SH", ".SS"))
            out += ([] if heading else [".PP"]) + [inline(payload)]
    return "\n".join(out) + "\n"


def inline_code(line):
    text = escape(line)
    return "\\&" + text if text[:1] in (".", "'") or not text else text


def main(argv):
    if len(argv) != 2:
        raise SystemExit("usage: md2man.py PAGE.md > PAGE")
    with open(argv[1], encoding="utf-8") as f:
        md = f.read()
    source = "sockwarden"
    try:
        with open("VERSION") as f:
            source += " " + f.read().strip()
    except OSError:
        pass
    sys.stdout.write(convert(md, source=source))


if __name__ == "__main__":
    main(sys.argv)
