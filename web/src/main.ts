// Entry point: the routes of docs/sign-in.md ("UI routes") and the router start.

import './style.css';
import './cli.css';
import { h, heading, append } from './dom';
import { Page, PageContext, route, setNotFound, start } from './router';
import { authorizePage } from './pages/authorize';
import { devicePage } from './pages/device';
import { devicesPage } from './pages/devices';
import { landingPage } from './pages/landing';
import { mfaPage, registerMfaPage } from './pages/mfa';
import { changePasswordPage, forgotPasswordPage, newPasswordPage, setPasswordPage } from './pages/password';
import { passwordPage, signinPage } from './pages/signin';
import { samlContinuePage } from './pages/saml';

route('/portal/', landingPage);
route('/portal/signin', signinPage);
route('/portal/signin/password', passwordPage);
route('/portal/signin/mfa', mfaPage);
route('/portal/signin/register-mfa', registerMfaPage);
route('/portal/signin/new-password', newPasswordPage);
route('/portal/forgot-password', forgotPasswordPage);
route('/portal/set-password', setPasswordPage);
route('/portal/change-password', changePasswordPage);
route('/portal/devices', devicesPage);
// Command-line access (docs/cli.md): the device verification page and the code flow's consent.
route('/portal/device', devicePage);
route('/portal/authorize', authorizePage);
route('/portal/saml/continue', samlContinuePage);
// The admin console (docs/admin-console.md): its own chunk, fetched on the first console page.
type ConsolePages = typeof import('./console/admin_console');
function consolePage(pick: (m: ConsolePages) => Page): Page {
  return async (ctx: PageContext) => pick(await import('./console/admin_console'))(ctx);
}
route('/portal/console', consolePage((m) => m.dashboardPage));
route('/portal/console/users', consolePage((m) => m.usersPage));
route('/portal/console/users/new', consolePage((m) => m.newUserPage));
route('/portal/console/user', consolePage((m) => m.userPage));
route('/portal/console/groups', consolePage((m) => m.groupsPage));
route('/portal/console/group', consolePage((m) => m.groupPage));
route('/portal/console/accounts', consolePage((m) => m.accountsPage));
route('/portal/console/account', consolePage((m) => m.accountPage));
route('/portal/console/permission-sets', consolePage((m) => m.permissionSetsPage));
route('/portal/console/permission-sets/new', consolePage((m) => m.newPermissionSetPage));
route('/portal/console/permission-set', consolePage((m) => m.permissionSetPage));
route('/portal/console/applications', consolePage((m) => m.applicationsPage));
route('/portal/console/application', consolePage((m) => m.applicationPage));
route('/portal/console/settings', consolePage((m) => m.settingsPage));
route('/portal/console/audit', consolePage((m) => m.auditPage));
setNotFound(({ main }) => {
  append(main, heading('Page not found'),
    h('p', {}, 'There is no such page in the portal. ', h('a', { href: '/portal/' }, 'Go to the portal')));
});

start();
