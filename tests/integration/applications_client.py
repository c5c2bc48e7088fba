"""The application operations through the newest boto3 on the machine (issue 15 item 3).

Interpreter: the pyenv Python (/root/.pyenv/shims/python3, boto3/botocore 1.43), whose
sso-admin model has the application operations (Debian's botocore 1.29 predates them). Run by
test_applications_boto3.py as a subprocess:

    applications_client.py <endpoint> <access key id> <secret> <instance arn> <user id> <group id>

It drives the public sso-admin operations with boto3 (paginators included) and the AtriumAdmin
SAML-settings operations as SigV4-signed JSON 1.1 calls (botocore's signer; no model has them),
asserting as it goes; prints one JSON object with what the caller checks further.
"""
import json
import sys

import boto3
import botocore.config
from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials
from botocore.exceptions import ClientError
import requests
import urllib3

urllib3.disable_warnings(urllib3.exceptions.InsecureRequestWarning)

REGION = "us-east-1"
endpoint, key_id, secret, instance_arn, user_id, group_id = sys.argv[1:7]
cfg = botocore.config.Config(retries={"max_attempts": 1, "mode": "standard"})
sso = boto3.client("sso-admin", region_name=REGION, endpoint_url=endpoint, aws_access_key_id=key_id,
                   aws_secret_access_key=secret, verify=False, config=cfg)


def console(op, body):
    """One AtriumAdmin operation: POST / with X-Amz-Target, signed like any AWS JSON 1.1 call."""
    req = AWSRequest(method="POST", url=endpoint + "/", data=json.dumps(body),
                     headers={"Content-Type": "application/x-amz-json-1.1", "X-Amz-Target": f"AtriumAdmin.{op}"})
    SigV4Auth(Credentials(key_id, secret), "sso", REGION).add_auth(req)
    r = requests.post(endpoint + "/", data=req.body, headers=dict(req.headers), verify=False, timeout=60)
    return r.status_code, r.json()


def error_code(fn, **kwargs):
    try:
        fn(**kwargs)
    except ClientError as e:
        return e.response["Error"]["Code"]
    raise AssertionError(f"{fn.__name__} {kwargs} did not fail")


out = {}

# The catalog: the custom provider and at least 25 entries, through the paginator.
providers = [p for page in sso.get_paginator("list_application_providers").paginate(PaginationConfig={"PageSize": 7})
             for p in page["ApplicationProviders"]]
arns = [p["ApplicationProviderArn"] for p in providers]
assert "arn:aws:sso::aws:applicationProvider/custom-saml" in arns, arns
assert len(arns) >= 26 and len(set(arns)) == len(arns), arns
slack = sso.describe_application_provider(ApplicationProviderArn="arn:aws:sso::aws:applicationProvider/catalog/slack")
assert slack["FederationProtocol"] == "SAML" and slack["DisplayData"]["DisplayName"] == "Slack", slack
assert slack["DisplayData"]["IconUrl"].endswith("/saml/icons/catalog/slack.svg"), slack
out["icon_url"] = slack["DisplayData"]["IconUrl"]
assert error_code(sso.describe_application_provider,
                  ApplicationProviderArn="arn:aws:sso::aws:applicationProvider/catalog/nope") == "ResourceNotFoundException"

# Applications: one from the catalog, one custom (boto3 fills ClientToken itself).
app = sso.create_application(InstanceArn=instance_arn, ApplicationProviderArn=slack["ApplicationProviderArn"],
                             Name="Slack", Description="Team chat")["ApplicationArn"]
custom = sso.create_application(InstanceArn=instance_arn, Name="Wiki",
                                ApplicationProviderArn="arn:aws:sso::aws:applicationProvider/custom-saml",
                                PortalOptions={"Visibility": "ENABLED",
                                               "SignInOptions": {"Origin": "IDENTITY_CENTER"}})["ApplicationArn"]
d = sso.describe_application(ApplicationArn=custom)
assert d["Name"] == "Wiki" and d["Status"] == "ENABLED" and d["InstanceArn"] == instance_arn, d
assert d["PortalOptions"]["SignInOptions"]["Origin"] == "IDENTITY_CENTER", d
assert d["CreatedDate"].year >= 2024, d
sso.update_application(ApplicationArn=custom, Name="Team wiki", Description="Our wiki",
                       PortalOptions={"SignInOptions": {"Origin": "APPLICATION",
                                                        "ApplicationUrl": "https://wiki.example.com/login"}})
d = sso.describe_application(ApplicationArn=custom)
assert d["Name"] == "Team wiki" and d["PortalOptions"]["SignInOptions"]["ApplicationUrl"] == "https://wiki.example.com/login", d
listed = [a["ApplicationArn"] for page in sso.get_paginator("list_applications").paginate(
    InstanceArn=instance_arn, PaginationConfig={"PageSize": 1}) for a in page["Applications"]]
assert sorted(listed) == sorted([app, custom]), listed
only_custom = sso.list_applications(InstanceArn=instance_arn,
                                    Filter={"ApplicationProvider": "arn:aws:sso::aws:applicationProvider/custom-saml"})
