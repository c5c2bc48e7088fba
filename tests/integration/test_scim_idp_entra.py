"""Microsoft Entra ID (Azure AD) provisioning traffic, replayed against the real server.

Modelled on Microsoft Learn, "Tutorial: Develop and plan provisioning for a SCIM endpoint in
Microsoft Entra ID" (its request/response examples: Create User with the enterprise extension,
`meta` and `"roles": []`; Get User by query; Update User [multi-valued] with
`emails[type eq "work"].value`; Update User [single-valued] on userName; Create Group;
Get Group with `excludedAttributes=members`; Update Group with `"op": "Add"`/`"Remove"` and
`{"$ref": null, "value": …}` members; Delete), on its "Test Connection" note (a filter for a
random GUID must answer 200 with an empty ListResponse), on the test names of Microsoft's SCIM
validator (scimvalidator.microsoft.com: "Patch User - Disable User" expects a filtered GET of the
disabled user to carry `active`), and on the AWS guide's Azure AD section. Capitalised ops
("Replace", "Add", "Remove") and the string booleans "True"/"False" are what Entra sends.
The AWS gallery application also maps displayName, which the service requires.
"""
import uuid

import pytest

from scim_client import (ENTERPRISE_URN, GROUP_URN, LIST_URN, PATCH_URN, USER_URN, assert_error,
                         identitystore_call, member_ids, uniq, user_status)

pytestmark = pytest.mark.filterwarnings("ignore::urllib3.exceptions.InsecureRequestWarning")


def ops(*operations):
    return {"schemas": [PATCH_URN], "Operations": [
        dict(op=o, **({"path": p} if p is not None else {}), **({"value": v} if v is not ... else {}))
        for o, p, v in operations]}


def entra_user(user_name, mail, ext_id, manager_id=None, roles=False):
    body = {
        "schemas": [USER_URN, ENTERPRISE_URN],
        "externalId": ext_id,
        "userName": user_name,
        "active": True,
        "displayName": "givenName familyName",
        "emails": [{"primary": True, "type": "work", "value": mail}],
        "meta": {"resourceType": "User"},
        "name": {"formatted": "givenName familyName", "familyName": "familyName", "givenName": "givenName"},
        ENTERPRISE_URN: {"department": "Engineering", "employeeNumber": "100009"},
    }
    if manager_id:
        body[ENTERPRISE_URN]["manager"] = {"value": manager_id}
    if roles:
        body["roles"] = []
    return body


def by_user_name(scim, name):
    r = scim.get("Users", params={"filter": f'userName eq "{name}"'})
    assert r.status_code == 200, r.text
    return r.json()


def test_entra_test_connection_queries_a_random_guid(scim):
    r = scim.get("Users", params={"filter": f'userName eq "{uuid.uuid4()}"'})
    assert r.status_code == 200
    body = r.json()
    assert body["schemas"] == [LIST_URN] and body["totalResults"] == 0 and body["Resources"] == []
    r = scim.get("Users", params={"filter": f'externalId eq "{uuid.uuid4()}"'})
    assert r.status_code == 200 and r.json()["totalResults"] == 0


def test_entra_documented_create_user_with_empty_roles(scim):
    """Entra's documented Create User request carries `"roles": []`. An empty array is an
    unassigned attribute (RFC 7643 §2.5), so it asserts no role and must not fail the create."""
    name = f"Test_User_{uuid.uuid4()}"
    r = scim.post("Users", entra_user(name, f"{uniq('mail')}@testuser.com", str(uuid.uuid4()), roles=True))
    assert r.status_code == 201, r.text
    assert "roles" not in r.json()
    assert by_user_name(scim, name)["totalResults"] == 1


