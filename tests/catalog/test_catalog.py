"""Checks the catalog of pre-integrated SAML 2.0 applications (data/catalog).

Runs with Debian's /usr/bin/python3 and pytest, standard library only:

    /usr/bin/python3 -m pytest -q tests/catalog

The JSON Schema (data/catalog/application.schema.json) is applied by the small
validator below, which implements the keywords the schema uses (and refuses any
other, so the schema cannot silently grow past what is checked). The rules a
schema cannot express (file names, placeholders, icons, NameID consistency, ...)
are checked directly.
"""

import copy
import json
import pathlib
import re
import urllib.parse
import xml.etree.ElementTree as ET

import pytest

ROOT = pathlib.Path(__file__).resolve().parents[2]
CATALOG = ROOT / "data" / "catalog"
APPS = CATALOG / "applications"
SCHEMA_PATH = CATALOG / "application.schema.json"

MIN_ENTRIES = 25
ICON_MAX_BYTES = 1024
SVG_NS = "http://www.w3.org/2000/svg"

# The guide's Subject formats and the NameID format URNs they stand for.
SUBJECT_FORMATS = {
    "emailAddress": "urn:oasis:names:tc:SAML:1.1:nameid-format:emailAddress",
    "persistent": "urn:oasis:names:tc:SAML:2.0:nameid-format:persistent",
    "transient": "urn:oasis:names:tc:SAML:2.0:nameid-format:transient",
    "unspecified": "urn:oasis:names:tc:SAML:1.1:nameid-format:unspecified",
}
ATTRIBUTE_FORMATS = {"unspecified", "uri", "basic"}

# "Supported attributes in AWS SSO" and "Supported external identity provider
# attributes" in the AWS SSO user guide (section "Attribute mappings").
USER_EXPRESSIONS = {
    "${user:%s}" % a
    for a in ("AD_GUID", "email", "familyName", "givenName", "middleName", "name",
              "preferredUsername", "subject", "groups")
}
PATH_EXPRESSIONS = {
    "${path:%s}" % p
    for p in (
        "userName", "name.familyName", "name.givenName", "displayName", "nickName",
        "emails[primary eq true].value",
        'addresses[type eq "work"].streetAddress', 'addresses[type eq "work"].locality',
        'addresses[type eq "work"].region', 'addresses[type eq "work"].postalCode',
        'addresses[type eq "work"].country', 'addresses[type eq "work"].formatted',
        'phoneNumbers[type eq "work"].value', "userType", "title", "locale", "timezone",
        "enterprise.employeeNumber", "enterprise.costCenter", "enterprise.organization",
        "enterprise.division", "enterprise.department", "enterprise.manager.value",
    )
}
GUIDE_EXPRESSIONS = USER_EXPRESSIONS | PATH_EXPRESSIONS

PLACEHOLDER = re.compile(r"\$\{([^}]*)\}")
FIELD_NAME = re.compile(r"^[a-z][a-z0-9_]*$")
TEMPLATE_KEYS = ("entity_id", "acs_url", "start_url", "relay_state")


# --------------------------------------------------------------------------
# A small JSON Schema (2020-12 subset) validator.

SUPPORTED_KEYWORDS = {
    "$schema", "$id", "$defs", "$ref", "title", "description",
    "type", "enum", "const", "pattern", "minLength", "maxLength", "minimum", "maximum",
    "properties", "required", "additionalProperties",
    "items", "prefixItems", "minItems", "uniqueItems",
    "allOf", "anyOf", "not",
}

_TYPES = {
    "object": lambda v: isinstance(v, dict),
    "array": lambda v: isinstance(v, list),
    "string": lambda v: isinstance(v, str),
    "boolean": lambda v: isinstance(v, bool),
    "integer": lambda v: isinstance(v, int) and not isinstance(v, bool),
    "number": lambda v: isinstance(v, (int, float)) and not isinstance(v, bool),
    "null": lambda v: v is None,
}


def _resolve(root, ref):
    if not ref.startswith("#/"):
        raise ValueError("only local $ref is supported: %r" % ref)
    node = root
    for part in ref[2:].split("/"):
        node = node[part]
    return node


