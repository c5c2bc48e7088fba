// A local SMTP sink for the browser tests: a real SMTP conversation (RFC 5321 §4.1: greeting,
// EHLO/HELO, MAIL, RCPT, DATA with dot-unstuffing, RSET, NOOP, QUIT) on 127.0.0.1, keeping every
// message in memory so that a test can wait for the one addressed to its user and read the link
// or code in it. No STARTTLS is offered, so Atrium's mailer (mail.starttls automatic) talks plain.
import net from 'node:net';

export class SmtpSink {
  constructor() {
    this.messages = [];
    this.waiters = [];
    this.sockets = new Set();
    this.server = net.createServer((socket) => {
      this.sockets.add(socket);
      socket.on('close', () => this.sockets.delete(socket));
      this.#session(socket);
    });
  }

  async start() {
    await new Promise((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(0, '127.0.0.1', resolve);
    });
    this.port = this.server.address().port;
    return this;
  }

  async stop() {
    const closed = new Promise((resolve) => this.server.close(() => resolve()));
    for (const socket of this.sockets) socket.destroy();  // a client that keeps its connection
    await closed;
  }

  // Resolves with the first message (already received or still to come) that `match` accepts.
  waitFor(match, timeoutMs = 15000, what = 'a message') {
    const found = this.messages.find(match);
    if (found) return Promise.resolve(found);
    return new Promise((resolve, reject) => {
      const waiter = { match, resolve };
      this.waiters.push(waiter);
      setTimeout(() => {
        this.waiters = this.waiters.filter((w) => w !== waiter);
        reject(new Error(`SMTP sink: no ${what} within ${timeoutMs} ms; got ` +
          JSON.stringify(this.messages.map((m) => ({ to: m.rcptTo, subject: m.subject })))));
      }, timeoutMs).unref();
    });
  }

  // The newest message to `address` received after `since` messages (so that a second mail to the
  // same user is not confused with the first).
  waitForMailTo(address, { since = 0, timeoutMs = 15000 } = {}) {
    const lower = address.toLowerCase();
    return this.waitFor((m) => m.index >= since && m.rcptTo.some((r) => r.toLowerCase() === lower),
                        timeoutMs, `message to ${address}`);
  }

  #deliver(message) {
    message.index = this.messages.length;
    this.messages.push(message);
    const ready = this.waiters.filter((w) => w.match(message));
    this.waiters = this.waiters.filter((w) => !ready.includes(w));
    for (const w of ready) w.resolve(message);
  }

  #session(socket) {
    let buffer = '';
    let inData = false;
    let dataLines = [];
    let mailFrom = null;
    let rcptTo = [];
    const reply = (line) => socket.write(`${line}\r\n`);
    socket.setEncoding('latin1');
    reply('220 sink.localhost ESMTP atrium-test-sink');
    socket.on('data', (chunk) => {
      buffer += chunk;
      let nl;
      while ((nl = buffer.indexOf('\r\n')) >= 0) {
        const line = buffer.slice(0, nl);
        buffer = buffer.slice(nl + 2);
        if (inData) {
          if (line === '.') {
            inData = false;
            this.#deliver(parseMessage(dataLines.join('\r\n'), mailFrom, rcptTo));
            dataLines = [];
            mailFrom = null;
            rcptTo = [];
            reply('250 2.0.0 OK: queued');
          } else {
            dataLines.push(line.startsWith('.') ? line.slice(1) : line);
          }
          continue;
        }
        const verb = line.slice(0, 4).toUpperCase();
        const arg = line.slice(4).trim();
        if (verb === 'EHLO') {
          reply('250-sink.localhost');
          reply('250-8BITMIME');
          reply('250-SIZE 10485760');
          reply('250 SMTPUTF8');
        } else if (verb === 'HELO') {
          reply('250 sink.localhost');
        } else if (verb === 'MAIL') {
          mailFrom = addressOf(arg);
          rcptTo = [];
          reply('250 2.1.0 OK');
        } else if (verb === 'RCPT') {
          if (mailFrom === null) { reply('503 5.5.1 MAIL first'); continue; }
          rcptTo.push(addressOf(arg));
          reply('250 2.1.5 OK');
        } else if (verb === 'DATA') {
          if (!rcptTo.length) { reply('503 5.5.1 RCPT first'); continue; }
          inData = true;
          reply('354 End data with <CR><LF>.<CR><LF>');
        } else if (verb === 'RSET') {
          mailFrom = null;
          rcptTo = [];
          reply('250 2.0.0 OK');
        } else if (verb === 'NOOP') {
          reply('250 2.0.0 OK');
        } else if (verb === 'QUIT') {
          reply('221 2.0.0 Bye');
          socket.end();
        } else {
          reply('502 5.5.2 Command not implemented');
        }
      }
    });
    socket.on('error', () => {});
  }
}

