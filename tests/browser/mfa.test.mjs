// Browser flows with multi-factor authentication in its default mode (context-aware, a user
// without a device registers one at sign-in): forced TOTP registration and TOTP sign-in (codes
// from oathtool), WebAuthn registration and sign-in through chromium's virtual authenticator,
// trusted devices, and the devices page. One server and one chromium for the file.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';

import {
  Atrium, assertLabelled, assertNoProblems, enterPassword, launch, newContext, session, signOut,
  skipReason, totpCode, virtualAuthenticator,
} from './harness.mjs';
import { mailedCode } from './smtp_sink.mjs';

const skip = skipReason();
const PASSWORD = 'Corr3ct-Horse!';
const OTHER_BROWSER = 'Mozilla/5.0 (X11; Linux x86_64; rv:130.0) Gecko/20100101 Firefox/130.0';

describe('multi-factor authentication', { skip: skip ?? false }, () => {
  let server;
  let browser;

  before(async () => {
    server = await new Atrium().start();
    browser = await launch();
  });

  after(async () => {
    await browser?.close();
    await server?.stop();
  });

  async function profile(fn, options = {}) {
    const context = await newContext(browser, server, options);
    try {
      const page = await context.newPage();
      await fn(context, page);
      assertNoProblems(context);
    } finally {
      await context.close();
    }
  }

  async function landed(page) {
    await page.waitForURL((u) => u.pathname === '/portal/');
    await page.getByRole('heading', { level: 1, name: 'Your accounts and applications' }).waitFor();
  }

  async function devices(context) {
    const r = await context.request.get('/portal/api/devices');
    assert.equal(r.status(), 200);
    return (await r.json()).devices;
  }

  // Forced registration of an authenticator app through the UI; returns the secret.
  async function registerTotpAtSignIn(page, userName, deviceName) {
    await enterPassword(page, userName, PASSWORD);
    await page.waitForURL('**/portal/signin/register-mfa');
    await page.getByRole('heading', { level: 1, name: 'Register an MFA device' }).waitFor();
    await assertLabelled(page);
    await page.getByLabel('Authenticator app', { exact: true }).check();
    await page.getByRole('button', { name: 'Continue' }).click();
    const secretEl = page.locator('#totp-secret');
    await secretEl.waitFor();
    const secret = (await secretEl.textContent()).trim();
    assert.match(secret, /^[A-Z2-7]+=*$/, 'the secret is shown as base32 text');
    const qr = page.getByRole('img', { name: /QR code/ });
    await qr.waitFor();
    assert.ok(await qr.locator('path, rect').count() > 0, 'the QR code is drawn');
    assert.equal(await page.locator('svg.qr script, svg.qr foreignObject').count(), 0);
    await assertLabelled(page);
    await page.getByLabel('Code from the app').fill(await totpCode(secret));
    await page.getByLabel('Device name').fill(deviceName);
    await page.getByRole('button', { name: 'Register', exact: true }).click();
    await landed(page);
    return secret;
  }

  async function answerTotp(page, secret, { trust = false } = {}) {
    await page.waitForURL('**/portal/signin/mfa');
    await assertLabelled(page);
    if (trust) await page.getByLabel('This is a trusted device').check();
    await page.getByLabel('Authenticator app code').fill(await totpCode(secret));
    await page.getByRole('button', { name: 'Verify' }).click();
    await landed(page);
  }

  let tinaSecret;

  test('forced TOTP registration at first sign-in, then sign-in with a TOTP code', () => profile(async (context, page) => {
    await server.createUserWithPassword('tina', PASSWORD, context.request);
    tinaSecret = await registerTotpAtSignIn(page, 'tina', 'Tina phone');
    const list = await devices(context);
    assert.deepEqual(list.map((d) => [d.type, d.name]), [['TOTP', 'Tina phone']]);
    await signOut(page);

    await enterPassword(page, 'tina', PASSWORD);
    await page.waitForURL('**/portal/signin/mfa');
    await page.getByRole('heading', { level: 1, name: 'Additional verification required' }).waitFor();
    assert.equal(await page.getByRole('button', { name: 'Use a security key' }).count(), 0);
    // A wrong code: the page says so and stays.
    await page.getByLabel('Authenticator app code').fill('000000');
    await page.getByRole('button', { name: 'Verify' }).click();
    await page.getByRole('alert').filter({ hasText: /\S/ }).waitFor();
    assert.equal((await session(context)).signedIn, false);
    await answerTotp(page, tinaSecret);
    assert.equal((await session(context)).user.userName, 'tina');
    const trusted = (await context.cookies()).find((c) => c.name === 'atrium_device');
    assert.ok(!trusted, 'no trusted-device cookie when the box was not ticked');
  }));

  test('devices page: register a second authenticator app, rename it, delete it', () => profile(async (context, page) => {
    assert.ok(tinaSecret, 'needs the TOTP test before it');
    await enterPassword(page, 'tina', PASSWORD);
    await answerTotp(page, tinaSecret);
    await page.getByRole('link', { name: 'MFA devices' }).click();
    await page.waitForURL('**/portal/devices');
    await page.getByRole('rowheader', { name: 'Tina phone', exact: true }).waitFor();
    await assertLabelled(page);

    await page.getByRole('button', { name: 'Register an authenticator app' }).click();
    const secretEl = page.locator('#totp-secret');
    await secretEl.waitFor();
    const second = (await secretEl.textContent()).trim();
    assert.notEqual(second, tinaSecret, 'each authenticator app gets its own secret');
    await assertLabelled(page);
    await page.getByLabel('Code from the app').fill(await totpCode(second));
    await page.getByLabel('Device name').fill('Tina tablet');
    await page.getByRole('button', { name: 'Register', exact: true }).click();
    await page.getByRole('status').filter({ hasText: 'Registered Tina tablet.' }).waitFor();
    assert.deepEqual((await devices(context)).map((d) => d.name).sort(), ['Tina phone', 'Tina tablet']);

    await page.getByRole('button', { name: 'Rename Tina tablet' }).click();
    await page.getByLabel('New name for Tina tablet').fill('Old tablet');
    await page.getByRole('button', { name: 'Save' }).click();
    await page.getByRole('status').filter({ hasText: 'Renamed to Old tablet.' }).waitFor();
    assert.deepEqual((await devices(context)).map((d) => d.name).sort(), ['Old tablet', 'Tina phone']);

    await page.getByRole('button', { name: 'Delete Old tablet' }).click();
    await page.getByRole('button', { name: 'Delete Old tablet' }).click();
    await page.getByRole('status').filter({ hasText: 'Deleted Old tablet.' }).waitFor();
    assert.deepEqual((await devices(context)).map((d) => d.name), ['Tina phone']);
  }));

  test('WebAuthn registration at first sign-in and sign-in with the security key', () => profile(async (context, page) => {
    const authenticator = await virtualAuthenticator(context, page);
    await server.createUserWithPassword('walter', PASSWORD, context.request);
    await enterPassword(page, 'walter', PASSWORD);
    await page.waitForURL('**/portal/signin/register-mfa');
    await page.getByLabel('Security key or built-in authenticator').check();
    await page.getByRole('button', { name: 'Continue' }).click();
    await page.getByLabel('Device name').fill('Walter key');
    await assertLabelled(page);
    await page.getByRole('button', { name: 'Register security key' }).click();
    await landed(page);
    const [credential] = await authenticator.credentials();
    assert.ok(credential, 'the virtual authenticator holds the new credential');
    assert.deepEqual((await devices(context)).map((d) => [d.type, d.name]), [['WEBAUTHN', 'Walter key']]);
    await signOut(page);

    await enterPassword(page, 'walter', PASSWORD);
    await page.waitForURL('**/portal/signin/mfa');
    await assertLabelled(page);
    await page.getByRole('button', { name: 'Use a security key' }).click();
    await landed(page);
    assert.equal((await session(context)).user.userName, 'walter');
    const [after] = await authenticator.credentials();
    assert.ok(after.signCount > credential.signCount, 'the assertion used the registered credential');
    const [device] = await devices(context);
    assert.ok(device.lastUsed, 'the server recorded the use');
  }));

  test('a trusted device skips MFA next time; another browser is challenged again', async () => {
    const context = await newContext(browser, server);
    let state;
    try {
      const page = await context.newPage();
      await server.createUserWithPassword('trudy', PASSWORD, context.request);
      const secret = await registerTotpAtSignIn(page, 'trudy', 'Trudy phone');
      await signOut(page);

      await enterPassword(page, 'trudy', PASSWORD);
      await answerTotp(page, secret, { trust: true });
      const cookie = (await context.cookies()).find((c) => c.name === 'atrium_device');
      assert.ok(cookie?.value, 'the trusted-device cookie is set');
      assert.equal(cookie.httpOnly, true);
      assert.equal(cookie.secure, true);
      await signOut(page);

      // Same browser, same address: no MFA challenge.
      await enterPassword(page, 'trudy', PASSWORD);
      await landed(page);
      await signOut(page);
      assertNoProblems(context);
      state = await context.storageState();
    } finally {
      await context.close();
    }

    // The same cookies in a browser that says it is another one: challenged again.
    await profile(async (other, page) => {
      assert.ok((await other.cookies()).some((c) => c.name === 'atrium_device'));
      await enterPassword(page, 'trudy', PASSWORD);
      await page.waitForURL('**/portal/signin/mfa');
      await page.getByRole('heading', { level: 1, name: 'Additional verification required' }).waitFor();
    }, { storageState: state, userAgent: OTHER_BROWSER });
  });
  test('without a device and with the e-mail policy, the code comes by e-mail', () => profile(async (context, page) => {
    await server.mfaSettings('--without-device', 'email-code');
    try {
      const user = await server.createUserWithPassword('emma', PASSWORD, context.request);
      const since = server.smtp.messages.length;
      await enterPassword(page, 'emma', PASSWORD);
      await page.waitForURL('**/portal/signin/mfa');
      await assertLabelled(page);
      const code = mailedCode(await server.smtp.waitForMailTo(user.email, { since }));
      await page.getByLabel('Verification code').fill(code);
      await page.getByRole('button', { name: 'Verify' }).click();
      await landed(page);
      assert.equal((await session(context)).user.userName, 'emma');
    } finally {
      await server.mfaSettings('--without-device', 'require-registration');
    }
  }));
});
