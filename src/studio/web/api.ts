/** Calls to the studio's API: JSON, the session cookie, and the CSRF token on every write. */
let csrf = '';
export const setCsrf = (token: string) => (csrf = token);

export class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
    /** The refusal as sent (a save's conflict diff, lint's findings). */
    readonly body: Record<string, any> = {},
  ) {
    super(message);
  }
}

export async function api<T = any>(path: string, body?: unknown): Promise<T> {
  const response = await fetch(`/api${path}`, {
    method: body === undefined ? 'GET' : 'POST',
    headers: body === undefined ? {} : { 'content-type': 'application/json', 'x-csrf-token': csrf },
    body: body === undefined ? undefined : JSON.stringify(body),
    credentials: 'same-origin',
  });
  const json = await response.json().catch(() => ({ error: `${response.status} ${response.statusText}` }));
  if (!response.ok) throw new ApiError(response.status, json.error ?? `${response.status}`, json);
  return json as T;
}
