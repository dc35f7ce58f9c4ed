// End-to-end test of an organisation's pages (issue 16, part 1) and of a
// leaver joining it and leaving it, in a real headless Chromium: an admin
// and a member of staff of "Example College" sign in and land on the
// organisation's pages; a leaver opens the join link, says yes and is
// listed; the member of staff sends a record by form (by keyboard alone,
// with a bad date first, then "Check your answers"), uploads a CSV file
// with good and bad rows (each bad row explained on the page), sees what
// was sent and withdraws one with a reason; the admin adds and removes a
// member of staff; the leaver stops the organisation sending records.
// Every page, and every form error, is checked with axe-core (WCAG 2.2 A
// and AA) at its width and at 320 px, for sideways scrolling at 320 px, and
// for markup problems. Run it with run.sh, which sets, besides those of
// browser.mjs:
//
//   SATCHEL_ORG_ADMIN_USERNAME   an admin of the organisation "Example
//   SATCHEL_ORG_ADMIN_PASSWORD   College" (slug example-college)
//   SATCHEL_ORG_STAFF_USERNAME   a member of its staff (not an admin)
//   SATCHEL_ORG_STAFF_PASSWORD
//   SATCHEL_ORG_LEAVER_USERNAME  a leaver who joins it ("Max Example")
//   SATCHEL_ORG_LEAVER_PASSWORD
//   SATCHEL_PRISON_STAFF_USERNAME  staff of "HMP Example" (slug
//   SATCHEL_PRISON_STAFF_PASSWORD  hmp-example-prison), which signs custody
//                                  periods, stays and release documents
//
// A second test: the leaver joins HMP Example, whose staff choose "What
// are you sending?" and send a custody period (an end before its start
// first), and open the stay and release document forms with their errors.
//
// The figures it logs: how many organisation and enrolment pages it
// checked, and the time it took.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { checkA11y, NARROW } from './axe.mjs';
import { markupProblems } from './markup.mjs';
import {
  BASE, env, launch, label, h1, expectH1, expectText, mainText, follow, press, submit, squash, navigation, keeper, EVERY_SCREENSHOT,
} from './browser.mjs';

const ADMIN = { username: env('SATCHEL_ORG_ADMIN_USERNAME'), password: env('SATCHEL_ORG_ADMIN_PASSWORD') };
const STAFF = { username: env('SATCHEL_ORG_STAFF_USERNAME'), password: env('SATCHEL_ORG_STAFF_PASSWORD') };
const LEAVER = { username: env('SATCHEL_ORG_LEAVER_USERNAME'), password: env('SATCHEL_ORG_LEAVER_PASSWORD') };
const ORG = 'Example College';
const PRISON_STAFF = { username: env('SATCHEL_PRISON_STAFF_USERNAME'), password: env('SATCHEL_PRISON_STAFF_PASSWORD') };
const PRISON = 'HMP Example';

let session;
const { keep } = keeper('org');

// check checks the page as it is now; a problem is kept in problems (so
// that one does not hide the next) and the page counted in checked.
const checked = [];
// The pages whose table is wider than the screen at 320 px, so that it
// scrolls sideways in its pane (.app-table-pane), and by how much.
const panesScrolling = [];
async function check(page, name, problems, { errors = false } = {}) {
  checked.push(name);
  for (const p of session.takeProblems()) problems.push(`${name}: browser: ${p}`);
  for (const p of await markupProblems(page, errors)) problems.push(`${name}: markup: ${p}`);
  try {
    await checkA11y(page, name, { narrow: true });
  } catch (err) {
    let what = '';
    if (/scrolls sideways/.test(err.message)) what = `\n  sticking out at ${NARROW}px: ${await sticking(page)}`;
    problems.push(`${name}: ${err.message}${what}`);
  }
  const scrolled = await atNarrow(page, () =>
    page.evaluate(() => [...document.querySelectorAll('.app-table-pane')].map((el) => el.scrollWidth - el.clientWidth).filter((n) => n > 0)),
  );
  if (scrolled.length) panesScrolling.push(`${name} (${scrolled.map((n) => `${n} px`).join(', ')})`);
  if (EVERY_SCREENSHOT) await keep(page, name);
}

// atNarrow runs fn with the page at 320 px wide, and puts it back.
async function atNarrow(page, fn) {
  const size = page.viewportSize();
  await page.setViewportSize({ width: NARROW, height: size.height });
  try {
    return await fn();
  } finally {
    await page.setViewportSize(size);
  }
}

