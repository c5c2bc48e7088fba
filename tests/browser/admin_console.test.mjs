// The admin console (docs/admin-console.md): an administrator signs in through the portal and
// creates a user and a group and adds the member, all through POST /portal/api/console; the
// result is checked through the signed identitystore API and the audit trail (CloudTrail's
// LookupEvents names the administrator). A delegated administrator whose policy allows only
// reads gets no write buttons and AccessDeniedException on a write; a user without console
// access gets no console. With ATRIUM_SCREENSHOTS=1 the main pages are saved to docs/images/.
import assert from 'node:assert/strict';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';

import {
  Atrium, REPO, assertLabelled, assertNoProblems, launch, newContext, signInPasswordOnly, skipReason,
} from './harness.mjs';

const PASSWORD = 'Corr3ct-Horse!';
const SHOTS = process.env.ATRIUM_SCREENSHOTS === '1';

async function shot(page, name) {
  if (!SHOTS) return;
  await page.screenshot({ path: path.join(REPO, 'docs', 'images', `admin-console-${name}.png`), fullPage: true });
}

describe('admin console', { skip: skipReason() ?? false }, () => {
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

  test('an administrator creates a user and a group and adds the member; the API and the audit agree', async () => {
    const context = await newContext(browser, server, { colorScheme: 'light' });
    try {
      const page = await context.newPage();
      await server.createUserWithPassword('root', PASSWORD, context.request);
      await server.cli('admin', 'console-access', 'grant', '--user', 'root', '--policy', 'AdministratorAccess');
      await signInPasswordOnly(page, 'root', PASSWORD);
      // The portal's navigation offers the console to an administrator.
      await page.getByRole('navigation', { name: 'Portal' }).getByRole('link', { name: 'Admin console' }).click();
      await page.getByRole('heading', { level: 1, name: 'Dashboard' }).waitFor();
      const nav = page.getByRole('navigation', { name: 'Console' });
      for (const name of ['Dashboard', 'Users', 'Groups', 'Settings', 'Audit'])
        await nav.getByRole('link', { name }).waitFor();
      // The dashboard's last fact and its expiry summary.
      await page.getByText('Identity Center directory').waitFor();
      await page.getByText('No token or certificate expires within 90 days.').waitFor();
      await shot(page, 'dashboard');
      await page.emulateMedia({ colorScheme: 'dark' });
      await shot(page, 'dashboard-dark');
      await page.emulateMedia({ colorScheme: 'light' });

      await nav.getByRole('link', { name: 'Users' }).click();
      await page.getByRole('link', { name: 'Create user' }).click();
      await page.waitForURL('**/portal/console/users/new');
      await assertLabelled(page);
      await page.getByLabel('User name').fill('nina');
      await page.getByLabel('First name').fill('Nina');
      await page.getByLabel('Last name').fill('Novak');
      await page.getByLabel('Display name').fill('Nina Novak');
      await page.getByLabel('Email address').fill('nina@example.com');
      // Keyboard only: Enter in the last field submits the form.
      await page.getByLabel('Email address').press('Enter');
      await page.getByRole('heading', { level: 1, name: 'User nina' }).waitFor();
      await page.getByText('User nina was created.').waitFor();

      await nav.getByRole('link', { name: 'Groups' }).click();
      await page.getByLabel('Group name').fill('Builders');
      await page.getByRole('button', { name: 'Create group' }).click();
      await page.getByRole('heading', { level: 1, name: 'Group Builders' }).waitFor();
      await page.getByLabel('User name to add').fill('nina');
      await page.getByRole('button', { name: 'Add user' }).click();
      await page.getByRole('link', { name: 'nina' }).waitFor();
      await shot(page, 'group');

      // Through the signed API: the same user, group and membership.
      const users = await server.awsJson('identitystore', 'AWSIdentityStore.ListUsers', {
        IdentityStoreId: server.storeId, Filters: [{ AttributePath: 'UserName', AttributeValue: 'nina' }] });
      assert.equal(users.Users.length, 1);
      assert.equal(users.Users[0].DisplayName, 'Nina Novak');
      const groups = await server.awsJson('identitystore', 'AWSIdentityStore.ListGroups', {
        IdentityStoreId: server.storeId, Filters: [{ AttributePath: 'DisplayName', AttributeValue: 'Builders' }] });
      assert.equal(groups.Groups.length, 1);
      const members = await server.awsJson('identitystore', 'AWSIdentityStore.ListGroupMemberships', {
        IdentityStoreId: server.storeId, GroupId: groups.Groups[0].GroupId });
      assert.deepEqual(members.GroupMemberships.map((m) => m.MemberId.UserId), [users.Users[0].UserId]);

      // The audit names the administrator (the identity-store user), not a key.
      const trail = await server.awsJson('cloudtrail', 'com.amazonaws.cloudtrail.v20131101.CloudTrail_20131101.LookupEvents', {
        LookupAttributes: [{ AttributeKey: 'EventName', AttributeValue: 'CreateGroupMembership' }] });
      assert.equal(trail.Events.length, 1);
      const record = JSON.parse(trail.Events[0].CloudTrailEvent);
      assert.equal(record.userIdentity.type, 'IdentityCenterUser');
      assert.equal(record.userIdentity.userName, 'root');
      assert.equal(record.eventSource, 'identitystore.amazonaws.com');

      await nav.getByRole('link', { name: 'Users' }).click();
      await page.getByRole('link', { name: 'nina' }).waitFor();
      await shot(page, 'users');
      await nav.getByRole('link', { name: 'Audit' }).click();
      await page.getByLabel('Event name').fill('CreateUser');
      await page.getByRole('button', { name: 'Filter' }).click();
      await page.getByRole('button', { name: 'Show the record of CreateUser as JSON' }).first().click();
      await page.getByLabel('CloudTrail record as JSON').waitFor();
      assert.match(await page.getByLabel('CloudTrail record as JSON').textContent(), /"IdentityCenterUser"/);
      await shot(page, 'audit');
      await nav.getByRole('link', { name: 'Settings' }).click();
      await page.getByRole('heading', { level: 2, name: 'Automatic provisioning' }).waitFor();
      await shot(page, 'settings');
      // The guide's "Configure MFA": prompt every time; checked through the CLI, then put back
      // (the other tests sign in with a password only).
      await page.getByLabel('Every time they sign in (always-on)').check();
      await page.getByRole('button', { name: 'Save MFA settings' }).click();
      await page.getByText('MFA settings saved.').waitFor();
      const mfa = JSON.parse((await server.cli('admin', 'mfa', 'settings', '--json')).stdout);
      assert.equal(mfa.Mode, 'always-on');
      await server.mfaSettings('--mode', 'disabled');
      assertNoProblems(context);
    } finally {
      await context.close();
    }
  });

  test('a read-only delegated administrator sees no write buttons and AccessDenied on a write', async () => {
    const context = await newContext(browser, server);
    try {
      const page = await context.newPage();
      await server.createUserWithPassword('reader', PASSWORD, context.request);
      await server.cli('admin', 'console-access', 'grant', '--user', 'reader', '--policy', 'AWSSSODirectoryReadOnly');
      await signInPasswordOnly(page, 'reader', PASSWORD);
      await page.goto('/portal/console/users');
      await page.getByRole('heading', { level: 1, name: 'Users' }).waitFor();
      await page.getByRole('link', { name: 'reader' }).waitFor();
      assert.equal(await page.getByRole('link', { name: 'Create user' }).count(), 0, 'no Create user for a reader');
      await page.getByRole('link', { name: 'reader' }).click();
      await page.getByRole('heading', { level: 1, name: 'User reader' }).waitFor();
      assert.equal(await page.getByRole('button', { name: 'Save changes' }).count(), 0, 'no edit form');
      assert.equal(await page.getByRole('button', { name: /Disable user access/ }).count(), 0, 'no disable button');
      // The create page by its address: the server refuses, with the key's words.
      await page.goto('/portal/console/users/new');
      await page.getByLabel('User name').fill('eve');
      await page.getByLabel('First name').fill('Eve');
      await page.getByLabel('Last name').fill('E');
      await page.getByLabel('Display name').fill('Eve');
      await page.getByRole('button', { name: 'Create user' }).click();
      await page.getByText(/^AccessDeniedException: User: arn:aws:identitystore::\d{12}:user\/\S+ is not authorized to perform: identitystore:CreateUser on resource: /).waitFor();
      const none = await server.awsJson('identitystore', 'AWSIdentityStore.ListUsers', {
        IdentityStoreId: server.storeId, Filters: [{ AttributePath: 'UserName', AttributeValue: 'eve' }] });
      assert.equal(none.Users.length, 0);
      assertNoProblems(context);
    } finally {
      await context.close();
    }
  });

  test('a user without console access gets no console', async () => {
    const context = await newContext(browser, server);
    try {
      const page = await context.newPage();
      await server.createUserWithPassword('plain', PASSWORD, context.request);
      await signInPasswordOnly(page, 'plain', PASSWORD);
      assert.equal(await page.getByRole('link', { name: 'Admin console' }).count(), 0, 'no console link');
      // By its address (the short one redirects): no console either.
      await page.goto('/console');
      await page.getByRole('heading', { level: 1, name: 'No console access' }).waitFor();
      assert.equal(await page.getByRole('navigation', { name: 'Console' }).count(), 0);
      assertNoProblems(context);
    } finally {
      await context.close();
    }
  });
});
