// routes.js — the front end's pages. Each entry maps a hash pattern to a view
// module exporting `render(root, ctx)`; `nav` puts it in the top menu for
// the given roles ('anon' = signed out, 'any' = any signed-in user). The
// first matching pattern wins, so 'new' comes before ':id'.
export const routes = [
  { pattern: '#/', load: () => import('./views/home.js'), nav: { key: 'nav.home', roles: ['anon', 'any'] } },
  { pattern: '#/login', load: () => import('./views/login.js'), public: true },
  // accounts people get on their own (pages reached from e-mailed links)
  { pattern: '#/reset', load: () => import('./views/reset.js'), public: true },
  { pattern: '#/reset/:token', load: () => import('./views/reset.js'), public: true },
  { pattern: '#/register', load: () => import('./views/register.js'), public: true },
  { pattern: '#/verify/:token', load: () => import('./views/register.js'), public: true },
  { pattern: '#/invitation/:token', load: () => import('./views/invitation.js'), public: true },
  // catalogue (browse)
  { pattern: '#/catalogue', load: () => import('./views/catalogue.js'), nav: { key: 'nav.catalogue', roles: ['any'] } },
  { pattern: '#/organisations/:id', load: () => import('./views/organisation.js') },
  { pattern: '#/labs/:id/week', load: () => import('./views/lab-week.js') },
  { pattern: '#/labs/:id', load: () => import('./views/lab.js') },
  { pattern: '#/resources/:id', load: () => import('./views/resource.js') },
  // bookings
  { pattern: '#/book/:id', load: () => import('./views/book.js') },
  { pattern: '#/bookings', load: () => import('./views/bookings.js'), nav: { key: 'nav.bookings', roles: ['any'] } },
  { pattern: '#/bookings/:id', load: () => import('./views/booking.js') },
  { pattern: '#/inbox', load: () => import('./views/inbox.js'), nav: { key: 'nav.inbox', roles: ['owner', 'staff'] } },
  // catalogue (manage: owners and staff)
  { pattern: '#/manage', load: () => import('./views/manage.js'), nav: { key: 'nav.manage', roles: ['owner', 'staff'] } },
  { pattern: '#/manage/organisations/new', load: () => import('./views/organisation-edit.js') },
  { pattern: '#/manage/organisations/:id', load: () => import('./views/organisation-edit.js') },
  { pattern: '#/manage/labs/new', load: () => import('./views/lab-edit.js') },
  { pattern: '#/manage/labs/:id', load: () => import('./views/lab-edit.js') },
  { pattern: '#/manage/resources/new', load: () => import('./views/resource-edit.js') },
  { pattern: '#/manage/resources/:id', load: () => import('./views/resource-edit.js') },
  { pattern: '#/manage/services/new', load: () => import('./views/service-edit.js') },
  { pattern: '#/manage/services/:id', load: () => import('./views/service-edit.js') },
  // statistics
  { pattern: '#/dashboard', load: () => import('./views/dashboard.js'), nav: { key: 'nav.dashboard', roles: ['owner', 'staff'] } },
  { pattern: '#/statements', load: () => import('./views/statements.js'), nav: { key: 'nav.statements', roles: ['owner', 'staff'] } },
  // accounts
  { pattern: '#/profile', load: () => import('./views/profile.js') },
  { pattern: '#/feeds', load: () => import('./views/feeds.js') },
  { pattern: '#/admin/users', load: () => import('./views/users.js'), nav: { key: 'nav.admin', roles: ['staff'] } },
  { pattern: '#/admin/audit', load: () => import('./views/audit.js') },
  { pattern: '#/admin/sign-in', load: () => import('./views/signin-settings.js') },
  { pattern: '#/invite', load: () => import('./views/invitation.js'), nav: { key: 'nav.invite', roles: ['owner'] } },
];
