// zombienet js-script: every MedChain pallet is in this node's metadata. Returns 1.

const PALLETS = ["Records", "Consent", "KeyGrants", "Fl", "Upgrades", "Validators", "Council"];

async function run(nodeName, networkInfo) {
  const api = await zombie.connect(networkInfo.nodesByName[nodeName].wsUri);
  const names = api.runtimeMetadata.asLatest.pallets.map((p) => p.name.toString());
  const missing = PALLETS.filter((p) => !names.includes(p));
  await api.disconnect();
  if (missing.length > 0) throw new Error(`missing pallets ${missing.join(", ")} in ${names.join(", ")}`);
  return 1;
}

module.exports = { run };
