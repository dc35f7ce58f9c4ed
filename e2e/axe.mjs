// Accessibility checks with axe-core (pinned in package.json) for the
// end-to-end test.
//
// The pages send a strict Content-Security-Policy (script-src 'self'; the
// shared-records page allows no script at all), so axe cannot go in as a
// script tag: page.addScriptTag({path}) makes an inline script, which the
// policy blocks. Nor does this turn the policy off with the browser
// context's bypassCSP: true, which would also hide a page that only works
// because an inline script of its own ran, and this test checks the
// policy. Instead axe's source is evaluated in the page through the
// DevTools protocol (page.evaluate with the file's text), which a page's
// Content-Security-Policy does not govern: for axe only, the pages under
// test keep their real policy and load nothing extra.

import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const axeSource = readFileSync(
  fileURLToPath(new URL('./node_modules/axe-core/axe.min.js', import.meta.url)),
  'utf8',
);

// The WCAG 2.0, 2.1 and 2.2 A and AA rules.
const TAGS = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22a', 'wcag22aa'];

// The narrowest width WCAG 1.4.10 (Reflow) asks a page to work at.
export const NARROW = 320;

// checkA11y runs axe on the page as it is now and throws an error that lists
// each violation (rule, impact, what to fix, and the first elements it found)
// if there are any. name says which page it was, for the message. With
// {narrow: true} it also runs at a 320 px wide viewport, and fails if the
// page then scrolls sideways, and puts the viewport back as it was.
export async function checkA11y(page, name, { narrow = false } = {}) {
  const problems = await violations(page, name);
  if (narrow) {
    const size = page.viewportSize();
    await page.setViewportSize({ width: NARROW, height: size ? size.height : 800 });
    try {
      problems.push(...(await violations(page, `${name} at ${NARROW}px wide`)));
      const overflow = await page.evaluate(() => {
        const doc = document.documentElement;
        return doc.scrollWidth - doc.clientWidth;
      });
      if (overflow > 0) {
        problems.push(
          `${name} at ${NARROW}px wide: the page scrolls sideways by ${overflow}px (WCAG 1.4.10 Reflow)`,
        );
      }
    } finally {
      if (size) await page.setViewportSize(size);
    }
  }
  if (problems.length > 0) {
    throw new Error(`accessibility problems on ${name} (${page.url()}):\n${problems.join('\n')}`);
  }
}

async function violations(page, name) {
  const loaded = await page.evaluate(() => typeof window.axe === 'object');
  if (!loaded) {
    await page.evaluate(axeSource);
    if (!(await page.evaluate(() => typeof window.axe === 'object'))) {
      throw new Error(`could not load axe-core into ${name} (${page.url()})`);
    }
  }
  const result = await page.evaluate(
    (tags) => window.axe.run(document, { runOnly: { type: 'tag', values: tags } }),
    TAGS,
  );
  return result.violations.map((v) => {
    const targets = v.nodes
      .slice(0, 3)
      .map((n) => `      ${n.target.join(' ')}`)
      .join('\n');
    const more = v.nodes.length > 3 ? `\n      … and ${v.nodes.length - 3} more` : '';
    return `  ${name}: ${v.id} (${v.impact}): ${v.help} [${v.helpUrl}]\n${targets}${more}`;
  });
}

// withoutScriptAxe readies a page of a browser context without JavaScript
// for axe-core (which checkA11y evaluates in it through the DevTools
// protocol). With script off the browser calls no script back (no timer,
// queueMicrotask, MutationObserver or message fires): only the promise jobs
// of the JavaScript engine itself run. axe waits on such callbacks, so this
// puts promise-based stand-ins in their place before axe is loaded: a
// timer of 0 or 1 ms runs as a promise job, a longer one (axe's limits on
// how long a step may take) never fires. None of the page's own scripts
// runs with script off (the tests check that), so nothing else sees them;
// the next page load throws them away.
export async function withoutScriptAxe(page) {
  await page.evaluate(() => {
    if (window.axe) return;
    let last = 0;
    const cancelled = new Set();
    window.setTimeout = (fn, ms = 0, ...args) => {
      const id = ++last;
      if (!(ms > 1)) Promise.resolve().then(() => cancelled.has(id) || fn(...args));
      return id;
    };
    window.clearTimeout = (id) => cancelled.add(id);
    window.queueMicrotask = (fn) => { Promise.resolve().then(fn); };
    window.MutationObserver = undefined;
    window.WebKitMutationObserver = undefined;
  });
}
