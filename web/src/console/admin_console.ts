// The admin console's pages (docs/admin-console.md "Pages"), loaded on demand: the portal's
// users never download them (main.ts imports this module only on a /portal/console path).

import './console.css';

export { dashboardPage } from './dashboard';
export { groupPage, groupsPage } from './groups';
export { newUserPage, userPage, usersPage } from './users';
export { settingsPage } from './settings';
export { auditPage } from './audit';
export { accountPage, accountsPage } from './accounts';
export { newPermissionSetPage, permissionSetPage, permissionSetsPage } from './permission_sets';
export { applicationPage, applicationsPage } from './applications';
