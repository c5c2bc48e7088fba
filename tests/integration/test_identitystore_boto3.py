"""All 19 identitystore operations through Debian's boto3 against a real Atrium (TLS, SigV4)."""
import re
import threading
import uuid

import botocore.exceptions
import pytest

from conftest import new_user

# Ids: the store prefix and a UUID; version 7 (time-ordered) as Atrium makes them, 4 as older
# stores hold them (the service itself shows both forms).
ID_RE = re.compile(r"^[0-9a-f]{10}-[0-9a-f]{8}-[0-9a-f]{4}-[47][0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$")


def err(excinfo):
    return excinfo.value.response["Error"]["Code"], excinfo.value.response


def uniq(prefix="u"):
    return f"{prefix}-{uuid.uuid4().hex[:12]}"


def test_identity_store_id_format(server):
    assert re.fullmatch(r"d-[0-9a-f]{10}", server.store_id)


def test_user_lifecycle_with_every_attribute(server):
    c = server.client()
    sid = server.store_id
    name = uniq("alice")
    uid = c.create_user(
        IdentityStoreId=sid, UserName=name, DisplayName="Alice Example",
        Name={"Formatted": "Dr. Alice B. Example", "GivenName": "Alice", "FamilyName": "Example",
              "MiddleName": "B", "HonorificPrefix": "Dr.", "HonorificSuffix": "PhD"},
        NickName="ali", ProfileUrl="https://example.com/alice", UserType="Employee",
        Title="Engineer", PreferredLanguage="en-US", Locale="en_US", Timezone="Europe/Paris",
        Emails=[{"Value": f"{name}@example.com", "Type": "work", "Primary": True}],
        Addresses=[{"StreetAddress": "1 Main St", "Locality": "Springfield", "Region": "IL",
                    "PostalCode": "62701", "Country": "US", "Formatted": "1 Main St",
                    "Type": "work", "Primary": True}],
        PhoneNumbers=[{"Value": "+1 555 0100", "Type": "work", "Primary": True}],
    )["UserId"]
    assert ID_RE.match(uid), uid
    assert uid.startswith(sid[2:])
    u = c.describe_user(IdentityStoreId=sid, UserId=uid)
    assert u["UserName"] == name
    assert u["Name"]["HonorificSuffix"] == "PhD"
    assert u["Emails"] == [{"Value": f"{name}@example.com", "Type": "work", "Primary": True}]
    assert u["Addresses"][0]["PostalCode"] == "62701"
    assert u["PhoneNumbers"][0]["Value"] == "+1 555 0100"
    for k, v in dict(NickName="ali", ProfileUrl="https://example.com/alice", UserType="Employee",
                     Title="Engineer", PreferredLanguage="en-US", Locale="en_US",
                     Timezone="Europe/Paris").items():
        assert u[k] == v

    c.update_user(IdentityStoreId=sid, UserId=uid, Operations=[
        {"AttributePath": "displayName", "AttributeValue": "Alice Renamed"},
        {"AttributePath": "name.givenName", "AttributeValue": "Alicia"},
        {"AttributePath": "title"},  # no value: remove
        {"AttributePath": "emails", "AttributeValue": [{"value": f"new-{name}@example.com", "primary": True}]},
    ])
    u = c.describe_user(IdentityStoreId=sid, UserId=uid)
    assert u["DisplayName"] == "Alice Renamed"
    assert u["Name"]["GivenName"] == "Alicia" and u["Name"]["FamilyName"] == "Example"
    assert "Title" not in u
    assert u["Emails"][0]["Value"] == f"new-{name}@example.com"

    c.delete_user(IdentityStoreId=sid, UserId=uid)
    with pytest.raises(botocore.exceptions.ClientError) as e:
        c.describe_user(IdentityStoreId=sid, UserId=uid)
    code, resp = err(e)
    assert code == "ResourceNotFoundException"
    assert resp["ResourceType"] == "USER" and resp["ResourceId"] == uid


