'use strict';

const { badRequest } = require('./errors');

const DEFAULT_LIMIT = 10;
const MAX_LIMIT = 100;

function singleParam(req, name) {
  const v = req.query[name];
  if (Array.isArray(v)) throw badRequest(`invalid_${name}`, `${name} must be given only once`, name);
  return v;
}

function parseLimit(req) {
  const raw = singleParam(req, 'limit');
  if (raw === undefined) return DEFAULT_LIMIT;
  if (typeof raw !== 'string' || !/^[0-9]{1,3}$/.test(raw) || Number(raw) < 1 || Number(raw) > MAX_LIMIT) {
    throw badRequest('invalid_limit', `limit must be an integer between 1 and ${MAX_LIMIT}`, 'limit');
  }
  return Number(raw);
}

/**
 * Stripe-style cursor pagination.
 * items: array of {id, ...} already ordered newest first.
 */
function paginate(req, items, url) {
  const limit = parseLimit(req);
  const after = singleParam(req, 'starting_after');
  let start = 0;
  if (after !== undefined) {
    const idx = typeof after === 'string' ? items.findIndex((it) => it.id === after) : -1;
    if (idx === -1) {
      throw badRequest('not_found', 'starting_after does not refer to an item of this list', 'starting_after');
    }
    start = idx + 1;
  }
  const data = items.slice(start, start + limit);
  return { object: 'list', url, data, has_more: start + limit < items.length };
}

module.exports = { paginate, DEFAULT_LIMIT, MAX_LIMIT };
