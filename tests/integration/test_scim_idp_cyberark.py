"""CyberArk Workforce Identity provisioning traffic, replayed against the real server.

Modelled on the AWS guide's CyberArk section ("SCIM considerations": only roles mapped in the
application's Provisioning section are synchronized, as groups; only one phone number, the work
phone; when a role mapping's group name changes, a new group is created and the old group remains
with no members; users with the same principal name can be overwritten; de-provisioning disables
or deletes) and on the AWS Partner Network blog "Federated Access to AWS Single Sign-On with
CyberArk Workforce Identity" (role mapping to AWS groups; Start Sync or a daily sync).
"""
import pytest

from scim_client import (GROUP_URN, PATCH_URN, assert_error, identitystore_call, member_ids, uniq,
                         user_body, user_status)

pytestmark = pytest.mark.filterwarnings("ignore::urllib3.exceptions.InsecureRequestWarning")


def cyberark_user(upn, first, last, phone="+1 617 555 0100", **extra):
    return user_body(upn, given=first, family=last, display=f"{first} {last}", email=upn,
                     phoneNumbers=[{"value": phone, "type": "work", "primary": True}], **extra)


def lookup(scim, upn):
    r = scim.get("Users", params={"filter": f'userName eq "{upn}"'})
    assert r.status_code == 200, r.text
    return r.json()["Resources"]


def test_cyberark_overwrites_a_user_with_the_same_principal_name(scim, server):
    """A user made by hand in the identity store is found by userName and overwritten with PUT."""
    upn = f"{uniq('ark')}@cyberark.example"
    uid = identitystore_call(server, "CreateUser", {
        "UserName": upn, "DisplayName": "Hand Made", "Name": {"GivenName": "Hand", "FamilyName": "Made"},
        "Title": "Set by hand"})["UserId"]
    found = lookup(scim, upn)
    assert [u["id"] for u in found] == [uid] and "externalId" not in found[0]
    r = scim.put(f"Users/{uid}", cyberark_user(upn, "Ark", "User", externalId="ark-uuid-1"))
    assert r.status_code == 200, r.text
    out = r.json()
    assert out["externalId"] == "ark-uuid-1" and out["displayName"] == "Ark User" and "title" not in out
    d = identitystore_call(server, "DescribeUser", {"UserId": uid})
    assert d["ExternalIds"] == [{"Issuer": "scim", "Id": "ark-uuid-1"}]
    assert d["PhoneNumbers"] == [{"Value": "+1 617 555 0100", "Type": "work", "Primary": True}]
    assert "Title" not in d
    # The next sync's PUT with a new CyberArk id replaces the SCIM external id, it does not add one.
    r = scim.put(f"Users/{uid}", cyberark_user(upn, "Ark", "User", externalId="ark-uuid-2"))
    assert r.status_code == 200
    d = identitystore_call(server, "DescribeUser", {"UserId": uid})
    assert d["ExternalIds"] == [{"Issuer": "scim", "Id": "ark-uuid-2"}]
    assert scim.get("Users", params={"filter": 'externalId eq "ark-uuid-1"'}).json()["totalResults"] == 0


def test_cyberark_only_the_work_phone_is_synchronized(scim):
    upn = f"{uniq('phones')}@cyberark.example"
    body = cyberark_user(upn, "Two", "Phones")
    body["phoneNumbers"].append({"value": "+1 617 555 0199", "type": "mobile"})
    err = assert_error(scim.post("Users", body), 400, "invalidValue")
    assert "Currently list attributes only allow single item" in err["detail"]
    assert lookup(scim, upn) == []
    r = scim.post("Users", cyberark_user(upn, "One", "Phone"))
    assert r.status_code == 201 and r.json()["phoneNumbers"][0]["type"] == "work"


def test_cyberark_role_mapping_sync_and_rename(scim):
    members = [scim.post("Users", cyberark_user(f"{uniq('rm')}@cyberark.example", "Role", str(i))).json()
               for i in range(3)]
    ids = [m["id"] for m in members]
    group = uniq("AWS-Prod-Admins")
    # Sync: the mapped role becomes a group with the role's members.
    assert scim.get("Groups", params={"filter": f'displayName eq "{group}"'}).json()["totalResults"] == 0
    r = scim.post("Groups", {"schemas": [GROUP_URN], "displayName": group, "members": [{"value": i} for i in ids]})
    assert r.status_code == 201, r.text
    old = r.json()["id"]
    # The role changes: one member leaves, the next sync sends the difference.
    r = scim.patch(f"Groups/{old}", {"schemas": [PATCH_URN], "Operations": [
        {"op": "remove", "path": "members", "value": [{"value": ids[0]}]}]})
    assert r.status_code == 204, r.text
    assert member_ids(scim.get_group(old)) == sorted(ids[1:])
    # The destination group name in the role mapping changes: a new group is created with the
    # members and the old one is emptied but left in place.
    renamed = group + "-v2"
    r = scim.post("Groups", {"schemas": [GROUP_URN], "displayName": renamed,
                             "members": [{"value": i} for i in ids[1:]]})
    assert r.status_code == 201, r.text
    new = r.json()["id"]
    r = scim.patch(f"Groups/{old}", {"schemas": [PATCH_URN], "Operations": [{"op": "replace", "path": "members", "value": []}]})
    assert r.status_code == 204, r.text
    old_group = scim.get_group(old)
    assert old_group["members"] == [] and old_group["displayName"] == group
    assert member_ids(scim.get_group(new)) == sorted(ids[1:])
    assert [g["value"] for g in scim.get_user(ids[1])["groups"]] == [new]


def test_cyberark_deprovisioning_disable_then_delete(scim, server):
    upn = f"{uniq('leaver')}@cyberark.example"
    uid = scim.post("Users", cyberark_user(upn, "Leaves", "Role")).json()["id"]
    g = scim.create_group(members=[uid])
    # "De-provision user behavior: disable" when the user leaves the role.
    r = scim.patch(f"Groups/{g['id']}", {"schemas": [PATCH_URN], "Operations": [
        {"op": "remove", "path": f'members[value eq "{uid}"]'}]})
    assert r.status_code == 204
    body = cyberark_user(upn, "Leaves", "Role", active=False)
    r = scim.put(f"Users/{uid}", body)
    assert r.status_code == 200 and r.json()["active"] is False, r.text
    assert user_status(server, uid) == "DISABLED"
    # "... or delete".
    assert scim.delete(f"Users/{uid}").status_code == 204
    assert lookup(scim, upn) == []
    assert_error(scim.get(f"Users/{uid}"), 404)
