'use strict';

const express = require('express');
const { requireScope, parseBody, methodNotAllowed } = require('../middleware');
const { invalidBody } = require('../errors');
const { paginate } = require('../pagination');
const { newestFirst, MESSAGE_TYPES } = require('../store');
const { isE164, provided, charLength } = require('../validate');

const URL = '/api/v1/messages';
const CONTENT_MAX = 4096;
const ARABIC_OWNER_NOT_VERIFIED = 'يجب أن يكون صاحب الرقم موثقًا داخل TGO Connect قبل استخدام API الإرسال.';

// Declared media types accepted per message type; a generic or missing declaration is accepted.
const GENERIC_TYPES = new Set(['', 'application/octet-stream', 'binary/octet-stream']);
const MEDIA_RULES = {
  image: { ok: (t) => t.startsWith('image/'), what: 'an image file' },
  voice: { ok: (t) => t.startsWith('audio/') || t === 'application/ogg' || t === 'video/ogg' || t === 'video/webm', what: 'an audio file' },
  document: { ok: () => true, what: 'a file' },
};

function parseDuration(v) {
  if (typeof v === 'number') return Number.isInteger(v) ? v : NaN;
  if (typeof v === 'string' && /^[0-9]{1,6}$/.test(v)) return Number(v);
  return NaN;
}

function validateSend(body, file) {
  if (body === null || typeof body !== 'object' || Array.isArray(body)) {
    throw invalidBody('invalid_body', 'Request body must be a JSON object');
  }

  // 1. sender: exactly one of sender_phone / sender_number_id
  const byPhone = provided(body, 'sender_phone');
  const byId = provided(body, 'sender_number_id');
  if (byPhone && byId) {
    throw invalidBody('ambiguous_sender', 'Provide one of sender_phone or sender_number_id, not both', 'sender_phone');
  }
  if (!byPhone && !byId) {
    throw invalidBody('missing_sender', 'sender_phone or sender_number_id is required', 'sender_phone');
  }
  if (byPhone && !isE164(body.sender_phone)) {
    throw invalidBody('invalid_phone', 'Invalid E.164 phone number format', 'sender_phone');
  }
  if (byId && typeof body.sender_number_id !== 'string') {
    throw invalidBody('invalid_sender_number_id', 'sender_number_id must be a string', 'sender_number_id');
  }

  // 2. recipient
  if (!provided(body, 'to_phone')) throw invalidBody('missing_to', 'to_phone is required', 'to_phone');
  if (!isE164(body.to_phone)) throw invalidBody('invalid_phone', 'Invalid recipient phone number format', 'to_phone');

  // 3. type
  if (!provided(body, 'type')) throw invalidBody('missing_type', 'type is required', 'type');
  if (!MESSAGE_TYPES.includes(body.type)) {
    throw invalidBody('invalid_type', `type must be one of: ${MESSAGE_TYPES.join(', ')}`, 'type');
  }
  const type = body.type;

  // 4. content (required for text, optional caption for media)
  let content = null;
  if (provided(body, 'content')) {
    if (typeof body.content !== 'string') throw invalidBody('invalid_content', 'content must be a string', 'content');
    if (charLength(body.content) > CONTENT_MAX) {
      throw invalidBody('content_too_long', `content must be ${CONTENT_MAX} characters or less`, 'content');
    }
    content = body.content.trim() === '' ? null : body.content;
  }

  const result = { sender_phone: byPhone ? body.sender_phone : null, sender_number_id: byId ? body.sender_number_id : null };

  if (type === 'text') {
    if (file) throw invalidBody('unexpected_media', 'media is only accepted for image, voice and document messages', 'media');
    if (content === null) throw invalidBody('missing_content', 'content is required', 'content');
    return { ...result, fields: { to_phone: body.to_phone, message_type: type, content, media: null, duration: null } };
  }

  // 5. media types
  let duration = null;
  if (type === 'voice') {
    if (!provided(body, 'duration')) throw invalidBody('missing_duration', 'duration is required for voice messages', 'duration');
    duration = parseDuration(body.duration);
    if (!(duration >= 1 && duration <= 300)) {
      throw invalidBody('invalid_duration', 'duration must be a whole number of seconds between 1 and 300', 'duration');
    }
  }
  if (!file) {
    throw invalidBody(
      'missing_media',
      `media is required for ${type} messages (upload the file as multipart/form-data in the media field)`,
      'media',
    );
  }
  if (file.size === 0) throw invalidBody('invalid_media', 'media file is empty', 'media');
  const declared = String(file.mimetype || '').toLowerCase().split(';')[0].trim();
  if (!GENERIC_TYPES.has(declared) && !MEDIA_RULES[type].ok(declared)) {
    throw invalidBody('invalid_media', `media for a ${type} message must be ${MEDIA_RULES[type].what}`, 'media');
  }
  const media = { filename: file.originalname || null, content_type: declared || 'application/octet-stream', size: file.size };
  return { ...result, fields: { to_phone: body.to_phone, message_type: type, content, media, duration } };
}

function messagesRouter(store) {
  const router = express.Router();

  function list(req, res) {
    const items = newestFirst(req.account.messages).map((r) => r.msg);
    res.json(paginate(req, items, URL));
  }

  function send(req, res) {
    const v = validateSend(req.body, req.file);

    // 6. the sender must be one of this account's numbers, and ready to send
    const sn = v.sender_phone !== null
      ? store.findSenderByPhone(req.account, v.sender_phone)
      : store.findSenderById(req.account, v.sender_number_id);
    if (!sn) {
      throw invalidBody('not_found', 'Sender number not found', v.sender_phone !== null ? 'sender_phone' : 'sender_number_id');
    }
    const { status, verification_status } = store.senderStatus(sn);
    if (status !== 'active') throw invalidBody('sender_not_active', 'The sender number is not active.');
    if (verification_status !== 'verified') throw invalidBody('sender_account_not_verified', ARABIC_OWNER_NOT_VERIFIED);

    const msg = store.createMessage(req.account, sn, v.fields);
    res.status(202).json(msg);
  }

  router.route('/')
    .get(requireScope('messages.read'), list)
    .post(requireScope('messages.send'), parseBody({ allowMultipart: true }), send)
    .all(methodNotAllowed(['GET', 'POST']));

  return router;
}

module.exports = { messagesRouter };
