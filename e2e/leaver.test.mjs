// End-to-end test of the leaver web pages in a real headless Chromium.
// Run it with run.sh, which builds and starts a server and sets:
//
//   SATCHEL_URL                 the server, e.g. http://127.0.0.1:8080
//   SATCHEL_LEAVER_USERNAME     a leaver account, display name "Jo Bloggs"
//   SATCHEL_LEAVER_PASSWORD
//   SATCHEL_HELPER_USERNAME     a helper account, display name "Sam Support"
//   SATCHEL_HELPER_PASSWORD
//
// and those of browser.mjs (the browser, where screenshots go).
//
// The test finds everything the way a person would: by the words on the
// page (headings, link and button text, form labels), so a changed label is
// a failed test. Every page it visits is checked with axe-core for WCAG 2.2
// A and AA, and some at 320 px wide too; every page must send a
// Content-Security-Policy that limits scripts and allows no 'unsafe-inline',
// and log no console or script errors (browser.mjs watches for them).

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';

import { checkA11y } from './axe.mjs';
import {
  BASE, env, EVERY_SCREENSHOT, launch, keeper,
  h1, label, mainText, expectH1, expectText, navigation, follow, nav, press,
  answerAddressQuestions,
} from './browser.mjs';

const LEAVER = { username: env('SATCHEL_LEAVER_USERNAME'), password: env('SATCHEL_LEAVER_PASSWORD') };
const HELPER = { username: env('SATCHEL_HELPER_USERNAME'), password: env('SATCHEL_HELPER_PASSWORD') };

const PHOTO = fileURLToPath(new URL('../examples/pod/documents/id-card.png', import.meta.url));
const THIS_YEAR = new Date().getFullYear();

// The heading of the active shares on "My shares".
const ACTIVE_SHARES = /Who can see your things now|active/i;

// The browser (launched by the test) and screenshots and HTML of pages.
let session;
const { keep, keepAll } = keeper('leaver');

// ---- finding things as a person would (more in browser.mjs) ---------------

async function expectNoText(page, text, why) {
  const got = await mainText(page);
  assert.ok(!got.includes(text), `"${text}" must not be on ${page.url()} (h1 "${await h1(page)}")${why ? `: ${why}` : ''}`);
}

// sections maps each heading in the page's main content to the text of its
// section: everything after it, sub-headings and all, up to the next
// heading of the same or a higher level.
async function sections(page) {
  return page.evaluate(() => {
    const main = document.querySelector('main');
    const clean = (s) => s.replace(/\s+/g, ' ').trim();
    const heads = [...main.querySelectorAll('h1, h2, h3, h4, h5, h6')];
    const level = (h) => Number(h.tagName[1]);
    const after = (a, b) => Boolean(a.compareDocumentPosition(b) & Node.DOCUMENT_POSITION_FOLLOWING);
    const texts = [];
    const walker = document.createTreeWalker(main, NodeFilter.SHOW_TEXT);
    while (walker.nextNode()) texts.push(walker.currentNode);
    const out = {};
    heads.forEach((h, i) => {
      const end = heads.slice(i + 1).find((n) => level(n) <= level(h));
      const inside = texts.filter((t) => after(h, t) && !h.contains(t) && (!end || after(t, end)));
      out[clean(h.textContent)] = clean(inside.map((t) => t.textContent).join(' '));
    });
    return out;
  });
}

async function underHeading(page, headingPattern) {
  const all = await sections(page);
  const heading = Object.keys(all).find((h) => headingPattern.test(h));
  assert.ok(heading !== undefined, `no heading like ${headingPattern} on ${page.url()}; headings: ${JSON.stringify(Object.keys(all))}`);
  return { heading, text: all[heading], all };
}

async function expectUnderHeading(page, headingPattern, text) {
  const s = await underHeading(page, headingPattern);
  assert.ok(s.text.includes(text), `expected "${text}" under the heading "${s.heading}" on ${page.url()}; sections: ${JSON.stringify(s.all, null, 1)}`);
}

async function expectNotUnderHeading(page, headingPattern, text) {
  const all = await sections(page);
  const heading = Object.keys(all).find((h) => headingPattern.test(h));
  if (heading === undefined) return; // no such section, so nothing under it
  assert.ok(!all[heading].includes(text), `"${text}" must not be under the heading "${heading}" on ${page.url()}; sections: ${JSON.stringify(all, null, 1)}`);
}

// checkPage fails at once if the browser saw a problem (a bad
// Content-Security-Policy, a console or script error: see browser.mjs) and
// runs axe.
async function checkPage(page, name, options) {
  const problems = session.takeProblems();
  if (problems.length) {
    throw new Error(`problems seen by the browser:\n  ${problems.join('\n  ')}`);
  }
  await checkA11y(page, name, options);
  if (EVERY_SCREENSHOT) await keep(page, name);
}

// ---- the flow's steps ----------------------------------------------------

async function signIn(page, who) {
  await page.goto(`${BASE}/`);
  await checkPage(page, 'the start page');
  await follow(page, 'Sign in');
  await checkPage(page, 'the sign-in page');
  await label(page, 'Username').fill(who.username);
  await label(page, 'Password').fill(who.password);
  await press(page, 'Sign in');
}

