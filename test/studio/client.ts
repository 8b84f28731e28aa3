/** A studio user over real HTTP: a cookie jar, the CSRF token, JSON in and out. */
export class StudioClient {
  private cookie = '';
  csrf = '';

  constructor(readonly base: string) {}

  async raw(path: string, init: RequestInit = {}): Promise<Response> {
    const response = await fetch(this.base + path, { ...init, redirect: 'manual', headers: { ...(this.cookie && { cookie: this.cookie }), ...(init.headers as Record<string, string>) } });
    const set = response.headers.get('set-cookie');
    if (set) this.cookie = set.split(';')[0];
    return response;
  }

  /** Signs in: with an invite link, or as the machine's own coordinator on a loopback bind. */
  async signIn(invite?: string): Promise<this> {
    if (invite) await this.raw(new URL(invite).pathname);
    this.csrf = (await this.get<{ csrf: string }>('/api/me')).csrf;
    return this;
  }

  async get<T = any>(path: string): Promise<T> {
    const r = await this.raw(path);
    if (!r.ok) throw new Error(`${r.status} ${await r.text()}`);
    return (await r.json()) as T;
  }

  /** POSTs JSON; returns the status and body (refusals included). */
  async post<T = any>(path: string, body: unknown): Promise<{ status: number; body: T }> {
    const r = await this.raw(path, { method: 'POST', headers: { 'content-type': 'application/json', 'x-csrf-token': this.csrf }, body: JSON.stringify(body) });
    return { status: r.status, body: (await r.json()) as T };
  }
}

/** Labels for every entry of an answer, all "not met" except those given. */
export function labelsFor(answer: { rubric: { id: string; kind: string }[] }, met: Record<string, boolean | null> = {}, span = { start: 0, end: 4 }) {
  return answer.rubric.map((e) => {
    const verdict = e.id in met ? met[e.id] : false;
    return { entry: e.id, met: verdict, ...(verdict === null && { reason: 'the answer is cut off' }), ...(verdict === true && e.kind !== 'point' && { span }) };
  });
}
