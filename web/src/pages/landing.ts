// The portal landing page: the user's AWS accounts, each expandable to its permission sets shown
// as roles, and the user's applications, with one search box filtering both (the guide's "How to
// search for an AWS account or application").

import { api, Account, Application, PortalListing, describeError } from '../api';
import { openConsole } from '../console';
import { openStartUrl, postToPortal } from '../saml';
import { h, field, errorRegion, statusRegion, heading, append, clear } from '../dom';
import { PageContext } from '../router';
import { requireSession } from '../session';
import { openCredentialsDialog } from './credentials';

export async function landingPage(ctx: PageContext): Promise<void> {
  const session = await requireSession(ctx);
  if (!session || ctx.stale()) return;
  const error = errorRegion();
  const status = statusRegion();
  const search = field('portal-search', 'Search accounts and applications', {
    type: 'search', required: false, autocomplete: 'off',
    hint: 'Account name, account ID, e-mail, role or application name.',
  });
  const accounts = h('ul', { class: 'accounts', id: 'account-list' });
  const applications = h('ul', { class: 'applications', id: 'application-list' });
  const accountsTitle = h('h2', { id: 'accounts-title' }, 'AWS accounts');
  const appsTitle = h('h2', { id: 'applications-title' }, 'Applications');
  append(ctx.main, heading('Your accounts and applications'), error,
    h('form', { role: 'search', class: 'search', onsubmit: (e: Event) => e.preventDefault() }, search.wrapper),
    status,
    h('section', { 'aria-labelledby': 'accounts-title' }, accountsTitle, accounts),
    h('section', { 'aria-labelledby': 'applications-title' }, appsTitle, applications));

  let listing: PortalListing;
  try {
    listing = await api<PortalListing>('GET', '/portal/api/portal/accounts');
  } catch (err) {
    error.textContent = describeError(err);
    return;
  }
  if (ctx.stale()) return;
  const accountItems = (listing.accounts ?? []).map((a, i) => accountItem(a, i, error));
  const appItems = (listing.applications ?? []).map((a) => applicationItem(a, error));
  const apply = () => {
    const q = search.input.value.trim().toLowerCase();
    const shownAccounts = filter(accounts, accountItems, q, 'No accounts match your search.', 'You have no AWS accounts assigned.');
    const shownApps = filter(applications, appItems, q, 'No applications match your search.', 'You have no applications assigned.');
    accountsTitle.textContent = `AWS accounts (${shownAccounts})`;
    appsTitle.textContent = `Applications (${shownApps})`;
    status.textContent = q ? `${shownAccounts} accounts and ${shownApps} applications match "${search.input.value.trim()}".` : '';
  };
  search.input.addEventListener('input', apply);
  apply();
}

interface Item {
  li: HTMLLIElement;
  text: string;  // lower-cased words the search matches
}

function filter(list: HTMLElement, items: Item[], q: string, noMatch: string, none: string): number {
  clear(list);
  const shown = items.filter((i) => !q || i.text.includes(q));
  for (const i of shown) list.append(i.li);
  if (!shown.length) list.append(h('li', { class: 'empty' }, items.length ? noMatch : none));
  return shown.length;
}

function accountItem(a: Account, index: number, error: HTMLElement): Item {
  const rolesId = `account-roles-${index}`;
  const roles = a.roles ?? [];
  const toggle = h('button', { type: 'button', class: 'account-toggle', 'aria-expanded': 'false', 'aria-controls': rolesId },
    h('span', { class: 'account-name' }, a.accountName),
    h('span', { class: 'account-meta' }, `#${a.accountId}`, a.email ? ` | ${a.email}` : ''));
  const roleList = h('ul', { class: 'roles', id: rolesId, hidden: true, 'aria-label': `Roles in ${a.accountName}` },
    ...(roles.length
      ? roles.map((r) => h('li', { class: 'role' },
          h('span', { class: 'role-name' }, r.permissionSetName),
          r.description ? h('span', { class: 'role-description' }, ` - ${r.description}`) : null,
          consoleButton(a, r.permissionSetName, error),
          credentialsButton(a, r.permissionSetName)))
      : [h('li', { class: 'empty' }, 'No roles.')]));
  toggle.addEventListener('click', () => {
    const open = toggle.getAttribute('aria-expanded') === 'true';
    toggle.setAttribute('aria-expanded', String(!open));
    roleList.hidden = open;
  });
  const words = [a.accountName, a.accountId, a.email ?? '', ...roles.map((r) => r.permissionSetName)];
  return { li: h('li', { class: 'account' }, toggle, roleList), text: words.join(' ').toLowerCase() };
}

// "Management console" for one role: the browser leaves the portal for the AWS console.
function consoleButton(a: Account, roleName: string, error: HTMLElement): HTMLButtonElement {
  const b = h('button', {
    type: 'button', class: 'console-link',
    // The account's id, not its name: the account's own toggle button is the one named after it.
    'aria-label': `Management console: ${roleName} in account ${a.accountId}`,
  }, 'Management console');
  b.addEventListener('click', async () => {
    error.textContent = '';
    b.disabled = true;
    try {
      await openConsole(a.accountId, roleName);
    } catch (err) {
      error.textContent = describeError(err);
    } finally {
      b.disabled = false;  // the form is on its way; back in the portal (bfcache) it works again
    }
  });
  return b;
}

// A tile: the icon and name as one button. "saml" tiles go through the portal's page that posts
// the Response to the application (IdP-initiated); "start-url" tiles open the application start URL.
function applicationItem(app: Application, error: HTMLElement): Item {
  const name = app.displayName || app.name || app.id || 'Application';
  const icon = app.iconUrl && /^\/saml\/icons\//.test(app.iconUrl)
    ? h('img', { class: 'application-icon', src: app.iconUrl, alt: '', width: 32, height: 32 })
    : h('span', { class: 'application-icon placeholder', 'aria-hidden': 'true' }, name.slice(0, 1).toUpperCase());
  const open = h('button', { type: 'button', class: 'application-open', 'data-application-id': app.id ?? '' },
    icon, h('span', { class: 'application-name' }, name));
  open.addEventListener('click', () => launch(app, open, error));
  const li = h('li', { class: 'application' }, open,
    app.description ? h('span', { class: 'application-description' }, ` - ${app.description}`) : null);
  return { li, text: [name, app.description ?? ''].join(' ').toLowerCase() };
}

// The guide's "Command line or programmatic access" link of a role (pages/credentials.ts).
function credentialsButton(a: Account, roleName: string): HTMLButtonElement {
  const b = h('button', { type: 'button', class: 'link', 'aria-label': `Command line or programmatic access for ${roleName} in ${a.accountName}` },
    'Command line or programmatic access');
  b.addEventListener('click', () => openCredentialsDialog(a.accountId, a.accountName, roleName, b));
  return b;
}

function launch(app: Application, button: HTMLButtonElement, error: HTMLElement): void {
  if (!app.id || button.disabled) return;
  error.textContent = '';
  try {
    if (app.launch === 'start-url' && app.url) openStartUrl(app.url);
    else postToPortal(`/portal/saml/launch/${encodeURIComponent(app.id)}`, {});
  } catch (err) {
    error.textContent = describeError(err);
  }
}