def test_get_user_id_by_unique_attribute_and_external_id(server):
    c = server.client()
    sid = server.store_id
    name = uniq("bob")
    uid = new_user(c, sid, name, email=f"{name}@Example.com")
    got = c.get_user_id(IdentityStoreId=sid, AlternateIdentifier={
        "UniqueAttribute": {"AttributePath": "userName", "AttributeValue": name.upper()}})
    assert got["UserId"] == uid, "userName lookups are case-insensitive (ASCII)"
    got = c.get_user_id(IdentityStoreId=sid, AlternateIdentifier={
        "UniqueAttribute": {"AttributePath": "emails.value", "AttributeValue": f"{name}@example.com"}})
    assert got["UserId"] == uid
    c.update_user(IdentityStoreId=sid, UserId=uid, Operations=[
        {"AttributePath": "externalIds", "AttributeValue": [{"Issuer": "okta", "Id": f"ext-{name}"}]}])
    got = c.get_user_id(IdentityStoreId=sid, AlternateIdentifier={
        "ExternalId": {"Issuer": "okta", "Id": f"ext-{name}"}})
    assert got["UserId"] == uid
    assert c.describe_user(IdentityStoreId=sid, UserId=uid)["ExternalIds"] == [
        {"Issuer": "okta", "Id": f"ext-{name}"}]
    with pytest.raises(botocore.exceptions.ClientError) as e:
        c.get_user_id(IdentityStoreId=sid, AlternateIdentifier={
            "ExternalId": {"Issuer": "okta", "Id": "nobody"}})
    code, resp = err(e)
    assert code == "ResourceNotFoundException" and resp["ResourceType"] == "USER"


def test_group_lifecycle_and_lookup(server):
    c = server.client()
    sid = server.store_id
    gname = uniq("eng")
    gid = c.create_group(IdentityStoreId=sid, DisplayName=gname, Description="Engineers")["GroupId"]
    assert ID_RE.match(gid)
    g = c.describe_group(IdentityStoreId=sid, GroupId=gid)
    assert g["DisplayName"] == gname and g["Description"] == "Engineers"
    assert c.get_group_id(IdentityStoreId=sid, AlternateIdentifier={
        "UniqueAttribute": {"AttributePath": "displayName", "AttributeValue": gname}})["GroupId"] == gid
    c.update_group(IdentityStoreId=sid, GroupId=gid, Operations=[
        {"AttributePath": "description", "AttributeValue": "Platform engineers"}])
    assert c.describe_group(IdentityStoreId=sid, GroupId=gid)["Description"] == "Platform engineers"
    listed = c.list_groups(IdentityStoreId=sid, Filters=[{"AttributePath": "DisplayName", "AttributeValue": gname}])
    assert [x["GroupId"] for x in listed["Groups"]] == [gid]
    with pytest.raises(botocore.exceptions.ClientError) as e:
        c.create_group(IdentityStoreId=sid, DisplayName=gname.upper())
    code, resp = err(e)
    assert code == "ConflictException" and resp["Reason"] == "UNIQUENESS_CONSTRAINT_VIOLATION"
    c.delete_group(IdentityStoreId=sid, GroupId=gid)
    with pytest.raises(botocore.exceptions.ClientError) as e:
        c.describe_group(IdentityStoreId=sid, GroupId=gid)
    code, resp = err(e)
    assert code == "ResourceNotFoundException" and resp["ResourceType"] == "GROUP"


