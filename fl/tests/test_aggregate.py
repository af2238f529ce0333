"""The aggregator's rules against a malicious site: every way an update can be rogue is
flagged, honest updates are used, and the aggregate is recomputable bit for bit."""

import tempfile
import unittest

import numpy as np

from medchain_fl.aggregate import fedavg, inspect, recompute
from medchain_fl.store import Store, encode


def committed(cid: str, digest: bytes, samples: int, rogue=None) -> dict:
    return {"input": {"model": {"cid": cid, "digest": "0x" + digest.hex()}, "samples": samples},
            "rogue": rogue}


class InspectTest(unittest.TestCase):
    def setUp(self) -> None:
        self.dir = tempfile.TemporaryDirectory()
        self.store = Store(self.dir.name)
        self.global_params = np.zeros(11)
        rng = np.random.default_rng(7)
        self.honest = {f"site{i}": self.global_params + rng.normal(0, 0.1, 11) for i in range(3)}

    def tearDown(self) -> None:
        self.dir.cleanup()

    def commit(self, params: np.ndarray, samples: int = 100) -> dict:
        cid, digest = self.store.put_model(params)
        return committed(cid, digest, samples)

    def test_honest_updates_are_all_used(self) -> None:
        updates = {a: self.commit(p) for a, p in self.honest.items()}
        verdict = inspect(updates, self.store, self.global_params)
        self.assertEqual([a for a, _, _ in verdict.used], ["site0", "site1", "site2"])
        self.assertEqual(verdict.rogue, [])

    def test_every_kind_of_rogue_update_is_flagged(self) -> None:
        updates = {a: self.commit(p) for a, p in self.honest.items()}
        updates["scaled"] = self.commit(self.honest["site0"] * 1000)
        updates["nan"] = self.commit(np.full(11, np.nan))
        updates["shape"] = self.commit(np.zeros(5))
        # Committed one model, stored another under the committed CID: the digest gives it away.
        cid, _ = self.store.put_model(np.ones(11))
        updates["swapped"] = committed(cid, b"\x00" * 32, 100)
        updates["missing"] = committed("bafkreinothere", b"\x01" * 32, 100)
        # Bytes that are not a model at all (a pickle, say) never get loaded.
        junk_cid, junk_digest = self.store.put(b"\x80\x04junk")
        updates["junk"] = committed(junk_cid, junk_digest, 100)
        verdict = inspect(updates, self.store, self.global_params)
        self.assertEqual(sorted(a for a, _, _ in verdict.used), ["site0", "site1", "site2"])
        self.assertEqual(dict(verdict.rogue), {
            "scaled": "norm-outlier", "nan": "non-finite", "shape": "wrong-shape",
            "swapped": "commitment-mismatch", "missing": "commitment-mismatch",
            "junk": "commitment-mismatch",
        })
        for _, reason in verdict.rogue:
            self.assertLessEqual(len(reason.encode()), 32, "the chain's ReasonCode bound")

    def test_with_two_updates_the_outlier_is_still_caught(self) -> None:
        updates = {"site0": self.commit(self.honest["site0"]),
                   "site1": self.commit(self.honest["site1"] * 1000)}
        verdict = inspect(updates, self.store, self.global_params)
        self.assertEqual(verdict.rogue, [("site1", "norm-outlier")])

    def test_already_flagged_updates_are_skipped(self) -> None:
        updates = {a: self.commit(p) for a, p in self.honest.items()}
        updates["site2"]["rogue"] = "0x6e6f726d"
        verdict = inspect(updates, self.store, self.global_params)
        self.assertEqual([a for a, _, _ in verdict.used], ["site0", "site1"])

    def test_the_aggregate_is_recomputable_bit_for_bit(self) -> None:
        updates = {a: self.commit(p, samples=50 + 10 * i)
                   for i, (a, p) in enumerate(self.honest.items())}
        verdict = inspect(updates, self.store, self.global_params)
        published = fedavg(verdict.used)
        again = recompute(["site2", "site0", "site1"], updates, self.store)
        self.assertEqual(encode(again), encode(published), "order of the used list is irrelevant")
        weights = np.array([50, 60, 70]) / 180
        expected = sum(w * self.honest[a] for w, a in zip(weights, ["site0", "site1", "site2"]))
        np.testing.assert_allclose(published, expected)

    def test_nothing_to_aggregate_is_an_error(self) -> None:
        with self.assertRaises(ValueError):
            fedavg([])


if __name__ == "__main__":
    unittest.main()
