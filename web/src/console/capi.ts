// The console's one API (docs/admin-console.md "The door"): POST /portal/api/console with the
// X-Amz-Target and JSON body of the AWS JSON operation (identitystore, sso-admin, organizations,
// AtriumAdmin), the session cookie and the X-CSRF-Token header. Errors come back in AWS's
// shape, {"__type", "Message"}: an AccessDeniedException reads exactly as an SDK would show it.

import { currentCsrfToken } from '../api';

export class ConsoleError extends Error {
  constructor(readonly status: number, readonly type: string, message: string) {
    super(message);
    this.name = 'ConsoleError';
  }
}

type Json = Record<string, unknown>;

export async function call<T = Json>(target: string, body: Json = {}): Promise<T> {
  let res: Response;
  try {
    res = await fetch('/portal/api/console', {
      method: 'POST',
      credentials: 'same-origin',
      cache: 'no-store',
      headers: {
        'Content-Type': 'application/x-amz-json-1.1',
        'X-Amz-Target': target,
        'X-CSRF-Token': currentCsrfToken(),
      },
      body: JSON.stringify(body),
    });
  } catch {
    throw new ConsoleError(0, 'NetworkError', 'Atrium cannot be reached. Check your connection and try again.');
  }
  const text = await res.text();
  let data: Json = {};
  try {
    data = text ? (JSON.parse(text) as Json) : {};
  } catch {
    data = {};
  }
  if (!res.ok) {
    const type = typeof data.__type === 'string' ? data.__type : 'InternalError';
    const message = typeof data.Message === 'string' ? data.Message
      : typeof data.message === 'string' ? data.message : 'Something went wrong. Try again.';
    throw new ConsoleError(res.status, type, message);
  }
  return data as T;
}

// What the page shows for an error: "AccessDeniedException: User: ... is not authorized ...".
export function errorText(err: unknown): string {
  if (err instanceof ConsoleError) return `${err.type}: ${err.message}`;
  return err instanceof Error ? err.message : 'Something went wrong. Try again.';
}
