"""Google Workspace directory sync tools (awslabs/ssosync, slashdevops/idp-scim-sync), replayed.

Modelled on the public source of the two tools' SCIM clients, read for the requests they send
(no code taken): ssosync's internal/aws client (GET without a Content-Type, FindUserByEmail and
FindGroupByDisplayName with `eq` filters that expect totalResults == 1, IsUserInGroup with
`id eq "<group>" and members eq "<user>"`, CreateUser with one work email marked primary and an
address holding only `{"type": "work"}`, UpdateUser as PUT, group membership PATCH with
`{"op": "add"|"remove", "path": "members", "value": [{"value": id}]}`, CreateGroup whose Go nil
member slice marshals as `"members": null`, a group change PATCH with a path-less replace of
`{id, displayName, externalId}`, DeleteUser/DeleteGroup) and idp-scim-sync's pkg/aws SCIM
service (Accept: application/json, CreateOrGetUser/CreateOrGetGroup which answer a 409 by
looking the resource up and PUT-ing the requested state, deletes that tolerate 404, a full state
read of every user and group page by page with the cursor form, ServiceProviderConfig).
"""

import pytest
import requests

from scim_client import GROUP_URN, LIST_URN, PATCH_URN, USER_URN, member_ids, uniq

pytestmark = pytest.mark.filterwarnings("ignore::urllib3.exceptions.InsecureRequestWarning")


def ssosync_user(email, first, last, active=True, uid=None):
    body = {"schemas": [USER_URN], "userName": email, "name": {"familyName": last, "givenName": first},
            "displayName": f"{first} {last}", "active": active,
            "emails": [{"value": email, "type": "work", "primary": True}], "addresses": [{"type": "work"}]}
    if uid:
        body["id"] = uid
    return body


class Raw:
    """Requests as the Go clients build them: a GET carries no Content-Type and no body."""

    def __init__(self, scim, accept=None):
        self.base, self.token, self.accept = scim.base, scim.token, accept

    def do(self, method, path, body=None, params=None):
        headers = {"Authorization": f"Bearer {self.token}"}
        if self.accept:
            headers["Accept"] = self.accept
        kw = {}
        if body is not None:
            headers["Content-Type"] = "application/scim+json"
            kw["json"] = body
        return requests.request(method, f"{self.base}/{path}", headers=headers, params=params,
                                verify=False, timeout=60, **kw)


def test_ssosync_full_run(scim):
    go = Raw(scim)
    email = f"{uniq('ssosync')}@google.example"

    def find_user():
        r = go.do("GET", "Users", params={"filter": f'userName eq "{email}"'})
        assert r.status_code == 200, r.text
        body = r.json()
        return body["Resources"][0] if body["totalResults"] == 1 else None

    assert find_user() is None
    r = go.do("POST", "Users", ssosync_user(email, "Sso", "Sync"))
    assert r.status_code == 201, r.text
    u = r.json()
    assert u["id"] and u["addresses"] == [{"type": "work"}]
    assert find_user()["id"] == u["id"]
    # UpdateUser: PUT of the whole user, id included.
    r = go.do("PUT", f"Users/{u['id']}", ssosync_user(email, "Sso", "Synced", active=True, uid=u["id"]))
    assert r.status_code == 200 and r.json()["name"]["familyName"] == "Synced", r.text
    # Groups.
    gname = f"{uniq('eng')}@google.example"
    r = go.do("GET", "Groups", params={"filter": f'displayName eq "{gname}"'})
    assert r.status_code == 200 and r.json()["totalResults"] == 0
    r = go.do("POST", "Groups", {"schemas": [GROUP_URN], "displayName": gname, "members": None})
    assert r.status_code == 201, r.text
    g = r.json()

    def in_group():
        r = go.do("GET", "Groups", params={"filter": f'id eq "{g["id"]}" and members eq "{u["id"]}"'})
        assert r.status_code == 200, r.text
        return r.json()["totalResults"] > 0

    assert not in_group()
    change = {"schemas": [PATCH_URN], "Operations": [{"op": "add", "path": "members", "value": [{"value": u["id"]}]}]}
    assert go.do("PATCH", f"Groups/{g['id']}", change).status_code == 204
    assert in_group()
    # Renaming and tagging a group: a path-less replace of {id, displayName, externalId}.
    r = go.do("PATCH", f"Groups/{g['id']}", {"schemas": [PATCH_URN], "Operations": [
        {"op": "replace", "value": {"id": g["id"], "displayName": gname + ".renamed", "externalId": "google-grp-1"}}]})
    assert r.status_code == 204, r.text
    got = scim.get_group(g["id"])
    assert got["displayName"] == gname + ".renamed" and got["externalId"] == "google-grp-1"
    change["Operations"][0]["op"] = "remove"
    assert go.do("PATCH", f"Groups/{g['id']}", change).status_code == 204
    assert not in_group()
    # A user suspended in Google is updated with active false, then deleted.
    r = go.do("PUT", f"Users/{u['id']}", ssosync_user(email, "Sso", "Synced", active=False, uid=u["id"]))
    assert r.status_code == 200 and r.json()["active"] is False
    assert go.do("DELETE", f"Users/{u['id']}").status_code == 204
    assert go.do("DELETE", f"Groups/{g['id']}").status_code == 204
    assert find_user() is None


