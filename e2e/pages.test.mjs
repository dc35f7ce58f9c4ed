// End-to-end test of every web page the leaver flow (leaver.test.mjs) does
// not visit, and of the error states of their forms, in a real headless
// Chromium. Run it with run.sh, which builds and starts a server and sets:
//
//   SATCHEL_URL                      the server, e.g. http://127.0.0.1:8080
//   SATCHEL_PAGES_LEAVER_USERNAME    a leaver account of this test alone,
//   SATCHEL_PAGES_LEAVER_PASSWORD    display name "Kim Example"
//   SATCHEL_HELPER_USERNAME          a helper account, display name "Sam Support"
//   SATCHEL_HELPER_PASSWORD
//
// and those of browser.mjs (the browser, where screenshots go).
//
// The leaver test runs at the same time against the same server with its own
// leaver ("jo"), so this one has its own ("kim"), who adds the helper with
// every right; the helper then uses their pages for kim and gives kim a
// password reset code, and kim makes a new password with it and signs in.
//
// Every page is checked, at the test's normal viewport and at 320 px wide,
// with axe-core for WCAG 2.2 A and AA, and must not scroll sideways at
// 320 px; every page must send a Content-Security-Policy that limits
// scripts and allows no 'unsafe-inline', log no console or script errors
// (browser.mjs watches for these), use no id twice, and put a csrf
// field in every POST form. A form's error state must show the GOV.UK error
// summary with the focus, the same message beside the field, links from
// the summary to fields that are there, and each message tied to its field
// with aria-describedby.
//
// The server slows down password guessing per client address after 5
// failures, and every browser here is 127.0.0.1: this test makes 4 (a
// wrong sign-in password, a wrong password to delete the account, a wrong
// username for the helper's reset, the old password after the reset), and
// the leaver test none. Two more would start refusing sign-ins for a while.
//
// Problems with a page (axe, sideways scroll, CSP, console, markup) are
// collected, and the step fails at its end listing all of them, so that one
// bad page does not hide the next; later steps still run. A step that cannot
// go on (a missing link, a form that is not accepted) fails at once and the
// steps after it are skipped.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';

import { checkA11y, NARROW } from './axe.mjs';
import { markupProblems } from './markup.mjs';
import {
  BASE, env, EVERY_SCREENSHOT, launch, keeper,
  squash, h1, label, expectH1, expectText, navigation, follow, nav, submit, press,
} from './browser.mjs';

const KIM = {
  username: env('SATCHEL_PAGES_LEAVER_USERNAME'),
  password: env('SATCHEL_PAGES_LEAVER_PASSWORD'),
  name: 'Kim Example',
};
const SAM = { username: env('SATCHEL_HELPER_USERNAME'), password: env('SATCHEL_HELPER_PASSWORD'), name: 'Sam Support' };

const PHOTO = fileURLToPath(new URL('../examples/pod/documents/id-card.png', import.meta.url));
const PDF = fileURLToPath(new URL('../examples/pod/documents/licence-conditions.pdf', import.meta.url));
const THIS_YEAR = new Date().getFullYear();
const NEW_PASSWORD = `new-${Math.random().toString(36).slice(2)}-password`;

// The browser (launched by the test) and screenshots and HTML of pages.
let session;
const { keep, keepAll } = keeper('pages');

// ---- finding things as a person would (more in browser.mjs) ---------------

async function go(page, path) {
  let response;
  await navigation(page, `opening ${path}`, async () => {
    response = await page.goto(`${BASE}${path}`);
  });
  return response;
}

// pressForErrors clicks the button called name and expects the same page
// back with an error summary listing each of messages.
async function pressForErrors(page, name, messages) {
  const before = await h1(page);
  await submit(page, name);
  const summary = page.locator('.govuk-error-summary');
  if (!(await summary.count())) {
    throw new Error(`pressing "${name}" on the page "${before}" should have shown errors (${messages.join('; ')}), but ${page.url()} shows no error summary (h1 "${await h1(page)}")`);
  }
  const listed = squash(await summary.first().innerText());
  for (const m of messages) {
    assert.ok(listed.includes(m), `the error summary on ${page.url()} should say "${m}", but says: ${listed}`);
  }
  return messages;
}

// ---- checking a page -------------------------------------------------------

// The running step's page problems, and every page checked (for the report).
let problems = [];
const checked = [];

