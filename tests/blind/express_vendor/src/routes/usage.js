'use strict';

const express = require('express');
const { requireScope, methodNotAllowed } = require('../middleware');
const { paginate } = require('../pagination');
const { newestFirst } = require('../store');

const URL = '/api/v1/usage';

// Usage grouped by sender number: one item per sender number of the account.
function usageRouter(store) {
  const router = express.Router();

  function usage(req, res) {
    const items = newestFirst(req.account.senderNumbers).map((sn) => store.usageJSON(sn));
    res.json(paginate(req, items, URL));
  }

  router.route('/')
    .get(requireScope('usage.read'), usage)
    .all(methodNotAllowed(['GET']));

  return router;
}

module.exports = { usageRouter };
