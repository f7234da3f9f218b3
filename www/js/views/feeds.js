// feeds.js — #/feeds: the signed-in user's calendar links (iCalendar feeds):
// what each one shows, when it was created and last fetched, and a revoke
// button. The links themselves are shown only once, at creation.
import { h, mount } from '../dom.js';
import { get, del } from '../api.js';
import { t, addStrings, fmtDateTime } from '../i18n.js';
import { subscribeBox } from '../components/subscribe.js';
import { prop } from '../schema.js';

addStrings({
  pl: {
    'feeds.title': 'Linki do kalendarzy',
    'feeds.lead': 'Każdy link pozwala aplikacji kalendarza pobierać rezerwacje bez logowania. Unieważnij link, którego już nie używasz lub który mógł wyciec — aplikacje przestaną go odświeżać.',
    'feeds.mine': 'Moje rezerwacje w kalendarzu',
    'feeds.none': 'Nie masz jeszcze żadnych linków. Utwórz je tutaj (moje rezerwacje) albo na stronie zasobu, laboratorium lub organizacji.',
    'feeds.what': 'Co pokazuje', 'feeds.created': 'Utworzony', 'feeds.used': 'Ostatnio pobrany', 'feeds.never': 'jeszcze nie',
    'feeds.revoke': 'Unieważnij', 'feeds.confirm': 'Unieważnić ten link?', 'feeds.yes': 'Tak, unieważnij', 'feeds.no': 'Nie',
    'feeds.revoked': 'Link unieważniony.',
    'feeds.scope.resource': 'Zasób', 'feeds.scope.lab': 'Laboratorium', 'feeds.scope.organisation': 'Organizacja', 'feeds.scope.user': 'Moje rezerwacje',
    'feeds.contents': 'Kalendarz zawiera rezerwacje zakończone w ciągu ostatnich {days} dni (lub tylu, ilu podasz przy tworzeniu linku) i wszystkie przyszłe; anulowane zostają jeszcze 30 dni jako „odwołane”, żeby aplikacje je usunęły. Nazwiska osób z innych organizacji widzą tylko opiekunowie zasobu i koordynatorzy.',
  },
  en: {
    'feeds.title': 'Calendar links',
    'feeds.lead': 'Each link lets a calendar app fetch bookings without signing in. Revoke a link you no longer use or that may have leaked — apps will stop refreshing it.',
    'feeds.mine': 'My bookings in my calendar',
    'feeds.none': 'You have no calendar links yet. Create one here (my bookings) or on a resource, lab or organisation page.',
    'feeds.what': 'Shows', 'feeds.created': 'Created', 'feeds.used': 'Last fetched', 'feeds.never': 'not yet',
    'feeds.revoke': 'Revoke', 'feeds.confirm': 'Revoke this link?', 'feeds.yes': 'Yes, revoke', 'feeds.no': 'No',
    'feeds.revoked': 'Link revoked.',
    'feeds.scope.resource': 'Resource', 'feeds.scope.lab': 'Lab', 'feeds.scope.organisation': 'Organisation', 'feeds.scope.user': 'My bookings',
    'feeds.contents': 'A calendar holds bookings that ended within the last {days} days (or as many as you choose when you create the link) and all future ones; cancelled ones stay 30 more days marked as cancelled so apps remove them. Names of people from other organisations are shown only to the resource’s owners and cluster staff.',
  },
});

const LINKS = { resource: '#/resources/', lab: '#/labs/', organisation: '#/organisations/' };

function target(f) {
  const label = f.scope === 'user' ? t('feeds.scope.user') : f.name || `#${f.scope_id}`;
  return LINKS[f.scope] ? h('a', { href: LINKS[f.scope] + f.scope_id }, label) : h('a', { href: '#/bookings' }, label);
}

function revokeCell(f, ctx) {
  const cell = h('td', { class: 'feed-actions' });
  const ask = () => {
    const yes = h('button', { type: 'button', class: 'btn small danger feed-revoke-yes' }, t('feeds.yes'));
    const no = h('button', { type: 'button', class: 'btn small secondary' }, t('feeds.no'));
    yes.addEventListener('click', async () => {
      yes.disabled = true;
      try {
        await del(`/api/v1/feeds/${f.id}`);
        ctx.toast(t('feeds.revoked'));
        ctx.rerender();
      } catch (e) {
        yes.disabled = false;
        ctx.toast(e.message, 'bad');
      }
    });
    no.addEventListener('click', () => { show(); });
    mount(cell, h('span', { class: 'feed-confirm' }, t('feeds.confirm')), ' ', yes, ' ', no);
    yes.focus();
  };
  const show = () => {
    const b = h('button', { type: 'button', class: 'btn small secondary feed-revoke', 'aria-label': `${t('feeds.revoke')}: ${t('feeds.scope.' + f.scope)} ${f.name || ''}` }, t('feeds.revoke'));
    b.addEventListener('click', ask);
    mount(cell, b);
  };
  show();
  return cell;
}

/** The user's links, or the text saying there are none. */
async function feedList(ctx) {
  const { items } = await get('/api/v1/feeds?limit=500');
  return items.length === 0
    ? h('p', { class: 'muted feeds-empty' }, t('feeds.none'))
    : h('div', { class: 'table-wrap' }, h('table', { class: 'feeds-table' },
      h('thead', {}, h('tr', {},
        h('th', { scope: 'col' }, t('feeds.what')), h('th', { scope: 'col' }, t('feeds.created')),
        h('th', { scope: 'col' }, t('feeds.used')), h('th', { scope: 'col' }, h('span', { class: 'vh' }, t('feeds.revoke'))))),
      h('tbody', {}, items.map((f) => h('tr', { dataset: { feed: f.id } },
        h('td', {}, f.scope === 'user' ? null : [h('span', { class: 'feed-scope' }, t('feeds.scope.' + f.scope)), ' '], target(f)),
        h('td', {}, fmtDateTime(f.created)),
        h('td', {}, f.last_used ? fmtDateTime(f.last_used) : t('feeds.never')),
        revokeCell(f, ctx))))));
}

export async function render(root, ctx) {
  const list = h('div', { class: 'feeds-list', 'aria-live': 'polite' }, await feedList(ctx));
  // A link made below joins the list at once (the link itself is shown
  // only once, in the box, so the page is not drawn again).
  const mine = subscribeBox('user', ctx.state.user.id, {
    onCreated: async () => { mount(list, await feedList(ctx)); },
  });
  mine.querySelector('h2').textContent = t('feeds.mine');
  root.append(
    h('section', { class: 'card feeds' },
      h('h1', {}, t('feeds.title')),
      h('p', { class: 'muted' }, t('feeds.lead')),
      list,
      h('p', { class: 'hint' }, t('feeds.contents', { days: prop('FeedRequestCreate', 'past_days').default }))),
    mine);
}