def test_entra_user_lifecycle(scim, server):
    boss = scim.create_user()
    name = f"Test_User_{uuid.uuid4()}"
    ext = str(uuid.uuid4())
    # Entra queries by the matching attribute before creating.
    assert by_user_name(scim, name)["totalResults"] == 0
    r = scim.post("Users", entra_user(name, f"{uniq('Test_User')}@testuser.com", ext, boss["id"]))
    assert r.status_code == 201, r.text
    u = r.json()
    uid = u["id"]
    assert u["externalId"] == ext and u["active"] is True
    assert u[ENTERPRISE_URN]["department"] == "Engineering"
    assert u[ENTERPRISE_URN]["manager"]["value"] == boss["id"]
    assert set(u["schemas"]) == {USER_URN, ENTERPRISE_URN}
    assert scim.get_user(uid) == u
    assert by_user_name(scim, name)["Resources"][0]["id"] == uid
    # Update User [multi-valued properties].
    r = scim.patch(f"Users/{uid}", ops(("Replace", 'emails[type eq "work"].value', "updatedEmail@microsoft.com"),
                                       ("Replace", "name.familyName", "updatedFamilyName")))
    assert r.status_code == 200, r.text
    assert r.json()["emails"] == [{"value": "updatedEmail@microsoft.com", "type": "work", "primary": True}]
    assert r.json()["name"]["familyName"] == "updatedFamilyName"
    # Update User [single-valued properties].
    new_name = f"{uuid.uuid4()}@testuser.com"
    r = scim.patch(f"Users/{uid}", ops(("Replace", "userName", new_name)))
    assert r.status_code == 200 and r.json()["userName"] == new_name, r.text
    assert by_user_name(scim, name)["totalResults"] == 0 and by_user_name(scim, new_name)["totalResults"] == 1
    # Attribute changes Entra sends as Add, including enterprise paths.
    r = scim.patch(f"Users/{uid}", ops(("Add", "title", "Senior Engineer"),
                                       ("Add", f"{ENTERPRISE_URN}:department", "Research"),
                                       ("Replace", "displayName", "Updated Display"),
                                       ("Add", "preferredLanguage", "en-GB")))
    assert r.status_code == 200, r.text
    out = r.json()
    assert out["title"] == "Senior Engineer" and out[ENTERPRISE_URN]["department"] == "Research"
    assert out["displayName"] == "Updated Display" and out["preferredLanguage"] == "en-GB"
    assert out[ENTERPRISE_URN]["manager"]["value"] == boss["id"], "an unrelated change keeps the manager"
    d = identitystore_call(server, "DescribeUser", {"UserId": uid})
    assert d["Title"] == "Senior Engineer" and d["Emails"][0]["Value"] == "updatedEmail@microsoft.com"
    # Disable (soft delete / unassignment) with the string boolean Entra sends.
    r = scim.patch(f"Users/{uid}", ops(("Replace", "active", "False")))
    assert r.status_code == 200 and r.json()["active"] is False, r.text
    assert user_status(server, uid) == "DISABLED"
    listed = by_user_name(scim, new_name)["Resources"]
    assert listed[0]["active"] is False, "a filtered GET of the disabled user carries active"
    r = scim.patch(f"Users/{uid}", ops(("Replace", "active", "True")))
    assert r.status_code == 200 and r.json()["active"] is True
    # Hard delete.
    assert scim.delete(f"Users/{uid}").status_code == 204
    assert_error(scim.get(f"Users/{uid}"), 404)
    assert by_user_name(scim, new_name)["totalResults"] == 0


def test_entra_adds_work_email_phone_and_address_when_absent(scim, server):
    """Entra writes `Add` on filtered paths even when the user has no such value yet."""
    u = scim.create_user()
    mail = f"{uniq('added')}@contoso.example"
    r = scim.patch(f"Users/{u['id']}", ops(
        ("Add", 'emails[type eq "work"].value', mail),
        ("Add", 'phoneNumbers[type eq "work"].value', "+1 425 555 0100"),
        ("Add", 'addresses[type eq "work"].streetAddress', "1 Microsoft Way"),
        ("Add", 'addresses[type eq "work"].locality', "Redmond"),
        ("Add", 'addresses[type eq "work"].postalCode', "98052"),
        ("Add", 'addresses[type eq "work"].country', "US")))
    assert r.status_code == 200, r.text
    out = r.json()
    assert out["emails"] == [{"type": "work", "value": mail}]
    assert out["phoneNumbers"] == [{"type": "work", "value": "+1 425 555 0100"}]
    assert out["addresses"] == [{"type": "work", "streetAddress": "1 Microsoft Way", "locality": "Redmond",
                                 "postalCode": "98052", "country": "US"}]
    d = identitystore_call(server, "DescribeUser", {"UserId": u["id"]})
    assert d["Addresses"][0]["Locality"] == "Redmond" and d["PhoneNumbers"][0]["Value"] == "+1 425 555 0100"
    # A later Replace of the same filtered path changes the one value, not adds a second.
    r = scim.patch(f"Users/{u['id']}", ops(("Replace", 'phoneNumbers[type eq "work"].value', "+1 425 555 0199")))
    assert r.status_code == 200 and r.json()["phoneNumbers"] == [{"type": "work", "value": "+1 425 555 0199"}]
    # Entra clears a value with Remove on the filtered path.
    r = scim.patch(f"Users/{u['id']}", ops(("Remove", 'phoneNumbers[type eq "work"]', ...)))
    assert r.status_code == 200 and "phoneNumbers" not in r.json()


