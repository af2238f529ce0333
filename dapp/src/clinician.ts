// The clinician's view: a patient's records I may read and why (or the chain's reason why
// not), opening one (fetched from the gateway and decrypted here, in the browser, by the
// client's own code compiled to WebAssembly), and break-glass with a justification.
//
// The keystore file is read into the page and opened with its passphrase; neither leaves it.

import type { ApiPromise } from '@polkadot/api';

import { type Account, policyTexts, purposes, send, settings, text, variant } from './chain';
import { fill, h, message, short } from './ui';
import init, { Keys, Session } from './wasm-pkg/medchain_wasm';

interface Context {
  api: ApiPromise;
  account: Account;
}

type Json = Record<string, any>;

// One WebAssembly instance, one opened keystore and one gateway session for the page.
let ready: Promise<unknown> | undefined;
let keys: Keys | undefined;
let session: Promise<Session> | undefined;

function wasm(): Promise<unknown> {
  const loading = ready ?? init();
  ready = loading;
  return loading;
}

function gatewaySession(): Promise<Session> {
  if (!session) {
    const connecting = wasm().then(() => Session.connect(settings.node, settings.gateway));
    // A failed connection is not kept: the next open tries again.
    connecting.catch(() => (session = undefined));
    session = connecting;
  }
  return session;
}

/** What the bytes are, by their first bytes: a PDF, an image, text, or something to download. */
function sniff(bytes: Uint8Array): { kind: 'pdf' | 'image' | 'text' | 'binary'; mime: string; extension: string } {
  const starts = (...sig: number[]) => sig.every((b, i) => bytes[i] === b);
  if (starts(0x25, 0x50, 0x44, 0x46)) return { kind: 'pdf', mime: 'application/pdf', extension: 'pdf' };
  if (starts(0x89, 0x50, 0x4e, 0x47)) return { kind: 'image', mime: 'image/png', extension: 'png' };
  if (starts(0xff, 0xd8, 0xff)) return { kind: 'image', mime: 'image/jpeg', extension: 'jpg' };
  if (starts(0x47, 0x49, 0x46, 0x38)) return { kind: 'image', mime: 'image/gif', extension: 'gif' };
  try {
    const decoded = new TextDecoder('utf-8', { fatal: true }).decode(bytes.subarray(0, 65536));
    // Text is mostly printable; control characters other than whitespace mean binary.
    if (!/[\u0000-\u0008\u000e-\u001f]/.test(decoded)) return { kind: 'text', mime: 'text/plain', extension: 'txt' };
  } catch {
    // not UTF-8
  }
  return { kind: 'binary', mime: 'application/octet-stream', extension: 'bin' };
}

async function sha256(bytes: Uint8Array): Promise<string> {
  const digest = await crypto.subtle.digest('SHA-256', bytes as BufferSource);
  return Array.from(new Uint8Array(digest), (b) => b.toString(16).padStart(2, '0')).join('');
}

