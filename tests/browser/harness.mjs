// Shared pieces of the browser tests: the real `atrium` binary on loopback with a temporary data
// directory (as tests/integration/conftest.py starts it), the SMTP sink, Debian's chromium driven
// by playwright-core (from web/node_modules; it never downloads a browser), the AWS CLI v2 for
// setup through the public APIs, and page helpers shared by the flows.
import assert from 'node:assert/strict';
import { execFile, spawn } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import https from 'node:https';
import { createRequire } from 'node:module';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

import { SmtpSink, tokenLink } from './smtp_sink.mjs';

const run = promisify(execFile);
export const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
export const ATRIUM = process.env.ATRIUM_BIN || path.join(REPO, 'build', 'atrium');
export const CHROMIUM = process.env.CHROMIUM_BIN || '/usr/bin/chromium';
export const AWS = '/usr/bin/aws';
export const OATHTOOL = '/usr/bin/oathtool';
const REGION = 'us-east-1';

const require = createRequire(path.join(REPO, 'web', 'package.json'));
const { chromium } = require('playwright-core');

// node:test's `skip` reason when the suite cannot run here; null when it can. Only a missing
// browser or tool is a reason: a missing server binary or UI build is an error.
export function skipReason() {
  for (const [tool, why] of [[CHROMIUM, 'Debian chromium (apt-get install chromium)'],
                             [OATHTOOL, 'oathtool (apt-get install oathtool)'],
                             [AWS, 'the AWS CLI v2 (apt-get install awscli)']]) {
    if (!fs.existsSync(tool)) {
      const reason = `${tool} is absent: install ${why}; scripts/install-deps does`;
      console.log(`# browser tests skipped: ${reason}`);
      return reason;
    }
  }
  return null;
}

export async function freePort() {
  const srv = net.createServer();
  await new Promise((resolve) => srv.listen(0, '127.0.0.1', resolve));
  const { port } = srv.address();
  await new Promise((resolve) => srv.close(resolve));
  return port;
}

export class Atrium {
  constructor({ settings = [] } = {}) {
    this.extra = settings;
    this.smtp = new SmtpSink();
  }

