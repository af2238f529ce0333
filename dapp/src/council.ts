// The council's view: open motions with their calls decoded from the metadata, the votes so
// far, and voting and closing for members.

import type { ApiPromise } from '@polkadot/api';
import type { Option, Vec } from '@polkadot/types';
import type { AccountId, Call, Hash, Votes, Weight } from '@polkadot/types/interfaces';

import { type Account, actions } from './chain';
import { fill, h, message, short } from './ui';

interface Context {
  api: ApiPromise;
  account: Account;
}

/** Renders the council view into `root`; returns a refresh function. */
export function renderCouncil(root: HTMLElement, ctx: Context): () => Promise<void> {
  const { api, account } = ctx;
  const membersBox = h('div', { 'data-testid': 'council-members' });
  const motionsBox = h('div', { 'data-testid': 'council-motions' });
  const status = h('p', { class: 'status', 'data-testid': 'council-status' });
  fill(root, h('h2', {}, 'Council'), status, membersBox, h('h2', {}, 'Open motions'), motionsBox);

  const act = actions(api, account, status, () => refresh());

  async function refresh(): Promise<void> {
    try {
      const members = ((await api.query.council.members()) as Vec<AccountId>).map((m) => m.toString());
      const best = (await api.rpc.chain.getHeader()).number.toNumber();
      const hashes = (await api.query.council.proposals()) as Vec<Hash>;
      const motions = await Promise.all(
        hashes.map(async (hash) => {
          const call = (await api.query.council.proposalOf(hash)) as Option<Call>;
          const voting = (await api.query.council.voting(hash)) as Option<Votes>;
          return { hash, call: call.isSome ? call.unwrap() : null, voting: voting.isSome ? voting.unwrap() : null };
        }),
      );
      const member = members.includes(account.address);
      fill(
        membersBox,
        h('p', {}, `${members.length} members`, member ? ' (you are one)' : ' (you are not a member: you can watch, not vote)'),
        h('ul', {}, members.map((m) => h('li', {}, short(m, 8)))),
      );
      fill(
        motionsBox,
        motions.length === 0
          ? h('p', {}, 'No open motions.')
          : motions.map(({ hash, call, voting }) => {
              if (!call || !voting) return h('p', {}, `Motion ${hash.toHex()} is gone.`);
              const decoded = `${call.section}.${call.method}`;
              const args = JSON.stringify((call.toHuman() as { args?: unknown }).args ?? {}, null, 1);
              const ayes = voting.ayes.map((a) => a.toString());
              const nays = voting.nays.map((a) => a.toString());
              const threshold = voting.threshold.toNumber();
              const end = voting.end.toNumber();
              const index = voting.index.toNumber();
              const close = async () => {
                const info = (await api.call.transactionPaymentCallApi.queryCallInfo(call.toHex(), call.encodedLength)) as unknown as { weight: Weight };
                await act(`Close motion ${index}`, api.tx.council.close(hash, index, info.weight, call.encodedLength));
              };
              return h(
                'article',
                { class: 'motion', 'data-testid': `motion-${index}` },
                h('h3', {}, `#${index}: ${decoded}`),
                h('pre', {}, args),
                h('p', {}, `${ayes.length} aye, ${nays.length} nay of ${threshold} needed; voting ends at block ${end} (now ${best})`),
                member && [
                  h('button', { onclick: () => act(`Aye on motion ${index}`, api.tx.council.vote(hash, index, true)) }, 'Aye'),
                  h('button', { onclick: () => act(`Nay on motion ${index}`, api.tx.council.vote(hash, index, false)) }, 'Nay'),
                ],
                h('button', { onclick: () => void close() }, 'Close'),
              );
            }),
      );
    } catch (error) {
      status.textContent = `Cannot read the council: ${message(error)}`;
      status.className = 'status error';
    }
  }

  void refresh();
  return refresh;
}