/** Renders the clinician view into `root`; returns a refresh function. */
export function renderClinician(root: HTMLElement, ctx: Context): () => Promise<void> {
  const { api, account } = ctx;
  const keystoreFile = h('input', { type: 'file', accept: '.json,application/json', 'data-testid': 'keystore-file' });
  const passphrase = h('input', { type: 'password', placeholder: 'passphrase', 'data-testid': 'keystore-passphrase' });
  const keysInfo = h('p', { 'data-testid': 'keys-info' }, keys ? `Keys of ${keys.address}` : 'No keystore opened.');
  const patient = h('input', { placeholder: "patient's account (SS58)", size: 50, 'data-testid': 'patient-account' });
  const purpose = h('select', { 'data-testid': 'purpose' }, purposes(api).map((p) => h('option', { value: p }, p)));
  const grant = h('input', { placeholder: 'grant # (optional)', size: 10, 'data-testid': 'grant-id' });
  const justification = h('input', { placeholder: 'break-glass justification', size: 30, 'data-testid': 'justification' });
  const list = h('div', { 'data-testid': 'clinician-records' });
  const opened = h('section', { 'data-testid': 'opened' });
  const status = h('p', { class: 'status', 'data-testid': 'clinician-status' });

  const unlock = async () => {
    status.textContent = '';
    const file = keystoreFile.files?.[0];
    if (!file) {
      status.textContent = 'Choose your keystore file first.';
      return;
    }
    try {
      await wasm();
      keys = Keys.open(new Uint8Array(await file.arrayBuffer()), passphrase.value);
      passphrase.value = '';
      const authorities = keys.authorities;
      keysInfo.textContent = `Keys of ${keys.address}; CP-ABE keys from ${authorities.length} authorit${authorities.length === 1 ? 'y' : 'ies'}`;
      if (keys.address !== account.address) {
        keysInfo.append(h('b', { class: 'warn' }, ` — the signing account (${account.label}) is another account: transactions such as break-glass are signed by it, reads by the keystore's.`));
      }
      await refresh();
    } catch (error) {
      status.textContent = `Cannot open the keystore: ${message(error)}`;
      status.className = 'status error';
    }
  };

  const open = async (record: number) => {
    fill(opened, h('p', {}, `Opening record ${record}…`));
    if (!keys) {
      fill(opened, h('p', { class: 'status error', 'data-testid': 'read-error' }, 'Open your keystore first.'));
      return;
    }
    const started = performance.now();
    try {
      const s = await gatewaySession();
      const grantId = grant.value.trim() === '' ? undefined : BigInt(grant.value.trim());
      const read = await s.read(keys, BigInt(record), purposeName(purpose.value), grantId);
      const bytes: Uint8Array = read.plaintext;
      const kind = sniff(bytes);
      const blob = new Blob([bytes as BlobPart], { type: kind.mime });
      const url = URL.createObjectURL(blob);
      const shown =
        kind.kind === 'text'
          ? h('pre', { 'data-testid': 'opened-text' }, new TextDecoder().decode(bytes))
          : kind.kind === 'image'
            ? h('img', { src: url, alt: `record ${record}`, 'data-testid': 'opened-image' })
            : kind.kind === 'pdf'
              ? h('iframe', { src: url, title: `record ${record}`, 'data-testid': 'opened-pdf', width: 800, height: 600 })
              : null;
      const elapsed = performance.now() - started;
      const digest = await sha256(bytes);
      fill(
        opened,
        h('h3', {}, `Record ${record}, version ${read.version}`),
        h(
          'p',
          { 'data-testid': 'opened-info', 'data-record': String(record), 'data-size': String(bytes.length), 'data-sha256': digest, 'data-ms': elapsed.toFixed(0) },
          `${bytes.length} bytes, decrypted in this browser in `,
          h('b', { 'data-testid': 'open-ms' }, `${elapsed.toFixed(0)} ms`),
          ` (key from ${read.keyFrom}; CID `,
          short(read.cid, 8),
          '; sha-256 ',
          short(digest, 8),
          ')',
        ),
        shown,
        h('a', { href: url, download: `record-${record}.${kind.extension}`, 'data-testid': 'download' }, 'Download'),
      );
      read.free();
    } catch (error) {
      const code = (error as { code?: string }).code ?? 'error';
      fill(
        opened,
        h('p', { class: 'status error', 'data-testid': 'read-error', 'data-code': code }, `Record ${record} was not opened: ${message(error)}`),
      );
    }
  };

  const breakGlass = async (record: number) => {
    const why = justification.value.trim();
    if (why === '') {
      status.textContent = 'Break-glass needs a justification.';
      status.className = 'status error';
      return;
    }
    try {
      await send(api, account, api.tx.consent.breakGlass(record, why), `Break-glass on record ${record}`);
      status.textContent = `Break-glass opened on record ${record}: the patient is told and must review it.`;
      status.className = 'status';
      await refresh();
    } catch (error) {
      status.textContent = `Break-glass refused: ${message(error)}`;
      status.className = 'status error';
    }
  };

  fill(
    root,
    h('h2', {}, 'My keys'),
    h('form', { class: 'row', onsubmit: (e: Event) => e.preventDefault() }, keystoreFile, passphrase, h('button', { type: 'button', 'data-testid': 'unlock', onclick: unlock }, 'Open keystore')),
    keysInfo,
    h('h2', {}, "A patient's records"),
    h(
      'form',
      { class: 'row', onsubmit: (e: Event) => e.preventDefault() },
      patient,
      purpose,
      grant,
      h('button', { type: 'button', 'data-testid': 'show-records', onclick: () => void refresh() }, 'Show records'),
    ),
    h('p', {}, 'Break-glass (emergency staff only; the patient reviews every use): ', justification),
    status,
    list,
    opened,
  );

  async function refresh(): Promise<void> {
    const subject = patient.value.trim();
    if (subject === '') return;
    const reader = keys?.address ?? account.address;
    try {
      const listed = ((await api.call.recordsApi.recordsOf(subject, null, 100)).toJSON() as [number, Json][]).sort(([a], [b]) => a - b);
      const policies = await policyTexts(api, listed.map(([, record]) => record.policy));
      const rows = await Promise.all(
        listed.map(async ([id, record]) => {
          const decision = (await api.call.consentApi.access(reader, id, purpose.value)).toJSON() as Json;
          const ticket = (await api.call.consentApi.liveTicket(reader, id)).toJSON() as Json | null;
          const policy = record.policy === null ? null : (policies.get(Number(record.policy)) ?? null);
          return { id, record, decision, ticket, policy };
        }),
      );
      fill(
        list,
        rows.length === 0
          ? h('p', {}, 'No records for this account.')
          : h(
              'table',
              {},
              h('tr', {}, ['#', 'kind', 'policy', `may ${reader === account.address ? 'I' : 'the keystore'} read for ${purpose.value}?`, ''].map((c) => h('th', {}, c))),
              rows.map(({ id, record, decision, ticket, policy }) => {
                const allowed = 'ok' in decision;
                const why = variant(allowed ? decision.ok : decision.err);
                return h(
                  'tr',
                  { 'data-testid': `clinician-record-${id}`, 'data-allowed': String(allowed), 'data-reason': why },
                  h('td', {}, id),
                  h('td', {}, text(record.kind)),
                  h('td', { class: 'policy' }, policy ?? 'none'),
                  h(
                    'td',
                    {},
                    allowed ? h('span', { class: 'allow' }, `yes (${why})`) : h('span', { class: 'deny' }, `no: ${why}`),
                    ticket ? h('span', { class: 'ticket' }, ` — live ${variant(ticket.basis)} ticket until block ${ticket.expiresAt}`) : '',
                  ),
                  h(
                    'td',
                    {},
                    h('button', { 'data-testid': `open-${id}`, onclick: () => void open(id) }, 'Open'),
                    ' ',
                    h('button', { class: 'danger', 'data-testid': `break-glass-${id}`, onclick: () => void breakGlass(id) }, 'Break-glass'),
                  ),
                );
              }),
            ),
      );
    } catch (error) {
      fill(list, h('p', { class: 'status error' }, `Cannot list the records: ${message(error)}`));
    }
  }

  return refresh;
}

/** The chain's purpose variant (`PublicHealth`) as the client names it (`public-health`). */
function purposeName(variantName: string): string {
  return variantName.replace(/([a-z])([A-Z])/g, '$1-$2').toLowerCase();
}
