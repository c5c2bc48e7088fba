"""Ping Identity (PingFederate and PingOne) provisioning traffic, replayed against the real server.

Modelled on Ping's public documentation of its outbound SCIM provisioners: PingFederate's
"SCIM Provisioner - User and group management" page (users are matched on userName; user
provisioning, user updates of changed attributes, deprovisioning by disabling or deleting; group
provisioning, group name updates, group membership updates, group deletion) and the AWS Single
Sign-On Connector it configures; PingOne's outbound provisioning store settings
(USER_FILTER such as `userName eq "%s"`, REMOVE_ACTION Disable or Delete,
GROUP_MEMBERSHIP_HANDLING MERGE, which adds and removes single members, or OVERWRITE, which
replaces the member list); and the AWS guide's Ping sections (an attribute removed in the data
store is not removed from the user: Ping sends only changed non-empty values; to stop PingOne
provisioning at once, delete the SCIM bearer token).
"""
import pytest

from scim_client import (GROUP_URN, PATCH_URN, assert_error, client_for, member_ids, scim_cli, uniq,
                         user_body, user_status)

pytestmark = pytest.mark.filterwarnings("ignore::urllib3.exceptions.InsecureRequestWarning")


def patch(scim, path, *operations):
    return scim.patch(path, {"schemas": [PATCH_URN], "Operations": list(operations)})


def match(scim, user_name):
    """PingOne's USER_FILTER `userName eq "%s"` and PingFederate's userName matching."""
    r = scim.get("Users", params={"filter": f'userName eq "{user_name}"'})
    assert r.status_code == 200, r.text
    return r.json()["Resources"]


def test_pingfederate_user_provisioning_update_and_disable(scim, server):
    sam = uniq("jsmith")
    assert match(scim, sam) == []
    body = user_body(sam, given="Janet", family="Smith", display="Janet Smith", email=f"{sam}@ping.example",
                     externalId=uniq("objectGUID"), title="Analyst",
                     phoneNumbers=[{"value": "+1 303 555 0100", "type": "work"}])
    r = scim.post("Users", body)
    assert r.status_code == 201, r.text
    uid = r.json()["id"]
    assert [u["id"] for u in match(scim, sam)] == [uid]
    # A user update carries only the changed attributes, as replace operations.
    r = patch(scim, f"Users/{uid}", {"op": "replace", "value": {"title": "Senior Analyst",
                                                               "name": {"familyName": "Smith-Jones"}}})
    assert r.status_code == 200, r.text
    out = r.json()
    assert out["title"] == "Senior Analyst" and out["name"] == {"givenName": "Janet", "familyName": "Smith-Jones"}
    assert out["phoneNumbers"] == [{"value": "+1 303 555 0100", "type": "work"}], "untouched values stay"
    # REMOVE_ACTION Disable.
    r = patch(scim, f"Users/{uid}", {"op": "replace", "path": "active", "value": False})
    assert r.status_code == 200 and r.json()["active"] is False
    assert user_status(server, uid) == "DISABLED"
    # The user is back in scope: enabled again by the same attribute.
    r = patch(scim, f"Users/{uid}", {"op": "replace", "path": "active", "value": True})
    assert r.status_code == 200 and r.json()["active"] is True
    # REMOVE_ACTION Delete.
    assert scim.delete(f"Users/{uid}").status_code == 204
    assert match(scim, sam) == []
    assert_error(scim.delete(f"Users/{uid}"), 404)


def test_ping_group_provisioning_merge_overwrite_rename_delete(scim):
    users = [scim.create_user() for _ in range(4)]
    ids = [u["id"] for u in users]
    name = uniq("Ping Group")
    # Group provisioning with its current members in one request.
    r = scim.post("Groups", {"schemas": [GROUP_URN], "displayName": name, "externalId": uniq("pf-group"),
                             "members": [{"value": ids[0]}, {"value": ids[1]}]})
    assert r.status_code == 201, r.text
    gid = r.json()["id"]
    assert member_ids(r.json()) == sorted(ids[:2])
    # GROUP_MEMBERSHIP_HANDLING MERGE: only the changes.
    r = patch(scim, f"Groups/{gid}", {"op": "add", "path": "members", "value": [{"value": ids[2]}]},
              {"op": "remove", "path": f'members[value eq "{ids[0]}"]'})
    assert r.status_code == 204, r.text
    assert member_ids(scim.get_group(gid)) == sorted(ids[1:3])
    # GROUP_MEMBERSHIP_HANDLING OVERWRITE: the whole list.
    r = patch(scim, f"Groups/{gid}", {"op": "replace", "path": "members", "value": [{"value": i} for i in ids]})
    assert r.status_code == 204, r.text
    assert member_ids(scim.get_group(gid)) == sorted(ids)
    r = patch(scim, f"Groups/{gid}", {"op": "replace", "path": "members", "value": [{"value": ids[3]}]})
    assert r.status_code == 204
    assert member_ids(scim.get_group(gid)) == [ids[3]]
    # Group name update.
    new = name + " (renamed)"
    r = patch(scim, f"Groups/{gid}", {"op": "replace", "path": "displayName", "value": new})
    assert r.status_code == 204
    assert scim.get("Groups", params={"filter": f'displayName eq "{new}"'}).json()["Resources"][0]["id"] == gid
    # Group deletion.
    assert scim.delete(f"Groups/{gid}").status_code == 204
    assert_error(scim.get(f"Groups/{gid}"), 404)
    assert "groups" not in scim.get_user(ids[3])


def test_pingone_provisioning_stops_when_its_token_is_deleted(scim, server):
    """AWS guide, PingOne: to terminate provisioning immediately, delete the SCIM bearer token."""
    code, tok, err = scim_cli(server, "create-token")
    assert code == 0, err
    pingone = client_for(server, tok["AccessToken"], user_agent="PingOne")
    first = pingone.create_user()
    assert scim_cli(server, "delete-token", "--token-id", tok["TokenId"])[0] == 0
    name = uniq("after-delete")
    r = pingone.post("Users", user_body(name))
    assert_error(r, 401)
    r = pingone.patch(f"Users/{first['id']}", {"schemas": [PATCH_URN], "Operations": [
        {"op": "replace", "path": "title", "value": "too late"}]})
    assert_error(r, 401)
    assert match(scim, name) == [], "nothing was provisioned with the deleted token"
    assert "title" not in scim.get_user(first["id"])
