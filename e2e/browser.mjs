// What the end-to-end tests (leaver.test.mjs, pages.test.mjs,
// access.test.mjs) share: their settings from run.sh, the headless Chromium
// they drive, what the browser sees on every page (the
// Content-Security-Policy, console and script errors), finding things on a
// page the way a person would, and keeping screenshots and HTML of pages in
// e2e/artifacts/.
//
// run.sh sets, for every test:
//
//   SATCHEL_URL                 the server, e.g. http://127.0.0.1:8080
//   SATCHEL_CHROMIUM            the browser (default /usr/bin/chromium)
//   SATCHEL_E2E_ARTIFACTS       where screenshots of failed steps go
//   SATCHEL_E2E_SCREENSHOTS=1   also keep a screenshot of every page checked
//
// and the accounts each test signs in with (see the top of each test).

import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

export const env = (name, fallback) => {
  const v = process.env[name] ?? fallback;
  if (v === undefined) throw new Error(`${name} is not set: run this test with e2e/run.sh`);
  return v;
};
export const BASE = env('SATCHEL_URL').replace(/\/$/, '');
const CHROMIUM = env('SATCHEL_CHROMIUM', '/usr/bin/chromium');
const ARTIFACTS = env('SATCHEL_E2E_ARTIFACTS', fileURLToPath(new URL('./artifacts/', import.meta.url)));
export const EVERY_SCREENSHOT = process.env.SATCHEL_E2E_SCREENSHOTS === '1';

// Auto-waiting limit for one action or wait; each test has its own overall
// limit.
const ACTION_TIMEOUT = 10_000;

// The network is closed: without these flags Chromium keeps trying to reach
// Google's services and fills the log with refused connections.
const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

// ---- what the browser saw ------------------------------------------------

// cspProblem says what is wrong with a page's Content-Security-Policy, or
// '' if nothing is: scripts must be limited (a script-src, or a
// default-src in its place) and not inline; and no directive (styles
// neither) may allow 'unsafe-inline'.
export function cspProblem(header) {
  if (!header) return 'no Content-Security-Policy header';
  if (header.includes("'unsafe-inline'")) return `the Content-Security-Policy allows 'unsafe-inline': "${header}"`;
  const directives = new Map();
  for (const part of header.split(';')) {
    const [name, ...values] = part.trim().split(/\s+/);
    if (name && !directives.has(name.toLowerCase())) directives.set(name.toLowerCase(), values);
  }
  const scriptSrc = directives.get('script-src') ?? directives.get('default-src');
  if (!scriptSrc) return `neither script-src nor default-src in the Content-Security-Policy "${header}"`;
  if (scriptSrc.includes("'unsafe-inline'")) return `script-src allows 'unsafe-inline': "${header}"`;
  return '';
}

// launch starts Chromium. Close it with session.close().
export async function launch() {
  const browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS, timeout: 30_000 });
  return new Session(browser);
}

// A Session is the browser and what it saw: problems outside any one check
// (a page without a good Content-Security-Policy, console errors, script
// errors), which each test's checkPage takes with takeProblems(); how many
// pages it loaded from the server; and, for each page, the URL and HTTP
// status of the document it last loaded from the server.
class Session {
  constructor(browser) {
    this.browser = browser;
    this.pagesLoaded = 0;
    this.problems = [];
    this.documents = new WeakMap();
  }

  close() {
    return this.browser.close();
  }

  // takeProblems returns the problems seen since it was last called.
  takeProblems() {
    return this.problems.splice(0);
  }

  // documentOf is {url, status} of the page's last document from the
  // server, or undefined if it has loaded none.
  documentOf(page) {
    return this.documents.get(page);
  }

  // newContext opens a browser context (a person's own cookies), called who
  // in problems, with the tests' viewport and time limits, and watches it.
  // options are more Playwright context options, which win over these: e.g.
  // { javaScriptEnabled: false, viewport: { width: 320, height: 800 } }.
  async newContext(who, options = {}) {
    const context = await this.browser.newContext({ viewport: { width: 1280, height: 800 }, ...options });
    context.setDefaultTimeout(ACTION_TIMEOUT);
    context.setDefaultNavigationTimeout(ACTION_TIMEOUT);
    this.watch(context, who);
    return context;
  }

