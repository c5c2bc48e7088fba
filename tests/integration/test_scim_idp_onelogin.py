"""OneLogin provisioning traffic, replayed against the real server.

Modelled on OneLogin's "SCIM Provisioner with SAML (SCIM v2 Enterprise)" connector as its public
setup guides describe it: the user body is the connector's "SCIM JSON Template" rendered per user
(core and enterprise schemas, userName from a parameter, name with formatted, one work email
marked primary, the enterprise department, `"id": null`, `"meta": {"resourceType": "User"}`, and
`"active"` rendered from `{$user.active}`, i.e. as the strings "true"/"false"); OneLogin looks a
user up by userName before creating it, updates it with PUT of the re-rendered template, and
suspends it with `active` false. Groups (OneLogin roles pushed as groups) are created, their
members added and removed with PATCH, and, as the AWS guide's OneLogin section says, never
deleted over SCIM ("OneLogin currently does not support the SCIM DELETE operation for groups");
"Reapply entitlement mappings" replays the group creation, which must find the existing group.
"""

import pytest

from scim_client import (ENTERPRISE_URN, GROUP_URN, PATCH_URN, USER_URN, assert_error, member_ids,
                         uniq, user_status)

pytestmark = pytest.mark.filterwarnings("ignore::urllib3.exceptions.InsecureRequestWarning")


def template(user_name, first, last, email, department, active):
    """The connector's SCIM JSON Template after OneLogin substitutes the user's values."""
    return {
        "schemas": [USER_URN, ENTERPRISE_URN],
        "id": None,
        "userName": user_name,
        "name": {"familyName": last, "givenName": first, "formatted": f"{first} {last}"},
        "displayName": f"{first} {last}",
        "emails": [{"value": email, "type": "work", "primary": True}],
        "active": "true" if active else "false",
        "meta": {"resourceType": "User"},
        ENTERPRISE_URN: {"department": department},
    }


def find(scim, resource, flt):
    r = scim.get(resource, params={"filter": flt})
    assert r.status_code == 200, r.text
    return r.json()["Resources"]


def test_onelogin_user_lifecycle(scim, server):
    login = f"{uniq('jdoe')}@onelogin.example"
    assert find(scim, "Users", f'userName eq "{login}"') == []
    r = scim.post("Users", template(login, "Jane", "Doe", login, "Sales", True))
    assert r.status_code == 201, r.text
    u = r.json()
    uid = u["id"]
    assert u["active"] is True and u["name"]["formatted"] == "Jane Doe"
    assert u[ENTERPRISE_URN] == {"department": "Sales"}
    # An attribute change in OneLogin: the template is rendered again and PUT.
    r = scim.put(f"Users/{uid}", template(login, "Jane", "Doe-Smith", login, "Marketing", True))
    assert r.status_code == 200, r.text
    out = r.json()
    assert out["name"]["familyName"] == "Doe-Smith" and out[ENTERPRISE_URN]["department"] == "Marketing"
    assert out["id"] == uid, '"id": null in the body does not change the id'
    # Suspension: the same template with active rendered as "false".
    r = scim.put(f"Users/{uid}", template(login, "Jane", "Doe-Smith", login, "Marketing", False))
    assert r.status_code == 200 and r.json()["active"] is False, r.text
    assert user_status(server, uid) == "DISABLED"
    r = scim.put(f"Users/{uid}", template(login, "Jane", "Doe-Smith", login, "Marketing", True))
    assert r.status_code == 200 and r.json()["active"] is True
    # The user is removed from the app: OneLogin deletes it.
    assert scim.delete(f"Users/{uid}").status_code == 204
    assert_error(scim.get(f"Users/{uid}"), 404)
    assert find(scim, "Users", f'userName eq "{login}"') == []


def test_onelogin_role_groups_are_patched_and_never_deleted(scim):
    people = [scim.post("Users", template(f"{uniq('role')}@onelogin.example", "R", "Member",
                                          f"{uniq('rm')}@onelogin.example", "Ops", True)).json() for _ in range(3)]
    ids = [p["id"] for p in people]
    role = uniq("AWS-Admins")
    assert find(scim, "Groups", f'displayName eq "{role}"') == []
    r = scim.post("Groups", {"schemas": [GROUP_URN], "displayName": role})
    assert r.status_code == 201, r.text
    gid = r.json()["id"]
    r = scim.patch(f"Groups/{gid}", {"schemas": [PATCH_URN], "Operations": [
        {"op": "add", "path": "members", "value": [{"value": i} for i in ids]}]})
    assert r.status_code in (200, 204), r.text
    assert member_ids(scim.get_group(gid)) == sorted(ids)
    r = scim.patch(f"Groups/{gid}", {"schemas": [PATCH_URN], "Operations": [
        {"op": "remove", "path": "members", "value": [{"value": ids[0]}]}]})
    assert r.status_code in (200, 204), r.text
    assert member_ids(scim.get_group(gid)) == sorted(ids[1:])
    # "Reapply entitlement mappings": OneLogin creates the group again; the 409 tells it the group
    # exists, it finds it by name and re-adds the members it knows about.
    r = scim.post("Groups", {"schemas": [GROUP_URN], "displayName": role})
    assert_error(r, 409, "uniqueness")
    found = find(scim, "Groups", f'displayName eq "{role}"')
    assert [g["id"] for g in found] == [gid]
    r = scim.patch(f"Groups/{gid}", {"schemas": [PATCH_URN], "Operations": [
        {"op": "add", "path": "members", "value": [{"value": i} for i in ids[1:]]}]})
    assert r.status_code in (200, 204)
    assert member_ids(scim.get_group(gid)) == sorted(ids[1:]), "re-adding members is idempotent"
    # The role is removed in OneLogin: its members are removed, the group itself stays.
    r = scim.patch(f"Groups/{gid}", {"schemas": [PATCH_URN], "Operations": [
        {"op": "remove", "path": "members", "value": [{"value": i} for i in ids[1:]]}]})
    assert r.status_code in (200, 204)
    got = scim.get_group(gid)
    assert got["members"] == [] and got["displayName"] == role
    for p in people:
        assert "groups" not in scim.get_user(p["id"])
