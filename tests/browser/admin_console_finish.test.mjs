// The admin console's search, sort, nested groups, session duration, application attribute
// mappings, and the user page's password reset by e-mail (docs/admin-console.md): a users table
// sorted by a column with the keyboard (aria-sort says the order), a prefix search on the user
// name, display name and e-mail; a group added to a group and its member seen as an effective
// member; the portal's session duration changed on the settings page; an application's attribute
// mapping edited; the reset e-mail delivered to the SMTP sink. Each result is checked through the
// signed API too. One server for the file. With ATRIUM_SCREENSHOTS=1 the changed pages are saved to docs/images/.
import assert from 'node:assert/strict';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';

import { Atrium, REPO, assertLabelled, assertNoProblems, launch, newContext, signInPasswordOnly, skipReason } from './harness.mjs';
import { tokenLink } from './smtp_sink.mjs';

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

  test('the users table sorts by a column from the keyboard, and a prefix of the sorted column finds users', async () => {
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

    // A prefix of a display name ("bru": Bruno Yusuf), then of an e-mail ("AA.": aa.xenia@...):
    // the search is on the column the list is sorted by.
    await page.getByLabel('Search by').selectOption({ label: 'Display name' });
    await page.getByLabel('Starts with').fill('bru');
    await page.getByRole('button', { name: 'Search', exact: true }).click();
    await page.getByRole('status').filter({ hasText: 'whose display name starts with "bru"' }).waitFor();
    assert.deepEqual(await shownUserNames(page), ['yusuf']);
    await page.getByLabel('Search by').selectOption({ label: 'Email' });
    await page.getByLabel('Starts with').fill('AA.');
    await page.getByLabel('Starts with').press('Enter');
    await page.getByRole('status').filter({ hasText: 'whose email starts with "AA."' }).waitFor();
    assert.deepEqual(await shownUserNames(page), ['xenia']);
    const emailHeading = page.locator('th', { has: page.getByRole('button', { name: 'Email' }) });
    assert.equal(await emailHeading.getAttribute('aria-sort'), 'ascending');
    const found = await server.awsJson('sso-directory', 'AtriumAdmin.SearchUsers', { Prefix: 'aa.', SortBy: 'EMAIL' });
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
    assert.match(tokenLink(mail).url, /\/portal\/set-password\?token=/);
    // The audit trail names the administrator as the caller.
    const events = await server.awsJson('cloudtrail', 'com.amazonaws.cloudtrail.v20131101.CloudTrail_20131101.LookupEvents',
      { LookupAttributes: [{ AttributeKey: 'EventName', AttributeValue: 'SendPasswordResetEmail' }] });
    assert.ok(events.Events.length >= 1);
    assert.equal(JSON.parse(events.Events[0].CloudTrailEvent).userIdentity.userName, 'root');
  });

  test('a group added to a group: its members are effective members, and it can be removed', async () => {
    const parent = await server.awsJson('identitystore', 'AWSIdentityStore.CreateGroup', { IdentityStoreId: server.storeId, DisplayName: 'Engineering' });
    const child = await server.awsJson('identitystore', 'AWSIdentityStore.CreateGroup', { IdentityStoreId: server.storeId, DisplayName: 'Platform' });
    const user = await server.awsJson('identitystore', 'AWSIdentityStore.GetUserId', { IdentityStoreId: server.storeId,
      AlternateIdentifier: { UniqueAttribute: { AttributePath: 'UserName', AttributeValue: 'walter' } } });
    await server.awsJson('identitystore', 'AWSIdentityStore.CreateGroupMembership',
      { IdentityStoreId: server.storeId, GroupId: child.GroupId, MemberId: { UserId: user.UserId } });
    await page.goto(`/portal/console/group?id=${encodeURIComponent(parent.GroupId)}`);
    await page.getByRole('heading', { level: 2, name: 'Nested groups' }).waitFor();
    await assertLabelled(page);
    await page.getByText('No group is a member of this group.').waitFor();
    await page.getByLabel('Group name to add').fill('platform');
    await page.keyboard.press('Enter');
    await page.getByRole('status').filter({ hasText: 'Group platform was added.' }).waitFor();
    await page.getByRole('table', { name: /Groups in Engineering/ }).getByRole('link', { name: 'Platform' }).waitFor();
    const effective = page.getByRole('table', { name: /Effective members of Engineering/ });
    await effective.getByRole('row', { name: /walter Through a nested group/ }).waitFor();
    await shot(page, 'group-nested');
    // Through the API: the nesting, and the user's effective groups (access decisions).
    const members = await server.awsJson('sso-directory', 'AtriumAdmin.ListMembersInGroup', { GroupId: parent.GroupId });
    assert.deepEqual(members.MemberGroups, [{ GroupId: child.GroupId, DisplayName: 'Platform' }]);
    assert.deepEqual(members.EffectiveUsers, [{ UserId: user.UserId, UserName: 'walter', Direct: false }]);
    // Removed (with the confirmation).
    page.once('dialog', (d) => void d.accept());
    await page.getByRole('button', { name: 'Remove group Platform from this group' }).click();
    await page.getByText('No group is a member of this group.').waitFor();
    const after = await server.awsJson('sso-directory', 'AtriumAdmin.ListMembersInGroup', { GroupId: parent.GroupId });
    assert.deepEqual([after.MemberGroups, after.EffectiveUserCount], [[], 0]);
  });

  test('an application\'s attribute mapping is edited and a new certificate added', async () => {
    const instance = (await server.awsJson('sso', 'SWBExternalService.ListInstances', {})).Instances[0].InstanceArn;
    const app = await server.awsJson('sso', 'SWBExternalService.CreateApplication', {
      InstanceArn: instance, Name: 'Wiki', ApplicationProviderArn: 'arn:aws:sso::aws:applicationProvider/custom-saml' });
    await server.awsJson('sso', 'AtriumAdmin.UpdateApplicationInstanceServiceProviderConfiguration', { ApplicationArn: app.ApplicationArn,
      ServiceProviderConfig: { EntityId: 'https://wiki.example.com/saml', AcsUrls: ['https://wiki.example.com/saml/acs'] } });
    await page.goto(`/portal/console/application?arn=${encodeURIComponent(app.ApplicationArn)}`);
    await page.getByRole('heading', { level: 2, name: 'Attribute mappings' }).waitFor();
    await assertLabelled(page);
    await page.getByRole('button', { name: 'Add new attribute mapping' }).click();
    const rows = await page.locator('input[id^="map-name-"]').count();
    const last = rows - 1;
    await page.locator(`#map-name-${last}`).fill('department');
    await page.locator(`#map-value-${last}`).fill('${path:enterprise.department}');
    await page.locator(`#map-format-${last}`).fill('basic');
    await page.getByRole('button', { name: 'Save changes' }).click();
    await page.getByRole('status').filter({ hasText: 'Attribute mappings saved.' }).waitFor();
    const inst = (await server.awsJson('sso', 'AtriumAdmin.GetApplicationInstance', { ApplicationArn: app.ApplicationArn })).ApplicationInstance;
    assert.deepEqual(inst.ResponseSchemaConfig.AttributeMappings.at(-1), { Name: 'department', Value: '${path:enterprise.department}', Format: 'basic' });
    // Certificate rotation's first step: a new inactive certificate, shown with its expiry.
    await page.getByRole('button', { name: 'Add a new certificate' }).click();
    await page.getByRole('status').filter({ hasText: /was added \(inactive\)/ }).waitFor();
    const certs = (await server.awsJson('sso', 'AtriumAdmin.ListApplicationInstanceCertificates', { ApplicationArn: app.ApplicationArn })).Certificates;
    assert.deepEqual(certs.map((c) => c.Status).sort(), ['ACTIVE', 'INACTIVE']);
    await page.getByRole('button', { name: `Make certificate ${certs.find((c) => c.Status === 'INACTIVE').CertificateId} active` }).waitFor();
    await shot(page, 'application-settings');
  });

  test('the accounts of an OU sort by name or account ID, and a selection survives the re-sort', async () => {
    for (const [id, name] of [['333333333333', 'zeta'], ['444444444444', 'alpha']])
      await server.cli('admin', 'org', 'register-account', '--id', id, '--name', name, '--email', `${name}@example.com`);
    await page.goto('/portal/console/accounts');
    await page.getByRole('heading', { level: 2, name: 'Organizational structure' }).waitFor();
    await assertLabelled(page);
    // The two accounts of this test, in the order shown (the management account is there too).
    const labels = async () => (await page.locator('.org-account label').allTextContents()).filter((t) => /^(alpha|zeta) /.test(t));
    assert.deepEqual(await labels(), ['alpha (444444444444)', 'zeta (333333333333)']);
    await page.getByLabel('zeta (333333333333)').check();
    await page.getByLabel('Sort accounts by').selectOption({ label: 'Account ID, ascending' });
    await page.getByRole('status').filter({ hasText: 'Accounts sorted by Account ID, ascending.' }).waitFor();
    assert.deepEqual(await labels(), ['zeta (333333333333)', 'alpha (444444444444)']);
    assert.equal(await page.getByLabel('zeta (333333333333)').isChecked(), true);
    // The same accounts through the API.
    const root = (await server.awsJson('organizations', 'AWSOrganizationsV20161128.ListRoots', {})).Roots[0].Id;
    const listed = await server.awsJson('organizations', 'AWSOrganizationsV20161128.ListAccountsForParent', { ParentId: root });
    assert.deepEqual(listed.Accounts.map((a) => a.Id).filter((id) => ['333333333333', '444444444444'].includes(id)).sort(), ['333333333333', '444444444444']);
  });

  test('the audit view filters by a principal chosen in the list and sorts a page by event', async () => {
    await page.goto('/portal/console/audit');
    await page.getByRole('heading', { level: 1, name: 'Audit' }).waitFor();
    await assertLabelled(page);
    const time = page.locator('th', { has: page.getByRole('button', { name: 'Time' }) });
    assert.equal(await time.getAttribute('aria-sort'), 'descending');
    await page.getByRole('button', { name: 'Show only the records of root' }).first().click();
    const arn = await page.getByLabel('Principal', { exact: true }).inputValue();
    assert.match(arn, /^arn:aws:identitystore::\d{12}:user\//);
    await page.waitForFunction(() => Array.from(document.querySelectorAll('table tbody tr td:nth-child(4)')).every((td) => td.textContent === 'root'));
    // Sorted by event name on this page, from the keyboard.
    await page.getByRole('button', { name: 'Event', exact: true }).focus();
    await page.keyboard.press('Enter');
    const events = await page.locator('table tbody tr td:nth-child(2)').allTextContents();
    assert.deepEqual(events, [...events].sort((a, b) => a.localeCompare(b, undefined, { sensitivity: 'base' })));
    assert.equal(await page.locator('th', { has: page.getByRole('button', { name: 'Event', exact: true }) }).getAttribute('aria-sort'), 'ascending');
    // The same filter through the API: every record is the administrator's.
    const api = await server.awsJson('cloudtrail', 'com.amazonaws.cloudtrail.v20131101.CloudTrail_20131101.LookupEvents',
      { LookupAttributes: [{ AttributeKey: 'Username', AttributeValue: arn }], MaxResults: 50 });
    assert.ok(api.Events.length > 0);
    assert.ok(api.Events.every((e) => JSON.parse(e.CloudTrailEvent).userIdentity.arn === arn));
  });
});
