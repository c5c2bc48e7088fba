// The audit view: the CloudTrail records of every change (and read), newest first, through
// CloudTrail's LookupEvents; filter by event name or principal (LookupEvents takes one lookup
// attribute) and a time range, page with NextToken, sort a page by its columns, and open one
// record as its JSON.

import { append, button, errorRegion, field, h, statusRegion } from '../dom';
import { PageContext } from '../router';
import { call } from './capi';
import { act, consoleFrame, table } from './shell';

interface TrailEvent {
  EventId: string;
  EventName: string;
  EventTime: number;
  EventSource: string;
  Username?: string;
  CloudTrailEvent: string;
}

const TARGET = 'com.amazonaws.cloudtrail.v20131101.CloudTrail_20131101.LookupEvents';

// datetime-local values are local times; the API takes epoch seconds.
function seconds(v: string): number | undefined {
  if (!v) return undefined;
  const t = new Date(v).getTime();
  return Number.isNaN(t) ? undefined : t / 1000;
}

export async function auditPage(ctx: PageContext): Promise<void> {
  const me = await consoleFrame(ctx, 'Audit');
  if (!me) return;
  const error = errorRegion();
  const status = statusRegion();
  const name = field('audit-event', 'Event name', { required: false, spellcheck: false, hint: 'For example CreateUser' });
  const who = field('audit-principal', 'Principal', { required: false, spellcheck: false,
    hint: 'The principal\'s ARN or access key ID, as in a record\'s userIdentity (or choose a principal in the list). Filter by event name or by principal, not both.' });
  const from = field('audit-from', 'From', { type: 'datetime-local', required: false });
  const to = field('audit-to', 'To', { type: 'datetime-local', required: false });
  const results = h('div', {});
  const record = h('section', { 'aria-labelledby': 'record-heading', hidden: true });
  const tokens: (string | undefined)[] = [undefined];
  let at = 0;

  function open(e: TrailEvent): void {
    let text = e.CloudTrailEvent;
    try {
      text = JSON.stringify(JSON.parse(e.CloudTrailEvent), null, 2);
    } catch {
      // shown as stored
    }
    record.replaceChildren(h('h2', { id: 'record-heading', tabindex: -1 }, `Record ${e.EventName} ${e.EventId}`),
      h('pre', { class: 'record', tabindex: 0, 'aria-label': 'CloudTrail record as JSON' }, text));
    record.hidden = false;
    (record.firstElementChild as HTMLElement).focus();
  }

  // The principal as the audit trail keys it (the ARN, else the access key): a button that
  // filters the list by it.
  function principalCell(ev: TrailEvent): Node | string {
    let key = '';
    try {
      const id = (JSON.parse(ev.CloudTrailEvent) as { userIdentity?: { arn?: string; accessKeyId?: string } }).userIdentity;
      key = id?.arn || id?.accessKeyId || '';
    } catch {
      key = '';
    }
    const shown = ev.Username ?? key;
    if (!key) return shown;
    return button(shown || key, { class: 'link', 'aria-label': `Show only the records of ${shown || key}`, onclick: () => {
      name.input.value = '';
      who.input.value = key;
      tokens.length = 1;
      at = 0;
      void load();
    } });
  }

  async function load(): Promise<void> {
    const body: Record<string, unknown> = { MaxResults: 25 };
    if (tokens[at]) body.NextToken = tokens[at];
    if (name.input.value.trim() && who.input.value.trim()) {
      error.textContent = 'Filter by event name or by principal, not both: CloudTrail\'s LookupEvents takes one lookup attribute.';
      return;
    }
    if (name.input.value.trim()) body.LookupAttributes = [{ AttributeKey: 'EventName', AttributeValue: name.input.value.trim() }];
    if (who.input.value.trim()) body.LookupAttributes = [{ AttributeKey: 'Username', AttributeValue: who.input.value.trim() }];
    const s = seconds(from.input.value);
    const e = seconds(to.input.value);
    if (s !== undefined) body.StartTime = s;
    if (e !== undefined) body.EndTime = e;
    await act(null, error, async () => {
      const r = await call<{ Events: TrailEvent[]; NextToken?: string }>(TARGET, body);
      if (ctx.stale()) return;
      tokens[at + 1] = r.NextToken;
      results.replaceChildren(
        table(`Audit records, page ${at + 1}`, ['Time', 'Event', 'Source', 'Principal', 'Record'], r.Events.map((ev) => [
          new Date(ev.EventTime * 1000).toISOString(), ev.EventName, ev.EventSource, principalCell(ev),
          button('Show JSON', { 'aria-label': `Show the record of ${ev.EventName} as JSON`, onclick: () => open(ev) })]),
        { sort: { column: 0, descending: true } }),
        h('div', { class: 'actions' },
          button('Newer', { disabled: at === 0, onclick: () => { at -= 1; void load(); } }),
          button('Older', { disabled: !r.NextToken, onclick: () => { at += 1; void load(); } })));
      status.textContent = `${r.Events.length} records on this page.`;
    });
  }

  const form = h('form', { class: 'inline', onsubmit: (ev: Event) => {
    ev.preventDefault();
    tokens.length = 1;
    at = 0;
    void load();
  } }, name.wrapper, who.wrapper, from.wrapper, to.wrapper, h('button', { type: 'submit' }, 'Filter'));
  append(ctx.main, form, error, status, results, record);
  await load();
}
