'use strict';

const express = require('express');
const multer = require('multer');
const { ApiError, badRequest } = require('./errors');

// ---- API key and scopes ---------------------------------------------------

function authenticate(store) {
  return function apiKeyAuth(req, res, next) {
    const key = req.get('x-api-key');
    if (key === undefined || key === '') {
      return next(new ApiError(401, 'missing_api_key', 'API key required'));
    }
    const entry = store.authenticate(key);
    if (!entry) return next(new ApiError(401, 'invalid_api_key', 'Invalid API key'));
    req.account = entry.account;
    req.scopes = entry.scopes;
    return next();
  };
}

function requireScope(scope) {
  return function scopeCheck(req, res, next) {
    if (req.scopes.has('*') || req.scopes.has(scope)) return next();
    return next(new ApiError(403, 'insufficient_scope', `API key lacks the required scope: ${scope}`, {
      required_scope: scope,
    }));
  };
}

// ---- query string -----------------------------------------------------------

/**
 * Query parser: percent-decoding only. A literal "+" stays a "+" (it is NOT turned
 * into a space), so the documented `?phone=+201010000000` works unencoded.
 * A repeated parameter becomes an array (rejected by the handlers).
 */
function parseQuery(str) {
  const out = Object.create(null);
  if (typeof str !== 'string' || str === '') return out;
  for (const part of str.split('&')) {
    if (part === '') continue;
    const eq = part.indexOf('=');
    const rawName = eq === -1 ? part : part.slice(0, eq);
    const rawValue = eq === -1 ? '' : part.slice(eq + 1);
    const name = safeDecode(rawName);
    const value = safeDecode(rawValue);
    if (name in out) {
      out[name] = Array.isArray(out[name]) ? [...out[name], value] : [out[name], value];
    } else {
      out[name] = value;
    }
  }
  return out;
}

function safeDecode(s) {
  try {
    return decodeURIComponent(s);
  } catch {
    return s; // malformed escape: keep raw text, the field validation rejects it
  }
}

// ---- request bodies -----------------------------------------------------------

const MEDIA_MAX_BYTES = 16 * 1024 * 1024;

const jsonParser = express.json({ limit: '1mb', strict: false, type: ['application/json', 'application/*+json'] });

const upload = multer({
  storage: multer.memoryStorage(),
  defParamCharset: 'utf8', // file names as sent by curl/browsers (UTF-8), not latin1
  limits: {
    fileSize: MEDIA_MAX_BYTES,
    files: 1,
    fields: 50,
    fieldSize: 64 * 1024,
    fieldNameSize: 100,
    parts: 60,
  },
}).single('media');

const MULTER_ERRORS = {
  LIMIT_FILE_SIZE: [413, 'media_too_large', `media file must be ${MEDIA_MAX_BYTES / (1024 * 1024)} MB or less`],
  LIMIT_FILE_COUNT: [422, 'unexpected_file', 'Only one file, in the media field, may be uploaded'],
  LIMIT_UNEXPECTED_FILE: [422, 'unexpected_file', 'Only one file, in the media field, may be uploaded'],
  LIMIT_FIELD_VALUE: [413, 'field_too_large', 'A form field value is too large'],
  LIMIT_FIELD_COUNT: [413, 'too_many_fields', 'Too many form fields'],
  LIMIT_PART_COUNT: [413, 'too_many_fields', 'Too many form parts'],
  LIMIT_FIELD_KEY: [400, 'invalid_multipart', 'A form field name is too long'],
};

function multipartParser(req, res, next) {
  upload(req, res, (err) => {
    if (!err) {
      req.bodyFormat = 'multipart';
      return next();
    }
    if (err.name === 'MulterError' && MULTER_ERRORS[err.code]) {
      const [status, code, message] = MULTER_ERRORS[err.code];
      return next(new ApiError(status, code, message, err.field ? { param: err.field } : undefined));
    }
    return next(badRequest('invalid_multipart', 'Malformed multipart/form-data body'));
  });
}

// A request carries a body when it is chunked or declares a non-zero length.
function hasBody(req) {
  if (req.headers['transfer-encoding'] !== undefined) return true;
  const len = req.headers['content-length'];
  return len !== undefined && len !== '0' && /^[0-9]+$/.test(len);
}

/**
 * Parses the body as JSON, or (when allowMultipart) as multipart/form-data.
 * A request without a body is treated as an empty object; a body of any
 * other media type is answered with 415.
 */
function parseBody({ allowMultipart }) {
  const accepted = allowMultipart ? 'application/json or multipart/form-data' : 'application/json';
  return function bodyParser(req, res, next) {
    if (!hasBody(req)) {
      req.body = {};
      req.bodyFormat = 'none';
      return next();
    }
    if (req.is(['application/json', 'application/*+json'])) {
      return jsonParser(req, res, (err) => {
        if (err) return next(err);
        req.bodyFormat = 'json';
        return next();
      });
    }
    if (allowMultipart && req.is(['multipart/form-data'])) return multipartParser(req, res, next);
    return next(new ApiError(415, 'unsupported_media_type', `Content-Type must be ${accepted}`));
  };
}

// ---- fallbacks and errors -------------------------------------------------------

function methodNotAllowed(allowed) {
  return function notAllowed(req, res, next) {
    res.set('Allow', allowed.join(', '));
    next(new ApiError(405, 'method_not_allowed', `Method ${req.method} not allowed; use ${allowed.join(' or ')}`));
  };
}

function notFound(req, res, next) {
  next(new ApiError(404, 'not_found', 'Resource not found'));
}

// body-parser (express.json) errors carry a `type`.
const BODY_PARSER_ERRORS = {
  'entity.parse.failed': [400, 'invalid_json', 'Request body is not valid JSON'],
  'entity.too.large': [413, 'payload_too_large', 'Request body is too large'],
  'encoding.unsupported': [415, 'unsupported_encoding', 'Unsupported Content-Encoding'],
  'charset.unsupported': [415, 'unsupported_charset', 'Unsupported charset; use UTF-8'],
  'request.aborted': [400, 'bad_request', 'Request aborted'],
  'request.size.invalid': [400, 'bad_request', 'Request size did not match Content-Length'],
};

function errorHandler(err, req, res, next) { // eslint-disable-line no-unused-vars
  let apiErr = err;
  if (!(err instanceof ApiError)) {
    const mapped = err && BODY_PARSER_ERRORS[err.type];
    if (mapped) {
      apiErr = new ApiError(...mapped);
    } else if (err && Number.isInteger(err.status) && err.status >= 400 && err.status < 500) {
      apiErr = new ApiError(err.status, 'bad_request', 'Bad request');
    } else {
      console.error('unexpected error:', err);
      apiErr = new ApiError(500, 'internal_error', 'Internal server error');
    }
  }
  if (res.headersSent) return req.socket.destroy();
  res.status(apiErr.status).json(apiErr.toBody());
}

module.exports = {
  authenticate,
  requireScope,
  parseQuery,
  parseBody,
  methodNotAllowed,
  notFound,
  errorHandler,
};
