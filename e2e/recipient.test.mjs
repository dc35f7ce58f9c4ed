// End-to-end test of the pages a landlord uses without an account (issue 15,
// items 4, 5 and 9): the check at /check with a share code and a date of
// birth, About Satchel, Report a problem, the shared page and /check in
// Welsh, and /check without JavaScript; and the figures for a slow
// 3G connection. Run it with run.sh, which builds and starts a server and
// sets:
//
//   SATCHEL_URL                          the server, e.g. http://127.0.0.1:8080
//   SATCHEL_RECIPIENT_LEAVER_USERNAME    a leaver account of this test alone,
//   SATCHEL_RECIPIENT_LEAVER_PASSWORD    display name "Lee Example"
//
// and those of browser.mjs (the browser, where screenshots go).
//
// The leaver ("lee") adds a current address, shares it with a letting agent
// (timed on a slow 3G profile), and makes a share code with their date of
// birth on the share's ready page (the e2e accounts have no birth
// certificate, so the page asks for it). The landlord then uses the code.
//
// Every page is checked as pages.test.mjs does (its markupProblems and
// checkPage, copied here): axe-core for WCAG 2.2 A and AA at the normal
// viewport and at 320 px, no sideways scroll at 320 px, a strict
// Content-Security-Policy, no console or script errors, no id used twice, a
// csrf field in every POST form, and for a form's error state the GOV.UK
// error summary (with the focus, when script runs), links to fields that are
// there and messages tied to their fields.
//
// The server slows down guesses per client address after 5 failures, and
// every browser here is 127.0.0.1. Wrong share codes at /check are counted
// apart from wrong passwords, so this test's one wrong try (the refusal
// page) does not add to the 4 wrong passwords pages.test.mjs makes.
//
// Slow 3G: Chrome DevTools' old "Slow 3G" preset through the DevTools
// protocol (Network.emulateNetworkConditions): 400 ms latency, 500 kbit/s
// down and up (500 * 1024 / 8 bytes a second). The times are printed as
// diagnostics, not asserted: they depend on the machine.

import { test } from 'node:test';
import assert from 'node:assert/strict';

import { checkA11y, withoutScriptAxe, NARROW } from './axe.mjs';
import { markupProblems } from './markup.mjs';
import {
  BASE, env, EVERY_SCREENSHOT, launch, keeper,
  squash, h1, label, expectH1, expectText, navigation, follow, nav, submit, press,
  answerAddressQuestions,
} from './browser.mjs';

const LEE = {
  username: env('SATCHEL_RECIPIENT_LEAVER_USERNAME'),
  password: env('SATCHEL_RECIPIENT_LEAVER_PASSWORD'),
  name: 'Lee Example',
};
const BIRTH = { day: '23', month: '4', year: '1990' };
const THIS_YEAR = new Date().getFullYear();

const SLOW_3G = {
  offline: false,
  latency: 400,
  downloadThroughput: (500 * 1024) / 8,
  uploadThroughput: (500 * 1024) / 8,
};
const SLOW_3G_SAYS = 'Slow 3G: 400 ms latency, 500 kbit/s down and up';

let session;
const { keep, keepAll } = keeper('recipient');

async function go(page, path) {
  let response;
  await navigation(page, `opening ${path}`, async () => {
    response = await page.goto(path.startsWith('http') ? path : `${BASE}${path}`);
  });
  return response;
}

// slow3G turns the slow 3G profile on for page (and off with off()).
async function slow3G(context, page) {
  const cdp = await context.newCDPSession(page);
  await cdp.send('Network.enable');
  await cdp.send('Network.emulateNetworkConditions', SLOW_3G);
  return {
    off: async () => {
      await cdp.send('Network.emulateNetworkConditions', { offline: false, latency: 0, downloadThroughput: -1, uploadThroughput: -1 });
      await cdp.detach();
    },
  };
}

const seconds = (ms) => `${(ms / 1000).toFixed(1)} s`;

// ---- checking a page (as pages.test.mjs) ----------------------------------

let problems = [];
const checked = [];

