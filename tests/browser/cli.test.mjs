// Browser flows of command-line access (docs/cli.md): the device verification page reached from
// the URL the AWS CLI prints (sign-in first, then back with the code), approving and denying,
// a code typed by hand, and the landing page's "Command line or programmatic access" dialog.
// The client side of the device flow is sent here as the CLI sends it (RegisterClient,
// StartDeviceAuthorization, CreateToken over HTTPS); the unmodified CLI runs in
// tests/integration/test_cli_access.py. MFA is off (the MFA pages have their own tests).
import assert from 'node:assert/strict';
import https from 'node:https';
import { after, before, describe, test } from 'node:test';

import {
  Atrium, assertLabelled, assertNoProblems, assignAccount, enterPassword, focusedId, launch,
  newContext, signInPasswordOnly, skipReason,
} from './harness.mjs';

const skip = skipReason();
const PASSWORD = 'Corr3ct-Horse!';

// One unsigned JSON call of the sso-oidc API.
function oidc(server, path, body) {
  const payload = JSON.stringify(body);
  return new Promise((resolve, reject) => {
    const req = https.request({ host: '127.0.0.1', port: server.port, method: 'POST', path, rejectUnauthorized: false,
                                headers: { 'content-type': 'application/json' } }, (res) => {
      let data = '';
      res.setEncoding('utf8');
      res.on('data', (c) => { data += c; });
      res.on('end', () => resolve({ status: res.statusCode, type: res.headers['x-amzn-errortype'], body: JSON.parse(data || '{}') }));
    });
    req.on('error', reject);
    req.end(payload);
  });
}

async function startDevice(server) {
  const c = (await oidc(server, '/client/register', { clientName: 'botocore-client-browser', clientType: 'public' })).body;
  const d = (await oidc(server, '/device_authorization', {
    clientId: c.clientId, clientSecret: c.clientSecret, startUrl: `${server.origin}/portal` })).body;
  const poll = () => oidc(server, '/token', { grantType: 'urn:ietf:params:oauth:grant-type:device_code',
                                              clientId: c.clientId, clientSecret: c.clientSecret, deviceCode: d.deviceCode });
  return { ...d, poll };
}

describe('command-line access', { skip: skip ?? false }, () => {
  let server;
  let browser;
  let user;

  before(async () => {
    server = await new Atrium().start();
    await server.mfaSettings('--mode', 'disabled');
    browser = await launch();
  });

  after(async () => {
    await browser?.close();
    await server?.stop();
  });

  async function profile(fn) {
    const context = await newContext(browser, server);
    try {
      const page = await context.newPage();
      await fn(context, page);
      assertNoProblems(context);
    } finally {
      await context.close();
    }
  }

  test('the verification URL leads through sign-in to the code, and Allow gives the CLI its token', () => profile(async (context, page) => {
    user = await server.createUserWithPassword('devon', PASSWORD, context.request);
    const d = await startDevice(server);
    assert.equal((await d.poll()).type, 'AuthorizationPendingException');
    await page.goto(d.verificationUriComplete);
    await page.waitForURL('**/portal/signin');
    await enterPassword(page, user.userName, PASSWORD);
    await page.waitForURL((u) => u.pathname === '/portal/device');
    await page.getByRole('heading', { level: 1, name: 'Allow access?' }).waitFor();
    await assertLabelled(page);
    assert.equal((await page.locator('#device-code').textContent()).trim(), d.userCode);
    await page.getByText('botocore-client-browser').waitFor();
    await page.getByRole('button', { name: 'Allow', exact: true }).click();
    await page.getByRole('heading', { level: 1, name: 'Request approved' }).waitFor();
    const t = await d.poll();
    assert.equal(t.status, 200, JSON.stringify(t.body));
    assert.equal(t.body.tokenType, 'Bearer');
    // The code worked once.
    assert.equal((await d.poll()).type, 'InvalidGrantException');
  }));

  test('a code typed by hand, in lower case without the dash; Deny answers access_denied', () => profile(async (context, page) => {
    await signInPasswordOnly(page, 'devon', PASSWORD);
    const d = await startDevice(server);
    await page.goto('/portal/device');
    await assertLabelled(page);
    await page.getByLabel('Code').fill('BCDF-GHJK');  // not issued: the page says so and stays
    await page.getByRole('button', { name: 'Next' }).click();
    await page.getByRole('alert').filter({ hasText: /not valid/ }).waitFor();
    await page.getByLabel('Code').fill(d.userCode.replace('-', '').toLowerCase());
    await page.getByRole('button', { name: 'Next' }).click();
    await page.getByRole('heading', { level: 1, name: 'Allow access?' }).waitFor();
    assert.equal(await focusedId(page) !== 'BODY', true, 'focus moves into the new view');
    await page.getByRole('button', { name: 'Deny', exact: true }).click();
    await page.getByRole('heading', { level: 1, name: 'Request denied' }).waitFor();
    assert.equal((await d.poll()).type, 'AccessDeniedException');
  }));

  test('the dialog of a role gives the aws configure sso values and says why there are no credentials', () => profile(async (context, page) => {
    await assignAccount(server, user, { accountId: '210987654321', accountName: 'Sandbox', permissionSet: 'Developer',
                                        description: 'Sandbox developer' });
    await signInPasswordOnly(page, 'devon', PASSWORD);
    await page.getByRole('button', { name: /Sandbox/ }).click();
    const open = page.getByRole('button', { name: 'Command line or programmatic access for Developer in Sandbox' });
    await open.click();
    const dialog = page.getByRole('dialog', { name: 'Get credentials for Developer' });
    await dialog.waitFor();
    await dialog.getByText(`${server.origin}/portal`, { exact: true }).waitFor();
    await dialog.getByText('us-east-1', { exact: true }).waitFor();
    // The default record-only provisioner has no role in the account to take credentials from.
    await dialog.getByRole('alert').filter({ hasText: /provisioner\.kind/ }).waitFor();
    assert.ok(await dialog.getByRole('button', { name: 'Copy' }).count() >= 2);
    await page.keyboard.press('Escape');
    await dialog.waitFor({ state: 'detached' });
    assert.equal(await page.evaluate(() => document.activeElement?.textContent), 'Command line or programmatic access');
  }));
});