// sticking lists the innermost elements that stick out of the page at 320
// px wide, to say what makes it scroll sideways.
async function sticking(page) {
  return atNarrow(page, () =>
    page.evaluate(() => {
      const edge = document.documentElement.clientWidth + 0.5;
      const out = [...document.querySelectorAll('main *, header *, footer *')].filter(
        (el) => el.getBoundingClientRect().right > edge && ![...el.children].some((c) => c.getBoundingClientRect().right > edge),
      );
      return out
        .slice(0, 5)
        .map((el) => `${el.tagName.toLowerCase()}${el.className ? `.${String(el.className).trim().split(/\s+/).join('.')}` : ''} "${el.textContent.trim().slice(0, 40)}" (right edge ${Math.round(el.getBoundingClientRect().right)}px)`)
        .join('; ');
    }),
  );
}

async function signIn(page, who) {
  await navigation(page, 'opening /sign-in', () => page.goto(`${BASE}/sign-in`));
  await label(page, 'Username').fill(who.username);
  await label(page, 'Password').fill(who.password);
  await press(page, 'Sign in');
}

// focused is the id (or tag) and value of the element with the focus.
const focused = (page) =>
  page.evaluate(() => {
    const el = document.activeElement;
    return { id: el ? el.id : '', tag: el ? el.tagName.toLowerCase() : '', value: el && 'value' in el ? el.value : '', text: el ? el.textContent.trim() : '' };
  });

// tabTo presses Tab until the element with id (or, given a function, the
// one it accepts) has the focus.
async function tabTo(page, want) {
  const ok = typeof want === 'function' ? want : (f) => f.id === want;
  const seen = [];
  for (let i = 0; i < 80; i++) {
    await page.keyboard.press('Tab');
    const f = await focused(page);
    if (ok(f)) return f;
    seen.push(f.id ? `#${f.id}` : `${f.tag} "${f.text.slice(0, 30)}"`);
  }
  throw new Error(`Tab never reached ${String(want)} on ${page.url()} (h1 "${await h1(page)}"); the focus went to ${seen.join(', ')}`);
}

// typeInto tabs to the text box id, selects what it holds and types text.
async function typeInto(page, id, text) {
  await tabTo(page, id);
  await page.keyboard.press('Control+A');
  await page.keyboard.type(text);
  assert.equal((await focused(page)).value, text, `typed "${text}" into #${id}`);
}