// checkPage checks the page as it is now (see the top of the file) at the
// normal viewport and at 320 px wide, and adds what is wrong to the step's
// problems. {errors: true} says the page is a form's error state.
async function checkPage(page, name, { errors = false } = {}) {
  const found = session.takeProblems().map((p) => `browser: ${p}`);
  const url = page.url();
  const doc = session.documentOf(page);
  if (!doc || doc.url !== url) found.push(`the page's own document response was not seen, so its Content-Security-Policy was not checked`);
  for (const p of await markupProblems(page, errors)) found.push(`markup: ${p}`);
  try {
    await checkA11y(page, name, { narrow: true });
  } catch (err) {
    found.push(err.message);
  }
  // The brief of WCAG 1.4.10 in its simplest form, beside checkA11y's own
  // (which compares with clientWidth).
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

// errorState submits the form with the button called name, expects the
// errors listed in messages, and checks the page in its error state.
async function errorState(page, pageName, button, messages) {
  await pressForErrors(page, button, messages);
  await checkPage(page, `${pageName} with errors (${messages.join('; ')})`, { errors: true });
}

// ---- the test --------------------------------------------------------------

test('every page the leaver flow does not visit, and the error states of its forms, pass axe at normal width and 320 px, with a strict CSP, no console errors and a CSRF field in every form', { timeout: 200_000 }, async (t) => {
  const started = Date.now();
  session = await launch();
  t.after(() => session.close());
  t.after(() => {
    t.diagnostic(`checked ${checked.length} page states (${session.pagesLoaded} pages loaded from the server) in ${((Date.now() - started) / 1000).toFixed(1)} s:`);
    for (const c of checked) t.diagnostic(`${c.problems ? 'FAIL' : 'ok  '} ${c.status} ${c.url}  ${c.name}`);
  });

  const contexts = {};
  const pages = {};
  const open = async (who) => {
    const context = await session.newContext(who);
    contexts[who] = context;
    pages[who] = await context.newPage();
    return pages[who];
  };
  const visitor = await open('visitor');
  const kim = await open('leaver');
  let sam;

  let failed = '';
  const step = (name, fn) =>
    t.test(name, async (st) => {
      if (failed) {
        st.skip(`an earlier step failed: ${failed}`);
        return;
      }
      problems = [];
      try {
        await fn();
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

  // State shared between steps.
  let thingPath = '';
  let pod = '';
  let code = '';

  await step('1. signed out: the start page, sign in and reset with their errors', async () => {
    await go(visitor, '/');
    await expectH1(visitor, 'Keep your documents safe');
    await checkPage(visitor, 'the start page');

    // The pages every public service has, from the footer.
    for (const [link, heading] of [
      ['Help', 'Help'], ['Privacy', 'Privacy notice'], ['Cookies', 'Cookies'], ['Accessibility statement', 'Accessibility statement'],
    ]) {
      await go(visitor, '/');
      await follow(visitor, link);
      await expectH1(visitor, heading);
      await checkPage(visitor, `${heading.toLowerCase()} (footer)`);
    }
    await go(visitor, '/help/lost-phone');
    await expectH1(visitor, 'If you lose your phone');
    await checkPage(visitor, 'help: if you lose your phone');

    // Setting up an account with a code: the page and its errors (which
    // are not guesses, so the throttle does not count them).
    await go(visitor, '/start');
    await expectH1(visitor, 'Set up your account');
    await checkPage(visitor, 'set up your account');
    await errorState(visitor, 'set up your account', 'Save password and sign in', [
      'Enter your username',
      'Enter your set-up code',
      'Your new password must be at least 10 characters',
    ]);

    await go(visitor, '/');
    await follow(visitor, 'Sign in');
    await expectH1(visitor, 'Sign in');
    await errorState(visitor, 'sign in', 'Sign in', ['Enter your username', 'Enter your password']);

    await label(visitor, 'Username').fill(KIM.username);
    await label(visitor, 'Password').fill('not-the-password');
    await errorState(visitor, 'sign in (wrong password)', 'Sign in', ['Your username or password is not right']);

    await follow(visitor, 'I have a code to make a new password');
    await expectH1(visitor, 'Make a new password');
    await checkPage(visitor, 'reset: make a new password');
    await errorState(visitor, 'reset', 'Save new password', [
      'Enter your username',
      'Enter your code',
      'Your new password must be at least 10 characters',
    ]);
    await label(visitor, 'Username').fill(KIM.username);
    await label(visitor, 'Your code').fill('ABCD-EFGH');
    await label(visitor, 'New password').fill(NEW_PASSWORD);
    await label(visitor, 'Type the new password again').fill(`${NEW_PASSWORD}-typo`);
    await errorState(visitor, 'reset (passwords differ)', 'Save new password', ['The two passwords are not the same']);
  });

  await step('2. the leaver signs in and adds a photo, with the add a document errors first', async () => {
    await go(kim, '/sign-in');
    await label(kim, 'Username').fill(KIM.username);
    await label(kim, 'Password').fill(KIM.password);
    await press(kim, 'Sign in');
    await expectH1(kim, 'My things');

    await follow(kim, 'Add a document');
    await expectH1(kim, 'Add a document');
    await errorState(kim, 'add a document', 'Save', ['Enter what it is called', 'Select what it is', 'Take a photo or choose a file']);

    await label(kim, 'What is it called?').fill('Photo of my ID card');
    await kim.getByLabel(/^Proof of who I am/).check();
    await kim.getByLabel('Take a photo or choose a file').setInputFiles(PHOTO);
    await press(kim, 'Save');
    await expectH1(kim, 'My things');
    await expectText(kim, 'Your document is saved.');
    await checkPage(kim, 'My things with the "saved" banner');
  });

  await step("3. the photo's page and its delete confirmation", async () => {
    await follow(kim, 'Photo of my ID card');
    await expectH1(kim, 'Photo of my ID card');
    thingPath = new URL(kim.url()).pathname;
    assert.match(thingPath, /^\/my\/things\/identity\//, `the photo's page is ${thingPath}`);
    const img = kim.getByRole('img', { name: 'Photo: Photo of my ID card' });
    await img.waitFor();
    const width = await img.evaluate(async (el) => {
      await el.decode().catch(() => {});
      return el.naturalWidth;
    });
    assert.ok(width > 0, `the photo on ${kim.url()} did not load`);
    await checkPage(kim, "the photo's page");

    await follow(kim, /^Delete/);
    await expectH1(kim, 'Delete Photo of my ID card?');
    assert.match(new URL(kim.url()).pathname, /^\/my\/delete\/identity\//);
    await checkPage(kim, 'delete: are you sure');
    await follow(kim, 'Cancel');
    await expectH1(kim, 'Photo of my ID card');
  });

  await step('4. the National Insurance number, with an error, then saved', async () => {
    await nav(kim, 'My things');
    await follow(kim, 'Add your National Insurance number');
    await expectH1(kim, 'What is your National Insurance number?');
    await checkPage(kim, 'National Insurance number');
    await label(kim, 'What is your National Insurance number?').fill('QQ 12 34');
    await errorState(kim, 'National Insurance number', 'Save', ['Enter a National Insurance number in the right format, like QQ 12 34 56 C']);
    // Not the page's own example, QQ 12 34 56 C: no real number starts
    // with Q, and the form says so.
    await label(kim, 'What is your National Insurance number?').fill('ab 12 34 56 c');
    await press(kim, 'Save');
    await expectH1(kim, 'My things');
    await expectText(kim, 'Your National Insurance number is saved.');
    await checkPage(kim, 'My things after saving the NI number');
    await follow(kim, 'Change your National Insurance number');
    assert.equal(await label(kim, 'What is your National Insurance number?').inputValue(), 'AB 12 34 56 C');
    await checkPage(kim, 'National Insurance number, saved');
  });

  await step('5. the address questions with their errors, for a past address', async () => {
    await nav(kim, 'My things');
    await follow(kim, 'Where I have lived');
    await expectH1(kim, 'Where I have lived');
    await checkPage(kim, 'Where I have lived, empty');
    await follow(kim, 'Add an address');

    await expectH1(kim, 'What is the address?');
    await errorState(kim, 'address: what is the address', 'Continue', ['Enter the first line of the address', 'Enter the town or city']);
    await label(kim, 'Address line 1').fill('4 Mill Lane');
    await label(kim, 'Town or city').fill('Bradford');
    await kim.getByLabel(/^Postcode/).fill('not a postcode!');
    await errorState(kim, 'address: what is the address (bad postcode)', 'Continue', ['Enter a real postcode, like LS1 4DY']);
    await kim.getByLabel(/^Postcode/).fill('BD1 1AA');
    await press(kim, 'Continue');

    await expectH1(kim, 'When did you move in?');
    await label(kim, 'Month').fill('13');
    await label(kim, 'Year').fill(String(THIS_YEAR - 3));
    await errorState(kim, 'address: when did you move in (month 13)', 'Continue', ['Enter a month from 1 to 12 and a year, not in the future']);
    await label(kim, 'Month').fill('1');
    await press(kim, 'Continue');

    await expectH1(kim, 'Do you still live here?');
    await errorState(kim, 'address: do you still live here', 'Continue', ['Select yes if you still live here']);
    await label(kim, 'No').check();
    await press(kim, 'Continue');

    await expectH1(kim, 'When did you move out?');
    await label(kim, 'Month').fill('13');
    await label(kim, 'Year').fill(String(THIS_YEAR - 1));
    await errorState(kim, 'address: when did you move out (month 13)', 'Continue', ['Enter a month from 1 to 12 and a year, not in the future']);
    await label(kim, 'Month').fill('2');
    await label(kim, 'Year').fill(String(THIS_YEAR - 4));
    await errorState(kim, 'address: when did you move out (before moving in)', 'Continue', ['The date you moved out must be after you moved in']);
    await label(kim, 'Year').fill(String(THIS_YEAR - 1));
    await press(kim, 'Continue');

    await expectH1(kim, 'What kind of place is it?');
    await errorState(kim, 'address: what kind of place', 'Continue', ['Select what kind of place it is']);
    await label(kim, 'A hostel').check();
    await press(kim, 'Continue');

    await expectH1(kim, 'Check your answers');
    await checkPage(kim, 'address: check your answers');
    await press(kim, 'Save address');
    await expectH1(kim, 'Where I have lived');
    await expectText(kim, '4 Mill Lane');
  });

  await step('6. the share questions with their errors, the check page, the share and its print page', async () => {
    await nav(kim, 'Share');
    await expectH1(kim, 'What do you want to share?');
    await errorState(kim, 'share: what (nothing ticked)', 'Continue', ['Select at least one thing to share']);
    await label(kim, 'Where I have lived').check();
    await errorState(kim, 'share: what (which addresses not chosen)', 'Continue', ['Select which addresses to share']);
    await label(kim, 'Photo of my ID card').check();
    await label(kim, 'Current address only').check();
    await press(kim, 'Continue');

    await expectH1(kim, 'Who are you sharing with?');
    await errorState(kim, 'share: who (no name)', 'Continue', ['Enter their name', 'Select what they are']);
    await label(kim, 'Their name').fill('x'.repeat(101));
    await label(kim, 'Bank or building society').check();
    await errorState(kim, 'share: who (name too long)', 'Continue', ['The name must be 100 characters or fewer']);
    await label(kim, 'Their name').fill('Bright Bank');
    await press(kim, 'Continue');

    await expectH1(kim, 'Why are you sharing?');
    await errorState(kim, 'share: why (nothing chosen)', 'Continue', ['Select why you are sharing']);
    await label(kim, 'To open a bank account').check();
    await kim.getByLabel(/^Anything else they should know/).fill('y'.repeat(501));
    await errorState(kim, 'share: why (text too long)', 'Continue', ['This must be 500 characters or fewer']);
    await kim.getByLabel(/^Anything else they should know/).fill('For a basic account.');
    await press(kim, 'Continue');

    await expectH1(kim, 'How long can they see it?');
    await errorState(kim, 'share: how long (nothing chosen)', 'Continue', ['Select how long they can see it']);
    await label(kim, '1 week').check();
    await submit(kim, 'Continue');

    // Kim has moved out of the only address she has added, so "current
    // address only" sends her back to the first question with an error.
    await expectH1(kim, 'What do you want to share?');
    await expectText(kim, 'You have no current address');
    await checkPage(kim, 'share: what (no current address)', { errors: true });
    await label(kim, 'All addresses').check();
    await press(kim, 'Continue');
    await expectH1(kim, 'Do you want to leave anything out?');
    await checkPage(kim, 'share: details (what to leave out)');
    await press(kim, 'Continue');
    for (const q of ['Who are you sharing with?', 'Why are you sharing?', 'How long can they see it?']) {
      await expectH1(kim, q);
      await press(kim, 'Continue');
    }

    await expectH1(kim, 'This is what Bright Bank will see');
    assert.equal(new URL(kim.url()).pathname, '/my/share/check');
    await expectText(kim, '4 Mill Lane');
    await checkPage(kim, 'share: check (/my/share/check)');
    await press(kim, 'Share now');
    await expectH1(kim, 'Your link is ready');

    await follow(kim, 'Print this page');
    await expectH1(kim, 'Documents shared with Bright Bank');
    assert.match(new URL(kim.url()).pathname, /^\/my\/shares\/[^/]+\/print$/);
    const qr = kim.getByRole('img', { name: /QR code/ });
    const qrWidth = await qr.first().evaluate(async (img) => {
      await img.decode().catch(() => {});
      return img.naturalWidth;
    });
    assert.ok(qrWidth > 0, `the QR code on ${kim.url()} did not load`);
    await kim.getByRole('button', { name: 'Print', exact: true }).waitFor({ state: 'visible' });
    await checkPage(kim, 'share: print page');
  });

  await step('7. the address remove confirmation, and removing it', async () => {
    await go(kim, '/my/addresses');
    await expectH1(kim, 'Where I have lived');
    await checkPage(kim, 'Where I have lived, one past address');
    await follow(kim, /^Remove/);
    await expectH1(kim, 'Remove this address?');
    await expectText(kim, '4 Mill Lane');
    await checkPage(kim, 'address: remove this address');
    await press(kim, 'Yes, remove it');
    await expectH1(kim, 'Where I have lived');
    await expectText(kim, 'The address has been removed.');
    await expectText(kim, 'You have not added any addresses yet.');
    await checkPage(kim, 'Where I have lived, after removing');
  });

  await step('8. helpers: none, the add a helper errors, adding the helper, the remove confirmation', async () => {
    await nav(kim, 'Helpers');
    await expectH1(kim, 'Helpers');
    await expectText(kim, 'You have no helpers.');
    await checkPage(kim, 'Helpers, none');
    await follow(kim, 'Add a helper');
    await expectH1(kim, 'Add a helper');
    await checkPage(kim, 'add a helper');
    await errorState(kim, 'add a helper', 'Add helper', ["Enter your helper's username", 'Select what they can do']);
    await label(kim, 'Their Satchel username').fill('nobody-by-this-name');
    await label(kim, 'See my things').check();
    await errorState(kim, 'add a helper (no such helper)', 'Add helper', ['There is no helper with that username']);

    await label(kim, 'Their Satchel username').fill(SAM.username);
    for (const right of ['See my things', 'Add documents and addresses (never change or remove what is there)', 'Share for me', 'Reset my password, which lets them into my account']) {
      await label(kim, right).check();
    }
    await press(kim, 'Add helper');
    await expectH1(kim, 'Helpers');
    await expectText(kim, 'Your helper has been added.');
    await expectText(kim, SAM.name);
    await checkPage(kim, 'Helpers, with the helper');

    await follow(kim, `Stop ${SAM.name}`);
    await expectH1(kim, `Stop ${SAM.name} helping you?`);
    assert.match(new URL(kim.url()).pathname, /^\/my\/helpers\/[^/]+\/remove$/);
    await checkPage(kim, 'stop a helper: are you sure');
    await follow(kim, 'Cancel');
    await expectH1(kim, 'Helpers');
  });

  await step('9. my data, delete my account with a wrong password, a missing page, who has looked (nobody)', async () => {
    await nav(kim, 'Who has looked');
    await expectH1(kim, 'Who has looked');
    await checkPage(kim, 'Who has looked, before the helper');

    await nav(kim, 'My data');
    await expectH1(kim, 'My data');
    await checkPage(kim, 'My data');
    await follow(kim, 'Change your password');
    await expectH1(kim, 'Change your password');
    await checkPage(kim, 'change your password');
    await errorState(kim, 'change your password', 'Save new password', [
      'Enter your password now',
      'Your new password must be at least 10 characters',
    ]);
    await go(kim, '/my/devices');
    await expectH1(kim, 'Where you are signed in');
    await checkPage(kim, 'where you are signed in');
    await nav(kim, 'My data');
    await follow(kim, 'Delete my account');
    await expectH1(kim, 'Delete your account');
    await checkPage(kim, 'delete your account');
    await label(kim, 'Type your password to say it is you').fill('not-the-password');
    await errorState(kim, 'delete your account (wrong password)', 'Delete my account for ever', ['Your password is not right']);

    const response = await go(kim, '/my/things/nope');
    assert.equal(response.status(), 404, `/my/things/nope answered ${response.status()}, not 404`);
    await expectH1(kim, 'Page not found');
    await checkPage(kim, 'page not found (/my/things/nope)');
  });

  await step("10. the helper's pages: people I help, a leaver's things, add a document, reset with an error and the code, share, shares", async () => {
    sam = await open('helper');
    await go(sam, '/sign-in');
    await label(sam, 'Username').fill(SAM.username);
    await label(sam, 'Password').fill(SAM.password);
    await press(sam, 'Sign in');
    await expectH1(sam, 'People I help');
    await expectText(sam, KIM.name);
    await checkPage(sam, 'helper: people I help');

    await follow(sam, `Open ${KIM.name}`);
    await expectH1(sam, `Helping ${KIM.name}`);
    pod = new URL(sam.url()).pathname.split('/')[2];
    assert.ok(pod, `the helper's page for Kim is ${sam.url()}`);
    await expectText(sam, 'Photo of my ID card');
    await checkPage(sam, "helper: a leaver's things");

    await follow(sam, 'Add a document');
    await expectH1(sam, 'Add a document');
    assert.equal(new URL(sam.url()).pathname, `/helping/${pod}/add`);
    await checkPage(sam, 'helper: add a document');
    await errorState(sam, 'helper: add a document', 'Save', ['Enter what it is called', 'Select what it is', 'Take a photo or choose a file']);
    await label(sam, 'What is it called?').fill('Licence conditions');
    await sam.getByLabel('Something else').check();
    await sam.getByLabel('Take a photo or choose a file').setInputFiles(PDF);
    await press(sam, 'Save');
    await expectH1(sam, `Helping ${KIM.name}`);
    await expectText(sam, 'Licence conditions');
    await checkPage(sam, "helper: a leaver's things after adding");

    await follow(sam, 'Reset their password');
    await expectH1(sam, `Reset the password of ${KIM.name}`);
    await checkPage(sam, 'helper: reset their password');
    await label(sam, 'Their username').fill('somebody-else');
    await errorState(sam, 'helper: reset their password (wrong username)', 'Get a code', ['That is not the username of this person']);
    await label(sam, 'Their username').fill(KIM.username);
    await press(sam, 'Get a code');
    await expectH1(sam, 'Their code');
    code = squash(await sam.locator('.app-code').innerText());
    assert.ok(code, `no code on ${sam.url()}`);
    await checkPage(sam, 'helper: the reset code');

    await go(sam, `/helping/${pod}`);
    await follow(sam, 'Share for them');
    await expectH1(sam, 'What do you want to share?');
    assert.equal(new URL(sam.url()).pathname, `/helping/${pod}/share/what`);
    await expectText(sam, `You are doing this for ${KIM.name}`);
    await checkPage(sam, 'helper: share, what');
    await errorState(sam, 'helper: share, what (nothing ticked)', 'Continue', ['Select at least one thing to share']);

    await go(sam, `/helping/${pod}`);
    await follow(sam, 'Their shares');
    await expectH1(sam, 'My shares');
    assert.equal(new URL(sam.url()).pathname, `/helping/${pod}/shares`);
    await expectText(sam, 'Bright Bank');
    await checkPage(sam, 'helper: their shares');
  });

  await step('11. the leaver sees what the helper did, and signs out', async () => {
    await nav(kim, 'Who has looked');
    await expectH1(kim, 'Who has looked');
    await expectText(kim, `${SAM.name}, your helper, started a password reset for you`);
    await checkPage(kim, "Who has looked, after the helper's visit");

    await nav(kim, 'Sign out');
    await expectH1(kim, 'Sign out');
    await checkPage(kim, 'sign out');
    await press(kim, 'Sign out');
    await expectH1(kim, 'Keep your documents safe');
    await go(kim, '/my');
    await expectH1(kim, 'Sign in');
  });

  await step("12. the leaver makes a new password with the helper's code and signs in with it", async () => {
    await go(visitor, '/reset');
    await label(visitor, 'Username').fill(KIM.username);
    await label(visitor, 'Your code').fill(code);
    await label(visitor, 'New password').fill(NEW_PASSWORD);
    await label(visitor, 'Type the new password again').fill(NEW_PASSWORD);
    await press(visitor, 'Save new password');
    await expectH1(visitor, 'Your password is changed');
    await checkPage(visitor, 'reset: your password is changed');

    await go(visitor, '/sign-in');
    await label(visitor, 'Username').fill(KIM.username);
    await label(visitor, 'Password').fill(KIM.password);
    await errorState(visitor, 'sign in (the old password after a reset)', 'Sign in', ['Your username or password is not right']);
    await label(visitor, 'Password').fill(NEW_PASSWORD);
    await press(visitor, 'Sign in');
    await expectH1(visitor, 'My things');
    await expectText(visitor, 'Photo of my ID card');
    await checkPage(visitor, 'My things, signed in with the new password');
  });
});
