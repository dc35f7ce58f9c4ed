// End-to-end test that the leaver pages work without JavaScript, at 320 px
// wide, and by keyboard alone, in a real headless Chromium. Run it with
// run.sh, which builds and starts a server and sets:
//
//   SATCHEL_URL                       the server, e.g. http://127.0.0.1:8080
//   SATCHEL_ACCESS_LEAVER_USERNAME    a leaver account of this test alone,
//   SATCHEL_ACCESS_LEAVER_PASSWORD    display name "Ali Example"
//
// and those of browser.mjs (the browser, where screenshots go).
//
// The other tests run at the same time against the same server with their
// own accounts, so this one has its own leaver ("ali"). It makes no wrong
// sign-in attempt (the server slows down sign-ins from an address after 5
// failures, and pages.test.mjs makes 4): the keyboard test checks what it
// typed before it presses "Sign in".
//
// 1. Without JavaScript, at 320 px wide: the leaver signs in, sees every
//    link of the navigation (with JavaScript off GOV.UK's service navigation
//    shows its list, not a "Menu" button), adds a document and an address,
//    shares their current address ("Which addresses?", revealed by script
//    when "Where I have lived" is ticked, must be shown anyway), gets the
//    link and the QR code, sees no button that needs script ("Copy link",
//    "Print"), opens "Print this page", and withdraws the share. Every page
//    is checked with axe-core as it is without script, and must not scroll
//    sideways.
//
// 2. By keyboard alone, with JavaScript, at 320 px wide: from the sign-in
//    page the leaver signs in and shares their current address up to "Your
//    link is ready" with page.keyboard only (Tab, Shift+Tab, Enter, Space,
//    arrows, typing; no clicks, no fill or check). On each page the first
//    Tab must reach "Skip to main content", and Enter on it must move the
//    focus to the main content. Every control the focus reaches, on the way
//    or as a target, must show where the focus is: its look (or its label's,
//    or their ::before/::after, where GOV.UK draws the ring of radios and
//    checkboxes) must change when it gets the focus, to GOV.UK's yellow focus
//    colour or a visible outline, and it must be on the screen.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';

import { checkA11y, withoutScriptAxe, NARROW } from './axe.mjs';
import {
  BASE, env, EVERY_SCREENSHOT, launch, keeper,
  squash, h1, label, mainText, expectH1, expectText, errorSummary, navigation, follow, nav, press, answerAddressQuestions,
} from './browser.mjs';

const ALI = {
  username: env('SATCHEL_ACCESS_LEAVER_USERNAME'),
  password: env('SATCHEL_ACCESS_LEAVER_PASSWORD'),
  name: 'Ali Example',
};

const PHOTO = fileURLToPath(new URL('../examples/pod/documents/id-card.png', import.meta.url));
const THIS_YEAR = new Date().getFullYear();
const NARROW_VIEWPORT = { width: NARROW, height: 800 };

// Ali's current address: test 1 adds it; test 2 adds it too if test 1 did
// not get that far.
const HOME = {
  line1: '7 Quay Street',
  town: 'Hull',
  postcode: 'HU1 1AA',
  movedIn: { month: 6, year: THIS_YEAR - 2 },
  kind: 'A home I rent or own',
};

// The links the navigation has for a leaver.
const NAV_LINKS = ['My things', 'Share', 'My shares', 'Who has looked', 'Helpers', 'My data', 'Sign out'];

const { keep, keepAll } = keeper('access');

// steps returns step(name, fn): a sub-test of t that runs only if the ones
// before it passed, and keeps screenshots of pages() when it fails.
function steps(t, pages) {
  let failed = '';
  return (name, fn) =>
    t.test(name, async (st) => {
      if (failed) {
        st.skip(`an earlier step failed: ${failed}`);
        return;
      }
      try {
        await fn();
      } catch (err) {
        failed = name;
        await keepAll(pages(), `failed-${name}`);
        throw err;
      }
    });
}

