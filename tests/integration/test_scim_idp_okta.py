"""Okta's provisioning traffic, replayed against the real server.

Modelled on Okta's public "Okta and SCIM Version 2.0" reference
(developer.okta.com/docs/api/openapi/okta-scim/guides/scim-20: the request bodies of user
create/PUT/PATCH-deactivate and of group push, rename, membership PATCH and DELETE), on the
checks of Okta's public "SCIM 2.0 Spec Test" (Runscope) suite (random-user lookup with
startIndex=1&count=100, unknown id -> 404, re-create -> 409, userName case-insensitivity), and on
the AWS guide's Okta section (deactivation disables the user; an address update carries
streetAddress, locality, region, postalCode and country). Okta's AWS application does not push a
password, so the documented placeholder `password` is left out (Atrium refuses it).
Request sequences are written from those descriptions; no Okta code is used.
"""
import uuid

import pytest

from scim_client import (ERROR_URN, GROUP_URN, LIST_URN, PATCH_URN, USER_URN, assert_error,
                         member_ids, uniq, user_status)

pytestmark = pytest.mark.filterwarnings("ignore::urllib3.exceptions.InsecureRequestWarning")

OKTA_UA = "Okta SCIM Client 1.0.0"


@pytest.fixture(scope="module")
def okta(scim):
    scim.s.headers["User-Agent"] = OKTA_UA
    return scim


def okta_user(login, okta_id, given="Test", family="User"):
    return {
        "schemas": [USER_URN],
        "userName": login,
        "name": {"givenName": given, "familyName": family},
        "emails": [{"primary": True, "value": login, "type": "work"}],
        "displayName": f"{given} {family}",
        "locale": "en-US",
        "externalId": okta_id,
        "groups": [],
        "active": True,
    }


def lookup(okta, login):
    r = okta.get("Users", params={"filter": f'userName eq "{login}"', "startIndex": 1, "count": 100})
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["schemas"] == [LIST_URN]
    for k in ("totalResults", "startIndex", "itemsPerPage"):
        assert isinstance(body[k], int), f"{k} must be an integer for Okta"
    return body


def test_okta_connection_test_and_imports(okta):
    """Saving "To App" sends GET /Users?startIndex=1&count=2; imports page with count=100."""
    for _ in range(3):
        okta.create_user()
    r = okta.get("Users", params={"startIndex": 1, "count": 2})
    assert r.status_code == 200
    page = r.json()
    assert page["itemsPerPage"] == 2 and len(page["Resources"]) == 2 and page["totalResults"] >= 3
    seen, start = [], 1
    while True:
        p = okta.get("Users", params={"startIndex": start, "count": 100}).json()
        seen += [u["id"] for u in p["Resources"]]
        start += 100
        if start > p["totalResults"]:
            break
    assert len(seen) == len(set(seen)) == page["totalResults"]
    r = okta.get("Groups", params={"startIndex": 1, "count": 100})
    assert r.status_code == 200 and r.json()["schemas"] == [LIST_URN]