def schema_errors(instance, schema, root=None, where="$"):
    """Returns a list of 'path: message' strings; empty when valid."""
    root = schema if root is None else root
    unknown = set(schema) - SUPPORTED_KEYWORDS
    if unknown:
        raise ValueError("schema at %s uses unsupported keywords %s" % (where, sorted(unknown)))
    errors = []
    if "$ref" in schema:
        errors += schema_errors(instance, _resolve(root, schema["$ref"]), root, where)
    if "type" in schema:
        types = schema["type"] if isinstance(schema["type"], list) else [schema["type"]]
        if not any(_TYPES[t](instance) for t in types):
            return errors + ["%s: expected type %s" % (where, "/".join(types))]
    if "enum" in schema and not any(instance == e and type(instance) is type(e) for e in schema["enum"]):
        errors.append("%s: %r is not one of the allowed values" % (where, instance))
    if "const" in schema and instance != schema["const"]:
        errors.append("%s: must be %r" % (where, schema["const"]))
    if isinstance(instance, str):
        if "minLength" in schema and len(instance) < schema["minLength"]:
            errors.append("%s: shorter than %d" % (where, schema["minLength"]))
        if "maxLength" in schema and len(instance) > schema["maxLength"]:
            errors.append("%s: longer than %d" % (where, schema["maxLength"]))
        if "pattern" in schema and not re.search(schema["pattern"], instance):
            errors.append("%s: %r does not match %s" % (where, instance, schema["pattern"]))
    if _TYPES["number"](instance):
        if "minimum" in schema and instance < schema["minimum"]:
            errors.append("%s: below %s" % (where, schema["minimum"]))
        if "maximum" in schema and instance > schema["maximum"]:
            errors.append("%s: above %s" % (where, schema["maximum"]))
    if isinstance(instance, dict):
        for key in schema.get("required", []):
            if key not in instance:
                errors.append("%s: missing required %r" % (where, key))
        props = schema.get("properties", {})
        for key, value in instance.items():
            if key in props:
                errors += schema_errors(value, props[key], root, "%s.%s" % (where, key))
            elif schema.get("additionalProperties") is False:
                errors.append("%s: unexpected property %r" % (where, key))
    if isinstance(instance, list):
        if "minItems" in schema and len(instance) < schema["minItems"]:
            errors.append("%s: fewer than %d items" % (where, schema["minItems"]))
        if schema.get("uniqueItems"):
            seen = [json.dumps(i, sort_keys=True) for i in instance]
            if len(seen) != len(set(seen)):
                errors.append("%s: items are not unique" % where)
        prefix = schema.get("prefixItems", [])
        for i, item in enumerate(instance):
            sub = prefix[i] if i < len(prefix) else schema.get("items")
            if sub is not None:
                errors += schema_errors(item, sub, root, "%s[%d]" % (where, i))
    for sub in schema.get("allOf", []):
        errors += schema_errors(instance, sub, root, where)
    if "anyOf" in schema:
        if not any(not schema_errors(instance, sub, root, where) for sub in schema["anyOf"]):
            errors.append("%s: %r matches none of the allowed forms" % (where, instance))
    if "not" in schema and not schema_errors(instance, schema["not"], root, where):
        errors.append("%s: matches a form that is not allowed" % where)
    return errors


# --------------------------------------------------------------------------
# Checks the schema cannot express.

def _fields(entry):
    return {f["name"]: f for f in entry["saml"]["fields"]}


def _substitute(template, fields):
    return PLACEHOLDER.sub(lambda m: fields[m.group(1)]["example"], template)


def is_valid_mapping_value(value):
    if value in GUIDE_EXPRESSIONS:
        return True
    return isinstance(value, str) and value != "" and "${" not in value


def svg_errors(path):
    errors = []
    data = path.read_bytes()
    if len(data) >= ICON_MAX_BYTES:
        errors.append("%s is %d bytes (limit %d)" % (path.name, len(data), ICON_MAX_BYTES))
    if b"<!DOCTYPE" in data or b"<!ENTITY" in data:
        errors.append("%s has a DOCTYPE or entity declaration" % path.name)
    try:
        root = ET.fromstring(data)
    except ET.ParseError as e:
        return errors + ["%s is not well-formed XML: %s" % (path.name, e)]
    if root.tag != "{%s}svg" % SVG_NS:
        errors.append("%s: root element is %s, not svg" % (path.name, root.tag))
    for el in root.iter():
        local = el.tag.rsplit("}", 1)[-1].lower()
        if local in ("script", "foreignobject", "image", "use", "iframe", "object", "embed"):
            errors.append("%s: <%s> is not allowed" % (path.name, local))
        for attr, value in el.attrib.items():
            name = attr.rsplit("}", 1)[-1].lower()
            if name.startswith("on"):
                errors.append("%s: event handler attribute %s" % (path.name, name))
            if name in ("href", "src") and not value.startswith("#"):
                errors.append("%s: external reference %s=%r" % (path.name, name, value))
            if "url(" in value and not re.fullmatch(r"url\(#[^)]*\)", value.strip()):
                errors.append("%s: external url() in %s" % (path.name, name))
        if el.text and local == "style" and re.search(r"url\((?!#)|@import", el.text):
            errors.append("%s: external reference in <style>" % path.name)
    return errors


