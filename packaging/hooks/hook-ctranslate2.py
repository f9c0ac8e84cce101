"""CTranslate2: the inference library itself and its OpenMP runtime.

The wheel keeps ``libctranslate2`` and ``libgomp`` in ``ctranslate2.libs`` (auditwheel),
found through the extension's RPATH; collecting them explicitly keeps the bundle working even
where the dependency scan misses an RPATH entry. The converters (which import transformers,
torch…) are never used by the app and stay out.
"""

from PyInstaller.utils.hooks import collect_dynamic_libs

binaries = collect_dynamic_libs("ctranslate2")
excludedimports = ["ctranslate2.converters", "transformers", "torch", "tensorflow"]
