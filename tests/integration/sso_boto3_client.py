"""The sso-oidc and sso clients of boto3 1.43 (the pyenv Python), pointed at Atrium with the
service endpoint variables AWS_ENDPOINT_URL_SSO / AWS_ENDPOINT_URL_SSO_OIDC and AWS_CA_BUNDLE,
as an SDK user would. Run by test_cli_access.py (Debian's Python), which approves the request in
between: this script prints one JSON line per step and reads "go" from stdin before it polls.

    python3 sso_boto3_client.py <start url> <account id> <role name>
"""
import json
import sys
import time

import boto3
import botocore


def out(**kv):
    print(json.dumps(kv), flush=True)


def main():
    start_url, account_id, role_name = sys.argv[1:4]
    session = boto3.session.Session(region_name="us-east-1")
    oidc = session.client("sso-oidc", config=botocore.config.Config(signature_version=botocore.UNSIGNED))
    sso = session.client("sso", config=botocore.config.Config(signature_version=botocore.UNSIGNED))
    reg = oidc.register_client(clientName="boto3-test", clientType="public", scopes=["sso:account:access"])
    auth = oidc.start_device_authorization(clientId=reg["clientId"], clientSecret=reg["clientSecret"], startUrl=start_url)
    out(step="started", userCode=auth["userCode"], verificationUriComplete=auth["verificationUriComplete"],
        interval=auth["interval"], expiresIn=auth["expiresIn"], clientSecretExpiresAt=reg["clientSecretExpiresAt"])
    # Polling at exactly the interval before the user decides: pending, never slow_down.
    errors = []
    for _ in range(2):
        try:
            oidc.create_token(grantType="urn:ietf:params:oauth:grant-type:device_code", clientId=reg["clientId"],
                              clientSecret=reg["clientSecret"], deviceCode=auth["deviceCode"])
        except oidc.exceptions.ClientError as e:
            errors.append(e.response["Error"]["Code"])
        time.sleep(auth["interval"])
    out(step="polled", errors=errors)
    if sys.stdin.readline().strip() != "go":
        return 1
    interval = auth["interval"]
    deadline = time.time() + 60
    while True:
        try:
            token = oidc.create_token(grantType="urn:ietf:params:oauth:grant-type:device_code", clientId=reg["clientId"],
                                      clientSecret=reg["clientSecret"], deviceCode=auth["deviceCode"])
            break
        except oidc.exceptions.SlowDownException:
            interval += 5
        except oidc.exceptions.AuthorizationPendingException:
            pass
        if time.time() > deadline:
            out(step="timeout")
            return 1
        time.sleep(interval)
    access = token["accessToken"]
    accounts = sso.list_accounts(accessToken=access)["accountList"]
    pages = [p["roleList"] for p in sso.get_paginator("list_account_roles").paginate(
        accessToken=access, accountId=account_id, PaginationConfig={"PageSize": 1})]
    try:
        sso.get_role_credentials(accessToken=access, accountId=account_id, roleName=role_name)
        creds_error = None
    except sso.exceptions.ClientError as e:
        creds_error = [e.response["Error"]["Code"], e.response["Error"].get("Message", "")]
    try:
        sso.get_role_credentials(accessToken=access, accountId="999999999999", roleName=role_name)
        forbidden = None
    except sso.exceptions.ClientError as e:
        forbidden = e.response["Error"]["Code"]
    refreshed = oidc.create_token(grantType="refresh_token", clientId=reg["clientId"], clientSecret=reg["clientSecret"],
                                  refreshToken=token["refreshToken"])
    try:
        oidc.create_token(grantType="refresh_token", clientId=reg["clientId"], clientSecret=reg["clientSecret"],
                          refreshToken=token["refreshToken"])
        reuse = None
    except oidc.exceptions.InvalidGrantException as e:
        reuse = e.response["Error"]["Code"]
    try:
        sso.list_accounts(accessToken=refreshed["accessToken"])
        after_reuse = None
    except sso.exceptions.UnauthorizedException as e:
        after_reuse = e.response["Error"]["Code"]
    out(step="done", expiresIn=token["expiresIn"], hasRefresh="refreshToken" in token, accounts=accounts,
        rolePages=pages, credsError=creds_error, forbidden=forbidden, reuse=reuse, afterReuse=after_reuse)
    return 0


if __name__ == "__main__":
    sys.exit(main())