def entry_errors(entry, file_stem, schema, icon_root=CATALOG):
    """Every problem with one catalog entry, as a list of messages."""
    errors = schema_errors(entry, schema)
    try:
        errors += _cross_field_errors(entry, file_stem, icon_root)
    except (KeyError, TypeError, AttributeError, IndexError, ValueError):
        # The shape is wrong in a way the schema errors above already report.
        if not errors:
            raise
    return errors


def _cross_field_errors(entry, file_stem, icon_root):
    errors = []
    if entry["id"] != file_stem:
        errors.append("id %r does not equal the file name %r" % (entry["id"], file_stem))
    if entry["icon"] != "icons/%s.svg" % entry["id"]:
        errors.append("icon must be icons/%s.svg" % entry["id"])
    icon = icon_root / entry["icon"]
    if not icon.is_file():
        errors.append("icon %s does not exist" % entry["icon"])
    else:
        errors += svg_errors(icon)

    saml = entry["saml"]
    names = [f["name"] for f in saml["fields"]]
    if len(names) != len(set(names)):
        errors.append("field names are not unique")
    fields = _fields(entry)
    for f in saml["fields"]:
        try:
            rx = re.compile(f["pattern"])
        except re.error as e:
            errors.append("field %s: pattern does not compile: %s" % (f["name"], e))
            continue
        if not rx.fullmatch(f["example"]):
            errors.append("field %s: example %r does not match its pattern" % (f["name"], f["example"]))

    used = set()
    for key in TEMPLATE_KEYS:
        template = saml.get(key)
        if template is None:
            continue
        for ph in PLACEHOLDER.findall(template):
            if not FIELD_NAME.match(ph):
                errors.append("saml.%s: ${%s} is not a field placeholder" % (key, ph))
            elif ph not in fields:
                errors.append("saml.%s: ${%s} names no declared field" % (key, ph))
            used.add(ph)
    for unused in sorted(set(fields) - used):
        errors.append("field %s is declared but used in no URL" % unused)
    if errors:
        return errors

    for key in ("acs_url", "start_url"):
        if saml.get(key) is None:
            continue
        url = _substitute(saml[key], fields)
        parts = urllib.parse.urlsplit(url)
        if parts.scheme != "https" or not parts.hostname or any(c.isspace() for c in url):
            errors.append("saml.%s with the examples filled in is not an https URL: %r" % (key, url))
    entity = _substitute(saml["entity_id"], fields)
    if not entity or any(c.isspace() for c in entity) or "${" in entity:
        errors.append("saml.entity_id with the examples filled in is not usable: %r" % entity)

    mappings = saml["attribute_mappings"]
    subject = mappings[0]
    if [m["name"] for m in mappings].count("Subject") != 1 or subject["name"] != "Subject":
        errors.append("exactly one Subject mapping, first in the list, is required")
    if SUBJECT_FORMATS.get(subject["format"]) != saml["name_id_format"]:
        errors.append("Subject format %r does not match name_id_format %r" % (subject["format"], saml["name_id_format"]))
    attr_names = [m["name"] for m in mappings]
    if len(attr_names) != len(set(attr_names)):
        errors.append("attribute names are not unique")
    for m in mappings:
        if not is_valid_mapping_value(m["value"]):
            errors.append("mapping %s: %r is neither a guide expression nor a literal" % (m["name"], m["value"]))
        allowed = set(SUBJECT_FORMATS) if m["name"] == "Subject" else ATTRIBUTE_FORMATS
        if m["format"] not in allowed:
            errors.append("mapping %s: format %r is not allowed" % (m["name"], m["format"]))

    for item in entry["unconfirmed"]:
        rest = item.split(".", 1)[1]
        if rest.startswith("fields."):
            if rest[len("fields."):] not in fields:
                errors.append("unconfirmed %r names no field" % item)
        elif rest.startswith("attribute_mappings."):
            if rest[len("attribute_mappings."):] not in attr_names:
                errors.append("unconfirmed %r names no attribute mapping" % item)
        elif rest not in saml:
            errors.append("unconfirmed %r names a property the entry does not have" % item)

    consulted = [s for s in entry["sources"] if s["consulted"] and s["url"].startswith("https://")]
    if not consulted:
        errors.append("no https source that was actually consulted")
    if not any(s["kind"] == "vendor" for s in consulted) and not entry["unconfirmed"]:
        errors.append("no vendor documentation was consulted, so 'unconfirmed' must list what rests on other sources")
    if not any(s["kind"] == "vendor" for s in entry["sources"]):
        errors.append("sources must name the vendor's own documentation (consulted or not)")
    if not entry["notes"].strip():
        errors.append("notes is empty")
    return errors


# --------------------------------------------------------------------------
# Tests.

def load_schema():
    return json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))


def app_files():
    return sorted(APPS.glob("*.json"))


@pytest.fixture(scope="module")
def schema():
    return load_schema()