// checkPage checks the page as it is now at the normal viewport and at
// 320 px, and adds what is wrong to the step's problems. {errors: true}
// says the page is a form's error state; {script: false}, that the page's
// context runs no JavaScript.
async function checkPage(page, name, { errors = false, script = true } = {}) {
  const found = session.takeProblems().map((p) => `browser: ${p}`);
  const url = page.url();
  const doc = session.documentOf(page);
  if (!doc || doc.url !== url) found.push(`the page's own document response was not seen, so its Content-Security-Policy was not checked`);
  for (const p of await markupProblems(page, errors, script)) found.push(`markup: ${p}`);
  if (!script) {
    if (await page.evaluate(() => document.body.classList.contains('js-enabled'))) {
      found.push(`the page's script ran although the browser context has JavaScript off`);
    }
    await withoutScriptAxe(page);
  }
  try {
    await checkA11y(page, name, { narrow: true });
  } catch (err) {
    found.push(err.message);
  }
  const size = page.viewportSize();
  await page.setViewportSize({ width: NARROW, height: size.height });
  const scrollWidth = await page.evaluate(() => document.documentElement.scrollWidth);
  await page.setViewportSize(size);
  if (scrollWidth > NARROW) found.push(`at ${NARROW}px wide the page is ${scrollWidth}px wide (document.documentElement.scrollWidth)`);

  checked.push({ name, url: url.replace(BASE, ''), status: doc ? doc.status : '?', problems: found.length });
  if (found.length) {
    problems.push(`${name} — ${url} (h1 "${await h1(page)}"):\n    ${found.join('\n    ')}`);
    await keep(page, `problem-${name}`);
  } else if (EVERY_SCREENSHOT) {
    await keep(page, name);
  }
}

// errorState submits the form with the button called button, expects an
// error summary with each of messages, and checks the page.
async function errorState(page, pageName, button, messages, { script = true } = {}) {
  const before = await h1(page);
  await submit(page, button);
  const summary = page.locator('.govuk-error-summary');
  if (!(await summary.count())) {
    throw new Error(`pressing "${button}" on the page "${before}" should have shown errors (${messages.join('; ')}), but ${page.url()} shows no error summary (h1 "${await h1(page)}")`);
  }
  const listed = squash(await summary.first().innerText());
  for (const m of messages) {
    assert.ok(listed.includes(m), `the error summary on ${page.url()} should say "${m}", but says: ${listed}`);
  }
  await checkPage(page, `${pageName} with errors (${messages.join('; ')})`, { errors: true, script });
}

async function fillCheck(page, code, birth) {
  await label(page, 'Share code').fill(code);
  await label(page, 'Day').fill(birth.day);
  await label(page, 'Month').fill(birth.month);
  await label(page, 'Year').fill(birth.year);
}

const langOf = (page) => page.evaluate(() => document.documentElement.lang);

// ---- the test --------------------------------------------------------------

