'use strict';

const express = require('express');
const { authenticate, parseQuery, notFound, errorHandler } = require('./middleware');
const { senderNumbersRouter } = require('./routes/senderNumbers');
const { messagesRouter } = require('./routes/messages');
const { contactsRouter } = require('./routes/contacts');
const { usageRouter } = require('./routes/usage');

function createApp(store) {
  const app = express();
  app.disable('x-powered-by');
  app.set('etag', false);
  app.set('query parser', parseQuery);

  const api = express.Router();
  api.use(authenticate(store));
  api.use('/sender-numbers', senderNumbersRouter(store));
  api.use('/messages', messagesRouter(store));
  api.use('/contacts', contactsRouter(store));
  api.use('/usage', usageRouter(store));

  app.use('/api/v1', api);
  app.use(notFound);
  app.use(errorHandler);
  return app;
}

module.exports = { createApp };
