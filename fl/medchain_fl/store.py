"""Content-addressed storage of model updates and checkpoints.

A blob's name is its CIDv1 (raw codec, sha2-256), computed by the `multiformats` library:
for blobs under 256 KiB (every model here is a few hundred bytes) this is the CID Kubo and the
MedChain gateway give the same bytes, so the store could be an IPFS node or the gateway. The
chain records the CID and the sha2-256 digest; whoever fetches a blob checks the digest.

Models are NumPy arrays saved in `.npy` format and loaded with `allow_pickle=False`: a
malicious site can send bytes that fail to parse, never code that runs.
"""

from __future__ import annotations

import hashlib
import io
import os
from pathlib import Path

import numpy as np
from multiformats import CID, multihash


class StoreError(Exception):
    """A blob is missing, or its bytes do not match what was asked for."""


def encode(params: np.ndarray) -> bytes:
    """A model's bytes: `.npy` of a float64 vector."""
    buffer = io.BytesIO()
    np.save(buffer, np.asarray(params, dtype=np.float64), allow_pickle=False)
    return buffer.getvalue()


def decode(blob: bytes) -> np.ndarray:
    """A model from its bytes; `StoreError` if they are not one float64 vector."""
    try:
        params = np.load(io.BytesIO(blob), allow_pickle=False)
    except (ValueError, OSError, EOFError) as err:
        raise StoreError(f"not a model: {err}") from err
    if params.dtype != np.float64 or params.ndim != 1:
        raise StoreError(f"not a model: {params.dtype} array of shape {params.shape}")
    return params


def content_id(blob: bytes) -> str:
    """The blob's CIDv1 (raw, sha2-256), base32."""
    return str(CID("base32", 1, "raw", multihash.digest(blob, "sha2-256")))


def digest(blob: bytes) -> bytes:
    """The blob's sha2-256 digest, as the chain records it."""
    return hashlib.sha256(blob).digest()


class Store:
    """A directory of blobs named by CID, shared by the federation's processes on one host
    (each site would run its own, reachable by the aggregator, in a deployment)."""

    def __init__(self, root: str | os.PathLike[str]) -> None:
        self.root = Path(root)
        self.root.mkdir(parents=True, exist_ok=True)

    def put(self, blob: bytes) -> tuple[str, bytes]:
        """Stores `blob`; returns its CID and digest. Written to a temporary name and renamed,
        so a reader never sees half a blob."""
        cid = content_id(blob)
        path = self.root / cid
        if not path.exists():
            temporary = path.with_suffix(f".{os.getpid()}.partial")
            temporary.write_bytes(blob)
            os.replace(temporary, path)
        return cid, digest(blob)

    def get(self, cid: str, expected_digest: bytes) -> bytes:
        """The blob named `cid`, checked against `expected_digest` (the chain's)."""
        try:
            blob = (self.root / Path(cid).name).read_bytes()
        except FileNotFoundError as err:
            raise StoreError(f"no blob {cid}") from err
        if digest(blob) != expected_digest:
            raise StoreError(f"blob {cid} does not match its committed digest")
        return blob

    def put_model(self, params: np.ndarray) -> tuple[str, bytes]:
        """Stores a model; returns its CID and digest."""
        return self.put(encode(params))

    def get_model(self, cid: str, expected_digest: bytes) -> np.ndarray:
        """The model named `cid`, checked against `expected_digest`."""
        return decode(self.get(cid, expected_digest))
