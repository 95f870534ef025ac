'use strict';

const express = require('express');
const { requireScope, methodNotAllowed } = require('../middleware');
const { badRequest } = require('../errors');
const { isE164 } = require('../validate');

function phoneParam(req, name, required) {
  const v = req.query[name];
  if (Array.isArray(v)) throw badRequest('invalid_phone', `${name} must be given only once`, name);
  if (v === undefined || v === '') {
    if (required) throw badRequest('missing_phone', `${name} is required`, name);
    return null;
  }
  if (!isE164(v)) throw badRequest('invalid_phone', 'Invalid E.164 phone number format', name);
  return v;
}

function contactsRouter(store) {
  const router = express.Router();

  function lookup(req, res) {
    const phone = phoneParam(req, 'phone', true);
    const senderPhone = phoneParam(req, 'sender_phone', false);
    if (senderPhone !== null && !store.findSenderByPhone(req.account, senderPhone)) {
      throw badRequest('not_found', 'Sender number not found', 'sender_phone');
    }
    res.json(store.lookup(req.account, phone));
  }

  router.route('/lookup')
    .get(requireScope('contacts.lookup'), lookup)
    .all(methodNotAllowed(['GET']));

  return router;
}

module.exports = { contactsRouter };