async function addAddress(page, a, start = 'Add an address') {
  await follow(page, start);
  await answerAddressQuestions(page, a, (name) => checkPage(page, name));
  await press(page, 'Save address');
  await checkPage(page, 'the address list after saving');
  await expectText(page, a.line1);
}

// ---- the test --------------------------------------------------------------

test('a leaver signs in, adds things, shares their current address with a landlord, withdraws it and sees who looked', { timeout: 120_000 }, async (t) => {
  session = await launch();
  t.after(() => session.close());
  t.after(() => t.diagnostic(`the browser loaded ${session.pagesLoaded} pages from the server, each with its Content-Security-Policy checked`));
  const newContext = (who) => session.newContext(who);

  const leaverContext = await newContext('leaver');
  const leaver = await leaverContext.newPage();
  let landlordContext;
  let landlord;
  let link;

  // Each step runs only if the ones before it passed; a failed step keeps
  // screenshots of the pages as they were.
  let failed = '';
  const step = (name, fn, { alone = false } = {}) =>
    t.test(name, async (st) => {
      if (failed && !alone) {
        st.skip(`an earlier step failed: ${failed}`);
        return;
      }
      try {
        await fn();
      } catch (err) {
        if (!alone) {
          failed ||= name;
          await keepAll({ leaver, landlord }, `failed-${name}`);
        }
        throw err;
      }
    });

  await step('1. the leaver signs in and sees My things', async () => {
    await signIn(leaver, LEAVER);
    await expectH1(leaver, 'My things');
    await checkPage(leaver, 'My things', { narrow: true });

    const cookies = await leaverContext.cookies(BASE);
    assert.ok(cookies.length > 0, 'signing in set no cookie');
    for (const c of cookies) {
      assert.ok(c.httpOnly, `the cookie ${c.name} is not HttpOnly`);
      assert.ok(['Lax', 'Strict'].includes(c.sameSite), `the cookie ${c.name} has SameSite=${c.sameSite}, not Lax or Strict`);
    }
  });

  await step('2. the leaver adds a photo of their ID card', async () => {
    await follow(leaver, 'Add a document');
    await checkPage(leaver, 'the add a document page');
    await label(leaver, 'What is it called?').fill('Photo of my ID card');
    // "What is it?" says which folder it goes in.
    await leaver.getByLabel(/^Proof of who I am/).check();
    await leaver.getByLabel('Take a photo or choose a file').setInputFiles(PHOTO);
    await press(leaver, 'Save');
    await expectH1(leaver, 'My things');
    await expectText(leaver, 'Photo of my ID card');
    await checkPage(leaver, 'My things with a document', { narrow: true });
  });

  await step('3. the leaver adds their current address and an older one', async () => {
    await follow(leaver, 'Where I have lived');
    await checkPage(leaver, 'Where I have lived');
    await addAddress(leaver, {
      line1: '12 Station Road',
      town: 'Leeds',
      postcode: 'LS1 4DY',
      movedIn: { month: 3, year: THIS_YEAR - 1 },
      kind: 'A home I rent or own',
    });
    await addAddress(leaver, {
      line1: '4 Mill Lane',
      town: 'Bradford',
      postcode: 'BD1 1AA',
      movedIn: { month: 1, year: THIS_YEAR - 3 },
      movedOut: { month: 2, year: THIS_YEAR - 1 },
      kind: 'A hostel',
    }, 'Add another address'); // the button's words once there is an address
    await expectText(leaver, '12 Station Road');
  });

  await step('4. the leaver shares only their current address with a letting agent', async () => {
    await nav(leaver, 'Share');
    await expectH1(leaver, /What do you want to share\?/);
    await label(leaver, 'Where I have lived').check();
    await label(leaver, 'Current address only').check();
    await checkPage(leaver, 'share: what do you want to share', { narrow: true });
    await press(leaver, 'Continue');

    await expectH1(leaver, /Who are you sharing with\?/);
    await label(leaver, 'Their name').fill('Acme Lettings');
    await label(leaver, 'Landlord or letting agent').check();
    await checkPage(leaver, 'share: who are you sharing with');
    await press(leaver, 'Continue');

    await expectH1(leaver, /Why are you sharing\?/);
    await label(leaver, 'To apply for a tenancy').check();
    await checkPage(leaver, 'share: why are you sharing');
    await press(leaver, 'Continue');

    await expectH1(leaver, /How long can they see it\?/);
    await label(leaver, '2 weeks').check();
    await checkPage(leaver, 'share: how long');
    await press(leaver, 'Continue');

    await expectH1(leaver, /This is what Acme Lettings will see/);
    await expectText(leaver, '12 Station Road');
    await expectNoText(leaver, '4 Mill Lane', 'the leaver chose their current address only');
    await expectNoText(leaver, 'Photo of my ID card', 'the leaver did not choose their documents');
    await checkPage(leaver, 'share: preview', { narrow: true });
    await press(leaver, 'Share now');

    const linkBox = label(leaver, 'Link');
    link = await linkBox.inputValue();
    assert.match(link, /^https?:\/\//, `the "Link" box holds "${link}", not a web address`);
    const qr = leaver.getByRole('img', { name: /QR code/ });
    await qr.first().waitFor();
    const qrWidth = await qr.first().evaluate(async (img) => {
      await img.decode().catch(() => {});
      return img.naturalWidth;
    });
    assert.ok(qrWidth > 0, 'the QR code image did not load');
    await leaver.getByRole('link', { name: 'Print this page' }).waitFor();
    await checkPage(leaver, 'share: the link', { narrow: true });
  });

  await step('5. the letting agent opens the link and sees the current address only', async () => {
    landlordContext = await newContext('landlord');
    landlord = await landlordContext.newPage();
    await navigation(landlord, 'opening the shared link', () => landlord.goto(link));
    await expectText(landlord, 'Jo Bloggs has shared some records with you');
    await expectText(landlord, '12 Station Road');
    await expectNoText(landlord, '4 Mill Lane', 'only the current address was shared');
    await expectNoText(landlord, 'Photo of my ID card', 'the photo was not shared');
    const docs = await landlord.locator('img[src*="documents/"], a[href*="documents/"], object, embed').count();
    assert.equal(docs, 0, 'the shared page shows or links to a document that was not shared');
    // Nor can anything the page links to on this server (the signed grant,
    // the records themselves) give away what was not shared.
    const hrefs = await landlord.locator('a[href]').evaluateAll((as) => as.map((a) => a.href));
    for (const href of new Set(hrefs)) {
      // The language link changes the preference, not what is shown.
      if (!href.startsWith(BASE) || href === landlord.url() || new URL(href).pathname === '/language') continue;
      let body = await (await landlordContext.request.get(href, { failOnStatusCode: false })).text();
      // The signed grant is a JWT: read its payload too.
      const jws = body.trim().split('.');
      if (jws.length === 3 && jws.every((part) => /^[\w-]+$/.test(part))) {
        body += Buffer.from(jws[1], 'base64url').toString();
      }
      for (const secret of ['4 Mill Lane', 'Photo of my ID card', 'Bradford']) {
        assert.ok(!body.includes(secret), `the shared page links to ${href}, which gives away "${secret}"`);
      }
    }
    await checkPage(landlord, 'the shared records (landlord)', { narrow: true });
  });

  await step('6. the leaver withdraws the share', async () => {
    await nav(leaver, 'My shares');
    await checkPage(leaver, 'My shares');
    await expectUnderHeading(leaver, ACTIVE_SHARES, 'Acme Lettings');

    await follow(leaver, /^Withdraw/);
    await expectH1(leaver, 'Are you sure you want to withdraw this share?');
    await checkPage(leaver, 'withdraw: are you sure');

    // CSRF smoke: the same form, sent from another site without the page's
    // hidden fields (where a CSRF token would be), must be refused.
    const form = leaver.locator('form[method="post" i]').filter({ has: leaver.getByRole('button', { name: 'Yes, withdraw it' }) });
    const action = new URL((await form.getAttribute('action')) ?? leaver.url(), leaver.url()).href;
    const forged = await leaverContext.request.post(action, {
      headers: { Origin: 'https://attacker.invalid', 'Sec-Fetch-Site': 'cross-site', Referer: 'https://attacker.invalid/' },
      form: {},
      maxRedirects: 0,
      failOnStatusCode: false,
    });
    assert.ok(forged.status() >= 400 && forged.status() < 500, `a cross-site POST to ${action} without a CSRF token got ${forged.status()}, not a 4xx refusal`);

    await press(leaver, 'Yes, withdraw it');
    await expectUnderHeading(leaver, /Withdrawn or ended/i, 'Acme Lettings');
    await expectNotUnderHeading(leaver, ACTIVE_SHARES, 'Acme Lettings');
    await checkPage(leaver, 'My shares after withdrawing');
  });

  await step('7. the letting agent reloads and the link no longer works', async () => {
    await navigation(landlord, 'reloading the shared link', () => landlord.reload());
    await expectText(landlord, 'This link no longer works');
    await expectNoText(landlord, '12 Station Road', 'the share was withdrawn');
    await checkPage(landlord, 'the withdrawn link (landlord)');
  });

  await step('8. the leaver sees who has looked', async () => {
    await nav(leaver, 'Who has looked');
    await expectText(leaver, 'Someone with the link you gave Acme Lettings opened');
    await checkPage(leaver, 'Who has looked', { narrow: true });
  });

  await step('9. a helper can sign in too', async () => {
    const helperContext = await newContext('helper');
    const helper = await helperContext.newPage();
    try {
      await signIn(helper, HELPER);
      assert.notEqual(await h1(helper), '(no h1)', `the helper's first page ${helper.url()} has no h1`);
      await checkPage(helper, "the helper's first page after signing in");
    } catch (err) {
      await keepAll({ helper }, 'failed-9. a helper can sign in too');
      throw err;
    } finally {
      await helperContext.close();
    }
  }, { alone: true });
});
