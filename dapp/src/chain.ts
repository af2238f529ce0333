// The chain through polkadot.js: connection, accounts (an injected wallet such as the
// polkadot.js extension; the dev accounts on a dev or local chain only), and transactions with
// the feedback people expect (pending, in block, finalised, fee, the pallet's error in words).
//
// Types come from the runtime's metadata at connection time: no type definitions are written
// here, and values are read through their JSON form.

import { ApiPromise, WsProvider } from '@polkadot/api';
import type { SubmittableExtrinsic } from '@polkadot/api/types';
import { web3Accounts, web3Enable, web3FromSource } from '@polkadot/extension-dapp';
import { Keyring } from '@polkadot/keyring';
import type { KeyringPair } from '@polkadot/keyring/types';
import type { DispatchError } from '@polkadot/types/interfaces';
import type { ISubmittableResult } from '@polkadot/types/types';
import { formatBalance, hexToString, isHex } from '@polkadot/util';
import { cryptoWaitReady } from '@polkadot/util-crypto';

import { h } from './ui';

/** Where the dApp connects: `?node=…&gateway=…`, else the dev defaults `scripts/start.sh` uses. */
export const settings = (() => {
  const query = new URLSearchParams(location.search);
  return {
    node: query.get('node') ?? import.meta.env.VITE_MEDCHAIN_NODE ?? 'ws://127.0.0.1:9944',
    gateway: query.get('gateway') ?? import.meta.env.VITE_MEDCHAIN_GATEWAY ?? 'http://127.0.0.1:8787',
  };
})();

/**
 * An account that can sign: from a wallet (`source`) or a dev key (`pair`). `key` tells apart
 * one address offered by a wallet and as a dev account: `<source>:<address>` or `dev:<address>`.
 */
export interface Account {
  key: string;
  address: string;
  label: string;
  dev: boolean;
  source?: string;
  pair?: KeyringPair;
}

/** Connects to the node; rejects if it cannot be reached. */
export async function connect(url: string): Promise<ApiPromise> {
  return ApiPromise.create({ provider: new WsProvider(url), noInitWarn: true, throwOnConnect: true });
}

const DEV_NAMES = ['Alice', 'Bob', 'Charlie', 'Dave', 'Eve', 'Ferdie'];

/** The wallet's accounts, and on a dev or local chain the well-known dev accounts, marked. */
export async function loadAccounts(api: ApiPromise): Promise<Account[]> {
  const accounts: Account[] = [];
  const wallets = await web3Enable('MedChain');
  if (wallets.length > 0) {
    for (const injected of await web3Accounts()) {
      accounts.push({
        key: `${injected.meta.source}:${injected.address}`,
        address: injected.address,
        label: `${injected.meta.name ?? injected.address} (${injected.meta.source})`,
        dev: false,
        source: injected.meta.source,
      });
    }
  }
  const chainType = await api.rpc.system.chainType();
  if (chainType.isDevelopment || chainType.isLocal) {
    await cryptoWaitReady();
    const keyring = new Keyring({ type: 'sr25519', ss58Format: api.registry.chainSS58 ?? 42 });
    for (const name of DEV_NAMES) {
      const pair = keyring.addFromUri(`//${name}`);
      accounts.push({ key: `dev:${pair.address}`, address: pair.address, label: `${name} — dev account, test chains only`, dev: true, pair });
    }
  }
  return accounts;
}

/** A pallet error as people read it: `Consent::ExplicitlyDenied: <its documentation>`. */
export function explain(api: ApiPromise, error: DispatchError): string {
  if (error.isModule) {
    const meta = api.registry.findMetaError(error.asModule);
    const pallet = meta.section.charAt(0).toUpperCase() + meta.section.slice(1);
    return `${pallet}::${meta.name}: ${meta.docs.join(' ').trim()}`;
  }
  if (error.isToken) return `Token::${error.asToken.type}`;
  if (error.isArithmetic) return `Arithmetic::${error.asArithmetic.type}`;
  return error.type;
}

/** The transactions list: one entry per submission, its state and fee. */
function logEntry(label: string): {
  state: (state: string, detail?: string) => void;
  fee: (fee: string) => void;
} {
  const list = document.getElementById('transactions');
  const state = h('span', { class: 'tx-state' }, 'signing');
  const fee = h('span', { class: 'tx-fee' });
  const detail = h('div', { class: 'tx-detail' });
  const entry = h('li', { 'data-testid': 'tx', 'data-state': 'signing' }, h('b', {}, label), ' ', state, ' ', fee, detail);
  list?.prepend(entry);
  return {
    state: (text: string, more?: string) => {
      entry.dataset.state = text;
      state.textContent = text;
      if (more !== undefined) detail.textContent = more;
    },
    fee: (text: string) => {
      fee.textContent = `fee ${text}`;
    },
  };
}

/**
 * Signs `tx` as `account` and submits it. Resolves once it is in a block and succeeded
 * (finalisation is shown in the list as it comes); rejects with the pallet's error in words.
 */
