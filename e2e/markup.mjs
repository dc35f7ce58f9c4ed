// Checks of a page's markup that axe does not make, shared by the e2e
// tests.

// markupProblems checks, in the page: every POST form has a csrf field with
// a value; no id is used twice (a label or aria-describedby would then
// name the wrong element); and, for a form's error state, that the title
// starts with "Error:" (in Welsh "Gwall:"), that the error summary has the
// focus (GOV.UK Frontend's script moves it there, so a screen reader reads
// it out; not checked when script is false), that
// each of its links goes to a field that is on the page and shown, that
// each inline message is tied to a field or fieldset by aria-describedby,
// and that each message in the summary is also shown beside its field.
export async function markupProblems(page, errorsExpected, script = true) {
  return page.evaluate(([expected, withScript]) => {
    const out = [];
    const squash = (s) => s.replace(/\s+/g, ' ').trim();
    const describe = (el) => {
      let s = el.tagName.toLowerCase();
      if (el.id) s += `#${el.id}`;
      if (el.getAttribute('action')) s += `[action="${el.getAttribute('action')}"]`;
      return s;
    };
    for (const form of document.querySelectorAll('form')) {
      if ((form.getAttribute('method') || 'get').toLowerCase() !== 'post') continue;
      const csrf = form.querySelector('input[name="csrf"]');
      if (!csrf) out.push(`${describe(form)}: a POST form without an input named csrf`);
      else if (!csrf.value) out.push(`${describe(form)}: its csrf input is empty`);
    }
    const ids = new Map();
    for (const el of document.querySelectorAll('[id]')) ids.set(el.id, (ids.get(el.id) || 0) + 1);
    for (const [id, n] of ids) if (n > 1) out.push(`the id "${id}" is used by ${n} elements`);
    const summary = document.querySelector('.govuk-error-summary');
    if (!expected) return out;
    if (!summary) return [...out, 'no GOV.UK error summary (.govuk-error-summary) after a form with errors'];
    // "Error:", or in Welsh "Gwall:".
    const prefix = document.documentElement.lang === 'cy' ? 'Gwall:' : 'Error:';
    if (!document.title.startsWith(prefix)) out.push(`the title "${document.title}" does not start with "${prefix}" although the page shows errors`);
    // GOV.UK Frontend's script moves the focus to the summary; without
    // script nothing can.
    if (withScript && !summary.contains(document.activeElement)) {
      out.push(`the error summary does not have the focus (${document.activeElement ? describe(document.activeElement) : 'nothing'} has)`);
    }
    const inline = [...document.querySelectorAll('.govuk-error-message')];
    const inlineText = inline.map((e) => squash(e.textContent)).join(' | ');
    const links = [...summary.querySelectorAll('a')];
    if (!links.length) out.push('the error summary has no links to the fields');
    for (const a of links) {
      const text = squash(a.textContent);
      const href = a.getAttribute('href') || '';
      const target = href.startsWith('#') ? document.getElementById(href.slice(1)) : null;
      if (!target) out.push(`error summary link "${text}" (href="${href}") goes to no element on the page`);
      else if (!target.getClientRects().length) out.push(`error summary link "${text}" (href="${href}") goes to ${describe(target)}, which is hidden`);
      if (!inlineText.includes(text)) out.push(`the error "${text}" is in the summary but not beside its field (inline errors: ${inlineText || 'none'})`);
    }
    const describedBy = new Set();
    for (const el of document.querySelectorAll('[aria-describedby]')) {
      for (const id of el.getAttribute('aria-describedby').split(/\s+/)) describedBy.add(id);
    }
    for (const e of inline) {
      if (!e.id) out.push(`the inline error "${squash(e.textContent)}" has no id, so no field can refer to it`);
      else if (!describedBy.has(e.id)) out.push(`the inline error #${e.id} ("${squash(e.textContent)}") is not in any field's or fieldset's aria-describedby`);
    }
    return out;
  }, [errorsExpected, script]);
}
