// Interoperability test: Inrupt's Solid client library against a real
// Satchel server. run.sh builds and starts the server and sets:
//   SATCHEL_URL       server base URL, e.g. http://127.0.0.1:PORT
//   SATCHEL_POD       the pod URL printed by `satchel account create`
//   SATCHEL_USERNAME, SATCHEL_PASSWORD  the account's credentials
//
// The design promise under test: "A Solid client library should be able to
// read and write a pod it is allowed into." Every call below goes through the
// library's own functions with an authenticated fetch; raw fetch is used only
// to sign in and to show what the server answered where the library hides it.
//
// Records go both ways: the library writes datasets as Turtle (PUT, POST)
// and changes them with SPARQL Update (PATCH); Satchel turns both into its
// JSON-LD records and checks them like any other.

import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import {
  FetchError,
  buildThing,
  createContainerAt,
  createContainerInContainer,
  createSolidDataset,
  createThing,
  deleteContainer,
  deleteFile,
  getContainedResourceUrlAll,
  getContentType,
  getDatetime,
  getEffectiveAccess,
  getFile,
  getJsonLdParser,
  getLinkedResourceUrlAll,
  getResourceInfo,
  getSolidDataset,
  getSourceUrl,
  getStringNoLocale,
  getThing,
  getUrlAll,
  isContainer,
  isRawData,
  overwriteFile,
  saveFileInContainer,
  saveSolidDatasetAt,
  saveSolidDatasetInContainer,
  setStringNoLocale,
  setThing,
  setUrl,
} from '@inrupt/solid-client';

function env(name) {
  const v = process.env[name];
  if (!v) throw new Error(`${name} is not set: run this through run.sh`);
  return v;
}

const BASE = env('SATCHEL_URL');
const EXPECTED_POD = env('SATCHEL_POD');
const USERNAME = env('SATCHEL_USERNAME');
const PASSWORD = env('SATCHEL_PASSWORD');

const LDP = 'http://www.w3.org/ns/ldp#';
const PIM_STORAGE = 'http://www.w3.org/ns/pim/space#Storage';
const RDF_TYPE = 'http://www.w3.org/1999/02/22-rdf-syntax-ns#type';
const SCHEMA_NAME = 'https://schema.org/name';
const DOCUMENT_TYPE = 'https://w3id.org/satchel#documentType';
const SATCHEL = 'https://w3id.org/satchel#';
const DCTERMS_MODIFIED = 'http://purl.org/dc/terms/modified';

// A Satchel identity record (https://w3id.org/satchel/v1) with a Thing at #card.
const cardRecord = (kind) => JSON.stringify({
  '@context': 'https://w3id.org/satchel/v1',
  id: '#card',
  type: 'IdentityDocument',
  documentType: kind,
  holder: { type: 'Person', name: 'Interop Test', birthDate: '1990-04-23' },
});
const STANDARD = ['identity/', 'housing/', 'qualifications/', 'finance/', 'documents/', 'inbox/', 'access-log/'];

// Server wording the user sees (RFC 9457 "detail").
const NEED_SIGN_IN = 'Sign in first: this needs a valid access token.';
const NOT_EMPTY = 'This folder still has things in it. Delete them first.';
const STANDARD_FOLDER = 'This folder is part of every pod and cannot be deleted.';
const NOT_A_RECORD = /kind of record Satchel keeps/;

let signIn; // the parsed POST /auth/token response
let POD; // pod root URL, from the sign-in response
let DOCS; // POD + 'documents/'

before(async () => {
  const res = await fetch(new URL('/auth/token', BASE), {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ username: USERNAME, password: PASSWORD }),
  });
  assert.equal(res.status, 200, `sign-in failed: ${res.status} ${await res.clone().text()}`);
  signIn = await res.json();
  POD = signIn.pod;
  DOCS = POD + 'documents/';
});

// headersToObject flattens whatever the library passes as init.headers: a
// Headers object, an array of pairs, a plain object or nothing.
function headersToObject(h) {
  if (h === undefined || h === null) return {};
  if (h instanceof Headers) return Object.fromEntries(h.entries());
  if (Array.isArray(h)) return Object.fromEntries(h);
  return { ...h };
}

