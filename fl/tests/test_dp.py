"""Privacy accounting: what a site commits adds up to what its accountant says it spent."""

import math
import unittest

import numpy as np

from medchain_fl import data, dp, model


class AccountingTest(unittest.TestCase):
    def test_committed_increments_add_up_to_the_accountant(self) -> None:
        config = dp.DpConfig()
        increments = [dp.milli_epsilon_increment(k, config) for k in range(5)]
        self.assertTrue(all(i > 0 for i in increments))
        self.assertEqual(sum(increments), dp.milli_epsilon_total(5, config))
        self.assertEqual(dp.milli_epsilon_total(5, config),
                         math.ceil(1000 * dp.epsilon_after(5, config)))

    def test_more_rounds_spend_more_and_more_noise_spends_less(self) -> None:
        config = dp.DpConfig()
        spent = [dp.epsilon_after(r, config) for r in range(0, 6)]
        self.assertEqual(spent[0], 0.0)
        self.assertEqual(spent, sorted(spent))
        noisier = dp.DpConfig(noise_multiplier=config.noise_multiplier * 2)
        self.assertLess(dp.epsilon_after(5, noisier), dp.epsilon_after(5, config))

    def test_private_training_learns_and_is_not_deterministic(self) -> None:
        site, test = data.partition(1), data.test_set()
        config = dp.DpConfig()
        a = dp.train_private(model.initial(), site, config, np.random.default_rng())
        b = dp.train_private(model.initial(), site, config, np.random.default_rng())
        self.assertFalse(np.array_equal(a, b), "fresh noise every time")
        self.assertGreater(model.auc(a, test), 0.6)


class DataTest(unittest.TestCase):
    def test_sites_are_disjoint_non_iid_and_apart_from_the_test_set(self) -> None:
        sites, test = data.split(3)
        rows = [tuple(r) for s in sites for r in s.x] + [tuple(r) for r in test.x]
        self.assertEqual(len(rows), len(set(rows)), "no patient in two places")
        self.assertEqual(sum(len(s) for s in sites) + len(test), 442)
        rates = [float(s.y.mean()) for s in sites]
        self.assertLess(rates[0], 0.3)
        self.assertGreater(rates[2], 0.7)


if __name__ == "__main__":
    unittest.main()