test("a landlord checks a share code at /check (with errors, a refusal, in Welsh and without JavaScript), reads About Satchel and reports a problem; and the slow 3G figures", { timeout: 200_000 }, async (t) => {
  const started = Date.now();
  session = await launch();
  t.after(() => session.close());
  t.after(() => {
    t.diagnostic(`checked ${checked.length} page states (${session.pagesLoaded} pages loaded from the server) in ${seconds(Date.now() - started)}:`);
    for (const c of checked) t.diagnostic(`${c.problems ? 'FAIL' : 'ok  '} ${c.status} ${c.url}  ${c.name}`);
  });

  const pages = {};
  const contexts = {};
  const open = async (who, options) => {
    contexts[who] = await session.newContext(who, options);
    pages[who] = await contexts[who].newPage();
    return pages[who];
  };
  const lee = await open('leaver');

  let failed = '';
  const step = (name, fn) =>
    t.test(name, { timeout: 60_000 }, async (st) => {
      if (failed) {
        st.skip(`an earlier step failed: ${failed}`);
        return;
      }
      problems = [];
      try {
        await fn(st);
      } catch (err) {
        failed = name;
        await keepAll(pages, `failed-${name}`);
        if (problems.length) err.message += `\n\nand before that, problems on pages of this step:\n\n${problems.join('\n\n')}`;
        throw err;
      }
      if (problems.length) {
        throw new Error(`${problems.length} page(s) in this step have problems:\n\n${problems.join('\n\n')}`);
      }
    });

  let link = '';
  let code = '';
  const figures = {};

  await step('1. the leaver signs in and adds their current address', async () => {
    await go(lee, '/sign-in');
    await label(lee, 'Username').fill(LEE.username);
    await label(lee, 'Password').fill(LEE.password);
    await press(lee, 'Sign in');
    await expectH1(lee, 'My things');
    await follow(lee, 'Where I have lived');
    await follow(lee, 'Add an address');
    const a = {
      line1: '7 Canal Street', town: 'Leeds', postcode: 'LS2 7AB',
      movedIn: { month: 5, year: THIS_YEAR - 2 }, kind: 'A home I rent or own',
    };
    await answerAddressQuestions(lee, a);
    await press(lee, 'Save address');
    await expectText(lee, a.line1);
  });

  await step('2. on slow 3G, the leaver shares it (timed), then makes a share code with their date of birth', async (st) => {
    const slow = await slow3G(contexts.leaver, lee);
    const t0 = Date.now();
    try {
      await nav(lee, 'Share');
      await expectH1(lee, /What do you want to share\?/);
      await label(lee, 'Where I have lived').check();
      await label(lee, 'Current address only').check();
      await press(lee, 'Continue');
      await expectH1(lee, /Who are you sharing with\?/);
      await label(lee, 'Their name').fill('Acme Lettings');
      await label(lee, 'Landlord or letting agent').check();
      await press(lee, 'Continue');
      await expectH1(lee, /Why are you sharing\?/);
      await label(lee, 'To apply for a tenancy').check();
      await press(lee, 'Continue');
      await expectH1(lee, /How long can they see it\?/);
      await label(lee, '2 weeks').check();
      await press(lee, 'Continue');
      await expectH1(lee, /This is what Acme Lettings will see/);
      await press(lee, 'Share now');
      await expectH1(lee, 'Your link is ready');
      figures.share = Date.now() - t0;
    } finally {
      await slow.off();
    }
    st.diagnostic(`slow 3G (${SLOW_3G_SAYS}): from "Share" in the navigation to "Your link is ready", 6 pages: ${seconds(figures.share)}`);
    assert.match(new URL(lee.url()).pathname, /^\/my\/shares\/[^/]+$/);
    link = await label(lee, 'Link').inputValue();
    assert.match(link, /^https?:\/\//, `the "Link" box holds "${link}", not a web address`);

    // The e2e leaver has no birth certificate, so the page asks for the
    // date of birth to make a code.
    await checkPage(lee, 'share ready, asking for the date of birth for a share code');
    await errorState(lee, 'share ready: make a share code', 'Make a share code', ['Enter your date of birth, for example 27 3 1985']);
    await label(lee, 'Day').fill(BIRTH.day);
    await label(lee, 'Month').fill(BIRTH.month);
    await label(lee, 'Year').fill(BIRTH.year);
    await press(lee, 'Make a share code');
    code = squash(await lee.locator('#share-code').innerText());
    assert.match(code, /^[A-Z2-9]{3}-[A-Z2-9]{3}-[A-Z2-9]{3}$/, `the share code on ${lee.url()} is "${code}"`);
    await expectText(lee, `${BASE}/check`);
    await checkPage(lee, 'share ready, with the share code');
  });

  await step('3. on slow 3G, a landlord opens the link (timed)', async (st) => {
    const landlord = await open('landlord (slow 3G)');
    const slow = await slow3G(contexts['landlord (slow 3G)'], landlord);
    const t0 = Date.now();
    try {
      await go(landlord, link);
      figures.landlord = Date.now() - t0;
    } finally {
      await slow.off();
    }
    await expectText(landlord, `${LEE.name} has shared some records with you`);
    await expectText(landlord, '7 Canal Street');
    st.diagnostic(`slow 3G (${SLOW_3G_SAYS}): the landlord's page from the link, cold: ${seconds(figures.landlord)}`);
    await checkPage(landlord, 'the shared page from the link (slow 3G)');
    await contexts['landlord (slow 3G)'].close();
    delete pages['landlord (slow 3G)'];
  });

  await step('4. the landlord at /check: the empty form, a wrong date of birth (refused), the right code and date (the share)', async (st) => {
    const landlord = await open('landlord');
    await go(landlord, '/check');
    await expectH1(landlord, 'Check what someone shared with you');
    await checkPage(landlord, 'check: the form');
    await errorState(landlord, 'check', 'Check', ['Enter the share code', 'Enter their date of birth, for example 27 3 1985']);

    // The right code with the wrong date of birth: the same refusal as a
    // wrong code, and nothing of the share.
    await fillCheck(landlord, code, { ...BIRTH, day: '24' });
    await errorState(landlord, 'check (wrong date of birth)', 'Check', ['We could not find a share with this share code and date of birth']);
    assert.ok(!(await landlord.locator('main').innerText()).includes('7 Canal Street'), 'the refusal shows the shared address');

    // Typed as a person might: lower case, spaces for dashes.
    await fillCheck(landlord, code.toLowerCase().replaceAll('-', ' '), BIRTH);
    const t0 = Date.now();
    await press(landlord, 'Check');
    st.diagnostic(`/check to the shared page, no throttling: ${seconds(Date.now() - t0)}`);
    assert.equal(landlord.url(), link, `the right code and date of birth went to ${landlord.url()}, not the share's link`);
    await expectText(landlord, `${LEE.name} has shared some records with you`);
    await expectText(landlord, '7 Canal Street');
    await checkPage(landlord, 'the shared page, reached through /check');
  });

  await step('5. About Satchel and Report a problem (with its error, then sent)', async () => {
    const landlord = pages.landlord;
    await follow(landlord, 'About Satchel');
    await expectH1(landlord, 'About Satchel');
    assert.equal(new URL(landlord.url()).pathname, '/about');
    await expectText(landlord, 'does not check that the documents themselves are genuine');
    await checkPage(landlord, 'about Satchel');

    await go(landlord, link);
    await follow(landlord, 'Report a problem');
    assert.equal(new URL(landlord.url()).pathname, '/report');
    await expectH1(landlord, 'What is the problem?');
    await checkPage(landlord, 'report a problem');
    await errorState(landlord, 'report a problem', 'Send', ['Select what the problem is']);
    await label(landlord, 'I think a page is pretending to be Satchel').check();
    await press(landlord, 'Send');
    await expectH1(landlord, 'Thank you for telling us');
    await expectText(landlord, 'do not type anything into it');
    await checkPage(landlord, 'report a problem: sent');
  });

  await step('6. in Welsh: /check and the shared page, then back to English', async () => {
    const landlord = pages.landlord;
    await go(landlord, '/check');
    await follow(landlord, 'Cymraeg');
    assert.equal(new URL(landlord.url()).pathname, '/check', `the Cymraeg link went to ${landlord.url()}, not back to /check`);
    assert.equal(await langOf(landlord), 'cy', `after choosing Cymraeg, ${landlord.url()} has lang="${await langOf(landlord)}"`);
    await expectH1(landlord, "Gwirio beth mae rhywun wedi'i rannu gyda chi");
    await checkPage(landlord, 'check, in Welsh');
    await errorState(landlord, 'check, in Welsh', await landlord.locator('main button[type="submit"]').innerText(), ['Rhowch y cod rhannu']);

    await go(landlord, link);
    assert.equal(await langOf(landlord), 'cy', `the shared page in Welsh has lang="${await langOf(landlord)}"`);
    await expectText(landlord, '7 Canal Street');
    const words = squash(await landlord.locator('main').innerText());
    assert.ok(!words.includes('has shared some records with you'), `the shared page in Welsh still says it in English: ${words.slice(0, 300)}`);
    await checkPage(landlord, 'the shared page, in Welsh');

    await follow(landlord, 'English');
    assert.equal(await langOf(landlord), 'en', `after choosing English, ${landlord.url()} has lang="${await langOf(landlord)}"`);
    await expectText(landlord, `${LEE.name} has shared some records with you`);
  });

  await step('7. /check without JavaScript, at 320 px: the empty form, then the right code and date', async () => {
    const nojs = await open('landlord without JavaScript', { javaScriptEnabled: false, viewport: { width: NARROW, height: 800 } });
    await go(nojs, '/check');
    await expectH1(nojs, 'Check what someone shared with you');
    await checkPage(nojs, 'check without JavaScript', { script: false });
    await errorState(nojs, 'check without JavaScript', 'Check', ['Enter the share code', 'Enter their date of birth, for example 27 3 1985'], { script: false });
    await fillCheck(nojs, code, BIRTH);
    await press(nojs, 'Check');
    assert.equal(nojs.url(), link, `the right code and date of birth went to ${nojs.url()}, not the share's link`);
    await expectText(nojs, '7 Canal Street');
    await checkPage(nojs, 'the shared page through /check without JavaScript', { script: false });
  });

  t.diagnostic(`slow 3G (${SLOW_3G_SAYS}): share ${figures.share ? seconds(figures.share) : 'not measured'}, landlord page ${figures.landlord ? seconds(figures.landlord) : 'not measured'}`);
});
