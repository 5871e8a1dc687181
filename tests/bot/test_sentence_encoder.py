"""The NumPy sentence encoder (bot/nlu/minilm.py) gives what sentence-transformers gives.

It runs in the Rasa environment, so each test runs a short program there. The reference
vectors and piece ids in data/minilm_reference.json were made once with
sentence-transformers itself (its version is recorded in the file); odd input is in
there too: accents, an emoji, Chinese, Polish, Urdu, a zero-width space, an over-long
word and a message longer than the model's 256 pieces.
"""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

from scripts.stack import BOT_PYTHON, ROOT

REFERENCE = Path(__file__).parent / "data" / "minilm_reference.json"


def run_in_bot_env(program: str) -> dict:
    result = subprocess.run(
        [str(BOT_PYTHON), "-c", program],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_vectors_and_pieces_match_sentence_transformers() -> None:
    found = run_in_bot_env(
        f"""
import json, numpy as np
from bot.nlu.minilm import MiniLM
reference = json.load(open({str(REFERENCE)!r}, encoding="utf-8"))
model = MiniLM.load()
cosines, pieces = [], []
for text, vector in zip(reference["texts"], reference["vectors"]):
    cosines.append(float(np.dot(model.encode(text), np.array(vector))))
    pieces.append([model.cls] + model.tokenizer.encode(text)[:254] + [model.sep])
print(json.dumps({{"cosines": cosines, "pieces": pieces}}))
"""
    )
    reference = json.loads(REFERENCE.read_text(encoding="utf-8"))
    assert found["pieces"] == reference["piece_ids"]
    assert min(found["cosines"]) > 0.9999, found["cosines"]


def test_close_meanings_are_close() -> None:
    # What the classifier gains: a word it never saw lands near one it did.
    found = run_in_bot_env(
        """
import json, numpy as np
from bot.nlu.minilm import MiniLM
model = MiniLM.load()
def similarity(a, b):
    return float(np.dot(model.encode(a), model.encode(b)))
print(json.dumps({
    "nan": [similarity("my nan", "my grandmother"), similarity("my nan", "order a pizza")],
    "ring": [similarity("can someone ring me", "i want someone to call me back"),
             similarity("can someone ring me", "what is coercive control")],
}))
"""
    )
    for close, far in found.values():
        assert close > far + 0.2, found


def test_weights_that_are_not_the_published_ones_are_refused(tmp_path: Path) -> None:
    found = run_in_bot_env(
        f"""
import json, shutil
from pathlib import Path
from bot.nlu.minilm import MiniLM, packaged_model_dir
copy = Path({str(tmp_path)!r}) / "model"
shutil.copytree(packaged_model_dir(), copy)
data = bytearray((copy / "model.safetensors").read_bytes())
data[-1] ^= 1
(copy / "model.safetensors").write_bytes(bytes(data))
try:
    MiniLM.load(copy)
    print(json.dumps({{"refused": False}}))
except ValueError as error:
    print(json.dumps({{"refused": True, "why": str(error)}}))
"""
    )
    assert found["refused"], found