def test_memberships(server):
    c = server.client()
    sid = server.store_id
    gid = c.create_group(IdentityStoreId=sid, DisplayName=uniq("grp"))["GroupId"]
    other = c.create_group(IdentityStoreId=sid, DisplayName=uniq("grp"))["GroupId"]
    users = [new_user(c, sid, uniq("m")) for _ in range(3)]
    mids = [c.create_group_membership(IdentityStoreId=sid, GroupId=gid, MemberId={"UserId": u})["MembershipId"]
            for u in users]
    d = c.describe_group_membership(IdentityStoreId=sid, MembershipId=mids[0])
    assert d["GroupId"] == gid and d["MemberId"] == {"UserId": users[0]}
    assert c.get_group_membership_id(IdentityStoreId=sid, GroupId=gid,
                                     MemberId={"UserId": users[1]})["MembershipId"] == mids[1]
    listed = c.list_group_memberships(IdentityStoreId=sid, GroupId=gid)["GroupMemberships"]
    assert sorted(m["MembershipId"] for m in listed) == sorted(mids)
    for_member = c.list_group_memberships_for_member(IdentityStoreId=sid, MemberId={"UserId": users[2]})
    assert [m["GroupId"] for m in for_member["GroupMemberships"]] == [gid]
    res = c.is_member_in_groups(IdentityStoreId=sid, MemberId={"UserId": users[0]}, GroupIds=[gid, other])
    assert {r["GroupId"]: r["MembershipExists"] for r in res["Results"]} == {gid: True, other: False}
    with pytest.raises(botocore.exceptions.ClientError) as e:
        c.create_group_membership(IdentityStoreId=sid, GroupId=gid, MemberId={"UserId": users[0]})
    assert err(e)[0] == "ConflictException"
    c.delete_group_membership(IdentityStoreId=sid, MembershipId=mids[0])
    with pytest.raises(botocore.exceptions.ClientError) as e:
        c.describe_group_membership(IdentityStoreId=sid, MembershipId=mids[0])
    assert err(e)[0] == "ResourceNotFoundException"
    # Deleting a user removes its memberships.
    c.delete_user(IdentityStoreId=sid, UserId=users[1])
    listed = c.list_group_memberships(IdentityStoreId=sid, GroupId=gid)["GroupMemberships"]
    assert [m["MemberId"]["UserId"] for m in listed] == [users[2]]
    with pytest.raises(botocore.exceptions.ClientError) as e:
        c.create_group_membership(IdentityStoreId=sid, GroupId=gid, MemberId={"UserId": users[1]})
    code, resp = err(e)
    assert code == "ResourceNotFoundException" and resp["ResourceType"] == "USER"


def test_uniqueness_of_user_name_and_primary_email(server):
    c = server.client()
    sid = server.store_id
    name = uniq("carol")
    new_user(c, sid, name, email=f"{name}@example.com")
    with pytest.raises(botocore.exceptions.ClientError) as e:
        new_user(c, sid, name.upper())
    code, resp = err(e)
    assert code == "ConflictException" and resp["Reason"] == "UNIQUENESS_CONSTRAINT_VIOLATION"
    with pytest.raises(botocore.exceptions.ClientError) as e:
        new_user(c, sid, uniq("other"), email=f"{name.upper()}@EXAMPLE.com")
    assert err(e)[0] == "ConflictException"


@pytest.mark.parametrize("kwargs,needle", [
    (dict(UserName="has space"), "UserName"),
    (dict(UserName="Administrator"), "reserved"),
    (dict(UserName="x" * 129), "UserName"),
    (dict(DisplayName=None), "DisplayName"),
    (dict(Name={"GivenName": "OnlyGiven"}), "FamilyName"),
    (dict(Emails=[{"Value": "a@example.com"}, {"Value": "b@example.com"}]), "single item"),
])
def test_create_user_validation(server, kwargs, needle):
    c = server.client(validate=False)
    args = dict(IdentityStoreId=server.store_id, UserName=uniq("v"), DisplayName="V",
                Name={"GivenName": "G", "FamilyName": "F"})
    args.update(kwargs)
    args = {k: v for k, v in args.items() if v is not None}
    with pytest.raises(botocore.exceptions.ClientError) as e:
        c.create_user(**args)
    code, resp = err(e)
    assert code == "ValidationException"
    assert needle in resp["Error"]["Message"]


def test_validation_of_ids_and_paging_parameters(server):
    c = server.client(validate=False)
    sid = server.store_id
    for bad in (0, 101):
        with pytest.raises(botocore.exceptions.ClientError) as e:
            c.list_users(IdentityStoreId=sid, MaxResults=bad)
        assert err(e)[0] == "ValidationException"
    with pytest.raises(botocore.exceptions.ClientError) as e:
        c.describe_user(IdentityStoreId=sid, UserId="not-an-id")
    assert err(e)[0] == "ValidationException"
    with pytest.raises(botocore.exceptions.ClientError) as e:
        c.list_users(IdentityStoreId=sid, NextToken="garbage-token")
    assert err(e)[0] == "ValidationException"
    with pytest.raises(botocore.exceptions.ClientError) as e:
        c.list_users(IdentityStoreId="d-0000000000")
    code, resp = err(e)
    assert code == "ResourceNotFoundException" and resp["ResourceType"] == "IDENTITY_STORE"


