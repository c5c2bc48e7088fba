// The portal door's JSON API (docs/sign-in.md, "HTTP contract of the portal door").
// Every request is same-origin JSON; with a session, state-changing requests carry the CSRF token
// that the sign-in ("done") or GET /portal/api/session handed out.

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly retryAfter: number | null = null,
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

let csrfToken: string | null = null;

export function setCsrfToken(token: string | null): void {
  csrfToken = token;
}

export function hasCsrfToken(): boolean {
  return csrfToken !== null;
}

// For the few requests that are form posts (a navigation, not a fetch): the token as a field.
export function currentCsrfToken(): string {
  return csrfToken ?? '';
}

type Json = Record<string, unknown>;

export async function api<T = Json>(method: 'GET' | 'POST' | 'DELETE', path: string,
                                    body?: unknown): Promise<T> {
  const headers: Record<string, string> = { Accept: 'application/json' };
  const init: RequestInit = { method, headers, credentials: 'same-origin', cache: 'no-store' };
  if (method !== 'GET') {
    // Requests before a session are accepted only as JSON (a cross-site form cannot send it).
    headers['Content-Type'] = 'application/json';
    init.body = JSON.stringify(body ?? {});
    if (csrfToken) headers['X-CSRF-Token'] = csrfToken;
  }
  let res: Response;
  try {
    res = await fetch(path, init);
  } catch {
    throw new ApiError(0, 'NetworkError', 'The portal cannot be reached. Check your connection and try again.');
  }
  const text = await res.text();
  let data: unknown = {};
  if (text) {
    try {
      data = JSON.parse(text);
    } catch {
      data = {};
    }
  }
  if (!res.ok) {
    const d = (data ?? {}) as Json;
    const retry = res.headers.get('Retry-After');
    const retryAfter = retry && /^\d+$/.test(retry) ? Number(retry) : null;
    throw new ApiError(res.status, typeof d.error === 'string' ? d.error : 'InternalError',
                       typeof d.message === 'string' && d.message ? d.message : defaultMessage(res.status),
                       retryAfter);
  }
  return data as T;
}

function defaultMessage(status: number): string {
  if (status === 401) return 'Your session has ended. Sign in again.';
  if (status === 403) return 'You are not allowed to do that.';
  if (status === 429) return 'Too many attempts. Wait a moment and try again.';
  return 'Something went wrong. Try again.';
}

// What the user reads for an error: the server's message, plus when to retry.
export function describeError(err: unknown): string {
  if (err instanceof ApiError) {
    if (err.code === 'TooManyAttempts' && err.retryAfter !== null) {
      return `${err.message} Try again in ${err.retryAfter} seconds.`;
    }
    return err.message;
  }
  if (err instanceof DOMException) {
    // navigator.credentials: the user cancelled, timed out, or the key is not registered here.
    if (err.name === 'NotAllowedError') return 'The security key operation was cancelled or timed out.';
    if (err.name === 'InvalidStateError') return 'This security key is already registered.';
    if (err.name === 'SecurityError') return 'Security keys cannot be used on this address.';
    return `Security key error: ${err.message}`;
  }
  return err instanceof Error ? err.message : 'Something went wrong. Try again.';
}

// ---- shapes -------------------------------------------------------------------------------

export type MfaType = 'TOTP' | 'WEBAUTHN' | 'EMAIL_OTP';

export interface NextStep {
  next: 'password' | 'mfa' | 'register-mfa' | 'new-password' | 'done';
  methods?: MfaType[];
  publicKey?: Json;
  types?: MfaType[];
  redirect?: string;
  csrfToken?: string;
}

export interface SessionInfo {
  signedIn: boolean;
  user?: { id: string; userName: string; displayName?: string };
  csrfToken?: string;
  expiresAt?: string;
  // Signed in through an external identity provider: MFA is configured there.
  mfaManagedByIdentityProvider?: boolean;
  // The user may open the admin console (docs/admin-console.md "Who gets in").
  consoleAccess?: boolean;
}

export interface Role {
  permissionSetName: string;
  permissionSetArn: string;
  description?: string;
}

export interface Account {
  accountId: string;
  accountName: string;
  email?: string;
  roles: Role[];
}

// An application tile (docs/applications.md "Portal"): `launch` "saml" asks the portal for a
// Response (POST /portal/api/applications/<id>/launch); "start-url" opens the application start
// URL, where the application starts the sign-in itself.
export interface Application {
  id?: string;
  name?: string;
  displayName?: string;
  description?: string;
  url?: string;
  iconUrl?: string;
  launch?: 'saml' | 'start-url';
}

// POST /portal/api/portal/console: the signed SAML Response the page posts to AWS's sign-in.
export interface ConsoleSession {
  destination: string;
  samlResponse: string;
  relayState: string;
}

export interface PortalListing {
  accounts: Account[];
  applications: Application[];
}

export interface Device {
  id: string;
  type: string;
  name: string;
  created?: string;
  lastUsed?: string | null;
}

export interface DeviceListing {
  devices: Device[];
  canManage: boolean;
}

export interface TotpEnrollment {
  enrollmentId: string;
  secret: string;
  otpauthUri: string;
  qrSvg: string;
}
