// The admin console's search, sort and session duration, and the user page's password reset by
// e-mail (docs/admin-console.md "Search and sort", "Session duration"): a users table sorted by a
// column with the keyboard (aria-sort says the order), a prefix search on the user name, display
// name and e-mail; the portal's session duration changed on the settings page; the reset e-mail
// delivered to the SMTP sink. Each result is checked through the signed API too. One server for
// the file. With ATRIUM_SCREENSHOTS=1 the changed pages are saved to docs/images/.
import assert from 'node:assert/strict';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';

import { Atrium, REPO, assertLabelled, assertNoProblems, launch, newContext, signInPasswordOnly, skipReason } from './harness.mjs';

const PASSWORD = 'Corr3ct-Horse!';
const SHOTS = process.env.ATRIUM_SCREENSHOTS === '1';

async function shot(page, name) {
  if (!SHOTS) return;
  await page.screenshot({ path: path.join(REPO, 'docs', 'images', `admin-console-${name}.png`), fullPage: true });
}

// The user names of the users table, in the order shown.
async function shownUserNames(page) {
  return page.locator('table tbody tr td:first-child').allTextContents();
}

describe('admin console: search, sort, session duration, password reset', { skip: skipReason() ?? false }, () => {
  let server;
  let browser;
  let context;
  let page;

  before(async () => {
    server = await new Atrium().start();
    await server.mfaSettings('--mode', 'disabled');
    browser = await launch();
    // Display names and e-mails ordered differently from the user names.
    for (const [name, display, mail] of [['walter', 'Amelie Walter', 'zz.walter@example.com'],
      ['xenia', 'Carla Xenia', 'aa.xenia@example.com'], ['yusuf', 'Bruno Yusuf', 'mm.yusuf@example.com']]) {
      await server.awsJson('identitystore', 'AWSIdentityStore.CreateUser', {
        IdentityStoreId: server.storeId, UserName: name, DisplayName: display, Name: { GivenName: display.split(' ')[0], FamilyName: name },
        Emails: [{ Value: mail, Type: 'work', Primary: true }],
      });
    }
    context = await newContext(browser, server, { colorScheme: 'light' });
    page = await context.newPage();
    await server.createUserWithPassword('root', PASSWORD, context.request);
    await server.cli('admin', 'console-access', 'grant', '--user', 'root', '--policy', 'AdministratorAccess');
    await signInPasswordOnly(page, 'root', PASSWORD);
  });

  after(async () => {
    if (context) assertNoProblems(context);
    await context?.close();
    await browser?.close();
    await server?.stop();
  });

  test('the users table sorts by a column from the keyboard, and a prefix finds display names and e-mails', async () => {
    await page.goto('/portal/console/users');
    await page.getByRole('heading', { level: 1, name: 'Users' }).waitFor();
    await assertLabelled(page);
    const userNameHeading = page.locator('th', { has: page.getByRole('button', { name: 'User name' }) });
    assert.equal(await userNameHeading.getAttribute('aria-sort'), 'ascending');
    // Sorted by display name with the keyboard: the heading's button takes the focus and Enter.
    await page.getByRole('button', { name: 'Display name' }).focus();
    await page.keyboard.press('Enter');
    const displayHeading = page.locator('th', { has: page.getByRole('button', { name: 'Display name' }) });
    await page.waitForFunction(() => document.querySelector('th[aria-sort="ascending"] button')?.textContent?.startsWith('Display name'));
    const byDisplay = (await shownUserNames(page)).filter((n) => ['walter', 'xenia', 'yusuf'].includes(n));
    assert.deepEqual(byDisplay, ['walter', 'yusuf', 'xenia']);  // Amelie, Bruno, Carla
    assert.equal(await displayHeading.getAttribute('aria-sort'), 'ascending');
    assert.equal(await userNameHeading.getAttribute('aria-sort'), 'none');
    // Again: descending, the focus stays on the heading.
    await page.keyboard.press('Enter');
    await page.waitForFunction(() => document.querySelector('th[aria-sort="descending"] button')?.textContent?.startsWith('Display name'));
    assert.deepEqual((await shownUserNames(page)).filter((n) => ['walter', 'xenia', 'yusuf'].includes(n)), ['xenia', 'yusuf', 'walter']);
    assert.equal(await page.evaluate(() => document.activeElement?.textContent?.startsWith('Display name')), true);
    await shot(page, 'users-sorted');
    // The same order through the API.
    const api = await server.awsJson('sso-directory', 'AtriumAdmin.SearchUsers', { SortBy: 'DISPLAY_NAME', SortOrder: 'DESCENDING' });
    assert.deepEqual(api.Users.map((u) => u.UserName).filter((n) => ['walter', 'xenia', 'yusuf'].includes(n)), ['xenia', 'yusuf', 'walter']);

    // A prefix of a display name ("bru": Bruno Yusuf), then of an e-mail ("AA.": aa.xenia@...).
    await page.getByLabel('Find users').fill('bru');
    await page.getByRole('button', { name: 'Search', exact: true }).click();
    await page.waitForFunction(() => document.querySelectorAll('table tbody tr').length === 1);
    assert.deepEqual(await shownUserNames(page), ['yusuf']);
    await page.getByLabel('Find users').fill('AA.');
    await page.keyboard.press('Enter');
    await page.waitForFunction(() => document.querySelector('table tbody tr td')?.textContent === 'xenia');
    assert.deepEqual(await shownUserNames(page), ['xenia']);
    const found = await server.awsJson('sso-directory', 'AtriumAdmin.SearchUsers', { Prefix: 'aa.' });
    assert.deepEqual(found.Users.map((u) => u.UserName), ['xenia']);
  });

  test('the session duration is changed on the settings page and new sign-ins use it', async () => {
    await page.goto('/portal/console/settings');
    await page.getByRole('heading', { name: 'Authentication: session duration' }).waitFor();
    await assertLabelled(page);
    assert.match(await page.getByText(/^Session duration: 8 hours/).textContent(), /the default/);
    await page.getByLabel('Session duration', { exact: true }).selectOption('720');
    await page.getByRole('button', { name: 'Save session duration' }).click();
    await page.getByRole('status').filter({ hasText: 'Session duration saved: 12 hours' }).waitFor();
    await shot(page, 'settings-session');
    const api = await server.awsJson('sso', 'AtriumAdmin.GetPortalSessionSettings', {});
    assert.deepEqual(api, { SessionDurationMinutes: 720, Default: false });
    // A new sign-in's session cookie lasts 12 hours.
    const fresh = await newContext(browser, server, { colorScheme: 'light' });
    try {
      const p = await fresh.newPage();
      await signInPasswordOnly(p, 'root', PASSWORD);
      const cookie = (await fresh.cookies()).find((c) => c.name === 'atrium_session');
      const hours = (cookie.expires - Date.now() / 1000) / 3600;
      assert.ok(hours > 11.9 && hours <= 12.01, `session cookie lasts ${hours} hours`);
    } finally {
      await fresh.close();
    }
  });

  test('a password reset e-mail is sent from the user page', async () => {
    const user = await server.createUser('valeria');
    await server.invitation(user);
    await page.goto(`/portal/console/user?id=${encodeURIComponent(user.userId)}`);
    await page.getByRole('heading', { level: 1, name: 'User valeria' }).waitFor();
    const since = server.smtp.messages.length;
    await page.getByRole('button', { name: 'Send an email with password reset instructions' }).click();
    await page.getByRole('status').filter({ hasText: 'A password reset email was sent to valeria.' }).waitFor();
    const mail = await server.smtp.waitForMailTo(user.email, { since });
    assert.match(mail.text ?? mail.body ?? JSON.stringify(mail), /password/i);
    // The audit trail names the administrator as the caller.
    const events = await server.awsJson('cloudtrail', 'com.amazonaws.cloudtrail.v20131101.CloudTrail_20131101.LookupEvents',
      { LookupAttributes: [{ AttributeKey: 'EventName', AttributeValue: 'SendPasswordResetEmail' }] });
    assert.ok(events.Events.length >= 1);
    assert.equal(JSON.parse(events.Events[0].CloudTrailEvent).userIdentity.userName, 'root');
  });
});
