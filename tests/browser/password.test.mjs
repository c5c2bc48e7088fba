// Browser flows with passwords only (MFA disabled with `atrium admin mfa settings --mode
// disabled`): sign-in, invitation, forgot password, change password, sign out, the landing page
// with an assigned account, and keyboard-only use. One server and one chromium for the file; a
// fresh browser profile per test.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';

import {
  Atrium, assertLabelled, assertNoProblems, assignAccount, enterPassword, focusedId, launch,
  newContext, session, signInPasswordOnly, signOut, skipReason,
} from './harness.mjs';
import { tokenLink } from './smtp_sink.mjs';

const skip = skipReason();
const PASSWORD = 'Corr3ct-Horse!';

describe('passwords only', { skip: skip ?? false }, () => {
  let server;
  let browser;

  before(async () => {
    server = await new Atrium().start();
    await server.mfaSettings('--mode', 'disabled');
    browser = await launch();
  });

  after(async () => {
    await browser?.close();
    await server?.stop();
  });

  // A fresh profile for one test; no CSP violations or page errors allowed in it.
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

  test('sign in with user name and password; a wrong password is refused', () => profile(async (context, page) => {
    const user = await server.createUserWithPassword('alice', PASSWORD, context.request);
    const res = await page.goto('/portal/signin');
    assert.match(res.headers()['content-security-policy'] ?? '', /default-src 'self'/);
    await assertLabelled(page);

    await enterPassword(page, user.userName, 'Wrong-passw0rd!');
    const alert = page.getByRole('alert').filter({ hasText: /\S/ });
    await alert.waitFor();
    assert.equal(new URL(page.url()).pathname, '/portal/signin/password');
    assert.equal(await page.getByLabel('Password', { exact: true }).getAttribute('aria-invalid'), 'true');
    assert.equal((await session(context)).signedIn, false);

    await page.getByLabel('Password', { exact: true }).fill(PASSWORD);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.waitForURL((u) => u.pathname === '/portal/');
    await page.getByRole('navigation').getByText('alice Display').waitFor();
    await assertLabelled(page);

    const s = await session(context);
    assert.equal(s.signedIn, true);
    assert.equal(s.user.userName, 'alice');
    assert.ok(s.csrfToken);
    const cookie = (await context.cookies()).find((c) => c.name === 'atrium_session');
    assert.ok(cookie, 'atrium_session cookie set');
    assert.equal(cookie.httpOnly, true);
    assert.equal(cookie.secure, true);
    assert.equal(cookie.sameSite, 'Strict');
    assert.equal(cookie.path, '/portal');
  }));

  test('the user name may be typed as DOMAIN\\user or as a UPN', () => profile(async (context, page) => {
    await server.createUserWithPassword('hank', PASSWORD, context.request);
    for (const typed of ['CORP\\hank', 'hank@corp.example.com', 'HANK']) {
      await signInPasswordOnly(page, typed, PASSWORD);
      assert.equal((await session(context)).user.userName, 'hank', typed);
      await signOut(page);
    }
  }));

  test("an administrator's one-time password: a new password is chosen at sign-in", () => profile(async (context, page) => {
    const user = await server.createUser('ivan');
    const otp = JSON.parse((await server.cli('admin', 'user', 'reset-password', '--user', user.userName,
                                             '--one-time-password', '--json')).stdout).OneTimePassword;
    assert.ok(otp);
    await enterPassword(page, 'ivan', otp);
    await page.waitForURL('**/portal/signin/new-password');
    await page.getByRole('heading', { level: 1, name: 'Choose a new password' }).waitFor();
    await assertLabelled(page);
    assert.equal((await session(context)).signedIn, false, 'no session before the new password');
    await page.getByLabel('New password', { exact: true }).fill('weak');
    await page.getByLabel('Confirm new password').fill('weak');
    await page.getByRole('button', { name: 'Set password' }).click();
    await page.getByRole('alert').filter({ hasText: /\S/ }).waitFor();
    const NEW = 'Own-Choice-2026';
    await page.getByLabel('New password', { exact: true }).fill(NEW);
    await page.getByLabel('Confirm new password').fill(NEW);
    await page.getByRole('button', { name: 'Set password' }).click();
    await page.waitForURL((u) => u.pathname === '/portal/');
    await signOut(page);
    await enterPassword(page, 'ivan', otp);
    await page.getByRole('alert').filter({ hasText: /\S/ }).waitFor();
    await signInPasswordOnly(page, 'ivan', NEW);
  }));

  test('disabling the user ends the session at once', () => profile(async (context, page) => {
    await server.createUserWithPassword('judy', PASSWORD, context.request);
    await signInPasswordOnly(page, 'judy', PASSWORD);
    await server.cli('admin', 'user', 'disable', '--user', 'judy');
    await page.getByRole('link', { name: 'MFA devices' }).click();
    await page.waitForURL((u) => u.pathname === '/portal/signin');
    assert.equal((await session(context)).signedIn, false);
    await enterPassword(page, 'judy', PASSWORD);
    await page.getByRole('alert').filter({ hasText: /\S/ }).waitFor();
  }));

  test('invitation e-mail, set password page, then sign in; the link works once', () => profile(async (context, page) => {
    const user = await server.createUser('bob');
    const mail = await server.invitation(user);
    const link = tokenLink(mail);
    assert.ok(link.url.startsWith(`${server.origin}/portal/set-password?token=`), link.url);

    await page.goto(link.url);
    await page.getByRole('heading', { level: 1, name: 'Set your password' }).waitFor();
    await assertLabelled(page);
    assert.equal(await focusedId(page), 'new-password');
    // The server's policy: all four character classes.
    await page.getByLabel('New password', { exact: true }).fill('alllowercase');
    await page.getByLabel('Confirm new password').fill('alllowercase');
    await page.getByRole('button', { name: 'Set password' }).click();
    await page.getByRole('alert').filter({ hasText: /\S/ }).waitFor();
    assert.equal(await page.locator('.status').textContent(), '', 'no success message');

    await page.getByLabel('New password', { exact: true }).fill(PASSWORD);
    await page.getByLabel('Confirm new password').fill(PASSWORD);
    await page.getByRole('button', { name: 'Set password' }).click();
    await page.getByRole('status').filter({ hasText: 'Your password is set.' }).waitFor();
    assert.equal(new URL(page.url()).search, '', 'the spent token leaves the address bar');
    await page.getByRole('link', { name: 'Sign in with your new password' }).click();
    await page.waitForURL('**/portal/signin');
    await signInPasswordOnly(page, 'bob', PASSWORD);
    await signOut(page);

    // The same link again: refused, the password stays.
    await page.goto(link.url);
    await page.getByLabel('New password', { exact: true }).fill('An0ther-Passw0rd');
    await page.getByLabel('Confirm new password').fill('An0ther-Passw0rd');
    await page.getByRole('button', { name: 'Set password' }).click();
    await page.getByRole('alert').filter({ hasText: /\S/ }).waitFor();
    await signInPasswordOnly(page, 'bob', PASSWORD);
  }));

  test('forgot password: e-mailed link, new password, sign in; the old one no longer works', () => profile(async (context, page) => {
    const user = await server.createUserWithPassword('carol', PASSWORD, context.request);
    const since = server.smtp.messages.length;
    await page.goto('/portal/signin');
    await page.getByRole('link', { name: 'Forgot password?' }).click();
    await page.waitForURL('**/portal/forgot-password');
    await assertLabelled(page);
    await page.getByLabel('User name').fill('carol');
    await page.getByRole('button', { name: 'Send reset e-mail' }).click();
    const status = page.getByRole('status').filter({ hasText: /e-mail/ });
    await status.waitFor();
    const said = await status.textContent();

    const link = tokenLink(await server.smtp.waitForMailTo(user.email, { since }));
    // An unknown user name gets the same answer (no enumeration) and no mail.
    const before = server.smtp.messages.length;
    await page.getByLabel('User name').fill('nobody-by-this-name');
    await page.getByRole('button', { name: 'Send reset e-mail' }).click();
    await page.getByRole('status').filter({ hasText: said }).waitFor();

    await page.goto(link.url);
    const NEW = 'Fresh-Start-42';
    await page.getByLabel('New password', { exact: true }).fill(NEW);
    await page.getByLabel('Confirm new password').fill(NEW);
    await page.getByRole('button', { name: 'Set password' }).click();
    await page.getByRole('status').filter({ hasText: 'Your password is set.' }).waitFor();

    await enterPassword(page, 'carol', PASSWORD);
    await page.getByRole('alert').filter({ hasText: /\S/ }).waitFor();
    await signInPasswordOnly(page, 'carol', NEW);
    assert.equal(server.smtp.messages.length, before, 'no mail for an unknown user name');
  }));

  test('change password while signed in', () => profile(async (context, page) => {
    await server.createUserWithPassword('dave', PASSWORD, context.request);
    await signInPasswordOnly(page, 'dave', PASSWORD);
    await page.getByRole('link', { name: 'Change password' }).click();
    await page.waitForURL('**/portal/change-password');
    await page.getByRole('heading', { level: 1, name: 'Change password' }).waitFor();
    await assertLabelled(page);
    const NEW = 'Changed-Pass-7';
    await page.getByLabel('Current password').fill('Not-the-right-1');
    await page.getByLabel('New password', { exact: true }).fill(NEW);
    await page.getByLabel('Confirm new password').fill(NEW);
    await page.getByRole('button', { name: 'Change password' }).click();
    await page.getByRole('alert').filter({ hasText: /\S/ }).waitFor();

    await page.getByLabel('Current password').fill(PASSWORD);
    await page.getByLabel('New password', { exact: true }).fill(NEW);
    await page.getByLabel('Confirm new password').fill(NEW);
    await page.getByRole('button', { name: 'Change password' }).click();
    await page.getByRole('status').filter({ hasText: 'Your password has been changed.' }).waitFor();
    await signOut(page);

    await enterPassword(page, 'dave', PASSWORD);
    await page.getByRole('alert').filter({ hasText: /\S/ }).waitFor();
    await signInPasswordOnly(page, 'dave', NEW);
  }));

  test('sign out ends the session: cookie gone, protected pages go to sign-in', () => profile(async (context, page) => {
    await server.createUserWithPassword('erin', PASSWORD, context.request);
    await signInPasswordOnly(page, 'erin', PASSWORD);
    const before = await session(context);
    assert.equal(before.signedIn, true);

    await signOut(page);
    await page.getByRole('status').filter({ hasText: 'You have signed out.' }).waitFor();
    await page.getByRole('heading', { level: 1, name: 'Sign in' }).waitFor();
    const cookie = (await context.cookies()).find((c) => c.name === 'atrium_session');
    assert.ok(!cookie || !cookie.value, 'the session cookie is cleared');
    assert.equal((await session(context)).signedIn, false);

    for (const protectedPage of ['/portal/', '/portal/devices', '/portal/change-password']) {
      await page.goto(protectedPage);
      await page.waitForURL((u) => u.pathname === '/portal/signin');
    }
    // The old CSRF token no longer changes anything.
    const r = await context.request.post('/portal/api/password/change', {
      data: { currentPassword: PASSWORD, newPassword: 'Never-Applied-9' },
      headers: { 'X-CSRF-Token': before.csrfToken },
    });
    assert.ok([401, 403].includes(r.status()), `refused without a session: ${r.status()}`);
  }));

  test('landing page lists an assigned account with its permission set; search filters it', () => profile(async (context, page) => {
    const user = await server.createUserWithPassword('frank', PASSWORD, context.request);
    await assignAccount(server, user, {
      accountId: '111122223333', accountName: 'Production', permissionSet: 'ReadOnlyAnalyst',
      description: 'read-only analysis',
    });
    await signInPasswordOnly(page, 'frank', PASSWORD);
    const accounts = page.locator('#account-list');
    // The account's toggle (each role of it has buttons naming the account too).
    const toggle = accounts.locator('button.account-toggle', { hasText: 'Production' });
    await toggle.waitFor();
    assert.match(await toggle.textContent(), /111122223333/);
    assert.equal(await toggle.getAttribute('aria-expanded'), 'false');
    const role = accounts.getByText('ReadOnlyAnalyst');
    assert.equal(await role.isVisible(), false);
    await toggle.click();
    assert.equal(await toggle.getAttribute('aria-expanded'), 'true');
    await role.waitFor({ state: 'visible' });
    await page.getByRole('heading', { name: 'AWS accounts (1)' }).waitFor();
    await page.getByRole('heading', { name: 'Applications (0)' }).waitFor();

    const search = page.getByLabel('Search accounts and applications');
    await search.fill('no-such-thing');
    await accounts.getByText('No accounts match your search.').waitFor();
    assert.equal(await toggle.count(), 0);
    await page.getByRole('heading', { name: 'AWS accounts (0)' }).waitFor();
    for (const q of ['readonlyanalyst', '1111222', 'PRODUC']) {
      await search.fill(q);
      await toggle.waitFor();
    }
    await search.fill('');
    await page.getByRole('heading', { name: 'AWS accounts (1)' }).waitFor();

    const listing = await (await context.request.get('/portal/api/portal/accounts')).json();
    assert.deepEqual(listing.accounts.map((a) => [a.accountId, a.accountName, a.roles.map((r) => r.permissionSetName)]),
                     [['111122223333', 'Production', ['ReadOnlyAnalyst']]]);
  }));

  test('keyboard only: Tab and Enter through sign-in, focus visible, every input labelled', () => profile(async (context, page) => {
    await server.createUserWithPassword('grace', PASSWORD, context.request);
    await page.goto('/portal/signin');
    await page.getByRole('heading', { level: 1, name: 'Sign in' }).waitFor();
    assert.equal(await focusedId(page), 'username', 'focus starts in the user name field');
    await page.keyboard.type('grace');
    await page.keyboard.press('Tab');
    assert.equal(await page.evaluate(() => document.activeElement.textContent), 'Next');
    const outline = await page.evaluate(() => getComputedStyle(document.activeElement).outlineStyle);
    assert.notEqual(outline, 'none', 'the focused button shows a focus outline');
    await page.keyboard.press('Enter');
    await page.waitForURL('**/portal/signin/password');
    await page.waitForFunction(() => document.activeElement?.id === 'password');
    await page.keyboard.type(PASSWORD);
    await page.keyboard.press('Tab');
    assert.equal(await page.evaluate(() => document.activeElement.textContent), 'Sign in');
    await page.keyboard.press('Enter');
    await page.waitForURL((u) => u.pathname === '/portal/');
    await page.waitForFunction(() => document.activeElement?.id === 'portal-search');
    assert.equal((await session(context)).signedIn, true);

    // Every page of the portal: each input has its label, one h1.
    for (const p of ['/portal/', '/portal/devices', '/portal/change-password']) {
      await page.goto(p);
      await page.locator('h1').waitFor();
      await page.waitForLoadState('networkidle');
      await assertLabelled(page);
    }
    await signOut(page);
    for (const p of ['/portal/signin', '/portal/forgot-password', '/portal/set-password?token=x']) {
      await page.goto(p);
      await page.locator('h1').waitFor();
      await assertLabelled(page);
    }
  }));
});