function addressOf(arg) {
  const m = /<([^>]*)>/.exec(arg);
  return m ? m[1] : arg.replace(/^(FROM|TO):/i, '').trim();
}

// ---- a small MIME reader: headers, multipart bodies, quoted-printable and base64 ---------------

function splitHeaders(raw) {
  const at = raw.search(/\r?\n\r?\n/);
  const head = at < 0 ? raw : raw.slice(0, at);
  const body = at < 0 ? '' : raw.slice(raw.indexOf('\n', at + 1) + 1).replace(/^\r?\n/, '');
  const headers = {};
  for (const line of head.replace(/\r?\n[ \t]+/g, ' ').split(/\r?\n/)) {
    const i = line.indexOf(':');
    if (i > 0) headers[line.slice(0, i).trim().toLowerCase()] = line.slice(i + 1).trim();
  }
  return { headers, body };
}

function decodeBody(body, encoding) {
  const enc = (encoding || '').toLowerCase();
  if (enc === 'quoted-printable') {
    const bytes = body.replace(/=\r?\n/g, '').replace(/=([0-9A-Fa-f]{2})/g,
      (_, h) => String.fromCharCode(parseInt(h, 16)));
    return Buffer.from(bytes, 'latin1').toString('utf8');
  }
  if (enc === 'base64') return Buffer.from(body.replace(/\s+/g, ''), 'base64').toString('utf8');
  return Buffer.from(body, 'latin1').toString('utf8');
}

function decodeHeader(value) {
  // RFC 2047 encoded words (=?UTF-8?B?...?= / =?UTF-8?Q?...?=).
  return (value || '').replace(/=\?([^?]+)\?([BbQq])\?([^?]*)\?=/g, (_, _charset, kind, text) =>
    kind.toUpperCase() === 'B'
      ? Buffer.from(text, 'base64').toString('utf8')
      : Buffer.from(text.replace(/_/g, ' ').replace(/=([0-9A-Fa-f]{2})/g,
          (__, h) => String.fromCharCode(parseInt(h, 16))), 'latin1').toString('utf8'));
}

function textParts(raw, depth = 0) {
  const { headers, body } = splitHeaders(raw);
  const type = headers['content-type'] || 'text/plain';
  const boundary = /boundary="?([^";]+)"?/i.exec(type);
  if (/^multipart\//i.test(type) && boundary && depth < 4) {
    const parts = body.split(`--${boundary[1]}`).slice(1);
    return parts.filter((p) => !p.startsWith('--')).flatMap((p) => textParts(p.replace(/^\r?\n/, ''), depth + 1));
  }
  return [{ type: type.split(';')[0].trim().toLowerCase(), text: decodeBody(body, headers['content-transfer-encoding']) }];
}

export function parseMessage(raw, mailFrom, rcptTo) {
  const { headers } = splitHeaders(raw);
  const parts = textParts(raw);
  const plain = parts.filter((p) => p.type === 'text/plain').map((p) => p.text).join('\n');
  const html = parts.filter((p) => p.type === 'text/html').map((p) => p.text).join('\n');
  return {
    raw, mailFrom, rcptTo: [...rcptTo], headers,
    subject: decodeHeader(headers.subject),
    to: decodeHeader(headers.to),
    text: plain || html,
    html,
  };
}

// The first portal link in a message with a `token` parameter (invitation and reset links).
export function tokenLink(message) {
  const m = /https?:\/\/[^\s"'<>]*\/portal\/set-password\?token=([A-Za-z0-9_\-.~%]+)/.exec(message.text + '\n' + message.html);
  if (!m) throw new Error(`no set-password link in: ${message.subject}\n${message.text}`);
  return { url: m[0], token: decodeURIComponent(m[1]) };
}

// The first run of 6 to 8 digits in the text (e-mailed sign-in codes).
export function mailedCode(message) {
  const m = /(?<!\d)(\d{6,8})(?!\d)/.exec(message.text);
  if (!m) throw new Error(`no code in: ${message.subject}\n${message.text}`);
  return m[1];
}
