// WebAuthn in the browser (WebAuthn L2 §5.1.3 create, §5.1.4 get). The server speaks JSON with
// binary fields as base64url strings (docs/sign-in.md); navigator.credentials wants ArrayBuffers.
// These functions convert both ways and hand back the PublicKeyCredential as the server's JSON.

type Json = Record<string, unknown>;

export function base64urlToBuffer(s: string): ArrayBuffer {
  const b64 = s.replace(/-/g, '+').replace(/_/g, '/');
  const padded = b64 + '='.repeat((4 - (b64.length % 4)) % 4);
  const bin = atob(padded);
  const out = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i);
  return out.buffer;
}

export function bufferToBase64url(buf: ArrayBuffer | ArrayBufferView): string {
  const bytes = buf instanceof ArrayBuffer ? new Uint8Array(buf)
    : new Uint8Array(buf.buffer, buf.byteOffset, buf.byteLength);
  let bin = '';
  for (let i = 0; i < bytes.length; i++) bin += String.fromCharCode(bytes[i]!);
  return btoa(bin).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

// The server's answer is {"publicKey": options}; accept the options alone as well.
function unwrap(options: Json): Json {
  let o = options;
  for (let i = 0; i < 2 && o.publicKey && typeof o.publicKey === 'object'; i++) o = o.publicKey as Json;
  return o;
}

function descriptors(list: unknown): PublicKeyCredentialDescriptor[] | undefined {
  if (!Array.isArray(list)) return undefined;
  return list.map((d: Json) => ({
    ...(d as object),
    type: 'public-key',
    id: base64urlToBuffer(String(d.id)),
  }) as PublicKeyCredentialDescriptor);
}

export function toCreationOptions(json: Json): PublicKeyCredentialCreationOptions {
  const o = unwrap(json);
  const user = o.user as Json;
  const out: Json = {
    ...o,
    challenge: base64urlToBuffer(String(o.challenge)),
    user: { ...user, id: base64urlToBuffer(String(user.id)) },
  };
  const exclude = descriptors(o.excludeCredentials);
  if (exclude) out.excludeCredentials = exclude;
  return out as unknown as PublicKeyCredentialCreationOptions;
}

export function toRequestOptions(json: Json): PublicKeyCredentialRequestOptions {
  const o = unwrap(json);
  const out: Json = { ...o, challenge: base64urlToBuffer(String(o.challenge)) };
  const allow = descriptors(o.allowCredentials);
  if (allow) out.allowCredentials = allow;
  return out as unknown as PublicKeyCredentialRequestOptions;
}

function credentialJson(cred: PublicKeyCredential, response: Json): Json {
  return {
    id: cred.id,
    rawId: bufferToBase64url(cred.rawId),
    type: cred.type,
    authenticatorAttachment: cred.authenticatorAttachment ?? undefined,
    clientExtensionResults: cred.getClientExtensionResults(),
    response,
  };
}

export function supported(): boolean {
  return typeof window.PublicKeyCredential === 'function' && !!navigator.credentials;
}

// Registration: {id, rawId, type, response: {clientDataJSON, attestationObject, transports}}.
export async function create(options: Json): Promise<Json> {
  const cred = await navigator.credentials.create({ publicKey: toCreationOptions(options) });
  if (!(cred instanceof PublicKeyCredential)) throw new Error('The browser returned no credential.');
  const r = cred.response as AuthenticatorAttestationResponse;
  const transports = typeof r.getTransports === 'function' ? r.getTransports() : [];
  return credentialJson(cred, {
    clientDataJSON: bufferToBase64url(r.clientDataJSON),
    attestationObject: bufferToBase64url(r.attestationObject),
    transports,
  });
}

// Assertion: {id, rawId, type, response: {clientDataJSON, authenticatorData, signature, userHandle}}.
export async function get(options: Json): Promise<Json> {
  const cred = await navigator.credentials.get({ publicKey: toRequestOptions(options) });
  if (!(cred instanceof PublicKeyCredential)) throw new Error('The browser returned no credential.');
  const r = cred.response as AuthenticatorAssertionResponse;
  return credentialJson(cred, {
    clientDataJSON: bufferToBase64url(r.clientDataJSON),
    authenticatorData: bufferToBase64url(r.authenticatorData),
    signature: bufferToBase64url(r.signature),
    userHandle: r.userHandle ? bufferToBase64url(r.userHandle) : null,
  });
}
