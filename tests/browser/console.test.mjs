// "Management console" in chromium (docs/console-access.md): the landing page asks the portal for
// the signed SAML Response and posts it as a form to federation.aws_signin_url, here a local
// HTTPS sink that records what arrives (SAMLResponse and RelayState, as AWS's sign-in endpoint
// would receive them). The page's CSP form-action must let exactly that post through: a CSP
// violation fails the test. Record-only provisioner: nothing leaves the machine.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import https from 'node:https';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { promisify } from 'node:util';

import { Atrium, assertNoProblems, launch, newContext, signInPasswordOnly, skipReason, sleep } from './harness.mjs';

const run = promisify(execFile);
const PASSWORD = 'Corr3ct-Horse!';
const RELAY = 'https://console.aws.amazon.com/ec2/home?region=us-east-1';

// An HTTPS server on loopback standing in for https://signin.aws.amazon.com/saml: it keeps every
// form posted to /saml and answers a small page.
class SigninSink {
  constructor() {
    this.posts = [];
  }

  async start() {
    this.dir = fs.mkdtempSync(path.join(os.tmpdir(), 'atrium-signin-sink-'));
    const key = path.join(this.dir, 'key.pem');
    const cert = path.join(this.dir, 'cert.pem');
    await run('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', key, '-out', cert, '-days', '1',
      '-subj', '/CN=127.0.0.1', '-addext', 'subjectAltName=IP:127.0.0.1']);
    this.server = https.createServer({ key: fs.readFileSync(key), cert: fs.readFileSync(cert) }, (req, res) => {
      let body = '';
      req.setEncoding('utf8');
      req.on('data', (c) => { body += c; });
      req.on('end', () => {
        if (req.method === 'POST' && req.url === '/saml') {
          this.posts.push({ contentType: req.headers['content-type'], form: new URLSearchParams(body) });
        }
        res.writeHead(200, { 'Content-Type': 'text/html; charset=utf-8' });
        res.end('<!doctype html><title>AWS sign-in (test sink)</title><h1>Signed in</h1>');
      });
    });
    await new Promise((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    this.url = `https://127.0.0.1:${this.server.address().port}/saml`;
    return this;
  }

  async waitForPost(timeoutMs = 15000) {
    const deadline = Date.now() + timeoutMs;
    while (!this.posts.length) {
      assert.ok(Date.now() < deadline, 'nothing was posted to the sign-in sink');
      await sleep(50);
    }
    return this.posts[0];
  }

  async stop() {
    await new Promise((resolve) => this.server?.close(resolve));
    if (this.dir) fs.rmSync(this.dir, { recursive: true, force: true });
  }
}

describe('management console', { skip: skipReason() ?? false }, () => {
  let server;
  let sink;
  let browser;

  before(async () => {
    sink = await new SigninSink().start();
    server = await new Atrium({ settings: [`federation.aws_signin_url=${sink.url}`] }).start();
    await server.mfaSettings('--mode', 'disabled');
    browser = await launch();
  });

  after(async () => {
    await browser?.close();
    await server?.stop();
    await sink?.stop();
  });

  test('clicking "Management console" posts the signed Response and relay state to the sign-in URL', async () => {
    const context = await newContext(browser, server);
    try {
      const page = await context.newPage();
      const user = await server.createUserWithPassword('carol', PASSWORD, context.request);
      await server.cli('admin', 'org', 'register-account', '--id', '210987654321', '--name', 'Sandbox',
                       '--email', 'sandbox@example.com');
      const instance = (await server.aws('sso-admin', 'list-instances')).Instances[0].InstanceArn;
      const ps = (await server.aws('sso-admin', 'create-permission-set', '--instance-arn', instance,
        '--name', 'Builder', '--session-duration', 'PT3H', '--relay-state', RELAY)).PermissionSet.PermissionSetArn;
      const created = await server.aws('sso-admin', 'create-account-assignment', '--instance-arn', instance,
        '--target-id', '210987654321', '--target-type', 'AWS_ACCOUNT', '--permission-set-arn', ps,
        '--principal-type', 'USER', '--principal-id', user.userId);
      for (let i = 0; ; i++) {
        const s = (await server.aws('sso-admin', 'describe-account-assignment-creation-status', '--instance-arn', instance,
          '--account-assignment-creation-request-id', created.AccountAssignmentCreationStatus.RequestId))
          .AccountAssignmentCreationStatus;
        if (s.Status !== 'IN_PROGRESS') {
          assert.equal(s.Status, 'SUCCEEDED', JSON.stringify(s));
          break;
        }
        assert.ok(i < 150, 'assignment still IN_PROGRESS');
        await sleep(200);
      }

      await signInPasswordOnly(page, 'carol', PASSWORD);
      const landing = await page.request.get('/portal/');
      assert.match(landing.headers()['content-security-policy'],
                   new RegExp(`form-action 'self' ${sink.url.replace('/saml', '').replace(/[.]/g, '\\.')};`));
      const accounts = page.locator('#account-list');
      await accounts.getByRole('button', { name: /Sandbox/ }).click();
      const launchButton = accounts.getByRole('button', { name: 'Management console: Builder in account 210987654321' });
      await launchButton.waitFor({ state: 'visible' });
      await launchButton.click();

      const post = await sink.waitForPost();
      await page.waitForURL(sink.url);
      assert.equal(post.contentType, 'application/x-www-form-urlencoded');
      assert.deepEqual([...post.form.keys()].sort(), ['RelayState', 'SAMLResponse']);
      assert.equal(post.form.get('RelayState'), RELAY);
      const xml = Buffer.from(post.form.get('SAMLResponse'), 'base64').toString('utf8');
      assert.match(xml, /^(<\?xml [^>]*>\s*)?<samlp:Response /);
      assert.ok(xml.includes(`Destination="${sink.url}"`), 'Destination is the configured sign-in URL');
      assert.ok(xml.includes(`Recipient="${sink.url}"`));
      assert.ok(xml.includes('<saml:Audience>urn:amazon:webservices</saml:Audience>'));
      assert.ok(xml.includes('<ds:SignatureValue>') || xml.includes(':SignatureValue>'), 'signed');
      assert.ok(xml.includes(`role/atrium/AtriumSSO_Builder_${ps.split('/ps-')[1]},`), 'the role of the permission set');
      assert.ok(xml.includes('>10800<'), 'SessionDuration of PT3H');
      assert.ok(xml.includes('>carol<'), 'RoleSessionName');
      assertNoProblems(context);
    } finally {
      await context.close();
    }
  });

  test('a user without the role gets AccessDenied on the page and nothing is posted', async () => {
    const context = await newContext(browser, server);
    try {
      const page = await context.newPage();
      await server.createUserWithPassword('dave', PASSWORD, context.request);
      await signInPasswordOnly(page, 'dave', PASSWORD);
      const before = sink.posts.length;
      const session = await (await context.request.get('/portal/api/session')).json();
      const r = await context.request.post('/portal/api/portal/console', {
        data: { accountId: '210987654321', roleName: 'Builder' },
        headers: { 'X-CSRF-Token': session.csrfToken },
      });
      assert.equal(r.status(), 403);
      const body = await r.json();
      assert.equal(body.error, 'AccessDenied');
      assert.equal(body.samlResponse, undefined);
      assert.equal(sink.posts.length, before);
      assertNoProblems(context);
    } finally {
      await context.close();
    }
  });
});