def test_okta_user_lifecycle(okta, server):
    login = f"{uniq('test.user')}@okta.local"
    okta_id = "00u" + uuid.uuid4().hex[:17]
    # Spec test: a random user does not exist; an unknown id is 404.
    assert lookup(okta, login)["totalResults"] == 0
    assert_error(okta.get(f"Users/{uuid.uuid4()}"), 404)
    # Create with the user's application profile.
    r = okta.post("Users", okta_user(login, okta_id))
    assert r.status_code == 201, r.text
    created = r.json()
    assert created["id"] and created["userName"] == login and created["active"] is True
    assert created["externalId"] == okta_id and created["meta"]["resourceType"] == "User"
    assert "password" not in created and "groups" not in created
    uid = created["id"]
    got = okta.get_user(uid)
    assert got["userName"] == login and got["name"] == {"givenName": "Test", "familyName": "User"}
    # Spec test: userName lookups ignore case.
    found = lookup(okta, login.upper())
    assert found["totalResults"] == 1 and found["Resources"][0]["id"] == uid
    # Spec test: creating it again is 409.
    r = okta.post("Users", okta_user(login, okta_id))
    err = assert_error(r, 409, "uniqueness")
    assert err["detail"]
    # Profile update: Okta GETs the user, changes the mapped attributes and PUTs it back whole.
    current = okta.get_user(uid)
    current["name"]["middleName"] = "Excited"
    current["name"]["givenName"] = "Another"
    current["displayName"] = "Another User"
    current["emails"][0]["display"] = login
    current["addresses"] = [{"type": "work", "streetAddress": "100 First St", "locality": "San Francisco",
                             "region": "CA", "postalCode": "94105", "country": "US", "primary": True}]
    r = okta.put(f"Users/{uid}", current)
    assert r.status_code == 200, r.text
    out = r.json()
    assert out["name"] == {"givenName": "Another", "middleName": "Excited", "familyName": "User"}
    assert out["addresses"][0]["locality"] == "San Francisco" and out["displayName"] == "Another User"
    assert out["id"] == uid and out["meta"]["created"] == created["meta"]["created"]
    # Deactivation (OIN integrations): PATCH replace without a path.
    r = okta.patch(f"Users/{uid}", {"schemas": [PATCH_URN],
                                    "Operations": [{"op": "replace", "value": {"active": False}}]})
    assert r.status_code in (200, 204), r.text
    assert okta.get_user(uid)["active"] is False
    assert user_status(server, uid) == "DISABLED"
    assert lookup(okta, login)["Resources"][0]["active"] is False
    # Reactivation.
    r = okta.patch(f"Users/{uid}", {"schemas": [PATCH_URN],
                                    "Operations": [{"op": "replace", "value": {"active": True}}]})
    assert r.status_code in (200, 204) and okta.get_user(uid)["active"] is True
    assert user_status(server, uid) == "ENABLED"


def test_okta_aiw_integration_deactivates_with_put(okta, server):
    """Custom (App Integration Wizard) apps send every user update, deactivation included, as PUT."""
    login = f"{uniq('aiw')}@okta.local"
    uid = okta.post("Users", okta_user(login, "00u" + uuid.uuid4().hex[:17])).json()["id"]
    body = okta.get_user(uid)
    body["active"] = False
    r = okta.put(f"Users/{uid}", body)
    assert r.status_code == 200 and r.json()["active"] is False, r.text
    assert user_status(server, uid) == "DISABLED"
    body = okta.get_user(uid)
    body["active"] = True
    body["title"] = "Reactivated"
    r = okta.put(f"Users/{uid}", body)
    assert r.status_code == 200 and r.json()["active"] is True and r.json()["title"] == "Reactivated"


def test_okta_put_of_a_user_in_groups_ignores_read_only_groups(okta):
    """Okta PUTs back what GET returned, so the read-only `groups` (with $ref, display, type) and
    `meta` come back in the body; RFC 7644 §3.5.1 says read-only values are ignored."""
    login = f"{uniq('member')}@okta.local"
    uid = okta.post("Users", okta_user(login, "00u" + uuid.uuid4().hex[:17])).json()["id"]
    g = okta.create_group(members=[uid])
    body = okta.get_user(uid)
    assert [x["value"] for x in body["groups"]] == [g["id"]]
    body["title"] = "Changed"
    r = okta.put(f"Users/{uid}", body)
    assert r.status_code == 200, r.text
    assert r.json()["title"] == "Changed"
    assert [x["value"] for x in okta.get_user(uid)["groups"]] == [g["id"]], "membership is unchanged"


