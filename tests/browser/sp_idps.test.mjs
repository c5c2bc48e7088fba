// Atrium as SAML 2.0 service provider with independent identity providers from Debian driving it
// through headless chromium (issue 17 item 9): pysaml2 7.0.1 as an IdP, SimpleSAMLphp 1.19 (no one
// here wrote it) under PHP's built-in server and LemonLDAP::NG 2.16 (Lasso inside) under plackup,
// each started on loopback by tests/integration/saml_peers/. SimpleSAMLphp and LemonLDAP::NG
// require the AuthnRequest signed. For each IdP: Atrium is configured through the AtriumAdmin API
// from the IdP's own metadata and switched to it (ACCEPT); then
//   - the portal start URL sends the browser to the IdP, the user signs in there and lands on the
//     portal's accounts page (SP-initiated; SimpleSAMLphp requires the AuthnRequest signed);
//   - the IdP's own start (IdP-initiated) lands on the portal too;
//   - a user created over SCIM (the provisioning token, as Okta or Entra ID would) signs in;
//   - a disabled user is refused with Atrium's page saying so.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import https from 'node:https';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';

import { Atrium, REPO, assertNoProblems, launch, newContext, skipReason, sleep } from './harness.mjs';

const PEERS = path.join(REPO, 'tests', 'integration', 'saml_peers');
const PYTHON = '/usr/bin/python3';
const PASSWORD = 'IdP-Passw0rd!';
const AC = 'https://aws.amazon.com/SAML/Attributes/AccessControl:';

const NEEDS = {
  pysaml2: [['/usr/lib/python3/dist-packages/saml2/server.py', 'python3-pysaml2'], ['/usr/bin/xmlsec1', 'xmlsec1']],
  simplesamlphp: [['/usr/bin/php', 'php-cli'], ['/usr/share/simplesamlphp/www', 'simplesamlphp'],
                  ['/etc/simplesamlphp/config.php', 'simplesamlphp'], ['/etc/php/8.2/mods-available/dom.ini', 'php-xml']],
  lemonldap: [['/usr/bin/plackup', 'libplack-perl'], ['/var/lib/lemonldap-ng/conf/lmConf-1.json', 'lemonldap-ng'],
              ['/usr/lib/x86_64-linux-gnu/perl5/5.36/Lasso.pm', 'liblasso-perl']],
};

function peerSkip(kind) {
  for (const [file, pkg] of NEEDS[kind]) {
    if (!fs.existsSync(file)) {
      const reason = `${file} is absent: apt-get install ${pkg} (scripts/install-deps installs it)`;
      console.log(`# ${kind} IdP skipped: ${reason}`);
      return reason;
    }
  }
  return false;
}

function httpsGet(url) {
  return new Promise((resolve, reject) => {
    https.get(url, { rejectUnauthorized: false }, (res) => {
      let data = '';
      res.setEncoding('utf8');
      res.on('data', (c) => { data += c; });
      res.on('end', () => resolve({ status: res.statusCode, text: data }));
    }).on('error', reject);
  });
}

function scimPost(server, token, body) {
  const payload = JSON.stringify(body);
  return new Promise((resolve, reject) => {
    const req = https.request(`https://127.0.0.1:${server.port}/scim/v2/Users`, {
      method: 'POST', rejectUnauthorized: false, headers: {
        authorization: `Bearer ${token}`, 'content-type': 'application/scim+json', 'content-length': Buffer.byteLength(payload),
      },
    }, (res) => {
      let data = '';
      res.on('data', (c) => { data += c; });
      res.on('end', () => resolve({ status: res.statusCode, body: data }));
    });
    req.on('error', reject);
    req.end(payload);
  });
}

// One IdP process (tests/integration/saml_peers/<kind>_idp.py): writes port and ready in its directory.
class IdP {
  constructor(kind) {
    this.kind = kind;
  }