assert [a["ApplicationArn"] for a in only_custom["Applications"]] == [custom], only_custom

# Assignments and the assignment configuration.
sso.create_application_assignment(ApplicationArn=custom, PrincipalId=user_id, PrincipalType="USER")
sso.create_application_assignment(ApplicationArn=custom, PrincipalId=group_id, PrincipalType="GROUP")
sso.create_application_assignment(ApplicationArn=app, PrincipalId=group_id, PrincipalType="GROUP")
a = sso.describe_application_assignment(ApplicationArn=custom, PrincipalId=user_id, PrincipalType="USER")
assert a["PrincipalId"] == user_id and a["ApplicationArn"] == custom, a
of_custom = [x["PrincipalId"] for page in sso.get_paginator("list_application_assignments").paginate(
    ApplicationArn=custom, PaginationConfig={"PageSize": 1}) for x in page["ApplicationAssignments"]]
assert sorted(of_custom) == sorted([user_id, group_id]), of_custom
for_group = sso.list_application_assignments_for_principal(InstanceArn=instance_arn, PrincipalId=group_id,
                                                          PrincipalType="GROUP")["ApplicationAssignments"]
assert sorted(x["ApplicationArn"] for x in for_group) == sorted([app, custom]), for_group
filtered = sso.list_application_assignments_for_principal(InstanceArn=instance_arn, PrincipalId=group_id,
                                                         PrincipalType="GROUP", Filter={"ApplicationArn": app})
assert [x["ApplicationArn"] for x in filtered["ApplicationAssignments"]] == [app], filtered
assert sso.get_application_assignment_configuration(ApplicationArn=custom)["AssignmentRequired"] is True
sso.put_application_assignment_configuration(ApplicationArn=custom, AssignmentRequired=False)
assert sso.get_application_assignment_configuration(ApplicationArn=custom)["AssignmentRequired"] is False
sso.put_application_assignment_configuration(ApplicationArn=custom, AssignmentRequired=True)
sso.delete_application_assignment(ApplicationArn=custom, PrincipalId=user_id, PrincipalType="USER")
assert error_code(sso.describe_application_assignment, ApplicationArn=custom, PrincipalId=user_id,
                  PrincipalType="USER") == "ResourceNotFoundException"
assert error_code(sso.create_application_assignment, ApplicationArn=custom,
                  PrincipalId="0123456789-00000000-0000-4000-8000-000000000000", PrincipalType="USER") == "ResourceNotFoundException"

# The SAML settings behind the console (AtriumAdmin), signed the same way.
status, sp = console("UpdateApplicationInstanceServiceProviderConfiguration",
                     {"ApplicationArn": app, "ServiceProviderConfig": {"TemplateFields": {"workspace": "acme"}}})
assert status == 200 and sp["ServiceProviderConfig"]["AcsUrls"] == ["https://acme.slack.com/sso/saml"], sp
status, bad = console("UpdateApplicationInstanceServiceProviderConfiguration",
                      {"ApplicationArn": app, "ServiceProviderConfig": {"TemplateFields": {"workspace": "a b"}}})
assert status == 400 and bad["__type"] == "ValidationException", bad
status, certs = console("ListApplicationInstanceCertificates", {"ApplicationArn": app})
assert status == 200 and len(certs["Certificates"]) == 1 and certs["Certificates"][0]["Status"] == "ACTIVE", certs
status, fresh = console("CreateApplicationInstanceCertificate", {"ApplicationArn": app, "KeySize": 2048, "ValidityMonths": 12})
assert status == 200 and fresh["Certificate"]["Status"] == "INACTIVE", fresh
assert fresh["Certificate"]["ExpiryStatus"] == "VALID", fresh
status, _ = console("UpdateApplicationInstanceActiveCertificate",
                    {"ApplicationArn": app, "CertificateId": fresh["Certificate"]["CertificateId"]})
assert status == 200
old = certs["Certificates"][0]["CertificateId"]
status, _ = console("DeleteApplicationInstanceCertificate", {"ApplicationArn": app, "CertificateId": old})
assert status == 200
status, inst = console("GetApplicationInstance", {"ApplicationArn": app})
assert status == 200, inst
i = inst["ApplicationInstance"]
assert [c["CertificateId"] for c in i["Certificates"]] == [fresh["Certificate"]["CertificateId"]], i
assert i["IdentityProvider"]["Metadata"].count("<ds:X509Certificate>") == 1, i
assert i["ResponseSchemaConfig"]["AttributeMappings"][0]["Name"] == "Subject", i
out["metadata_url"] = i["IdentityProvider"]["MetadataUrl"]
out["app"] = app
out["custom"] = custom

# Errors in the API's own shapes.
assert error_code(sso.describe_application, ApplicationArn=app.replace("apl-", "apl-f")[:-1]) in (
    "ResourceNotFoundException", "ValidationException")
sso.delete_application(ApplicationArn=custom)
assert error_code(sso.describe_application, ApplicationArn=custom) == "ResourceNotFoundException"
print(json.dumps(out))