def test_okta_group_push(okta):
    u1 = okta.post("Users", okta_user(f"{uniq('gp1')}@okta.local", "00u" + uuid.uuid4().hex[:17])).json()
    u2 = okta.post("Users", okta_user(f"{uniq('gp2')}@okta.local", "00u" + uuid.uuid4().hex[:17])).json()
    name = uniq("Test SCIMv2")
    # Push: Okta looks the group up by name, then creates it with no members.
    r = okta.get("Groups", params={"filter": f'displayName eq "{name}"', "startIndex": 1, "count": 100})
    assert r.status_code == 200 and r.json()["totalResults"] == 0
    r = okta.post("Groups", {"schemas": [GROUP_URN], "displayName": name, "members": []})
    assert r.status_code == 201, r.text
    g = r.json()
    gid = g["id"]
    assert g["displayName"] == name and g["members"] == [] and g["meta"]["resourceType"] == "Group"
    assert okta.get_group(gid)["members"] == [], "Okta requires members in GET /Groups/{id}"

    def membership(remove_id, add_user):
        ops = []
        if remove_id:
            ops.append({"op": "remove", "path": f'members[value eq "{remove_id}"]'})
        ops.append({"op": "add", "path": "members",
                    "value": [{"value": add_user["id"], "display": add_user["userName"]}]})
        r = okta.patch(f"Groups/{gid}", {"schemas": [PATCH_URN], "Operations": ops})
        assert r.status_code in (200, 204), r.text
        # "The group name update operation is triggered each time there is a group membership update."
        r = okta.patch(f"Groups/{gid}", {"schemas": [PATCH_URN], "Operations": [
            {"op": "replace", "value": {"id": gid, "displayName": name}}]})
        assert r.status_code in (200, 204), r.text

    membership(str(uuid.uuid4()), u1)  # the remove of someone who is not a member is harmless
    assert member_ids(okta.get_group(gid)) == [u1["id"]]
    membership(u1["id"], u2)
    assert member_ids(okta.get_group(gid)) == [u2["id"]]
    assert [x["value"] for x in okta.get_user(u2["id"])["groups"]] == [gid]
    assert "groups" not in okta.get_user(u1["id"])
    # Full push: replace members.
    r = okta.patch(f"Groups/{gid}", {"schemas": [PATCH_URN], "Operations": [{
        "op": "replace", "path": "members",
        "value": [{"value": u1["id"], "display": u1["userName"]}, {"value": u2["id"], "display": u2["userName"]}]}]})
    assert r.status_code in (200, 204), r.text
    assert member_ids(okta.get_group(gid)) == sorted([u1["id"], u2["id"]])
    # Rename.
    new_name = name + " renamed"
    r = okta.patch(f"Groups/{gid}", {"schemas": [PATCH_URN], "Operations": [
        {"op": "replace", "value": {"id": gid, "displayName": new_name}}]})
    assert r.status_code in (200, 204), r.text
    assert okta.get_group(gid)["displayName"] == new_name
    r = okta.get("Groups", params={"filter": f'displayName eq "{new_name}"', "startIndex": 1, "count": 100})
    assert [x["id"] for x in r.json()["Resources"]] == [gid]
    # AIW integrations rename and set membership with PUT /Groups/{id}.
    r = okta.put(f"Groups/{gid}", {"schemas": [GROUP_URN], "id": gid, "displayName": name,
                                  "members": [{"value": u1["id"], "display": u1["userName"]}]})
    assert r.status_code == 200, r.text
    got = okta.get_group(gid)
    assert got["displayName"] == name and member_ids(got) == [u1["id"]]
    # Unlink pushed group, "Delete the group in the target app".
    r = okta.delete(f"Groups/{gid}")
    assert r.status_code == 204
    assert_error(okta.get(f"Groups/{gid}"), 404)
    r = okta.get("Groups", params={"filter": f'displayName eq "{name}"', "startIndex": 1, "count": 100})
    assert r.json()["totalResults"] == 0
    assert "groups" not in okta.get_user(u1["id"])


def test_okta_error_bodies_are_scim_errors(okta):
    r = okta.get(f"Users/{uuid.uuid4()}")
    assert r.status_code == 404 and r.json()["schemas"] == [ERROR_URN] and r.json()["status"] == "404"