// authFetch is a fetch that adds the bearer token. It records each request
// (method, URL, lower-cased headers) in .sent so that a test can show what the
// library put on the wire.
function authFetch(token = signIn.access_token) {
  const sent = [];
  const f = (url, init = {}) => {
    const headers = { ...headersToObject(init.headers), Authorization: 'Bearer ' + token };
    sent.push({
      method: (init.method ?? 'GET').toUpperCase(),
      url: String(url),
      headers: Object.fromEntries(Object.entries(headers).map(([k, v]) => [k.toLowerCase(), String(v)])),
    });
    return fetch(url, { ...init, headers });
  };
  f.sent = sent;
  return f;
}

// fetchError awaits a library call that must fail with an HTTP status and
// returns the library's FetchError.
async function fetchError(promise, status) {
  let err;
  try {
    await promise;
  } catch (e) {
    err = e;
  }
  assert.ok(err, `expected the server to answer ${status}, but the call succeeded`);
  assert.ok(err instanceof FetchError, `expected a FetchError with status ${status}, got: ${err}`);
  assert.equal(err.statusCode, status, err.message);
  return err;
}

async function contained(url, fetch = authFetch()) {
  return getContainedResourceUrlAll(await getSolidDataset(url, { fetch })).sort();
}

async function bytesOf(blob) {
  return new Uint8Array(await blob.arrayBuffer());
}

// pdf makes a small PDF-looking document: the magic Satchel checks, the usual
// binary comment line, every byte value, and a marker to tell versions apart.
function pdf(marker) {
  const head = new TextEncoder().encode('%PDF-1.4\n%\xe2\xe3\xcf\xd3\n');
  const all = Uint8Array.from({ length: 256 }, (_, i) => i);
  const tail = new TextEncoder().encode(`\n${marker}\n%%EOF\n`);
  const out = new Uint8Array(head.length + all.length + tail.length);
  out.set(head, 0);
  out.set(all, head.length);
  out.set(tail, head.length + all.length);
  return out;
}

const pdfBlob = (bytes) => new Blob([bytes], { type: 'application/pdf' });

test('signing in returns a bearer token and the pod URL', () => {
  assert.equal(signIn.token_type, 'Bearer');
  assert.equal(typeof signIn.access_token, 'string');
  assert.ok(signIn.access_token.length > 20);
  assert.ok(signIn.expires_in > 0);
  assert.equal(signIn.pod, EXPECTED_POD);
  assert.ok(signIn.pod.startsWith(BASE + '/pods/') && signIn.pod.endsWith('/'), signIn.pod);
});

test('getSolidDataset reads the pod root: a storage container listing the six standard folders', async () => {
  const fetch = authFetch();
  const root = await getSolidDataset(POD, { fetch });
  assert.equal(fetch.sent[0].headers.accept, 'text/turtle');
  assert.equal(getSourceUrl(root), POD);
  assert.ok(isContainer(root));
  assert.equal(getContentType(root), 'text/turtle');
  assert.deepEqual(getContainedResourceUrlAll(root).sort(), STANDARD.map((c) => POD + c).sort());

  const self = getThing(root, POD);
  assert.ok(self, 'the listing describes the container itself');
  const types = getUrlAll(self, RDF_TYPE);
  for (const t of [LDP + 'Container', LDP + 'BasicContainer', PIM_STORAGE]) assert.ok(types.includes(t), t);
  assert.ok(getLinkedResourceUrlAll(root).type.includes(PIM_STORAGE), 'Link rel="type" names the storage root');
  assert.deepEqual(getEffectiveAccess(root).user, { read: true, append: true, write: true });
});