// checkPage fails if the browser saw a problem (a bad
// Content-Security-Policy, a console or script error: see browser.mjs). With
// {noScript: true} (a browser context without JavaScript) it fails if the
// page's script ran, runs axe-core on the page as it is, and fails if it
// scrolls sideways.
async function checkPage(session, page, name, { noScript = false } = {}) {
  const problems = session.takeProblems();
  if (problems.length) throw new Error(`problems seen by the browser:\n  ${problems.join('\n  ')}`);
  if (noScript) {
    const ran = await page.evaluate(() => document.body.classList.contains('js-enabled'));
    assert.equal(ran, false, `the page's script ran on ${name} (${page.url()}) although the browser context has JavaScript off`);
    await withoutScriptAxe(page);
    await checkA11y(page, name);
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
    assert.ok(overflow <= 0, `${name} (${page.url()}) scrolls sideways by ${overflow}px at ${page.viewportSize().width}px wide`);
  }
  if (EVERY_SCREENSHOT) await keep(page, name);
}

async function signIn(page, who) {
  await page.goto(`${BASE}/`);
  await follow(page, 'Sign in');
  await label(page, 'Username').fill(who.username);
  await label(page, 'Password').fill(who.password);
  await press(page, 'Sign in');
  await expectH1(page, 'My things');
}

// addAddress goes from "Where I have lived" through the one-question-a-page
// address pages (see answerAddressQuestions) and saves it. check(name)
// checks each page.
async function addAddress(page, a, check = async () => {}) {
  await follow(page, /^Add (an|another) address$/);
  await answerAddressQuestions(page, a, check);
  await press(page, 'Save address');
  await expectText(page, a.line1);
}

// expectQR fails unless the page shows a QR code image that has loaded.
async function expectQR(page) {
  const qr = page.getByRole('img', { name: /QR code/ }).first();
  try {
    await qr.waitFor();
  } catch {
    throw new Error(`no QR code image on ${page.url()} (h1 "${await h1(page)}")`);
  }
  // The page has loaded (navigation waits for it), and its images with it.
  const width = await qr.evaluate((img) => (img.complete ? img.naturalWidth : 0));
  assert.ok(width > 0, `the QR code image ${await qr.getAttribute('src')} on ${page.url()} did not load`);
}

// expectHiddenButton fails if a button called name is shown: one that
// needs script, which must stay hidden when there is none.
async function expectHiddenButton(page, name) {
  const buttons = page.locator('button').filter({ hasText: name });
  for (let i = 0; i < (await buttons.count()); i++) {
    assert.ok(
      !(await buttons.nth(i).isVisible()),
      `the "${name}" button on ${page.url()} (h1 "${await h1(page)}") is shown without JavaScript, but it only works with script: it must stay hidden until script shows it`,
    );
  }
}

// sectionText is the text after the h2 called heading in the page's main
// content, up to the next h2.
async function sectionText(page, heading) {
  return page.evaluate((want) => {
    const clean = (s) => s.replace(/\s+/g, ' ').trim();
    const h = [...document.querySelectorAll('main h2')].find((e) => clean(e.textContent) === want);
    if (!h) return null;
    const out = [];
    for (let n = h.nextElementSibling; n && n.tagName !== 'H2'; n = n.nextElementSibling) out.push(n.innerText);
    return clean(out.join(' '));
  }, heading);
}

// ---- 1. without JavaScript -------------------------------------------------

