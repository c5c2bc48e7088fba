// Atrium as SAML 2.0 IdP with independent service providers from Debian on the other end (issue 15
// item 7): pysaml2 (python3-pysaml2), the OneLogin toolkit (python3-onelogin-saml2), Apache with
// mod_auth_mellon and Apache with the Shibboleth SP (mod_shib + shibd), each started once by this
// file on loopback with its own configuration (tests/browser/peers/). For each: the application
// is made through the sso-admin API and the AtriumAdmin SAML settings (the SP's own metadata
// imported), a user is assigned through a nested group, and headless chromium signs in
// SP-initiated (the SP's login -> Atrium's SSO endpoint -> the portal's sign-in -> back -> the
// SP's ACS) and IdP-initiated (the portal's tile). A user who is not assigned gets the portal's
// page saying so and the SP gets nothing.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import https from 'node:https';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';

import {
  Atrium, REPO, assertNoProblems, enterPassword, freePort, launch, newContext, skipReason, sleep,
} from './harness.mjs';

const PASSWORD = 'Corr3ct-Horse!';
const PEERS = path.join(REPO, 'tests', 'browser', 'peers');
const PYTHON = '/usr/bin/python3';

// What each peer needs from Debian, and why a missing one skips only that peer.
const NEEDS = {
  pysaml2: [['/usr/lib/python3/dist-packages/saml2/client.py', 'python3-pysaml2'], ['/usr/bin/xmlsec1', 'xmlsec1']],
  onelogin: [['/usr/lib/python3/dist-packages/onelogin/saml2/auth.py', 'python3-onelogin-saml2']],
  mellon: [['/usr/sbin/apache2', 'apache2'], ['/usr/lib/apache2/modules/mod_auth_mellon.so', 'libapache2-mod-auth-mellon']],
  shib: [['/usr/sbin/apache2', 'apache2'], ['/usr/lib/apache2/modules/mod_shib.so', 'libapache2-mod-shib'],
         ['/usr/sbin/shibd', 'shibd (libapache2-mod-shib)']],
};

function peerSkip(kind) {
  for (const [file, pkg] of NEEDS[kind]) {
    if (!fs.existsSync(file)) {
      const reason = `${file} is absent: apt-get install ${pkg} (scripts/install-deps installs it)`;
      console.log(`# ${kind} peer skipped: ${reason}`);
      return reason;
    }
  }
  return false;
}

async function fetchText(url) {
  return new Promise((resolve, reject) => {
    https.get(url, { rejectUnauthorized: false }, (res) => {
      let data = '';
      res.setEncoding('utf8');
      res.on('data', (c) => { data += c; });
      res.on('end', () => (res.statusCode === 200 ? resolve(data) : reject(new Error(`${url}: ${res.statusCode}`))));
    }).on('error', reject);
  });
}

async function scimPatch(url, token, body) {
  const payload = JSON.stringify(body);
  return new Promise((resolve, reject) => {
    const req = https.request(url, { method: 'PATCH', rejectUnauthorized: false, headers: {
      authorization: `Bearer ${token}`, 'content-type': 'application/scim+json', 'content-length': Buffer.byteLength(payload),
    } }, (res) => { res.resume(); res.on('end', () => resolve(res.statusCode)); });
    req.on('error', reject);
    req.end(payload);
  });
}

// One SP process (tests/browser/peers/*.py): writes sp-metadata.xml and `ready` in its directory.
class Peer {
  constructor(kind) {
    this.kind = kind;
  }

  async start(idpMetadata) {
    this.dir = fs.mkdtempSync(path.join(os.tmpdir(), `atrium-peer-${this.kind}-`));
    const idpFile = path.join(this.dir, 'idp-metadata.xml');
    fs.writeFileSync(idpFile, idpMetadata);
    this.port = await freePort();
    const common = ['--port', String(this.port), '--workdir', this.dir, '--idp-metadata', idpFile];
    let args;
    if (this.kind === 'pysaml2' || this.kind === 'onelogin') {
      args = [path.join(PEERS, `${this.kind}_sp.py`), ...common];
      this.base = `https://127.0.0.1:${this.port}`;
      this.loginUrl = `${this.base}/login`;
      this.expected = `${this.kind} signed in:`;
    } else {
      args = [path.join(PEERS, 'apache_sp.py'), '--kind', this.kind, ...common];
      if (this.kind === 'shib') args.push('--shibd-port', String(await freePort()));
      this.base = `https://127.0.0.1:${this.port}`;
      this.loginUrl = `${this.base}/${this.kind === 'mellon' ? 'protected' : 'secure'}/whoami`;
      this.expected = `${this.kind} signed in:`;
    }
    this.log = fs.openSync(path.join(this.dir, 'peer.log'), 'a');
    this.proc = spawn(PYTHON, args, { stdio: ['ignore', this.log, this.log] });
    const deadline = Date.now() + 60000;
    while (!fs.existsSync(path.join(this.dir, 'ready'))) {
      if (this.proc.exitCode !== null) throw new Error(`${this.kind} SP exited:\n${this.output()}`);
      assert.ok(Date.now() < deadline, `${this.kind} SP did not start in 60 s:\n${this.output()}`);
      await sleep(100);
    }
    return fs.readFileSync(path.join(this.dir, 'sp-metadata.xml'), 'utf8');
  }