test('getSolidDataset reads the pod root as JSON-LD too, with the same members', async () => {
  const fetch = authFetch();
  const root = await getSolidDataset(POD, { fetch, parsers: { 'application/ld+json': getJsonLdParser() } });
  assert.equal(fetch.sent[0].headers.accept, 'application/ld+json');
  assert.equal(getContentType(root), 'application/ld+json');
  assert.deepEqual(getContainedResourceUrlAll(root).sort(), STANDARD.map((c) => POD + c).sort());
});

test('authFetch keeps request headers given as a Headers object, an array or a plain object', async () => {
  // The library passes plain objects today; other versions and callers pass
  // Headers. Either way the token must be added and the caller's Accept kept.
  for (const headers of [new Headers({ Accept: 'text/turtle' }), [['Accept', 'text/turtle']], { Accept: 'text/turtle' }]) {
    const res = await authFetch()(POD, { headers });
    assert.equal(res.status, 200);
    assert.equal(res.headers.get('Content-Type'), 'text/turtle');
    assert.match(await res.text(), /ldp:contains/);
  }
});

test('getSolidDataset reads documents/: an empty container on a new pod', async () => {
  const docs = await getSolidDataset(DOCS, { fetch: authFetch() });
  assert.equal(getSourceUrl(docs), DOCS);
  assert.ok(isContainer(docs));
  assert.deepEqual(getContainedResourceUrlAll(docs), []);
});

test('requests without a valid token are rejected with 401 and nothing is written', async () => {
  // No fetch option: the library uses the global fetch, with no token.
  const anon = await fetchError(getSolidDataset(POD), 401);
  assert.equal(anon.problemDetails.detail, NEED_SIGN_IN);
  assert.match(anon.response.headers.get('WWW-Authenticate'), /^Bearer /);

  const bogus = authFetch('not-a-token');
  await fetchError(getSolidDataset(DOCS, { fetch: bogus }), 401);
  const put = await fetchError(
    overwriteFile(DOCS + 'interop-anon.pdf', pdfBlob(pdf('anon')), { fetch: bogus }),
    401,
  );
  assert.equal(put.problemDetails.detail, NEED_SIGN_IN);
  await fetchError(saveFileInContainer(DOCS, pdfBlob(pdf('anon')), { slug: 'interop-anon' }), 401);
  await fetchError(getFile(DOCS + 'interop-anon.pdf', { fetch: authFetch() }), 404);
  assert.deepEqual(
    (await contained(DOCS)).filter((u) => u.includes('interop-anon')),
    [],
    'a refused write leaves no file behind',
  );
});

test('saveFileInContainer stores a PDF in documents/ under its slug; getFile returns the same bytes', async () => {
  const fetch = authFetch();
  const bytes = pdf('letter');
  const saved = await saveFileInContainer(DOCS, pdfBlob(bytes), { slug: 'interop-letter', fetch });
  const post = fetch.sent.at(-1);
  assert.equal(post.method, 'POST');
  assert.equal(post.url, DOCS);
  assert.equal(post.headers.slug, 'interop-letter');
  assert.equal(post.headers['content-type'], 'application/pdf');

  // Satchel adds the extension that matches the content type to the slug.
  const url = getSourceUrl(saved);
  assert.equal(url, DOCS + 'interop-letter.pdf');
  assert.ok((await contained(DOCS)).includes(url));

  const file = await getFile(url, { fetch });
  assert.deepEqual(await bytesOf(file), bytes);
  assert.equal(file.type, 'application/pdf');
  assert.equal(getContentType(file), 'application/pdf');
  assert.equal(isRawData(file), true);

  const info = await getResourceInfo(url, { fetch });
  assert.equal(fetch.sent.at(-1).method, 'HEAD');
  assert.equal(getContentType(info), 'application/pdf');
  assert.equal(isRawData(info), true);

  // POST never overwrites: the same slug again gets a new, different URL.
  const again = pdf('letter, second copy');
  const second = getSourceUrl(await saveFileInContainer(DOCS, pdfBlob(again), { slug: 'interop-letter', fetch }));
  assert.notEqual(second, url);
  assert.ok(second.startsWith(DOCS + 'interop-letter-') && second.endsWith('.pdf'), second);
  assert.deepEqual(await bytesOf(await getFile(url, { fetch })), bytes, 'the first file is untouched');
  assert.deepEqual(await bytesOf(await getFile(second, { fetch })), again);

  await deleteFile(url, { fetch });
  await deleteFile(second, { fetch });
  assert.equal(fetch.sent.at(-1).method, 'DELETE');
  const left = await contained(DOCS);
  assert.ok(!left.includes(url) && !left.includes(second), left.join(' '));
  await fetchError(getFile(url, { fetch }), 404);
});