test('without JavaScript, at 320 px wide, a leaver adds things, shares their current address and withdraws it', { timeout: 90_000 }, async (t) => {
  const session = await launch();
  t.after(() => session.close());
  const context = await session.newContext('leaver without JavaScript', { javaScriptEnabled: false, viewport: NARROW_VIEWPORT });
  const page = await context.newPage();
  const check = (name) => checkPage(session, page, `${name} (no JavaScript)`, { noScript: true });
  const step = steps(t, () => ({ 'no JavaScript': page }));
  const recipient = 'Oak Lettings';

  await step('1. signs in, and sees every link of the navigation without a "Menu" button', async () => {
    await page.goto(`${BASE}/`);
    await check('the start page');
    await follow(page, 'Sign in');
    await check('the sign-in page');
    await label(page, 'Username').fill(ALI.username);
    await label(page, 'Password').fill(ALI.password);
    await press(page, 'Sign in');
    await expectH1(page, 'My things');
    await check('My things');

    const menu = page.locator('header').getByRole('button', { name: 'Menu' });
    assert.equal(await menu.count(), 0, `the "Menu" button of the navigation is shown at ${NARROW}px without JavaScript, where it cannot open anything`);
    const links = page.locator('header nav a');
    const names = [];
    for (let i = 0; i < (await links.count()); i++) {
      const link = links.nth(i);
      const name = squash(await link.innerText().catch(() => '')) || squash(await link.textContent());
      names.push(name);
      assert.ok(await link.isVisible(), `the navigation link "${name}" is hidden at ${NARROW}px without JavaScript, and there is no working "Menu" button to show it`);
      const box = await link.boundingBox();
      assert.ok(box && box.x >= 0 && box.x + box.width <= NARROW + 1, `the navigation link "${name}" is not within the ${NARROW}px wide page: ${JSON.stringify(box)}`);
    }
    for (const want of NAV_LINKS) {
      assert.ok(names.includes(want), `no "${want}" link in the navigation at ${NARROW}px without JavaScript; links shown: ${JSON.stringify(names)}`);
    }
  });

  await step('2. adds a photo of a document', async () => {
    await follow(page, 'Add a document');
    await check('add a document');
    await label(page, 'What is it called?').fill('Photo of my ID card');
    await page.getByLabel(/^Proof of who I am/).check();
    await page.getByLabel('Take a photo or choose a file').setInputFiles(PHOTO);
    await press(page, 'Save');
    await expectH1(page, 'My things');
    await expectText(page, 'Photo of my ID card');
    await check('My things with a document');
  });

  await step('3. adds their current address, one question a page', async () => {
    await follow(page, 'Where I have lived');
    await check('Where I have lived');
    await addAddress(page, HOME, check);
    await check('Where I have lived with an address');
  });

  await step('4. shares their current address: "Which addresses?" is shown without script', async () => {
    await nav(page, 'Share');
    await expectH1(page, 'What do you want to share?');
    await label(page, 'Where I have lived').check();
    const which = page.getByRole('group', { name: 'Which addresses?' });
    assert.ok(
      await which.isVisible(),
      '"Which addresses?" (web/templates/share-step.html, #conditional-part) is hidden without JavaScript after ticking "Where I have lived", so its radios cannot be answered',
    );
    for (const option of ['Current address only', 'All addresses']) {
      assert.ok(await which.locator('label').filter({ hasText: option }).isVisible(), `the "${option}" radio of "Which addresses?" is hidden without JavaScript`);
    }
    await label(page, 'Current address only').check();
    await check('share: what');
    await press(page, 'Continue');

    await expectH1(page, 'Who are you sharing with?');
    await label(page, 'Their name').fill(recipient);
    await label(page, 'Landlord or letting agent').check();
    await check('share: who');
    await press(page, 'Continue');

    await expectH1(page, 'Why are you sharing?');
    await label(page, 'To apply for a tenancy').check();
    await check('share: why');
    await press(page, 'Continue');

    await expectH1(page, 'How long can they see it?');
    await label(page, '1 week').check();
    await check('share: how long');
    await press(page, 'Continue');

    await expectH1(page, `This is what ${recipient} will see`);
    const preview = page.getByRole('region', { name: /./ }).filter({ hasText: HOME.line1 });
    assert.ok(await preview.count(), `the check page ${page.url()} shows no preview with "${HOME.line1}": ${await mainText(page)}`);
    assert.ok(await preview.first().isVisible(), 'the preview on the check page is hidden without JavaScript');
    await check('share: check');
    await press(page, 'Share now');
  });

  await step('5. gets the link and the QR code, no button that needs script, and a "Print this page" that works', async () => {
    await expectH1(page, 'Your link is ready');
    const link = await label(page, 'Link').inputValue();
    assert.match(link, /^https?:\/\//, `the "Link" box holds "${link}", not a web address`);
    await expectQR(page);
    await expectHiddenButton(page, 'Copy link');
    await expectHiddenButton(page, 'Print');
    await check('share: the link');

    await follow(page, 'Print this page');
    await expectH1(page, `Documents shared with ${recipient}`);
    await expectQR(page);
    await expectText(page, link);
    await expectHiddenButton(page, 'Print');
    await check('share: print this page');
    await follow(page, 'Back');
    await expectH1(page, 'Your link is ready');
  });

  await step('6. withdraws the share', async () => {
    await nav(page, 'My shares');
    await check('My shares');
    assert.ok((await sectionText(page, 'Who can see your things now'))?.includes(recipient), `${recipient} is not under "Who can see your things now" on My shares`);
    await follow(page, /^Withdraw/);
    await expectH1(page, 'Are you sure you want to withdraw this share?');
    await check('withdraw: are you sure');
    await press(page, 'Yes, withdraw it');
    const ended = await sectionText(page, 'Withdrawn or ended');
    assert.ok(ended?.includes(recipient), `after withdrawing, ${recipient} is not under "Withdrawn or ended" on ${page.url()}: ${await mainText(page)}`);
    assert.ok(!(await sectionText(page, 'Who can see your things now'))?.includes(recipient), `after withdrawing, ${recipient} is still under "Who can see your things now"`);
    await check('My shares after withdrawing');
  });
});

// ---- 2. by keyboard alone ------------------------------------------------

// inPage runs in the page (page.evaluate) and looks at the focus.
//
//   'snapshot' notes how every element that can have the focus, but has not,
//   looks now (before a key press).
//   'focused' describes document.activeElement: tag, id, type, name (its
//   label, text or aria-label), checked, href; whether it is on the screen;
//   and how its look changed from the snapshot, with indicator true if the
//   change shows the focus (GOV.UK's yellow focus colour, or an outline).
function inPage(mode) {
  const PROPS = [
    'outline-style', 'outline-width', 'outline-color', 'outline-offset', 'box-shadow', 'background-color', 'color',
    'text-decoration-line', 'text-decoration-thickness', 'border-top-width', 'border-top-color',
    'border-bottom-width', 'border-bottom-color', 'clip', 'clip-path', 'position', 'width', 'height',
  ];
  const YELLOW = 'rgb(255, 221, 0)';
  const FOCUSABLE = 'a[href], button, input:not([type="hidden"]), select, textarea, summary, [tabindex]';
  const clean = (s) => (s || '').replace(/\s+/g, ' ').trim();
  const look = (el) => {
    const out = {};
    const parts = [['', el]];
    for (const l of el.labels || []) parts.push(['label', l]);
    for (const [what, node] of parts) {
      for (const pseudo of ['', '::before', '::after']) {
        const cs = getComputedStyle(node, pseudo || null);
        if (pseudo && (cs.content === 'none' || cs.content === 'normal')) continue;
        for (const p of PROPS) out[`${what}${pseudo} ${p}`.trim()] = cs.getPropertyValue(p);
      }
    }
    return out;
  };
  const el = document.activeElement;
  if (mode === 'snapshot') {
    const seen = new WeakMap();
    for (const e of document.querySelectorAll(FOCUSABLE)) if (e !== el) seen.set(e, look(e));
    window.__satchelUnfocused = seen;
    return null;
  }
  if (!el || el === document.body || el === document.documentElement) {
    return { tag: 'body', id: '', name: '', label: '(nothing: the focus left the page content)', onScreen: true, indicator: true, changes: [] };
  }
  let name = el.getAttribute('aria-label') || '';
  if (!name && el.getAttribute('aria-labelledby')) {
    name = el.getAttribute('aria-labelledby').split(/\s+/).map((id) => document.getElementById(id)?.textContent || '').join(' ');
  }
  if (!name && el.labels && el.labels.length) name = [...el.labels].map((l) => l.textContent).join(' ');
  if (!name && ['A', 'BUTTON', 'SUMMARY'].includes(el.tagName)) name = el.textContent;
  if (!name && el.tagName === 'MAIN') name = '(main content)';
  name = clean(name);
  const tag = el.tagName.toLowerCase();
  const type = el.getAttribute('type') || '';
  const id = el.id || '';
  const label = `<${tag}${id ? ` id="${id}"` : ''}${type ? ` type="${type}"` : ''}${el.className && typeof el.className === 'string' ? ` class="${el.className}"` : ''}> "${name}"`;
  const r = el.getBoundingClientRect();
  const onScreen = r.width > 0 && r.height > 0 && r.bottom > 0 && r.right > 0 && r.top < innerHeight && r.left < innerWidth;
  const before = window.__satchelUnfocused?.get(el);
  const after = look(el);
  const changes = [];
  if (before) {
    for (const k of new Set([...Object.keys(before), ...Object.keys(after)])) {
      if (before[k] !== after[k]) changes.push(`${k}: ${before[k] ?? '(none)'} → ${after[k] ?? '(none)'}`);
    }
  }
  const outlined = Object.keys(after).some((k) => {
    if (!k.endsWith(' outline-style') && k !== 'outline-style') return false;
    const base = k.slice(0, -'outline-style'.length);
    return after[k] !== 'none' && parseFloat(after[`${base}outline-width`]) >= 2 &&
      !/rgba\(.*, 0\)$/.test(after[`${base}outline-color`]) && before && before[k] !== after[k];
  });
  const yellow = changes.some((c) => c.split(' → ')[1].includes(YELLOW));
  return {
    tag, id, type, name, label,
    checked: 'checked' in el ? el.checked : undefined,
    expanded: el.getAttribute('aria-expanded'),
    value: 'value' in el && tag !== 'button' ? el.value : undefined,
    onScreen, rect: [r.x, r.y, r.width, r.height].map(Math.round),
    snapshot: Boolean(before), changes, indicator: Boolean(before) && changes.length > 0 && (yellow || outlined),
  };
}

// A Keyboard drives one page with page.keyboard alone, and collects the
// controls whose focus cannot be seen (they are reported at the end of each
// step, all together, so that one does not hide the next).
class Keyboard {
  constructor(page) {
    this.page = page;
    this.focusProblems = [];
    this.stops = 0;
  }

  // focused describes the element with the focus (see inPage).
  focused() {
    return this.page.evaluate(inPage, 'focused');
  }

  // key presses key (e.g. 'Tab', 'Shift+Tab', 'ArrowDown') that moves the
  // focus, checks that the focus can be seen where it lands, and returns
  // what has it.
  async key(key) {
    await this.page.evaluate(inPage, 'snapshot');
    await this.page.keyboard.press(key);
    const f = await this.focused();
    if (f.tag !== 'body') {
      this.stops++;
      const where = `on ${this.page.url()} (h1 "${await h1(this.page)}"), ${f.label}`;
      if (!f.onScreen) this.focusProblems.push(`${where} has the focus after ${key} but is not on the screen (box ${JSON.stringify(f.rect)})`);
      if (!f.indicator) {
        this.focusProblems.push(
          `${where} shows no focus indicator after ${key}: ` +
            (f.snapshot
              ? f.changes.length
                ? `its look changes (${f.changes.join('; ')}) but not to the yellow focus colour nor a visible outline`
                : 'its outline, box-shadow, background, colour, border and text decoration (and its label\'s, and their ::before/::after) look the same with and without the focus'
              : 'it could not be compared (it was not on the page, or had the focus, before the key press)'),
        );
      }
    }
    return f;
  }

  // tabTo presses Tab (or Shift+Tab, with back) until the focus is on the
  // element that want matches: a string (its whole name), a RegExp (of its
  // name) or a function of what inPage says about it. It fails after 60
  // presses, or if the focus leaves the page, listing where the focus went.
  async tabTo(want, { back = false, max = 60 } = {}) {
    const matches = typeof want === 'function' ? want : typeof want === 'string' ? (f) => f.name === want : (f) => want.test(f.name);
    const visited = [];
    for (let i = 0; i < max; i++) {
      const f = await this.key(back ? 'Shift+Tab' : 'Tab');
      visited.push(f.label);
      if (matches(f)) return f;
      if (f.tag === 'body' && visited.length > 1 && visited.at(-2) === f.label) break; // left the page: it went round
    }
    throw new Error(
      `could not reach ${String(want)} with ${back ? 'Shift+Tab' : 'Tab'} on ${this.page.url()} (h1 "${await h1(this.page)}") ` +
        `after ${visited.length} presses; the focus went to:\n    ${visited.join('\n    ')}`,
    );
  }

  // skipLink checks, on a page just loaded, that the first Tab goes to
  // "Skip to main content" and that Enter on it moves the focus to the main
  // content. If the page put the focus somewhere itself (GOV.UK does, on an
  // error summary or a success banner), it says so instead.
  async skipLink() {
    const start = await this.focused();
    if (start.tag !== 'body') return `the page put the focus on ${start.label} itself`;
    const first = await this.key('Tab');
    assert.equal(first.name, 'Skip to main content', `the first Tab on ${this.page.url()} (h1 "${await h1(this.page)}") went to ${first.label}, not "Skip to main content"`);
    await this.page.keyboard.press('Enter');
    const main = await this.focused();
    assert.ok(
      main.tag === 'main' && main.id === 'main-content',
      `Enter on "Skip to main content" on ${this.page.url()} moved the focus to ${main.label}, not <main id="main-content">`,
    );
    return '';
  }

  // type types text into the focused text box and checks it is there.
  async type(text) {
    const f = await this.focused();
    assert.ok(f.tag === 'input' || f.tag === 'textarea', `about to type into ${f.label}, which is not a text box`);
    await this.page.keyboard.type(text);
    const got = await this.focused();
    const shown = f.type === 'password' ? '(the password)' : JSON.stringify(text);
    assert.ok(got.value === text, `typed ${shown} into ${f.label}, but it holds something else (${got.value.length} characters)`);
  }

  // choose selects the radio called name in the group that has the focus,
  // with the arrow keys (and Space, if the focus is on it already).
  async choose(name) {
    let f = await this.focused();
    assert.equal(f.type, 'radio', `expected the focus on a radio button before choosing "${name}", but ${f.label} has it`);
    const start = f.label;
    for (let i = 0; i < 12; i++) {
      if (f.name === name) {
        if (!f.checked) {
          await this.page.keyboard.press('Space');
          f = await this.focused();
        }
        assert.ok(f.checked, `Space on the radio "${name}" on ${this.page.url()} did not select it`);
        return;
      }
      f = await this.key('ArrowDown');
      assert.equal(f.type, 'radio', `ArrowDown in a radio group on ${this.page.url()} moved the focus to ${f.label}`);
      assert.ok(f.checked, `ArrowDown moved the focus to the radio ${f.label} on ${this.page.url()} but did not select it`);
      if (f.label === start) break;
    }
    throw new Error(`no radio called "${name}" in the group that starts at ${start} on ${this.page.url()}`);
  }

  // tick ticks the focused checkbox with Space.
  async tick() {
    const f = await this.focused();
    assert.equal(f.type, 'checkbox', `expected the focus on a checkbox, but ${f.label} has it`);
    await this.page.keyboard.press('Space');
    assert.ok((await this.focused()).checked, `Space on the checkbox ${f.label} on ${this.page.url()} did not tick it`);
  }

  // activate presses key (Enter or Space) on the focused control, which must
  // go to another page without errors.
  async activate(key = 'Enter') {
    const f = await this.focused();
    const before = await h1(this.page);
    await navigation(this.page, `${key} on ${f.label}`, () => this.page.keyboard.press(key));
    const errors = await errorSummary(this.page);
    if (errors) throw new Error(`after ${key} on ${f.label} on the page "${before}", ${this.page.url()}${errors}`);
  }

  // report throws the focus problems collected so far, if any.
  report() {
    const problems = this.focusProblems.splice(0);
    if (problems.length) throw new Error(`focus problems:\n  ${problems.join('\n  ')}`);
  }
}

test('by keyboard alone, at 320 px wide, a leaver signs in and shares their current address', { timeout: 90_000 }, async (t) => {
  const session = await launch();
  t.after(() => session.close());
  let page;
  let kb;
  const step = steps(t, () => ({ keyboard: page }));
  const recipient = 'Elm Homes';
  const notes = [];
  // onNewPage checks the browser saw no problem and the skip link.
  const onNewPage = async (name) => {
    await checkPage(session, page, `${name} (keyboard)`);
    const note = await kb.skipLink();
    if (note) notes.push(`${name}: no skip link check, ${note}`);
  };

  await step('0. (set up, not by keyboard) Ali has a current address', async () => {
    const context = await session.newContext('leaver setting up');
    const setup = await context.newPage();
    try {
      await signIn(setup, ALI);
      await follow(setup, 'Where I have lived');
      if (!(await mainText(setup)).includes(HOME.line1)) await addAddress(setup, HOME);
      session.takeProblems(); // the other tests check these pages
    } catch (err) {
      await keepAll({ setup }, 'failed-set-up');
      throw err;
    } finally {
      await context.close();
    }
  });

  await step('1. signs in from the sign-in page', async () => {
    const context = await session.newContext('leaver by keyboard', { viewport: NARROW_VIEWPORT });
    page = await context.newPage();
    kb = new Keyboard(page);
    await page.goto(`${BASE}/sign-in`);
    await expectH1(page, 'Sign in');
    await onNewPage('the sign-in page');
    await kb.tabTo('Username');
    await kb.type(ALI.username);
    await kb.tabTo('Password');
    await kb.type(ALI.password);
    await kb.tabTo('Sign in');
    await kb.activate('Enter');
    await expectH1(page, 'My things');
    kb.report();
  });

  await step('2. opens the navigation with "Menu" and goes to Share', async () => {
    await onNewPage('My things');
    // The navigation is before the main content: back to it with Shift+Tab.
    const menu = await kb.tabTo((f) => f.tag === 'button' && f.name === 'Menu', { back: true });
    assert.equal(menu.expanded, 'false', `the "Menu" button at ${NARROW}px is expanded before it is pressed`);
    await page.keyboard.press('Enter');
    assert.equal((await kb.focused()).expanded, 'true', 'Enter on the "Menu" button did not open the navigation');
    await kb.tabTo((f) => f.tag === 'a' && f.name === 'Share');
    await kb.activate('Enter');
    await expectH1(page, 'What do you want to share?');
    kb.report();
  });

  await step('3. what: ticks "Where I have lived" and chooses "Current address only"', async () => {
    await onNewPage('share: what');
    await kb.tabTo((f) => f.type === 'checkbox' && f.name === 'Where I have lived');
    await kb.tick();
    await kb.tabTo((f) => f.type === 'radio');
    await kb.choose('Current address only');
    await kb.tabTo('Continue');
    await kb.activate('Enter');
    await expectH1(page, 'Who are you sharing with?');
    kb.report();
  });

  await step('4. who: types their name and chooses "Landlord or letting agent"', async () => {
    await onNewPage('share: who');
    await kb.tabTo('Their name');
    await kb.type(recipient);
    await kb.tabTo((f) => f.type === 'radio');
    await kb.choose('Landlord or letting agent');
    await kb.tabTo('Continue');
    await kb.activate('Space');
    await expectH1(page, 'Why are you sharing?');
    kb.report();
  });

  await step('5. why: chooses "To apply for a tenancy"', async () => {
    await onNewPage('share: why');
    await kb.tabTo((f) => f.type === 'radio');
    await kb.choose('To apply for a tenancy');
    await kb.tabTo('Continue');
    await kb.activate('Enter');
    await expectH1(page, 'How long can they see it?');
    kb.report();
  });

  await step('6. how long: chooses "1 week"', async () => {
    await onNewPage('share: how long');
    await kb.tabTo((f) => f.type === 'radio');
    await kb.choose('1 week');
    await kb.tabTo('Continue');
    await kb.activate('Enter');
    await expectH1(page, `This is what ${recipient} will see`);
    kb.report();
  });

  await step('7. check: "Share now" gives "Your link is ready", whose link, "Copy link" and "Print this page" can be reached', async () => {
    await onNewPage('share: check');
    await expectText(page, HOME.line1);
    await kb.tabTo('Share now');
    await kb.activate('Enter');
    await expectH1(page, 'Your link is ready');
    await onNewPage('share: the link');
    const link = await kb.tabTo('Link');
    assert.match(link.value, /^https?:\/\//, `the "Link" box holds "${link.value}", not a web address`);
    await kb.tabTo((f) => f.tag === 'button' && f.name === 'Copy link');
    await kb.tabTo('Print this page');
    kb.report();
  });

  t.after(() => t.diagnostic(`keyboard: ${kb ? kb.stops : 0} focus stops checked for a visible focus indicator${notes.length ? `; ${notes.join('; ')}` : ''}`));
});