test('an organisation\'s admin and staff use its pages, and a leaver joins it and stops it', { timeout: 240_000 }, async (t) => {
  session = await launch();
  t.after(() => session.close());
  const problems = [];
  const started = Date.now();
  const csvDir = mkdtempSync(join(tmpdir(), 'satchel-org-'));
  t.after(() => rmSync(csvDir, { recursive: true, force: true }));

  // The admin lands on the organisation's home page, with its join code.
  const admin = await (await session.newContext('org admin')).newPage();
  await signIn(admin, ADMIN);
  await expectH1(admin, ORG);
  await expectText(admin, 'How people join');
  await check(admin, 'org home (admin)', problems);
  const code = squash(await admin.locator('#join-code').innerText());
  assert.match(code, /^[A-Z0-9]{4}-[A-Z0-9]{4}$/);
  assert.equal(await admin.getByRole('link', { name: 'Staff', exact: true }).count() > 0, true, 'the admin has a Staff link');

  // The leaver opens the join link signed out, is told to sign in, signs
  // in and opens it again; they say yes (after leaving the name empty).
  const leaver = await (await session.newContext('leaver', { viewport: { width: 360, height: 740 } })).newPage();
  const joinURL = `${BASE}/join/${code.replace('-', '')}`;
  await navigation(leaver, 'opening the join link', () => leaver.goto(joinURL));
  await expectH1(leaver, `Get records from ${ORG}`);
  await expectText(leaver, code);
  await check(leaver, 'join link (signed out)', problems);
  await signIn(leaver, LEAVER);
  await navigation(leaver, 'opening the join link', () => leaver.goto(joinURL));
  await expectH1(leaver, "Type the organisation's code");
  await check(leaver, 'join: the code', problems);
  await label(leaver, "Type the organisation's code").fill('ZZZZ-9999');
  await submit(leaver, 'Continue');
  await expectText(leaver, 'That code is not right. Check it and try again');
  await check(leaver, 'join: a wrong code', problems, { errors: true });
  await label(leaver, "Type the organisation's code").fill(code.toLowerCase());
  await press(leaver, 'Continue');
  await expectH1(leaver, `Get records from ${ORG}?`);
  await check(leaver, 'join: say yes', problems);
  await label(leaver, 'What name should they know you by?').fill('');
  await submit(leaver, 'Yes, they can send me records');
  await expectText(leaver, 'Enter a name of up to 200 letters');
  await check(leaver, 'join: say yes, with no name', problems, { errors: true });
  await label(leaver, 'What name should they know you by?').fill('Max Example');
  await press(leaver, 'Yes, they can send me records');
  await expectH1(leaver, 'Organisations');
  await expectText(leaver, 'They can now send records');
  await expectText(leaver, ORG);
  await check(leaver, 'my organisations', problems);

  // The member of staff lands on the same home page, without Staff.
  const staff = await (await session.newContext('org staff')).newPage();
  await signIn(staff, STAFF);
  await expectH1(staff, ORG);
  await check(staff, 'org home (staff)', problems);
  assert.equal(await staff.getByRole('link', { name: 'Staff', exact: true }).count(), 0, 'staff who are not admins have no Staff link');
  const refused = await staff.goto(`${BASE}/org/staff`);
  assert.equal(refused.status(), 404, 'staff who are not admins cannot open the staff list');
  // The join link says staff cannot use it.
  await navigation(staff, 'opening the join link', () => staff.goto(joinURL));
  await expectText(staff, 'Only the person the records are for, or their helper, can use this code.');
  await check(staff, 'join link (staff)', problems);
  await navigation(staff, "opening /org", () => staff.goto(`${BASE}/org`));

  await follow(staff, 'People who joined');
  await expectH1(staff, 'People who joined');
  await expectText(staff, 'Max Example');
  await check(staff, 'people', problems);
  const enrolment = squash(await staff.locator('tbody tr', { hasText: 'Max Example' }).locator('code').innerText());

  // The issue form, by keyboard alone: a start date with month 13 first.
  await follow(staff, 'Send a record Max Example');
  await expectH1(staff, 'Send a record of a course');
  await check(staff, 'issue form', problems);
  assert.equal(await staff.locator('#to').inputValue(), enrolment, '"Send a record" chose the person');
  // Choosing the person again with the arrow keys, on the closed list.
  await tabTo(staff, 'to');
  await staff.keyboard.press('ArrowUp');
  assert.equal(await staff.locator('#to').inputValue(), '', 'ArrowUp went to "Choose a person"');
  await staff.keyboard.press('ArrowDown');
  assert.equal(await staff.locator('#to').inputValue(), enrolment, 'ArrowDown chose Max Example');
  await typeInto(staff, 'course', 'Food Safety');
  await typeInto(staff, 'code', 'FS-2');
  await tabTo(staff, (f) => f.id === 'accredited' || (f.tag === 'input' && f.value === 'yes'));
  await staff.keyboard.press('Space');
  assert.ok(await staff.locator('input[name="accredited"][value="yes"]').isChecked(), 'Space chose "Yes"');
  await typeInto(staff, 'body', 'Example Awards');
  await typeInto(staff, 'level', 'Level 2');
  await typeInto(staff, 'start', '6');
  await typeInto(staff, 'start-month', '13');
  await typeInto(staff, 'start-year', '2025');
  await typeInto(staff, 'end', '27');
  await typeInto(staff, 'end-month', '6');
  await typeInto(staff, 'end-year', '2025');
  await typeInto(staff, 'outcome', 'Achieved');
  await typeInto(staff, 'establishment', 'HMP Example');
  await tabTo(staff, (f) => f.tag === 'button' && f.text === 'Continue');
  await navigation(staff, 'Enter on Continue', () => staff.keyboard.press('Enter'));
  await expectText(staff, 'Enter the date the course started, like 6 1 2025');
  assert.match(await staff.title(), /^Error:/);
  await check(staff, 'issue form, with a bad date', problems, { errors: true });
  await typeInto(staff, 'start-month', '1');
  await tabTo(staff, (f) => f.tag === 'button' && f.text === 'Continue');
  await navigation(staff, 'Enter on Continue', () => staff.keyboard.press('Enter'));
  await expectH1(staff, 'Check your answers');
  for (const want of ['Max Example', 'Food Safety', 'FS-2', 'Example Awards', 'Level 2', '6 January 2025', '27 June 2025', 'Achieved', 'HMP Example']) {
    await expectText(staff, want);
  }
  await check(staff, 'issue: check your answers', problems);
  await tabTo(staff, (f) => f.tag === 'button' && f.text === 'Sign and send');
  await navigation(staff, 'Enter on Sign and send', () => staff.keyboard.press('Enter'));
  await expectH1(staff, 'Records you sent');
  await expectText(staff, 'The record is signed and sent');

  // A CSV file with one good row and two bad ones.
  const csv = join(csvDir, 'courses.csv');
  writeFileSync(
    csv,
    'enrolment,course_name,course_code,accredited,awarding_body,level,learning_start,learning_end,outcome,grade,establishment\n' +
      `${enrolment},Maths,M1,yes,Example Awards,Level 1,2025-01-06,2025-03-28,Achieved,Pass,HMP Example\n` +
      'nobody-here,English,E1,yes,Example Awards,Level 1,2025-01-06,2025-03-28,Achieved,Pass,HMP Example\n' +
      `${enrolment},Woodwork,W1,yes,Example Awards,Level 1,2025-05-06,2025-03-28,Achieved,Pass,HMP Example\n`,
  );
  await staff.goto(`${BASE}/org`);
  await follow(staff, 'Send many records from a file');
  await expectH1(staff, 'Send many records from a file');
  await staff.getByText('How to set out the file').click();
  await expectText(staff, 'enrolment,course_name,course_code');
  await check(staff, 'upload, with how to set out the file open', problems);
  await submit(staff, 'Send the records');
  await expectText(staff, 'Choose a CSV file');
  await check(staff, 'upload, with no file', problems, { errors: true });
  const noHeader = join(csvDir, 'no-header.csv');
  writeFileSync(noHeader, `${enrolment},Maths,M1,yes,Example Awards,Level 1,2025-01-06,2025-03-28,Achieved,Pass,HMP Example\n`);
  await staff.locator('#file').setInputFiles(noHeader);
  await submit(staff, 'Send the records');
  await expectText(staff, 'We could not read the file.');
  await check(staff, 'upload, a file without its header row', problems, { errors: true });
  await staff.locator('#file').setInputFiles(csv);
  await submit(staff, 'Send the records');
  await expectH1(staff, 'What happened to your file');
  await expectText(staff, 'Records signed and sent: 1');
  await expectText(staff, 'Rows not sent: 2');
  const row = async (n) => squash(await staff.locator(`#row-${n}`).innerText());
  assert.match(await row(2), /Sent/);
  assert.match(await row(3), /Not sent \S/, 'row 3 says why');
  assert.match(await row(4), /Not sent \S/, 'row 4 says why');
  const summary = squash(await staff.locator('.govuk-error-summary').innerText());
  assert.match(summary, /Row 3: \S/);
  assert.match(summary, /Row 4: \S/);
  t.diagnostic(`upload: ${summary}`);
  assert.match(await staff.title(), /^Error:/, 'the title says the page shows errors');
  assert.ok(
    await staff.evaluate(() => document.querySelector('.govuk-error-summary').contains(document.activeElement)),
    'the list of rows not sent has the focus',
  );
  await check(staff, 'upload: good and bad rows', problems);

  // What was sent, and withdrawing one (with no reason first).
  await follow(staff, 'Records you sent');
  await expectH1(staff, 'Records you sent');
  await expectText(staff, 'Food Safety');
  await expectText(staff, 'Maths');
  await check(staff, 'issued list', problems);
  // The table's pane takes the focus from the keyboard, and shows it.
  await tabTo(staff, (f) => f.tag === 'div' && f.id === '' && f.text.startsWith('Records you sent'));
  const ring = await staff.evaluate(() => getComputedStyle(document.activeElement).boxShadow);
  assert.notEqual(ring, 'none', 'the focused table pane shows the focus');
  await follow(staff, 'Withdraw Food Safety');
  await expectH1(staff, 'Withdraw Food Safety?');
  await check(staff, 'withdraw', problems);
  await submit(staff, 'Yes, withdraw it');
  await expectText(staff, 'Say why you are withdrawing it');
  await check(staff, 'withdraw, with no reason', problems, { errors: true });
  await label(staff, 'Why are you withdrawing it?').fill('The level was wrong');
  await press(staff, 'Yes, withdraw it');
  await expectH1(staff, 'Records you sent');
  await expectText(staff, 'The record is withdrawn');
  const food = squash(await staff.locator('tbody tr', { hasText: 'Food Safety' }).innerText());
  assert.match(food, /Withdrawn Why: The level was wrong/);
  const maths = squash(await staff.locator('tbody tr', { hasText: 'Maths' }).innerText());
  assert.match(maths, /Valid/);
  await check(staff, 'issued list, after withdrawing', problems);

  // The admin's staff pages: add someone (after an empty form), remove them.
  await follow(admin, 'Staff');
  await expectH1(admin, 'Staff');
  await expectText(admin, 'Tom Tutor');
  await check(admin, 'staff', problems);
  // Tom is made an admin, and staff only again.
  await press(admin, 'Make admin Tom Tutor');
  await expectText(admin, 'Their role is changed');
  assert.match(squash(await admin.locator('tbody tr', { hasText: 'Tom Tutor' }).innerText()), /Admin/);
  await check(admin, 'staff, after a change of role', problems);
  await press(admin, 'Make staff only Tom Tutor');
  assert.match(squash(await admin.locator('tbody tr', { hasText: 'Tom Tutor' }).innerText()), /Staff/);
  // The only admin cannot make themselves staff only.
  await submit(admin, 'Make staff only Ada Admin');
  await expectText(admin, 'Your organisation must keep at least one admin');
  await check(admin, 'staff, making the only admin staff only', problems, { errors: true });
  await follow(admin, 'Add staff');
  await expectH1(admin, 'Add staff');
  await check(admin, 'add staff', problems);
  await submit(admin, 'Add them');
  await expectText(admin, 'Enter their full name');
  await check(admin, 'add staff, with nothing filled in', problems, { errors: true });
  await label(admin, 'Full name').fill('Nia New');
  await label(admin, 'Username').fill('nia-new');
  await label(admin, 'Staff').check();
  await press(admin, 'Add them');
  await expectH1(admin, 'Nia New is added');
  assert.ok(squash(await admin.locator('#setup-code').innerText()).length >= 8, 'a set-up code is shown');
  await check(admin, 'staff added: set-up code', problems);
  await follow(admin, 'Back to staff');
  await expectText(admin, 'Nia New');
  await follow(admin, 'Remove Nia New');
  await expectH1(admin, 'Remove Nia New?');
  await check(admin, 'remove staff', problems);
  await press(admin, 'Yes, remove them');
  await expectH1(admin, 'Staff');
  await expectText(admin, 'They are removed');
  assert.ok(!(await mainText(admin)).includes('Nia New'), 'Nia New is no longer listed');
  await check(admin, 'staff, after removing', problems);
  await navigation(admin, 'opening remove yourself', () => admin.goto(`${BASE}/org/staff/${ADMIN.username}/remove`));
  await expectText(admin, 'You cannot remove yourself');
  await check(admin, 'remove staff: yourself', problems, { errors: true });

  // The leaver stops the organisation; the staff see them gone.
  await navigation(leaver, 'opening /my/organisations', () => leaver.goto(`${BASE}/my/organisations`));
  await follow(leaver, `Stop ${ORG}`);
  await expectH1(leaver, `Stop ${ORG} sending you records?`);
  await check(leaver, 'stop an organisation', problems);
  await press(leaver, 'Yes, stop them');
  await expectH1(leaver, 'Organisations');
  await expectText(leaver, 'No organisation can send you records yet.');
  assert.ok(!(await mainText(leaver)).includes(ORG), `${ORG} is no longer listed`);
  await check(leaver, 'my organisations, after stopping', problems);
  await staff.goto(`${BASE}/org/people`);
  await expectText(staff, 'Nobody has joined yet.');
  await check(staff, 'people, after the leaver stopped', problems);
  await staff.goto(`${BASE}/org/issued`);
  assert.match(squash(await staff.locator('tbody tr', { hasText: 'Maths' }).innerText()), /Someone who stopped getting records from you/);
  await check(staff, 'issued list, after the leaver stopped', problems);

  const seconds = ((Date.now() - started) / 1000).toFixed(1);
  t.diagnostic(`organisation pages: ${checked.length} pages and form errors checked (axe at full width and at 320 px, sideways scrolling, markup), ${seconds} s`);
  t.diagnostic(`tables scrolling sideways in their pane at ${NARROW} px: ${panesScrolling.length ? panesScrolling.join('; ') : 'none'}`);
  assert.deepEqual(problems, []);
});

