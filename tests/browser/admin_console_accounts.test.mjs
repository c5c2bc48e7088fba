// The admin console's AWS accounts, permission sets, users and settings pages (docs/admin-console.md),
// walking the user guide's procedures: "Create a permission set" from a job function policy;
// "Assign user access" of a group to an account, watched until provisioned (the record-only
// provisioner, as the integration tests use); a user's attributes, one-time password and MFA
// devices; attributes for access control; SCIM enabled and its token copied; and a delegated
// administrator limited to one OU's accounts. Each result is checked through the signed API.
// One server for the file. With ATRIUM_SCREENSHOTS=1 the pages are saved to docs/images/.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';

import {
  Atrium, REPO, assertLabelled, assertNoProblems, enterPassword, launch, newContext, session, signInPasswordOnly, skipReason,
} from './harness.mjs';

const PASSWORD = 'Corr3ct-Horse!';
const SHOTS = process.env.ATRIUM_SCREENSHOTS === '1';
const ORG = 'AWSOrganizationsV20161128';
const DEV = '111111111111';
const PROD = '222222222222';

async function shot(page, name) {
  if (!SHOTS) return;
  await page.screenshot({ path: path.join(REPO, 'docs', 'images', `admin-console-${name}.png`), fullPage: true });
}

describe('admin console: accounts, permission sets, users, settings', { skip: skipReason() ?? false }, () => {
  let server;
  let browser;
  let instance;
  let ous;

  before(async () => {
    server = await new Atrium().start();
    await server.mfaSettings('--mode', 'disabled');
    browser = await launch();
    instance = (await server.awsJson('sso', 'SWBExternalService.ListInstances', {})).Instances[0].InstanceArn;
    // The organization: OUs Development and Production, one account in each.
    const root = (await server.awsJson('organizations', `${ORG}.ListRoots`, {})).Roots[0].Id;
    ous = {};
    for (const [name, account] of [['Development', DEV], ['Production', PROD]]) {
      ous[name] = (await server.awsJson('organizations', `${ORG}.CreateOrganizationalUnit`, { ParentId: root, Name: name }))
        .OrganizationalUnit.Id;
      await server.cli('admin', 'org', 'register-account', '--id', account, '--name', name.toLowerCase(),
        '--email', `${name.toLowerCase()}@example.com`, '--parent', ous[name]);
    }
  });

  after(async () => {
    await browser?.close();
    await server?.stop();
  });

  async function administrator(context, name, policy) {
    const page = await context.newPage();
    await server.createUserWithPassword(name, PASSWORD, context.request);
    await server.cli('admin', 'console-access', 'grant', '--user', name, '--policy', policy);
    await signInPasswordOnly(page, name, PASSWORD);
    return page;
  }

  test('a permission set from a job function policy, assigned to a group and watched until provisioned', async () => {
    const context = await newContext(browser, server, { colorScheme: 'light' });
    try {
      const group = await server.awsJson('identitystore', 'AWSIdentityStore.CreateGroup',
        { IdentityStoreId: server.storeId, DisplayName: 'Auditors' });
      const page = await administrator(context, 'root', 'AdministratorAccess');
      await page.goto('/portal/console/permission-sets');
      await page.getByRole('link', { name: 'Create permission set' }).click();
      await page.waitForURL('**/portal/console/permission-sets/new');
      await assertLabelled(page);
      // The guide: "Use an existing job function policy", then Create.
      await page.getByLabel('Job function policy', { exact: true }).selectOption('ViewOnlyAccess');
      assert.equal(await page.getByLabel('Permission set name').inputValue(), 'ViewOnlyAccess');
      await page.getByLabel('Session duration').selectOption('PT4H');
      await page.getByRole('button', { name: 'Create', exact: true }).click();
      await page.getByRole('heading', { level: 1, name: 'Permission set ViewOnlyAccess' }).waitFor();
      await page.getByRole('cell', { name: 'arn:aws:iam::aws:policy/job-function/ViewOnlyAccess' }).waitFor();
      // The inline policy editor says what the server would refuse before anything is sent.
      await page.getByLabel('Inline policy (JSON)').fill('{"Statement": [{"Action": "s3:*"}]}');
      await page.getByText('each statement needs Effect Allow or Deny.').waitFor();
      await page.getByLabel('Inline policy (JSON)').fill('{"Version": "2012-10-17", "Statement": [{"Effect": "Deny", "Action": "s3:DeleteBucket", "Resource": "*"}]}');
      await page.getByRole('button', { name: 'Save inline policy' }).click();
      await page.getByText(/The inline policy was saved/).waitFor();
      await shot(page, 'permission-set');

      const arns = (await server.awsJson('sso', 'SWBExternalService.ListPermissionSets', { InstanceArn: instance })).PermissionSets;
      assert.equal(arns.length, 1);
      const ps = { InstanceArn: instance, PermissionSetArn: arns[0] };
      const described = (await server.awsJson('sso', 'SWBExternalService.DescribePermissionSet', ps)).PermissionSet;
      assert.equal(described.Name, 'ViewOnlyAccess');
      assert.equal(described.SessionDuration, 'PT4H');
      const managed = await server.awsJson('sso', 'SWBExternalService.ListManagedPoliciesInPermissionSet', ps);
      assert.deepEqual(managed.AttachedManagedPolicies.map((m) => m.Arn), ['arn:aws:iam::aws:policy/job-function/ViewOnlyAccess']);
      const inline = await server.awsJson('sso', 'SWBExternalService.GetInlinePolicyForPermissionSet', ps);
      assert.match(inline.InlinePolicy, /s3:DeleteBucket/);

      // The guide's "Assign user access": select the account, the group, the permission set.
      await page.getByRole('navigation', { name: 'Console' }).getByRole('link', { name: 'AWS accounts' }).click();
      await page.getByRole('heading', { level: 2, name: 'Organizational structure' }).waitFor();
      await assertLabelled(page);
      await page.getByText('OU: Development').waitFor();
      await page.getByLabel(`development (${DEV})`).check();
      await page.getByLabel('Group', { exact: true }).check();
      await page.getByLabel('User name or group name').fill('Auditors');
      await page.getByLabel('ViewOnlyAccess').check();
      await page.getByRole('button', { name: 'Assign' }).click();
      await page.getByText('All 1 assignments provisioned.').waitFor();
      await page.getByRole('cell', { name: 'Provisioned' }).waitFor();
      assert.equal(await page.locator('progress').getAttribute('value'), '1');
      await shot(page, 'accounts');
      const assigned = await server.awsJson('sso', 'SWBExternalService.ListAccountAssignments',
        { ...ps, AccountId: DEV });
      assert.deepEqual(assigned.AccountAssignments.map((a) => [a.PrincipalType, a.PrincipalId]), [['GROUP', group.GroupId]]);

      // The account's page lists the assignment; the permission set shows the account provisioned.
      await page.getByRole('link', { name: 'Details of development' }).click();
      await page.getByRole('heading', { level: 1, name: 'AWS account development' }).waitFor();
      await page.getByRole('cell', { name: 'Auditors', exact: true }).waitFor();
      await shot(page, 'account');
      await page.goto(`/portal/console/permission-set?arn=${encodeURIComponent(arns[0])}`);
      await page.getByRole('cell', { name: 'Provisioned, current' }).waitFor();
      assertNoProblems(context);
    } finally {
      await context.close();
    }
  });

  test('a user: every attribute, a one-time password, MFA devices; ABAC and SCIM settings', async () => {
    const context = await newContext(browser, server, { colorScheme: 'light', permissions: ['clipboard-read', 'clipboard-write'] });
    try {
      const nina = await server.createUser('nina');
      const page = await administrator(context, 'root2', 'AdministratorAccess');
      await page.goto(`/portal/console/user?id=${nina.userId}`);
      await page.getByRole('heading', { level: 1, name: 'User nina' }).waitFor();
      await assertLabelled(page);
      await page.getByLabel('Nickname').fill('Nin');
      await page.getByLabel('Time zone').fill('Europe/Ljubljana');
      await page.getByLabel('City').fill('Ljubljana');
      await page.getByRole('button', { name: 'Save changes' }).click();
      await page.getByText('Changes saved.').waitFor();
      const u = await server.awsJson('identitystore', 'AWSIdentityStore.DescribeUser', { IdentityStoreId: server.storeId, UserId: nina.userId });
      assert.equal(u.NickName, 'Nin');
      assert.equal(u.Timezone, 'Europe/Ljubljana');
      assert.equal(u.Addresses[0].Locality, 'Ljubljana');
      await page.getByText('This user has no MFA device.').waitFor();
      page.once('dialog', (d) => d.accept());
      await page.getByRole('button', { name: 'Generate a one-time password' }).click();
      const otp = (await page.locator('#one-time-password').textContent()).trim();
      assert.ok(otp.length >= 8, 'a one-time password is shown');
      await shot(page, 'user');
      // The one-time password signs nina in (and asks for a new password), as the guide says.
      const other = await newContext(browser, server);
      try {
        const p2 = await other.newPage();
        await enterPassword(p2, 'nina', otp);
        await p2.waitForURL('**/portal/signin/new-password');
      } finally {
        await other.close();
      }

      await page.getByRole('navigation', { name: 'Console' }).getByRole('link', { name: 'Settings' }).click();
      await page.getByRole('heading', { level: 2, name: 'Attributes for access control' }).waitFor();
      await page.getByLabel('Attributes', { exact: true }).fill('CostCenter = ${path:enterprise.costCenter}');
      await page.getByRole('button', { name: 'Enable attributes for access control' }).click();
      await page.getByText('Attributes for access control saved.').waitFor();
      const abac = await server.awsJson('sso', 'SWBExternalService.DescribeInstanceAccessControlAttributeConfiguration', { InstanceArn: instance });
      assert.deepEqual(abac.InstanceAccessControlAttributeConfiguration.AccessControlAttributes,
        [{ Key: 'CostCenter', Value: { Source: ['${path:enterprise.costCenter}'] } }]);
      // The guide's SCIM steps: enable automatic provisioning, copy the token now.
      await page.getByRole('button', { name: 'Enable automatic provisioning' }).click();
      const token = (await page.locator('#scim-token').textContent()).trim();
      await page.getByRole('button', { name: 'Copy token' }).click();
      await page.getByText('Token copied.').waitFor();
      assert.equal(await page.evaluate(() => navigator.clipboard.readText()), token);
      const prov = await server.awsJson('sso', 'AtriumAdmin.DescribeAutomaticProvisioning', {});
      assert.equal(prov.Enabled, true);
      assert.equal(prov.AccessTokens.length, 1);
      await shot(page, 'settings-abac');
      assertNoProblems(context);
    } finally {
      await context.close();
    }
  });

  test('a delegated administrator of one OU cannot see or change an account of another', async () => {
    const context = await newContext(browser, server);
    try {
      const arns = (await server.awsJson('sso', 'SWBExternalService.ListPermissionSets', { InstanceArn: instance })).PermissionSets;
      const ps = arns.length ? arns[0] : (await server.awsJson('sso', 'SWBExternalService.CreatePermissionSet',
        { InstanceArn: instance, Name: 'ReadOnly' })).PermissionSet.PermissionSetArn;
      const dana = await server.createUser('dana');
      // The guide's OU-based delegation: the OU and its accounts by ARN (docs/delegated-administration.md).
      const policyFile = path.join(server.dataDir, 'development-ou.json');
      const orgArn = (type, id) => `arn:aws:organizations::*:${type}/o-*/${id}`;
      fs.writeFileSync(policyFile, JSON.stringify({ Version: '2012-10-17', Statement: [
        { Sid: 'Read', Effect: 'Allow', Resource: '*', Action: ['organizations:ListRoots', 'organizations:DescribeOrganization',
          'identitystore:Get*', 'identitystore:Describe*', 'identitystore:List*', 'sso:ListPermissionSets', 'sso:DescribePermissionSet',
          'sso:DescribeAccountAssignmentCreationStatus'] },
        { Sid: 'DevelopmentOU', Effect: 'Allow', Action: ['organizations:List*', 'organizations:Describe*'],
          Resource: [orgArn('root', 'r-*'), orgArn('ou', ous.Development), orgArn('account', DEV)] },
        { Sid: 'DevelopmentAccounts', Effect: 'Allow', Action: ['sso:CreateAccountAssignment', 'sso:ListAccountAssignments', 'sso:DeleteAccountAssignment'],
          Resource: ['arn:aws:sso:::instance/*', 'arn:aws:sso:::permissionSet/*/*', `arn:aws:sso:::account/${DEV}`] }] }));
      const page = await administrator(context, 'devops', policyFile);
      await page.goto('/portal/console/accounts');
      await page.getByRole('heading', { level: 2, name: 'Organizational structure' }).waitFor();
      // Production's accounts are not listed; Development's are.
      await page.getByText('OU: Production').waitFor();
      await page.getByText('Your policies do not allow listing this unit.').waitFor();
      assert.equal(await page.getByText(PROD).count(), 0, 'no account of the other OU is shown');
      await shot(page, 'accounts-delegated');
      await page.getByLabel(`development (${DEV})`).check();
      await page.getByLabel('User', { exact: true }).check();
      await page.getByLabel('User name or group name').fill('dana');
      await page.locator('input[name="permission-set"]').first().check();
      await page.getByRole('button', { name: 'Assign' }).click();
      await page.getByText('All 1 assignments provisioned.').waitFor();
      await page.goto(`/portal/console/account?id=${DEV}`);
      await page.getByRole('cell', { name: 'dana', exact: true }).waitFor();
      // The other OU's account by its address: refused, with the key's words.
      await page.goto(`/portal/console/account?id=${PROD}`);
      await page.getByText(/AccessDeniedException: .* organizations:DescribeAccount on resource: arn:aws:organizations::\d{12}:account\/o-\w+\/222222222222/).waitFor();
      // A change through the console's door directly: refused too.
      const { csrfToken } = await session(context);
      const r = await context.request.post('/portal/api/console', {
        headers: { 'Content-Type': 'application/x-amz-json-1.1', 'X-CSRF-Token': csrfToken,
          'X-Amz-Target': 'SWBExternalService.CreateAccountAssignment' },
        data: JSON.stringify({ InstanceArn: instance, TargetId: PROD, TargetType: 'AWS_ACCOUNT', PermissionSetArn: ps,
          PrincipalType: 'USER', PrincipalId: dana.userId }) });
      assert.equal(r.status(), 400);
      assert.equal((await r.json()).__type, 'AccessDeniedException');
      const prod = await server.awsJson('sso', 'SWBExternalService.ListAccountAssignments',
        { InstanceArn: instance, PermissionSetArn: ps, AccountId: PROD });
      assert.equal(prod.AccountAssignments.length, 0, 'nothing assigned in the other OU');
      const dev = await server.awsJson('sso', 'SWBExternalService.ListAccountAssignments',
        { InstanceArn: instance, PermissionSetArn: ps, AccountId: DEV });
      assert.deepEqual(dev.AccountAssignments.filter((a) => a.PrincipalType === 'USER').map((a) => a.PrincipalId), [dana.userId]);
      assertNoProblems(context);
    } finally {
      await context.close();
    }
  });
  test('a custom SAML application: added with its ACS URL and entity ID, its certificate, a group assigned', async () => {
    const context = await newContext(browser, server);
    try {
      const page = await administrator(context, 'appadmin', 'AdministratorAccess');
      await page.goto('/portal/console/applications');
      await page.getByRole('heading', { level: 2, name: 'Add application' }).waitFor();
      await assertLabelled(page);
      await page.getByLabel('Application type').selectOption({ label: 'Custom SAML 2.0 application' });
      await page.getByLabel('Display name').fill('Wiki');
      await page.getByLabel('Application SAML audience (entity ID)').fill('https://wiki.example.com/saml');
      await page.getByLabel('Application ACS URL').fill('https://wiki.example.com/saml/acs');
      await page.getByRole('button', { name: 'Submit' }).click();
      await page.getByRole('heading', { level: 1, name: 'Application Wiki' }).waitFor();
      await page.getByRole('cell', { name: 'Valid', exact: true }).waitFor();
      await page.getByLabel('User name or group name').fill('Auditors');
      await page.getByRole('button', { name: 'Assign', exact: true }).click();
      await page.getByRole('cell', { name: 'Auditors', exact: true }).waitFor();
      await shot(page, 'application');
      const apps = (await server.awsJson('sso', 'SWBExternalService.ListApplications', { InstanceArn: instance })).Applications;
      const wiki = apps.find((a) => a.Name === 'Wiki');
      assert.ok(wiki, 'the application exists');
      const inst = (await server.awsJson('sso', 'AtriumAdmin.GetApplicationInstance', { ApplicationArn: wiki.ApplicationArn })).ApplicationInstance;
      assert.equal(inst.ServiceProviderConfig.EntityId, 'https://wiki.example.com/saml');
      const assigned = await server.awsJson('sso', 'SWBExternalService.ListApplicationAssignments', { ApplicationArn: wiki.ApplicationArn });
      assert.deepEqual(assigned.ApplicationAssignments.map((a) => a.PrincipalType), ['GROUP']);
      assertNoProblems(context);
    } finally {
      await context.close();
    }
  });
});
