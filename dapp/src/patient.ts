// The patient's view: my records, who may read them, the audit trail, and the actions a
// patient takes (allow / deny, revoke a grant, custodians, break-glass review, erase).

import type { ApiPromise } from '@polkadot/api';
import { base32Encode } from '@polkadot/util-crypto';
import { hexToU8a } from '@polkadot/util';

import { type Account, actions, payload, policyTexts, purposes, text, variant } from './chain';
import { fill, h, message, short } from './ui';

interface Context {
  api: ApiPromise;
  account: Account;
}

/** A binary CID (hex) as its canonical text (CIDv1, base32: `bafk…`). */
function cidText(hex: string): string {
  return base32Encode(hexToU8a(hex), true);
}

type Json = Record<string, any>;

/** A byte count for people (`9.3 KiB`, `1.0 MiB`). */
function size(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} KiB`;
  return `${(bytes / (1024 * 1024)).toFixed(1)} MiB`;
}

/** Everything the view shows, read at the best block. */
async function load(api: ApiPromise, me: string) {
  const listed = ((await api.call.recordsApi.recordsOf(me, null, 100)).toJSON() as [number, Json][]).sort(([a], [b]) => a - b);
  const policies = await policyTexts(api, listed.map(([, record]) => record.policy));
  const records = await Promise.all(
    listed.map(async ([id, record]) => {
      const view = (await api.call.recordsApi.record(id)).toJSON() as Json | null;
      const versions: Json[] = view && 'live' in view ? view.live.versions : [];
      const policyText =
        record.policy === null || record.policy === undefined
          ? null
          : (policies.get(Number(record.policy)) ?? `policy ${record.policy} (removed: nobody but you may read)`);
      return { id, record, versions, policyText };
    }),
  );
  const overrides = (await api.query.consent.overrides.entries(me)).map(([key, value]) => {
    const [, scope, account] = key.args;
    return { scope: scope.toJSON(), account: account.toString(), value: value.toJSON() as Json };
  });
  // The runtime's per-owner index (KeyGrantsApi v3): this patient's grants, by id.
  const grants = ((await api.call.keyGrantsApi.grantsOf(me)).toJSON() as [number, Json][]).map(([id, grant]) => ({
    id: Number(id),
    grant,
  }));
  // Erased records (RecordsApi v2): what is left of them, a tombstone each.
  const erased = ((await api.call.recordsApi.tombstonesOf(me, null, 100)).toJSON() as [number, Json][]).sort(
    ([a], [b]) => a - b,
  );
  const custodians = (await api.query.records.custodians.entries(me)).map(([key, value]) => ({
    custodian: key.args[1].toString(),
    value: value.toJSON() as Json,
  }));
  const receipts = (await api.call.consentApi.readReceipts(me)).toJSON() as [string, Json][];
  const breakGlass = (await api.call.consentApi.breakGlassUses(me)).toJSON() as [number, Json][];
  const attestations = (
    await Promise.all(
      grants.map(async ({ id }) =>
        ((await api.call.keyGrantsApi.receipts(id)).toJSON() as Json[]).map((a): Json => ({ grant: id, ...a })),
      ),
    )
  ).flat();
  const best = (await api.rpc.chain.getHeader()).number.toNumber();
  return { records, erased, overrides, grants, custodians, receipts, breakGlass, attestations, best };
}

/** Renders the patient view of `ctx.account` into `root`; returns a refresh function. */
export function renderPatient(root: HTMLElement, ctx: Context): () => Promise<void> {
  const { api, account } = ctx;
  const me = account.address;
  const recordsBox = h('div', { 'data-testid': 'patient-records' }, 'loading…');
  const accessBox = h('div', { 'data-testid': 'patient-access' });
  const auditBox = h('div', { 'data-testid': 'audit-trail' });
  const status = h('p', { class: 'status', 'data-testid': 'patient-status' });

  const act = actions(api, account, status, () => refresh());

  // --- allow / deny form ---
  const overrideAccount = h('input', { placeholder: 'account (SS58)', 'data-testid': 'override-account', size: 50 });
  const overrideScope = h('input', { placeholder: 'record id (empty: all my records)', 'data-testid': 'override-record', size: 8 });
  const overridePurpose = h(
    'select',
    { 'data-testid': 'override-purpose' },
    h('option', { value: '' }, 'any purpose'),
    purposes(api).map((p) => h('option', { value: p }, p)),
  );
  const scopeOf = () => (overrideScope.value.trim() === '' ? 'AllRecords' : { Record: Number(overrideScope.value.trim()) });
  const overrideForm = h(
    'form',
    { class: 'row', onsubmit: (e: Event) => e.preventDefault() },
    overrideAccount,
    overrideScope,
    overridePurpose,
    h('button', {
      type: 'button',
      'data-testid': 'allow',
      onclick: () =>
        act('Allow', api.tx.consent.setOverride(scopeOf(), overrideAccount.value.trim(), 'Allow', overridePurpose.value || null, null)),
    }, 'Allow'),
    h('button', {
      type: 'button',
      'data-testid': 'deny',
      onclick: () =>
        act('Deny', api.tx.consent.setOverride(scopeOf(), overrideAccount.value.trim(), 'Deny', overridePurpose.value || null, null)),
    }, 'Deny'),
  );

  // --- custodian form ---
  const custodianAccount = h('input', { placeholder: 'custodian (SS58)', 'data-testid': 'custodian-account', size: 50 });
  const custodianForm = h(
    'form',
    { class: 'row', onsubmit: (e: Event) => e.preventDefault() },
    custodianAccount,
    h('button', {
      type: 'button',
      'data-testid': 'custodian-authorize',
      onclick: () => act('Authorise custodian', api.tx.records.authorizeCustodian(custodianAccount.value.trim(), 'AllKinds', null)),
    }, 'Authorise (all kinds)'),
  );

  fill(
    root,
    h('h2', {}, 'My records'),
    status,
    recordsBox,
    h('h2', {}, 'Who may read'),
    accessBox,
    h('h3', {}, 'Allow or deny an account'),
    overrideForm,
    h('h3', {}, 'Authorise a custodian (hospital, lab) to write records for me'),
    custodianForm,
    h('h2', {}, 'Audit trail'),
    auditBox,
  );

  async function refresh(): Promise<void> {
    let data: Awaited<ReturnType<typeof load>>;
    try {
      data = await load(api, me);
    } catch (error) {
      status.textContent = `could not read the chain: ${message(error)}`;
      status.className = 'status error';
      return;
    }
    // Records: live ones, then erased ones.
    fill(
      recordsBox,
      data.records.length === 0 && data.erased.length === 0
        ? h('p', {}, 'No records.')
        : h(
            'table',
            {},
            h('tr', {}, ['#', 'kind', 'version', 'custodian', 'size', 'CID', 'policy', ''].map((c) => h('th', {}, c))),
            data.records.map(({ id, record, versions, policyText }) => {
              const current = versions[versions.length - 1] ?? {};
              return h(
                'tr',
                { 'data-testid': `record-${id}` },
                h('td', {}, id),
                h('td', {}, text(record.kind)),
                h('td', {}, `${record.currentVersion} of ${versions.length}`),
                h('td', {}, short(String(current.custodian ?? ''))),
                h('td', {}, size(Number(current.size ?? 0))),
                h('td', {}, current.cid ? short(cidText(current.cid), 8) : ''),
                h('td', { class: 'policy', 'data-testid': `policy-${id}` }, policyText ?? 'no policy: only you and accounts you allow'),
                h('td', {}, h('button', {
                  class: 'danger',
                  'data-testid': `erase-${id}`,
                  onclick: () => {
                    if (confirm(`Erase record ${id}? Every gateway deletes its ciphertext; this cannot be undone.`)) {
                      void act(`Erase record ${id}`, api.tx.records.eraseRecord(id));
                    }
                  },
                }, 'Erase…')),
              );
            }),
            data.erased.map(([id, tombstone]) =>
              h(
                'tr',
                { class: 'erased', 'data-testid': `erased-${id}` },
                h('td', {}, id),
                h(
                  'td',
                  { colspan: 7 },
                  h('b', {}, 'erased'),
                  ` at block ${tombstone.erasedAt}: ${tombstone.versions} version(s), deleted from every gateway; the last digest `,
                  short(String(tombstone.digest), 10),
                  ' stays on chain',
                ),
              ),
            ),
          ),
    );
    // Who may read: overrides, grants, custodians.
    fill(
      accessBox,
      h('h3', {}, 'Allows and denies'),
      data.overrides.length === 0
        ? h('p', {}, 'None: only your policies decide.')
        : h(
            'ul',
            {},
            data.overrides.map((o) => {
              const scope = variant(o.scope) === 'Record' ? `record ${payload(o.scope)}` : 'all records';
              const kind = variant(o.value.kind);
              return h(
                'li',
                { 'data-testid': 'override', 'data-kind': kind, 'data-account': o.account },
                h('b', { class: kind === 'Deny' ? 'deny' : 'allow' }, kind),
                ' ',
                short(o.account),
                ` on ${scope}`,
                o.value.purpose ? ` for ${variant(o.value.purpose)}` : ' for any purpose',
                o.value.expiresAt ? ` until block ${o.value.expiresAt}` : '',
                ' ',
                h('button', {
                  onclick: () => act(`Remove ${kind.toLowerCase()}`, api.tx.consent.removeOverride(o.scope as any, o.account)),
                }, 'Remove'),
              );
            }),
          ),
      h('h3', {}, 'Key grants (proxy re-encryption)'),
      data.grants.length === 0
        ? h('p', {}, 'None.')
        : h(
            'ul',
            {},
            data.grants.map(({ id, grant }) => {
              const revoked = grant.revokedAt !== null && grant.revokedAt !== undefined;
              const expired = !revoked && Number(grant.expiresAt) <= data.best;
              return h(
                'li',
                { 'data-testid': `grant-${id}`, 'data-active': String(!revoked && !expired) },
                `Grant ${id} to `,
                short(String(grant.grantee)),
                ` — ${variant(grant.scope)} ${JSON.stringify(payload(grant.scope) ?? '')}, ${grant.threshold} of ${grant.proxies.length} proxies, `,
                revoked ? h('b', {}, `revoked at block ${grant.revokedAt}`) : expired ? 'expired' : `active until block ${grant.expiresAt}`,
                ' ',
                !revoked &&
                  !expired &&
                  h('button', {
                    'data-testid': `revoke-grant-${id}`,
                    onclick: () => act(`Revoke grant ${id}`, api.tx.keyGrants.revokeGrant(id)),
                  }, 'Revoke'),
              );
            }),
          ),
      h('h3', {}, 'Custodians'),
      data.custodians.length === 0
        ? h('p', {}, 'None.')
        : h(
            'ul',
            {},
            data.custodians.map((c) =>
              h(
                'li',
                { 'data-testid': 'custodian', 'data-account': c.custodian },
                short(c.custodian),
                ` may write ${variant(c.value.scope) === 'AllKinds' ? 'every kind' : JSON.stringify(payload(c.value.scope))}`,
                c.value.expiresAt ? ` until block ${c.value.expiresAt}` : '',
                ' ',
                h('button', {
                  'data-testid': `revoke-custodian-${c.custodian}`,
                  onclick: () => act('Revoke custodian', api.tx.records.revokeCustodian(c.custodian)),
                }, 'Revoke'),
              ),
            ),
          ),
    );
    // Audit trail: reads, break-glass uses, proxy attestations, newest first.
    type Event = { at: number; node: HTMLElement };
    const events: Event[] = [];
    for (const [, receipt] of data.receipts) {
      const refused = receipt.refused ? variant(receipt.refused) : null;
      const basis = variant(receipt.basis);
      const detail = basis === 'Consent' ? `consent for ${variant(payload(receipt.basis))}` : basis === 'Grant' ? `grant ${payload(receipt.basis)}` : 'ticket';
      events.push({
        at: Number(receipt.recordedAt),
        node: h(
          'li',
          {
            class: `read${refused ? ' refused' : ''}${basis === 'Ticket' ? ' ticket' : ''}`,
            'data-testid': 'audit-read',
            'data-record': String(receipt.record),
            'data-reader': String(receipt.reader),
            'data-basis': basis,
          },
          h('span', { class: 'when' }, `block ${receipt.recordedAt}`),
          ` Read of record ${receipt.record} by `,
          short(String(receipt.reader)),
          ` via gateway `,
          short(String(receipt.gateway)),
          ` — basis: ${detail}`,
          refused ? h('b', { class: 'deny' }, ` — the chain did not allow it at that block (${refused})`) : '',
        ),
      });
    }
    for (const [id, use] of data.breakGlass) {
      const review = variant(use.review);
      events.push({
        at: Number(use.openedAt),
        node: h(
          'li',
          { class: 'break-glass', 'data-testid': 'audit-break-glass', 'data-review': review, 'data-record': String(use.record) },
          h('span', { class: 'when' }, `block ${use.openedAt}`),
          h('b', {}, ' BREAK-GLASS '),
          `record ${use.record} opened by `,
          short(String(use.requester)),
          ` — justification: “${text(use.justification)}” — review: ${review}`,
          review === 'Pending'
            ? [
                ' ',
                h('button', {
                  'data-testid': `acknowledge-${id}`,
                  onclick: () => act('Acknowledge break-glass', api.tx.consent.reviewBreakGlass(me, id, 'Acknowledge')),
                }, 'Acknowledge'),
                h('button', {
                  class: 'danger',
                  'data-testid': `dispute-${id}`,
                  onclick: () => act('Dispute break-glass', api.tx.consent.reviewBreakGlass(me, id, 'Dispute')),
                }, 'Dispute'),
              ]
            : null,
        ),
      });
    }
    for (const a of data.attestations) {
      events.push({
        at: Number(a.recordedAt),
        node: h(
          'li',
          { class: 'attestation', 'data-testid': 'audit-attestation' },
          h('span', { class: 'when' }, `block ${a.recordedAt}`),
          ` Re-encryption for grant ${a.grant} by proxy `,
          short(String(a.proxy)),
          ` (served at block ${a.servedAt})`,
        ),
      });
    }
    events.sort((a, b) => b.at - a.at);
    fill(auditBox, events.length === 0 ? h('p', {}, 'Nobody has read your records.') : h('ol', { class: 'timeline' }, events.map((e) => e.node)));
  }

  void refresh();
  return refresh;
}