test('overwriteFile creates a file at a given URL, then replaces it', async () => {
  const fetch = authFetch();
  const url = DOCS + 'interop-overwrite.pdf';
  const v1 = pdf('version 1');
  const v2 = pdf('version 2, which is longer than version 1');

  const first = await overwriteFile(url, pdfBlob(v1), { fetch });
  assert.equal(fetch.sent.at(-1).method, 'PUT');
  assert.equal(fetch.sent.at(-1).headers['content-type'], 'application/pdf');
  assert.equal(getSourceUrl(first), url);
  assert.deepEqual(await bytesOf(await getFile(url, { fetch })), v1);

  await overwriteFile(url, pdfBlob(v2), { fetch });
  const file = await getFile(url, { fetch });
  assert.deepEqual(await bytesOf(file), v2);
  assert.equal(file.type, 'application/pdf');
  assert.equal((await contained(DOCS)).filter((u) => u === url).length, 1);

  // The content type can change on overwrite, as with any Solid resource.
  const note = new TextEncoder().encode('Appointment moved to Tuesday 10:00.\n');
  await overwriteFile(url, new Blob([note], { type: 'text/plain' }), { fetch });
  const text = await getFile(url, { fetch });
  assert.deepEqual(await bytesOf(text), note);
  assert.equal(getContentType(text), 'text/plain');

  await deleteFile(url, { fetch });
  assert.ok(!(await contained(DOCS)).includes(url));
});

test('overwriteFile creates the missing containers along its path', async () => {
  const fetch = authFetch();
  const outer = DOCS + 'interop-nested/';
  const inner = outer + '2026/';
  const url = inner + 'letter.pdf';
  const bytes = pdf('nested');

  await overwriteFile(url, pdfBlob(bytes), { fetch });
  assert.ok((await contained(DOCS)).includes(outer));
  assert.deepEqual(await contained(outer), [inner]);
  assert.deepEqual(await contained(inner), [url]);
  assert.deepEqual(await bytesOf(await getFile(url, { fetch })), bytes);

  await deleteFile(url, { fetch });
  await deleteContainer(inner, { fetch });
  await deleteContainer(outer, { fetch });
  assert.ok(!(await contained(DOCS)).includes(outer));
});

test('createContainerAt makes a new container; deleteContainer removes it once it is empty', async () => {
  const fetch = authFetch();
  const url = DOCS + 'interop-folder/';

  const made = await createContainerAt(url, { fetch });
  assert.equal(fetch.sent.at(-1).method, 'PUT');
  assert.equal(getSourceUrl(made), url);
  assert.ok((await contained(DOCS)).includes(url));
  const listing = await getSolidDataset(url, { fetch });
  assert.ok(isContainer(listing));
  assert.deepEqual(getContainedResourceUrlAll(listing), []);

  const inside = getSourceUrl(await saveFileInContainer(url, pdfBlob(pdf('inside')), { slug: 'inside', fetch }));
  assert.equal(inside, url + 'inside.pdf');
  assert.deepEqual(await contained(url), [inside]);

  const busy = await fetchError(deleteContainer(url, { fetch }), 409);
  assert.equal(busy.problemDetails.detail, NOT_EMPTY);
  assert.deepEqual(await contained(url), [inside], 'a refused delete removes nothing');

  await deleteFile(inside, { fetch });
  await deleteContainer(url, { fetch });
  assert.equal(fetch.sent.at(-1).method, 'DELETE');
  assert.equal(fetch.sent.at(-1).url, url);
  assert.ok(!(await contained(DOCS)).includes(url));
  await fetchError(getSolidDataset(url, { fetch }), 404);
});

