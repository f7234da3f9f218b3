// routes.js — the front end's pages. Each entry maps a hash pattern to a view
// module exporting `render(root, ctx)`; `nav` puts it in the top menu for
// the given roles ('anon' = signed out, 'any' = any signed-in user).
export const routes = [
  { pattern: '#/', load: () => import('./views/home.js'), nav: { key: 'nav.home', roles: ['anon', 'any'] } },
  { pattern: '#/login', load: () => import('./views/login.js'), public: true },
];
