// MedChain's dApp: connects to a node with polkadot.js, lets the person pick an account (a
// wallet's, or a dev account on a dev chain) and shows the patient, clinician or council view,
// refreshed with every new block.

import type { ApiPromise } from '@polkadot/api';

import { type Account, connect, loadAccounts, settings } from './chain';
import { renderClinician } from './clinician';
import { renderCouncil } from './council';
import { renderPatient } from './patient';
import { fill, h, message } from './ui';

type View = 'patient' | 'clinician' | 'council';

async function start(): Promise<void> {
  const status = document.getElementById('chain-status')!;
  const select = document.getElementById('account') as HTMLSelectElement;
  const root = document.getElementById('view')!;
  let api: ApiPromise;
  try {
    api = await connect(settings.node);
  } catch (error) {
    status.textContent = `cannot reach the node at ${settings.node}: ${message(error)}`;
    status.className = 'error';
    return;
  }
  const [chain, version] = await Promise.all([api.rpc.system.chain(), api.rpc.state.getRuntimeVersion()]);
  const accounts: Account[] = await loadAccounts(api);
  fill(select, accounts.map((a) => h('option', { value: a.key }, a.label)));
  if (accounts.length === 0) {
    fill(root, h('p', {}, 'No accounts: install the polkadot.js extension (or another wallet) and allow this page.'));
  }

  let view: View = (new URLSearchParams(location.search).get('view') as View) ?? 'patient';
  let refresh: (() => Promise<void>) | undefined;
  let refreshing = false;
  const account = () => accounts.find((a) => a.key === select.value) ?? accounts[0];
  const show = () => {
    const who = account();
    if (!who) return;
    document.querySelectorAll('nav button').forEach((b) => b.classList.toggle('active', (b as HTMLElement).dataset.view === view));
    const ctx = { api, account: who };
    refresh = view === 'patient' ? renderPatient(root, ctx) : view === 'clinician' ? renderClinician(root, ctx) : renderCouncil(root, ctx);
  };
  select.addEventListener('change', show);
  document.querySelectorAll('nav button').forEach((button) =>
    button.addEventListener('click', () => {
      view = (button as HTMLElement).dataset.view as View;
      show();
    }),
  );
  show();

  // Live: every new best block refreshes the view's chain data (never its forms).
  await api.rpc.chain.subscribeNewHeads(async (header) => {
    status.textContent = `${chain.toString()} (runtime ${version.specName.toString()} v${version.specVersion.toNumber()}) — block #${header.number.toNumber()}`;
    status.dataset.block = String(header.number.toNumber());
    if (refresh && !refreshing) {
      refreshing = true;
      try {
        await refresh();
      } finally {
        refreshing = false;
      }
    }
  });
}

void start();
