// zombienet js-script: finality advances by `args[0]` blocks on this node within the
// assertion's timeout. Returns how many blocks it advanced.

async function run(nodeName, networkInfo, args) {
  const api = await zombie.connect(networkInfo.nodesByName[nodeName].wsUri);
  const wanted = Number(args[0] || 3);
  const number = async () =>
    (await api.rpc.chain.getHeader(await api.rpc.chain.getFinalizedHead())).number.toNumber();
  const start = await number();
  let now = start;
  while (now < start + wanted) {
    await new Promise((resolve) => setTimeout(resolve, 1000));
    now = await number();
  }
  await api.disconnect();
  return now - start;
}

module.exports = { run };