def test_schema_is_json_and_uses_only_checked_keywords(schema):
    # schema_errors raises on a keyword it does not implement; walking an empty
    # object through every definition exercises each of them once.
    for name, sub in schema["$defs"].items():
        schema_errors({}, sub, schema, "$defs." + name)
    schema_errors({}, schema)


def test_at_least_25_entries():
    assert len(app_files()) >= MIN_ENTRIES, "the catalog has %d entries" % len(app_files())


def test_no_stray_files():
    allowed = {"README.md", "application.schema.json", "applications", "icons", "tools"}
    assert {p.name for p in CATALOG.iterdir()} <= allowed
    assert all(p.suffix == ".json" for p in APPS.iterdir())
    ids = {p.stem for p in app_files()}
    icons = {p.stem for p in (CATALOG / "icons").iterdir()}
    assert icons == ids, "icons without an entry: %s; entries without an icon: %s" % (
        sorted(icons - ids), sorted(ids - icons))


def test_ids_unique():
    ids = []
    for path in app_files():
        ids.append(json.loads(path.read_text(encoding="utf-8")).get("id"))
    assert len(ids) == len(set(ids))


@pytest.mark.parametrize("path", app_files(), ids=lambda p: p.stem)
def test_entry(path, schema):
    text = path.read_text(encoding="utf-8")
    entry = json.loads(text)
    assert entry_errors(entry, path.stem, schema) == []


# The validator itself: a known-good entry, broken in one way at a time, must fail.

def _good_entry():
    return json.loads((APPS / "slack.json").read_text(encoding="utf-8"))


BREAKAGES = {
    "missing setup_note": lambda e: e.pop("setup_note"),
    "unknown property": lambda e: e.__setitem__("logo", "x.png"),
    "bad id": lambda e: e.__setitem__("id", "Slack"),
    "id differs from file": lambda e: e.__setitem__("id", "slack-two"),
    "undeclared placeholder": lambda e: e["saml"].__setitem__("acs_url", "https://${tenant}.example.com/acs"),
    "user placeholder in URL": lambda e: e["saml"].__setitem__("acs_url", "https://${user:email}/acs"),
    "http ACS": lambda e: e["saml"].__setitem__("acs_url", "http://example.com/acs"),
    "unknown user attribute": lambda e: e["saml"]["attribute_mappings"][1].__setitem__("value", "${user:phone}"),
    "unknown path attribute": lambda e: e["saml"]["attribute_mappings"][1].__setitem__("value", "${path:emails}"),
    "bad attribute format": lambda e: e["saml"]["attribute_mappings"][1].__setitem__("format", "emailAddress"),
    "subject not first": lambda e: e["saml"]["attribute_mappings"].reverse(),
    "subject format mismatch": lambda e: e["saml"]["attribute_mappings"][0].__setitem__("format", "emailAddress"),
    "bad sign": lambda e: e["saml"].__setitem__("sign", "none"),
    "no https source": lambda e: [s.__setitem__("url", s["url"].replace("https://", "http://")) for s in e["sources"]],
    "no consulted source": lambda e: [s.__setitem__("consulted", False) for s in e["sources"]],
    "example does not match pattern": lambda e: e["saml"]["fields"][0].__setitem__("example", "Not Valid!"),
    "unconfirmed names nothing": lambda e: e["unconfirmed"].append("saml.attribute_mappings.nope"),
    "duplicate attribute": lambda e: e["saml"]["attribute_mappings"].append(dict(e["saml"]["attribute_mappings"][1])),
}


def test_good_entry_passes(schema):
    assert entry_errors(_good_entry(), "slack", schema) == []


@pytest.mark.parametrize("name", sorted(BREAKAGES))
def test_validator_rejects(name, schema):
    entry = copy.deepcopy(_good_entry())
    BREAKAGES[name](entry)
    assert entry_errors(entry, "slack", schema) != []


@pytest.mark.parametrize("svg,problem", [
    (b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>', "script"),
    (b'<svg xmlns="http://www.w3.org/2000/svg" xmlns:x="http://www.w3.org/1999/xlink">'
     b'<a x:href="https://example.com/"><rect width="1" height="1"/></a></svg>', "href"),
    (b'<svg xmlns="http://www.w3.org/2000/svg"><rect onload="x()"/></svg>', "handler"),
    (b'<svg xmlns="http://www.w3.org/2000/svg"><rect fill="url(https://e.com/p)"/></svg>', "url"),
    (b'<svg xmlns="http://www.w3.org/2000/svg"><rect></svg>', "well-formed"),
    (b'<svg xmlns="http://www.w3.org/2000/svg">' + b"<g/>" * 300 + b"</svg>", "size"),
    (b'<html xmlns="http://www.w3.org/1999/xhtml"/>', "root"),
])
def test_icon_checks_reject(tmp_path, svg, problem):
    p = tmp_path / "bad.svg"
    p.write_bytes(svg)
    assert svg_errors(p) != [], problem