  async start() {
    assert.ok(fs.existsSync(ATRIUM), `${ATRIUM} is missing: build it first (make build)`);
    assert.ok(fs.existsSync(path.join(REPO, 'web', 'dist', 'index.html')),
              'web/dist is missing: build the UI first (make web)');
    await this.smtp.start();
    this.dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'atrium-browser-'));
    this.key = JSON.parse((await this.cli('admin', 'create-access-key', '--json', '--user-name', 'admin')).stdout);
    this.storeId = this.key.IdentityStoreId;
    // The port is chosen before the start because the portal's own URL (links in e-mails, the
    // WebAuthn origin) names it. `localhost`, not 127.0.0.1: WebAuthn refuses IP addresses as
    // relying party ids.
    this.port = await freePort();
    this.origin = `https://localhost:${this.port}`;
    const portFile = path.join(this.dataDir, 'port');
    const args = ['serve', '--data-dir', this.dataDir,
      '--set', `server.port=${this.port}`, '--set', `port_file=${portFile}`, '--set', 'server.tls=true',
      '--set', 'mail.smtp_host=127.0.0.1', '--set', `mail.smtp_port=${this.smtp.port}`,
      '--set', 'mail.starttls=never', '--set', 'mail.from=Atrium <atrium@example.com>',
      '--set', `portal.public_url=${this.origin}/portal`,
      ...this.extra.flatMap((s) => ['--set', s])];
    this.log = fs.openSync(path.join(this.dataDir, 'server.log'), 'a');
    this.proc = spawn(ATRIUM, args, { stdio: ['ignore', this.log, this.log] });
    this.exited = new Promise((resolve) => this.proc.once('exit', (code, signal) => resolve({ code, signal })));
    const deadline = Date.now() + 30000;
    while (Date.now() < deadline) {
      if (fs.existsSync(portFile) && fs.readFileSync(portFile, 'utf8').trim()) return this;
      if (this.proc.exitCode !== null) throw new Error(`atrium exited:\n${this.serverLog()}`);
      await sleep(50);
    }
    throw new Error(`atrium did not start in 30 s:\n${this.serverLog()}`);
  }

  serverLog() {
    try {
      return fs.readFileSync(path.join(this.dataDir, 'server.log'), 'utf8').slice(-4000);
    } catch {
      return '';
    }
  }

  async stop() {
    if (this.proc && this.proc.exitCode === null) {
      this.proc.kill('SIGTERM');
      const timer = setTimeout(() => this.proc.kill('SIGKILL'), 20000);
      const { code } = await this.exited;
      clearTimeout(timer);
      assert.equal(code, 0, `graceful shutdown must exit 0:\n${this.serverLog()}`);
    }
    if (this.log !== undefined) fs.closeSync(this.log);
    await this.smtp.stop();
    if (this.dataDir && !process.env.KEEP_DATA) fs.rmSync(this.dataDir, { recursive: true, force: true });
  }

  // `atrium <args> --data-dir <dir>`; asynchronous so the in-process SMTP sink keeps answering.
  async cli(...args) {
    try {
      return await run(ATRIUM, [...args, '--data-dir', this.dataDir], { timeout: 60000 });
    } catch (err) {
      throw new Error(`atrium ${args.join(' ')} failed: ${err.stderr || err.message}`);
    }
  }

  // The unmodified AWS CLI v2 against this server, with the admin key; parsed JSON output.
  async aws(service, ...args) {
    const env = {
      ...process.env, AWS_ACCESS_KEY_ID: this.key.AccessKeyId, AWS_SECRET_ACCESS_KEY: this.key.SecretAccessKey,
      AWS_CONFIG_FILE: '/dev/null', AWS_SHARED_CREDENTIALS_FILE: '/dev/null', AWS_MAX_ATTEMPTS: '1',
      AWS_PAGER: '', PYTHONWARNINGS: 'ignore',
    };
    delete env.AWS_PROFILE;
    try {
      const { stdout } = await run(AWS, [service, ...args, '--endpoint-url', `https://127.0.0.1:${this.port}`,
        '--region', REGION, '--no-verify-ssl', '--output', 'json'], { env, timeout: 120000 });
      return stdout.trim() ? JSON.parse(stdout) : {};
    } catch (err) {
      throw new Error(`aws ${service} ${args.join(' ')} failed: ${err.stderr || err.message}`);
    }
  }

  // One SigV4-signed AWS JSON 1.1 call (what the AWS CLI sends, without its seconds of start-up:
  // the suite creates a user in nearly every test).
  async awsJson(service, target, body) {
    const payload = JSON.stringify(body);
    const host = `127.0.0.1:${this.port}`;
    const amzDate = new Date().toISOString().replace(/[-:]|\.\d{3}/g, '');
    const day = amzDate.slice(0, 8);
    const headers = { 'content-type': 'application/x-amz-json-1.1', host, 'x-amz-date': amzDate, 'x-amz-target': target };
    const names = Object.keys(headers).sort();
    const sha = (x) => crypto.createHash('sha256').update(x).digest('hex');
    const hmac = (k, x) => crypto.createHmac('sha256', k).update(x).digest();
    const canonical = ['POST', '/', '', ...names.map((n) => `${n}:${headers[n]}`), '', names.join(';'), sha(payload)].join('\n');
    const scope = `${day}/${REGION}/${service}/aws4_request`;
    const toSign = ['AWS4-HMAC-SHA256', amzDate, scope, sha(canonical)].join('\n');
    let key = hmac(`AWS4${this.key.SecretAccessKey}`, day);
    for (const part of [REGION, service, 'aws4_request']) key = hmac(key, part);
    const signature = crypto.createHmac('sha256', key).update(toSign).digest('hex');
    headers.authorization = `AWS4-HMAC-SHA256 Credential=${this.key.AccessKeyId}/${scope}, ` +
                            `SignedHeaders=${names.join(';')}, Signature=${signature}`;
    const { status, text } = await new Promise((resolve, reject) => {
      const req = https.request({ host: '127.0.0.1', port: this.port, method: 'POST', path: '/', headers,
                                  rejectUnauthorized: false }, (res) => {
        let data = '';
        res.setEncoding('utf8');
        res.on('data', (c) => { data += c; });
        res.on('end', () => resolve({ status: res.statusCode, text: data }));
      });
      req.on('error', reject);
      req.end(payload);
    });
    assert.equal(status, 200, `${target}: ${text}`);
    return JSON.parse(text || '{}');
  }

  // A user of the built-in identity store with an e-mail address; creating it sends the
  // invitation, which the sink keeps (returned with the user).
  async createUser(userName, { email = `${userName}@example.com` } = {}) {
    const since = this.smtp.messages.length;
    const r = await this.awsJson('identitystore', 'AWSIdentityStore.CreateUser', {
      IdentityStoreId: this.storeId, UserName: userName, DisplayName: `${userName} Display`,
      Name: { GivenName: 'Given', FamilyName: 'Family' },
      Emails: [{ Value: email, Type: 'work', Primary: true }],
    });
    return { userId: r.UserId, userName, email, since };
  }

  async invitation(user) {
    return this.smtp.waitForMailTo(user.email, { since: user.since });
  }

  // A user whose password is set through the invitation link, by the contract's API (setup for
  // flows that are about something else).
  async createUserWithPassword(userName, password, api) {
    const user = await this.createUser(userName);
    const { token } = tokenLink(await this.invitation(user));
    const r = await api.post('/portal/api/password/reset', { data: { token, newPassword: password } });
    assert.equal(r.status(), 200, `setting ${userName}'s password: ${await r.text()}`);
    return { ...user, password };
  }

  async mfaSettings(...args) {
    await this.cli('admin', 'mfa', 'settings', ...args);
  }
}