  // watch checks the Content-Security-Policy of every page (HTML document)
  // the context loads from the server, and records every console error and
  // uncaught script error of its pages (a Content-Security-Policy violation
  // is a console error). Chromium logs "Failed to load resource: ... status
  // of 4xx" for a page that is itself the answer to a form with errors (422)
  // or a missing thing (404): that one, for the document's own URL and
  // status, is expected; any other is a problem.
  watch(context, who) {
    context.on('response', (response) => {
      const request = response.request();
      if (request.resourceType() !== 'document' || !response.url().startsWith(BASE)) return;
      const status = response.status();
      if (status >= 300 && status < 400) return; // a redirect has no page to protect
      this.pagesLoaded++;
      const frame = request.frame();
      const page = frame && frame.page();
      if (page) this.documents.set(page, { url: response.url(), status });
      const problem = cspProblem(response.headers()['content-security-policy']);
      if (problem) this.problems.push(`${who}: ${request.method()} ${response.url()} (${status}): ${problem}`);
    });
    context.on('page', (page) => {
      page.on('console', (msg) => {
        if (msg.type() !== 'error') return;
        const doc = this.documents.get(page);
        const m = /^Failed to load resource: the server responded with a status of (\d+)/.exec(msg.text());
        if (m && doc && msg.location().url === doc.url && Number(m[1]) === doc.status) return;
        const where = msg.location().url ? ` (${msg.location().url}:${msg.location().lineNumber})` : '';
        this.problems.push(`${who}: console error on ${page.url()}: ${msg.text()}${where}`);
      });
      page.on('pageerror', (err) => this.problems.push(`${who}: script error on ${page.url()}: ${err.message}`));
    });
  }
}

// ---- finding things as a person would -----------------------------------

export const squash = (s) => s.replace(/\s+/g, ' ').trim();

export const label = (page, text) => page.getByLabel(text, { exact: true });

export async function h1(page) {
  const h = page.locator('h1');
  return (await h.count()) ? squash(await h.first().innerText()) : '(no h1)';
}

// errorSummary is ' and shows the errors: …' with the text of the page's
// GOV.UK error summary, for a message, or '' if it has none.
export async function errorSummary(page) {
  const summary = page.locator('.govuk-error-summary');
  if (!(await summary.count())) return '';
  return ` and shows the errors: ${squash(await summary.first().innerText())}`;
}

// expectH1 waits for the page's h1 to be text (a string: the whole heading;
// a RegExp: a match) and says which page it is on if it is not.
export async function expectH1(page, text) {
  const heading = page.getByRole('heading', { level: 1, name: text, exact: typeof text === 'string' });
  try {
    await heading.waitFor();
  } catch {
    throw new Error(
      `expected a page whose h1 is ${JSON.stringify(String(text))}, ` +
        `but ${page.url()} has h1 ${JSON.stringify(await h1(page))}${await errorSummary(page)}`,
    );
  }
}

// mainText is the text a person sees in the page's main content.
export async function mainText(page) {
  const main = page.locator('main');
  if (!(await main.count())) throw new Error(`${page.url()} has no <main> element`);
  return squash(await main.first().innerText());
}

export async function expectText(page, text) {
  const got = await mainText(page);
  assert.ok(got.includes(text), `expected "${text}" on ${page.url()} (h1 "${await h1(page)}"), but it says: ${got}`);
}

// navigation waits for the page to go to a new document after act() (a
// click on a link or a submit button) and to finish loading it.
export async function navigation(page, what, act) {
  const navigated = page.waitForEvent('framenavigated', { predicate: (f) => f === page.mainFrame() });
  await act();
  try {
    await navigated;
  } catch {
    throw new Error(`${what} on ${page.url()} (h1 "${await h1(page)}") went nowhere`);
  }
  await page.waitForLoadState('load');
}

// follow clicks the link called name (a GOV.UK start button is a link that
// looks like a button, so a button of that name will do too).
export async function follow(page, name, scope = page) {
  const exact = typeof name === 'string';
  const target = scope
    .getByRole('link', { name, exact })
    .or(scope.getByRole('button', { name, exact }))
    .first();
  try {
    await target.waitFor();
  } catch {
    throw new Error(`no link called ${JSON.stringify(String(name))} on ${page.url()} (h1 "${await h1(page)}")`);
  }
  await navigation(page, `following ${JSON.stringify(String(name))}`, () => target.click());
}

