'use strict';

/**
 * Every error the API returns is JSON: {"error": <human text>, "code": <machine code>,
 * "message": <same human text>} plus, where it helps, "param" (the offending field)
 * or "required_scope". See CHOICES.md for why both `error` and `message` are present.
 */
class ApiError extends Error {
  constructor(status, code, message, extra) {
    super(message);
    this.status = status;
    this.code = code;
    this.extra = extra || {};
  }

  toBody() {
    return { error: this.message, code: this.code, message: this.message, ...this.extra };
  }
}

// 422: the request body was understood but a field is missing or invalid.
const invalidBody = (code, message, param) =>
  new ApiError(422, code, message, param ? { param } : undefined);

// 400: malformed request (unparseable body, bad query parameter).
const badRequest = (code, message, param) =>
  new ApiError(400, code, message, param ? { param } : undefined);

module.exports = { ApiError, invalidBody, badRequest };
