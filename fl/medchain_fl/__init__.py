"""MedChain federated learning: Flower sites and an aggregator coordinated by the chain.

Sites train on their own data with differentially private SGD, store each update by CID and
commit it on chain (`Fl.submit_update`: CID, digest, samples, epsilon). The aggregator (a
Flower strategy) checks every update against its on-chain commitment, flags rogue ones, and
publishes the checkpoint with the updates it used (`Fl.publish_aggregate`), so that anyone can
recompute the aggregate from the committed updates and dispute it.
"""

__all__ = ["__version__"]

__version__ = "0.1.0"
