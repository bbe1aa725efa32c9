/** A small client of the admin API for the operator CLI: Bearer auth, JSON in and out, problem bodies as errors. */

/** An error answer of the admin API (RFC 9457 problem body). */
export class ApiProblemError extends Error {
  readonly status: number;
  readonly code: string;
  readonly problems: readonly string[];

  constructor(status: number, code: string, detail: string, problems: readonly string[]) {
    super(detail);
    this.name = 'ApiProblemError';
    this.status = status;
    this.code = code;
    this.problems = problems;
  }
}

export interface ApiClient {
  request<T>(method: string, path: string, body?: unknown): Promise<T>;
}

/** `baseUrl` like `http://127.0.0.1:8088`; `key` is sent as `Authorization: Bearer <key>` and never printed. */
export function createApiClient(baseUrl: string, key: string, fetchImpl: typeof fetch = fetch): ApiClient {
  const base = baseUrl.replace(/\/+$/, '');
  return {
    async request<T>(method: string, path: string, body?: unknown): Promise<T> {
      const res = await fetchImpl(`${base}${path}`, {
        method,
        headers: {
          authorization: `Bearer ${key}`,
          accept: 'application/json',
          ...(body === undefined ? {} : { 'content-type': 'application/json' }),
        },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      });
      const text = await res.text();
      let json: unknown;
      try {
        json = text === '' ? null : JSON.parse(text);
      } catch {
        json = null;
      }
      if (!res.ok) {
        const p = (json ?? {}) as {
          code?: string;
          detail?: string;
          errors?: { location: string; message: string }[];
        };
        throw new ApiProblemError(
          res.status,
          p.code ?? `HTTP_${res.status}`,
          p.detail ?? `HTTP ${res.status}`,
          (p.errors ?? []).map((e) => `${e.location}: ${e.message}`),
        );
      }
      return json as T;
    },
  };
}
