"""JumpCloud provisioning traffic, replayed against the real server.

Modelled on the AWS guide page "Using IAM Identity Center to connect with your JumpCloud
Directory Platform" ("SCIM considerations": only groups associated with the AWS connector are
synchronized; only one phone number, the work phone; users must have first and last names;
attributes are still synchronized when the user is disabled in Identity Center but active in
JumpCloud) and on JumpCloud's "Identity Management using a Custom SCIM Integration" help page
(the connection test creates a test user and a test group and deletes both when DELETE is
supported; otherwise the test user is deactivated).
"""
import pytest

from scim_client import GROUP_URN, PATCH_URN, USER_URN, assert_error, member_ids, uniq, user_status

pytestmark = pytest.mark.filterwarnings("ignore::urllib3.exceptions.InsecureRequestWarning")


def jc_user(email, first="Jump", last="Cloud", **extra):
    body = {"schemas": [USER_URN], "userName": email, "externalId": uniq("jc"),
            "name": {"givenName": first, "familyName": last}, "displayName": f"{first} {last}",
            "emails": [{"value": email, "type": "work", "primary": True}], "active": True}
    body.update(extra)
    return body


def count(scim, resource, flt):
    r = scim.get(resource, params={"filter": flt})
    assert r.status_code == 200, r.text
    return r.json()["totalResults"]


def test_jumpcloud_connection_test_creates_and_deletes_a_test_user_and_group(scim):
    email = f"{uniq('jc-test')}@jumpcloud.example"
    r = scim.post("Users", jc_user(email, "Test", "User"))
    assert r.status_code == 201, r.text
    uid = r.json()["id"]
    gname = uniq("JumpCloud Test Group")
    r = scim.post("Groups", {"schemas": [GROUP_URN], "displayName": gname, "members": [{"value": uid}]})
    assert r.status_code == 201, r.text
    gid = r.json()["id"]
    assert scim.delete(f"Groups/{gid}").status_code == 204
    assert scim.delete(f"Users/{uid}").status_code == 204
    assert count(scim, "Users", f'userName eq "{email}"') == 0
    assert count(scim, "Groups", f'displayName eq "{gname}"') == 0


@pytest.mark.parametrize("missing", ["givenName", "familyName"])
def test_jumpcloud_user_without_first_or_last_name_is_refused(scim, missing):
    email = f"{uniq('noname')}@jumpcloud.example"
    body = jc_user(email)
    del body["name"][missing]
    err = assert_error(scim.post("Users", body), 400, "invalidValue")
    assert missing in err["detail"]
    assert count(scim, "Users", f'userName eq "{email}"') == 0


def test_jumpcloud_updates_reach_a_user_disabled_in_identity_center(scim, server):
    email = f"{uniq('jc-disabled')}@jumpcloud.example"
    uid = scim.post("Users", jc_user(email)).json()["id"]
    # An Identity Center administrator disables the user (here through the SCIM door itself).
    r = scim.patch(f"Users/{uid}", {"schemas": [PATCH_URN], "Operations": [
        {"op": "replace", "path": "active", "value": False}]})
    assert r.status_code == 200 and user_status(server, uid) == "DISABLED"
    # JumpCloud keeps sending attribute changes; they apply and the user stays disabled.
    r = scim.patch(f"Users/{uid}", {"schemas": [PATCH_URN], "Operations": [
        {"op": "replace", "path": "title", "value": "Field Engineer"},
        {"op": "replace", "path": "phoneNumbers", "value": [{"value": "+1 720 555 0100", "type": "work"}]}]})
    assert r.status_code == 200, r.text
    out = r.json()
    assert out["title"] == "Field Engineer" and out["active"] is False
    assert out["phoneNumbers"] == [{"value": "+1 720 555 0100", "type": "work"}]
    assert user_status(server, uid) == "DISABLED"


def test_jumpcloud_bound_group_membership_and_unbinding(scim):
    users = [scim.post("Users", jc_user(f"{uniq('jc-m')}@jumpcloud.example")).json() for _ in range(3)]
    ids = [u["id"] for u in users]
    name = uniq("jc-engineering")
    r = scim.post("Groups", {"schemas": [GROUP_URN], "displayName": name, "members": [{"value": ids[0]}]})
    assert r.status_code == 201, r.text
    gid = r.json()["id"]
    r = scim.patch(f"Groups/{gid}", {"schemas": [PATCH_URN], "Operations": [
        {"op": "add", "path": "members", "value": [{"value": ids[1]}, {"value": ids[2]}]}]})
    assert r.status_code == 204, r.text
    r = scim.patch(f"Groups/{gid}", {"schemas": [PATCH_URN], "Operations": [
        {"op": "remove", "path": f'members[value eq "{ids[0]}"]'}]})
    assert r.status_code == 204, r.text
    assert member_ids(scim.get_group(gid)) == sorted(ids[1:])
    # The group is no longer associated with the connector: JumpCloud deletes it.
    assert scim.delete(f"Groups/{gid}").status_code == 204
    assert count(scim, "Groups", f'displayName eq "{name}"') == 0
    for i in ids:
        assert "groups" not in scim.get_user(i)
