/**
 * The webhooks error catalogue. Every error carries a stable `code`; boundaries (admin API, notifier logs)
 * translate them into problem bodies or log lines. Messages never contain a signing secret.
 */

export type WebhookErrorCode =
  'WEBHOOK_INVALID_INPUT' | 'WEBHOOK_URL_REFUSED' | 'WEBHOOK_NOT_FOUND' | 'WEBHOOK_CORRUPT_DATA';

/** Base class of every error thrown by `@lockstep/webhooks`. */
export class WebhookError extends Error {
  readonly code: WebhookErrorCode;

  constructor(code: WebhookErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
    this.code = code;
  }
}

/** A subscription or request is unusable; `problems` lists every problem (`field: message`). Nothing was written. */
export class WebhookInputError extends WebhookError {
  readonly problems: readonly string[];

  constructor(problems: readonly string[]) {
    super('WEBHOOK_INVALID_INPUT', `invalid webhook input:\n  - ${problems.join('\n  - ')}`);
    this.problems = Object.freeze([...problems]);
  }
}

/** The URL or the address it resolves to is refused by the SSRF guard. */
export class UrlRefusedError extends WebhookError {
  /** Why, e.g. `address 10.0.0.1 is in the private range`. */
  readonly reason: string;

  constructor(reason: string) {
    super('WEBHOOK_URL_REFUSED', `webhook URL refused: ${reason}`);
    this.reason = reason;
  }
}

/** No subscription, delivery or dead letter with that id. */
export class WebhookNotFoundError extends WebhookError {
  constructor(what: string, id: string) {
    super('WEBHOOK_NOT_FOUND', `${what} ${JSON.stringify(id)} not found`);
  }
}

/** A stored document could not be decoded. */
export class WebhookCorruptDataError extends WebhookError {
  constructor(key: string, options?: { cause?: unknown }) {
    super('WEBHOOK_CORRUPT_DATA', `stored webhook data at ${key} cannot be decoded`, options);
  }
}
