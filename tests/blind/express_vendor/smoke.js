#!/usr/bin/env node
'use strict';

// Smoke test: starts serve.js with the example world through the documented
// command-line interface, exercises every operation and the main error cases,
// stops the server and exits 0 only if everything behaved as intended.

const { spawn } = require('child_process');
const fs = require('fs');
const os = require('os');
const path = require('path');

const WORLD = path.resolve(__dirname, '..', 'example-world.json');
const KEYS = {
  full: 'trk_AcmeFullAccess0000000000000000001',
  send: 'trk_AcmeSendOnly00000000000000000002',
  read: 'trk_AcmeReadOnly00000000000000000003',
  lookup: 'trk_AcmeLookupOnly000000000000000004',
  usage: 'trk_AcmeUsageOnly0000000000000000005',
  revoked: 'trk_AcmeRevoked000000000000000000006',
  globex: 'trk_GlobexFullAccess00000000000000007',
};
const SUPPORT = '+201001187188'; // active
const SALES = '+201001187189'; // pending_verification
const BILLING = '+201001187190'; // pending_account_verification
const REJECTED = '+201001187191';
const SUSPENDED = '+201001187192';
const GLOBEX = '+201001187199';
const REACHABLE = '+201010000000';
const UNVERIFIED_PHONE = '+201010000002';
const UNKNOWN = '+201099999999';

let passed = 0;
let failed = 0;
function check(name, cond, detail) {
  if (cond) {
    passed += 1;
    console.log(`  ok   ${name}`);
  } else {
    failed += 1;
    console.log(`  FAIL ${name}${detail !== undefined ? ` -- ${typeof detail === 'string' ? detail : JSON.stringify(detail)}` : ''}`);
  }
}
const section = (t) => console.log(`\n# ${t}`);
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

let base;
async function call(method, p, { key, json, form, raw, headers = {} } = {}) {
  const h = { Accept: 'application/json', ...headers };
  if (key) h['X-Api-Key'] = key;
  let body;
  if (json !== undefined) {
    h['Content-Type'] = 'application/json';
    body = JSON.stringify(json);
  } else if (form) {
    body = form;
  } else if (raw !== undefined) {
    body = raw;
  }
  const res = await fetch(base + p, { method, headers: h, body });
  const text = await res.text();
  let data = null;
  try {
    data = JSON.parse(text);
  } catch {
    data = text;
  }
  return { status: res.status, body: data, headers: res.headers };
}

const expectError = (name, r, status, code) =>
  check(`${name} -> ${status} ${code}`, r.status === status && r.body && r.body.code === code && typeof r.body.error === 'string', {
    status: r.status,
    body: r.body,
  });

function mediaForm(fields, file) {
  const fd = new FormData();
  for (const [k, v] of Object.entries(fields)) fd.append(k, v);
  if (file) fd.append(file.field || 'media', new Blob([file.data], { type: file.type }), file.name);
  return fd;
}

async function listAll(p, key, limit) {
  const items = [];
  let after = null;
  for (let i = 0; i < 100; i += 1) {
    const q = `?limit=${limit}${after ? `&starting_after=${after}` : ''}`;
    const r = await call('GET', p + q, { key });
    if (r.status !== 200) throw new Error(`list ${p} -> ${r.status}`);
    items.push(...r.body.data);
    if (!r.body.has_more) return items;
    after = r.body.data[r.body.data.length - 1].id;
  }
  throw new Error('pagination does not end');
}

async function waitForStatus(id, key) {
  for (let i = 0; i < 50; i += 1) {
    const all = await listAll('/api/v1/messages', key, 100);
    const m = all.find((x) => x.id === id);
    if (m && m.status !== 'queued') return m;
    await sleep(20);
  }
  return null;
}

