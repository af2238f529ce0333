// zombienet js-script, just before `restart`: notes this node's finalised height in
// `$MEDCHAIN_ZOMBIENET_STATE` (beside what `record.js` wrote) for `persisted.js`. Returns it.

async function run(nodeName, networkInfo) {
  const fs = require("fs");
  const state = JSON.parse(fs.readFileSync(process.env.MEDCHAIN_ZOMBIENET_STATE, "utf8"));
  const api = await zombie.connect(networkInfo.nodesByName[nodeName].wsUri);
  state.beforeKill = (await api.rpc.chain.getHeader(await api.rpc.chain.getFinalizedHead())).number.toNumber();
  await api.disconnect();
  fs.writeFileSync(process.env.MEDCHAIN_ZOMBIENET_STATE, JSON.stringify(state));
  return state.beforeKill;
}

module.exports = { run };
