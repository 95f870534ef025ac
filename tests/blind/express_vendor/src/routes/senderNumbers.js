'use strict';

const express = require('express');
const { requireScope, parseBody, methodNotAllowed } = require('../middleware');
const { ApiError, invalidBody } = require('../errors');
const { paginate } = require('../pagination');
const { newestFirst } = require('../store');
const { isE164, provided, charLength, hasControlChars } = require('../validate');

const URL = '/api/v1/sender-numbers';
const DISPLAY_NAME_MAX = 255;

function senderNumbersRouter(store) {
  const router = express.Router();

  // Any valid key of the account may list its sender numbers (the docs name no scope).
  function list(req, res) {
    const items = newestFirst(req.account.senderNumbers).map((sn) => store.senderJSON(sn));
    res.json(paginate(req, items, URL));
  }

  function validateRegistration(body) {
    if (body === null || typeof body !== 'object' || Array.isArray(body)) {
      throw invalidBody('invalid_body', 'Request body must be a JSON object');
    }
    if (!provided(body, 'phone')) throw invalidBody('missing_phone', 'phone is required', 'phone');
    if (!isE164(body.phone)) throw invalidBody('invalid_phone', 'Invalid E.164 phone number format', 'phone');

    let displayName = null;
    if (provided(body, 'display_name')) {
      const dn = body.display_name;
      if (typeof dn !== 'string') throw invalidBody('invalid_display_name', 'display_name must be a string', 'display_name');
      if (hasControlChars(dn)) {
        throw invalidBody('invalid_display_name', 'display_name must not contain control characters', 'display_name');
      }
      if (charLength(dn) > DISPLAY_NAME_MAX) {
        throw invalidBody('display_name_too_long', `display_name must be ${DISPLAY_NAME_MAX} characters or less`, 'display_name');
      }
      displayName = dn.trim() === '' ? null : dn;
    }
    return { phone: body.phone, display_name: displayName };
  }

  function register(req, res) {
    const { phone, display_name } = validateRegistration(req.body);
    if (store.findSenderByPhone(req.account, phone)) {
      throw new ApiError(409, 'sender_number_exists', 'This phone number is already registered as a sender number', {
        param: 'phone',
      });
    }
    if (!store.directory.has(phone)) {
      throw invalidBody(
        'no_tgo_connect_account',
        'This phone number has no TGO Connect account, so the OTP cannot be delivered',
        'phone',
      );
    }
    const sn = store.addSenderNumber(req.account, { phone, display_name, state: 'pending_verification' });
    res.status(201).json(store.senderJSON(sn));
  }

  router.route('/')
    .get(list)
    .post(requireScope('messages.send'), parseBody({ allowMultipart: false }), register)
    .all(methodNotAllowed(['GET', 'POST']));

  return router;
}

module.exports = { senderNumbersRouter };