async function main() {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'express-vendor-smoke-'));
  const ready = path.join(tmp, 'READY.json');
  const child = spawn(process.execPath, [path.join(__dirname, 'serve.js'), '--world', WORLD, '--host', '127.0.0.1',
    '--port', '0', '--ready-file', ready], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (d) => { stderr += d; });
  const exited = new Promise((resolve) => child.on('exit', (code, signal) => resolve({ code, signal })));

  try {
    for (let i = 0; i < 100 && !fs.existsSync(ready); i += 1) await sleep(50);
    section('startup');
    check('ready file written', fs.existsSync(ready));
    const readyData = JSON.parse(fs.readFileSync(ready, 'utf8'));
    base = readyData.base_url;
    check('base_url is http://127.0.0.1:PORT', /^http:\/\/127\.0\.0\.1:\d+$/.test(base), base);
    const ids = readyData.sender_ids;
    check('sender_ids covers all six world sender numbers',
      [SUPPORT, SALES, BILLING, REJECTED, SUSPENDED, GLOBEX].every((p) => typeof ids[p] === 'string'), ids);

    section('authentication and scopes');
    expectError('no X-Api-Key', await call('GET', '/api/v1/sender-numbers'), 401, 'missing_api_key');
    expectError('unknown key', await call('GET', '/api/v1/sender-numbers', { key: 'trk_nope' }), 401, 'invalid_api_key');
    expectError('revoked key', await call('GET', '/api/v1/usage', { key: KEYS.revoked }), 401, 'invalid_api_key');
    expectError('key in Authorization header', await call('GET', '/api/v1/usage', { headers: { Authorization: KEYS.full } }), 401, 'missing_api_key');
    expectError('messages.read key cannot send', await call('POST', '/api/v1/messages', { key: KEYS.read, json: {} }), 403, 'insufficient_scope');
    expectError('messages.send key cannot read log', await call('GET', '/api/v1/messages', { key: KEYS.send }), 403, 'insufficient_scope');
    expectError('usage.read key cannot look up', await call('GET', `/api/v1/contacts/lookup?phone=${REACHABLE}`, { key: KEYS.usage }), 403, 'insufficient_scope');
    expectError('contacts.lookup key cannot read usage', await call('GET', '/api/v1/usage', { key: KEYS.lookup }), 403, 'insufficient_scope');
    expectError('messages.read key cannot register a sender', await call('POST', '/api/v1/sender-numbers', { key: KEYS.read, json: { phone: REACHABLE } }), 403, 'insufficient_scope');

    section('sender numbers');
    let r = await call('GET', '/api/v1/sender-numbers', { key: KEYS.usage });
    check('any valid key lists sender numbers (200)', r.status === 200, r.status);
    check('list envelope', r.body.object === 'list' && r.body.url === '/api/v1/sender-numbers' && Array.isArray(r.body.data) && r.body.has_more === false, r.body);
    const byPhone = Object.fromEntries(r.body.data.map((s) => [s.phone, s]));
    check('acme sees its five numbers only', r.body.data.length === 5 && !byPhone[GLOBEX], r.body.data.map((s) => s.phone));
    check('ids in list match ready file', r.body.data.every((s) => ids[s.phone] === s.id));
    check('newest first (world order reversed)', r.body.data[0].phone === SUSPENDED && r.body.data[4].phone === SUPPORT);
    const st = (p) => [byPhone[p].status, byPhone[p].verification_status];
    check('active -> active/verified', JSON.stringify(st(SUPPORT)) === '["active","verified"]', st(SUPPORT));
    check('pending_verification -> pending_verification', st(SALES)[0] === 'pending_verification', st(SALES));
    check('pending_account_verification -> active/pending_account_verification',
      JSON.stringify(st(BILLING)) === '["active","pending_account_verification"]', st(BILLING));
    check('rejected -> rejected', st(REJECTED)[0] === 'rejected');
    check('suspended -> suspended', st(SUSPENDED)[0] === 'suspended');
    check('null display_name kept', byPhone[REJECTED].display_name === null);

    r = await call('POST', '/api/v1/sender-numbers', { key: KEYS.send, json: { phone: REACHABLE, display_name: 'New line' } });
    check('register -> 201 pending_verification', r.status === 201 && r.body.status === 'pending_verification'
      && r.body.phone === REACHABLE && r.body.display_name === 'New line' && /^sn_/.test(r.body.id), r.body);
    const newSn = r.body;
    r = await call('GET', '/api/v1/sender-numbers?limit=1', { key: KEYS.full });
    check('new number is first in the list', r.body.data[0].id === newSn.id && r.body.has_more === true);
    expectError('register same phone again', await call('POST', '/api/v1/sender-numbers', { key: KEYS.full, json: { phone: REACHABLE } }), 409, 'sender_number_exists');
    expectError('register without phone', await call('POST', '/api/v1/sender-numbers', { key: KEYS.full, json: { display_name: 'x' } }), 422, 'missing_phone');
    expectError('register non-E.164 phone', await call('POST', '/api/v1/sender-numbers', { key: KEYS.full, json: { phone: '0100 118 7188' } }), 422, 'invalid_phone');
    expectError('register numeric phone', await call('POST', '/api/v1/sender-numbers', { key: KEYS.full, json: { phone: 201001187188 } }), 422, 'invalid_phone');
    expectError('register phone without TGO Connect account', await call('POST', '/api/v1/sender-numbers', { key: KEYS.full, json: { phone: UNKNOWN } }), 422, 'no_tgo_connect_account');
    expectError('register with non-string display_name', await call('POST', '/api/v1/sender-numbers', { key: KEYS.full, json: { phone: UNVERIFIED_PHONE, display_name: 5 } }), 422, 'invalid_display_name');
    expectError('register with malformed JSON', await call('POST', '/api/v1/sender-numbers', { key: KEYS.full, raw: '{"phone":', headers: { 'Content-Type': 'application/json' } }), 400, 'invalid_json');
    expectError('register with a JSON array', await call('POST', '/api/v1/sender-numbers', { key: KEYS.full, json: [1, 2] }), 422, 'invalid_body');
    expectError('register with text/plain', await call('POST', '/api/v1/sender-numbers', { key: KEYS.full, raw: 'phone=+1', headers: { 'Content-Type': 'text/plain' } }), 415, 'unsupported_media_type');
    r = await call('GET', '/api/v1/sender-numbers', { key: KEYS.globex });
    check('globex sees only its own number', r.body.data.length === 1 && r.body.data[0].phone === GLOBEX, r.body.data);

    section('pagination');
    const paged = await listAll('/api/v1/sender-numbers', KEYS.full, 2);
    const full = (await call('GET', '/api/v1/sender-numbers?limit=100', { key: KEYS.full })).body.data;
    check('limit=2 pages cover the list exactly, in order', JSON.stringify(paged.map((s) => s.id)) === JSON.stringify(full.map((s) => s.id)));
    for (const bad of ['0', '101', 'abc', '1.5', '-1', '99999999999999999999']) {
      expectError(`limit=${bad}`, await call('GET', `/api/v1/sender-numbers?limit=${bad}`, { key: KEYS.full }), 400, 'invalid_limit');
    }
    expectError('limit given twice', await call('GET', '/api/v1/sender-numbers?limit=1&limit=2', { key: KEYS.full }), 400, 'invalid_limit');
    expectError('starting_after unknown id', await call('GET', '/api/v1/sender-numbers?starting_after=sn_nope', { key: KEYS.full }), 400, 'not_found');
    expectError('starting_after of another account', await call('GET', `/api/v1/sender-numbers?starting_after=${ids[GLOBEX]}`, { key: KEYS.full }), 400, 'not_found');
    r = await call('GET', `/api/v1/sender-numbers?starting_after=${ids[SUPPORT]}`, { key: KEYS.full });
    check('starting_after the last item -> empty page', r.status === 200 && r.body.data.length === 0 && r.body.has_more === false, r.body);

    section('sending: validation');
    const text = (over) => ({ sender_phone: SUPPORT, to_phone: REACHABLE, type: 'text', content: 'Hello from TGO Business', ...over });
    const post = (json, key = KEYS.send) => call('POST', '/api/v1/messages', { key, json });
    const postForm = (fields, file, key = KEYS.send) => call('POST', '/api/v1/messages', { key, form: mediaForm(fields, file) });
    const png = { data: Buffer.from('89504e470d0a1a0a0000', 'hex'), type: 'image/png', name: 'image.png' };
    const ogg = { data: Buffer.from('OggS\0\0\0\0'), type: 'audio/ogg', name: 'audio.ogg' };
    const pdf = { data: Buffer.from('%PDF-1.4\n'), type: 'application/pdf', name: 'invoice.pdf' };

    expectError('no sender', await post({ to_phone: REACHABLE, type: 'text', content: 'x' }), 422, 'missing_sender');
    expectError('both sender_phone and sender_number_id', await post(text({ sender_number_id: ids[SUPPORT] })), 422, 'ambiguous_sender');
    expectError('invalid sender_phone', await post(text({ sender_phone: '201001187188' })), 422, 'invalid_phone');
    expectError('numeric sender_number_id', await post({ ...text(), sender_phone: undefined, sender_number_id: 12 }), 422, 'invalid_sender_number_id');
    expectError('missing to_phone', await post(text({ to_phone: undefined })), 422, 'missing_to');
    expectError('invalid to_phone', await post(text({ to_phone: '+0123' })), 422, 'invalid_phone');
    expectError('missing type', await post(text({ type: undefined })), 422, 'missing_type');
    expectError('unknown type', await post(text({ type: 'video' })), 422, 'invalid_type');
    expectError('text without content', await post(text({ content: undefined })), 422, 'missing_content');
    expectError('text with blank content', await post(text({ content: '   ' })), 422, 'missing_content');
    expectError('content not a string', await post(text({ content: { a: 1 } })), 422, 'invalid_content');
    expectError('content too long', await post(text({ content: 'x'.repeat(4097) })), 422, 'content_too_long');
    expectError('image sent as JSON (no media)', await post(text({ type: 'image', content: undefined })), 422, 'missing_media');
    expectError('sender of another account', await post(text({ sender_phone: GLOBEX })), 422, 'not_found');
    expectError('unknown sender_number_id', await post({ ...text(), sender_phone: undefined, sender_number_id: 'sn_nope' }), 422, 'not_found');
    for (const [label, phone] of [['pending_verification', SALES], ['rejected', REJECTED], ['suspended', SUSPENDED]]) {
      r = await post(text({ sender_phone: phone }));
      expectError(`${label} sender`, r, 422, 'sender_not_active');
      check(`${label} sender message text`, r.body.message === 'The sender number is not active.', r.body);
    }
    r = await post(text({ sender_phone: BILLING }));
    expectError('sender whose TGO Connect account is unverified', r, 422, 'sender_account_not_verified');
    check('that error carries the documented Arabic text', typeof r.body.error === 'string' && r.body.error.includes('TGO Connect'), r.body);
    expectError('malformed JSON', await call('POST', '/api/v1/messages', { key: KEYS.send, raw: '{"type": "text",', headers: { 'Content-Type': 'application/json' } }), 400, 'invalid_json');
    expectError('JSON string body', await call('POST', '/api/v1/messages', { key: KEYS.send, raw: '"hello"', headers: { 'Content-Type': 'application/json' } }), 422, 'invalid_body');
    expectError('broken multipart', await call('POST', '/api/v1/messages', { key: KEYS.send, raw: '--xyz\r\nContent-Disposition: form-data; name="type"\r\n\r\ntext', headers: { 'Content-Type': 'multipart/form-data; boundary=xyz' } }), 400, 'invalid_multipart');
    expectError('multipart without boundary', await call('POST', '/api/v1/messages', { key: KEYS.send, raw: 'abc', headers: { 'Content-Type': 'multipart/form-data' } }), 400, 'invalid_multipart');
    expectError('form-urlencoded body', await call('POST', '/api/v1/messages', { key: KEYS.send, raw: 'type=text', headers: { 'Content-Type': 'application/x-www-form-urlencoded' } }), 415, 'unsupported_media_type');
    const voiceFields = { sender_phone: SUPPORT, to_phone: REACHABLE, type: 'voice' };
    expectError('voice without duration', await postForm(voiceFields, ogg), 422, 'missing_duration');
    for (const d of ['0', '301', 'abc', '4.5', '1e2', '-3', '99999999999999999999999']) {
      expectError(`voice duration=${d}`, await postForm({ ...voiceFields, duration: d }, ogg), 422, 'invalid_duration');
    }
    expectError('voice without media', await postForm({ ...voiceFields, duration: '45' }), 422, 'missing_media');
    expectError('image with an audio file', await postForm({ ...voiceFields, type: 'image' }, ogg), 422, 'invalid_media');
    expectError('image with an empty file', await postForm({ ...voiceFields, type: 'image' }, { ...png, data: Buffer.alloc(0) }), 422, 'invalid_media');
    expectError('file in a field other than media', await postForm({ ...voiceFields, type: 'image' }, { ...png, field: 'file' }), 422, 'unexpected_file');
    expectError('text with a media file', await postForm({ ...voiceFields, type: 'text', content: 'hi' }, png), 422, 'unexpected_media');

    section('sending: accepted messages and delivery');
    r = await post(text());
    check('text by sender_phone -> 202 queued', r.status === 202 && r.body.status === 'queued' && /^msg_/.test(r.body.id)
      && r.body.sender_number_id === ids[SUPPORT] && r.body.message_type === 'text' && r.body.content === 'Hello from TGO Business', r.body);
    const textMsg = r.body;
    r = await post({ sender_number_id: ids[SUPPORT], to_phone: REACHABLE, type: 'text', content: 'مرحبا 👋' });
    check('text by sender_number_id (Arabic + emoji) -> 202', r.status === 202 && r.body.content === 'مرحبا 👋', r.body);
    r = await postForm({ sender_phone: SUPPORT, to_phone: REACHABLE, type: 'image' }, png);
    check('image (multipart) -> 202', r.status === 202 && r.body.message_type === 'image' && r.body.media && r.body.media.size === png.data.length, r.body);
    r = await postForm({ ...voiceFields, duration: '45' }, ogg);
    check('voice with duration=45 -> 202', r.status === 202 && r.body.message_type === 'voice' && r.body.duration === 45, r.body);
    r = await postForm({ sender_phone: SUPPORT, to_phone: REACHABLE, type: 'document', content: 'Your invoice' }, pdf);
    check('document with caption -> 202', r.status === 202 && r.body.message_type === 'document' && r.body.content === 'Your invoice', r.body);
    const toUnknown = (await post(text({ to_phone: UNKNOWN }))).body;
    const toUnverified = (await post(text({ to_phone: UNVERIFIED_PHONE }))).body;
    check('sends to unreachable recipients are accepted (202) for async delivery', /^msg_/.test(toUnknown.id) && /^msg_/.test(toUnverified.id));

    let m = await waitForStatus(textMsg.id, KEYS.read);
    check('reachable recipient -> status sent with sent_at', m && m.status === 'sent' && typeof m.sent_at === 'string', m);
    m = await waitForStatus(toUnknown.id, KEYS.read);
    check('recipient without TGO Connect -> failed/not_registered', m && m.status === 'failed' && m.failure_reason === 'not_registered', m);
    m = await waitForStatus(toUnverified.id, KEYS.read);
    check('recipient with unverified phone -> failed/phone_not_verified', m && m.status === 'failed' && m.failure_reason === 'phone_not_verified', m);

    section('message log');
    r = await call('GET', '/api/v1/messages', { key: KEYS.read });
    check('log envelope, newest first', r.status === 200 && r.body.object === 'list' && r.body.url === '/api/v1/messages'
      && r.body.data[0].id === toUnverified.id && r.body.data.length === 7, r.body);
    const e = r.body.data[0];
    check('entries have id, sender_number_id, message_type, content, status, sent_at',
      ['id', 'sender_number_id', 'message_type', 'content', 'status', 'sent_at'].every((k) => k in e), e);
    r = await call('GET', '/api/v1/messages', { key: KEYS.globex });
    check('globex log is empty', r.status === 200 && r.body.data.length === 0, r.body);

    section('contact lookup');
    r = await call('GET', `/api/v1/contacts/lookup?phone=${REACHABLE}&sender_phone=${SUPPORT}`, { key: KEYS.lookup });
    check('reachable (unencoded +) -> exists, can_receive, ok', r.status === 200 && r.body.exists === true && r.body.can_receive === true
      && r.body.reason_code === 'ok' && /^rcp_/.test(r.body.recipient_id) && r.body.is_verified === true && typeof r.body.phone_verified_at === 'string', r.body);
    r = await call('GET', `/api/v1/contacts/lookup?phone=${encodeURIComponent(REACHABLE)}`, { key: KEYS.lookup });
    check('percent-encoded %2B works too', r.status === 200 && r.body.can_receive === true, r.body);
    r = await call('GET', `/api/v1/contacts/lookup?phone=${UNKNOWN}`, { key: KEYS.lookup });
    check('unknown phone -> exists false, not_registered', r.body.exists === false && r.body.can_receive === false && r.body.reason_code === 'not_registered' && r.body.recipient_id === null, r.body);
    r = await call('GET', `/api/v1/contacts/lookup?phone=${UNVERIFIED_PHONE}`, { key: KEYS.lookup });
    check('unverified phone -> exists true, phone_not_verified', r.body.exists === true && r.body.can_receive === false && r.body.reason_code === 'phone_not_verified', r.body);
    expectError('lookup without phone', await call('GET', '/api/v1/contacts/lookup', { key: KEYS.lookup }), 400, 'missing_phone');
    expectError('lookup invalid phone', await call('GET', '/api/v1/contacts/lookup?phone=hello', { key: KEYS.lookup }), 400, 'invalid_phone');
    expectError('lookup malformed escape', await call('GET', '/api/v1/contacts/lookup?phone=%E0%A4%A', { key: KEYS.lookup }), 400, 'invalid_phone');
    expectError('lookup with another account\'s sender_phone', await call('GET', `/api/v1/contacts/lookup?phone=${REACHABLE}&sender_phone=${GLOBEX}`, { key: KEYS.lookup }), 400, 'not_found');

    section('usage');
    r = await call('GET', '/api/v1/usage?limit=100', { key: KEYS.usage });
    check('usage envelope, one item per sender number', r.status === 200 && r.body.object === 'list' && r.body.url === '/api/v1/usage' && r.body.data.length === 6, r.body);
    const u = r.body.data.find((x) => x.sender_number_id === ids[SUPPORT]);
    check('Support usage: 7 total, 5 sent, 2 failed', u && u.messages.total === 7 && u.messages.sent === 5 && u.messages.failed === 2 && u.messages.queued === 0, u);
    check('Support usage by type', u && u.by_type.text === 4 && u.by_type.image === 1 && u.by_type.voice === 1 && u.by_type.document === 1, u && u.by_type);
    r = await call('GET', '/api/v1/usage', { key: KEYS.globex });
    check('globex usage shows only its own number, unused', r.body.data.length === 1 && r.body.data[0].messages.total === 0, r.body);

    section('concurrency');
    const burst = await Promise.all(Array.from({ length: 50 }, (_, i) => post({ sender_phone: GLOBEX, to_phone: REACHABLE, type: 'text', content: `n${i}` }, KEYS.globex)));
    check('50 concurrent sends -> all 202 with distinct ids', burst.every((x) => x.status === 202) && new Set(burst.map((x) => x.body.id)).size === 50);
    await sleep(300);
    const gl = await listAll('/api/v1/messages', KEYS.globex, 7);
    check('paged log holds all 50, all sent', gl.length === 50 && gl.every((x) => x.status === 'sent'), gl.length);
    r = await call('GET', '/api/v1/usage', { key: KEYS.globex });
    check('usage total is 50', r.body.data[0].messages.total === 50 && r.body.data[0].messages.sent === 50, r.body.data[0]);

    section('routing');
    expectError('unknown path', await call('GET', '/api/v1/nothing', { key: KEYS.full }), 404, 'not_found');
    expectError('unknown path outside the API', await call('GET', '/'), 404, 'not_found');
    r = await call('DELETE', '/api/v1/messages', { key: KEYS.full });
    expectError('DELETE /messages', r, 405, 'method_not_allowed');
    check('405 carries Allow header', r.headers.get('allow') === 'GET, POST', r.headers.get('allow'));
    expectError('bad percent-encoding in path', await call('GET', '/api/v1/%zz', { key: KEYS.full }), 404, 'not_found');
  } catch (err) {
    check(`unexpected exception: ${err.stack}`, false);
  } finally {
    section('shutdown');
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), 3000);
    const { code, signal } = await exited;
    clearTimeout(timer);
    check('SIGTERM stops the server cleanly', code === 0 || signal === 'SIGTERM', { code, signal });
    check('stderr is empty', stderr.trim() === '', stderr);
    fs.rmSync(tmp, { recursive: true, force: true });
  }

  console.log(`\n${passed} passed, ${failed} failed`);
  process.exit(failed === 0 ? 0 : 1);
}

main();
