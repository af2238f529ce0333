// zombienet js-script, after `restart` (SIGKILL, then the same command on the same base path):
// this node still has every block it had finalised and the record `record.js` wrote through
// it, and it follows the chain again (finality advances past what it had, as `mark.js` noted
// before the kill). Returns the number of blocks finalised since the kill.

async function run(nodeName, networkInfo) {
  const saved = JSON.parse(require("fs").readFileSync(process.env.MEDCHAIN_ZOMBIENET_STATE, "utf8"));
  const api = await zombie.connect(networkInfo.nodesByName[nodeName].wsUri);
  const finalized = async () =>
    (await api.rpc.chain.getHeader(await api.rpc.chain.getFinalizedHead())).number.toNumber();
  // The restarted node answers from its database at once: nothing finalised was lost.
  const atStart = await finalized();
  if (atStart < saved.beforeKill) {
    throw new Error(`finalised #${atStart} after the restart, #${saved.beforeKill} before`);
  }
  // A record's current version is stored with it (`head`).
  const stored = (await api.query.records.records(saved.recordId)).toJSON();
  const version = stored && stored.head;
  if (!version || version.cid !== saved.cid || version.digest !== saved.digest) {
    throw new Error(`record ${saved.recordId} v1 after the restart is ${JSON.stringify(version)}`);
  }
  // And it catches up: finality moves past what it had before the kill.
  let now = atStart;
  while (now < saved.beforeKill + 3) {
    await new Promise((resolve) => setTimeout(resolve, 1000));
    now = await finalized();
  }
  await api.disconnect();
  return now - saved.beforeKill;
}

module.exports = { run };