def test_pagination_across_250_users_with_concurrent_changes(fresh_server):
    c = fresh_server.client()
    sid = fresh_server.store_id
    ids = {new_user(c, sid, f"page-{i:04d}") for i in range(260)}
    seen, token, pages, deleted = [], None, 0, set()
    while True:
        kw = dict(IdentityStoreId=sid, MaxResults=37)
        if token:
            kw["NextToken"] = token
        page = c.list_users(**kw)
        pages += 1
        seen += [u["UserId"] for u in page["Users"]]
        if pages == 2:
            # Between pages: delete two users not yet seen and add a new one.
            unseen = sorted(ids - set(seen))
            for uid in unseen[-2:]:
                c.delete_user(IdentityStoreId=sid, UserId=uid)
                deleted.add(uid)
            new_user(c, sid, "page-added")
        token = page.get("NextToken")
        if not token:
            break
    assert len(seen) == len(set(seen)), "no user is returned twice"
    assert (ids - deleted) <= set(seen), "every user that existed throughout is returned"
    assert not (deleted & set(seen))
    assert pages == -(-len(seen) // 37), "full pages of 37 until the last"
    # The paginator of boto3 walks the same way.
    total = sum(len(p["Users"]) for p in c.get_paginator("list_users").paginate(IdentityStoreId=sid))
    assert total == len(ids) - len(deleted) + 1


def test_concurrent_writers_race_for_the_same_user_name(server):
    sid = server.store_id
    name = uniq("race")
    results = []

    def attempt():
        c = server.client()
        try:
            results.append(new_user(c, sid, name))
        except botocore.exceptions.ClientError as e:
            results.append(e.response["Error"]["Code"])

    for _round in range(3):
        results.clear()
        name = uniq("race")
        threads = [threading.Thread(target=attempt) for _ in range(2)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        winners = [r for r in results if ID_RE.match(r)]
        assert len(winners) == 1, results
        assert results.count("ConflictException") == 1, results


def test_enterprise_extension_round_trip_over_raw_json(server):
    """Debian's boto3 predates the Extensions member, so this sends the newer wire form."""
    import json
    import urllib.request
    import ssl
    from botocore.auth import SigV4Auth
    from botocore.awsrequest import AWSRequest
    from botocore.credentials import Credentials

    creds = Credentials(server.key["AccessKeyId"], server.key["SecretAccessKey"])
    ctx = ssl.create_default_context()
    ctx.check_hostname = False
    ctx.verify_mode = ssl.CERT_NONE

    def call(op, body):
        req = AWSRequest(method="POST", url=server.endpoint + "/", data=json.dumps(body),
                         headers={"Content-Type": "application/x-amz-json-1.1",
                                  "X-Amz-Target": f"AWSIdentityStore.{op}"})
        SigV4Auth(creds, "identitystore", "us-east-1").add_auth(req)
        r = urllib.request.Request(req.url, data=req.body, headers=dict(req.headers), method="POST")
        with urllib.request.urlopen(r, context=ctx) as resp:
            return json.loads(resp.read())

    name = uniq("ent")
    uid = call("CreateUser", {"IdentityStoreId": server.store_id, "UserName": name, "DisplayName": "E",
                              "Name": {"GivenName": "E", "FamilyName": "X"},
                              "Extensions": {"aws:identitystore:enterprise": {
                                  "employeeNumber": "42", "costCenter": "CC1", "organization": "Org",
                                  "division": "Div", "department": "Dept", "manager": {"value": "boss-id"}}}})["UserId"]
    plain = call("DescribeUser", {"IdentityStoreId": server.store_id, "UserId": uid})
    assert "Extensions" not in plain
    full = call("DescribeUser", {"IdentityStoreId": server.store_id, "UserId": uid,
                                 "Extensions": ["aws:identitystore:enterprise"]})
    ent = full["Extensions"]["aws:identitystore:enterprise"]
    assert ent == {"employeeNumber": "42", "costCenter": "CC1", "organization": "Org",
                   "division": "Div", "department": "Dept", "manager": {"value": "boss-id"}}
    call("UpdateUser", {"IdentityStoreId": server.store_id, "UserId": uid, "Operations": [
        {"AttributePath": "aws:identitystore:enterprise.department", "AttributeValue": "New"}]})
    full = call("DescribeUser", {"IdentityStoreId": server.store_id, "UserId": uid,
                                 "Extensions": ["aws:identitystore:enterprise"]})
    assert full["Extensions"]["aws:identitystore:enterprise"]["department"] == "New"
