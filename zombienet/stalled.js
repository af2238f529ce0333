// zombienet js-script: watches this node for `args[0]` seconds and returns how many blocks
// finality advanced meanwhile; fails if no new block was authored (authoring must go on while
// finality stalls).

async function run(nodeName, networkInfo, args) {
  const api = await zombie.connect(networkInfo.nodesByName[nodeName].wsUri);
  const seconds = Number(args[0] || 30);
  const heads = async () => ({
    best: (await api.rpc.chain.getHeader()).number.toNumber(),
    finalized: (await api.rpc.chain.getHeader(await api.rpc.chain.getFinalizedHead())).number.toNumber(),
  });
  // Votes already cast when the second validator stopped may still finalise a block or two.
  await new Promise((resolve) => setTimeout(resolve, 12000));
  const start = await heads();
  await new Promise((resolve) => setTimeout(resolve, seconds * 1000));
  const end = await heads();
  await api.disconnect();
  if (end.best <= start.best) throw new Error(`no block authored in ${seconds} s (best #${end.best})`);
  return end.finalized - start.finalized;
}

module.exports = { run };
