import { SimApiError } from './contract.js';

/** 404 `not.found` with the platform's standard message (reference §5.1). */
export function notFound(entity: string, id: string): SimApiError {
  return new SimApiError(404, 'not.found', `The requested resource was not found: ${entity} ${id}`, {
    entity,
    id,
  });
}

/** 400 `invalid.value` for a field holding an unacceptable value. */
export function invalidValue(field: string, value: string): SimApiError {
  return new SimApiError(400, 'invalid.value', `Invalid value for ${field}: ${value}`, { field, value });
}

/** 400 `bad.request` with a reason. */
export function badRequest(message: string): SimApiError {
  return new SimApiError(400, 'bad.request', message);
}

/** 400 `invalid.date` for an unparsable date. */
export function invalidDate(field: string, value: string): SimApiError {
  return new SimApiError(400, 'invalid.date', `Invalid date for ${field}: ${value}`, { field, value });
}