  async start(spMetadata, users, extra = []) {
    this.dir = fs.mkdtempSync(path.join(os.tmpdir(), `atrium-idp-${this.kind}-`));
    fs.writeFileSync(path.join(this.dir, 'sp-metadata.xml'), spMetadata);
    fs.writeFileSync(path.join(this.dir, 'users.json'), JSON.stringify(users));
    this.log = fs.openSync(path.join(this.dir, 'peer.log'), 'a');
    this.proc = spawn(PYTHON, [path.join(PEERS, `${this.kind}_idp.py`), '--workdir', this.dir,
      '--sp-metadata', path.join(this.dir, 'sp-metadata.xml'), '--users', path.join(this.dir, 'users.json'), ...extra],
    { stdio: ['ignore', this.log, this.log] });
    const deadline = Date.now() + 60000;
    while (!fs.existsSync(path.join(this.dir, 'ready'))) {
      if (this.proc.exitCode !== null) throw new Error(`${this.kind} IdP exited:\n${this.output()}`);
      assert.ok(Date.now() < deadline, `${this.kind} IdP did not start in 60 s:\n${this.output()}`);
      await sleep(100);
    }
    this.port = Number(fs.readFileSync(path.join(this.dir, 'port'), 'utf8'));
    // LemonLDAP::NG's cookie has Domain=localhost, so its portal is named so.
    this.base = `http://${this.kind === 'lemonldap' ? 'localhost' : '127.0.0.1'}:${this.port}`;
    return fs.readFileSync(path.join(this.dir, 'idp-metadata.xml'), 'utf8');
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

// What differs between the two IdPs: how the user logs in on the IdP's page, its IdP-initiated
// start, and whether it demands signed AuthnRequests.
const EXAMPLE = ['alice@example.com', 'carol@example.com', 'dave@example.com'];
const KINDS = {
  pysaml2: {
    people: EXAMPLE,
    password: () => PASSWORD,
    login: (email) => email,
    async signIn(page, login) {
      await page.getByLabel('User name').fill(login);
      await page.getByLabel('Password').fill(this.password(login));
      await page.getByRole('button', { name: 'Sign in' }).click();
    },
    idpInitiated: (idp) => `${idp.base}/start?RelayState=`,
    extraArgs: [],
    signAuthnRequests: false,
  },
  simplesamlphp: {
    people: EXAMPLE,
    password: () => PASSWORD,
    login: (email) => email.split('@')[0],
    async signIn(page, login) {
      await page.locator('#username').fill(login);
      await page.locator('#password').fill(this.password(login));
      await page.locator('#password').press('Enter');
    },
    idpInitiated: (idp, sp) => `${idp.base}/saml2/idp/SSOService.php?spentityid=${encodeURIComponent(sp.EntityId)}`,
    extraArgs: ['--validate-authnrequest'],
    signAuthnRequests: true,
  },
  // The Demo backend's users (password = login); the NameID is their mail.
  lemonldap: {
    people: ['dwho@badwolf.org', 'rtyler@badwolf.org', 'msmith@badwolf.org'],
    password: (login) => login,
    login: (email) => email.split('@')[0],
    async signIn(page, login) {
      await page.locator('#userfield').fill(login);
      await page.locator('#passwordfield').fill(this.password(login));
      await page.locator('#passwordfield').press('Enter');
    },
    idpInitiated: (idp) => `${idp.base}/saml/singleSignOn?IDPInitiated=1&spConfKey=atrium`,
    extraArgs: [],
    signAuthnRequests: true,
    // Under plackup its login form (action "#") posts back to the SSO URL with the AuthnRequest
    // in the query, which LemonLDAP::NG 2.16 then reads as an HTTP-POST message (Lasso -407,
    // "Invalid message") and never answers: its sign-ins here start at the IdP.
    spInitiatedSkip: 'LemonLDAP::NG 2.16 under plackup cannot finish an SP-initiated login (Lasso -407 on its own form post)',
  },
};

for (const kind of Object.keys(KINDS)) {
  const k = KINDS[kind];
  describe(`${kind} as the external identity provider`, { skip: skipReason() ?? peerSkip(kind) }, () => {
    let server;
    let browser;
    let idp;
    let sp;
    const users = {};
    let existing;
    let scimmed;
    let disabled;

    before(async () => {
      server = await new Atrium().start();
      const d = await server.awsJson('sso', 'AtriumAdmin.DescribeIdentitySource', {});
      sp = d.ServiceProvider;
      const md = await httpsGet(`https://127.0.0.1:${server.port}/portal/sp/metadata`);
      assert.equal(md.status, 200);
      // The first and the third exist in Atrium (identitystore API); the second only at the IdP
      // until SCIM creates it; the third is disabled.
      [existing, scimmed, disabled] = k.people;
      for (const email of k.people) {
        users[k.login(email)] = { password: k.password(k.login(email)), name_id: email,
                                  attributes: { [`${AC}Department`]: ['Engineering'] } };
      }
      idp = new IdP(kind);
      const idpMetadata = await idp.start(md.text, users, k.extraArgs);
      const made = await server.awsJson('sso', 'AtriumAdmin.CreateExternalIdPConfigurationForDirectory',
                                        { Metadata: idpMetadata, AllowIdpInitiated: true, SignAuthnRequests: k.signAuthnRequests });
      await server.awsJson('sso', 'AtriumAdmin.EnableExternalIdPConfigurationForDirectory',
                           { IdpId: made.IdpId, Confirmation: 'ACCEPT' });
      for (const email of [existing, disabled]) {
        await server.awsJson('identitystore', 'AWSIdentityStore.CreateUser', {
          IdentityStoreId: server.storeId, UserName: email, DisplayName: `${email} Display`,
          Name: { GivenName: 'Given', FamilyName: 'Family' }, Emails: [{ Value: email, Type: 'work', Primary: true }],
        });
      }
      await server.cli('admin', 'user', 'disable', '--user', disabled);
      browser = await launch();
    });

    after(async () => {
      await browser?.close();
      await idp?.stop();
      await server?.stop();
    });

    async function landsOnPortal(page, who) {
      try {
        await page.waitForURL((u) => u.origin === server.origin && u.pathname === '/portal/', { timeout: 30000 });
      } catch (e) {
        throw new Error(`not on the portal: ${page.url()}\n${(await page.locator('body').innerText()).slice(0, 800)}\n${idp.output()}`);
      }
      await page.getByRole('heading', { level: 1, name: 'Your accounts and applications' }).waitFor();
      const s = await page.context().request.get('/portal/api/session');
      assert.equal((await s.json()).user.userName, who);
    }

    // Where the IdP's flow starts: the portal start URL (SP-initiated), or the IdP's own start.
    async function startSignIn(page) {
      if (k.spInitiatedSkip) {
        await page.goto(k.idpInitiated(idp, sp));
      } else {
        await page.goto('/portal/');
        await page.waitForURL((u) => u.origin === idp.base, { timeout: 30000, waitUntil: 'domcontentloaded' });
      }
    }

    test('SP-initiated: the portal start URL -> the IdP\'s sign-in -> the portal', { skip: k.spInitiatedSkip ?? false }, async () => {
      const ctx = await newContext(browser, server);
      const page = await ctx.newPage();
      await page.goto('/portal/');
      await page.waitForURL((u) => u.origin === idp.base, { timeout: 30000, waitUntil: 'domcontentloaded' });
      await k.signIn(page, k.login(existing));
      await landsOnPortal(page, existing);
      assertNoProblems(ctx);
      await ctx.close();
    });

    test('IdP-initiated: the IdP\'s own start -> the portal', async () => {
      const ctx = await newContext(browser, server);
      const page = await ctx.newPage();
      await page.goto(k.idpInitiated(idp, sp));
      await k.signIn(page, k.login(existing));
      await landsOnPortal(page, existing);
      await ctx.close();
    });

    test('a user created over SCIM then signs in through the IdP', async () => {
      const prov = await server.awsJson('sso', 'AtriumAdmin.EnableAutomaticProvisioning', {});
      const r = await scimPost(server, prov.AccessToken, {
        schemas: ['urn:ietf:params:scim:schemas:core:2.0:User'], userName: scimmed, displayName: 'Provisioned',
        name: { givenName: 'Pro', familyName: 'Visioned' }, emails: [{ value: scimmed, type: 'work', primary: true }],
        active: true,
      });
      assert.equal(r.status, 201, r.body);
      const ctx = await newContext(browser, server);
      const page = await ctx.newPage();
      await startSignIn(page);
      await k.signIn(page, k.login(scimmed));
      await landsOnPortal(page, scimmed);
      await ctx.close();
    });

    test('a disabled user is refused with a page that says so', async () => {
      const ctx = await newContext(browser, server);
      const page = await ctx.newPage();
      const refused = page.waitForResponse((r) => r.url().endsWith('/portal/sp/acs'));
      await startSignIn(page);
      await k.signIn(page, k.login(disabled));
      assert.equal((await refused).status(), 403);
      await page.getByRole('heading', { level: 1 }).waitFor();
      assert.ok((await page.locator('main').innerText()).includes(`${disabled} is disabled`));
      const s = await ctx.request.get('/portal/api/session');
      assert.equal((await s.json()).signedIn, false);
      await ctx.close();
    });
  });
}