export function sleep(ms) {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

// ---- chromium ----------------------------------------------------------------------------------

export async function launch() {
  return chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
           '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
}

// A fresh browser profile (cookies, storage) on the server, recording CSP violations and page
// errors so that a test can require there were none.
export async function newContext(browser, server, options = {}) {
  const context = await browser.newContext({ ignoreHTTPSErrors: true, baseURL: server.origin, ...options });
  context.problems = [];
  context.on('page', (page) => watch(page, context.problems));
  return context;
}

function watch(page, problems) {
  page.on('console', (msg) => {
    if (/Content Security Policy|Refused to/i.test(msg.text())) problems.push(`CSP: ${msg.text()}`);
  });
  page.on('pageerror', (err) => problems.push(`page error: ${err.message}`));
}

export function assertNoProblems(context) {
  assert.deepEqual(context.problems, [], 'no CSP violations or uncaught errors in the page');
}

// JSON calls with the context's cookies (the same session as its pages), for assertions on the
// server's state.
export async function session(context) {
  const r = await context.request.get('/portal/api/session');
  assert.equal(r.status(), 200);
  return r.json();
}

// Every visible input, select and textarea of the page has a <label for> with text (or is
// inside one), and the page has exactly one h1.
export async function assertLabelled(page) {
  // The router changes the address first and renders after the page's own requests: wait for
  // the new page (its h1 and its fields arrive in one append).
  await page.locator('main h1').waitFor();
  const unlabelled = await page.evaluate(() => Array.from(document.querySelectorAll('input, select, textarea'))
    .filter((el) => el.type !== 'hidden' && !el.hidden)
    .filter((el) => !(el.labels && Array.from(el.labels).some((l) => l.textContent.trim())))
    .map((el) => el.outerHTML));
  assert.deepEqual(unlabelled, [], `inputs without a label on ${page.url()}`);
  assert.equal(await page.locator('h1').count(), 1, `one h1 on ${page.url()}`);
}

export async function focusedId(page) {
  return page.evaluate(() => document.activeElement?.id || document.activeElement?.tagName);
}

// The user-name and password steps through the UI; leaves the page wherever the server's next
// step leads (landing page, MFA challenge, registration, new password).
export async function enterPassword(page, userName, password) {
  await page.goto('/portal/signin');
  await page.getByLabel('User name').fill(userName);
  await page.getByRole('button', { name: 'Next' }).click();
  await page.waitForURL('**/portal/signin/password');
  await assertLabelled(page);
  await page.getByLabel('Password', { exact: true }).fill(password);
  await page.getByRole('button', { name: 'Sign in' }).click();
}

export async function signInPasswordOnly(page, userName, password) {
  await enterPassword(page, userName, password);
  await page.waitForURL((u) => u.pathname === '/portal/');
  await page.getByRole('heading', { level: 1, name: 'Your accounts and applications' }).waitFor();
}

export async function signOut(page) {
  await page.getByRole('button', { name: 'Sign out' }).click();
  await page.waitForURL('**/portal/signin?signedOut=1');
}

// ---- TOTP --------------------------------------------------------------------------------------

// RFC 6238 codes from oathtool. The server refuses a second code of a step it already accepted
// for a device, so each secret gets strictly increasing steps within its ±1 window (waiting for
// the next 30-second step only when the window is used up).
const lastStep = new Map();

export async function totpCode(secret) {
  const clean = secret.replace(/\s+/g, '');
  const now = () => Math.floor(Date.now() / 1000 / 30);
  let step = Math.max((lastStep.get(clean) ?? -Infinity) + 1, now());
  while (step > now() + 1) await sleep(500);
  lastStep.set(clean, step);
  const { stdout } = await run(OATHTOOL, ['--totp', '-b', '-N', `@${step * 30 + 1}`, clean]);
  return stdout.trim();
}

// ---- WebAuthn through chromium's virtual authenticator (DevTools WebAuthn domain) ---------------

export async function virtualAuthenticator(context, page) {
  const cdp = await context.newCDPSession(page);
  await cdp.send('WebAuthn.enable', { enableUI: false });
  const { authenticatorId } = await cdp.send('WebAuthn.addVirtualAuthenticator', {
    options: {
      protocol: 'ctap2', transport: 'usb', hasResidentKey: true, hasUserVerification: true,
      isUserVerified: true, automaticPresenceSimulation: true,
    },
  });
  return {
    cdp, authenticatorId,
    credentials: async () => (await cdp.send('WebAuthn.getCredentials', { authenticatorId })).credentials,
  };
}

// ---- setup through the sso-admin API -------------------------------------------------------------

// An account in the organization, a permission set and the user's assignment to both, through
// Atrium's org CLI and the AWS CLI v2 (as tests/integration/test_sso_admin_assignments.py does).
export async function assignAccount(server, user, { accountId, accountName, permissionSet, description }) {
  await server.cli('admin', 'org', 'register-account', '--id', accountId, '--name', accountName,
                   '--email', `${accountName}@example.com`);
  const instance = (await server.aws('sso-admin', 'list-instances')).Instances[0].InstanceArn;
  const ps = (await server.aws('sso-admin', 'create-permission-set', '--instance-arn', instance,
    '--name', permissionSet, '--description', description)).PermissionSet.PermissionSetArn;
  const created = await server.aws('sso-admin', 'create-account-assignment', '--instance-arn', instance,
    '--target-id', accountId, '--target-type', 'AWS_ACCOUNT', '--permission-set-arn', ps,
    '--principal-type', 'USER', '--principal-id', user.userId);
  const requestId = created.AccountAssignmentCreationStatus.RequestId;
  const deadline = Date.now() + 30000;
  for (;;) {
    const s = (await server.aws('sso-admin', 'describe-account-assignment-creation-status',
      '--instance-arn', instance, '--account-assignment-creation-request-id', requestId)).AccountAssignmentCreationStatus;
    if (s.Status !== 'IN_PROGRESS') {
      assert.equal(s.Status, 'SUCCEEDED', JSON.stringify(s));
      return { instance, permissionSetArn: ps };
    }
    assert.ok(Date.now() < deadline, 'assignment still IN_PROGRESS after 30 s');
    await sleep(200);
  }
}