def test_entra_manager_reference(scim):
    a, b = scim.create_user(), scim.create_user()
    u = scim.create_user()
    path = f"{ENTERPRISE_URN}:manager"
    r = scim.patch(f"Users/{u['id']}", ops(("Add", path, a["id"])))
    assert r.status_code == 200, r.text
    assert r.json()[ENTERPRISE_URN]["manager"]["value"] == a["id"]
    assert ENTERPRISE_URN in r.json()["schemas"]
    r = scim.patch(f"Users/{u['id']}", ops(("Replace", path, b["id"])))
    assert r.status_code == 200 and r.json()[ENTERPRISE_URN]["manager"]["value"] == b["id"]
    assert [x["id"] for x in scim.get("Users", params={"filter": f'manager eq "{b["id"]}"'}).json()["Resources"]] \
        == [u["id"]]
    r = scim.patch(f"Users/{u['id']}", ops(("Remove", path, ...)))
    assert r.status_code == 200, r.text
    assert ENTERPRISE_URN not in r.json()
    assert scim.get("Users", params={"filter": f'manager eq "{b["id"]}"'}).json()["totalResults"] == 0


def test_entra_group_lifecycle(scim):
    users = [scim.create_user() for _ in range(3)]
    name = uniq("displayName")
    ext = str(uuid.uuid4())
    r = scim.post("Groups", {"schemas": [GROUP_URN], "externalId": ext, "displayName": name,
                             "meta": {"resourceType": "Group"}})
    assert r.status_code == 201, r.text
    g = r.json()
    gid = g["id"]
    assert g["externalId"] == ext and g["members"] == []
    r = scim.get(f"Groups/{gid}", params={"excludedAttributes": "members"})
    assert r.status_code == 200 and "members" not in r.json() and r.json()["displayName"] == name
    r = scim.get("Groups", params={"excludedAttributes": "members", "filter": f'displayName eq "{name}"'})
    assert r.status_code == 200
    res = r.json()["Resources"]
    assert [x["id"] for x in res] == [gid] and "members" not in res[0]
    new_name = uniq("updatedDisplayName")
    r = scim.patch(f"Groups/{gid}", ops(("Replace", "displayName", new_name)))
    assert r.status_code == 204, r.text
    r = scim.patch(f"Groups/{gid}", ops(("Add", "members", [{"$ref": None, "value": u["id"]} for u in users])))
    assert r.status_code == 204, r.text
    assert member_ids(scim.get_group(gid)) == sorted(u["id"] for u in users)
    r = scim.patch(f"Groups/{gid}", ops(("Remove", "members", [{"$ref": None, "value": users[0]["id"]},
                                                                {"$ref": None, "value": users[1]["id"]}])))
    assert r.status_code == 204, r.text
    got = scim.get_group(gid)
    assert member_ids(got) == [users[2]["id"]] and got["displayName"] == new_name
    # Entra finds the groups a user is in with a members filter.
    r = scim.get("Groups", params={"filter": f'members eq "{users[2]["id"]}"', "excludedAttributes": "members"})
    assert [x["id"] for x in r.json()["Resources"]] == [gid]
    assert scim.delete(f"Groups/{gid}").status_code == 204
    assert_error(scim.get(f"Groups/{gid}"), 404)


def test_entra_ad_scim_group_schema_follows_the_documented_rule(scim):
    """Entra's generic Create Group example also lists Microsoft's
    `http://schemas.microsoft.com/2006/11/ResourceManagement/ADSCIM/2.0/Group` URN. Atrium's rule is
    that an unknown schema URN is 400 invalidSyntax; this pins that rule (and that nothing is kept)
    so that a change of policy is deliberate. See the report: an interop risk, not a server bug."""
    name = uniq("adscim")
    r = scim.post("Groups", {"schemas": [GROUP_URN, "http://schemas.microsoft.com/2006/11/ResourceManagement/ADSCIM/2.0/Group"],
                             "externalId": str(uuid.uuid4()), "displayName": name, "meta": {"resourceType": "Group"}})
    assert_error(r, 400, "invalidSyntax")
    assert scim.get("Groups", params={"filter": f'displayName eq "{name}"'}).json()["totalResults"] == 0