  output() {
    try {
      return fs.readFileSync(path.join(this.dir, 'peer.log'), 'utf8').slice(-4000);
    } catch {
      return '';
    }
  }

  async stop() {
    if (this.proc && this.proc.exitCode === null) {
      const exited = new Promise((resolve) => this.proc.once('exit', resolve));
      this.proc.kill('SIGTERM');
      const timer = setTimeout(() => this.proc.kill('SIGKILL'), 15000);
      await exited;
      clearTimeout(timer);
    }
    if (this.log !== undefined) fs.closeSync(this.log);
    if (this.dir && !process.env.KEEP_DATA) fs.rmSync(this.dir, { recursive: true, force: true });
  }
}

describe('independent SAML service providers', { skip: skipReason() ?? false }, () => {
  let server;
  let browser;
  let instanceArn;
  let alice;
  let bob;
  let groupId;

  before(async () => {
    server = await new Atrium().start();
    await server.mfaSettings('--mode', 'disabled');
    browser = await launch();
    const ctx = await newContext(browser, server);
    alice = await server.createUserWithPassword('alice', PASSWORD, ctx.request);
    bob = await server.createUserWithPassword('bob', PASSWORD, ctx.request);
    await ctx.close();
    // alice is in "staff" through "team" (nested): assignments to staff count for her.
    const team = await server.awsJson('identitystore', 'AWSIdentityStore.CreateGroup', { IdentityStoreId: server.storeId, DisplayName: 'team' });
    const staff = await server.awsJson('identitystore', 'AWSIdentityStore.CreateGroup', { IdentityStoreId: server.storeId, DisplayName: 'staff' });
    await server.awsJson('identitystore', 'AWSIdentityStore.CreateGroupMembership',
                         { IdentityStoreId: server.storeId, GroupId: team.GroupId, MemberId: { UserId: alice.userId } });
    // Groups nest over SCIM (the identitystore API's MemberId names users only).
    const prov = await server.awsJson('sso', 'AtriumAdmin.EnableAutomaticProvisioning', {});
    const nested = await scimPatch(`https://127.0.0.1:${server.port}/scim/v2/Groups/${staff.GroupId}`, prov.AccessToken, {
      schemas: ['urn:ietf:params:scim:api:messages:2.0:PatchOp'],
      Operations: [{ op: 'add', path: 'members', value: [{ value: team.GroupId }] }],
    });
    assert.equal(nested, 204);
    groupId = staff.GroupId;
    instanceArn = server.key.InstanceArn;
  });

  after(async () => {
    await browser?.close();
    await server?.stop();
  });

  // The application for one peer: made, the SP's metadata imported, mappings set, alice's group
  // assigned. Returns the app's ARN and the started peer.
  async function applicationFor(kind) {
    const { ApplicationArn: arn } = await server.awsJson('sso', 'SWBExternalService.CreateApplication', {
      InstanceArn: instanceArn, Name: `${kind} app`, ApplicationProviderArn: 'arn:aws:sso::aws:applicationProvider/custom-saml',
    });
    const appId = arn.split('/').pop();
    const peer = new Peer(kind);
    const spMetadata = await peer.start(await fetchText(`https://127.0.0.1:${server.port}/saml/metadata/${appId}`));
    await server.awsJson('sso', 'AtriumAdmin.ImportApplicationInstanceServiceProvider', { ApplicationArn: arn, Metadata: spMetadata });
    await server.awsJson('sso', 'AtriumAdmin.UpdateApplicationInstanceResponseSchemaConfiguration', {
      ApplicationArn: arn, ResponseSchemaConfig: { AttributeMappings: [
        { Name: 'Subject', Value: '${user:email}', Format: kind === 'shib' ? 'emailAddress' : 'unspecified' },
        { Name: 'email', Value: '${user:email}', Format: 'basic' },
        { Name: 'displayName', Value: '${user:name}', Format: 'unspecified' },
        { Name: 'groups', Value: '${user:groups}', Format: 'uri' },
        { Name: 'department', Value: '${path:enterprise.department}', Format: 'basic' },
      ] },
    });
    if (kind === 'mellon' || kind === 'shib') {
      // IdP-initiated sign-ins land on the protected page (the relay state the SP follows).
      await server.awsJson('sso', 'AtriumAdmin.UpdateApplicationInstanceResponseConfiguration', {
        ApplicationArn: arn, ResponseConfig: { RelayState: peer.loginUrl },
      });
    }
    await server.awsJson('sso', 'SWBExternalService.CreateApplicationAssignment', {
      ApplicationArn: arn, PrincipalId: groupId, PrincipalType: 'GROUP',
    });
    return { arn, appId, peer };
  }

  async function signedInResult(page, peer) {
    await page.waitForURL((u) => u.origin === peer.base, { timeout: 30000 });
    const text = await page.locator('body').innerText({ timeout: 30000 });
    assert.match(text, new RegExp(peer.expected), `${peer.kind}: ${text}\n${peer.output()}`);
    return text;
  }

  // SAML_PEERS=pysaml2,shib runs only those (when working on one peer).
  const only = process.env.SAML_PEERS ? process.env.SAML_PEERS.split(',') : null;
  for (const kind of ['pysaml2', 'onelogin', 'mellon', 'shib']) {
    const skip = only && !only.includes(kind) ? `not in SAML_PEERS=${process.env.SAML_PEERS}` : peerSkip(kind);
    describe(kind, { skip, timeout: 240000 }, () => {
      let app;
      before(async () => { app = await applicationFor(kind); });
      after(async () => { await app?.peer.stop(); });

      test('SP-initiated: the SP sends the browser to Atrium, the user signs in, the SP gets a Response', async () => {
        const context = await newContext(browser, server);
        try {
          const page = await context.newPage();
          await page.goto(app.peer.loginUrl);
          // Atrium's SSO endpoint -> the portal's continue page -> sign-in (no session yet).
          await page.waitForURL('**/portal/signin', { timeout: 30000 });
          await page.getByLabel('User name').fill('alice');
          await page.getByRole('button', { name: 'Next' }).click();
          await page.waitForURL('**/portal/signin/password');
          await page.getByLabel('Password', { exact: true }).fill(PASSWORD);
          await page.getByRole('button', { name: 'Sign in' }).click();
          const text = await signedInResult(page, app.peer);
          assert.match(text, /alice@example\.com/, text);
          if (kind === 'pysaml2' || kind === 'onelogin') {
            assert.match(text, /InResponseTo: (?!none)\S+/, text);  // the request's ID, echoed
            assert.match(text, new RegExp(`groups=.*${groupId}`), text);
            assert.doesNotMatch(text, /department=/, text);  // no value: left out
          }
          assertNoProblems(context);
        } finally {
          await context.close();
        }
      });

      test('IdP-initiated: the portal tile posts a Response to the SP', async () => {
        const context = await newContext(browser, server);
        try {
          const page = await context.newPage();
          await enterPassword(page, 'alice', PASSWORD);
          await page.waitForURL((u) => u.pathname === '/portal/');
          const tile = page.getByRole('button', { name: `${kind} app` });
          await tile.waitFor();
          await tile.click();
          const text = await signedInResult(page, app.peer);
          assert.match(text, /alice@example\.com/, text);
          if (kind === 'pysaml2' || kind === 'onelogin') assert.match(text, /InResponseTo: none/, text);
        } finally {
          await context.close();
        }
      });

      test('a user who is not assigned gets the portal\'s page and the SP gets nothing', async () => {
        const context = await newContext(browser, server);
        try {
          const page = await context.newPage();
          await enterPassword(page, 'bob', PASSWORD);
          await page.waitForURL((u) => u.pathname === '/portal/');
          assert.equal(await page.getByRole('button', { name: `${kind} app` }).count(), 0, 'no tile for bob');
          await page.goto(app.peer.loginUrl);
          await page.getByRole('heading', { name: 'You do not have access to this application' }).waitFor({ timeout: 30000 });
          assert.equal(new URL(page.url()).origin, server.origin);
          assert.match(await page.getByRole('alert').innerText(), /not assigned/);
        } finally {
          await context.close();
        }
      });
    });
  }
});