export async function send(
  api: ApiPromise,
  account: Account,
  tx: SubmittableExtrinsic<'promise'>,
  label: string,
): Promise<void> {
  const entry = logEntry(label);
  try {
    const info = await tx.paymentInfo(account.address);
    entry.fee(formatBalance(info.partialFee, { withSi: true, decimals: api.registry.chainDecimals[0] ?? 12, withUnit: api.registry.chainTokens[0] ?? 'UNIT' }));
    const signer = account.pair ? undefined : (await web3FromSource(account.source ?? '')).signer;
    await new Promise<void>((resolve, reject) => {
      let unsubscribe: (() => void) | undefined;
      let settled = false;
      const finish = (error?: Error) => {
        if (settled) return;
        settled = true;
        if (error) reject(error);
        else resolve();
      };
      const onStatus = (result: ISubmittableResult) => {
        const { status, dispatchError } = result;
        if (status.isReady || status.isBroadcast) entry.state('pending');
        if (status.isInBlock || status.isFinalized) {
          if (dispatchError) {
            const text = explain(api, dispatchError);
            entry.state('failed', text);
            unsubscribe?.();
            finish(new Error(text));
            return;
          }
          if (status.isInBlock) {
            entry.state('in block', `block ${status.asInBlock.toHex().slice(0, 10)}…`);
            finish();
          } else {
            entry.state('finalised', `block ${status.asFinalized.toHex().slice(0, 10)}…`);
            finish();
            unsubscribe?.();
          }
        }
        if (status.isDropped || status.isInvalid || status.isUsurped) {
          entry.state('failed', status.type);
          unsubscribe?.();
          finish(new Error(`the transaction was ${status.type.toLowerCase()}`));
        }
      };
      const submission = account.pair
        ? tx.signAndSend(account.pair, onStatus)
        : tx.signAndSend(account.address, { signer }, onStatus);
      submission.then((u) => (unsubscribe = u)).catch((error: unknown) => {
        const text = error instanceof Error ? error.message : String(error);
        entry.state('failed', text);
        finish(new Error(text));
      });
    });
  } catch (error) {
    const text = error instanceof Error ? error.message : String(error);
    entry.state('failed', text);
    throw error;
  }
}

/**
 * A view's way to act: sends a transaction (listed with its progress), then refreshes the view;
 * a refusal is shown in `status` in words, never thrown at the person.
 */
export function actions(
  api: ApiPromise,
  account: Account,
  status: HTMLElement,
  refresh: () => Promise<void>,
): (label: string, tx: SubmittableExtrinsic<'promise'>) => Promise<void> {
  return async (label, tx) => {
    status.textContent = '';
    status.className = 'status';
    try {
      await send(api, account, tx, label);
      await refresh();
    } catch (error) {
      status.textContent = `${label}: ${error instanceof Error ? error.message : String(error)}`;
      status.className = 'status error';
    }
  };
}

/**
 * The canonical text of each distinct policy among `ids` (`null` entries skipped), asked of the
 * chain once per policy however many records name it; a removed policy maps to `null`.
 */
export async function policyTexts(api: ApiPromise, ids: unknown[]): Promise<Map<number, string | null>> {
  const distinct = [...new Set(ids.filter((id) => id !== null && id !== undefined).map(Number))];
  const texts = await Promise.all(
    distinct.map(async (id) => {
      const policy = (await api.call.consentApi.policy(id)).toJSON() as { canonical?: unknown } | null;
      return [id, policy ? text(policy.canonical) : null] as const;
    }),
  );
  return new Map(texts);
}

// --- reading JSON forms of chain values --------------------------------------------------

/** Bytes (a `Vec<u8>` in its JSON form, hex) as text. */
export function text(value: unknown): string {
  if (typeof value === 'string' && isHex(value)) return hexToString(value);
  return value === null || value === undefined ? '' : String(value);
}

/** An enum's variant name (`Treatment`, `Consent`) from its JSON form. */
export function variant(value: unknown): string {
  if (typeof value === 'string') return value.charAt(0).toUpperCase() + value.slice(1);
  if (value && typeof value === 'object') {
    const key = Object.keys(value)[0] ?? '';
    return key.charAt(0).toUpperCase() + key.slice(1);
  }
  return String(value);
}

/** An enum's payload (`{ record: 3 }` → 3) from its JSON form. */
export function payload(value: unknown): unknown {
  if (value && typeof value === 'object') return Object.values(value)[0];
  return undefined;
}

/** Every purpose the chain knows (`Treatment`, `Emergency`, …), from the metadata's type registry. */
export function purposes(api: ApiPromise): string[] {
  const purpose = api.registry.lookup.types.find(({ type }) => type.path.map((p) => p.toString()).join('::') === 'medchain_primitives::Purpose');
  if (!purpose || !purpose.type.def.isVariant) return [];
  return purpose.type.def.asVariant.variants.map((v) => v.name.toString());
}