test('createContainerInContainer makes a container named after the slug', async () => {
  const fetch = authFetch();
  const made = await createContainerInContainer(DOCS, { slugSuggestion: 'interop-posted', fetch });
  assert.equal(fetch.sent.at(-1).method, 'POST');
  const url = getSourceUrl(made);
  assert.equal(url, DOCS + 'interop-posted/');
  assert.ok((await contained(DOCS)).includes(url));
  assert.deepEqual(await contained(url), []);
  await deleteContainer(url, { fetch });
  assert.ok(!(await contained(DOCS)).includes(url));
});

test('deleteContainer cannot delete a standard folder (405) and the folder stays', async () => {
  const fetch = authFetch();
  const err = await fetchError(deleteContainer(POD + 'inbox/', { fetch }), 405);
  assert.equal(err.problemDetails.detail, STANDARD_FOLDER);
  assert.ok((await contained(POD)).includes(POD + 'inbox/'));
});

test('a Satchel JSON-LD record written with overwriteFile reads back as a dataset', async () => {
  // Structured data is written as a JSON-LD file that the server validates.
  const fetch = authFetch();
  const url = POD + 'identity/interop-card.jsonld';
  const body = cardRecord('passport');
  await overwriteFile(url, new Blob([body], { type: 'application/ld+json' }), { fetch });
  assert.equal(fetch.sent.at(-1).headers['content-type'], 'application/ld+json');

  // Read through content negotiation (Turtle): a JSON-LD parser would have
  // to fetch https://w3id.org/satchel/v1, which clients cannot resolve until
  // that w3id.org name is registered to point at a served copy.
  const ds = await getSolidDataset(url, { fetch });
  assert.equal(isRawData(ds), false);
  const card = getThing(ds, url + '#card');
  assert.ok(card, 'the record has a Thing at #card');
  assert.equal(getStringNoLocale(card, DOCUMENT_TYPE), 'passport');
  assert.equal(new TextDecoder().decode(await bytesOf(await getFile(url, { fetch }))), body);

  await deleteFile(url, { fetch });
  assert.ok(!(await contained(POD + 'identity/')).includes(url));
});

test('a JSON-LD document that is not a Satchel record is refused with 422 and a plain reason', async () => {
  const fetch = authFetch();
  const url = POD + 'identity/interop-other.jsonld';
  const body = JSON.stringify({ '@context': { name: SCHEMA_NAME }, '@id': '#me', name: 'Interop Test' });
  const err = await fetchError(overwriteFile(url, new Blob([body], { type: 'application/ld+json' }), { fetch }), 422);
  assert.match(err.problemDetails.detail, /kind of record Satchel keeps/);
  await fetchError(getFile(url, { fetch }), 404);
});

// qualification is a dataset holding one Satchel record, built with the
// library's own functions: a Thing at #q of type satchel:Qualification.
function qualification(title) {
  const q = buildThing(createThing({ name: 'q' }))
    .addUrl(RDF_TYPE, SATCHEL + 'Qualification')
    .addStringNoLocale(SATCHEL + 'title', title)
    .build();
  return setThing(createSolidDataset(), q);
}

test('saveSolidDatasetAt writes a new record as Turtle; Satchel stores it as a checked JSON-LD record', async () => {
  const fetch = authFetch();
  const url = POD + 'qualifications/interop-food.jsonld';
  const saved = await saveSolidDatasetAt(url, qualification('Level 2 Food Hygiene'), { fetch });
  const put = fetch.sent.at(-1);
  assert.equal(put.method, 'PUT');
  assert.equal(put.headers['content-type'], 'text/turtle');
  assert.equal(put.headers['if-none-match'], '*');
  assert.equal(getSourceUrl(saved), url);

  const file = await getFile(url, { fetch });
  assert.equal(getContentType(file), 'application/ld+json');
  assert.deepEqual(JSON.parse(new TextDecoder().decode(await bytesOf(file))), {
    '@context': 'https://w3id.org/satchel/v1',
    id: '#q',
    type: 'Qualification',
    title: 'Level 2 Food Hygiene',
  });
  const ds = await getSolidDataset(url, { fetch });
  assert.equal(getStringNoLocale(getThing(ds, url + '#q'), SATCHEL + 'title'), 'Level 2 Food Hygiene');

  await deleteFile(url, { fetch });
});