def test_idp_scim_sync_create_or_get_answers_409_with_lookup_and_put(scim):
    go = Raw(scim, accept="application/json")
    r = go.do("GET", "ServiceProviderConfig")
    assert r.status_code == 200 and r.json()["patch"]["supported"] is True
    email = f"{uniq('idpsync')}@google.example"
    body = ssosync_user(email, "Idp", "Sync")
    body["externalId"] = uniq("google-id")
    assert go.do("POST", "Users", body).status_code == 201
    # Next run: the user changed in Google; the POST conflicts, the tool looks it up and PUTs.
    body["title"] = "Staff"
    r = go.do("POST", "Users", body)
    assert r.status_code == 409
    err = r.json()
    assert err["detail"] and err["status"] == "409", "the tool reads detail and status from the error body"
    r = go.do("GET", "Users", params={"filter": f'userName eq "{email}"'})
    existing = r.json()["Resources"][0]
    r = go.do("PUT", f"Users/{existing['id']}", dict(body, id=existing["id"]))
    assert r.status_code == 200 and r.json()["title"] == "Staff"
    # Same for groups.
    gname = uniq("idpsync-group")
    gbody = {"schemas": [GROUP_URN], "displayName": gname, "externalId": uniq("google-group")}
    assert go.do("POST", "Groups", gbody).status_code == 201
    assert go.do("POST", "Groups", gbody).status_code == 409
    found = go.do("GET", "Groups", params={"filter": f'displayName eq "{gname}"'}).json()["Resources"]
    assert len(found) == 1 and found[0]["externalId"] == gbody["externalId"]
    # Deletes of things already gone are 404, which the tool ignores.
    assert go.do("DELETE", f"Users/{existing['id']}").status_code == 204
    r = go.do("DELETE", f"Users/{existing['id']}")
    assert r.status_code == 404 and r.json()["status"] == "404"
    assert go.do("DELETE", f"Groups/{found[0]['id']}").status_code == 204
    assert go.do("DELETE", f"Groups/{found[0]['id']}").status_code == 404


def test_idp_scim_sync_reads_the_whole_state_with_cursors_and_membership(scim):
    """The state a sync compares against: every user and group (more than one page) and every
    group's members, which the service could not return before."""
    go = Raw(scim, accept="application/json")
    users = [scim.create_user()["id"] for _ in range(12)]
    groups = [scim.create_group(members=users[i::3])["id"] for i in range(3)]

    def walk(resource, count, **extra):
        out, cursor = [], ""
        while True:
            r = go.do("GET", resource, params={"cursor": cursor, "count": count, **extra})
            assert r.status_code == 200, r.text
            page = r.json()
            assert page["schemas"] == [LIST_URN] and "totalResults" not in page
            out += page["Resources"]
            cursor = page.get("nextCursor")
            if not cursor:
                return out

    all_users = walk("Users", 5)
    ids = [u["id"] for u in all_users]
    assert len(ids) == len(set(ids)) and set(users) <= set(ids)
    all_groups = {g["id"]: g for g in walk("Groups", 2)}
    assert set(groups) <= set(all_groups)
    for i, gid in enumerate(groups):
        assert member_ids(all_groups[gid]) == sorted(users[i::3])
        in_group = walk("Users", 2, filter=f'groups.value eq "{gid}"')
        assert sorted(u["id"] for u in in_group) == sorted(users[i::3])
    # Big groups are changed in one PATCH (no 100-member limit).
    extra = [scim.create_user()["id"] for _ in range(5)]
    ops = [{"op": "add", "path": "members", "value": [{"value": x} for x in users + extra]}]
    assert go.do("PATCH", f"Groups/{groups[0]}", {"schemas": [PATCH_URN], "Operations": ops}).status_code == 204
    assert member_ids(scim.get_group(groups[0])) == sorted(users + extra)
