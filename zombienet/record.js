// zombienet js-script: a record registered through one node is read back from another.
//
// Bob registers a record about himself (a made-up CIDv1 raw sha2-256 of random bytes: the
// chain stores only the CID, digest and size of ciphertext, never content) through the node
// the test names; once its block is finalised, the storage of `args[0]` (another
// validator) anchors that CID to the record's first version, with the same digest. Returns
// the new record's id plus one (so > 0), and notes the record in `$MEDCHAIN_ZOMBIENET_STATE`
// for `persisted.js`.

async function run(nodeName, networkInfo, args) {
  const writer = await zombie.connect(networkInfo.nodesByName[nodeName].wsUri);
  const reader = await zombie.connect(networkInfo.nodesByName[args[0]].wsUri);
  await zombie.util.cryptoWaitReady();
  const bob = new zombie.Keyring({ type: "sr25519" }).addFromUri("//Bob");

  const hex = (bytes) => "0x" + Buffer.from(bytes).toString("hex");
  const digest = zombie.util.sha256AsU8a(zombie.util.randomAsU8a(1024));
  // Hex, not a Uint8Array: polkadot.js reads a Uint8Array for `Bytes` as SCALE-encoded.
  const cid = hex([0x01, 0x55, 0x12, 0x20, ...digest]);
  const input = {
    content: { cid, digest: hex(digest), size: 1024, scheme: "AeadPre" },
    kind: "Observation",
    policy: null,
  };

  const recordId = await new Promise((resolve, reject) => {
    writer.tx.records
      .registerRecord(bob.address, input)
      .signAndSend(bob, ({ status, events, dispatchError }) => {
        if (dispatchError) {
          reject(new Error(`register_record failed: ${dispatchError.toString()}`));
        } else if (status.isFinalized) {
          const registered = events.find(({ event }) => writer.events.records.RecordRegistered.is(event));
          if (!registered) reject(new Error("no RecordRegistered event"));
          else resolve(registered.event.data.record.toNumber());
        } else if (status.isDropped || status.isInvalid || status.isUsurped) {
          reject(new Error(`transaction ${status.type}`));
        }
      })
      .catch(reject);
  });

  // Dave's node may import the finalised block a moment after Bob's: ask for up to 30 s.
  let anchor = null;
  for (let tries = 0; tries < 30 && !anchor; tries++) {
    anchor = (await reader.query.records.contentAnchors(cid)).toJSON();
    if (!anchor) await new Promise((resolve) => setTimeout(resolve, 1000));
  }
  if (!anchor || anchor[0] !== recordId || anchor[1] !== 1) {
    throw new Error(`${args[0]} anchors ${cid} to ${JSON.stringify(anchor)}, not record ${recordId} v1`);
  }
  // A record's current version is stored with it (`head`); `versions` holds superseded ones.
  const stored = (await reader.query.records.records(recordId)).toJSON();
  const version = stored && stored.head;
  if (!version || version.cid !== cid || version.digest !== hex(digest)) {
    throw new Error(`record ${recordId} v1 on ${args[0]} is ${JSON.stringify(version)}`);
  }
  // What the restart test (`persisted.js`) checks after the writer's node is killed.
  if (process.env.MEDCHAIN_ZOMBIENET_STATE) {
    require("fs").writeFileSync(
      process.env.MEDCHAIN_ZOMBIENET_STATE,
      JSON.stringify({ recordId, cid, digest: hex(digest) }),
    );
  }
  await writer.disconnect();
  await reader.disconnect();
  return recordId + 1;
}

module.exports = { run };
