// The signed-in frame: the session check that every protected page starts with, the navigation
// with the sign-out button, and the sign-in workflow state carried between the sign-in steps.

import { api, setCsrfToken, describeError, NextStep, SessionInfo } from './api';
import { h, clear, append } from './dom';
import { navigate, PageContext } from './router';

// ---- signed-in pages ----------------------------------------------------------------------

// Resolves to the session, or navigates to the sign-in page and resolves to null.
export async function requireSession(ctx: PageContext): Promise<SessionInfo | null> {
  let s: SessionInfo;
  try {
    s = await api<SessionInfo>('GET', '/portal/api/session');
  } catch (err) {
    ctx.main.append(h('p', { class: 'error', role: 'alert' }, describeError(err)));
    return null;
  }
  if (ctx.stale()) return null;
  if (!s.signedIn) {
    setCsrfToken(null);
    showNav(null);
    // Back here after the sign-in (the device verification page keeps its code).
    saveReturn(location.pathname + location.search);
    await navigate('/portal/signin', true);
    return null;
  }
  setCsrfToken(s.csrfToken ?? null);
  showNav(s);
  return s;
}

export function showNav(s: SessionInfo | null): void {
  const nav = document.getElementById('site-nav') as HTMLElement;
  clear(nav);
  if (!s || !s.signedIn) {
    nav.hidden = true;
    return;
  }
  const here = location.pathname;
  const link = (href: string, text: string) =>
    h('li', {}, h('a', { href, 'aria-current': here === href ? 'page' : null }, text));
  const name = s.user?.displayName || s.user?.userName || '';
  append(nav,
    h('ul', {},
      link('/portal/', 'Accounts and applications'),
      link('/portal/devices', 'MFA devices'),
      link('/portal/change-password', 'Change password'),
      s.consoleAccess ? link('/portal/console', 'Admin console') : null),
    h('span', { class: 'user' }, 'Signed in as ', h('strong', {}, name)),
    h('button', { type: 'button', id: 'sign-out', onclick: () => void signOut() }, 'Sign out'));
  nav.hidden = false;
}

export async function signOut(): Promise<void> {
  try {
    await api('POST', '/portal/api/signout');
  } catch {
    // The session may have ended already; the sign-in page is the right place either way.
  }
  setCsrfToken(null);
  showNav(null);
  clearFlow();
  await navigate('/portal/signin?signedOut=1');
}

// ---- sign-in workflow ---------------------------------------------------------------------

// Kept in sessionStorage (this tab only, gone when it closes) so that a reload of a sign-in step
// keeps its place; it holds only the workflow id, the user name typed and the server's last step.
export interface Flow {
  workflowId: string;
  userName: string;
  step?: NextStep;
}

const FLOW_KEY = 'atrium.signin';
const RETURN_KEY = 'atrium.returnTo';

function portalPath(p: string | null): p is string {
  return !!p && /^\/portal\//.test(p) && !p.startsWith('//') && !p.startsWith('/portal/signin');
}

// Where the sign-in goes when it is done: the portal page that sent the user to sign in (the
// device verification page with its code, an application's SAML continue page), once; else the
// portal. Kept in sessionStorage (this tab only); only portal paths are saved and followed.
export function saveReturn(path: string): void {
  if (portalPath(path)) sessionStorage.setItem(RETURN_KEY, path);
}

export function takeReturnTo(): string | null {
  const to = sessionStorage.getItem(RETURN_KEY);
  sessionStorage.removeItem(RETURN_KEY);
  return portalPath(to) ? to : null;
}

export function loadFlow(): Flow | null {
  try {
    const raw = sessionStorage.getItem(FLOW_KEY);
    return raw ? (JSON.parse(raw) as Flow) : null;
  } catch {
    return null;
  }
}

export function saveFlow(f: Flow): void {
  sessionStorage.setItem(FLOW_KEY, JSON.stringify(f));
}

export function clearFlow(): void {
  sessionStorage.removeItem(FLOW_KEY);
}

// Moves to the page of the server's next step.
export async function followNext(step: NextStep): Promise<void> {
  const f = loadFlow();
  if (step.next === 'done') {
    clearFlow();
    setCsrfToken(step.csrfToken ?? null);
    // Back to where the sign-in was a detour from (an application's sign-in request, the device
    // verification page), if any.
    await navigate(takeReturnTo() ?? step.redirect ?? '/portal/', true);
    return;
  }
  if (f) saveFlow({ ...f, step });
  const pages: Record<string, string> = {
    'password': '/portal/signin/password',
    'mfa': '/portal/signin/mfa',
    'register-mfa': '/portal/signin/register-mfa',
    'new-password': '/portal/signin/new-password',
  };
  await navigate(pages[step.next] ?? '/portal/signin');
}

// A sign-in step page needs the workflow; without one (a bookmark, an old tab) start again.
export async function requireFlow(): Promise<Flow | null> {
  const f = loadFlow();
  if (f?.workflowId) return f;
  await navigate('/portal/signin', true);
  return null;
}
