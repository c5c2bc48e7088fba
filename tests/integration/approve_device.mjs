// Drives Debian's chromium (headless, playwright-core from web/node_modules) through Atrium's
// device verification page as a user would: opens the URL the AWS CLI printed, signs in with the
// portal's sign-in (user name, password, authenticator app code), checks that the page shows the
// code the CLI printed, and allows (or denies) the request. Used by test_cli_access.py.
//
//   node approve_device.mjs <url> <user> <password> <totp code> <expected user code> [allow|deny]
//
// Prints "approved" or "denied" and exits 0; any other outcome exits 1 with the reason.
import { launch } from '../browser/harness.mjs';

const [url, user, password, code, expected, decision = 'allow'] = process.argv.slice(2);
const browser = await launch();
let failed = null;
try {
  const context = await browser.newContext({ ignoreHTTPSErrors: true });
  const problems = [];
  const page = await context.newPage();
  page.on('console', (m) => { if (/Content Security Policy|Refused to/i.test(m.text())) problems.push(m.text()); });
  page.on('pageerror', (e) => problems.push(e.message));
  await page.goto(url);
  // Not signed in: the portal's own sign-in, then back to the device page.
  await page.waitForURL('**/portal/signin');
  await page.getByLabel('User name').fill(user);
  await page.getByRole('button', { name: 'Next' }).click();
  await page.waitForURL('**/portal/signin/password');
  await page.getByLabel('Password', { exact: true }).fill(password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.waitForURL('**/portal/signin/mfa');
  await page.getByLabel('Authenticator app code').fill(code);
  await page.getByRole('button', { name: 'Verify' }).click();
  await page.waitForURL((u) => u.pathname === '/portal/device');
  await page.getByRole('heading', { level: 1, name: 'Allow access?' }).waitFor();
  const shown = (await page.locator('#device-code').textContent()).trim();
  if (shown !== expected) throw new Error(`the page shows code ${shown}, the CLI printed ${expected}`);
  await page.getByRole('button', { name: decision === 'deny' ? 'Deny' : 'Allow', exact: true }).click();
  const outcome = decision === 'deny' ? 'Request denied' : 'Request approved';
  await page.getByRole('heading', { level: 1, name: outcome }).waitFor();
  if (problems.length) throw new Error(`problems in the page: ${problems.join('; ')}`);
  console.log(decision === 'deny' ? 'denied' : 'approved');
} catch (err) {
  failed = err;
} finally {
  await browser.close();
}
if (failed) {
  console.error(failed.stack || String(failed));
  process.exit(1);
}