test('saveSolidDatasetAt with a dataset that is not a Satchel record is refused with 422 and nothing is stored', async () => {
  const fetch = authFetch();
  const url = DOCS + 'interop-profile';
  const me = buildThing(createThing({ name: 'me' })).addStringNoLocale(SCHEMA_NAME, 'Interop Test').build();
  const err = await fetchError(saveSolidDatasetAt(url, setThing(createSolidDataset(), me), { fetch }), 422);
  assert.equal(fetch.sent.at(-1).headers['content-type'], 'text/turtle');
  assert.match(err.problemDetails.detail, NOT_A_RECORD);
  const options = await authFetch()(url, { method: 'OPTIONS' });
  assert.match(options.headers.get('Accept-Put'), /text\/turtle/, 'Satchel says it takes Turtle');
  await fetchError(getFile(url, { fetch }), 404);

  // A term outside Satchel's context is named, not dropped.
  const q = buildThing(createThing({ name: 'q' }))
    .addUrl(RDF_TYPE, SATCHEL + 'Qualification')
    .addStringNoLocale(SATCHEL + 'title', 'Forklift licence')
    .addStringNoLocale('https://schema.org/shoeSize', '9')
    .build();
  const odd = await fetchError(
    saveSolidDatasetAt(POD + 'qualifications/interop-odd.jsonld', setThing(createSolidDataset(), q), { fetch }),
    422,
  );
  assert.match(odd.problemDetails.detail, /https:\/\/schema\.org\/shoeSize/);
  await fetchError(getFile(POD + 'qualifications/interop-odd.jsonld', { fetch }), 404);
});

test('saveSolidDatasetInContainer posts Turtle; Satchel stores a record named after the slug', async () => {
  const fetch = authFetch();
  const quals = POD + 'qualifications/';
  const saved = await saveSolidDatasetInContainer(quals, qualification('Level 1 Maths'), { slugSuggestion: 'interop-posted', fetch });
  assert.equal(fetch.sent.at(-1).method, 'POST');
  assert.equal(fetch.sent.at(-1).headers['content-type'], 'text/turtle');
  const url = getSourceUrl(saved);
  assert.equal(url, quals + 'interop-posted.jsonld');
  const ds = await getSolidDataset(url, { fetch });
  assert.equal(getStringNoLocale(getThing(ds, url + '#q'), SATCHEL + 'title'), 'Level 1 Maths');
  await deleteFile(url, { fetch });

  // Not a record: refused, and the container is as it was.
  const me = buildThing(createThing({ name: 'me' })).addStringNoLocale(SCHEMA_NAME, 'Interop Test').build();
  const before = await contained(DOCS);
  const err = await fetchError(
    saveSolidDatasetInContainer(DOCS, setThing(createSolidDataset(), me), { slugSuggestion: 'interop-profile', fetch }),
    422,
  );
  assert.match(err.problemDetails.detail, NOT_A_RECORD);
  assert.deepEqual(await contained(DOCS), before);
});

test('getSolidDataset with its default Accept: text/turtle reads a JSON-LD record as Turtle', async () => {
  const fetch = authFetch();
  const url = POD + 'identity/interop-default-accept.jsonld';
  await overwriteFile(url, new Blob([cardRecord('driving-licence')], { type: 'application/ld+json' }), { fetch });

  const ds = await getSolidDataset(url, { fetch });
  assert.equal(fetch.sent.at(-1).headers.accept, 'text/turtle');
  assert.equal(getContentType(ds), 'text/turtle');
  assert.equal(getStringNoLocale(getThing(ds, url + '#card'), DOCUMENT_TYPE), 'driving-licence');

  await deleteFile(url, { fetch });
});