test('a prison\'s staff send a custody period, and see the stay and release document forms', { timeout: 180_000 }, async (t) => {
  session = await launch();
  t.after(() => session.close());
  const problems = [];
  const before = checked.length;

  const officer = await (await session.newContext('prison staff')).newPage();
  await signIn(officer, PRISON_STAFF);
  await expectH1(officer, PRISON);
  const code = squash(await officer.locator('#join-code').innerText());
  assert.equal(await officer.getByRole('link', { name: 'Send many records from a file' }).count(), 0, 'a prison that signs no courses has no CSV upload');

  const leaver = await (await session.newContext('leaver', { viewport: { width: 360, height: 740 } })).newPage();
  await signIn(leaver, LEAVER);
  await navigation(leaver, 'opening the join link', () => leaver.goto(`${BASE}/join/${code.replace('-', '')}`));
  await press(leaver, 'Continue');
  await expectH1(leaver, `Get records from ${PRISON}?`);
  await label(leaver, 'What name should they know you by?').fill('Max Example');
  await press(leaver, 'Yes, they can send me records');
  await expectText(leaver, 'They can now send records');

  // What are you sending? Only what the prison may sign; no answer first.
  await navigation(officer, 'opening /org/people', () => officer.goto(`${BASE}/org/people`));
  await follow(officer, 'Send a record Max Example');
  await expectH1(officer, 'What are you sending?');
  const offered = await mainText(officer);
  for (const want of ['Time in custody', 'A stay in a hostel or approved premises', 'A release document']) assert.ok(offered.includes(want), `offers ${want}`);
  assert.ok(!offered.includes('A course'), 'a prison that signs no courses is not offered one');
  await check(officer, 'issue: what are you sending', problems);
  await submit(officer, 'Continue');
  await expectText(officer, 'Choose what you are sending');
  await check(officer, 'issue: what are you sending, with no answer', problems, { errors: true });

  // A stay and a release document: their questions, and their errors.
  await officer.getByLabel('A stay in a hostel or approved premises').check();
  await press(officer, 'Continue');
  await expectH1(officer, 'Send a record of a stay');
  await check(officer, 'issue a stay', problems);
  await submit(officer, 'Continue');
  await expectText(officer, 'Enter the town or city');
  await check(officer, 'issue a stay, with errors', problems, { errors: true });
  await navigation(officer, 'opening /org/issue', () => officer.goto(`${BASE}/org/issue`));
  await officer.getByLabel('A release document').check();
  await press(officer, 'Continue');
  await expectH1(officer, 'Send a release document');
  await check(officer, 'issue a release document', problems);
  await submit(officer, 'Continue');
  await expectText(officer, 'Enter the date of release');
  await check(officer, 'issue a release document, with errors', problems, { errors: true });

  // Time in custody: an end before its start, then check and send.
  await navigation(officer, 'opening /org/issue', () => officer.goto(`${BASE}/org/issue`));
  await officer.getByLabel('Time in custody').check();
  await press(officer, 'Continue');
  await expectH1(officer, 'Send a record of time in custody');
  await check(officer, 'issue a custody period', problems);
  await officer.locator('#to').selectOption(await officer.locator('#to option', { hasText: 'Max Example' }).getAttribute('value'));
  await label(officer, 'Name of the prison').fill(PRISON);
  const date = async (id, d, m, y) => {
    await officer.locator(`#${id}`).fill(d);
    await officer.locator(`#${id}-month`).fill(m);
    await officer.locator(`#${id}-year`).fill(y);
  };
  await date('start', '1', '2', '2023');
  await date('end', '31', '1', '2023');
  await label(officer, 'Town or city').fill('Leeds');
  await submit(officer, 'Continue');
  await expectText(officer, 'The custody period cannot end before it starts');
  await check(officer, 'issue a custody period, ending before it starts', problems, { errors: true });
  await date('end', '', '', '');
  await press(officer, 'Continue');
  await expectH1(officer, 'Check your answers');
  for (const want of ['Time in custody', 'Max Example', PRISON, '1 February 2023', 'Still in custody', 'Leeds']) await expectText(officer, want);
  await check(officer, 'issue a custody period: check your answers', problems);
  await press(officer, 'Sign and send');
  await expectH1(officer, 'Records you sent');
  await expectText(officer, `Sent to Max Example: In custody at ${PRISON}.`);
  await check(officer, 'issued list, after a custody period', problems);

  await navigation(leaver, 'opening /my', () => leaver.goto(`${BASE}/my`));
  await expectText(leaver, `In custody at ${PRISON}`);

  t.diagnostic(`prison pages: ${checked.length - before} pages and form errors checked`);
  assert.deepEqual(problems, []);
});
