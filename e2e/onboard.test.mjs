// End-to-end test of pre-release onboarding (issue 16, part 3), in a real
// headless Chromium: a resettlement officer starts a Satchel for someone in
// custody, adds a scan of their ID and prints a claim letter; the person
// opens the letter's link, types their date of birth and a password of
// their own, lands in their Satchel and sees the scan "Added by" the
// organisation; the officer's page of them is then gone. Every page is
// checked with axe-core (WCAG 2.2 A and AA) at its width and at 320 px, and
// for markup problems. Run it with run.sh, which sets, besides those of
// browser.mjs:
//
//   SATCHEL_STAFF_USERNAME   staff of the organisation "HMP Example
//   SATCHEL_STAFF_PASSWORD   Resettlement" (slug hmp-example-resettlement)
//
// The figure it logs: the pages from the officer's first to the person's
// Satchel, and the time it took.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';

import { checkA11y } from './axe.mjs';
import { markupProblems } from './markup.mjs';
import { BASE, env, launch, label, expectH1, expectText, follow, press, squash, navigation } from './browser.mjs';

const STAFF = { username: env('SATCHEL_STAFF_USERNAME'), password: env('SATCHEL_STAFF_PASSWORD') };
const PHOTO = fileURLToPath(new URL('../examples/pod/documents/id-card.png', import.meta.url));
const PASSWORD = `own-${Math.random().toString(36).slice(2)}-password`;

let session;

async function check(page, name, problems) {
  for (const p of session.takeProblems()) problems.push(`${name}: browser: ${p}`);
  for (const p of await markupProblems(page, false)) problems.push(`${name}: markup: ${p}`);
  try {
    await checkA11y(page, name, { narrow: true });
  } catch (err) {
    problems.push(`${name}: ${err.message}`);
  }
}

test('an officer starts a Satchel for someone in custody, adds a scan and prints a claim letter; the person claims it', { timeout: 120_000 }, async (t) => {
  session = await launch();
  t.after(() => session.close());
  const problems = [];
  const started = Date.now();
  const officer = await (await session.newContext('officer')).newPage();

  await navigation(officer, 'opening /sign-in', () => officer.goto(`${BASE}/sign-in`));
  const firstPage = session.pagesLoaded;
  await label(officer, 'Username').fill(STAFF.username);
  await label(officer, 'Password').fill(STAFF.password);
  await press(officer, 'Sign in');
  // (The organisation's home page is checked by org.test.mjs.)
  await follow(officer, 'Start a Satchel for someone in custody');
  await check(officer, 'onboarding list', problems);
  await follow(officer, 'Start a Satchel for someone');
  await check(officer, 'start form', problems);
  await label(officer, 'Name').fill('Jo Custody');
  await label(officer, 'Day').fill('5');
  await label(officer, 'Month').fill('4');
  await label(officer, 'Year').fill('1990');
  await label(officer, 'Your reference').fill('A1234BC');
  await press(officer, 'Start their Satchel');
  await expectH1(officer, 'Jo Custody');
  await check(officer, 'person', problems);
  await follow(officer, 'Add a document');
  await check(officer, 'add a document', problems);
  await label(officer, 'What is it called?').fill('Photo ID card');
  await officer.locator('input[name="where"][value="identity/"]').check();
  await officer.locator('#file').setInputFiles(PHOTO);
  await press(officer, 'Save');
  await expectH1(officer, 'Jo Custody');
  await follow(officer, 'Print a claim letter');
  await check(officer, 'letter: ask', problems);
  await press(officer, 'Make the letter');
  await check(officer, 'claim letter', problems);
  const code = squash(await officer.locator('#claim-code').innerText());
  assert.match(code, /^[A-Z0-9]{4}-[A-Z0-9]{4}-[A-Z0-9]{4}$/);
  const link = await officer.locator('svg title').count();
  assert.ok(link > 0, 'the letter has a QR code');
  const personURL = officer.url().replace(/\/letter$/, '');

  // On release day: the person opens the letter's link on their phone.
  const jo = await (await session.newContext('person', { viewport: { width: 360, height: 740 } })).newPage();
  await navigation(jo, 'opening the claim link', () => jo.goto(`${BASE}/claim?code=${encodeURIComponent(code)}`));
  await expectH1(jo, 'Get your Satchel');
  await check(jo, 'claim', problems);
  await label(jo, 'Day').fill('5');
  await label(jo, 'Month').fill('4');
  await label(jo, 'Year').fill('1990');
  await label(jo, 'Choose a password').fill(PASSWORD);
  await label(jo, 'Type the password again').fill(PASSWORD);
  await press(jo, 'Get my Satchel');
  await expectH1(jo, 'My things');
  await check(jo, 'my things after claiming', problems);
  await follow(jo, 'Photo ID card');
  await expectText(jo, 'Added by HMP Example Resettlement');
  await check(jo, 'the scan', problems);
  const pages = session.pagesLoaded - firstPage;
  const seconds = ((Date.now() - started) / 1000).toFixed(1);
  t.diagnostic(`onboarding to claim: ${pages} pages loaded from the server (officer and person), ${seconds} s`);

  // The officer's page of the person is gone.
  const gone = await officer.goto(personURL);
  assert.equal(gone.status(), 404);
  assert.deepEqual(problems, []);
});
