#!/usr/bin/python3
"""Writes data/catalog/icons/<id>.svg for every entry in data/catalog/applications.

The icons are deliberately neutral: a rounded square in a colour picked per
application from a fixed palette, with the application's initials in white. No
vendor logo, no script, no external reference. Run from anywhere:

    /usr/bin/python3 data/catalog/tools/make_icons.py
"""

import hashlib
import json
import pathlib
from xml.sax.saxutils import escape, quoteattr

CATALOG = pathlib.Path(__file__).resolve().parents[1]

# Muted colours that all keep white text readable (contrast >= 4.5:1).
PALETTE = [
    "#1f5f8b", "#2e6b4f", "#7a3e65", "#8a4b12", "#3d4f8a", "#6b4a9a",
    "#155e63", "#8c2f39", "#4b5563", "#5b6b1e", "#7c2d12", "#1e40af",
    "#065f46", "#701a75", "#9a3412", "#374151",
]

# Initials where the first letters of the first two words would be unclear.
INITIALS = {
    "microsoft-365": "M365",
    "github-enterprise-cloud-enterprise": "GHE",
    "github-enterprise-cloud-organization": "GHO",
    "github-enterprise-server": "GHS",
    "google-workspace": "GW",
    "new-relic": "NR",
    "tableau-cloud": "TC",
    "atlassian-cloud": "AC",
}


def initials(app_id, display_name):
    if app_id in INITIALS:
        return INITIALS[app_id]
    words = [w for w in display_name.replace("-", " ").split() if w[0].isalnum()]
    if len(words) == 1:
        return words[0][:2].capitalize()
    return (words[0][0] + words[1][0]).upper()


def colour(app_id):
    return PALETTE[hashlib.sha256(app_id.encode()).digest()[0] % len(PALETTE)]


def svg(app_id, display_name):
    text = initials(app_id, display_name)
    size = {1: 30, 2: 26, 3: 20}.get(len(text), 16)
    return (
        '<svg xmlns="http://www.w3.org/2000/svg" width="64" height="64" viewBox="0 0 64 64" '
        'role="img" aria-label=%s>'
        '<title>%s</title>'
        '<rect width="64" height="64" rx="14" fill="%s"/>'
        '<text x="32" y="%d" text-anchor="middle" font-family="DejaVu Sans, Arial, sans-serif" '
        'font-size="%d" font-weight="700" fill="#ffffff">%s</text>'
        '</svg>\n'
    ) % (quoteattr(display_name), escape(display_name), colour(app_id), 32 + size * 0.36, size, escape(text))


def main():
    icons = CATALOG / "icons"
    icons.mkdir(exist_ok=True)
    for path in sorted((CATALOG / "applications").glob("*.json")):
        entry = json.loads(path.read_text(encoding="utf-8"))
        (icons / ("%s.svg" % entry["id"])).write_text(svg(entry["id"], entry["display_name"]), encoding="utf-8")


if __name__ == "__main__":
    main()