test('saveSolidDatasetAt on a fetched record sends a SPARQL Update PATCH, which changes just that field', async () => {
  const fetch = authFetch();
  const url = POD + 'identity/interop-update.jsonld';
  const body = cardRecord('passport');
  await overwriteFile(url, new Blob([body], { type: 'application/ld+json' }), { fetch });

  const ds = await getSolidDataset(url, { fetch });
  const card = setStringNoLocale(getThing(ds, url + '#card'), DOCUMENT_TYPE, 'other');
  await saveSolidDatasetAt(url, setThing(ds, card), { fetch });
  const patch = fetch.sent.at(-1);
  assert.equal(patch.method, 'PATCH');
  assert.equal(patch.headers['content-type'], 'application/sparql-update');
  const changed = JSON.parse(new TextDecoder().decode(await bytesOf(await getFile(url, { fetch }))));
  assert.deepEqual(changed, { ...JSON.parse(body), documentType: 'other' });
  const again = await getSolidDataset(url, { fetch });
  assert.equal(getStringNoLocale(getThing(again, url + '#card'), DOCUMENT_TYPE), 'other');

  // A change made from an out-of-date copy (it deletes "passport", which is
  // no longer there) is refused with 409 and changes nothing.
  const stale = setStringNoLocale(getThing(ds, url + '#card'), DOCUMENT_TYPE, 'driving-licence');
  await fetchError(saveSolidDatasetAt(url, setThing(ds, stale), { fetch }), 409);

  // A change that breaks the record's schema is refused with 422 and the
  // record is unchanged.
  const bad = setStringNoLocale(getThing(again, url + '#card'), DOCUMENT_TYPE, 'spaceship');
  const err = await fetchError(saveSolidDatasetAt(url, setThing(again, bad), { fetch }), 422);
  assert.match(err.problemDetails.detail, /Kind of document/);
  // So is a link to somewhere outside the pod.
  const away = setUrl(getThing(again, url + '#card'), SATCHEL + 'scan', 'https://elsewhere.example/scan.pdf');
  await fetchError(saveSolidDatasetAt(url, setThing(again, away), { fetch }), 422);
  assert.deepEqual(JSON.parse(new TextDecoder().decode(await bytesOf(await getFile(url, { fetch })))), changed, 'the record is unchanged');

  await deleteFile(url, { fetch });
});

test('listings give dcterms:modified that the library reads as the right time', async () => {
  const fetch = authFetch();
  const url = DOCS + 'interop-dated.pdf';
  const before = Date.now();
  await overwriteFile(url, pdfBlob(pdf('dated')), { fetch });
  const after = Date.now();
  const listing = await getSolidDataset(DOCS, { fetch });
  const modified = getDatetime(getThing(listing, url), DCTERMS_MODIFIED);
  assert.ok(modified instanceof Date, 'the listing gives the member a dcterms:modified date');
  // The library reads the fraction as milliseconds: nine digits would put
  // it hours or days out.
  assert.ok(modified.getTime() >= before - 1000 && modified.getTime() <= after + 1000, `${modified.toISOString()} is not between ${new Date(before).toISOString()} and ${new Date(after).toISOString()}`);
  await deleteFile(url, { fetch });
});

test('createContainerAt on an existing container is refused with 412 (If-None-Match: *)', async () => {
  const fetch = authFetch();
  const url = DOCS + 'interop-exists/';
  await createContainerAt(url, { fetch });
  const file = getSourceUrl(await saveFileInContainer(url, pdfBlob(pdf('kept')), { slug: 'kept', fetch }));

  await assert.rejects(createContainerAt(url, { fetch }), (err) => {
    assert.equal(err.statusCode, 412);
    return true;
  });
  assert.equal(fetch.sent.at(-1).headers['if-none-match'], '*');
  assert.deepEqual(await contained(url), [file], 'the existing container and its contents are untouched');

  await deleteFile(file, { fetch });
  await deleteContainer(url, { fetch });
});
