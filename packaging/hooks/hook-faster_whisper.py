"""faster-whisper: its Silero VAD model (``assets/silero_vad_v*.onnx``) is package data.

Without it ``vad_filter`` (which every transcription uses) fails at the first chunk.
"""

from PyInstaller.utils.hooks import collect_data_files

datas = collect_data_files("faster_whisper")