// nav follows a link in the service navigation of the header, so that the
// step also shows the link is there.
export async function nav(page, name) {
  const link = page.locator('header').getByRole('link', { name, exact: true });
  if (!(await link.count())) throw new Error(`no "${name}" link in the navigation of ${page.url()} (h1 "${await h1(page)}")`);
  await navigation(page, `following "${name}" in the navigation`, () => link.first().click());
}

// submit clicks the button called name and waits for the next page.
export async function submit(page, name) {
  const button = page.getByRole('button', { name, exact: true }).first();
  try {
    await button.waitFor();
  } catch {
    throw new Error(`no button called "${name}" on ${page.url()} (h1 "${await h1(page)}")`);
  }
  await navigation(page, `pressing "${name}"`, () => button.click());
}

// press clicks the button called name, and fails if the next page shows a
// GOV.UK error summary (the form was not accepted).
export async function press(page, name) {
  const before = await h1(page);
  await submit(page, name);
  const errors = await errorSummary(page);
  if (errors) throw new Error(`after pressing "${name}" on the page "${before}", ${page.url()}${errors}`);
}

// ---- keeping pages -------------------------------------------------------

// keeper returns keep(page, name), which keeps a full-page screenshot and
// the HTML of the page in the artifacts folder as prefix-NN-name.png and
// .html (NN counts up, so they sort in the order they were taken), and
// keepAll(pages, name), which keeps each open page of {who: page} as
// prefix-NN-name--who. A page that cannot be kept is reported on stderr, so
// that it does not hide the failure it was kept for.
export function keeper(prefix) {
  let shots = 0;
  const slug = (s) => s.replace(/[^a-z0-9]+/gi, '-').replace(/^-|-$/g, '').toLowerCase().slice(0, 80);
  const keep = async (page, name, who = '') => {
    mkdirSync(ARTIFACTS, { recursive: true });
    const file = `${ARTIFACTS}/${prefix}-${String(++shots).padStart(2, '0')}-${slug(name)}${who && `--${slug(who)}`}`;
    try {
      await page.screenshot({ path: `${file}.png`, fullPage: true, timeout: 5_000 });
      writeFileSync(`${file}.html`, `<!-- ${page.url()} -->\n${await page.content()}`);
    } catch (err) {
      console.error(`could not keep a screenshot of ${name}${who && ` (${who})`}: ${err.message}`);
    }
  };
  const keepAll = async (pages, name) => {
    for (const [who, page] of Object.entries(pages)) {
      if (page && !page.isClosed()) await keep(page, name, who);
    }
  };
  return { keep, keepAll };
}

// answerAddressQuestions goes through the one-question-a-page address pages
// from the page after "Add an address" to "Check your answers", answering
// each question from a, whatever order the pages come in; check(name)
// checks each page. It returns the questions seen.
export async function answerAddressQuestions(page, a, check = async () => {}) {
  const seen = [];
  for (let i = 0; i < 10; i++) {
    const question = await h1(page);
    seen.push(question);
    await check(`the address question "${question}"`);
    if (/check your answers/i.test(question)) {
      for (const want of [a.line1, a.town, a.postcode]) await expectText(page, want);
      return seen;
    }
    if (/when did you move in/i.test(question)) {
      await label(page, 'Month').fill(String(a.movedIn.month));
      await label(page, 'Year').fill(String(a.movedIn.year));
    } else if (/when did you (move out|leave)/i.test(question)) {
      if (!a.movedOut) throw new Error(`asked "${question}" about an address the leaver still lives at`);
      await label(page, 'Month').fill(String(a.movedOut.month));
      await label(page, 'Year').fill(String(a.movedOut.year));
    } else if (/do you still live here/i.test(question)) {
      await label(page, a.movedOut ? 'No' : 'Yes').check();
    } else if (/what kind of place/i.test(question)) {
      await label(page, a.kind).check();
    } else if (/address/i.test(question)) {
      await label(page, 'Address line 1').fill(a.line1);
      await label(page, 'Town or city').fill(a.town);
      await page.getByLabel(/^Postcode/).fill(a.postcode); // "Postcode (optional)"
    } else {
      throw new Error(`unexpected page "${question}" (${page.url()}) while adding an address; pages so far: ${JSON.stringify(seen)}`);
    }
    await press(page, 'Continue');
  }
  throw new Error(`adding an address never reached "Check your answers"; pages: ${JSON.stringify(seen)}`);
}
