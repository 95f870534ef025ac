'use strict';

// E.164: a leading "+", a non-zero country-code digit, at most 15 digits in all.
const E164 = /^\+[1-9][0-9]{1,14}$/;

const isE164 = (v) => typeof v === 'string' && E164.test(v);

const has = (obj, key) => obj != null && Object.prototype.hasOwnProperty.call(obj, key);

// A field counts as provided when it is present and not null.
const provided = (obj, key) => has(obj, key) && obj[key] !== null && obj[key] !== undefined;

// Unicode code points, so that emoji and Arabic text count as users expect.
const charLength = (s) => {
  let n = 0;
  for (const _ of s) n += 1; // eslint-disable-line no-unused-vars
  return n;
};

// C0/C1 control characters (tab/newline included) are not allowed in short labels.
const hasControlChars = (s) => /[\u0000-\u001f\u007f-\u009f]/.test(s);

module.exports = { isE164, has, provided, charLength, hasControlChars };
